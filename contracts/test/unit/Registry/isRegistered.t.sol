// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {AppRegistry} from "../../../src/registries/AppRegistry.sol";
import {Registry} from "../../../src/registries/Registry.sol";

contract RegistryIsRegisteredTest is RegistriesFixture {
    function test_trueForEntriesOfThisRegistry() public {
        Registry[3] memory registries = _registries();
        for (uint256 i; i < registries.length; ++i) {
            address entry = _createEntry(registries[i], alice, "entry");
            assertTrue(registries[i].isRegistered(entry), "created entry");
        }
    }

    function test_falseForOtherAddresses() public {
        address app = address(_createApp(alice, "app"));
        Registry[3] memory registries = _registries();
        for (uint256 i; i < registries.length; ++i) {
            assertFalse(registries[i].isRegistered(address(0)), "zero");
            assertFalse(registries[i].isRegistered(alice), "account");
            assertFalse(registries[i].isRegistered(registries[i].master()), "master");
            assertFalse(registries[i].isRegistered(address(registries[i])), "registry itself");
        }
        assertFalse(datasetRegistry.isRegistered(app), "app in the dataset registry");
        assertFalse(workerpoolRegistry.isRegistered(app), "app in the workerpool registry");
    }

    function test_followsThePreviousChain() public {
        AppRegistry oldest = new AppRegistry(registryOwner, "");
        AppRegistry old = new AppRegistry(registryOwner, "");
        vm.startPrank(registryOwner);
        old.initialize(address(oldest));
        appRegistry.initialize(address(old));
        vm.stopPrank();

        address inOldest = oldest.createApp(alice, "oldest", "DOCKER", "", bytes32(0), "");
        address inOld = old.createApp(alice, "old", "DOCKER", "", bytes32(0), "");
        address inCurrent = address(_createApp(alice, "current"));

        assertTrue(appRegistry.isRegistered(inOldest), "two registries back");
        assertTrue(appRegistry.isRegistered(inOld), "one registry back");
        assertTrue(appRegistry.isRegistered(inCurrent), "this registry");
        assertTrue(old.isRegistered(inOldest), "old sees oldest");
        assertFalse(old.isRegistered(inCurrent), "the chain only goes back");
        assertFalse(oldest.isRegistered(inOld), "oldest has no previous");
        assertFalse(appRegistry.isRegistered(bob), "unknown address");
    }

    function test_zeroPreviousChainsNothing() public {
        vm.prank(registryOwner);
        appRegistry.initialize(address(0));
        assertFalse(appRegistry.isRegistered(alice), "unknown address");
    }

    function testFuzz_falseForUnknownAddresses(address entry) public view {
        Registry[3] memory registries = _registries();
        for (uint256 i; i < registries.length; ++i) {
            assertFalse(registries[i].isRegistered(entry), "nothing created");
        }
    }
}
