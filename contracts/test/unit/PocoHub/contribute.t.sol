// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {PocoHubFixture} from "../../utils/PocoHubFixture.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {IWorkerpool} from "../../../src/interfaces/IRegistries.sol";
import {
    Task,
    Contribution,
    TaskStatusEnum,
    ContributionStatusEnum
} from "../../../src/libs/PocoTypes.sol";

/// @title contribute: commit a result, stake, and maybe reach consensus (spec §7.2, §7.3, §11.2).
contract PocoHubContributeTest is PocoHubFixture {
    /*//////////////////////////////////////////////////////////////
                                SUCCESS
    //////////////////////////////////////////////////////////////*/

    /// 1. The contribution is recorded, the stake locked, TaskContribute emitted; at trust 3 one
    /// fresh worker is not enough for consensus.
    function test_01_recordsTheContribution() public {
        (, bytes32 taskid) = _newTask(3);
        address worker = workers[0];
        bytes32 resultHash = _resultHash(taskid, DIGEST);
        bytes32 resultSeal = _resultSeal(worker, taskid, DIGEST);
        bytes memory auth = _authorization(worker, taskid, address(0));

        vm.expectEmit(address(hub));
        emit IPocoEvents.Transfer(worker, address(hub), STAKE);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Lock(worker, STAKE);
        vm.expectEmit(address(hub));
        emit IPocoEvents.TaskContribute(taskid, worker, resultHash);
        vm.prank(worker);
        hub.contribute(taskid, resultHash, resultSeal, address(0), "", auth);

        Contribution memory c = hub.viewContribution(taskid, worker);
        assertEq(uint256(c.status), uint256(ContributionStatusEnum.CONTRIBUTED), "CONTRIBUTED");
        assertEq(c.resultHash, resultHash, "resultHash");
        assertEq(c.resultSeal, resultSeal, "resultSeal");
        assertEq(c.enclaveChallenge, address(0), "no enclave");
        assertEq(c.weight, 1, "fresh worker: floor(log2(2)) = 1");

        Task memory task = hub.viewTask(taskid);
        assertEq(uint256(task.status), uint256(TaskStatusEnum.ACTIVE), "still ACTIVE");
        assertEq(task.contributors.length, 1, "one contributor");
        assertEq(task.contributors[0], worker, "contributor");
        assertEq(_frozen(worker), STAKE, "worker stake locked");
        assertEq(_free(worker), INITIAL_DEPOSIT - STAKE, "worker free");
        _assertConservation();
    }

    /// 2. The worker stake is the deal's (pool price x policy at match time).
    function test_02_locksTheDealWorkerStake() public {
        vm.prank(scheduler);
        IWorkerpool(workerpool).changePolicy(55, 1);
        (, bytes32 taskid) = _newTask(3);
        _contribute(0, taskid, DIGEST);
        assertEq(_frozen(workers[0]), POOL_PRICE * 55 / 100, "stake from the deal's policy");
    }

    /// 3. Contributors are listed in contribution order.
    function test_03_listsContributorsInOrder() public {
        (, bytes32 taskid) = _newTask(100);
        _contribute(3, taskid, DIGEST);
        _contribute(1, taskid, OTHER_DIGEST);
        _contribute(4, taskid, DIGEST);
        address[] memory contributors = hub.viewTask(taskid).contributors;
        assertEq(contributors.length, 3, "three");
        assertEq(contributors[0], workers[3], "first");
        assertEq(contributors[1], workers[1], "second");
        assertEq(contributors[2], workers[4], "third");
    }

    /*//////////////////////////////////////////////////////////////
                               CONSENSUS
    //////////////////////////////////////////////////////////////*/

    /// 4. Fresh workers (weight 2) needed without dissent (spec §7.3 table).
    function test_04_consensusWithFreshWorkers() public {
        uint256[6] memory trusts = [uint256(0), 1, 2, 3, 5, 100];
        uint256[6] memory needed = [uint256(1), 1, 1, 2, 3, 7];
        for (uint256 i = 0; i < trusts.length; ++i) {
            (, bytes32 taskid) = _newTask(trusts[i]);
            _assertConsensusAfter(taskid, needed[i]);
        }
    }

    /// 5. Trust 10 000 needs 14 fresh workers (99.99%).
    function test_05_consensusAtTrustTenThousand() public {
        (, bytes32 taskid) = _newTask(10_000);
        _assertConsensusAfter(taskid, 14);
    }

    /// 6. At consensus: status, consensus value, reveal deadline (now + 2T), winners, event.
    function test_06_consensusFields() public {
        (, bytes32 taskid) = _newTask(3);
        _contribute(0, taskid, DIGEST);
        vm.warp(block.timestamp + 77);
        vm.expectEmit(address(hub));
        emit IPocoEvents.TaskConsensus(taskid, _resultHash(taskid, DIGEST));
        _contribute(1, taskid, DIGEST);
        Task memory task = hub.viewTask(taskid);
        assertEq(uint256(task.status), uint256(TaskStatusEnum.REVEALING), "REVEALING");
        assertEq(task.consensusValue, _resultHash(taskid, DIGEST), "consensus value");
        assertEq(task.revealDeadline, block.timestamp + 2 * TIMEREF, "reveal deadline");
        assertEq(task.revealCounter, 0, "revealCounter");
        assertEq(task.winnerCounter, 2, "winnerCounter");
    }

    /// 7. Worked example of spec §8.5: C votes Y, then A, B, D vote X; consensus on X at D
    /// (group 8, total 11: 24 > 22), three winners.
    function test_07_consensusWithDissent() public {
        (, bytes32 taskid) = _newTask(3);
        _contribute(2, taskid, OTHER_DIGEST); // C: group[Y] 2, total 3
        _contribute(0, taskid, DIGEST); // A: group[X] 2, total 5
        _contribute(1, taskid, DIGEST); // B: group[X] 4, total 7 -> 12 > 14 no
        _assertStatus(taskid, TaskStatusEnum.ACTIVE, "no consensus with dissent");
        _contribute(3, taskid, DIGEST); // D: group[X] 8, total 11 -> 24 > 22 yes
        _assertStatus(taskid, TaskStatusEnum.REVEALING, "consensus");
        assertEq(hub.viewTask(taskid).winnerCounter, 3, "A, B, D win");
    }

    /// 8. Scores weigh: one worker with score 303 (weight 100) reaches trust 100 alone
    /// (100·100 > 101·99); with score 300 (weight 99) it does not (99·100 = 100·99).
    function test_08_consensusWithAScoredWorker() public {
        _setScore(workers[0], 303);
        (, bytes32 taskid) = _newTask(100);
        _contribute(0, taskid, DIGEST);
        _assertStatus(taskid, TaskStatusEnum.REVEALING, "score 303 alone");

        _setScore(workers[1], 300);
        (, taskid) = _newTask(100);
        _contribute(1, taskid, DIGEST);
        _assertStatus(taskid, TaskStatusEnum.ACTIVE, "score 300 is not enough (strict inequality)");
    }

    /// 9. Two workers of score 15 (weight 4) reach trust 5 together (16·5 > 17·4), where fresh
    /// workers need three; one alone does not (4·5 = 5·4).
    function test_09_weightsMultiplyInAGroup() public {
        _setScore(workers[0], 15);
        _setScore(workers[1], 15);
        (, bytes32 taskid) = _newTask(5);
        _contribute(0, taskid, DIGEST);
        _assertStatus(taskid, TaskStatusEnum.ACTIVE, "one weight-4 worker");
        _contribute(1, taskid, DIGEST);
        _assertStatus(taskid, TaskStatusEnum.REVEALING, "two weight-4 workers");
    }

    /// 10. A scored dissenter outweighs fresh agreeing workers: score 30 (weight 9) votes Y,
    /// then fresh workers vote X: X needs group·3 > total·2 with total = 1 + 9 + group.
    function test_10_scoredDissenterDelaysConsensus() public {
        _setScore(workers[0], 30);
        (, bytes32 taskid) = _newTask(3);
        _contribute(0, taskid, OTHER_DIGEST); // Y: 9·3 = 27 > 10·2 = 20 -> consensus on Y at once
        _assertStatus(taskid, TaskStatusEnum.REVEALING, "the weight-9 worker alone passes trust 3");
        assertEq(
            hub.viewTask(taskid).consensusValue, _resultHash(taskid, OTHER_DIGEST), "on its value"
        );

        _setScore(workers[1], 30);
        (, taskid) = _newTask(5);
        _contribute(1, taskid, OTHER_DIGEST); // Y: group 9, total 10: 45 > 40 -> consensus
        _assertStatus(taskid, TaskStatusEnum.REVEALING, "trust 5");

        (, taskid) = _newTask(10);
        _contribute(1, taskid, OTHER_DIGEST); // Y: 9, total 10: 90 > 90 no
        _contribute(2, taskid, DIGEST); // X: 2, total 12
        _contribute(3, taskid, DIGEST); // X: 4, total 14
        _contribute(4, taskid, DIGEST); // X: 8, total 18
        _contribute(5, taskid, DIGEST); // X: 16, total 26: 160 > 234 no
        _contribute(6, taskid, DIGEST); // X: 32, total 42: 320 > 378 no
        _contribute(7, taskid, DIGEST); // X: 64, total 74: 640 > 666 no
        _assertStatus(taskid, TaskStatusEnum.ACTIVE, "still no consensus");
        _contribute(8, taskid, DIGEST); // X: 128, total 138: 1280 > 1242 yes
        _assertStatus(taskid, TaskStatusEnum.REVEALING, "consensus on X");
        assertEq(hub.viewTask(taskid).winnerCounter, 7, "seven winners");
    }

    /// 11. The recorded weight is floor(log2(max(score / 3, 3) - 1)) (6.x; 5.3 used ceil).
    function test_11_recordsFloorLog2OfTheWeight() public {
        uint256[8] memory scores = [uint256(0), 11, 12, 15, 24, 27, 48, 3000];
        // weights:                2  2   3   4   7   8   15  999
        uint256[8] memory logs = [uint256(1), 1, 1, 2, 2, 3, 3, 9];
        (, bytes32 taskid) = _newTask(type(uint32).max);
        for (uint256 i = 0; i < scores.length; ++i) {
            _setScore(workers[i], scores[i]);
            _contribute(i, taskid, keccak256(abi.encode(i))); // all different: no consensus
            assertEq(hub.viewContribution(taskid, workers[i]).weight, logs[i], "weight");
        }
    }

    /// 24. Consensus math against the model of spec §7.3: the worked example of §8.5.
    function test_24_consensusMatchesTheModel() public {
        uint256[] memory scores = new uint256[](4);
        bool[] memory good = new bool[](4);
        (good[0], good[1], good[2], good[3]) = (false, true, true, true);
        (, bytes32 taskid) = _newTask(3);
        VoteOutcome memory outcome = _voteUntilConsensus(taskid, 3, scores, good);
        assertTrue(outcome.reached, "reached");
        assertEq(outcome.contributions, 4, "at the fourth contribution");
    }

    /// 24. Fuzz: random trust, scores and votes of up to eight workers.
    function test_24_consensusMatchesTheModel(
        uint256 trust,
        uint256[8] memory rawScores,
        uint8 votes,
        uint256 n
    ) public {
        trust = bound(trust, 0, 60);
        n = bound(n, 1, 8);
        uint256[] memory scores = new uint256[](n);
        bool[] memory good = new bool[](n);
        for (uint256 i = 0; i < n; ++i) {
            scores[i] = bound(rawScores[i], 0, 90);
            good[i] = (votes >> i) & 1 == 1;
        }
        (, bytes32 taskid) = _newTask(trust);
        VoteOutcome memory outcome =
            _voteUntilConsensus(taskid, trust == 0 ? 1 : trust, scores, good);
        if (outcome.reached && outcome.contributions < n) {
            // no contribution after consensus
            _expectContributeRevert(
                outcome.contributions,
                taskid,
                abi.encodeWithSelector(
                    IPocoErrors.TaskStatusInvalid.selector, taskid, TaskStatusEnum.REVEALING
                )
            );
        }
        _assertConservation();
    }

    /*//////////////////////////////////////////////////////////////
                                REVERTS
    //////////////////////////////////////////////////////////////*/

    /// 12. The task must be ACTIVE: not UNSET, REVEALING, COMPLETED or FAILED.
    function test_12_revertsUnlessActive() public {
        bytes32 dealid = _matchDeal(APP_PRICE, POOL_PRICE, 2, 1);
        bytes32 unset = _taskId(dealid, 1);
        _expectContributeRevert(
            0,
            unset,
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, unset, TaskStatusEnum.UNSET
            )
        );

        bytes32 taskid = hub.initialize(dealid, 0);
        _contribute(0, taskid, DIGEST);
        _expectContributeRevert(
            1,
            taskid,
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, taskid, TaskStatusEnum.REVEALING
            )
        );
        _reveal(0, taskid, DIGEST);
        _finalize(taskid, "");
        _expectContributeRevert(
            1,
            taskid,
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, taskid, TaskStatusEnum.COMPLETED
            )
        );

        (, bytes32 failed) = _newTask(1);
        vm.warp(hub.viewTask(failed).finalDeadline);
        hub.claim(failed);
        _expectContributeRevert(
            1,
            failed,
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, failed, TaskStatusEnum.FAILED
            )
        );
    }

    /// 13. Contributions close at the contribution deadline (start + 7T), exclusive.
    function test_13_revertsAtTheContributionDeadline() public {
        (, bytes32 taskid) = _newTask(3);
        uint256 deadline = hub.viewTask(taskid).contributionDeadline;
        vm.warp(deadline - 1);
        _contribute(0, taskid, DIGEST);
        vm.warp(deadline);
        _expectContributeRevert(
            1,
            taskid,
            abi.encodeWithSelector(
                IPocoErrors.ContributionDeadlineReached.selector, taskid, deadline
            )
        );
    }

    /// 14. A worker contributes once per task.
    function test_14_revertsOnSecondContribution() public {
        (, bytes32 taskid) = _newTask(3);
        _contribute(0, taskid, DIGEST);
        _expectContributeRevert(
            0,
            taskid,
            abi.encodeWithSelector(
                IPocoErrors.ContributionStatusInvalid.selector,
                taskid,
                workers[0],
                ContributionStatusEnum.CONTRIBUTED
            )
        );
    }

    /// 15. The authorization must be the scheduler's, for this worker, task and enclave.
    function test_15_revertsOnInvalidAuthorization() public {
        (, bytes32 taskid) = _newTask(3);
        (, bytes32 otherTask) = _newTask(3);
        address worker = workers[0];
        bytes memory invalid = abi.encodeWithSelector(
            IPocoErrors.InvalidAuthorization.selector, taskid, worker, scheduler
        );

        // signed by someone else
        _contributeWith(
            0, taskid, DIGEST, _authorizationBy(strangerKey, worker, taskid, address(0)), invalid
        );
        // for another worker
        _contributeWith(0, taskid, DIGEST, _authorization(workers[1], taskid, address(0)), invalid);
        // for another task
        _contributeWith(0, taskid, DIGEST, _authorization(worker, otherTask, address(0)), invalid);
        // for an enclave the worker does not use
        _contributeWith(0, taskid, DIGEST, _authorization(worker, taskid, enclave), invalid);
        // malformed
        _contributeWith(
            0,
            taskid,
            DIGEST,
            new bytes(12),
            abi.encodeWithSelector(IPocoErrors.InvalidSignatureFormat.selector, 12)
        );
        // the right one
        _contribute(0, taskid, DIGEST);
    }

    /// 16. The signer is the workerpool owner snapshotted at match time, even after the NFT moved.
    function test_16_authorizationSignerIsTheSchedulerAtMatchTime() public {
        (, bytes32 taskid) = _newTask(3);
        vm.prank(scheduler);
        workerpoolRegistry.transferFrom(scheduler, stranger, uint256(uint160(workerpool)));
        _contributeWith(
            0,
            taskid,
            DIGEST,
            _authorizationBy(strangerKey, workers[0], taskid, address(0)),
            abi.encodeWithSelector(
                IPocoErrors.InvalidAuthorization.selector, taskid, workers[0], scheduler
            )
        );
        _contribute(0, taskid, DIGEST);
    }

    /// 17. The worker must have the deal's worker stake free.
    function test_17_revertsWhenWorkerCannotStake() public {
        (, bytes32 taskid) = _newTask(3);
        vm.prank(workers[0]);
        hub.withdraw(INITIAL_DEPOSIT - (STAKE - 1));
        _expectContributeRevert(
            0,
            taskid,
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientBalance.selector, workers[0], STAKE - 1, STAKE
            )
        );
    }

    /// 25. poco refuses a vote for the zero hash (no digest hashes to it, so it could never be
    /// revealed; poco uses a zero stored hash to mean "the consensus value").
    function test_25_revertsOnZeroResultHash() public {
        (, bytes32 taskid) = _newTask(1);
        address worker = workers[0];
        bytes memory auth = _authorization(worker, taskid, address(0));
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.ZeroResultHash.selector, taskid));
        vm.prank(worker);
        hub.contribute(
            taskid, bytes32(0), _resultSeal(worker, taskid, DIGEST), address(0), "", auth
        );
    }

    /*//////////////////////////////////////////////////////////////
                                  TEE
    //////////////////////////////////////////////////////////////*/

    /// 18. A TEE deal requires an enclave challenge.
    function test_18_teeDealRequiresAnEnclave() public {
        (, bytes32 taskid) = _newTeeTask(1);
        _expectContributeRevert(
            0, taskid, abi.encodeWithSelector(IPocoErrors.EnclaveChallengeRequired.selector, taskid)
        );
    }

    /// 19. A TEE contribution: the scheduler authorizes (worker, task, enclave), the enclave signs
    /// keccak(resultHash ‖ resultSeal); the enclave is recorded.
    function test_19_teeContribution() public {
        (, bytes32 taskid) = _newTeeTask(1);
        _contributeTee(0, taskid, DIGEST, schedulerKey);
        Contribution memory c = hub.viewContribution(taskid, workers[0]);
        assertEq(c.enclaveChallenge, enclave, "enclave recorded");
        _assertStatus(taskid, TaskStatusEnum.REVEALING, "trust 1: consensus");
    }

    /// 20. The enclave signature must be the enclave's, over this result.
    function test_20_revertsOnInvalidEnclaveSignature() public {
        (, bytes32 taskid) = _newTeeTask(1);
        address worker = workers[0];
        bytes32 resultHash = _resultHash(taskid, DIGEST);
        bytes32 resultSeal = _resultSeal(worker, taskid, DIGEST);
        bytes memory auth = _authorization(worker, taskid, enclave);
        bytes memory invalid =
            abi.encodeWithSelector(IPocoErrors.InvalidEnclaveSignature.selector, taskid, enclave);

        bytes memory byStranger = _enclaveSign(strangerKey, resultHash, resultSeal);
        vm.expectRevert(invalid);
        vm.prank(worker);
        hub.contribute(taskid, resultHash, resultSeal, enclave, byStranger, auth);

        bytes memory otherResult =
            _enclaveSign(enclaveKey, _resultHash(taskid, OTHER_DIGEST), resultSeal);
        vm.expectRevert(invalid);
        vm.prank(worker);
        hub.contribute(taskid, resultHash, resultSeal, enclave, otherResult, auth);

        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.InvalidSignatureFormat.selector, 0));
        vm.prank(worker);
        hub.contribute(taskid, resultHash, resultSeal, enclave, "", auth);
    }

    /// 21. With a TEE broker set, it (not the scheduler) signs TEE authorizations.
    function test_21_teeBrokerSignsTeeAuthorizations() public {
        vm.prank(protocolOwner);
        hub.setTeeBroker(teeBroker);
        (, bytes32 taskid) = _newTeeTask(3);

        address worker = workers[0];
        bytes32 resultHash = _resultHash(taskid, DIGEST);
        bytes32 resultSeal = _resultSeal(worker, taskid, DIGEST);
        bytes memory enclaveSign = _enclaveSign(enclaveKey, resultHash, resultSeal);
        bytes memory bySchedulerAuth = _authorization(worker, taskid, enclave);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.InvalidAuthorization.selector, taskid, worker, teeBroker
            )
        );
        vm.prank(worker);
        hub.contribute(taskid, resultHash, resultSeal, enclave, enclaveSign, bySchedulerAuth);

        _contributeTee(0, taskid, DIGEST, teeBrokerKey);
        _assertContribution(taskid, worker, ContributionStatusEnum.CONTRIBUTED, "broker-authorized");
    }

    /// 22. The TEE broker does not sign contributions without enclave: the scheduler still does.
    function test_22_teeBrokerIgnoredWithoutEnclave() public {
        vm.prank(protocolOwner);
        hub.setTeeBroker(teeBroker);
        (, bytes32 taskid) = _newTask(3);
        _contributeWith(
            0,
            taskid,
            DIGEST,
            _authorizationBy(teeBrokerKey, workers[0], taskid, address(0)),
            abi.encodeWithSelector(
                IPocoErrors.InvalidAuthorization.selector, taskid, workers[0], scheduler
            )
        );
        _contribute(0, taskid, DIGEST);
    }

    /// 23. A standard deal accepts an enclave contribution; the enclave signature is then checked.
    function test_23_enclaveOnAStandardDeal() public {
        (, bytes32 taskid) = _newTask(3);
        _contributeTee(0, taskid, DIGEST, schedulerKey);
        assertEq(
            hub.viewContribution(taskid, workers[0]).enclaveChallenge, enclave, "enclave recorded"
        );
    }

    /*//////////////////////////////////////////////////////////////
                                HELPERS
    //////////////////////////////////////////////////////////////*/

    /// @dev Contributes `DIGEST` with workers 0..n-1: no consensus before the n-th, consensus at it.
    function _assertConsensusAfter(bytes32 taskid, uint256 n) private {
        for (uint256 i = 0; i < n - 1; ++i) {
            _contribute(i, taskid, DIGEST);
            _assertStatus(
                taskid, TaskStatusEnum.ACTIVE, "no consensus before the last needed worker"
            );
        }
        vm.expectEmit(address(hub));
        emit IPocoEvents.TaskConsensus(taskid, _resultHash(taskid, DIGEST));
        _contribute(n - 1, taskid, DIGEST);
        _assertStatus(taskid, TaskStatusEnum.REVEALING, "consensus at the last needed worker");
        assertEq(hub.viewTask(taskid).winnerCounter, n, "every contributor wins");
    }

    function _contributeWith(
        uint256 workerIndex,
        bytes32 taskid,
        bytes32 digest,
        bytes memory auth,
        bytes memory revertData
    ) private {
        address worker = workers[workerIndex];
        vm.expectRevert(revertData);
        vm.prank(worker);
        hub.contribute(
            taskid,
            _resultHash(taskid, digest),
            _resultSeal(worker, taskid, digest),
            address(0),
            "",
            auth
        );
    }

    function _expectContributeRevert(uint256 workerIndex, bytes32 taskid, bytes memory revertData)
        private
    {
        _contributeWith(
            workerIndex,
            taskid,
            DIGEST,
            _authorization(workers[workerIndex], taskid, address(0)),
            revertData
        );
    }
}
