// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";

contract PocoModuleTransferOwnershipTest is PocoUnitFixture {
    function test_handsOverTheProtocol() public {
        address newOwner = makeAddr("newOwner");
        vm.expectEmit(address(hub));
        emit IPocoEvents.OwnershipTransferred(protocolOwner, newOwner);
        vm.prank(protocolOwner);
        hub.transferOwnership(newOwner);
        assertEq(hub.owner(), newOwner, "new owner");

        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.OwnableUnauthorizedAccount.selector, protocolOwner)
        );
        vm.prank(protocolOwner);
        hub.createCategory("old owner", "", 1);

        vm.prank(newOwner);
        assertEq(hub.createCategory("new owner", "", 1), 5, "new owner administers");
    }

    function test_toItself() public {
        vm.expectEmit(address(hub));
        emit IPocoEvents.OwnershipTransferred(protocolOwner, protocolOwner);
        vm.prank(protocolOwner);
        hub.transferOwnership(protocolOwner);
        assertEq(hub.owner(), protocolOwner, "unchanged");
    }

    function test_revertsOnZeroOwner() public {
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.OwnableInvalidOwner.selector, address(0))
        );
        vm.prank(protocolOwner);
        hub.transferOwnership(address(0));
        assertEq(hub.owner(), protocolOwner, "unchanged");
    }

    function test_revertsForNonOwner() public {
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.OwnableUnauthorizedAccount.selector, stranger)
        );
        vm.prank(stranger);
        hub.transferOwnership(stranger);
        assertEq(hub.owner(), protocolOwner, "unchanged");
    }

    function testFuzz_transferOwnership(address newOwner) public {
        vm.assume(newOwner != address(0));
        vm.prank(protocolOwner);
        hub.transferOwnership(newOwner);
        assertEq(hub.owner(), newOwner, "new owner");
    }
}
