// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoHubFixture} from "../../utils/PocoHubFixture.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {Task, TaskStatusEnum, ContributionStatusEnum} from "../../../src/libs/PocoTypes.sol";

/// @title reveal: a winner proves the digest behind its vote (spec §7.4).
contract PocoHubRevealTest is PocoHubFixture {
    bytes32 private taskid;

    /// Trust 3: worker 2 votes OTHER_DIGEST, workers 0, 1, 3 vote DIGEST: consensus at worker 3.
    function setUp() public override {
        super.setUp();
        (, taskid) = _newTask(3);
        _contribute(2, taskid, OTHER_DIGEST);
        _contributeMany(0, 2, taskid, DIGEST);
        _contribute(3, taskid, DIGEST);
        _assertStatus(taskid, TaskStatusEnum.REVEALING, "consensus");
    }

    /// 1. The contribution is PROVED, the counter and digest updated, TaskReveal emitted; funds
    /// and status do not move.
    function test_01_reveals() public {
        vm.expectEmit(address(hub));
        emit IPocoEvents.TaskReveal(taskid, workers[0], DIGEST);
        _reveal(0, taskid, DIGEST);

        _assertContribution(taskid, workers[0], ContributionStatusEnum.PROVED, "PROVED");
        Task memory task = hub.viewTask(taskid);
        assertEq(task.revealCounter, 1, "revealCounter");
        assertEq(task.resultDigest, DIGEST, "resultDigest");
        assertEq(uint256(task.status), uint256(TaskStatusEnum.REVEALING), "still REVEALING");
        assertEq(_frozen(workers[0]), STAKE, "stake still locked");

        _reveal(1, taskid, DIGEST);
        _reveal(3, taskid, DIGEST);
        assertEq(hub.viewTask(taskid).revealCounter, 3, "all winners revealed");
        assertEq(hub.viewTask(taskid).winnerCounter, 3, "winners");
    }

    /// 2. Revealing is possible until just before the reveal deadline.
    function test_02_revealsJustBeforeTheDeadline() public {
        vm.warp(hub.viewTask(taskid).revealDeadline - 1);
        _reveal(0, taskid, DIGEST);
    }

    /// 3. The task must be REVEALING.
    function test_03_revertsUnlessRevealing() public {
        (, bytes32 active) = _newTask(3);
        _contribute(0, active, DIGEST);
        _expectRevealRevert(
            0,
            active,
            DIGEST,
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, active, TaskStatusEnum.ACTIVE
            )
        );

        bytes32 unset = keccak256("unset");
        _expectRevealRevert(
            0,
            unset,
            DIGEST,
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, unset, TaskStatusEnum.UNSET
            )
        );

        _revealMany(0, 2, taskid, DIGEST);
        _reveal(3, taskid, DIGEST);
        _finalize(taskid, "");
        _expectRevealRevert(
            0,
            taskid,
            DIGEST,
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, taskid, TaskStatusEnum.COMPLETED
            )
        );
    }

    /// 4. The reveal deadline is exclusive.
    function test_04_revertsAtTheRevealDeadline() public {
        uint256 deadline = hub.viewTask(taskid).revealDeadline;
        vm.warp(deadline);
        _expectRevealRevert(
            0,
            taskid,
            DIGEST,
            abi.encodeWithSelector(IPocoErrors.RevealDeadlineReached.selector, taskid, deadline)
        );
    }

    /// 5. Only a CONTRIBUTED contribution can reveal: not a non-contributor, not twice.
    function test_05_revertsUnlessContributed() public {
        _expectRevealRevert(
            4,
            taskid,
            DIGEST,
            abi.encodeWithSelector(
                IPocoErrors.ContributionStatusInvalid.selector,
                taskid,
                workers[4],
                ContributionStatusEnum.UNSET
            )
        );
        _reveal(0, taskid, DIGEST);
        _expectRevealRevert(
            0,
            taskid,
            DIGEST,
            abi.encodeWithSelector(
                IPocoErrors.ContributionStatusInvalid.selector,
                taskid,
                workers[0],
                ContributionStatusEnum.PROVED
            )
        );
    }

    /// 6. A worker who voted for another value cannot reveal.
    function test_06_revertsForALoser() public {
        _expectRevealRevert(
            2,
            taskid,
            OTHER_DIGEST,
            abi.encodeWithSelector(IPocoErrors.NotConsensusVote.selector, taskid, workers[2])
        );
        _expectRevealRevert(
            2,
            taskid,
            DIGEST,
            abi.encodeWithSelector(IPocoErrors.NotConsensusVote.selector, taskid, workers[2])
        );
    }

    /// 7. The digest must match the vote: keccak(taskid ‖ digest) == resultHash.
    function test_07_revertsOnWrongDigest() public {
        _expectRevealRevert(
            0,
            taskid,
            OTHER_DIGEST,
            abi.encodeWithSelector(
                IPocoErrors.RevealMismatch.selector, taskid, workers[0], OTHER_DIGEST
            )
        );
    }

    /// 8. The seal must be the worker's own: a worker that copied another's seal cannot reveal.
    function test_08_revertsOnACopiedSeal() public {
        (, bytes32 task2) = _newTask(1);
        address copier = workers[5];
        bytes32 resultHash = _resultHash(task2, DIGEST);
        bytes32 copiedSeal = _resultSeal(workers[0], task2, DIGEST); // not the copier's
        bytes memory auth = _authorization(copier, task2, address(0));
        vm.prank(copier);
        hub.contribute(task2, resultHash, copiedSeal, address(0), "", auth);
        _assertStatus(task2, TaskStatusEnum.REVEALING, "consensus on the copied vote");

        _expectRevealRevert(
            5,
            task2,
            DIGEST,
            abi.encodeWithSelector(IPocoErrors.RevealMismatch.selector, task2, copier, DIGEST)
        );
    }

    /// 9. Regression (spec §7.4: every winner can reveal a digest whose hash is the consensus value).
    /// With the all-zero digest, the first reveal writes 0 into the slot poco shares between the
    /// consensus value and the digest, and `consensusValue` then reads 0 instead of
    /// keccak(taskid ‖ 0). The second winner (the one whose vote reached consensus, so whose
    /// hash is derived from that slot) then fails RevealMismatch, and viewTask reports a zero
    /// consensus value.
    function test_09_everyWinnerCanRevealTheZeroDigest() public {
        (, bytes32 task2) = _newTask(3);
        _contributeMany(4, 2, task2, bytes32(0));
        _assertStatus(task2, TaskStatusEnum.REVEALING, "consensus on the zero digest");
        _reveal(4, task2, bytes32(0));
        _reveal(5, task2, bytes32(0));
        assertEq(hub.viewTask(task2).revealCounter, 2, "both winners revealed");
        assertEq(
            hub.viewTask(task2).consensusValue, _resultHash(task2, bytes32(0)), "consensus value"
        );
    }

    function _expectRevealRevert(
        uint256 workerIndex,
        bytes32 id,
        bytes32 digest,
        bytes memory revertData
    ) private {
        vm.expectRevert(revertData);
        vm.prank(workers[workerIndex]);
        hub.reveal(id, digest);
    }
}
