// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {WorkerpoolRegistry} from "../../../src/registries/WorkerpoolRegistry.sol";
import {Workerpool} from "../../../src/registries/Workerpool.sol";

contract WorkerpoolRegistryConstructorTest is RegistriesFixture {
    function test_setsMetadataOwnerAndMaster() public view {
        assertEq(workerpoolRegistry.name(), "iExec Workerpool Registry (V5)");
        assertEq(workerpoolRegistry.symbol(), "iExecWorkerpoolV5");
        assertEq(workerpoolRegistry.owner(), registryOwner, "owner");
        assertEq(workerpoolRegistry.baseURI(), "");
        assertEq(workerpoolRegistry.totalSupply(), 0, "totalSupply");
        assertFalse(workerpoolRegistry.initialized(), "initialized");
        assertEq(workerpoolRegistry.previous(), address(0), "previous");

        Workerpool master = Workerpool(workerpoolRegistry.master());
        assertGt(address(master).code.length, 0, "master has code");
        assertEq(master.registry(), address(workerpoolRegistry), "master.registry");
    }

    function test_setsInitialBaseURI() public {
        WorkerpoolRegistry registry =
            new WorkerpoolRegistry(registryOwner, "https://nfts-metadata.iex.ec/workerpool/134/");
        assertEq(registry.baseURI(), "https://nfts-metadata.iex.ec/workerpool/134/");
    }

    function test_revertsOnZeroOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
        new WorkerpoolRegistry(address(0), "");
    }
}
