// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {
    IERC721Enumerable
} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Enumerable.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {Registry} from "../../../src/registries/Registry.sol";

contract RegistrySupportsInterfaceTest is RegistriesFixture {
    function test_advertisesErc721EnumerableMetadataAnd4906() public view {
        Registry[3] memory registries = _registries();
        for (uint256 i; i < registries.length; ++i) {
            assertTrue(registries[i].supportsInterface(type(IERC165).interfaceId), "ERC-165");
            assertTrue(registries[i].supportsInterface(type(IERC721).interfaceId), "ERC-721");
            assertTrue(
                registries[i].supportsInterface(type(IERC721Enumerable).interfaceId), "enumerable"
            );
            assertTrue(
                registries[i].supportsInterface(type(IERC721Metadata).interfaceId), "metadata"
            );
            assertTrue(registries[i].supportsInterface(0x49064906), "ERC-4906");
            assertFalse(registries[i].supportsInterface(0xffffffff), "ERC-165 invalid id");
        }
    }
}
