// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";

contract PocoModuleRenounceOwnershipTest is PocoUnitFixture {
    function test_leavesTheProtocolWithoutOwner() public {
        vm.expectEmit(address(hub));
        emit IPocoEvents.OwnershipTransferred(protocolOwner, address(0));
        vm.prank(protocolOwner);
        hub.renounceOwnership();
        assertEq(hub.owner(), address(0), "no owner");

        vm.startPrank(protocolOwner);
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.OwnableUnauthorizedAccount.selector, protocolOwner)
        );
        hub.createCategory("frozen", "", 1);
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.OwnableUnauthorizedAccount.selector, protocolOwner)
        );
        hub.transferOwnership(protocolOwner);
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.OwnableUnauthorizedAccount.selector, protocolOwner)
        );
        hub.renounceOwnership();
        vm.stopPrank();
    }

    /// The protocol keeps working without an owner.
    function test_protocolStillWorks() public {
        vm.prank(protocolOwner);
        hub.renounceOwnership();
        bytes32 dealid = _matchDeal(APP_PRICE, POOL_PRICE, 1, 1);
        _completeTask(dealid, 0, DIGEST, "");
        _assertConservation();
    }

    function test_revertsForNonOwner() public {
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.OwnableUnauthorizedAccount.selector, stranger)
        );
        vm.prank(stranger);
        hub.renounceOwnership();
        assertEq(hub.owner(), protocolOwner, "unchanged");
    }
}
