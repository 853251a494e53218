// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoHubFixture} from "../../utils/PocoHubFixture.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {Task, TaskStatusEnum} from "../../../src/libs/PocoTypes.sol";

/// @title initialize: opens one task of a deal (spec §7.1, deadlines §5.2).
contract PocoHubInitializeTest is PocoHubFixture {
    /// 1. The task id, fields, deadlines (anchored on the deal's start) and event.
    function test_01_initializesATask() public {
        vm.warp(10_000);
        bytes32 dealid = _matchDeal(APP_PRICE, POOL_PRICE, 3, 1);
        vm.warp(10_500); // later than the match: deadlines stay anchored on the deal's start
        bytes32 expected = keccak256(abi.encodePacked(dealid, uint256(1)));

        vm.expectEmit(address(hub));
        emit IPocoEvents.TaskInitialize(expected, workerpool);
        vm.prank(stranger); // anyone may initialize
        bytes32 taskid = hub.initialize(dealid, 1);

        assertEq(taskid, expected, "taskid = keccak(dealid, idx)");
        Task memory task = hub.viewTask(taskid);
        assertEq(uint256(task.status), uint256(TaskStatusEnum.ACTIVE), "ACTIVE");
        assertEq(task.dealid, dealid, "dealid");
        assertEq(task.idx, 1, "idx");
        assertEq(task.timeref, TIMEREF, "timeref of category 0");
        assertEq(
            task.contributionDeadline, 10_000 + 7 * TIMEREF, "contribution deadline = start + 7T"
        );
        assertEq(task.revealDeadline, 0, "no reveal deadline yet");
        assertEq(task.finalDeadline, 10_000 + 10 * TIMEREF, "final deadline = start + 10T");
        assertEq(task.consensusValue, bytes32(0), "no consensus");
        assertEq(task.revealCounter, 0, "revealCounter");
        assertEq(task.winnerCounter, 0, "winnerCounter");
        assertEq(task.contributors.length, 0, "no contributor");
        assertEq(task.resultDigest, bytes32(0), "no digest");
        assertEq(task.results.length, 0, "no results");
        assertEq(task.resultsTimestamp, 0, "resultsTimestamp never set");
        assertEq(task.resultsCallback.length, 0, "no callback data");

        // other tasks of the deal are untouched
        assertEq(
            uint256(_status(_taskId(dealid, 0))), uint256(TaskStatusEnum.UNSET), "task 0 unset"
        );
    }

    /// 2. Deadlines follow the deal's category.
    function test_02_deadlinesFollowTheCategory() public {
        uint256[5] memory timerefs = [uint256(300), 1_200, 3_600, 10_800, 36_000];
        for (uint256 category = 0; category < 5; ++category) {
            Orders memory o = _orders(1, 1);
            o.workerpool.category = category;
            o.request.category = category;
            bytes32 dealid = _signAndMatch(o);
            Task memory task = hub.viewTask(hub.initialize(dealid, 0));
            assertEq(task.timeref, timerefs[category], "timeref");
            assertEq(
                task.contributionDeadline,
                block.timestamp + 7 * timerefs[category],
                "contribution deadline"
            );
            assertEq(
                task.finalDeadline, block.timestamp + 10 * timerefs[category], "final deadline"
            );
        }
    }

    /// 3. A task can be initialized after its final deadline (to be claimed).
    function test_03_initializesAfterTheFinalDeadline() public {
        bytes32 dealid = _matchDeal(APP_PRICE, POOL_PRICE, 1, 1);
        vm.warp(block.timestamp + 100 * TIMEREF);
        bytes32 taskid = hub.initialize(dealid, 0);
        _assertStatus(taskid, TaskStatusEnum.ACTIVE, "initialized late");
        assertLt(
            hub.viewTask(taskid).finalDeadline, block.timestamp, "already past its final deadline"
        );
    }

    /// 4. Every index of the bag of tasks, and only those.
    function test_04_indexMustBeInTheBagOfTasks() public {
        // split a request of volume 5 into deals [0, 2) and [2, 5)
        Orders memory o = _orders(5, 1);
        o.app.volume = 2;
        _signAll(o);
        bytes32 first = _match(o);
        o.app = _sign(_appOrder(APP_PRICE, 10));
        bytes32 second = _match(o);

        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.TaskIndexOutOfRange.selector, first, 2, 0, 2)
        );
        hub.initialize(first, 2);
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.TaskIndexOutOfRange.selector, second, 0, 2, 3)
        );
        hub.initialize(second, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.TaskIndexOutOfRange.selector, second, 1, 2, 3)
        );
        hub.initialize(second, 1);
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.TaskIndexOutOfRange.selector, second, 5, 2, 3)
        );
        hub.initialize(second, 5);

        hub.initialize(first, 0);
        hub.initialize(first, 1);
        for (uint256 idx = 2; idx < 5; ++idx) {
            bytes32 taskid = hub.initialize(second, idx);
            assertEq(hub.viewTask(taskid).idx, idx, "absolute index inside the request");
        }
    }

    /// 5. Unknown deal.
    function test_05_revertsOnUnknownDeal() public {
        bytes32 dealid = keccak256("no such deal");
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.DealNotFound.selector, dealid));
        hub.initialize(dealid, 0);
    }

    /// 6. A task is initialized once, whatever its status.
    function test_06_revertsWhenAlreadyInitialized() public {
        (bytes32 dealid, bytes32 taskid) = _newTask(1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, taskid, TaskStatusEnum.ACTIVE
            )
        );
        hub.initialize(dealid, 0);

        _contribute(0, taskid, DIGEST);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, taskid, TaskStatusEnum.REVEALING
            )
        );
        hub.initialize(dealid, 0);

        _reveal(0, taskid, DIGEST);
        _finalize(taskid, "");
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, taskid, TaskStatusEnum.COMPLETED
            )
        );
        hub.initialize(dealid, 0);

        (bytes32 otherDeal, bytes32 failed) = _newTask(1);
        vm.warp(hub.viewTask(failed).finalDeadline);
        hub.claim(failed);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, failed, TaskStatusEnum.FAILED
            )
        );
        hub.initialize(otherDeal, 0);
    }

    /// 7. Initializing moves no funds.
    function test_07_movesNoFunds() public {
        bytes32 dealid = _matchDeal(APP_PRICE, POOL_PRICE, 1, 1);
        uint256 requesterFrozen = _frozen(requester);
        uint256 schedulerFrozen = _frozen(scheduler);
        hub.initialize(dealid, 0);
        assertEq(_frozen(requester), requesterFrozen, "requester");
        assertEq(_frozen(scheduler), schedulerFrozen, "scheduler");
        _assertConservation();
    }

    /// 8. Fuzz: any index of the bag initializes the task keccak(dealid, idx); any other reverts.
    function testFuzz_08_index(uint256 volume, uint256 idx) public {
        volume = bound(volume, 1, 50);
        bytes32 dealid = _matchDeal(0, 0, volume, 1);
        if (idx < volume) {
            assertEq(hub.initialize(dealid, idx), _taskId(dealid, idx), "taskid");
        } else {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IPocoErrors.TaskIndexOutOfRange.selector, dealid, idx, 0, volume
                )
            );
            hub.initialize(dealid, idx);
        }
    }
}
