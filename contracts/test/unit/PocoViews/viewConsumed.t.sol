// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {OrderOperationEnum} from "../../../src/libs/PocoTypes.sol";

contract PocoViewsViewConsumedTest is PocoUnitFixture {
    function test_zeroForUnknownOrders() public view {
        assertEq(hub.viewConsumed(keccak256("order")), 0, "unknown");
    }

    /// Every order of a match is consumed by the deal volume; the dataset order only when used.
    function test_countsTasksAllocated() public {
        Orders memory o = _signAll(_orders(5, 1, true));
        o.app.volume = 3;
        o.app = _sign(o.app);
        _match(o);
        assertEq(hub.viewConsumed(_hash(o.app)), 3, "app: its whole volume");
        assertEq(hub.viewConsumed(_hash(o.dataset)), 3, "dataset");
        assertEq(hub.viewConsumed(_hash(o.workerpool)), 3, "workerpool");
        assertEq(hub.viewConsumed(_hash(o.request)), 3, "request");
        assertEq(
            hub.viewConsumed(hasher.hashRequest(o.request)),
            0,
            "keyed by the typed digest, not the struct hash"
        );
    }

    function test_noDatasetOrderConsumedWithoutDataset() public {
        Orders memory o = _signAll(_orders(2, 1, false));
        _match(o);
        assertEq(hub.viewConsumed(_hash(o.dataset)), 0, "empty dataset order untouched");
        assertEq(hub.viewConsumed(bytes32(0)), 0, "zero hash untouched");
    }

    function test_volumeOnceClosed() public {
        Orders memory o = _orders(9, 1, false);
        vm.prank(requester);
        hub.manageRequestOrder(_operation(o.request, OrderOperationEnum.CLOSE, 0));
        assertEq(hub.viewConsumed(_hash(o.request)), 9, "closed");
    }
}
