// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {IWorkerpool} from "../../../src/interfaces/IRegistries.sol";
import {Registry} from "../../../src/registries/Registry.sol";

contract WorkerpoolRegistryPredictWorkerpoolTest is RegistriesFixture {
    /// Spec §1.1: salt = H(initializer ‖ owner20), entry = CREATE2(registry, salt, proxyCode).
    function test_followsTheSpecDerivation() public view {
        bytes memory initializer = abi.encodeCall(IWorkerpool.initialize, ("my pool"));
        assertEq(bytes32(bytes4(initializer)), bytes32(bytes4(0xf62d1888)), "initializer selector");
        assertEq(
            workerpoolRegistry.predictWorkerpool(alice, "my pool"),
            _create2Address(Registry(workerpoolRegistry), initializer, alice)
        );
    }

    function test_everyParameterChangesTheAddress() public view {
        address base = workerpoolRegistry.predictWorkerpool(alice, "my pool");
        assertTrue(base != workerpoolRegistry.predictWorkerpool(bob, "my pool"), "owner");
        assertTrue(base != workerpoolRegistry.predictWorkerpool(alice, "my pool "), "description");
    }

    function test_staysTheSameAfterCreation() public {
        address predicted = workerpoolRegistry.predictWorkerpool(alice, "my pool");
        assertEq(address(_createWorkerpool(alice, "my pool")), predicted, "created == predicted");
        assertEq(
            workerpoolRegistry.predictWorkerpool(alice, "my pool"),
            predicted,
            "prediction after creation"
        );
    }

    function testFuzz_followsTheSpecDerivation(address owner, string calldata description)
        public
        view
    {
        bytes memory initializer = abi.encodeCall(IWorkerpool.initialize, (description));
        assertEq(
            workerpoolRegistry.predictWorkerpool(owner, description),
            _create2Address(Registry(workerpoolRegistry), initializer, owner)
        );
    }
}
