// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {
    ERC721Enumerable
} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721Enumerable.sol";
import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";

/// Enumeration of the entries per owner (and, in passing, `tokenByIndex` and `totalSupply`).
contract RegistryTokenOfOwnerByIndexTest is RegistriesFixture {
    function test_enumeratesEntriesOfAnOwner() public {
        uint256 first = _id(address(_createApp(alice, "first")));
        uint256 second = _id(address(_createApp(alice, "second")));
        uint256 third = _id(address(_createApp(bob, "third")));

        assertEq(appRegistry.balanceOf(alice), 2, "alice balance");
        assertEq(appRegistry.tokenOfOwnerByIndex(alice, 0), first, "alice #0");
        assertEq(appRegistry.tokenOfOwnerByIndex(alice, 1), second, "alice #1");
        assertEq(appRegistry.tokenOfOwnerByIndex(bob, 0), third, "bob #0");
        assertEq(appRegistry.totalSupply(), 3, "totalSupply");
        assertEq(appRegistry.tokenByIndex(0), first, "#0");
        assertEq(appRegistry.tokenByIndex(1), second, "#1");
        assertEq(appRegistry.tokenByIndex(2), third, "#2");
    }

    function test_followsTransfers() public {
        uint256 first = _id(address(_createApp(alice, "first")));
        uint256 second = _id(address(_createApp(alice, "second")));
        uint256 third = _id(address(_createApp(alice, "third")));

        vm.prank(alice);
        appRegistry.transferFrom(alice, bob, first);

        // Swap and pop: alice's last entry takes the place of the one she gave away.
        assertEq(appRegistry.balanceOf(alice), 2, "alice balance");
        assertEq(appRegistry.tokenOfOwnerByIndex(alice, 0), third, "alice #0");
        assertEq(appRegistry.tokenOfOwnerByIndex(alice, 1), second, "alice #1");
        assertEq(appRegistry.tokenOfOwnerByIndex(bob, 0), first, "bob #0");
        assertEq(appRegistry.totalSupply(), 3, "totalSupply unchanged");
    }

    function test_revertsOutOfBounds() public {
        _createApp(alice, "first");
        vm.expectRevert(
            abi.encodeWithSelector(ERC721Enumerable.ERC721OutOfBoundsIndex.selector, alice, 1)
        );
        appRegistry.tokenOfOwnerByIndex(alice, 1);
    }
}
