// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {HugeSupplyTokenMock} from "../../mocks/HugeSupplyTokenMock.sol";
import {IPoco, IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";

contract PocoModuleRecoverTest is PocoUnitFixture {
    function test_creditsRlcSentDirectlyToTheOwner() public {
        rlc.transfer(address(hub), 7e9);
        uint256 supply = hub.totalSupply();
        assertEq(rlc.balanceOf(address(hub)), supply + 7e9, "surplus");

        vm.expectEmit(address(hub));
        emit IPocoEvents.Transfer(address(0), protocolOwner, 7e9);
        vm.prank(protocolOwner);
        assertEq(hub.recover(), 7e9, "returns the amount credited");

        assertEq(hub.balanceOf(protocolOwner), 7e9, "owner credited");
        assertEq(hub.totalSupply(), supply + 7e9, "supply now matches the RLC held");
        _assertConservation();
    }

    function test_nothingToRecover() public {
        uint256 supply = hub.totalSupply();
        vm.prank(protocolOwner);
        assertEq(hub.recover(), 0, "returns 0");
        assertEq(hub.balanceOf(protocolOwner), 0, "nothing credited");
        assertEq(hub.totalSupply(), supply, "supply unchanged");
    }

    function test_recoversOnce() public {
        rlc.transfer(address(hub), 3e9);
        vm.startPrank(protocolOwner);
        assertEq(hub.recover(), 3e9, "first");
        assertEq(hub.recover(), 0, "second");
        vm.stopPrank();
        _assertConservation();
    }

    /// Locked funds are part of the supply: a deal in progress does not make anything recoverable.
    function test_lockedFundsAreNotSurplus() public {
        _matchDeal(APP_PRICE, POOL_PRICE, 1, 1);
        vm.prank(protocolOwner);
        assertEq(hub.recover(), 0, "nothing to recover");
        _assertConservation();
    }

    function test_revertsForNonOwner() public {
        rlc.transfer(address(hub), 3e9);
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.OwnableUnauthorizedAccount.selector, stranger)
        );
        vm.prank(stranger);
        hub.recover();
    }

    function test_revertsAboveTheSupplyCap() public {
        HugeSupplyTokenMock huge = new HugeSupplyTokenMock();
        IPoco bigHub = _deployHub(address(huge));
        huge.transfer(address(bigHub), 1 << 112);
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.AmountTooLarge.selector, 1 << 112));
        vm.prank(protocolOwner);
        bigHub.recover();
    }

    function testFuzz_recover(uint256 amount) public {
        amount = bound(amount, 0, rlc.balanceOf(address(this)));
        rlc.transfer(address(hub), amount);
        vm.prank(protocolOwner);
        assertEq(hub.recover(), amount, "recovered");
        _assertConservation();
    }
}
