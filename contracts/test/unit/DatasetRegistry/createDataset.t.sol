// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {IRegistryErrors} from "../../../src/interfaces/IRegistries.sol";
import {Dataset} from "../../../src/registries/Dataset.sol";
import {DatasetRegistry} from "../../../src/registries/DatasetRegistry.sol";

contract DatasetRegistryCreateDatasetTest is RegistriesFixture {
    bytes private constant MULTIADDR = bytes("ipfs://QmDataset");

    function test_createsDatasetAtPredictedAddress() public {
        address predicted =
            datasetRegistry.predictDataset(alice, "pixels", MULTIADDR, DATASET_CHECKSUM);

        vm.expectEmit(address(datasetRegistry));
        emit IERC721.Transfer(address(0), alice, _id(predicted));
        vm.prank(bob); // creation is permissionless; the caller picks the owner
        address created =
            datasetRegistry.createDataset(alice, "pixels", MULTIADDR, DATASET_CHECKSUM);

        assertEq(created, predicted, "created == predicted");
        assertEq(datasetRegistry.ownerOf(_id(created)), alice, "ownerOf");
        assertEq(datasetRegistry.balanceOf(alice), 1, "balanceOf");
        assertEq(datasetRegistry.totalSupply(), 1, "totalSupply");
        assertTrue(datasetRegistry.isRegistered(created), "isRegistered");
        assertEq(
            created.code, _cloneRuntime(datasetRegistry.master()), "EIP-1167 clone of the master"
        );

        Dataset dataset = Dataset(created);
        assertEq(dataset.owner(), alice, "owner");
        assertEq(dataset.registry(), address(datasetRegistry), "registry");
        assertEq(dataset.m_datasetName(), "pixels");
        assertEq(dataset.m_datasetMultiaddr(), MULTIADDR, "multiaddr");
        assertEq(dataset.m_datasetChecksum(), DATASET_CHECKSUM, "checksum");
    }

    function test_mintsToContractsWithoutReceiverHook() public {
        Dataset dataset = _createDataset(address(this), "pixels");
        assertEq(dataset.owner(), address(this), "owner");
    }

    function test_sameParametersForAnotherOwnerGiveAnotherDataset() public {
        Dataset first = _createDataset(alice, "pixels");
        Dataset second = _createDataset(bob, "pixels");
        assertTrue(address(first) != address(second), "distinct addresses");
        assertEq(second.owner(), bob, "second owner");
    }

    function test_revertsWhenAlreadyRegistered() public {
        Dataset dataset = _createDataset(alice, "pixels");
        vm.expectRevert(
            abi.encodeWithSelector(IRegistryErrors.AlreadyRegistered.selector, address(dataset))
        );
        _createDataset(alice, "pixels");
    }

    function test_revertsOnZeroOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistryErrors.ZeroOwner.selector));
        datasetRegistry.createDataset(address(0), "pixels", MULTIADDR, DATASET_CHECKSUM);
    }

    function test_gas() public {
        DatasetRegistry registry = datasetRegistry;
        address owner = alice;
        uint256 gasBefore = gasleft();
        registry.createDataset(owner, "pixels", MULTIADDR, DATASET_CHECKSUM);
        emit log_named_uint("createDataset (first dataset, short strings)", gasBefore - gasleft());
    }

    function testFuzz_createMatchesPredict(
        address owner,
        string calldata name,
        bytes calldata multiaddr,
        bytes32 checksum
    ) public {
        vm.assume(owner != address(0));
        address predicted = datasetRegistry.predictDataset(owner, name, multiaddr, checksum);
        Dataset dataset = Dataset(datasetRegistry.createDataset(owner, name, multiaddr, checksum));
        assertEq(address(dataset), predicted, "created == predicted");
        assertEq(dataset.owner(), owner, "owner");
        assertEq(dataset.m_datasetName(), name);
        assertEq(dataset.m_datasetMultiaddr(), multiaddr, "multiaddr");
        assertEq(dataset.m_datasetChecksum(), checksum, "checksum");
    }
}
