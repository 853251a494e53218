// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IWorkerpool} from "../../../src/interfaces/IRegistries.sol";
import {WorkerpoolInfo} from "../../../src/libs/PocoTypes.sol";

contract PocoViewsViewWorkerpoolTest is PocoUnitFixture {
    function test_registrationDataAndDefaultPolicies() public view {
        WorkerpoolInfo memory info = hub.viewWorkerpool(workerpool);
        assertEq(info.owner, scheduler, "owner");
        assertEq(info.m_workerpoolDescription, "pool", "description");
        assertEq(info.m_workerStakeRatioPolicy, 30, "default worker stake ratio");
        assertEq(info.m_schedulerRewardRatioPolicy, 1, "default scheduler reward ratio");
    }

    function test_currentPolicies() public {
        vm.prank(scheduler);
        IWorkerpool(workerpool).changePolicy(55, 12);
        WorkerpoolInfo memory info = hub.viewWorkerpool(workerpool);
        assertEq(info.m_workerStakeRatioPolicy, 55, "worker stake ratio");
        assertEq(info.m_schedulerRewardRatioPolicy, 12, "scheduler reward ratio");
    }

    function test_revertsForANonWorkerpool() public {
        vm.expectRevert();
        hub.viewWorkerpool(stranger);
    }
}
