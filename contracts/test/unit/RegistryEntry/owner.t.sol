// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {IRegistryEntry} from "../../../src/interfaces/IRegistries.sol";
import {Registry} from "../../../src/registries/Registry.sol";

/// Also covers the getter `registry()`.
contract RegistryEntryOwnerTest is RegistriesFixture {
    function test_isTheNftHolder() public {
        Registry[3] memory registries = _registries();
        for (uint256 i; i < registries.length; ++i) {
            IRegistryEntry entry = IRegistryEntry(_createEntry(registries[i], alice, "entry"));
            assertEq(entry.owner(), alice, "owner");
            assertEq(entry.registry(), address(registries[i]), "registry");
        }
    }

    function test_followsTheNft() public {
        Registry[3] memory registries = _registries();
        for (uint256 i; i < registries.length; ++i) {
            IRegistryEntry entry = IRegistryEntry(_createEntry(registries[i], alice, "entry"));
            vm.prank(alice);
            registries[i].safeTransferFrom(alice, bob, _id(address(entry)));
            assertEq(entry.owner(), bob, "owner after transfer");
        }
    }

    /// The master has no NFT, hence no owner.
    function test_revertsOnTheMaster() public {
        Registry[3] memory registries = _registries();
        for (uint256 i; i < registries.length; ++i) {
            IRegistryEntry master = IRegistryEntry(registries[i].master());
            assertEq(master.registry(), address(registries[i]), "master registry");
            vm.expectRevert(
                abi.encodeWithSelector(
                    IERC721Errors.ERC721NonexistentToken.selector, _id(address(master))
                )
            );
            master.owner();
        }
    }

    function testFuzz_isTheNftHolder(address owner) public {
        vm.assume(owner != address(0));
        IRegistryEntry entry = IRegistryEntry(address(_createWorkerpool(owner, "pool")));
        assertEq(entry.owner(), owner);
    }
}
