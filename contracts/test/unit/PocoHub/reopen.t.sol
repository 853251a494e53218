// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoHubFixture} from "../../utils/PocoHubFixture.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {Task, TaskStatusEnum, ContributionStatusEnum} from "../../../src/libs/PocoTypes.sol";

/// @title reopen: the scheduler reopens a task whose consensus nobody revealed (spec §7.5).
contract PocoHubReopenTest is PocoHubFixture {
    bytes32 private taskid;
    uint256 private revealDeadline;

    /// Trust 3: worker 2 votes OTHER_DIGEST, workers 0 and 1 vote DIGEST: consensus on DIGEST.
    function setUp() public override {
        super.setUp();
        (, taskid) = _newTask(3);
        _contribute(2, taskid, OTHER_DIGEST);
        _contribute(0, taskid, DIGEST);
        _contribute(1, taskid, DIGEST);
        _contribute(3, taskid, DIGEST);
        _assertStatus(taskid, TaskStatusEnum.REVEALING, "consensus");
        revealDeadline = hub.viewTask(taskid).revealDeadline;
    }

    function _reopen(bytes32 id) private {
        vm.prank(scheduler);
        hub.reopen(id);
    }

    function _expectReopenRevert(bytes32 id, bytes memory revertData) private {
        vm.expectRevert(revertData);
        vm.prank(scheduler);
        hub.reopen(id);
    }

    /// 1. After the reveal deadline without reveal: the winners are REJECTED, the task is ACTIVE
    /// again with no consensus; TaskReopen emitted; no funds move.
    function test_01_reopens() public {
        vm.warp(revealDeadline);
        vm.expectEmit(address(hub));
        emit IPocoEvents.TaskReopen(taskid);
        _reopen(taskid);

        Task memory task = hub.viewTask(taskid);
        assertEq(uint256(task.status), uint256(TaskStatusEnum.ACTIVE), "ACTIVE");
        assertEq(task.consensusValue, bytes32(0), "consensus cleared");
        assertEq(task.revealDeadline, 0, "reveal deadline cleared");
        assertEq(task.winnerCounter, 0, "winners cleared");
        assertEq(task.revealCounter, 0, "no reveal");
        assertEq(task.contributors.length, 4, "contributors kept");
        for (uint256 i = 0; i < 4; ++i) {
            if (i == 2) continue;
            _assertContribution(
                taskid, workers[i], ContributionStatusEnum.REJECTED, "winner rejected"
            );
            assertEq(_frozen(workers[i]), STAKE, "stake still locked");
        }
        _assertContribution(
            taskid, workers[2], ContributionStatusEnum.CONTRIBUTED, "loser untouched"
        );
        _assertConservation();
    }

    /// 2. Rejected workers cannot contribute again.
    function test_02_rejectedWorkersCannotContributeAgain() public {
        vm.warp(revealDeadline);
        _reopen(taskid);
        bytes memory auth = _authorization(workers[0], taskid, address(0));
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.ContributionStatusInvalid.selector,
                taskid,
                workers[0],
                ContributionStatusEnum.REJECTED
            )
        );
        vm.prank(workers[0]);
        hub.contribute(
            taskid,
            _resultHash(taskid, DIGEST),
            _resultSeal(workers[0], taskid, DIGEST),
            address(0),
            "",
            auth
        );
    }

    /// 3. After a reopen the rejected group no longer counts: total = 1 + group[OTHER] = 3, as if
    /// the rejected votes had never been cast; three fresh votes on DIGEST reach consensus again
    /// (8·3 > 11·2) and only they are winners.
    function test_03_newConsensusOnTheSameValue() public {
        vm.warp(revealDeadline);
        _reopen(taskid);
        _contribute(4, taskid, DIGEST); // group 2, total 5: 6 > 10 no
        _assertStatus(taskid, TaskStatusEnum.ACTIVE, "one new vote");
        _contribute(5, taskid, DIGEST); // group 4, total 7: 12 > 14 no
        _assertStatus(taskid, TaskStatusEnum.ACTIVE, "two new votes");
        _contribute(6, taskid, DIGEST); // group 8, total 11: 24 > 22 yes
        Task memory task = hub.viewTask(taskid);
        assertEq(uint256(task.status), uint256(TaskStatusEnum.REVEALING), "consensus again");
        assertEq(task.winnerCounter, 3, "rejected voters are not winners");
        assertEq(task.revealDeadline, block.timestamp + 2 * TIMEREF, "new reveal deadline");

        _revealMany(4, 3, taskid, DIGEST);
        _finalize(taskid, "");
        // the rejected voters and the loser are slashed
        for (uint256 i = 0; i < 4; ++i) {
            assertEq(_free(workers[i]), INITIAL_DEPOSIT - STAKE, "slashed");
            assertEq(_frozen(workers[i]), 0, "nothing locked");
        }
        _assertConservation();
    }

    /// 4. After a reopen the previous loser's value can win: OTHER_DIGEST already weighs 2,
    /// one more vote makes group 4, total 5: 12 > 10.
    function test_04_newConsensusOnAnotherValue() public {
        vm.warp(revealDeadline);
        _reopen(taskid);
        _contribute(4, taskid, OTHER_DIGEST);
        Task memory task = hub.viewTask(taskid);
        assertEq(
            uint256(task.status), uint256(TaskStatusEnum.REVEALING), "consensus on the other value"
        );
        assertEq(task.consensusValue, _resultHash(taskid, OTHER_DIGEST), "other value");
        assertEq(task.winnerCounter, 2, "the old loser and the new voter");
        _reveal(2, taskid, OTHER_DIGEST);
        _reveal(4, taskid, OTHER_DIGEST);
        _finalize(taskid, "");
        assertEq(hub.viewTask(taskid).resultDigest, OTHER_DIGEST, "digest");
    }

    /// 5. Only the deal's scheduler may reopen.
    function test_05_revertsForNonScheduler() public {
        vm.warp(revealDeadline);
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.NotScheduler.selector, taskid, stranger, scheduler)
        );
        vm.prank(stranger);
        hub.reopen(taskid);

        // the scheduler is the workerpool owner at match time
        vm.prank(scheduler);
        workerpoolRegistry.transferFrom(scheduler, stranger, uint256(uint160(workerpool)));
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.NotScheduler.selector, taskid, stranger, scheduler)
        );
        vm.prank(stranger);
        hub.reopen(taskid);
        _reopen(taskid);
    }

    /// 6. The task must be REVEALING.
    function test_06_revertsUnlessRevealing() public {
        (, bytes32 active) = _newTask(3);
        _expectReopenRevert(
            active,
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, active, TaskStatusEnum.ACTIVE
            )
        );
        vm.warp(revealDeadline);
        _reopen(taskid);
        _expectReopenRevert(
            taskid,
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, taskid, TaskStatusEnum.ACTIVE
            )
        );
    }

    /// 7. Not before the reveal deadline.
    function test_07_revertsBeforeTheRevealDeadline() public {
        vm.warp(revealDeadline - 1);
        _expectReopenRevert(
            taskid,
            abi.encodeWithSelector(
                IPocoErrors.RevealDeadlineNotReached.selector, taskid, revealDeadline
            )
        );
    }

    /// 8. Not once somebody revealed.
    function test_08_revertsWhenAlreadyRevealed() public {
        _reveal(0, taskid, DIGEST);
        vm.warp(revealDeadline);
        _expectReopenRevert(
            taskid, abi.encodeWithSelector(IPocoErrors.AlreadyRevealed.selector, taskid, 1)
        );
    }

    /// 9. Not at or after the final deadline (the task can only be claimed then).
    function test_09_revertsAtTheFinalDeadline() public {
        uint256 finalDeadline = hub.viewTask(taskid).finalDeadline;
        vm.warp(finalDeadline);
        _expectReopenRevert(
            taskid,
            abi.encodeWithSelector(IPocoErrors.FinalDeadlineReached.selector, taskid, finalDeadline)
        );
        hub.claim(taskid);
    }

    /// 10. The contribution deadline is not extended: a reopened task past it can only fail.
    function test_10_contributionDeadlineIsNotExtended() public {
        uint256 contributionDeadline = hub.viewTask(taskid).contributionDeadline;
        vm.warp(contributionDeadline);
        _reopen(taskid);
        bytes memory auth = _authorization(workers[4], taskid, address(0));
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.ContributionDeadlineReached.selector, taskid, contributionDeadline
            )
        );
        vm.prank(workers[4]);
        hub.contribute(
            taskid,
            _resultHash(taskid, DIGEST),
            _resultSeal(workers[4], taskid, DIGEST),
            address(0),
            "",
            auth
        );
    }

    /// 11. A rejected winner can no longer reveal.
    function test_11_rejectedWorkersCannotReveal() public {
        vm.warp(revealDeadline);
        _reopen(taskid);
        _contributeMany(4, 3, taskid, DIGEST); // new consensus on the same value
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.ContributionStatusInvalid.selector,
                taskid,
                workers[0],
                ContributionStatusEnum.REJECTED
            )
        );
        vm.prank(workers[0]);
        hub.reveal(taskid, DIGEST);
    }

    /// 12. Consensus across reopens against the model of spec §7.3/§7.5: fixed seed.
    function test_12_consensusAcrossReopensMatchesTheModel() public {
        test_12_consensusAcrossReopensMatchesTheModel(
            3, 0x2a1b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7
        );
    }

    /// 12. Fuzz: fresh task at a random trust; workers 4..14 vote one of three values with random
    /// scores. Each time consensus is reached (at most three times) nobody reveals and the
    /// scheduler reopens: the model rejects that value's voters, drops its group from the total
    /// and zeroes it. Every step must agree with the model: consensus exactly when
    /// group·trust > total·(trust − 1), the consensus value, and the winners (voters of the value
    /// not rejected before).
    function test_12_consensusAcrossReopensMatchesTheModel(uint256 trust, uint256 seed) public {
        trust = bound(trust, 1, 12);
        (, bytes32 task) = _newTask(trust);
        uint256[3] memory groups;
        uint256 total = 1;
        uint256[15] memory votes;
        bool[15] memory rejected;
        uint256 reopens;
        for (uint256 i = 4; i < 15; ++i) {
            uint256 v = (seed >> (i * 4)) % 3;
            uint256 score = (seed >> (64 + i * 6)) % 41;
            votes[i] = v;
            _setScore(workers[i], score);
            uint256 weight = (score / 3 > 3 ? score / 3 : 3) - 1;
            uint256 g = groups[v];
            uint256 delta = (g > 1 ? g : 1) * weight - g;
            groups[v] = g + delta;
            total += delta;
            _contribute(i, task, _valueDigest(v));

            if (groups[v] * trust <= total * (trust - 1)) {
                _assertStatus(task, TaskStatusEnum.ACTIVE, "model: no consensus");
                continue;
            }
            Task memory t = hub.viewTask(task);
            assertEq(uint256(t.status), uint256(TaskStatusEnum.REVEALING), "model: consensus");
            assertEq(t.consensusValue, _resultHash(task, _valueDigest(v)), "consensus value");
            uint256 winners;
            for (uint256 j = 4; j <= i; ++j) {
                if (votes[j] == v && !rejected[j]) ++winners;
            }
            assertEq(t.winnerCounter, winners, "winners exclude rejected voters");
            if (reopens == 3) break;

            vm.warp(t.revealDeadline);
            _reopen(task);
            ++reopens;
            for (uint256 j = 4; j <= i; ++j) {
                if (votes[j] == v) rejected[j] = true;
            }
            total -= groups[v];
            groups[v] = 0;
            for (uint256 j = 4; j <= i; ++j) {
                _assertContribution(
                    task,
                    workers[j],
                    rejected[j]
                        ? ContributionStatusEnum.REJECTED
                        : ContributionStatusEnum.CONTRIBUTED,
                    "statuses after reopen"
                );
            }
        }
        _assertConservation();
    }

    function _valueDigest(uint256 v) private pure returns (bytes32) {
        return keccak256(abi.encode("value", v));
    }
}
