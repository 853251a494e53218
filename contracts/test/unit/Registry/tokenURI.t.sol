// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {WorkerpoolRegistry} from "../../../src/registries/WorkerpoolRegistry.sol";

contract RegistryTokenURITest is RegistriesFixture {
    function test_isBaseURIThenDecimalTokenId() public {
        WorkerpoolRegistry registry =
            new WorkerpoolRegistry(registryOwner, "https://nfts-metadata.iex.ec/workerpool/134/");
        address workerpool = registry.createWorkerpool(alice, "pool");
        assertEq(
            registry.tokenURI(_id(workerpool)),
            string.concat("https://nfts-metadata.iex.ec/workerpool/134/", _decimal(_id(workerpool)))
        );
    }

    function test_emptyWithoutBaseURI() public {
        address app = address(_createApp(alice, "app"));
        assertEq(appRegistry.tokenURI(_id(app)), "");
    }

    function test_revertsForUnknownToken() public {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 42));
        appRegistry.tokenURI(42);
    }

    /// @dev Independent decimal rendering (the registry uses OpenZeppelin's `Strings`).
    function _decimal(uint256 value) private pure returns (string memory) {
        bytes memory reversed = new bytes(78);
        uint256 length;
        do {
            reversed[length++] = bytes1(uint8(48 + value % 10));
            value /= 10;
        } while (value != 0);
        bytes memory digits = new bytes(length);
        for (uint256 i; i < length; ++i) {
            digits[i] = reversed[length - 1 - i];
        }
        return string(digits);
    }
}
