// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {OrderOperationEnum} from "../../../src/libs/PocoTypes.sol";

/// The volume a match would get now: the smallest remaining volume of the orders (the dataset
/// order only when it names a dataset); 0 instead of a revert when nothing is left.
contract PocoViewsComputeDealVolumeTest is PocoUnitFixture {
    function _volume(Orders memory o) private view returns (uint256) {
        return hub.computeDealVolume(o.app, o.dataset, o.workerpool, o.request);
    }

    function test_smallestVolume() public {
        Orders memory o = _orders(10, 1, true);
        assertEq(_volume(o), 10, "all equal");
        o.app.volume = 7;
        assertEq(_volume(o), 7, "app");
        o.dataset.volume = 6;
        assertEq(_volume(o), 6, "dataset");
        o.workerpool.volume = 5;
        assertEq(_volume(o), 5, "workerpool");
        o.request.volume = 4;
        assertEq(_volume(o), 4, "request");
    }

    function test_ignoresTheDatasetOrderWithoutDataset() public {
        Orders memory o = _orders(8, 1, false);
        o.dataset.volume = 0;
        assertEq(_volume(o), 8, "dataset volume ignored");
    }

    /// Signatures and compatibility are not checked: unsigned orders are fine.
    function test_noSignatureCheck() public {
        Orders memory o = _orders(3, 1, false);
        o.app.sign = hex"00";
        o.workerpool.category = 4;
        assertEq(_volume(o), 3, "volume only");
    }

    function test_subtractsConsumption() public {
        Orders memory o = _signAll(_orders(10, 1, true));
        o.app.volume = 4;
        o.app = _sign(o.app);
        _match(o);
        assertEq(_volume(o), 0, "app order used up: 0, no revert");
        o.app = _sign(_appOrder(APP_PRICE, 100));
        assertEq(_volume(o), 6, "rest of the other orders");
        assertEq(_match(o) != bytes32(0), true, "match agrees");
        assertEq(
            hub.viewDeal(keccak256(abi.encodePacked(_hash(o.request), uint256(4)))).botSize,
            6,
            "same volume"
        );
    }

    function test_zeroOnceClosed() public {
        Orders memory o = _orders(10, 1, false);
        vm.prank(scheduler);
        hub.manageWorkerpoolOrder(_operation(o.workerpool, OrderOperationEnum.CLOSE, 0));
        assertEq(_volume(o), 0, "closed workerpool order");
    }

    function test_zeroForZeroVolume() public {
        Orders memory o = _orders(10, 1, false);
        o.request.volume = 0;
        assertEq(_volume(o), 0, "zero");
    }

    function testFuzz_computeDealVolume(uint256 a, uint256 d, uint256 w, uint256 r) public {
        Orders memory o = _orders(1, 1, true);
        o.app.volume = a;
        o.dataset.volume = d;
        o.workerpool.volume = w;
        o.request.volume = r;
        uint256 expected = a;
        if (d < expected) expected = d;
        if (w < expected) expected = w;
        if (r < expected) expected = r;
        assertEq(_volume(o), expected, "minimum");
    }
}
