// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoFixture} from "../utils/PocoFixture.sol";
import {Task, TaskStatusEnum, ContributionStatusEnum, Deal} from "../../src/libs/PocoTypes.sol";

/// @title Numbered end-to-end scenarios of the classic PoCo flow.
contract FullLifecycleTest is PocoFixture {
    uint256 internal constant APP_PRICE = 5e9;
    uint256 internal constant POOL_PRICE = 100e9;

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
}
