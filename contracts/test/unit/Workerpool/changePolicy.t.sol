// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {IRegistryErrors, IWorkerpool} from "../../../src/interfaces/IRegistries.sol";
import {Workerpool} from "../../../src/registries/Workerpool.sol";

contract WorkerpoolChangePolicyTest is RegistriesFixture {
    Workerpool private workerpool;

    function setUp() public override {
        super.setUp();
        workerpool = _createWorkerpool(alice, "pool");
    }

    function test_setsBothPolicies() public {
        vm.expectEmit(address(workerpool));
        emit IWorkerpool.PolicyUpdate(30, 45, 1, 7);
        vm.prank(alice);
        workerpool.changePolicy(45, 7);
        _assertPolicies(45, 7);

        vm.expectEmit(address(workerpool));
        emit IWorkerpool.PolicyUpdate(45, 0, 7, 100);
        vm.prank(alice);
        workerpool.changePolicy(0, 100);
        _assertPolicies(0, 100);
    }

    function test_canRestoreTheDefaults() public {
        vm.startPrank(alice);
        workerpool.changePolicy(50, 50);
        vm.expectEmit(address(workerpool));
        emit IWorkerpool.PolicyUpdate(50, 30, 50, 1);
        workerpool.changePolicy(30, 1);
        vm.stopPrank();
        _assertPolicies(30, 1);
    }

    /// As in the reference, the worker stake ratio is not capped at 100%.
    function test_workerStakeRatioIsNotBounded() public {
        vm.startPrank(alice);
        workerpool.changePolicy(1000, 0);
        _assertPolicies(1000, 0);
        workerpool.changePolicy(type(uint248).max, 0);
        _assertPolicies(type(uint248).max, 0);
        vm.stopPrank();
    }

    function test_revertsWhenCallerIsNotTheOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistryErrors.NotEntryOwner.selector, bob, alice));
        vm.prank(bob);
        workerpool.changePolicy(40, 2);
        _assertPolicies(30, 1);
    }

    function test_revertsWhenSchedulerRewardRatioAbove100() public {
        vm.expectRevert(
            abi.encodeWithSelector(IRegistryErrors.SchedulerRewardRatioTooHigh.selector, 101)
        );
        vm.prank(alice);
        workerpool.changePolicy(40, 101);
        _assertPolicies(30, 1);
    }

    function test_revertsWhenWorkerStakeRatioDoesNotFit248Bits() public {
        uint256 ratio = uint256(type(uint248).max) + 1;
        vm.expectRevert(
            abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintDowncast.selector, 248, ratio)
        );
        vm.prank(alice);
        workerpool.changePolicy(ratio, 1);
    }

    function testFuzz_changePolicy(uint256 workerStakeRatio, uint256 schedulerRewardRatio) public {
        workerStakeRatio = bound(workerStakeRatio, 0, type(uint248).max);
        schedulerRewardRatio = bound(schedulerRewardRatio, 0, 100);
        vm.expectEmit(address(workerpool));
        emit IWorkerpool.PolicyUpdate(30, workerStakeRatio, 1, schedulerRewardRatio);
        vm.prank(alice);
        workerpool.changePolicy(workerStakeRatio, schedulerRewardRatio);
        _assertPolicies(workerStakeRatio, schedulerRewardRatio);
    }

    function testFuzz_revertsWhenSchedulerRewardRatioAbove100(uint256 schedulerRewardRatio) public {
        schedulerRewardRatio = bound(schedulerRewardRatio, 101, type(uint256).max);
        vm.expectRevert(
            abi.encodeWithSelector(
                IRegistryErrors.SchedulerRewardRatioTooHigh.selector, schedulerRewardRatio
            )
        );
        vm.prank(alice);
        workerpool.changePolicy(30, schedulerRewardRatio);
    }

    function _assertPolicies(uint256 workerStakeRatio, uint256 schedulerRewardRatio) private view {
        (uint256 actualWorkerStakeRatio, uint256 actualSchedulerRewardRatio) = workerpool.policies();
        assertEq(actualWorkerStakeRatio, workerStakeRatio, "policies().workerStakeRatio");
        assertEq(
            actualSchedulerRewardRatio, schedulerRewardRatio, "policies().schedulerRewardRatio"
        );
        assertEq(
            workerpool.m_workerStakeRatioPolicy(), workerStakeRatio, "m_workerStakeRatioPolicy"
        );
        assertEq(
            workerpool.m_schedulerRewardRatioPolicy(),
            schedulerRewardRatio,
            "m_schedulerRewardRatioPolicy"
        );
    }
}
