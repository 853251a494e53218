// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

contract PocoModuleViewAccountABILegacyTest is PocoUnitFixture {
    function test_unknownAccount() public view {
        (uint256 balance, uint256 frozen) = hub.viewAccountABILegacy(stranger);
        assertEq(balance, 0, "balance");
        assertEq(frozen, 0, "frozen");
    }

    function test_balanceThenFrozen() public {
        _matchDeal(APP_PRICE, POOL_PRICE, 3, 1);
        (uint256 balance, uint256 frozen) = hub.viewAccountABILegacy(requester);
        assertEq(balance, INITIAL_DEPOSIT - 3 * (APP_PRICE + POOL_PRICE), "balance");
        assertEq(frozen, 3 * (APP_PRICE + POOL_PRICE), "frozen");
        (balance, frozen) = hub.viewAccountABILegacy(scheduler);
        assertEq(balance, INITIAL_DEPOSIT - 3 * STAKE, "scheduler balance");
        assertEq(frozen, 3 * STAKE, "scheduler frozen");
    }
}
