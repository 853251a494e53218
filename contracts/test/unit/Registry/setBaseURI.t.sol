// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC4906} from "@openzeppelin/contracts/interfaces/IERC4906.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {Registry} from "../../../src/registries/Registry.sol";

/// Also covers the getter `baseURI()`.
contract RegistrySetBaseURITest is RegistriesFixture {
    function test_setsBaseURIOfTokenURIs() public {
        Registry[3] memory registries = _registries();
        for (uint256 i; i < registries.length; ++i) {
            address entry = _createEntry(registries[i], alice, "entry");
            string memory base =
                string.concat("https://nfts-metadata.iex.ec/", Strings.toString(i), "/134/");

            vm.expectEmit(address(registries[i]));
            emit IERC4906.BatchMetadataUpdate(0, type(uint256).max);
            vm.prank(registryOwner);
            registries[i].setBaseURI(base);

            assertEq(registries[i].baseURI(), base);
            assertEq(
                registries[i].tokenURI(_id(entry)),
                string.concat(base, Strings.toString(_id(entry)))
            );
        }
    }

    function test_emptyBaseURIGivesEmptyTokenURIs() public {
        address app = address(_createApp(alice, "app"));
        vm.startPrank(registryOwner);
        appRegistry.setBaseURI("https://example.org/");
        appRegistry.setBaseURI("");
        vm.stopPrank();
        assertEq(appRegistry.baseURI(), "");
        assertEq(appRegistry.tokenURI(_id(app)), "");
    }

    function test_revertsWhenCallerIsNotOwner() public {
        Registry[3] memory registries = _registries();
        for (uint256 i; i < registries.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, alice)
            );
            vm.prank(alice);
            registries[i].setBaseURI("https://evil.example/");
        }
    }
}
