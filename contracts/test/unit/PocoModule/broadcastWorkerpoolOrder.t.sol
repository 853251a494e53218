// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {WorkerpoolOrder} from "../../../src/libs/PocoTypes.sol";

contract PocoModuleBroadcastWorkerpoolOrderTest is PocoUnitFixture {
    function test_emitsTheFullOrder() public {
        WorkerpoolOrder memory w = _sign(_workerpoolOrder(POOL_PRICE, 3, 5));
        w.tag = bytes32(uint256(3));
        w.category = 4;
        w.apprestrict = app;
        w.datasetrestrict = dataset;
        w.requesterrestrict = requester;
        vm.expectEmit(address(hub));
        emit IPocoEvents.BroadcastWorkerpoolOrder(w);
        vm.recordLogs(); // after the expected event, which the test contract itself emits
        vm.prank(stranger);
        hub.broadcastWorkerpoolOrder(w);
        assertEq(vm.getRecordedLogs().length, 1, "one event");
        assertEq(hub.viewConsumed(_hash(w)), 0, "not consumed");
    }

    function testFuzz_broadcast(WorkerpoolOrder memory w) public {
        vm.expectEmit(address(hub));
        emit IPocoEvents.BroadcastWorkerpoolOrder(w);
        hub.broadcastWorkerpoolOrder(w);
    }
}
