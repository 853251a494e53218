// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoHubFixture} from "../../utils/PocoHubFixture.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {TaskStatusEnum} from "../../../src/libs/PocoTypes.sol";

/// @title initializeAndClaimArray: initializes then claims never-initialized expired tasks
/// (spec §7.8, §7.9).
contract PocoHubInitializeAndClaimArrayTest is PocoHubFixture {
    bytes32 private dealid;
    uint256 private finalDeadline;

    function setUp() public override {
        super.setUp();
        dealid = _matchDeal(APP_PRICE, POOL_PRICE, 3, 1);
        finalDeadline = block.timestamp + 10 * TIMEREF;
    }

    function _arrays(uint256 n)
        private
        view
        returns (bytes32[] memory dealids, uint256[] memory idxs)
    {
        dealids = new bytes32[](n);
        idxs = new uint256[](n);
        for (uint256 i = 0; i < n; ++i) {
            (dealids[i], idxs[i]) = (dealid, i);
        }
    }

    /// 1. After the final deadline: every task is initialized, then FAILED; the requester is
    /// refunded, the scheduler stakes go to the kitty.
    function test_01_initializesAndClaims() public {
        (bytes32[] memory dealids, uint256[] memory idxs) = _arrays(3);
        vm.warp(finalDeadline);
        for (uint256 i = 0; i < 3; ++i) {
            vm.expectEmit(address(hub));
            emit IPocoEvents.TaskInitialize(_taskId(dealid, i), workerpool);
            vm.expectEmit(address(hub));
            emit IPocoEvents.TaskClaimed(_taskId(dealid, i));
        }
        vm.prank(stranger);
        assertTrue(hub.initializeAndClaimArray(dealids, idxs), "returns true");

        for (uint256 i = 0; i < 3; ++i) {
            _assertStatus(_taskId(dealid, i), TaskStatusEnum.FAILED, "FAILED");
        }
        assertEq(_frozen(requester), 0, "requester unlocked");
        assertEq(_free(requester), INITIAL_DEPOSIT, "requester refunded");
        assertEq(_frozen(scheduler), 0, "scheduler stake seized");
        assertEq(_free(scheduler), INITIAL_DEPOSIT - 3 * STAKE, "scheduler lost its stakes");
        assertEq(_frozen(KITTY), 3 * STAKE, "kitty");
        _assertConservation();
    }

    /// 2. Arrays of different lengths revert ArrayLengthMismatch.
    function test_02_revertsOnLengthMismatch() public {
        vm.warp(finalDeadline);
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.ArrayLengthMismatch.selector, 1, 2));
        hub.initializeAndClaimArray(new bytes32[](1), new uint256[](2));
    }

    /// 3. Before the final deadline, the claim of the first task reverts everything.
    function test_03_revertsBeforeTheFinalDeadline() public {
        (bytes32[] memory dealids, uint256[] memory idxs) = _arrays(2);
        vm.warp(finalDeadline - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.FinalDeadlineNotReached.selector, _taskId(dealid, 0), finalDeadline
            )
        );
        hub.initializeAndClaimArray(dealids, idxs);
        _assertStatus(_taskId(dealid, 0), TaskStatusEnum.UNSET, "not even initialized");
    }

    /// 4. An already initialized task cannot go through it (use claimArray); nothing happens.
    function test_04_oneFailureRevertsAll() public {
        (bytes32[] memory dealids, uint256[] memory idxs) = _arrays(3);
        hub.initialize(dealid, 2);
        vm.warp(finalDeadline);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, _taskId(dealid, 2), TaskStatusEnum.ACTIVE
            )
        );
        hub.initializeAndClaimArray(dealids, idxs);
        _assertStatus(_taskId(dealid, 0), TaskStatusEnum.UNSET, "first rolled back");
        assertEq(_frozen(KITTY), 0, "kitty untouched");

        idxs[2] = 3;
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.TaskIndexOutOfRange.selector, dealid, 3, 0, 3)
        );
        hub.initializeAndClaimArray(dealids, idxs);
    }

    /// 5. Empty arrays do nothing and return true.
    function test_05_emptyArrays() public {
        assertTrue(hub.initializeAndClaimArray(new bytes32[](0), new uint256[](0)), "returns true");
    }
}
