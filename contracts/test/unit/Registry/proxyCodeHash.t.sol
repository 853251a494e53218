// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {Registry} from "../../../src/registries/Registry.sol";

contract RegistryProxyCodeHashTest is RegistriesFixture {
    function test_isTheHashOfProxyCode() public view {
        Registry[3] memory registries = _registries();
        for (uint256 i; i < registries.length; ++i) {
            assertEq(registries[i].proxyCodeHash(), keccak256(registries[i].proxyCode()), "hash");
        }
    }

    /// The entries are at CREATE2(registry, salt, proxyCodeHash).
    function test_isTheInitCodeHashOfTheEntries() public {
        Registry[3] memory registries = _registries();
        for (uint256 i; i < registries.length; ++i) {
            address entry = _createEntry(registries[i], alice, "entry");
            bytes memory initializer = address(registries[i]) == address(appRegistry)
                ? abi.encodeWithSelector(
                    bytes4(0x86c02c8f),
                    "entry",
                    "DOCKER",
                    bytes("docker.io/hello:1.0"),
                    APP_CHECKSUM,
                    bytes("")
                )
                : address(registries[i]) == address(datasetRegistry)
                    ? abi.encodeWithSelector(
                        bytes4(0x8c2b1e2f), "entry", bytes("ipfs://dataset"), DATASET_CHECKSUM
                    )
                    : abi.encodeWithSelector(bytes4(0xf62d1888), "entry");
            assertEq(entry, _create2Address(registries[i], initializer, alice), "CREATE2 address");
        }
    }
}
