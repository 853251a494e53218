// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoHubFixture} from "../../utils/PocoHubFixture.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {TaskStatusEnum} from "../../../src/libs/PocoTypes.sol";

/// @title claimArray: claims several expired tasks, all or nothing (spec §7.9).
contract PocoHubClaimArrayTest is PocoHubFixture {
    bytes32 private dealid;
    bytes32[] private taskids;

    function setUp() public override {
        super.setUp();
        dealid = _matchDeal(APP_PRICE, POOL_PRICE, 3, 1);
        for (uint256 i = 0; i < 3; ++i) {
            taskids.push(hub.initialize(dealid, i));
        }
    }

    /// 1. Claims every task and returns true.
    function test_01_claimsEveryTask() public {
        vm.warp(hub.viewTask(taskids[0]).finalDeadline);
        for (uint256 i = 0; i < 3; ++i) {
            vm.expectEmit(address(hub));
            emit IPocoEvents.TaskClaimed(taskids[i]);
        }
        vm.prank(stranger);
        assertTrue(hub.claimArray(taskids), "returns true");
        for (uint256 i = 0; i < 3; ++i) {
            _assertStatus(taskids[i], TaskStatusEnum.FAILED, "FAILED");
        }
        assertEq(_free(requester), INITIAL_DEPOSIT, "requester refunded");
        assertEq(_frozen(KITTY), 3 * STAKE, "kitty");
        _assertConservation();
    }

    /// 2. Empty array: nothing, true.
    function test_02_emptyArray() public {
        assertTrue(hub.claimArray(new bytes32[](0)), "returns true");
    }

    /// 3. One task that cannot be claimed (completed, uninitialized, twice listed) reverts all.
    function test_03_oneFailureRevertsAll() public {
        _contribute(0, taskids[1], DIGEST);
        _reveal(0, taskids[1], DIGEST);
        _finalize(taskids[1], "");
        vm.warp(hub.viewTask(taskids[0]).finalDeadline);

        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, taskids[1], TaskStatusEnum.COMPLETED
            )
        );
        hub.claimArray(taskids);

        bytes32[] memory list = new bytes32[](2);
        list[0] = taskids[0];
        list[1] = keccak256("never initialized");
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, list[1], TaskStatusEnum.UNSET
            )
        );
        hub.claimArray(list);

        list[1] = taskids[0];
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.TaskStatusInvalid.selector, taskids[0], TaskStatusEnum.FAILED
            )
        );
        hub.claimArray(list);

        _assertStatus(taskids[0], TaskStatusEnum.ACTIVE, "rolled back");
        assertEq(_frozen(KITTY), 0, "kitty untouched");
    }

    /// 4. Before the final deadline, nothing is claimed.
    function test_04_revertsBeforeTheFinalDeadline() public {
        uint256 deadline = hub.viewTask(taskids[0]).finalDeadline;
        vm.warp(deadline - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.FinalDeadlineNotReached.selector, taskids[0], deadline
            )
        );
        hub.claimArray(taskids);
    }
}
