// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {Registry} from "../../../src/registries/Registry.sol";

contract RegistryProxyCodeTest is RegistriesFixture {
    function test_isTheEip1167CreationCodeOfTheMaster() public view {
        Registry[3] memory registries = _registries();
        for (uint256 i; i < registries.length; ++i) {
            bytes memory code = registries[i].proxyCode();
            assertEq(code.length, 55, "length");
            assertEq(
                code,
                abi.encodePacked(
                    hex"3d602d80600a3d3981f3363d3d373d3d3d363d73",
                    registries[i].master(),
                    hex"5af43d82803e903d91602b57fd5bf3"
                ),
                "EIP-1167 creation code"
            );
        }
    }

    /// Deploying `proxyCode()` gives exactly the runtime code of the entries.
    function test_deploysTheEntriesRuntimeCode() public {
        address entry = address(_createApp(alice, "app"));
        bytes memory creationCode = appRegistry.proxyCode();
        address deployed;
        assembly ("memory-safe") {
            deployed := create(0, add(creationCode, 0x20), mload(creationCode))
        }
        assertTrue(deployed != address(0), "deployed");
        assertEq(deployed.code, entry.code, "same runtime code as an entry");
    }
}
