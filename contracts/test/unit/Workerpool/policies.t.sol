// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {Workerpool} from "../../../src/registries/Workerpool.sol";

/// Also covers the getters `m_workerStakeRatioPolicy()` and `m_schedulerRewardRatioPolicy()`.
contract WorkerpoolPoliciesTest is RegistriesFixture {
    Workerpool private workerpool;

    function setUp() public override {
        super.setUp();
        workerpool = _createWorkerpool(alice, "pool");
    }

    function test_defaultsTo30And1() public view {
        (uint256 workerStakeRatio, uint256 schedulerRewardRatio) = workerpool.policies();
        assertEq(workerStakeRatio, 30, "worker stake ratio");
        assertEq(schedulerRewardRatio, 1, "scheduler reward ratio");
        assertEq(workerpool.m_workerStakeRatioPolicy(), 30, "m_workerStakeRatioPolicy");
        assertEq(workerpool.m_schedulerRewardRatioPolicy(), 1, "m_schedulerRewardRatioPolicy");
    }

    function test_matchesTheSingleGetters() public {
        vm.prank(alice);
        workerpool.changePolicy(77, 33);
        (uint256 workerStakeRatio, uint256 schedulerRewardRatio) = workerpool.policies();
        assertEq(workerStakeRatio, workerpool.m_workerStakeRatioPolicy(), "worker stake ratio");
        assertEq(
            schedulerRewardRatio,
            workerpool.m_schedulerRewardRatioPolicy(),
            "scheduler reward ratio"
        );
    }

    /// What the hub pays at match time: a cold clone delegating to a cold master, one cold slot.
    function test_gas() public {
        Workerpool pool = workerpool;
        uint256 gasBefore = gasleft();
        pool.policies();
        emit log_named_uint("workerpool.policies() (cold)", gasBefore - gasleft());
        gasBefore = gasleft();
        pool.policies();
        emit log_named_uint("workerpool.policies() (warm)", gasBefore - gasleft());
        gasBefore = gasleft();
        pool.owner();
        emit log_named_uint("workerpool.owner() (warm entry, cold registry)", gasBefore - gasleft());
    }
}
