// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {RequestOrder} from "../../../src/libs/PocoTypes.sol";

contract PocoModuleBroadcastRequestOrderTest is PocoUnitFixture {
    function test_emitsTheFullOrder() public {
        Orders memory o = _orders(3, 5, true);
        RequestOrder memory r = o.request;
        r.workerpool = workerpool;
        r.tag = bytes32(uint256(1));
        r.callback = makeAddr("callback");
        r.params = '{"iexec_args":"--verbose","iexec_input_files":["https://example.org/a"]}';
        r = _sign(r);
        vm.expectEmit(address(hub));
        emit IPocoEvents.BroadcastRequestOrder(r);
        vm.recordLogs(); // after the expected event, which the test contract itself emits
        vm.prank(stranger);
        hub.broadcastRequestOrder(r);
        assertEq(vm.getRecordedLogs().length, 1, "one event");
        assertEq(hub.viewPresigned(_hash(r)), address(0), "not presigned");
    }

    function testFuzz_broadcast(RequestOrder memory r) public {
        vm.expectEmit(address(hub));
        emit IPocoEvents.BroadcastRequestOrder(r);
        hub.broadcastRequestOrder(r);
    }
}
