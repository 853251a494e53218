// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoHubFixture} from "../../utils/PocoHubFixture.sol";
import {Vm} from "../../utils/Vm.sol";
import {OracleConsumerMock} from "../../mocks/OracleConsumerMock.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";
import {IPocoEvents, IPocoTasks} from "../../../src/interfaces/IPoco.sol";
import {IWorkerpool} from "../../../src/interfaces/IRegistries.sol";
import {Blobs} from "../../../src/libs/Blobs.sol";
import {PocoStorage} from "../../../src/libs/PocoStorage.sol";
import {Task, TaskStatusEnum, ContributionStatusEnum} from "../../../src/libs/PocoTypes.sol";

/// @title finalize: the scheduler completes a task, everyone is paid, scores move, the callback
/// runs (spec §7.6, §8.2, §8.3, §9, §10.1, §2.4).
contract PocoHubFinalizeTest is PocoHubFixture {
    function _expectFinalizeRevert(
        bytes32 taskid,
        bytes memory results,
        bytes memory callbackData,
        bytes memory revertData
    ) private {
        vm.expectRevert(revertData);
        vm.prank(scheduler);
        hub.finalize(taskid, results, callbackData);
    }

    /*//////////////////////////////////////////////////////////////
                            SUCCESS AND PAYMENTS
    //////////////////////////////////////////////////////////////*/

    /// 1. One worker: COMPLETED, results stored, payer seized, owners, worker and scheduler paid,
    /// scheduler stake back; no score change with one contributor.
    function test_01_finalizesASingleContribution() public {
        _setScore(workers[0], 5);
        (, bytes32 taskid) = _revealedTask();

        vm.expectEmit(address(hub));
        emit IPocoEvents.Seize(requester, TASK_PRICE, taskid);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Reward(appOwner, APP_PRICE, taskid);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Unlock(scheduler, STAKE);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Unlock(workers[0], STAKE);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Reward(workers[0], POOL_PRICE * 99 / 100, taskid);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Reward(scheduler, POOL_PRICE / 100, taskid);
        vm.expectEmit(address(hub));
        emit IPocoEvents.TaskFinalize(taskid, "ipfs://result");
        vm.recordLogs();
        _finalize(taskid, "ipfs://result");
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(
            _logIndex(logs, IPocoEvents.TaskFinalize.selector), logs.length - 1, "TaskFinalize last"
        );
        assertEq(
            _logCount(logs, IPocoEvents.AccurateContribution.selector), 0, "no AccurateContribution"
        );

        Task memory task = hub.viewTask(taskid);
        assertEq(uint256(task.status), uint256(TaskStatusEnum.COMPLETED), "COMPLETED");
        assertEq(task.results, bytes("ipfs://result"), "results");
        assertEq(task.resultsCallback.length, 0, "no callback data");
        assertEq(task.resultDigest, DIGEST, "digest");
        assertEq(hub.resultFor(taskid).length, 0, "resultFor: the (empty) callback data");

        assertEq(_free(requester), INITIAL_DEPOSIT - TASK_PRICE, "requester paid");
        assertEq(_frozen(requester), 0, "requester nothing locked");
        assertEq(_free(appOwner), INITIAL_DEPOSIT + APP_PRICE, "app owner");
        assertEq(
            _free(workers[0]), INITIAL_DEPOSIT + POOL_PRICE * 99 / 100, "worker: 99% and its stake"
        );
        assertEq(_frozen(workers[0]), 0, "worker stake unlocked");
        assertEq(
            _free(scheduler), INITIAL_DEPOSIT + POOL_PRICE / 100, "scheduler: 1% and its stake"
        );
        assertEq(_frozen(scheduler), 0, "scheduler stake unlocked");
        assertEq(hub.viewScore(workers[0]), 5, "single contributor: score unchanged");
        _assertConservation();
    }

    /// 2. Worked example of spec §8.5 (prices 100 / 5 / 3 nRLC, trust 3, C votes Y, A B D vote X).
    function test_02_workedExample() public {
        Orders memory o = _ordersWithDataset(1, 3);
        o.app.appprice = 5;
        o.request.appmaxprice = 5;
        o.dataset.datasetprice = 3;
        o.request.datasetmaxprice = 3;
        o.workerpool.workerpoolprice = 100;
        o.request.workerpoolmaxprice = 100;
        bytes32 dealid = _signAndMatch(o);
        assertEq(_frozen(requester), 108, "payer locks 108");
        assertEq(_frozen(scheduler), 30, "scheduler locks 30");
        bytes32 taskid = hub.initialize(dealid, 0);
        _contribute(2, taskid, OTHER_DIGEST); // C
        _contribute(0, taskid, DIGEST); // A
        _contribute(1, taskid, DIGEST); // B
        _contribute(3, taskid, DIGEST); // D
        _reveal(0, taskid, DIGEST);
        _reveal(1, taskid, DIGEST);
        _reveal(3, taskid, DIGEST);

        vm.recordLogs();
        _finalize(taskid, "");
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(_logCount(logs, IPocoEvents.AccurateContribution.selector), 3, "three accurate");
        assertEq(_logCount(logs, IPocoEvents.FaultyContribution.selector), 1, "one faulty");

        assertEq(_free(requester), INITIAL_DEPOSIT - 108, "payer");
        assertEq(_free(appOwner), INITIAL_DEPOSIT + 5, "app owner");
        assertEq(_free(datasetOwner), INITIAL_DEPOSIT + 3, "dataset owner");
        uint256[3] memory winners = [uint256(0), 1, 3];
        for (uint256 i = 0; i < 3; ++i) {
            assertEq(
                _free(workers[winners[i]]),
                INITIAL_DEPOSIT + 42,
                "winner: floor(128 / 3) and its stake"
            );
            assertEq(hub.viewScore(workers[winners[i]]), 1, "winner score +1");
        }
        assertEq(_free(workers[2]), INITIAL_DEPOSIT - 30, "loser slashed");
        assertEq(hub.viewScore(workers[2]), 0, "loser score");
        assertEq(_free(scheduler), INITIAL_DEPOSIT + 4, "scheduler: 130 - 126 and its stake");
        for (uint256 i = 0; i < 4; ++i) {
            assertEq(_frozen(workers[i]), 0, "no stake left");
        }
        assertEq(_frozen(scheduler), 0, "scheduler stake back");
        _assertConservation();
    }

    /// 3. Replicated task: every winner gains a point; a loser keeps two thirds of its score.
    function test_03_scoresMoveWithReplication() public {
        _setScore(workers[0], 7);
        _setScore(workers[1], 0);
        _setScore(workers[2], 9);
        (, bytes32 taskid) = _newTask(3);
        _contribute(2, taskid, OTHER_DIGEST); // weight 2 (score 9)
        _contributeMany(0, 2, taskid, DIGEST);
        _contribute(3, taskid, DIGEST);
        _revealMany(0, 2, taskid, DIGEST);
        _reveal(3, taskid, DIGEST);

        vm.expectEmit(address(hub));
        emit IPocoEvents.FaultyContribution(workers[2], taskid);
        vm.expectEmit(address(hub));
        emit IPocoEvents.AccurateContribution(workers[0], taskid);
        _finalize(taskid, "");
        assertEq(hub.viewScore(workers[0]), 8, "7 + 1");
        assertEq(hub.viewScore(workers[1]), 1, "0 + 1");
        assertEq(hub.viewScore(workers[3]), 1, "0 + 1");
        assertEq(hub.viewScore(workers[2]), 6, "9 x 2 / 3");
    }

    /// 4. Winners share by log-weight: scores 15 (log 2), 0, 0 (log 1 each) at trust 10.
    function test_04_sharesByLogWeight() public {
        _setScore(workers[0], 15);
        (, bytes32 taskid) = _newTask(10);
        _contributeMany(0, 3, taskid, DIGEST); // groups 4, 8, 16; totals 5, 9, 17: 160 > 153 at the third
        _assertStatus(taskid, TaskStatusEnum.REVEALING, "consensus at the third");
        _revealMany(0, 3, taskid, DIGEST);
        _finalize(taskid, "");
        uint256 workersPool = POOL_PRICE * 99 / 100;
        assertEq(_free(workers[0]), INITIAL_DEPOSIT + workersPool * 2 / 4, "weight 2 of 4");
        assertEq(_free(workers[1]), INITIAL_DEPOSIT + workersPool / 4, "weight 1 of 4");
        assertEq(_free(workers[2]), INITIAL_DEPOSIT + workersPool / 4, "weight 1 of 4");
        assertEq(_free(scheduler), INITIAL_DEPOSIT + POOL_PRICE - workersPool, "scheduler keeps 1%");
        _assertConservation();
    }

    /// 5. The deal's snapshotted policies rule the payout (stake 50%, scheduler ratio 10%).
    function test_05_usesTheDealPolicies() public {
        vm.prank(scheduler);
        IWorkerpool(workerpool).changePolicy(50, 10);
        (, bytes32 taskid) = _newTask(3);
        vm.prank(scheduler);
        IWorkerpool(workerpool).changePolicy(30, 1);
        uint256 stake = POOL_PRICE / 2;
        _contribute(2, taskid, OTHER_DIGEST);
        _contributeMany(0, 2, taskid, DIGEST);
        _contribute(3, taskid, DIGEST);
        assertEq(_frozen(workers[0]), stake, "50% stake");
        _revealMany(0, 2, taskid, DIGEST);
        _reveal(3, taskid, DIGEST);
        _finalize(taskid, "");
        uint256 pool = POOL_PRICE + stake;
        uint256 share = (pool * 90 / 100) / 3;
        assertEq(_free(workers[0]), INITIAL_DEPOSIT + share, "winner share at 90%");
        assertEq(_free(workers[2]), INITIAL_DEPOSIT - stake, "loser loses 50%");
        assertEq(_free(scheduler), INITIAL_DEPOSIT + pool - 3 * share, "scheduler 10% and dust");
        _assertConservation();
    }

    /// 6. A winner who did not reveal before the reveal deadline is paid nothing and slashed;
    /// the revealer takes the whole workers' pool.
    function test_06_nonRevealerIsALoser() public {
        (, bytes32 taskid) = _newTask(3);
        _contributeMany(0, 2, taskid, DIGEST);
        _reveal(0, taskid, DIGEST);
        vm.warp(hub.viewTask(taskid).revealDeadline);
        vm.expectEmit(address(hub));
        emit IPocoEvents.FaultyContribution(workers[1], taskid);
        _finalize(taskid, "");
        uint256 pool = POOL_PRICE + STAKE;
        assertEq(_free(workers[0]), INITIAL_DEPOSIT + pool * 99 / 100, "revealer");
        assertEq(_free(workers[1]), INITIAL_DEPOSIT - STAKE, "non-revealer slashed");
        assertEq(hub.viewScore(workers[0]), 1, "revealer +1 (two contributors)");
        assertEq(_free(scheduler), INITIAL_DEPOSIT + pool - pool * 99 / 100, "scheduler");
        _assertConservation();
    }

    /// 7. Reveal rule: all winners revealed, or at least one and the reveal deadline passed.
    function test_07_revertsWhileRevealsArePending() public {
        (, bytes32 taskid) = _newTask(3);
        _contributeMany(0, 2, taskid, DIGEST);
        uint256 revealDeadline = hub.viewTask(taskid).revealDeadline;
        // nobody revealed, before and after the reveal deadline
        _expectFinalizeRevert(
            taskid,
            "",
            "",
            abi.encodeWithSelector(IPocoErrors.RevealsPending.selector, taskid, 0, 2)
        );
        vm.warp(revealDeadline);
        _expectFinalizeRevert(
            taskid,
            "",
            "",
            abi.encodeWithSelector(IPocoErrors.RevealsPending.selector, taskid, 0, 2)
        );

        (, bytes32 other) = _newTask(3);
        _contributeMany(0, 2, other, DIGEST);
        _reveal(0, other, DIGEST);
        revealDeadline = hub.viewTask(other).revealDeadline;
        vm.warp(revealDeadline - 1);
        _expectFinalizeRevert(
            other, "", "", abi.encodeWithSelector(IPocoErrors.RevealsPending.selector, other, 1, 2)
        );
        vm.warp(revealDeadline);
        _finalize(other, "");
        _assertStatus(other, TaskStatusEnum.COMPLETED, "one of two revealed, deadline passed");
    }

    /// 8. With every winner revealed, no need to wait for the reveal deadline.
    function test_08_finalizesAsSoonAsAllRevealed() public {
        (, bytes32 taskid) = _newTask(3);
        _contributeMany(0, 2, taskid, DIGEST);
        _revealMany(0, 2, taskid, DIGEST);
        assertLt(block.timestamp, hub.viewTask(taskid).revealDeadline, "before the reveal deadline");
        _finalize(taskid, "");
        _assertStatus(taskid, TaskStatusEnum.COMPLETED, "COMPLETED");
    }

    /// 26. Payouts against the model of spec §8.3: the worked example's votes with scores.
    function test_26_payoutsMatchTheModel() public {
        uint256[8] memory scores = [uint256(0), 15, 30, 0, 0, 0, 0, 0];
        test_26_payoutsMatchTheModel(5, scores, 0x0e, 4, 1);
    }

    /// 26. Fuzz: random trust, scores, votes and scheduler reward ratio; every winner reveals.
    /// Winners get floor(workersPool · log2w / Σ log2w) and their stake back, losers lose their
    /// stake and a third of their score, the scheduler gets the rest; winners gain a point when
    /// there was more than one contributor.
    function test_26_payoutsMatchTheModel(
        uint256 trust,
        uint256[8] memory rawScores,
        uint8 votes,
        uint256 n,
        uint256 rewardRatio
    ) public {
        trust = bound(trust, 1, 60);
        n = bound(n, 1, 8);
        rewardRatio = bound(rewardRatio, 0, 100);
        vm.prank(scheduler);
        IWorkerpool(workerpool).changePolicy(30, rewardRatio);
        uint256[] memory scores = new uint256[](n);
        bool[] memory good = new bool[](n);
        for (uint256 i = 0; i < n; ++i) {
            scores[i] = bound(rawScores[i], 0, 90);
            good[i] = (votes >> i) & 1 == 1;
        }
        (, bytes32 taskid) = _newTask(trust);
        VoteOutcome memory outcome = _voteUntilConsensus(taskid, trust, scores, good);
        if (!outcome.reached) return;

        uint256 count = outcome.contributions;
        uint256 pool = POOL_PRICE;
        uint256 totalLogWeight;
        for (uint256 i = 0; i < count; ++i) {
            if (good[i] == outcome.consensusGood) {
                _reveal(i, taskid, good[i] ? DIGEST : OTHER_DIGEST);
                totalLogWeight += _log2((scores[i] / 3 > 3 ? scores[i] / 3 : 3) - 1);
            } else {
                pool += STAKE;
            }
        }
        uint256 schedulerBefore = _free(scheduler);
        _finalize(taskid, "");

        uint256 workersPool = pool * (100 - rewardRatio) / 100;
        uint256 paid;
        for (uint256 i = 0; i < count; ++i) {
            if (good[i] == outcome.consensusGood) {
                uint256 share = workersPool * _log2((scores[i] / 3 > 3 ? scores[i] / 3 : 3) - 1)
                    / totalLogWeight;
                paid += share;
                assertEq(_free(workers[i]), INITIAL_DEPOSIT + share, "winner share");
                assertEq(
                    hub.viewScore(workers[i]), count > 1 ? scores[i] + 1 : scores[i], "winner score"
                );
            } else {
                assertEq(_free(workers[i]), INITIAL_DEPOSIT - STAKE, "loser slashed");
                assertEq(hub.viewScore(workers[i]), scores[i] * 2 / 3, "loser score");
            }
            assertEq(_frozen(workers[i]), 0, "no stake left");
        }
        assertEq(
            _free(scheduler),
            schedulerBefore + STAKE + pool - paid,
            "scheduler: stake, cut and dust"
        );
        _assertConservation();
    }

    /*//////////////////////////////////////////////////////////////
                                THE KITTY
    //////////////////////////////////////////////////////////////*/

    /// 9. Kitty of 30 RLC: the scheduler gets 10% of it.
    function test_09_kittyShareIsTenPercent() public {
        uint256 kitty = _fillKitty(POOL_PRICE);
        assertEq(_frozen(KITTY), kitty, "kitty filled by a claim");
        _assertKittyShare(kitty / 10);
    }

    /// 10. Kitty of 6 RLC: 10% is below the 1 RLC minimum, the scheduler gets 1 RLC.
    function test_10_kittyShareIsAtLeastOneRlc() public {
        uint256 kitty = _fillKitty(20e9);
        assertEq(kitty, 6e9, "kitty");
        _assertKittyShare(1e9);
    }

    /// 11. Kitty of 0.3 RLC: below the minimum, the scheduler gets all of it.
    function test_11_kittyShareIsAtMostTheKitty() public {
        uint256 kitty = _fillKitty(1e9);
        assertEq(kitty, 3e8, "kitty");
        _assertKittyShare(3e8);
        assertEq(_frozen(KITTY), 0, "kitty emptied");
    }

    /// 12. Empty kitty: no kitty movement.
    function test_12_emptyKittyPaysNothing() public {
        (, bytes32 taskid) = _revealedTask();
        vm.recordLogs();
        _finalize(taskid, "");
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].topics[0] == IPocoEvents.Seize.selector) {
                (address owner_,,) = abi.decode(logs[i].data, (address, uint256, bytes32));
                assertTrue(owner_ != KITTY, "no seize of the kitty");
            }
        }
    }

    /*//////////////////////////////////////////////////////////////
                                 REVERTS
    //////////////////////////////////////////////////////////////*/

    /// 13. Only the deal's scheduler (the workerpool owner at match time).
    function test_13_revertsForNonScheduler() public {
        (, bytes32 taskid) = _revealedTask();
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.NotScheduler.selector, taskid, workers[0], scheduler)
        );
        vm.prank(workers[0]);
        hub.finalize(taskid, "", "");

        vm.prank(scheduler);
        workerpoolRegistry.transferFrom(scheduler, stranger, uint256(uint160(workerpool)));
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.NotScheduler.selector, taskid, stranger, scheduler)
        );
        vm.prank(stranger);
        hub.finalize(taskid, "", "");
        _finalize(taskid, "");
        assertEq(
            _free(scheduler), INITIAL_DEPOSIT + POOL_PRICE / 100, "the match-time scheduler is paid"
        );
    }

    /// 14. An unknown task has no scheduler.
    function test_14_revertsOnUnknownTask() public {
        bytes32 taskid = keccak256("unknown");
        _expectFinalizeRevert(
            taskid,
            "",
            "",
            abi.encodeWithSelector(IPocoErrors.NotScheduler.selector, taskid, scheduler, address(0))
        );
    }

    /// 15. The task must be REVEALING: not ACTIVE, COMPLETED (twice) or FAILED.
    function test_15_revertsUnlessRevealing() public {
        (, bytes32 active) = _newTask(3);
        _expectFinalizeRevert(
            active,
            "",
            "",
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, active, TaskStatusEnum.ACTIVE
            )
        );

        (, bytes32 taskid) = _revealedTask();
        _finalize(taskid, "");
        _expectFinalizeRevert(
            taskid,
            "",
            "",
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, taskid, TaskStatusEnum.COMPLETED
            )
        );

        (, bytes32 failed) = _revealedTask();
        vm.warp(hub.viewTask(failed).finalDeadline);
        hub.claim(failed);
        _expectFinalizeRevert(
            failed,
            "",
            "",
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, failed, TaskStatusEnum.FAILED
            )
        );
    }

    /// 16. Not at or after the final deadline.
    function test_16_revertsAtTheFinalDeadline() public {
        (, bytes32 taskid) = _revealedTask();
        uint256 deadline = hub.viewTask(taskid).finalDeadline;
        vm.warp(deadline);
        _expectFinalizeRevert(
            taskid,
            "",
            "",
            abi.encodeWithSelector(IPocoErrors.FinalDeadlineReached.selector, taskid, deadline)
        );
        vm.warp(deadline - 1);
        _finalize(taskid, "");
    }

    /// 17. Callback data: empty without callback (or the digest's preimage); the preimage of the
    /// digest with a callback.
    function test_17_revertsOnCallbackDataMismatch() public {
        // no callback: non-empty data that is not the digest's preimage
        (, bytes32 taskid) = _revealedTask();
        _expectFinalizeRevert(
            taskid,
            "",
            hex"01",
            abi.encodeWithSelector(IPocoErrors.CallbackDataMismatch.selector, taskid)
        );

        // no callback, data hashing to the digest: accepted (spec §7.6 condition) and stored
        bytes memory preimage = abi.encode(uint256(42));
        (, bytes32 web3) = _newTask(1);
        _contribute(0, web3, keccak256(preimage));
        _reveal(0, web3, keccak256(preimage));
        vm.prank(scheduler);
        hub.finalize(web3, "", preimage);
        assertEq(hub.resultFor(web3), preimage, "stored");

        // with a callback: empty data, or data not hashing to the digest
        OracleConsumerMock consumer = new OracleConsumerMock();
        (, bytes32 withCallback) = _newCallbackTask(1, address(consumer));
        _contribute(0, withCallback, keccak256(preimage));
        _reveal(0, withCallback, keccak256(preimage));
        _expectFinalizeRevert(
            withCallback,
            "",
            "",
            abi.encodeWithSelector(IPocoErrors.CallbackDataMismatch.selector, withCallback)
        );
        _expectFinalizeRevert(
            withCallback,
            "",
            abi.encode(uint256(43)),
            abi.encodeWithSelector(IPocoErrors.CallbackDataMismatch.selector, withCallback)
        );
    }

    /*//////////////////////////////////////////////////////////////
                               CALLBACKS
    //////////////////////////////////////////////////////////////*/

    /// 18. The consumer receives (taskid, resultsCallback) once the task is COMPLETED.
    function test_18_callsTheConsumer() public {
        OracleConsumerMock consumer = new OracleConsumerMock();
        vm.prank(protocolOwner);
        hub.setCallbackGas(1_000_000); // the mock records a lot
        bytes memory data = abi.encode(uint256(1), "hello");
        bytes32 taskid = _callbackTaskReadyToFinalize(address(consumer), data);

        vm.expectCall(
            address(consumer), abi.encodeCall(OracleConsumerMock.receiveResult, (taskid, data)), 1
        );
        vm.prank(scheduler);
        hub.finalize(taskid, "ipfs://result", data);

        assertEq(consumer.calls(), 1, "called once");
        assertEq(consumer.lastCaller(), address(hub), "by the hub");
        assertEq(consumer.lastTaskId(), taskid, "taskid");
        assertEq(consumer.lastData(), data, "data");
        assertTrue(consumer.resultForAnswered(), "the task was COMPLETED during the callback");
        assertEq(consumer.resultForAnswer(), data, "resultFor during the callback");
        assertEq(hub.viewTask(taskid).resultsCallback, data, "stored");
        assertEq(hub.resultFor(taskid), data, "resultFor");
    }

    /// 19. A reverting consumer does not block finalization.
    function test_19_revertingConsumerDoesNotBlock() public {
        OracleConsumerMock consumer = new OracleConsumerMock();
        consumer.setMode(OracleConsumerMock.Mode.Revert);
        bytes memory data = abi.encode(uint256(1));
        bytes32 taskid = _callbackTaskReadyToFinalize(address(consumer), data);
        vm.expectCall(
            address(consumer), abi.encodeCall(OracleConsumerMock.receiveResult, (taskid, data)), 1
        );
        vm.prank(scheduler);
        hub.finalize(taskid, "", data);
        _assertStatus(taskid, TaskStatusEnum.COMPLETED, "completed anyway");
        _assertConservation();
    }

    /// 20. A gas-guzzling consumer gets exactly `callbackgas` (default 100 000) and no more.
    function test_20_guzzlerGetsExactlyCallbackGas() public {
        assertEq(hub.callbackgas(), 100_000, "default callback gas (6.1)");
        OracleConsumerMock consumer = new OracleConsumerMock();
        consumer.setMode(OracleConsumerMock.Mode.Guzzle);
        bytes memory data = abi.encode(uint256(1));
        bytes32 taskid = _callbackTaskReadyToFinalize(address(consumer), data);
        vm.expectCall(
            address(consumer),
            0,
            100_000,
            abi.encodeCall(OracleConsumerMock.receiveResult, (taskid, data))
        );
        vm.prank(scheduler);
        hub.finalize(taskid, "", data);
        _assertStatus(taskid, TaskStatusEnum.COMPLETED, "completed");
    }

    /// 21. The consumer starts with (almost) all of `callbackgas`: what it measures at entry.
    function test_21_consumerMeasuresCallbackGas() public {
        vm.prank(protocolOwner);
        hub.setCallbackGas(1_000_000);
        OracleConsumerMock consumer = new OracleConsumerMock();
        bytes memory data = abi.encode(uint256(1));
        bytes32 taskid = _callbackTaskReadyToFinalize(address(consumer), data);
        vm.prank(scheduler);
        hub.finalize(taskid, "", data);
        assertLe(consumer.gasAtEntry(), 1_000_000, "at most callbackgas");
        assertGt(consumer.gasAtEntry(), 1_000_000 - 2_000, "the dispatch overhead only");
    }

    /// 22. setCallbackGas changes the gas given to the consumer.
    function test_22_setCallbackGasChangesIt() public {
        vm.prank(protocolOwner);
        hub.setCallbackGas(250_000);
        assertEq(hub.callbackgas(), 250_000, "callbackgas");
        OracleConsumerMock consumer = new OracleConsumerMock();
        consumer.setMode(OracleConsumerMock.Mode.Guzzle);
        bytes memory data = abi.encode(uint256(1));
        bytes32 taskid = _callbackTaskReadyToFinalize(address(consumer), data);
        vm.expectCall(
            address(consumer),
            0,
            250_000,
            abi.encodeCall(OracleConsumerMock.receiveResult, (taskid, data))
        );
        vm.prank(scheduler);
        hub.finalize(taskid, "", data);

        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.OwnableUnauthorizedAccount.selector, stranger)
        );
        vm.prank(stranger);
        hub.setCallbackGas(1);
    }

    /// 23. Sent with too little gas for the callback to get its `callbackgas`, finalize reverts
    /// CallbackGasStarved (63/64 rule, spec §10.1, §19.13); with enough gas it succeeds.
    function test_23_revertsWhenTheCallbackIsStarved() public {
        vm.prank(protocolOwner);
        hub.setCallbackGas(5_000_000);
        OracleConsumerMock consumer = new OracleConsumerMock();
        consumer.setMode(OracleConsumerMock.Mode.Guzzle);
        bytes memory data = abi.encode(uint256(1));
        bytes32 taskid = _callbackTaskReadyToFinalize(address(consumer), data);

        bytes memory call = abi.encodeCall(IPocoTasks.finalize, (taskid, bytes(""), data));
        vm.prank(scheduler);
        (bool ok, bytes memory returned) = address(hub).call{gas: 1_000_000}(call);
        assertFalse(ok, "starved");
        assertEq(bytes4(returned), IPocoErrors.CallbackGasStarved.selector, "CallbackGasStarved");
        (bytes32 errTask, uint256 gasLeft, uint256 callbackGas) =
            abi.decode(_withoutSelector(returned), (bytes32, uint256, uint256));
        assertEq(errTask, taskid, "taskid");
        assertEq(callbackGas, 5_000_000, "callbackgas");
        assertLe(gasLeft, uint256(5_000_000) / 63, "gas left");
        _assertStatus(taskid, TaskStatusEnum.REVEALING, "rolled back");

        vm.prank(scheduler);
        (ok,) = address(hub).call{gas: 7_000_000}(call);
        assertTrue(ok, "enough gas");
        _assertStatus(taskid, TaskStatusEnum.COMPLETED, "completed");
    }

    /// 24. A consumer that does not burn its gas never starves finalize, even with a tight gas limit.
    function test_24_frugalConsumerDoesNotStarve() public {
        vm.prank(protocolOwner);
        hub.setCallbackGas(5_000_000);
        OracleConsumerMock consumer = new OracleConsumerMock();
        consumer.setMode(OracleConsumerMock.Mode.Revert);
        bytes memory data = abi.encode(uint256(1));
        bytes32 taskid = _callbackTaskReadyToFinalize(address(consumer), data);
        vm.prank(scheduler);
        hub.finalize{gas: 1_000_000}(taskid, "", data);
        _assertStatus(taskid, TaskStatusEnum.COMPLETED, "completed");
    }

    /// 25. A callback address without code: the low-level call succeeds, finalize completes.
    function test_25_callbackWithoutCode() public {
        bytes memory data = abi.encode(uint256(1));
        bytes32 taskid = _callbackTaskReadyToFinalize(makeAddr("eoaCallback"), data);
        vm.prank(scheduler);
        hub.finalize(taskid, "", data);
        _assertStatus(taskid, TaskStatusEnum.COMPLETED, "completed");
    }

    /// 27. Same as 23 through the typed interface: `hub.finalize{gas: X}` reverts CallbackGasStarved.
    function test_27_finalizeWithTooLittleGasReverts() public {
        vm.prank(protocolOwner);
        hub.setCallbackGas(5_000_000);
        OracleConsumerMock consumer = new OracleConsumerMock();
        consumer.setMode(OracleConsumerMock.Mode.Guzzle);
        bytes memory data = abi.encode(uint256(1));
        bytes32 taskid = _callbackTaskReadyToFinalize(address(consumer), data);
        vm.expectPartialRevert(IPocoErrors.CallbackGasStarved.selector);
        vm.prank(scheduler);
        hub.finalize{gas: 1_000_000}(taskid, "", data);
    }

    /// 28. poco packs the score in 32 bits next to the balances: a winner at the maximum score
    /// stays there after a replicated task, and its balances are not corrupted.
    function test_28_scoreAtTheCapStaysThere() public {
        (, bytes32 taskid) = _newTask(3);
        _contribute(1, taskid, OTHER_DIGEST); // a fresh loser first: two contributors
        _setScore(workers[0], type(uint32).max);
        _contribute(0, taskid, DIGEST); // weight ~1.4e9 reaches trust 3 at once
        _assertStatus(taskid, TaskStatusEnum.REVEALING, "consensus");
        _reveal(0, taskid, DIGEST);
        _finalize(taskid, "");
        assertEq(hub.viewScore(workers[0]), type(uint32).max, "capped, no overflow");
        uint256 pool = POOL_PRICE + STAKE;
        assertEq(_free(workers[0]), INITIAL_DEPOSIT + pool * 99 / 100, "balance intact");
        assertEq(_frozen(workers[0]), 0, "frozen intact");
        _assertConservation();
    }

    /// 29. Results and callback data of any length round-trip (long ones live in data
    /// contracts): 31 and 32 bytes of results, 200 bytes of callback data.
    function test_29_storesResultsOfEveryLength() public {
        (, bytes32 shortTask) = _revealedTask();
        _finalize(shortTask, _filled(31, "a"));
        assertEq(hub.viewTask(shortTask).results, _filled(31, "a"), "31 bytes");
        (, bytes32 longTask) = _revealedTask();
        _finalize(longTask, _filled(32, "b"));
        assertEq(hub.viewTask(longTask).results, _filled(32, "b"), "32 bytes");

        OracleConsumerMock consumer = new OracleConsumerMock();
        bytes memory data = _filled(200, "c");
        bytes32 taskid = _callbackTaskReadyToFinalize(address(consumer), data);
        vm.prank(scheduler);
        hub.finalize(taskid, _filled(500, "d"), data);
        assertEq(hub.viewTask(taskid).results, _filled(500, "d"), "500 bytes of results");
        assertEq(hub.viewTask(taskid).resultsCallback, data, "200 bytes of callback data");
        assertEq(hub.resultFor(taskid), data, "resultFor");
    }

    /// 30. Results of any length are kept (spec §6, §7.6): under 24,576 bytes as the code of a
    /// CREATE2 data contract, from there on (past the EIP-170 code-size limit) in storage. forge's
    /// test EVM does not enforce EIP-170 by default, so the test checks the contract size too.
    function test_30_finalizesResultsLongerThanTheCodeSizeLimit() public {
        (, bytes32 taskid) = _revealedTask();
        _finalize(taskid, _filled(24_576, "r"));
        assertEq(hub.viewTask(taskid).results.length, 24_576, "results stored");
        address blob = address(
            uint160(
                uint256(
                    keccak256(
                        abi.encodePacked(
                            bytes1(0xff),
                            address(hub),
                            PocoStorage.resultsSalt(taskid),
                            Blobs.INIT_CODE_HASH
                        )
                    )
                )
            )
        );
        assertLe(blob.code.length, 24_576, "deployable under EIP-170");
    }

    /*//////////////////////////////////////////////////////////////
                                HELPERS
    //////////////////////////////////////////////////////////////*/

    /// @dev A trust-1 task of a deal with `callback`, whose worker revealed keccak(data).
    function _callbackTaskReadyToFinalize(address callback, bytes memory data)
        private
        returns (bytes32 taskid)
    {
        (, taskid) = _newCallbackTask(1, callback);
        _contribute(0, taskid, keccak256(data));
        _reveal(0, taskid, keccak256(data));
    }

    /// @dev Finalizes a fresh revealed task and checks the kitty pays `share` to the scheduler.
    function _assertKittyShare(uint256 share) private {
        uint256 kittyBefore = _frozen(KITTY);
        (, bytes32 taskid) = _revealedTask();
        uint256 schedulerBefore = _free(scheduler);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Seize(KITTY, share, taskid);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Reward(scheduler, share, taskid);
        _finalize(taskid, "");
        assertEq(_frozen(KITTY), kittyBefore - share, "kitty debited");
        // scheduler: stake back, 1% of the pool price, the kitty share
        assertEq(
            _free(scheduler),
            schedulerBefore + STAKE + POOL_PRICE / 100 + share,
            "scheduler credited"
        );
        _assertConservation();
    }

    function _filled(uint256 length, bytes1 value) private pure returns (bytes memory data) {
        data = new bytes(length);
        for (uint256 i = 0; i < length; ++i) {
            data[i] = value;
        }
    }

    function _withoutSelector(bytes memory data) private pure returns (bytes memory out) {
        out = new bytes(data.length - 4);
        for (uint256 i = 0; i < out.length; ++i) {
            out[i] = data[i + 4];
        }
    }
}
