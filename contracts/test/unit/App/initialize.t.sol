// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {IRegistryErrors} from "../../../src/interfaces/IRegistries.sol";
import {App} from "../../../src/registries/App.sol";

/// Initialization through the registry is covered by AppRegistry/createApp.t.sol.
contract AppInitializeTest is RegistriesFixture {
    function test_revertsWhenCallerIsNotTheRegistry() public {
        App app = _createApp(alice, "app");
        vm.expectRevert(abi.encodeWithSelector(IRegistryErrors.NotRegistry.selector, alice));
        vm.prank(alice);
        app.initialize("other", "DOCKER", "", bytes32(0), "");
        assertEq(app.m_appName(), "app", "unchanged");
    }

    function test_revertsOnTheMaster() public {
        App master = App(appRegistry.master());
        vm.expectRevert(abi.encodeWithSelector(IRegistryErrors.NotRegistry.selector, address(this)));
        master.initialize("other", "DOCKER", "", bytes32(0), "");
    }

    function test_revertsWhenCalledByAnotherRegistry() public {
        App app = _createApp(alice, "app");
        vm.expectRevert(
            abi.encodeWithSelector(IRegistryErrors.NotRegistry.selector, address(datasetRegistry))
        );
        vm.prank(address(datasetRegistry));
        app.initialize("other", "DOCKER", "", bytes32(0), "");
    }
}
