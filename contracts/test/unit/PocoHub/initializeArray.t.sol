// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoHubFixture} from "../../utils/PocoHubFixture.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {TaskStatusEnum} from "../../../src/libs/PocoTypes.sol";

/// @title initializeArray: initializes several tasks, all or nothing (spec §7.9).
contract PocoHubInitializeArrayTest is PocoHubFixture {
    bytes32 private dealA;
    bytes32 private dealB;

    function setUp() public override {
        super.setUp();
        dealA = _matchDeal(APP_PRICE, POOL_PRICE, 3, 1);
        dealB = _matchDeal(APP_PRICE, POOL_PRICE, 2, 1);
    }

    /// 1. Initializes every (deal, index) pair, across deals, and returns true.
    function test_01_initializesEveryTask() public {
        bytes32[] memory dealids = new bytes32[](4);
        uint256[] memory idxs = new uint256[](4);
        (dealids[0], idxs[0]) = (dealA, 0);
        (dealids[1], idxs[1]) = (dealA, 2);
        (dealids[2], idxs[2]) = (dealB, 1);
        (dealids[3], idxs[3]) = (dealB, 0);
        for (uint256 i = 0; i < 4; ++i) {
            vm.expectEmit(address(hub));
            emit IPocoEvents.TaskInitialize(_taskId(dealids[i], idxs[i]), workerpool);
        }
        vm.prank(stranger);
        assertTrue(hub.initializeArray(dealids, idxs), "returns true");
        for (uint256 i = 0; i < 4; ++i) {
            _assertStatus(_taskId(dealids[i], idxs[i]), TaskStatusEnum.ACTIVE, "initialized");
        }
        _assertStatus(_taskId(dealA, 1), TaskStatusEnum.UNSET, "not listed, not initialized");
    }

    /// 2. Empty arrays do nothing and return true.
    function test_02_emptyArrays() public {
        assertTrue(hub.initializeArray(new bytes32[](0), new uint256[](0)), "returns true");
    }

    /// 3. Arrays of different lengths revert ArrayLengthMismatch.
    function test_03_revertsOnLengthMismatch() public {
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.ArrayLengthMismatch.selector, 2, 1));
        hub.initializeArray(new bytes32[](2), new uint256[](1));
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.ArrayLengthMismatch.selector, 0, 3));
        hub.initializeArray(new bytes32[](0), new uint256[](3));
    }

    /// 4. One failing item (out of range, unknown deal, twice the same task) reverts everything.
    function test_04_oneFailureRevertsAll() public {
        bytes32[] memory dealids = new bytes32[](2);
        uint256[] memory idxs = new uint256[](2);
        (dealids[0], idxs[0]) = (dealA, 0);

        (dealids[1], idxs[1]) = (dealA, 3);
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.TaskIndexOutOfRange.selector, dealA, 3, 0, 3)
        );
        hub.initializeArray(dealids, idxs);

        (dealids[1], idxs[1]) = (bytes32(0), 0);
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.DealNotFound.selector, bytes32(0)));
        hub.initializeArray(dealids, idxs);

        (dealids[1], idxs[1]) = (dealA, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, _taskId(dealA, 0), TaskStatusEnum.ACTIVE
            )
        );
        hub.initializeArray(dealids, idxs);

        _assertStatus(_taskId(dealA, 0), TaskStatusEnum.UNSET, "first item rolled back");
    }
}
