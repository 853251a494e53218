// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoFixture} from "../utils/PocoFixture.sol";
import {ResultConsumer} from "../mocks/ResultConsumer.sol";
import {
    Task,
    TaskStatusEnum,
    ContributionStatusEnum,
    Deal,
    AppOrder,
    DatasetOrder,
    WorkerpoolOrder,
    RequestOrder,
    AppOrderOperation,
    DatasetOrderOperation,
    WorkerpoolOrderOperation,
    RequestOrderOperation,
    OrderOperationEnum
} from "../../src/libs/PocoTypes.sol";
import {IPocoEvents} from "../../src/interfaces/IPoco.sol";
import {IPocoErrors} from "../../src/interfaces/IPocoErrors.sol";

/// @title Numbered end-to-end scenarios of the classic PoCo flow.
contract FullLifecycleTest is PocoFixture {
    uint256 internal constant APP_PRICE = 5e9;
    uint256 internal constant DATASET_PRICE = 3e9;
    uint256 internal constant POOL_PRICE = 100e9;
    /// Scheduler stake per task and default worker stake: 30% of the pool price.
    uint256 internal constant STAKE = POOL_PRICE * 30 / 100;
    /// What a single worker earns on a task: the pool price minus the scheduler's 1%.
    uint256 internal constant WORKER_REWARD = POOL_PRICE * 99 / 100;
    /// Category 0 (XS).
    uint256 internal constant TIMEREF = 300;
    address internal constant KITTY = 0x99c2268479b93fDe36232351229815DF80837e23;

    /// 1. One worker, trust 1: match, initialize, contribute (consensus at once), reveal, finalize.
    function test_01_oneWorkerTrustOne() public {
        bytes32 dealid = _matchDeal(APP_PRICE, POOL_PRICE, 1, 1);
        bytes32 taskid = hub.initialize(dealid, 0);
        bytes32 digest = keccak256("result");

        uint256 workerBefore = hub.balanceOf(workers[0]);
        _contribute(0, taskid, digest);
        Task memory task = hub.viewTask(taskid);
        assertEq(
            uint256(task.status),
            uint256(TaskStatusEnum.REVEALING),
            "consensus at first contribution"
        );
        assertEq(task.winnerCounter, 1, "one winner");

        _reveal(0, taskid, digest);
        _finalize(taskid, "ipfs://result");

        task = hub.viewTask(taskid);
        assertEq(uint256(task.status), uint256(TaskStatusEnum.COMPLETED), "completed");
        assertEq(task.resultDigest, digest, "digest");
        assertEq(task.results, bytes("ipfs://result"), "results");
        // requester paid 105, app owner got 5, worker got 99 (1% to the scheduler), scheduler got 1
        assertEq(hub.balanceOf(requester), INITIAL_DEPOSIT - APP_PRICE - POOL_PRICE, "requester");
        assertEq(hub.frozenOf(requester), 0, "requester frozen");
        assertEq(hub.balanceOf(appOwner), INITIAL_DEPOSIT + APP_PRICE, "app owner");
        assertEq(hub.balanceOf(workers[0]), workerBefore + POOL_PRICE * 99 / 100, "worker");
        assertEq(hub.balanceOf(scheduler), INITIAL_DEPOSIT + POOL_PRICE / 100, "scheduler");
        assertEq(hub.frozenOf(scheduler), 0, "scheduler frozen");
        assertEq(hub.viewScore(workers[0]), 0, "no score change with one contributor");
        _assertConservation();
    }

    /// 2. Three workers, trust 5, one wrong result: the loser is slashed and loses a third of
    /// its score; the winners are paid and gain a point. The winners have score 15 (weight 4),
    /// so two agreeing votes outweigh one dissent at trust 5: group 16, total 19, 16*5 > 19*4.
    function test_02_threeWorkersTrustFiveOneWrong() public {
        _setScore(workers[0], 15);
        _setScore(workers[1], 15);
        _setScore(workers[4], 9);
        bytes32 dealid = _matchDeal(APP_PRICE, POOL_PRICE, 1, 5);
        bytes32 taskid = hub.initialize(dealid, 0);
        bytes32 good = keccak256("good");
        bytes32 bad = keccak256("bad");
        uint256 stake = POOL_PRICE * 30 / 100;

        _contribute(4, taskid, bad);
        _contribute(0, taskid, good);
        assertEq(
            uint256(hub.viewTask(taskid).status), uint256(TaskStatusEnum.ACTIVE), "no consensus yet"
        );
        _contribute(1, taskid, good);
        assertEq(
            uint256(hub.viewTask(taskid).status), uint256(TaskStatusEnum.REVEALING), "consensus"
        );
        assertEq(hub.viewTask(taskid).winnerCounter, 2, "two winners");

        _reveal(0, taskid, good);
        _reveal(1, taskid, good);
        _finalize(taskid, "ipfs://result");

        // pool = 100 + 30 (the loser's stake); 99% of it shared by equal weights
        uint256 share = (POOL_PRICE + stake) * 99 / 100 / 2;
        for (uint256 i = 0; i < 2; ++i) {
            assertEq(hub.balanceOf(workers[i]), INITIAL_DEPOSIT + share, "winner paid");
            assertEq(hub.frozenOf(workers[i]), 0, "winner stake back");
            assertEq(hub.viewScore(workers[i]), 16, "winner score +1");
        }
        assertEq(hub.balanceOf(workers[4]), INITIAL_DEPOSIT - stake, "loser slashed");
        assertEq(hub.frozenOf(workers[4]), 0, "loser nothing frozen");
        assertEq(hub.viewScore(workers[4]), 6, "loser score cut to two thirds");
        assertEq(
            hub.balanceOf(scheduler),
            INITIAL_DEPOSIT + POOL_PRICE + stake - 2 * share,
            "scheduler cut"
        );
        _assertConservation();
    }

    /// 3. Consensus is reached but its only voter never reveals: after the reveal deadline the
    /// scheduler reopens the task (the silent vote is rejected), another worker reaches a new
    /// consensus, reveals, and the task is finalized. The silent worker loses its stake and a
    /// third of its score; the new winner takes the pool and the lost stake.
    function test_03_revealTimeoutReopenNewConsensus() public {
        _setScore(workers[0], 9);
        bytes32 dealid = _matchDeal(APP_PRICE, POOL_PRICE, 1, 1);
        uint256 start = hub.viewDeal(dealid).startTime;
        bytes32 taskid = hub.initialize(dealid, 0);
        bytes32 digest = keccak256("result");

        _contribute(0, taskid, digest);
        Task memory task = hub.viewTask(taskid);
        assertEq(uint256(task.status), uint256(TaskStatusEnum.REVEALING), "consensus");
        assertEq(task.revealDeadline, start + 2 * TIMEREF, "reveal deadline");

        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.RevealDeadlineNotReached.selector, taskid, start + 2 * TIMEREF
            )
        );
        vm.prank(scheduler);
        hub.reopen(taskid);

        vm.warp(start + 2 * TIMEREF);
        vm.expectEmit(address(hub));
        emit IPocoEvents.TaskReopen(taskid);
        vm.prank(scheduler);
        hub.reopen(taskid);
        task = hub.viewTask(taskid);
        assertEq(uint256(task.status), uint256(TaskStatusEnum.ACTIVE), "active again");
        assertEq(task.consensusValue, bytes32(0), "consensus cleared");
        assertEq(task.revealDeadline, 0, "reveal deadline cleared");
        assertEq(task.winnerCounter, 0, "winners cleared");
        assertEq(
            uint256(hub.viewContribution(taskid, workers[0]).status),
            uint256(ContributionStatusEnum.REJECTED),
            "silent vote rejected"
        );

        // the same result, voted again by someone else, reaches consensus on its own
        _contribute(1, taskid, digest);
        task = hub.viewTask(taskid);
        assertEq(uint256(task.status), uint256(TaskStatusEnum.REVEALING), "new consensus");
        assertEq(task.winnerCounter, 1, "the rejected vote does not count");
        assertEq(task.revealDeadline, block.timestamp + 2 * TIMEREF, "new reveal deadline");
        _reveal(1, taskid, digest);

        vm.expectEmit(address(hub));
        emit IPocoEvents.FaultyContribution(workers[0], taskid);
        vm.expectEmit(address(hub));
        emit IPocoEvents.AccurateContribution(workers[1], taskid);
        _finalize(taskid, "ipfs://result");

        uint256 share = (POOL_PRICE + STAKE) * 99 / 100;
        assertEq(
            uint256(hub.viewTask(taskid).status), uint256(TaskStatusEnum.COMPLETED), "completed"
        );
        assertEq(hub.balanceOf(workers[0]), INITIAL_DEPOSIT - STAKE, "silent worker slashed");
        assertEq(hub.frozenOf(workers[0]), 0, "nothing left frozen");
        assertEq(hub.viewScore(workers[0]), 6, "score x 2/3");
        assertEq(
            hub.balanceOf(workers[1]), INITIAL_DEPOSIT + share, "winner paid with the lost stake"
        );
        assertEq(hub.viewScore(workers[1]), 1, "two contributors: winner +1");
        assertEq(
            hub.balanceOf(scheduler), INITIAL_DEPOSIT + POOL_PRICE + STAKE - share, "scheduler cut"
        );
        assertEq(
            hub.balanceOf(requester),
            INITIAL_DEPOSIT - APP_PRICE - POOL_PRICE,
            "requester paid once"
        );
        _assertConservation();
    }

    /// 4. A task that misses its final deadline is claimed by anyone: the requester is refunded,
    /// the scheduler's stake goes to the kitty, contributors get their stakes back. The next
    /// successful task pays its scheduler 10% of the kitty.
    function test_04_claimAfterFinalDeadlineThenKittyShare() public {
        bytes32 dealid = _matchDeal(APP_PRICE, POOL_PRICE, 1, 3);
        // read from storage: with via-IR, a local copy of block.timestamp may be re-read after vm.warp
        uint256 finalDeadline = hub.viewDeal(dealid).startTime + 10 * TIMEREF;
        bytes32 taskid = hub.initialize(dealid, 0);
        _contribute(0, taskid, keccak256("one"));
        _contribute(1, taskid, keccak256("two"));
        assertEq(
            uint256(hub.viewTask(taskid).status), uint256(TaskStatusEnum.ACTIVE), "no consensus"
        );
        assertEq(hub.frozenOf(workers[0]), STAKE, "worker stake locked");

        assertEq(hub.viewTask(taskid).finalDeadline, finalDeadline, "final deadline: start + 10 T");
        vm.warp(finalDeadline - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.FinalDeadlineNotReached.selector, taskid, finalDeadline
            )
        );
        hub.claim(taskid);

        vm.warp(finalDeadline);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Unlock(requester, APP_PRICE + POOL_PRICE);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Seize(scheduler, STAKE, taskid);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Reward(KITTY, STAKE, taskid);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Lock(KITTY, STAKE);
        vm.expectEmit(address(hub));
        emit IPocoEvents.TaskClaimed(taskid);
        vm.prank(makeAddr("anyone"));
        hub.claim(taskid);

        assertEq(uint256(hub.viewTask(taskid).status), uint256(TaskStatusEnum.FAILED), "failed");
        assertEq(hub.balanceOf(requester), INITIAL_DEPOSIT, "requester refunded");
        assertEq(hub.frozenOf(requester), 0, "requester nothing frozen");
        assertEq(hub.balanceOf(scheduler), INITIAL_DEPOSIT - STAKE, "scheduler stake lost");
        assertEq(hub.frozenOf(scheduler), 0, "scheduler nothing frozen");
        assertEq(hub.frozenOf(KITTY), STAKE, "stake in the kitty");
        for (uint256 i = 0; i < 2; ++i) {
            assertEq(hub.balanceOf(workers[i]), INITIAL_DEPOSIT, "worker stake back");
            assertEq(hub.frozenOf(workers[i]), 0, "worker nothing frozen");
            assertEq(hub.viewScore(workers[i]), 0, "no score change on claim");
        }
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, taskid, TaskStatusEnum.FAILED
            )
        );
        hub.claim(taskid);
        _assertConservation();

        // the next successful task: share = min(max(kitty * 10%, 1 RLC), kitty) = 3 RLC
        uint256 kittyShare = STAKE * 10 / 100;
        bytes32 next = hub.initialize(_matchDeal(APP_PRICE, POOL_PRICE, 1, 1), 0);
        _contribute(2, next, keccak256("result"));
        _reveal(2, next, keccak256("result"));
        vm.expectEmit(address(hub));
        emit IPocoEvents.Seize(KITTY, kittyShare, next);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Reward(scheduler, kittyShare, next);
        _finalize(next, "ipfs://result");

        assertEq(hub.frozenOf(KITTY), STAKE - kittyShare, "kitty paid out 10%");
        assertEq(
            hub.balanceOf(scheduler),
            INITIAL_DEPOSIT - STAKE + (POOL_PRICE - WORKER_REWARD) + kittyShare,
            "scheduler: its cut plus the kitty share"
        );
        _assertConservation();
    }

    /// 4b. A kitty below KITTY_MIN (1 RLC) is paid out whole to the next successful scheduler.
    function test_04b_smallKittyPaidOutWhole() public {
        uint256 poolPrice = 2e9; // stake 0.6 RLC
        bytes32 taskid = hub.initialize(_matchDeal(0, poolPrice, 1, 1), 0);
        vm.warp(block.timestamp + 10 * TIMEREF);
        hub.claim(taskid);
        uint256 kitty = poolPrice * 30 / 100;
        assertEq(hub.frozenOf(KITTY), kitty, "kitty");

        uint256 before = hub.balanceOf(scheduler);
        bytes32 next = hub.initialize(_matchDeal(0, poolPrice, 1, 1), 0);
        _contribute(0, next, keccak256("result"));
        _reveal(0, next, keccak256("result"));
        _finalize(next, "");
        assertEq(hub.frozenOf(KITTY), 0, "min(max(10%, 1 RLC), kitty) = kitty");
        assertEq(
            hub.balanceOf(scheduler), before + poolPrice - poolPrice * 99 / 100 + kitty, "scheduler"
        );
        _assertConservation();
    }

    /// 5. Trust 0 (stored as 1): the single worker contributes and finalizes in one transaction,
    /// without stake and without score change.
    function test_05_contributeAndFinalize() public {
        bytes32 dealid = _matchDeal(APP_PRICE, POOL_PRICE, 1, 0);
        bytes32 taskid = hub.initialize(dealid, 0);
        address worker = workers[0];
        bytes32 digest = keccak256("result");
        bytes32 resultHash = _resultHash(taskid, digest);
        bytes memory auth = _authorization(worker, taskid, address(0));

        vm.expectEmit(address(hub));
        emit IPocoEvents.TaskContribute(taskid, worker, resultHash);
        vm.expectEmit(address(hub));
        emit IPocoEvents.TaskConsensus(taskid, resultHash);
        vm.expectEmit(address(hub));
        emit IPocoEvents.TaskReveal(taskid, worker, digest);
        vm.expectEmit(address(hub));
        emit IPocoEvents.TaskFinalize(taskid, "ipfs://result");
        vm.prank(worker);
        hub.contributeAndFinalize(taskid, digest, "ipfs://result", "", address(0), "", auth);

        Task memory task = hub.viewTask(taskid);
        assertEq(uint256(task.status), uint256(TaskStatusEnum.COMPLETED), "completed");
        assertEq(task.contributors.length, 1, "one contributor");
        assertEq(task.contributors[0], worker, "the worker");
        assertEq(task.consensusValue, resultHash, "consensus");
        assertEq(task.revealCounter, 1, "reveals");
        assertEq(task.winnerCounter, 1, "winners");
        assertEq(task.resultDigest, digest, "digest");
        assertEq(task.results, bytes("ipfs://result"), "results");
        assertEq(task.revealDeadline, block.timestamp + 2 * TIMEREF, "reveal deadline set");
        assertEq(
            uint256(hub.viewContribution(taskid, worker).status),
            uint256(ContributionStatusEnum.PROVED),
            "proved"
        );
        assertEq(hub.viewContribution(taskid, worker).weight, 0, "no weight");

        assertEq(hub.balanceOf(worker), INITIAL_DEPOSIT + WORKER_REWARD, "worker paid");
        assertEq(hub.frozenOf(worker), 0, "no stake");
        assertEq(hub.viewScore(worker), 0, "no score");
        assertEq(
            hub.balanceOf(scheduler), INITIAL_DEPOSIT + POOL_PRICE - WORKER_REWARD, "scheduler cut"
        );
        assertEq(hub.frozenOf(scheduler), 0, "scheduler stake back");
        assertEq(hub.balanceOf(appOwner), INITIAL_DEPOSIT + APP_PRICE, "app owner");
        assertEq(hub.balanceOf(requester), INITIAL_DEPOSIT - APP_PRICE - POOL_PRICE, "requester");
        assertEq(hub.frozenOf(requester), 0, "requester nothing frozen");
        assertEq(hub.resultFor(taskid).length, 0, "no callback data");
        _assertConservation();
    }

    /// 6. A deal with a dataset: the requester pays app + dataset + pool; the dataset owner is paid.
    function test_06_datasetDeal() public {
        AppOrder memory a = _sign(_appOrder(APP_PRICE, 1));
        DatasetOrder memory d = _sign(_datasetOrder(DATASET_PRICE, 1));
        WorkerpoolOrder memory w = _sign(_workerpoolOrder(POOL_PRICE, 1, 1));
        RequestOrder memory r = _sign(_requestOrder(a, d, w, 1));
        bytes32 dealid = keccak256(abi.encodePacked(_hash(r), uint256(0)));

        vm.expectEmit(address(hub));
        emit IPocoEvents.OrdersMatched(dealid, _hash(a), _hash(d), _hash(w), _hash(r), 1);
        assertEq(hub.matchOrders(a, d, w, r), dealid, "deal id");
        Deal memory deal = hub.viewDeal(dealid);
        assertEq(deal.dataset.pointer, dataset, "dataset");
        assertEq(deal.dataset.owner, datasetOwner, "dataset owner");
        assertEq(deal.dataset.price, DATASET_PRICE, "dataset price");
        assertEq(
            hub.frozenOf(requester), APP_PRICE + DATASET_PRICE + POOL_PRICE, "requester locked"
        );
        assertEq(hub.viewConsumed(_hash(d)), 1, "dataset order consumed");

        bytes32 taskid = hub.initialize(dealid, 0);
        _contribute(0, taskid, keccak256("result"));
        _reveal(0, taskid, keccak256("result"));
        vm.expectEmit(address(hub));
        emit IPocoEvents.Reward(datasetOwner, DATASET_PRICE, taskid);
        _finalize(taskid, "ipfs://result");

        assertEq(hub.balanceOf(datasetOwner), INITIAL_DEPOSIT + DATASET_PRICE, "dataset owner paid");
        assertEq(hub.balanceOf(appOwner), INITIAL_DEPOSIT + APP_PRICE, "app owner paid");
        assertEq(hub.balanceOf(workers[0]), INITIAL_DEPOSIT + WORKER_REWARD, "worker paid");
        assertEq(
            hub.balanceOf(requester),
            INITIAL_DEPOSIT - APP_PRICE - DATASET_PRICE - POOL_PRICE,
            "requester paid"
        );
        assertEq(hub.frozenOf(requester), 0, "requester nothing frozen");
        _assertConservation();
    }

    /// 7. A sponsored deal of two tasks: the sponsor locks the payment; one task is finalized
    /// (paid from the sponsor), the other claimed (refunded to the sponsor). The requester's
    /// account is never touched.
    function test_07_sponsoredDeal() public {
        AppOrder memory a = _sign(_appOrder(APP_PRICE, 2));
        DatasetOrder memory d = _noDataset();
        WorkerpoolOrder memory w = _sign(_workerpoolOrder(POOL_PRICE, 2, 1));
        RequestOrder memory r = _sign(_requestOrder(a, d, w, 2));
        bytes32 dealid = keccak256(abi.encodePacked(_hash(r), uint256(0)));

        vm.expectEmit(address(hub));
        emit IPocoEvents.DealSponsored(dealid, sponsor);
        vm.prank(sponsor);
        hub.sponsorMatchOrders(a, d, w, r);
        uint256 taskPrice = APP_PRICE + POOL_PRICE;
        assertEq(hub.viewDeal(dealid).sponsor, sponsor, "sponsor recorded");
        assertEq(hub.frozenOf(sponsor), 2 * taskPrice, "sponsor locked");
        assertEq(hub.frozenOf(requester), 0, "requester untouched");

        uint256 start = hub.viewDeal(dealid).startTime;
        bytes32 done = hub.initialize(dealid, 0);
        _contribute(0, done, keccak256("result"));
        _reveal(0, done, keccak256("result"));
        vm.expectEmit(address(hub));
        emit IPocoEvents.Seize(sponsor, taskPrice, done);
        _finalize(done, "ipfs://result");
        assertEq(hub.frozenOf(sponsor), taskPrice, "sponsor paid one task");

        bytes32 failed = hub.initialize(dealid, 1);
        vm.warp(start + 10 * TIMEREF);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Unlock(sponsor, taskPrice);
        hub.claim(failed);

        assertEq(
            hub.balanceOf(sponsor), INITIAL_DEPOSIT - taskPrice, "sponsor refunded the failed task"
        );
        assertEq(hub.frozenOf(sponsor), 0, "sponsor nothing frozen");
        assertEq(hub.balanceOf(requester), INITIAL_DEPOSIT, "requester never paid");
        assertEq(hub.frozenOf(requester), 0, "requester never locked");
        assertEq(hub.frozenOf(KITTY), STAKE, "failed task's stake in the kitty");
        _assertConservation();
    }

    /// 8. Orders published on-chain: each owner presigns with `manage*Order` (SIGN), so every
    /// `sign` is empty and anyone can match them. A request order cancelled (CLOSE) by its
    /// requester, and an app order cancelled by a relayed signed operation, are refused.
    function test_08_presignedOrdersAndCancelledOrder() public {
        AppOrder memory a = _appOrder(APP_PRICE, 1);
        DatasetOrder memory d = _datasetOrder(DATASET_PRICE, 1);
        WorkerpoolOrder memory w = _workerpoolOrder(POOL_PRICE, 2, 1);
        RequestOrder memory r = _requestOrder(a, d, w, 1);

        vm.expectEmit(address(hub));
        emit IPocoEvents.SignedAppOrder(_hash(a));
        vm.prank(appOwner);
        hub.manageAppOrder(AppOrderOperation(a, OrderOperationEnum.SIGN, ""));
        vm.prank(datasetOwner);
        hub.manageDatasetOrder(DatasetOrderOperation(d, OrderOperationEnum.SIGN, ""));
        vm.prank(scheduler);
        hub.manageWorkerpoolOrder(WorkerpoolOrderOperation(w, OrderOperationEnum.SIGN, ""));
        vm.prank(requester);
        hub.manageRequestOrder(RequestOrderOperation(r, OrderOperationEnum.SIGN, ""));
        assertEq(
            a.sign.length + d.sign.length + w.sign.length + r.sign.length, 0, "no signature at all"
        );

        vm.prank(makeAddr("matcher"));
        bytes32 dealid = hub.matchOrders(a, d, w, r);
        bytes32 taskid = hub.initialize(dealid, 0);
        _contribute(0, taskid, keccak256("result"));
        _reveal(0, taskid, keccak256("result"));
        _finalize(taskid, "ipfs://result");
        assertEq(
            uint256(hub.viewTask(taskid).status), uint256(TaskStatusEnum.COMPLETED), "completed"
        );
        assertEq(hub.balanceOf(datasetOwner), INITIAL_DEPOSIT + DATASET_PRICE, "dataset owner paid");

        // a second request, signed off-chain, then cancelled by its requester
        AppOrder memory a2 = _sign(_appOrder(APP_PRICE, 5));
        RequestOrder memory r2 = _sign(_requestOrder(a2, _noDataset(), w, 1));
        vm.expectEmit(address(hub));
        emit IPocoEvents.ClosedRequestOrder(_hash(r2));
        vm.prank(requester);
        hub.manageRequestOrder(RequestOrderOperation(r2, OrderOperationEnum.CLOSE, ""));
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.NoVolumeLeft.selector));
        hub.matchOrders(a2, _noDataset(), w, r2);

        // an app order cancelled through a signed operation relayed by someone else
        RequestOrder memory r3 = _sign(_requestOrder(a2, _noDataset(), w, 1));
        AppOrderOperation memory close = AppOrderOperation(a2, OrderOperationEnum.CLOSE, "");
        close.sign = _signDigest(appOwnerKey, _typed(hasher.hashAppOperation(close)));
        vm.prank(makeAddr("relayer"));
        hub.manageAppOrder(close);
        assertEq(hub.viewConsumed(_hash(a2)), 5, "app order closed");
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.NoVolumeLeft.selector));
        hub.matchOrders(a2, _noDataset(), w, r3);
        _assertConservation();
    }

    /// 9. A deal with a callback: at finalization the hub calls the consumer contract with the
    /// callback data, which must hash to the agreed result digest; `resultFor` serves it.
    function test_09_callback() public {
        ResultConsumer consumer = new ResultConsumer();
        AppOrder memory a = _sign(_appOrder(APP_PRICE, 1));
        WorkerpoolOrder memory w = _sign(_workerpoolOrder(POOL_PRICE, 1, 1));
        RequestOrder memory r = _requestOrder(a, _noDataset(), w, 1);
        r.callback = address(consumer);
        r = _sign(r);
        bytes32 dealid = hub.matchOrders(a, _noDataset(), w, r);
        bytes32 taskid = hub.initialize(dealid, 0);
        bytes memory data = abi.encode(uint256(42), "the answer");
        bytes32 digest = keccak256(data); // the "web3" result digest

        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.TaskPending.selector, taskid));
        hub.resultFor(taskid);
        _contribute(0, taskid, digest);
        _reveal(0, taskid, digest);

        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.CallbackDataMismatch.selector, taskid));
        vm.prank(scheduler);
        hub.finalize(taskid, "ipfs://result", abi.encode(uint256(41)));

        vm.expectCall(address(consumer), abi.encodeCall(consumer.receiveResult, (taskid, data)));
        vm.expectEmit(address(consumer));
        emit ResultConsumer.ResultReceived(address(hub), taskid, data);
        vm.prank(scheduler);
        hub.finalize(taskid, "ipfs://result", data);

        assertEq(consumer.count(), 1, "called once");
        assertEq(consumer.lastCaller(), address(hub), "called by the hub");
        assertEq(consumer.lastTaskId(), taskid, "task id");
        assertEq(consumer.lastResultHash(), keccak256(data), "callback data");
        assertEq(hub.resultFor(taskid), data, "resultFor");
        assertEq(hub.viewTask(taskid).resultsCallback, data, "stored");
        assertEq(hub.balanceOf(workers[0]), INITIAL_DEPOSIT + WORKER_REWARD, "worker paid");
        _assertConservation();
    }

    /// 10. One deal of ten tasks: all initialized in one call, each completed by a worker.
    function test_10_tenTaskDeal() public {
        uint256 volume = 10;
        bytes32 dealid = _matchDeal(APP_PRICE, POOL_PRICE, volume, 1);
        assertEq(hub.viewDeal(dealid).botSize, volume, "ten tasks");
        assertEq(hub.frozenOf(requester), volume * (APP_PRICE + POOL_PRICE), "ten payments locked");
        assertEq(hub.frozenOf(scheduler), volume * STAKE, "ten stakes locked");

        bytes32[] memory dealids = new bytes32[](volume);
        uint256[] memory idxs = new uint256[](volume);
        for (uint256 i = 0; i < volume; ++i) {
            dealids[i] = dealid;
            idxs[i] = i;
            vm.expectEmit(address(hub));
            emit IPocoEvents.TaskInitialize(_taskId(dealid, i), workerpool);
        }
        assertTrue(hub.initializeArray(dealids, idxs), "initializeArray");

        for (uint256 i = 0; i < volume; ++i) {
            bytes32 taskid = _taskId(dealid, i);
            bytes32 digest = keccak256(abi.encode("result", i));
            assertEq(uint256(hub.viewTask(taskid).status), uint256(TaskStatusEnum.ACTIVE), "active");
            _contribute(i % workers.length, taskid, digest);
            _reveal(i % workers.length, taskid, digest);
            _finalize(taskid, bytes(string.concat("ipfs://result/", vm.toString(i))));
        }

        for (uint256 i = 0; i < volume; ++i) {
            Task memory task = hub.viewTask(_taskId(dealid, i));
            assertEq(uint256(task.status), uint256(TaskStatusEnum.COMPLETED), "completed");
            assertEq(task.idx, i, "index");
        }
        assertEq(
            hub.balanceOf(requester),
            INITIAL_DEPOSIT - volume * (APP_PRICE + POOL_PRICE),
            "requester"
        );
        assertEq(hub.frozenOf(requester), 0, "requester nothing frozen");
        assertEq(hub.balanceOf(appOwner), INITIAL_DEPOSIT + volume * APP_PRICE, "app owner");
        assertEq(
            hub.balanceOf(scheduler),
            INITIAL_DEPOSIT + volume * (POOL_PRICE - WORKER_REWARD),
            "scheduler"
        );
        assertEq(hub.frozenOf(scheduler), 0, "scheduler stakes back");
        for (uint256 w = 0; w < workers.length; ++w) {
            assertEq(
                hub.balanceOf(workers[w]), INITIAL_DEPOSIT + 2 * WORKER_REWARD, "two tasks each"
            );
        }
        _assertConservation();
    }

    /// 11. The worked example of spec section 8.5, in nRLC: pool price 100, app 5, dataset 3,
    /// default policies, trust 3, fresh workers. C votes Y first; A, B and D vote X (D's vote
    /// reaches consensus: group 8, total 11, 24 > 22); A, B, D reveal; the scheduler finalizes.
    function test_11_workedExampleOfTheSpec() public {
        AppOrder memory a = _sign(_appOrder(5, 1));
        DatasetOrder memory d = _sign(_datasetOrder(3, 1));
        WorkerpoolOrder memory w = _sign(_workerpoolOrder(100, 1, 3));
        RequestOrder memory r = _sign(_requestOrder(a, d, w, 1));
        bytes32 dealid = hub.matchOrders(a, d, w, r);
        assertEq(hub.frozenOf(requester), 108, "payer locks 108");
        assertEq(hub.frozenOf(scheduler), 30, "scheduler locks 30");

        bytes32 taskid = hub.initialize(dealid, 0);
        (uint256 A, uint256 B, uint256 C, uint256 D) = (0, 1, 2, 3);
        bytes32 x = keccak256("X");
        _contribute(C, taskid, keccak256("Y"));
        _contribute(A, taskid, x);
        _contribute(B, taskid, x);
        assertEq(
            uint256(hub.viewTask(taskid).status), uint256(TaskStatusEnum.ACTIVE), "12 > 14 fails"
        );
        _contribute(D, taskid, x);
        assertEq(uint256(hub.viewTask(taskid).status), uint256(TaskStatusEnum.REVEALING), "24 > 22");
        assertEq(hub.frozenOf(workers[C]), 30, "each worker locks 30");
        _reveal(A, taskid, x);
        _reveal(B, taskid, x);
        _reveal(D, taskid, x);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Seize(requester, 108, taskid);
        vm.expectEmit(address(hub));
        emit IPocoEvents.FaultyContribution(workers[C], taskid);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Reward(scheduler, 4, taskid);
        _finalize(taskid, "ipfs://result");

        assertEq(hub.balanceOf(requester), INITIAL_DEPOSIT - 108, "payer");
        assertEq(hub.balanceOf(appOwner), INITIAL_DEPOSIT + 5, "app owner +5");
        assertEq(hub.balanceOf(datasetOwner), INITIAL_DEPOSIT + 3, "dataset owner +3");
        uint256[3] memory winners = [A, B, D];
        for (uint256 i = 0; i < 3; ++i) {
            assertEq(
                hub.balanceOf(workers[winners[i]]),
                INITIAL_DEPOSIT + 42,
                "floor(128 / 3) = 42, stake back"
            );
            assertEq(hub.frozenOf(workers[winners[i]]), 0, "nothing frozen");
            assertEq(hub.viewScore(workers[winners[i]]), 1, "score +1");
        }
        assertEq(hub.balanceOf(workers[C]), INITIAL_DEPOSIT - 30, "C loses its stake");
        assertEq(hub.frozenOf(workers[C]), 0, "C nothing frozen");
        assertEq(hub.balanceOf(scheduler), INITIAL_DEPOSIT + 4, "scheduler: 130 - 126, stake back");
        assertEq(hub.frozenOf(scheduler), 0, "scheduler nothing frozen");
        _assertConservation();
    }
}
