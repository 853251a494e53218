// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {ResultConsumer} from "../../mocks/ResultConsumer.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";

/// ERC-1154 oracle getter: the callback data of a completed task, `TaskPending` otherwise.
contract PocoViewsResultForTest is PocoUnitFixture {
    function _expectPending(bytes32 taskid) private {
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.TaskPending.selector, taskid));
        hub.resultFor(taskid);
    }

    function test_pendingUntilCompleted() public {
        ResultConsumer consumer = new ResultConsumer();
        Orders memory o = _orders(1, 1, false);
        o.request.callback = address(consumer);
        bytes32 dealid = _match(_signAll(o));
        bytes32 taskid = _taskId(dealid, 0);
        bytes memory data = abi.encode(uint256(42), "answer");
        bytes32 digest = keccak256(data);

        _expectPending(taskid); // UNSET
        hub.initialize(dealid, 0);
        _expectPending(taskid); // ACTIVE
        _contribute(0, taskid, digest);
        _expectPending(taskid); // REVEALING
        _reveal(0, taskid, digest);
        vm.prank(scheduler);
        hub.finalize(taskid, "ipfs://result", data);

        assertEq(hub.resultFor(taskid), data, "callback data");
        assertEq(consumer.lastResultHash(), keccak256(data), "the consumer got the same");
    }

    /// A completed task without callback has empty callback data.
    function test_emptyWithoutCallback() public {
        bytes32 taskid = _completeTask(_matchDeal(APP_PRICE, POOL_PRICE, 1, 1), 0, DIGEST, "");
        assertEq(hub.resultFor(taskid).length, 0, "empty");
    }

    function test_pendingOnceFailed() public {
        bytes32 taskid = hub.initialize(_matchDeal(APP_PRICE, POOL_PRICE, 1, 1), 0);
        vm.warp(block.timestamp + 10 * 300);
        hub.claim(taskid);
        _expectPending(taskid);
    }

    function test_unknownTask() public {
        _expectPending(keccak256("no task"));
    }
}
