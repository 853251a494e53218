// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {Account} from "../../../src/libs/PocoTypes.sol";

contract PocoModuleViewAccountTest is PocoUnitFixture {
    function test_unknownAccount() public view {
        Account memory account = hub.viewAccount(stranger);
        assertEq(account.stake, 0, "stake");
        assertEq(account.locked, 0, "locked");
    }

    /// `stake` is the free balance, `locked` the frozen one; the score packed with them is not shown.
    function test_freeAndFrozen() public {
        _setScore(requester, 99);
        _matchDeal(APP_PRICE, POOL_PRICE, 2, 1);
        Account memory account = hub.viewAccount(requester);
        assertEq(account.stake, INITIAL_DEPOSIT - 2 * (APP_PRICE + POOL_PRICE), "stake = balanceOf");
        assertEq(account.locked, 2 * (APP_PRICE + POOL_PRICE), "locked = frozenOf");
        assertEq(account.stake, hub.balanceOf(requester), "same as balanceOf");
        assertEq(account.locked, hub.frozenOf(requester), "same as frozenOf");

        account = hub.viewAccount(scheduler);
        assertEq(account.locked, 2 * STAKE, "scheduler stake");

        account = hub.viewAccount(address(hub));
        assertEq(
            account.stake, 2 * (APP_PRICE + POOL_PRICE + STAKE), "the hub holds what is locked"
        );
        assertEq(account.locked, 0, "the hub has nothing frozen");
    }
}
