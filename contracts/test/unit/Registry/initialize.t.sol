// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {IRegistryErrors} from "../../../src/interfaces/IRegistries.sol";
import {Registry} from "../../../src/registries/Registry.sol";

/// Also covers the getters `initialized()` and `previous()`.
contract RegistryInitializeTest is RegistriesFixture {
    function test_setsPreviousOnce() public {
        address previousRegistry = makeAddr("previous registry");
        Registry[3] memory registries = _registries();
        for (uint256 i; i < registries.length; ++i) {
            assertFalse(registries[i].initialized(), "not initialized yet");
            vm.prank(registryOwner);
            registries[i].initialize(previousRegistry);
            assertTrue(registries[i].initialized(), "initialized");
            assertEq(registries[i].previous(), previousRegistry, "previous");
        }
    }

    function test_acceptsZeroPrevious() public {
        vm.prank(registryOwner);
        appRegistry.initialize(address(0));
        assertTrue(appRegistry.initialized(), "initialized");
        assertEq(appRegistry.previous(), address(0), "previous");
    }

    function test_revertsWhenAlreadyInitialized() public {
        vm.startPrank(registryOwner);
        appRegistry.initialize(address(0));
        vm.expectRevert(abi.encodeWithSelector(IRegistryErrors.AlreadyInitialized.selector));
        appRegistry.initialize(address(datasetRegistry));
        vm.stopPrank();
        assertEq(appRegistry.previous(), address(0), "previous unchanged");
    }

    function test_revertsWhenCallerIsNotOwner() public {
        Registry[3] memory registries = _registries();
        for (uint256 i; i < registries.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice)
            );
            vm.prank(alice);
            registries[i].initialize(bob);
        }
    }
}
