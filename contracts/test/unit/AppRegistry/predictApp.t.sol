// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {IApp} from "../../../src/interfaces/IRegistries.sol";
import {Registry} from "../../../src/registries/Registry.sol";

contract AppRegistryPredictAppTest is RegistriesFixture {
    /// Spec §1.1: salt = H(initializer ‖ owner20), entry = CREATE2(registry, salt, proxyCode).
    function test_followsTheSpecDerivation() public view {
        bytes memory initializer = abi.encodeCall(
            IApp.initialize, ("hello", "DOCKER", bytes("img"), APP_CHECKSUM, bytes(""))
        );
        assertEq(bytes32(bytes4(initializer)), bytes32(bytes4(0x86c02c8f)), "initializer selector");
        assertEq(
            appRegistry.predictApp(alice, "hello", "DOCKER", bytes("img"), APP_CHECKSUM, ""),
            _create2Address(Registry(appRegistry), initializer, alice)
        );
    }

    function test_everyParameterChangesTheAddress() public view {
        address base = appRegistry.predictApp(alice, "n", "t", hex"01", APP_CHECKSUM, hex"02");
        assertTrue(
            base != appRegistry.predictApp(bob, "n", "t", hex"01", APP_CHECKSUM, hex"02"), "owner"
        );
        assertTrue(
            base != appRegistry.predictApp(alice, "N", "t", hex"01", APP_CHECKSUM, hex"02"), "name"
        );
        assertTrue(
            base != appRegistry.predictApp(alice, "n", "T", hex"01", APP_CHECKSUM, hex"02"), "type"
        );
        assertTrue(
            base != appRegistry.predictApp(alice, "n", "t", hex"03", APP_CHECKSUM, hex"02"),
            "multiaddr"
        );
        assertTrue(
            base != appRegistry.predictApp(alice, "n", "t", hex"01", bytes32(0), hex"02"),
            "checksum"
        );
        assertTrue(
            base != appRegistry.predictApp(alice, "n", "t", hex"01", APP_CHECKSUM, hex"04"),
            "mrenclave"
        );
    }

    function test_staysTheSameAfterCreation() public {
        address predicted = appRegistry.predictApp(
            alice, "hello", "DOCKER", bytes("docker.io/hello:1.0"), APP_CHECKSUM, ""
        );
        address created = address(_createApp(alice, "hello"));
        assertEq(created, predicted, "created == predicted");
        assertEq(
            appRegistry.predictApp(
                alice, "hello", "DOCKER", bytes("docker.io/hello:1.0"), APP_CHECKSUM, ""
            ),
            created,
            "prediction after creation"
        );
    }

    function testFuzz_followsTheSpecDerivation(
        address owner,
        string calldata name,
        string calldata appType,
        bytes calldata multiaddr,
        bytes32 checksum,
        bytes calldata mrenclave
    ) public view {
        bytes memory initializer = abi.encodeCall(
            IApp.initialize, (name, appType, multiaddr, checksum, mrenclave)
        );
        assertEq(
            appRegistry.predictApp(owner, name, appType, multiaddr, checksum, mrenclave),
            _create2Address(Registry(appRegistry), initializer, owner)
        );
    }
}
