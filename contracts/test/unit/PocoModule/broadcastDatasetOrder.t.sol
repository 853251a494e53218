// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {DatasetOrder} from "../../../src/libs/PocoTypes.sol";

contract PocoModuleBroadcastDatasetOrderTest is PocoUnitFixture {
    function test_emitsTheFullOrder() public {
        DatasetOrder memory d = _sign(_datasetOrder(DATASET_PRICE, 3));
        d.tag = bytes32(uint256(1));
        d.apprestrict = app;
        d.workerpoolrestrict = workerpool;
        d.requesterrestrict = requester;
        vm.expectEmit(address(hub));
        emit IPocoEvents.BroadcastDatasetOrder(d);
        vm.recordLogs(); // after the expected event, which the test contract itself emits
        vm.prank(stranger);
        hub.broadcastDatasetOrder(d);
        assertEq(vm.getRecordedLogs().length, 1, "one event");
        assertEq(hub.viewPresigned(_hash(d)), address(0), "not presigned");
    }

    function testFuzz_broadcast(DatasetOrder memory d) public {
        vm.expectEmit(address(hub));
        emit IPocoEvents.BroadcastDatasetOrder(d);
        hub.broadcastDatasetOrder(d);
    }
}
