// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

contract PocoViewsViewScoreTest is PocoUnitFixture {
    function test_zeroByDefault() public view {
        assertEq(hub.viewScore(workers[0]), 0, "fresh worker");
        assertEq(hub.viewScore(stranger), 0, "anyone");
    }

    /// +1 for each proved contribution of a replicated task, x2/3 for each faulty one. At trust 3
    /// one dissent needs three agreeing fresh workers.
    function test_followsReplicatedTasks() public {
        _setScore(workers[2], 10);
        bytes32 taskid = hub.initialize(_matchDeal(APP_PRICE, POOL_PRICE, 1, 3), 0);
        _contribute(2, taskid, keccak256("wrong"));
        _contribute(0, taskid, DIGEST);
        _contribute(1, taskid, DIGEST);
        _contribute(3, taskid, DIGEST);
        _reveal(0, taskid, DIGEST);
        _reveal(1, taskid, DIGEST);
        _reveal(3, taskid, DIGEST);
        _finalize(taskid, "");
        assertEq(hub.viewScore(workers[0]), 1, "winner");
        assertEq(hub.viewScore(workers[1]), 1, "winner");
        assertEq(hub.viewScore(workers[3]), 1, "winner");
        assertEq(hub.viewScore(workers[2]), 6, "loser: floor(10 * 2 / 3)");
    }

    /// A single contributor gains nothing (spec section 9).
    function test_unchangedForASingleContributor() public {
        _completeTask(_matchDeal(APP_PRICE, POOL_PRICE, 1, 1), 0, DIGEST, "");
        assertEq(hub.viewScore(workers[0]), 0, "no score");
    }

    /// The score shares its storage word with the balances: moving funds does not touch it.
    function test_independentOfBalances() public {
        _setScore(workers[3], 1234);
        vm.prank(workers[3]);
        hub.withdraw(INITIAL_DEPOSIT);
        assertEq(hub.viewScore(workers[3]), 1234, "kept");
    }
}
