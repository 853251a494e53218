// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

contract PocoHubBalanceOfTest is PocoUnitFixture {
    function test_zeroForUnknownAccounts() public view {
        assertEq(hub.balanceOf(stranger), 0, "stranger");
        assertEq(hub.balanceOf(address(0)), 0, "zero address");
    }

    function test_freeBalanceOnly() public {
        assertEq(hub.balanceOf(requester), INITIAL_DEPOSIT, "after deposit");
        _matchDeal(APP_PRICE, POOL_PRICE, 1, 1);
        assertEq(
            hub.balanceOf(requester), INITIAL_DEPOSIT - APP_PRICE - POOL_PRICE, "payment locked"
        );
        assertEq(hub.balanceOf(scheduler), INITIAL_DEPOSIT - STAKE, "stake locked");
    }

    /// Locked funds physically sit in the hub's own balance (spec section 2.2).
    function test_theHubHoldsLockedFunds() public {
        assertEq(hub.balanceOf(address(hub)), 0, "nothing locked");
        _matchDeal(APP_PRICE, POOL_PRICE, 2, 1);
        assertEq(hub.balanceOf(address(hub)), 2 * (APP_PRICE + POOL_PRICE + STAKE), "locked funds");
        _assertConservation();
    }
}
