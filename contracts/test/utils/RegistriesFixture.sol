// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Test} from "./Test.sol";
import {AppRegistry} from "../../src/registries/AppRegistry.sol";
import {DatasetRegistry} from "../../src/registries/DatasetRegistry.sol";
import {WorkerpoolRegistry} from "../../src/registries/WorkerpoolRegistry.sol";
import {Registry} from "../../src/registries/Registry.sol";
import {App} from "../../src/registries/App.sol";
import {Dataset} from "../../src/registries/Dataset.sol";
import {Workerpool} from "../../src/registries/Workerpool.sol";

/// @title The three registries, a few accounts, and helpers to create entries.
abstract contract RegistriesFixture is Test {
    address internal registryOwner;
    address internal alice;
    address internal bob;

    AppRegistry internal appRegistry;
    DatasetRegistry internal datasetRegistry;
    WorkerpoolRegistry internal workerpoolRegistry;

    /// @dev DSTest's logging event: forge prints it under "Logs:" (`-vv`).
    event log_named_uint(string key, uint256 val);

    bytes32 internal constant APP_CHECKSUM = keccak256("app image");
    bytes32 internal constant DATASET_CHECKSUM = keccak256("dataset content");

    function setUp() public virtual {
        registryOwner = makeAddr("registryOwner");
        alice = makeAddr("alice");
        bob = makeAddr("bob");
        appRegistry = new AppRegistry(registryOwner, "");
        datasetRegistry = new DatasetRegistry(registryOwner, "");
        workerpoolRegistry = new WorkerpoolRegistry(registryOwner, "");
    }

    function _createApp(address owner, string memory name) internal returns (App) {
        return App(
            appRegistry.createApp(
                owner, name, "DOCKER", bytes("docker.io/hello:1.0"), APP_CHECKSUM, ""
            )
        );
    }

    function _createDataset(address owner, string memory name) internal returns (Dataset) {
        return Dataset(
            datasetRegistry.createDataset(owner, name, bytes("ipfs://dataset"), DATASET_CHECKSUM)
        );
    }

    function _createWorkerpool(address owner, string memory description)
        internal
        returns (Workerpool)
    {
        return Workerpool(workerpoolRegistry.createWorkerpool(owner, description));
    }

    /// @dev The three registries, to run the tests of their shared functions on each.
    function _registries() internal view returns (Registry[3] memory) {
        return [Registry(appRegistry), Registry(datasetRegistry), Registry(workerpoolRegistry)];
    }

    /// @dev Creates an entry of `registry`'s kind named `name`, owned by `owner`.
    function _createEntry(Registry registry, address owner, string memory name)
        internal
        returns (address)
    {
        if (address(registry) == address(appRegistry)) {
            return address(_createApp(owner, name));
        }
        if (address(registry) == address(datasetRegistry)) {
            return address(_createDataset(owner, name));
        }
        return address(_createWorkerpool(owner, name));
    }

    /// @dev EIP-1167 runtime code of a clone of `master`.
    function _cloneRuntime(address master) internal pure returns (bytes memory) {
        return
            abi.encodePacked(hex"363d3d373d3d3d363d73", master, hex"5af43d82803e903d91602b57fd5bf3");
    }

    /// @dev The CREATE2 address `registry` gives to an entry, from the spec's formula.
    function _create2Address(Registry registry, bytes memory initializer, address owner)
        internal
        view
        returns (address)
    {
        bytes32 salt = keccak256(abi.encodePacked(initializer, owner));
        return address(
            uint160(
                uint256(
                    keccak256(
                        abi.encodePacked(
                            bytes1(0xff), address(registry), salt, registry.proxyCodeHash()
                        )
                    )
                )
            )
        );
    }

    function _id(address entry) internal pure returns (uint256) {
        return uint256(uint160(entry));
    }
}
