// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {IRegistryErrors} from "../../../src/interfaces/IRegistries.sol";
import {Workerpool} from "../../../src/registries/Workerpool.sol";

/// Initialization through the registry is covered by WorkerpoolRegistry/createWorkerpool.t.sol.
contract WorkerpoolInitializeTest is RegistriesFixture {
    function test_revertsWhenCallerIsNotTheRegistry() public {
        Workerpool workerpool = _createWorkerpool(alice, "pool");
        vm.expectRevert(abi.encodeWithSelector(IRegistryErrors.NotRegistry.selector, alice));
        vm.prank(alice);
        workerpool.initialize("other");
        assertEq(workerpool.m_workerpoolDescription(), "pool", "unchanged");
    }

    function test_revertsOnTheMaster() public {
        Workerpool master = Workerpool(workerpoolRegistry.master());
        vm.expectRevert(abi.encodeWithSelector(IRegistryErrors.NotRegistry.selector, address(this)));
        master.initialize("other");
    }
}
