// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {DatasetRegistry} from "../../../src/registries/DatasetRegistry.sol";
import {Dataset} from "../../../src/registries/Dataset.sol";

contract DatasetRegistryConstructorTest is RegistriesFixture {
    function test_setsMetadataOwnerAndMaster() public view {
        assertEq(datasetRegistry.name(), "iExec Dataset Registry (V5)");
        assertEq(datasetRegistry.symbol(), "iExecDatasetsV5");
        assertEq(datasetRegistry.owner(), registryOwner, "owner");
        assertEq(datasetRegistry.baseURI(), "");
        assertEq(datasetRegistry.totalSupply(), 0, "totalSupply");
        assertFalse(datasetRegistry.initialized(), "initialized");
        assertEq(datasetRegistry.previous(), address(0), "previous");

        Dataset master = Dataset(datasetRegistry.master());
        assertGt(address(master).code.length, 0, "master has code");
        assertEq(master.registry(), address(datasetRegistry), "master.registry");
    }

    function test_setsInitialBaseURI() public {
        DatasetRegistry registry =
            new DatasetRegistry(registryOwner, "https://nfts-metadata.iex.ec/dataset/134/");
        assertEq(registry.baseURI(), "https://nfts-metadata.iex.ec/dataset/134/");
    }

    function test_revertsOnZeroOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
        new DatasetRegistry(address(0), "");
    }
}
