// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoHubFixture} from "../../utils/PocoHubFixture.sol";
import {Vm} from "../../utils/Vm.sol";
import {OracleConsumerMock} from "../../mocks/OracleConsumerMock.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {IWorkerpool} from "../../../src/interfaces/IRegistries.sol";
import {
    Task,
    Contribution,
    TaskStatusEnum,
    ContributionStatusEnum
} from "../../../src/libs/PocoTypes.sol";

/// @title contributeAndFinalize: the single-worker fast path of trust-1 deals (spec §7.7).
contract PocoHubContributeAndFinalizeTest is PocoHubFixture {
    /// @dev Calls contributeAndFinalize as worker `workerIndex` without enclave, authorized by the
    /// scheduler.
    function _fast(
        uint256 workerIndex,
        bytes32 taskid,
        bytes32 digest,
        bytes memory results,
        bytes memory callbackData
    ) private {
        address worker = workers[workerIndex];
        bytes memory auth = _authorization(worker, taskid, address(0));
        vm.prank(worker);
        hub.contributeAndFinalize(taskid, digest, results, callbackData, address(0), "", auth);
    }

    function _expectFastRevert(
        uint256 workerIndex,
        bytes32 taskid,
        bytes memory callbackData,
        bytes memory revertData
    ) private {
        vm.expectRevert(revertData);
        _fast(workerIndex, taskid, DIGEST, "", callbackData);
    }

    /// @dev TEE fast path through the fixture's enclave, authorized by `authKey`.
    function _fastTee(
        uint256 workerIndex,
        bytes32 taskid,
        bytes32 digest,
        uint256 authKey,
        uint256 enclaveSignerKey
    ) private {
        address worker = workers[workerIndex];
        bytes memory auth = _authorizationBy(authKey, worker, taskid, enclave);
        bytes memory enclaveSign = _enclaveSign(
            enclaveSignerKey, _resultHash(taskid, digest), _resultSeal(worker, taskid, digest)
        );
        vm.prank(worker);
        hub.contributeAndFinalize(taskid, digest, "", "", enclave, enclaveSign, auth);
    }

    /*//////////////////////////////////////////////////////////////
                                SUCCESS
    //////////////////////////////////////////////////////////////*/

    /// 1. One transaction: contribution PROVED, task COMPLETED with every field, payments made.
    function test_01_completesTheTask() public {
        (, bytes32 taskid) = _newTask(1);
        address worker = workers[0];
        vm.warp(block.timestamp + 50);
        _fast(0, taskid, DIGEST, "ipfs://result", "");

        Task memory task = hub.viewTask(taskid);
        assertEq(uint256(task.status), uint256(TaskStatusEnum.COMPLETED), "COMPLETED");
        assertEq(task.consensusValue, _resultHash(taskid, DIGEST), "consensus value");
        assertEq(task.revealDeadline, block.timestamp + 2 * TIMEREF, "reveal deadline now + 2T");
        assertEq(task.revealCounter, 1, "revealCounter");
        assertEq(task.winnerCounter, 1, "winnerCounter");
        assertEq(task.contributors.length, 1, "one contributor");
        assertEq(task.contributors[0], worker, "the worker");
        assertEq(task.resultDigest, DIGEST, "digest");
        assertEq(task.results, bytes("ipfs://result"), "results");
        assertEq(task.resultsCallback.length, 0, "no callback data");

        Contribution memory c = hub.viewContribution(taskid, worker);
        assertEq(uint256(c.status), uint256(ContributionStatusEnum.PROVED), "PROVED");
        assertEq(c.resultHash, _resultHash(taskid, DIGEST), "resultHash");
        assertEq(c.resultSeal, _resultSeal(worker, taskid, DIGEST), "resultSeal");
        assertEq(c.enclaveChallenge, address(0), "no enclave");
        assertEq(c.weight, 0, "weight left 0");

        uint256 workerReward = POOL_PRICE * 99 / 100;
        assertEq(_free(worker), INITIAL_DEPOSIT + workerReward, "worker: 99% of the pool price");
        assertEq(_frozen(worker), 0, "no stake");
        assertEq(
            _free(scheduler),
            INITIAL_DEPOSIT + POOL_PRICE - workerReward,
            "scheduler: the rest and its stake"
        );
        assertEq(_frozen(scheduler), 0, "scheduler stake back");
        assertEq(_free(appOwner), INITIAL_DEPOSIT + APP_PRICE, "app owner");
        assertEq(_free(requester), INITIAL_DEPOSIT - TASK_PRICE, "requester paid");
        assertEq(_frozen(requester), 0, "requester lock spent");
        _assertConservation();
    }

    /// 2. Events as the reference emits them: the payments first, then TaskContribute,
    /// TaskConsensus, TaskReveal and TaskFinalize last; the worker locks nothing.
    function test_02_emitsEventsInOrder() public {
        (, bytes32 taskid) = _newTask(1);
        address worker = workers[0];
        bytes32 resultHash = _resultHash(taskid, DIGEST);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Seize(requester, TASK_PRICE, taskid);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Reward(worker, POOL_PRICE * 99 / 100, taskid);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Reward(scheduler, POOL_PRICE - POOL_PRICE * 99 / 100, taskid);
        vm.expectEmit(address(hub));
        emit IPocoEvents.TaskContribute(taskid, worker, resultHash);
        vm.expectEmit(address(hub));
        emit IPocoEvents.TaskConsensus(taskid, resultHash);
        vm.expectEmit(address(hub));
        emit IPocoEvents.TaskReveal(taskid, worker, DIGEST);
        vm.expectEmit(address(hub));
        emit IPocoEvents.TaskFinalize(taskid, "r");
        vm.recordLogs();
        _fast(0, taskid, DIGEST, "r", "");

        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 seize = _logIndex(logs, IPocoEvents.Seize.selector);
        uint256 contribute = _logIndex(logs, IPocoEvents.TaskContribute.selector);
        uint256 consensus = _logIndex(logs, IPocoEvents.TaskConsensus.selector);
        uint256 reveal = _logIndex(logs, IPocoEvents.TaskReveal.selector);
        uint256 finalize = _logIndex(logs, IPocoEvents.TaskFinalize.selector);
        assertLt(seize, contribute, "payments before TaskContribute");
        assertEq(consensus, contribute + 1, "TaskConsensus right after TaskContribute");
        assertEq(reveal, consensus + 1, "TaskReveal right after TaskConsensus");
        assertEq(finalize, reveal + 1, "TaskFinalize right after TaskReveal");
        assertEq(finalize, logs.length - 1, "TaskFinalize last");
        assertEq(_logCount(logs, IPocoEvents.AccurateContribution.selector), 0, "no score event");
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == IPocoEvents.Lock.selector) {
                (address owner_,) = abi.decode(logs[i].data, (address, uint256));
                assertTrue(owner_ != worker, "the worker locks nothing");
            }
        }
    }

    /// 3. The worker needs no free balance (no stake) and its score does not change.
    function test_03_noStakeNoScore() public {
        _setScore(workers[0], 42);
        vm.prank(workers[0]);
        hub.withdraw(INITIAL_DEPOSIT);
        (, bytes32 taskid) = _newTask(0); // requested trust 0 -> deal trust 1
        _fast(0, taskid, DIGEST, "", "");
        assertEq(hub.viewScore(workers[0]), 42, "score unchanged");
        assertEq(_free(workers[0]), POOL_PRICE * 99 / 100, "paid from zero");
    }

    /// 4. The kitty pays the scheduler its share as in finalize.
    function test_04_paysTheKittyShare() public {
        uint256 kitty = _fillKitty(POOL_PRICE);
        (, bytes32 taskid) = _newTask(1);
        uint256 schedulerBefore = _free(scheduler);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Seize(KITTY, kitty / 10, taskid);
        _fast(0, taskid, DIGEST, "", "");
        assertEq(_frozen(KITTY), kitty - kitty / 10, "kitty debited");
        assertEq(
            _free(scheduler), schedulerBefore + STAKE + POOL_PRICE / 100 + kitty / 10, "scheduler"
        );
        _assertConservation();
    }

    /// 5. The deal's scheduler reward ratio splits the pool price.
    function test_05_usesTheDealRewardRatio() public {
        vm.prank(scheduler);
        IWorkerpool(workerpool).changePolicy(30, 25);
        (, bytes32 taskid) = _newTask(1);
        _fast(0, taskid, DIGEST, "", "");
        assertEq(_free(workers[0]), INITIAL_DEPOSIT + POOL_PRICE * 75 / 100, "worker 75%");
        assertEq(_free(scheduler), INITIAL_DEPOSIT + POOL_PRICE * 25 / 100, "scheduler 25%");
    }

    /// 6. TEE: the scheduler authorizes (worker, task, enclave); the enclave signs
    /// keccak(resultHash ‖ resultSeal); the enclave is recorded.
    function test_06_teeTask() public {
        (, bytes32 taskid) = _newTeeTask(1);
        _fastTee(0, taskid, DIGEST, schedulerKey, enclaveKey);
        _assertStatus(taskid, TaskStatusEnum.COMPLETED, "COMPLETED");
        assertEq(
            hub.viewContribution(taskid, workers[0]).enclaveChallenge, enclave, "enclave recorded"
        );
    }

    /// 7. TEE with a broker: the broker, not the scheduler, authorizes.
    function test_07_teeTaskWithBroker() public {
        vm.prank(protocolOwner);
        hub.setTeeBroker(teeBroker);
        (, bytes32 taskid) = _newTeeTask(1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.InvalidAuthorization.selector, taskid, workers[0], teeBroker
            )
        );
        _fastTee(0, taskid, DIGEST, schedulerKey, enclaveKey);
        _fastTee(0, taskid, DIGEST, teeBrokerKey, enclaveKey);
        _assertStatus(taskid, TaskStatusEnum.COMPLETED, "COMPLETED");
    }

    /// 8. The callback is called with the callback data, which must hash to the digest.
    function test_08_callsTheCallback() public {
        OracleConsumerMock consumer = new OracleConsumerMock();
        vm.prank(protocolOwner);
        hub.setCallbackGas(1_000_000);
        (, bytes32 taskid) = _newCallbackTask(1, address(consumer));
        bytes memory data = abi.encode("price", uint256(1234));
        vm.expectCall(
            address(consumer), abi.encodeCall(OracleConsumerMock.receiveResult, (taskid, data)), 1
        );
        _fast(0, taskid, keccak256(data), "", data);
        assertEq(consumer.lastData(), data, "data");
        assertTrue(consumer.resultForAnswered(), "COMPLETED during the callback");
        assertEq(hub.resultFor(taskid), data, "resultFor");
    }

    /// 9. A reverting consumer does not block; a starved one reverts CallbackGasStarved.
    function test_09_callbackGasRules() public {
        OracleConsumerMock consumer = new OracleConsumerMock();
        consumer.setMode(OracleConsumerMock.Mode.Revert);
        bytes memory data = abi.encode(uint256(7));
        (, bytes32 taskid) = _newCallbackTask(1, address(consumer));
        _fast(0, taskid, keccak256(data), "", data);
        _assertStatus(taskid, TaskStatusEnum.COMPLETED, "reverting consumer");

        consumer.setMode(OracleConsumerMock.Mode.Guzzle);
        vm.prank(protocolOwner);
        hub.setCallbackGas(5_000_000);
        (, taskid) = _newCallbackTask(1, address(consumer));
        bytes memory auth = _authorization(workers[1], taskid, address(0));
        vm.prank(workers[1]);
        (bool ok, bytes memory returned) = address(hub).call{gas: 1_000_000}(
            abi.encodeCall(
                hub.contributeAndFinalize, (taskid, keccak256(data), "", data, address(0), "", auth)
            )
        );
        assertFalse(ok, "starved");
        assertEq(bytes4(returned), IPocoErrors.CallbackGasStarved.selector, "CallbackGasStarved");
    }

    /*//////////////////////////////////////////////////////////////
                                REVERTS
    //////////////////////////////////////////////////////////////*/

    /// 10. The task must be ACTIVE.
    function test_10_revertsUnlessActive() public {
        bytes32 dealid = _matchDeal(APP_PRICE, POOL_PRICE, 2, 1);
        bytes32 unset = _taskId(dealid, 1);
        _expectFastRevert(
            0,
            unset,
            "",
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, unset, TaskStatusEnum.UNSET
            )
        );
        bytes32 taskid = hub.initialize(dealid, 0);
        _contribute(0, taskid, DIGEST);
        _expectFastRevert(
            1,
            taskid,
            "",
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, taskid, TaskStatusEnum.REVEALING
            )
        );
        (, bytes32 done) = _newTask(1);
        _fast(0, done, DIGEST, "", "");
        _expectFastRevert(
            1,
            done,
            "",
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, done, TaskStatusEnum.COMPLETED
            )
        );
    }

    /// 11. Not at or after the contribution deadline.
    function test_11_revertsAtTheContributionDeadline() public {
        (, bytes32 taskid) = _newTask(1);
        uint256 deadline = hub.viewTask(taskid).contributionDeadline;
        vm.warp(deadline);
        _expectFastRevert(
            0,
            taskid,
            "",
            abi.encodeWithSelector(
                IPocoErrors.ContributionDeadlineReached.selector, taskid, deadline
            )
        );
        vm.warp(deadline - 1);
        _fast(0, taskid, DIGEST, "", "");
    }

    /// 12. Only on a task without contributions: an ACTIVE trust-3 task with one contribution, or
    /// a trust-1 task reopened after an unrevealed consensus.
    function test_12_revertsWhenTheTaskHasContributions() public {
        (, bytes32 taskid) = _newTask(3);
        _contribute(0, taskid, DIGEST);
        _expectFastRevert(
            1,
            taskid,
            "",
            abi.encodeWithSelector(IPocoErrors.TaskHasContributions.selector, taskid, 1)
        );

        (, bytes32 reopened) = _newTask(1);
        _contribute(0, reopened, DIGEST);
        vm.warp(hub.viewTask(reopened).revealDeadline);
        vm.prank(scheduler);
        hub.reopen(reopened);
        _expectFastRevert(
            1,
            reopened,
            "",
            abi.encodeWithSelector(IPocoErrors.TaskHasContributions.selector, reopened, 1)
        );
    }

    /// 13. Only on trust-1 deals.
    function test_13_revertsWhenTrustIsNotOne() public {
        (, bytes32 taskid) = _newTask(2);
        _expectFastRevert(
            0, taskid, "", abi.encodeWithSelector(IPocoErrors.TrustNotOne.selector, taskid, 2)
        );
    }

    /// 14. Callback data: empty without callback (or the digest's preimage), the digest's preimage
    /// with one.
    function test_14_revertsOnCallbackDataMismatch() public {
        (, bytes32 taskid) = _newTask(1);
        _expectFastRevert(
            0,
            taskid,
            hex"01",
            abi.encodeWithSelector(IPocoErrors.CallbackDataMismatch.selector, taskid)
        );

        OracleConsumerMock consumer = new OracleConsumerMock();
        (, bytes32 withCallback) = _newCallbackTask(1, address(consumer));
        _expectFastRevert(
            0,
            withCallback,
            "",
            abi.encodeWithSelector(IPocoErrors.CallbackDataMismatch.selector, withCallback)
        );

        // no callback but the digest's preimage: accepted and stored
        bytes memory preimage = abi.encode(uint256(5));
        _fast(0, taskid, keccak256(preimage), "", preimage);
        assertEq(hub.resultFor(taskid), preimage, "stored");
    }

    /// 15. A TEE deal requires an enclave.
    function test_15_revertsWithoutEnclaveOnTeeDeal() public {
        (, bytes32 taskid) = _newTeeTask(1);
        _expectFastRevert(
            0,
            taskid,
            "",
            abi.encodeWithSelector(IPocoErrors.EnclaveChallengeRequired.selector, taskid)
        );
    }

    /// 16. The authorization must be the scheduler's for this worker and task.
    function test_16_revertsOnInvalidAuthorization() public {
        (, bytes32 taskid) = _newTask(1);
        address worker = workers[0];
        bytes memory auth = _authorization(workers[1], taskid, address(0));
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.InvalidAuthorization.selector, taskid, worker, scheduler
            )
        );
        vm.prank(worker);
        hub.contributeAndFinalize(taskid, DIGEST, "", "", address(0), "", auth);
    }

    /// 17. The enclave must sign keccak(resultHash ‖ resultSeal) of this worker and digest.
    function test_17_revertsOnInvalidEnclaveSignature() public {
        (, bytes32 taskid) = _newTeeTask(1);
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.InvalidEnclaveSignature.selector, taskid, enclave)
        );
        _fastTee(0, taskid, DIGEST, schedulerKey, strangerKey);

        address worker = workers[0];
        bytes memory auth = _authorization(worker, taskid, enclave);
        // signed for another worker's seal
        bytes memory enclaveSign = _enclaveSign(
            enclaveKey, _resultHash(taskid, DIGEST), _resultSeal(workers[1], taskid, DIGEST)
        );
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.InvalidEnclaveSignature.selector, taskid, enclave)
        );
        vm.prank(worker);
        hub.contributeAndFinalize(taskid, DIGEST, "", "", enclave, enclaveSign, auth);
    }

    /// 18. Spec §7.7 checks, in order: status, contribution deadline, no contributor, trust == 1,
    /// callback data, TEE enclave, authorization, enclave signature. A trust-3 deal called with
    /// an invalid authorization must therefore fail on the trust check first.
    function test_18_checksTrustBeforeAuthorization() public {
        (, bytes32 taskid) = _newTask(3);
        bytes memory auth = _authorizationBy(strangerKey, workers[0], taskid, address(0));
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.TrustNotOne.selector, taskid, 3));
        vm.prank(workers[0]);
        hub.contributeAndFinalize(taskid, DIGEST, "", "", address(0), "", auth);
    }

    /// 19. Regression (spec §7.7: consensusValue = resultHash = keccak(taskid ‖ digest)). With the
    /// all-zero digest, viewTask reports a zero consensus value.
    function test_19_zeroDigestKeepsItsConsensusValue() public {
        (, bytes32 taskid) = _newTask(1);
        _fast(0, taskid, bytes32(0), "", "");
        Task memory task = hub.viewTask(taskid);
        assertEq(uint256(task.status), uint256(TaskStatusEnum.COMPLETED), "COMPLETED");
        assertEq(task.consensusValue, _resultHash(taskid, bytes32(0)), "consensus value");
        assertEq(
            hub.viewContribution(taskid, workers[0]).resultHash,
            _resultHash(taskid, bytes32(0)),
            "contribution hash"
        );
    }
}
