// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoHubFixture} from "../../utils/PocoHubFixture.sol";
import {Vm} from "../../utils/Vm.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {TaskStatusEnum, ContributionStatusEnum} from "../../../src/libs/PocoTypes.sol";

/// @title claim: anyone fails a task past its final deadline; the payer is refunded, the
/// scheduler stake goes to the kitty, contributors get their stakes back (spec §7.8, §8.4).
contract PocoHubClaimTest is PocoHubFixture {
    function _claimAtDeadline(bytes32 taskid) private {
        vm.warp(hub.viewTask(taskid).finalDeadline);
        vm.prank(stranger);
        hub.claim(taskid);
    }

    /// 1. An ACTIVE task without contribution: FAILED, refund, stake seized into the kitty.
    function test_01_claimsAnActiveTask() public {
        (, bytes32 taskid) = _newTask(1);
        vm.warp(hub.viewTask(taskid).finalDeadline);

        vm.expectEmit(address(hub));
        emit IPocoEvents.Unlock(requester, TASK_PRICE);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Seize(scheduler, STAKE, taskid);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Reward(KITTY, STAKE, taskid);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Lock(KITTY, STAKE);
        vm.expectEmit(address(hub));
        emit IPocoEvents.TaskClaimed(taskid);
        vm.recordLogs();
        vm.prank(stranger);
        hub.claim(taskid);

        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(
            _logIndex(logs, IPocoEvents.TaskClaimed.selector), logs.length - 1, "TaskClaimed last"
        );
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == IPocoEvents.Transfer.selector) {
                assertTrue(
                    address(uint160(uint256(logs[i].topics[2]))) != KITTY,
                    "no Transfer to the kitty (6.x)"
                );
            }
        }

        _assertStatus(taskid, TaskStatusEnum.FAILED, "FAILED");
        assertEq(_free(requester), INITIAL_DEPOSIT, "requester refunded");
        assertEq(_frozen(requester), 0, "requester nothing locked");
        assertEq(_free(scheduler), INITIAL_DEPOSIT - STAKE, "scheduler loses its stake");
        assertEq(_frozen(scheduler), 0, "scheduler nothing locked");
        assertEq(_frozen(KITTY), STAKE, "kitty frozen grows");
        assertEq(_free(KITTY), 0, "kitty has no free balance");
        _assertConservation();
    }

    /// 2. The refund covers the dataset price too; owners get nothing.
    function test_02_refundsTheWholePrice() public {
        bytes32 dealid = _signAndMatch(_ordersWithDataset(1, 1));
        bytes32 taskid = hub.initialize(dealid, 0);
        _claimAtDeadline(taskid);
        assertEq(_free(requester), INITIAL_DEPOSIT, "requester refunded app + dataset + pool");
        assertEq(_free(appOwner), INITIAL_DEPOSIT, "app owner unpaid");
        assertEq(_free(datasetOwner), INITIAL_DEPOSIT, "dataset owner unpaid");
        _assertConservation();
    }

    /// 3. An ACTIVE task with contributions: every contributor gets its stake back, scores stay.
    function test_03_unlocksContributorsOfAnActiveTask() public {
        _setScore(workers[0], 9);
        _setScore(workers[1], 4);
        (, bytes32 taskid) = _newTask(100);
        _contribute(0, taskid, DIGEST);
        _contribute(1, taskid, OTHER_DIGEST);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Unlock(workers[0], STAKE);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Unlock(workers[1], STAKE);
        _claimAtDeadline(taskid);
        for (uint256 i = 0; i < 2; ++i) {
            assertEq(_free(workers[i]), INITIAL_DEPOSIT, "stake back");
            assertEq(_frozen(workers[i]), 0, "nothing locked");
        }
        assertEq(hub.viewScore(workers[0]), 9, "score unchanged");
        assertEq(hub.viewScore(workers[1]), 4, "score unchanged");
        _assertConservation();
    }

    /// 4. A REVEALING task: winners (revealed or not) and losers all get their stakes back.
    function test_04_claimsARevealingTask() public {
        (, bytes32 taskid) = _newTask(3);
        _contribute(2, taskid, OTHER_DIGEST);
        _contributeMany(0, 2, taskid, DIGEST);
        _contribute(3, taskid, DIGEST);
        _reveal(0, taskid, DIGEST);
        _assertStatus(taskid, TaskStatusEnum.REVEALING, "REVEALING");
        _claimAtDeadline(taskid);
        _assertStatus(taskid, TaskStatusEnum.FAILED, "FAILED");
        for (uint256 i = 0; i < 4; ++i) {
            assertEq(_free(workers[i]), INITIAL_DEPOSIT, "stake back, no slashing");
            assertEq(hub.viewScore(workers[i]), 0, "no score change");
        }
        assertEq(_frozen(KITTY), STAKE, "kitty");
        _assertConservation();
    }

    /// 5. REJECTED contributors of a reopened task get their stakes back too.
    function test_05_unlocksRejectedContributors() public {
        (, bytes32 taskid) = _newTask(1);
        _contribute(0, taskid, DIGEST);
        vm.warp(hub.viewTask(taskid).revealDeadline);
        vm.prank(scheduler);
        hub.reopen(taskid);
        _assertContribution(taskid, workers[0], ContributionStatusEnum.REJECTED, "REJECTED");
        _claimAtDeadline(taskid);
        assertEq(_free(workers[0]), INITIAL_DEPOSIT, "stake back");
        _assertConservation();
    }

    /// 6. The kitty accumulates the stakes of every claimed task.
    function test_06_kittyAccumulates() public {
        bytes32 dealid = _matchDeal(APP_PRICE, POOL_PRICE, 3, 1);
        bytes32 taskid;
        for (uint256 i = 0; i < 3; ++i) {
            taskid = hub.initialize(dealid, i);
        }
        vm.warp(hub.viewTask(taskid).finalDeadline);
        for (uint256 i = 0; i < 3; ++i) {
            hub.claim(_taskId(dealid, i));
            assertEq(_frozen(KITTY), (i + 1) * STAKE, "kitty grows");
        }
        _assertConservation();
    }

    /// 7. Not before the final deadline (which is claimable, inclusive).
    function test_07_revertsBeforeTheFinalDeadline() public {
        (, bytes32 taskid) = _newTask(1);
        uint256 deadline = hub.viewTask(taskid).finalDeadline;
        vm.warp(deadline - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.FinalDeadlineNotReached.selector, taskid, deadline)
        );
        hub.claim(taskid);
        vm.warp(deadline);
        hub.claim(taskid);
    }

    /// 8. Only ACTIVE or REVEALING tasks: not UNSET, COMPLETED (also via contributeAndFinalize) or
    /// FAILED (twice).
    function test_08_revertsUnlessActiveOrRevealing() public {
        bytes32 dealid = _matchDeal(APP_PRICE, POOL_PRICE, 3, 1);
        bytes32 unset = _taskId(dealid, 0);
        vm.warp(block.timestamp + 100 * TIMEREF);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, unset, TaskStatusEnum.UNSET
            )
        );
        hub.claim(unset);

        (, bytes32 completed) = _revealedTask();
        _finalize(completed, "");
        (, bytes32 fast) = _newTask(1);
        bytes memory auth = _authorization(workers[1], fast, address(0));
        vm.prank(workers[1]);
        hub.contributeAndFinalize(fast, DIGEST, "", "", address(0), "", auth);
        vm.warp(block.timestamp + 100 * TIMEREF);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, completed, TaskStatusEnum.COMPLETED
            )
        );
        hub.claim(completed);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, fast, TaskStatusEnum.COMPLETED
            )
        );
        hub.claim(fast);

        bytes32 failed = hub.initialize(dealid, 0);
        hub.claim(failed);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, failed, TaskStatusEnum.FAILED
            )
        );
        hub.claim(failed);
    }
}
