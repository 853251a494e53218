// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {ResultConsumer} from "../../mocks/ResultConsumer.sol";
import {Task, TaskStatusEnum} from "../../../src/libs/PocoTypes.sol";

contract PocoViewsViewTaskTest is PocoUnitFixture {
    function test_unknownTaskIsAllZero() public view {
        Task memory task = hub.viewTask(keccak256("no such task"));
        assertEq(uint256(task.status), uint256(TaskStatusEnum.UNSET), "status");
        assertEq(task.dealid, bytes32(0), "deal");
        assertEq(task.timeref, 0, "time reference");
        assertEq(task.finalDeadline, 0, "final deadline");
        assertEq(task.contributors.length, 0, "contributors");
        assertEq(task.results.length, 0, "results");
    }

    function test_initialized() public {
        vm.warp(1_700_000_000);
        bytes32 dealid = _matchDeal(APP_PRICE, POOL_PRICE, 3, 3);
        vm.warp(1_700_000_100);
        bytes32 taskid = hub.initialize(dealid, 2);
        Task memory task = hub.viewTask(taskid);
        assertEq(uint256(task.status), uint256(TaskStatusEnum.ACTIVE), "status");
        assertEq(task.dealid, dealid, "deal");
        assertEq(task.idx, 2, "index");
        assertEq(task.timeref, 300, "category 0 (XS)");
        assertEq(task.contributionDeadline, 1_700_000_000 + 7 * 300, "7 T after the deal's start");
        assertEq(task.revealDeadline, 0, "no reveal deadline yet");
        assertEq(task.finalDeadline, 1_700_000_000 + 10 * 300, "10 T after the deal's start");
        assertEq(task.consensusValue, bytes32(0), "no consensus");
        assertEq(task.revealCounter, 0, "reveals");
        assertEq(task.winnerCounter, 0, "winners");
        assertEq(task.contributors.length, 0, "contributors");
        assertEq(task.resultDigest, bytes32(0), "digest");
        assertEq(task.resultsTimestamp, 0, "never set");
    }

    /// `timeref` is derived from the deadlines (poco does not store it): check every default category.
    function test_timeRefOfEachCategory() public {
        uint256[5] memory refs = [uint256(300), 1_200, 3_600, 10_800, 36_000];
        for (uint256 c = 0; c < 5; ++c) {
            Orders memory o = _orders(1, 1, false);
            o.workerpool.category = c;
            o.request.category = c;
            bytes32 taskid = hub.initialize(_match(_signAll(o)), 0);
            Task memory task = hub.viewTask(taskid);
            assertEq(task.timeref, refs[c], "time reference");
            assertEq(task.finalDeadline - task.contributionDeadline, 3 * refs[c], "deadlines");
        }
    }

    /// Contributors are listed in contribution order; consensus sets the reveal deadline. At
    /// trust 3 with fresh workers (weight 2), one dissent needs three agreeing votes (group 8,
    /// total 11: 24 > 22; spec section 8.5).
    function test_contributorsAndConsensus() public {
        bytes32 dealid = _matchDeal(APP_PRICE, POOL_PRICE, 1, 3);
        bytes32 taskid = hub.initialize(dealid, 0);
        _contribute(3, taskid, keccak256("other"));
        _contribute(1, taskid, DIGEST);
        _contribute(4, taskid, DIGEST);
        assertEq(
            uint256(hub.viewTask(taskid).status),
            uint256(TaskStatusEnum.ACTIVE),
            "not yet: 12 > 14 fails"
        );
        vm.warp(block.timestamp + 50);
        _contribute(0, taskid, DIGEST);

        Task memory task = hub.viewTask(taskid);
        assertEq(uint256(task.status), uint256(TaskStatusEnum.REVEALING), "consensus");
        assertEq(task.contributors.length, 4, "four contributors");
        assertEq(task.contributors[0], workers[3], "first");
        assertEq(task.contributors[1], workers[1], "second");
        assertEq(task.contributors[2], workers[4], "third");
        assertEq(task.contributors[3], workers[0], "fourth");
        assertEq(task.consensusValue, _resultHash(taskid, DIGEST), "consensus value");
        assertEq(task.revealDeadline, block.timestamp + 2 * 300, "2 T after consensus");
        assertEq(task.winnerCounter, 3, "three winners");
        assertEq(task.revealCounter, 0, "no reveal yet");

        _reveal(1, taskid, DIGEST);
        task = hub.viewTask(taskid);
        assertEq(task.revealCounter, 1, "one reveal");
        assertEq(task.resultDigest, DIGEST, "digest at first reveal");
    }

    function test_completedWithCallback() public {
        ResultConsumer consumer = new ResultConsumer();
        Orders memory o = _orders(1, 1, false);
        o.request.callback = address(consumer);
        bytes32 dealid = _match(_signAll(o));
        bytes memory callbackData = abi.encode(uint256(1));
        bytes32 taskid = _completeTask(dealid, 0, keccak256(callbackData), callbackData);

        Task memory task = hub.viewTask(taskid);
        assertEq(uint256(task.status), uint256(TaskStatusEnum.COMPLETED), "status");
        assertEq(task.resultDigest, keccak256(callbackData), "digest");
        assertEq(task.results, bytes("ipfs://result"), "results");
        assertEq(task.resultsCallback, callbackData, "callback data");
        assertEq(task.resultsTimestamp, 0, "never set (spec section 19.15)");
        assertEq(task.revealCounter, 1, "reveals");
        assertEq(task.winnerCounter, 1, "winners");
    }

    function test_claimed() public {
        bytes32 dealid = _matchDeal(APP_PRICE, POOL_PRICE, 1, 1);
        bytes32 taskid = hub.initialize(dealid, 0);
        vm.warp(block.timestamp + 10 * 300);
        hub.claim(taskid);
        assertEq(uint256(hub.viewTask(taskid).status), uint256(TaskStatusEnum.FAILED), "failed");
    }
}
