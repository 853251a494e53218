// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {Task, TaskStatusEnum} from "../../../src/libs/PocoTypes.sol";

/// The first eleven task fields plus `results` (no digest, timestamp or callback data).
contract PocoViewsViewTaskABILegacyTest is PocoUnitFixture {
    function test_sameAsViewTask() public {
        bytes32 taskid = _completeTask(_matchDeal(APP_PRICE, POOL_PRICE, 2, 1), 1, DIGEST, "");
        Task memory task = hub.viewTask(taskid);
        (
            uint8 status,
            bytes32 dealid,
            uint256 idx,
            uint256 timeref,
            uint256 contributionDeadline,
            uint256 revealDeadline,
            uint256 finalDeadline,
            bytes32 consensusValue,
            uint256 revealCounter,
            uint256 winnerCounter,
            address[] memory contributors,
            bytes memory results
        ) = hub.viewTaskABILegacy(taskid);
        assertEq(status, uint8(TaskStatusEnum.COMPLETED), "status");
        assertEq(dealid, task.dealid, "deal");
        assertEq(idx, 1, "index");
        assertEq(timeref, 300, "time reference");
        assertEq(contributionDeadline, task.contributionDeadline, "contribution deadline");
        assertEq(revealDeadline, task.revealDeadline, "reveal deadline");
        assertGt(revealDeadline, 0, "set at consensus");
        assertEq(finalDeadline, task.finalDeadline, "final deadline");
        assertEq(consensusValue, _resultHash(taskid, DIGEST), "consensus");
        assertEq(revealCounter, 1, "reveals");
        assertEq(winnerCounter, 1, "winners");
        assertEq(contributors.length, 1, "one contributor");
        assertEq(contributors[0], workers[0], "worker 0");
        assertEq(results, bytes("ipfs://result"), "results");
    }

    function test_unknownTask() public view {
        (uint8 status,,, uint256 timeref,,,,,,, address[] memory contributors,) =
            hub.viewTaskABILegacy(keccak256("none"));
        assertEq(status, 0, "unset");
        assertEq(timeref, 0, "no time reference");
        assertEq(contributors.length, 0, "no contributor");
    }
}
