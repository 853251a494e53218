// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IWorkerpool} from "../../../src/interfaces/IRegistries.sol";

/// (category, startTime, botFirst, botSize, workerStake, schedulerRewardRatio)
contract PocoViewsViewConfigABILegacyTest is PocoUnitFixture {
    function test_fields() public {
        vm.prank(scheduler);
        IWorkerpool(workerpool).changePolicy(20, 3);
        Orders memory o = _orders(6, 1, false);
        o.workerpool.category = 2;
        o.request.category = 2;
        o.app.volume = 2;
        o = _signAll(o);
        _match(o); // takes tasks 0-1 of the request
        vm.warp(1_800_000_000);
        bytes32 dealid =
            hub.matchOrders(_sign(_appOrder(APP_PRICE, 10)), o.dataset, o.workerpool, o.request);

        (
            uint256 category,
            uint256 startTime,
            uint256 botFirst,
            uint256 botSize,
            uint256 workerStake,
            uint256 ratio
        ) = hub.viewConfigABILegacy(dealid);
        assertEq(category, 2, "category");
        assertEq(startTime, 1_800_000_000, "start time");
        assertEq(botFirst, 2, "first index");
        assertEq(botSize, 4, "size");
        assertEq(workerStake, POOL_PRICE * 20 / 100, "worker stake");
        assertEq(ratio, 3, "scheduler reward ratio");
    }
}
