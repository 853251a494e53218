// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {IDataset} from "../../../src/interfaces/IRegistries.sol";
import {Registry} from "../../../src/registries/Registry.sol";

contract DatasetRegistryPredictDatasetTest is RegistriesFixture {
    /// Spec §1.1: salt = H(initializer ‖ owner20), entry = CREATE2(registry, salt, proxyCode).
    function test_followsTheSpecDerivation() public view {
        bytes memory initializer =
            abi.encodeCall(IDataset.initialize, ("pixels", bytes("ipfs://x"), DATASET_CHECKSUM));
        assertEq(bytes32(bytes4(initializer)), bytes32(bytes4(0x8c2b1e2f)), "initializer selector");
        assertEq(
            datasetRegistry.predictDataset(alice, "pixels", bytes("ipfs://x"), DATASET_CHECKSUM),
            _create2Address(Registry(datasetRegistry), initializer, alice)
        );
    }

    function test_everyParameterChangesTheAddress() public view {
        address base = datasetRegistry.predictDataset(alice, "n", hex"01", DATASET_CHECKSUM);
        assertTrue(
            base != datasetRegistry.predictDataset(bob, "n", hex"01", DATASET_CHECKSUM), "owner"
        );
        assertTrue(
            base != datasetRegistry.predictDataset(alice, "N", hex"01", DATASET_CHECKSUM), "name"
        );
        assertTrue(
            base != datasetRegistry.predictDataset(alice, "n", hex"02", DATASET_CHECKSUM),
            "multiaddr"
        );
        assertTrue(
            base != datasetRegistry.predictDataset(alice, "n", hex"01", bytes32(0)), "checksum"
        );
    }

    function test_staysTheSameAfterCreation() public {
        address predicted = datasetRegistry.predictDataset(
            alice, "pixels", bytes("ipfs://dataset"), DATASET_CHECKSUM
        );
        assertEq(address(_createDataset(alice, "pixels")), predicted, "created == predicted");
        assertEq(
            datasetRegistry.predictDataset(
                alice, "pixels", bytes("ipfs://dataset"), DATASET_CHECKSUM
            ),
            predicted,
            "prediction after creation"
        );
    }

    function testFuzz_followsTheSpecDerivation(
        address owner,
        string calldata name,
        bytes calldata multiaddr,
        bytes32 checksum
    ) public view {
        bytes memory initializer = abi.encodeCall(IDataset.initialize, (name, multiaddr, checksum));
        assertEq(
            datasetRegistry.predictDataset(owner, name, multiaddr, checksum),
            _create2Address(Registry(datasetRegistry), initializer, owner)
        );
    }
}
