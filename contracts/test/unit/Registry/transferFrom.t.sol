// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {IRegistryEntry, IRegistryErrors} from "../../../src/interfaces/IRegistries.sol";
import {Registry} from "../../../src/registries/Registry.sol";
import {Workerpool} from "../../../src/registries/Workerpool.sol";

/// Transferring the NFT transfers the asset.
contract RegistryTransferFromTest is RegistriesFixture {
    function test_transfersTheEntry() public {
        Registry[3] memory registries = _registries();
        for (uint256 i; i < registries.length; ++i) {
            address entry = _createEntry(registries[i], alice, "entry");

            vm.expectEmit(address(registries[i]));
            emit IERC721.Transfer(alice, bob, _id(entry));
            vm.prank(alice);
            registries[i].transferFrom(alice, bob, _id(entry));

            assertEq(registries[i].ownerOf(_id(entry)), bob, "ownerOf");
            assertEq(IRegistryEntry(entry).owner(), bob, "entry owner follows the NFT");
            assertEq(registries[i].balanceOf(alice), 0, "alice balance");
            assertEq(registries[i].balanceOf(bob), 1, "bob balance");
            assertTrue(registries[i].isRegistered(entry), "still registered");
        }
    }

    function test_newOwnerControlsTheWorkerpool() public {
        Workerpool workerpool = _createWorkerpool(alice, "pool");
        vm.prank(alice);
        workerpoolRegistry.transferFrom(alice, bob, _id(address(workerpool)));

        vm.expectRevert(abi.encodeWithSelector(IRegistryErrors.NotEntryOwner.selector, alice, bob));
        vm.prank(alice);
        workerpool.changePolicy(40, 2);

        vm.prank(bob);
        workerpool.changePolicy(40, 2);
        (uint256 workerStakeRatio, uint256 schedulerRewardRatio) = workerpool.policies();
        assertEq(workerStakeRatio, 40, "worker stake ratio");
        assertEq(schedulerRewardRatio, 2, "scheduler reward ratio");
    }

    function test_approvedOperatorCanTransfer() public {
        address operator = makeAddr("operator");
        address app = address(_createApp(alice, "app"));
        vm.prank(alice);
        appRegistry.setApprovalForAll(operator, true);
        vm.prank(operator);
        appRegistry.transferFrom(alice, bob, _id(app));
        assertEq(IRegistryEntry(app).owner(), bob, "owner");
    }

    function test_revertsWhenCallerIsNotAuthorized() public {
        address app = address(_createApp(alice, "app"));
        vm.expectRevert(
            abi.encodeWithSelector(IERC721Errors.ERC721InsufficientApproval.selector, bob, _id(app))
        );
        vm.prank(bob);
        appRegistry.transferFrom(alice, bob, _id(app));
    }
}
