// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

contract PocoHubFrozenOfTest is PocoUnitFixture {
    function test_zeroByDefault() public view {
        assertEq(hub.frozenOf(requester), 0, "requester");
        assertEq(hub.frozenOf(KITTY), 0, "kitty");
    }

    function test_lockedAmounts() public {
        bytes32 dealid = _matchDeal(APP_PRICE, POOL_PRICE, 2, 1);
        assertEq(hub.frozenOf(requester), 2 * (APP_PRICE + POOL_PRICE), "payment");
        assertEq(hub.frozenOf(scheduler), 2 * STAKE, "scheduler stake");
        bytes32 taskid = hub.initialize(dealid, 0);
        _contribute(0, taskid, DIGEST);
        assertEq(hub.frozenOf(workers[0]), STAKE, "worker stake (30% policy)");
    }

    /// A claimed task's scheduler stake is credited to the kitty's frozen balance.
    function test_kitty() public {
        bytes32 dealid = _matchDeal(APP_PRICE, POOL_PRICE, 1, 1);
        bytes32 taskid = hub.initialize(dealid, 0);
        vm.warp(block.timestamp + 10 * 300);
        hub.claim(taskid);
        assertEq(hub.frozenOf(KITTY), STAKE, "kitty");
        assertEq(hub.balanceOf(KITTY), 0, "kitty has no free balance");
        _assertConservation();
    }
}
