// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {AppOrder} from "../../../src/libs/PocoTypes.sol";

contract PocoModuleBroadcastAppOrderTest is PocoUnitFixture {
    /// The whole order, `sign` included, is published; nothing is checked or stored.
    function test_emitsTheFullOrder() public {
        AppOrder memory a = _sign(_appOrder(APP_PRICE, 3));
        a.tag = bytes32(uint256(0x101));
        a.datasetrestrict = dataset;
        a.workerpoolrestrict = workerpool;
        a.requesterrestrict = requester;
        vm.expectEmit(address(hub));
        emit IPocoEvents.BroadcastAppOrder(a);
        vm.recordLogs(); // after the expected event, which the test contract itself emits
        vm.prank(stranger);
        hub.broadcastAppOrder(a);
        assertEq(vm.getRecordedLogs().length, 1, "one event");
        assertEq(hub.viewPresigned(_hash(a)), address(0), "not presigned");
        assertEq(hub.viewConsumed(_hash(a)), 0, "not consumed");
    }

    /// Unsigned or invalid orders are published as they are.
    function test_noCheck() public {
        AppOrder memory a = _appOrder(APP_PRICE, 0);
        a.app = address(0xdead);
        a.sign = hex"01";
        vm.expectEmit(address(hub));
        emit IPocoEvents.BroadcastAppOrder(a);
        hub.broadcastAppOrder(a);
    }

    function testFuzz_broadcast(AppOrder memory a) public {
        vm.expectEmit(address(hub));
        emit IPocoEvents.BroadcastAppOrder(a);
        hub.broadcastAppOrder(a);
    }
}
