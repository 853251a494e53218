// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {AppRegistry} from "../../../src/registries/AppRegistry.sol";
import {App} from "../../../src/registries/App.sol";

contract AppRegistryConstructorTest is RegistriesFixture {
    function test_setsMetadataOwnerAndMaster() public view {
        assertEq(appRegistry.name(), "iExec Application Registry (V5)");
        assertEq(appRegistry.symbol(), "iExecAppsV5");
        assertEq(appRegistry.owner(), registryOwner, "owner");
        assertEq(appRegistry.baseURI(), "");
        assertEq(appRegistry.totalSupply(), 0, "totalSupply");
        assertFalse(appRegistry.initialized(), "initialized");
        assertEq(appRegistry.previous(), address(0), "previous");

        App master = App(appRegistry.master());
        assertGt(address(master).code.length, 0, "master has code");
        assertEq(master.registry(), address(appRegistry), "master.registry");
    }

    function test_setsInitialBaseURI() public {
        AppRegistry registry =
            new AppRegistry(registryOwner, "https://nfts-metadata.iex.ec/app/134/");
        assertEq(registry.baseURI(), "https://nfts-metadata.iex.ec/app/134/");
    }

    function test_revertsOnZeroOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
        new AppRegistry(address(0), "");
    }
}
