// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";

contract PocoModuleWithdrawToTest is PocoUnitFixture {
    function test_burnsFromCallerAndPaysTarget() public {
        uint256 amount = 42e9;
        uint256 supply = hub.totalSupply();

        vm.expectEmit(address(hub));
        emit IPocoEvents.Transfer(requester, address(0), amount);
        vm.expectEmit(address(rlc));
        emit IERC20.Transfer(address(hub), stranger, amount);
        vm.prank(requester);
        assertTrue(hub.withdrawTo(amount, stranger), "returns true");

        assertEq(hub.balanceOf(requester), INITIAL_DEPOSIT - amount, "caller debited");
        assertEq(rlc.balanceOf(requester), 0, "caller gets no RLC");
        assertEq(rlc.balanceOf(stranger), amount, "target paid");
        assertEq(hub.balanceOf(stranger), 0, "target's escrow untouched");
        assertEq(hub.totalSupply(), supply - amount, "total supply");
        _assertConservation();
    }

    function test_revertsOnZeroTarget() public {
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(0))
        );
        vm.prank(requester);
        hub.withdrawTo(1e9, address(0));
    }

    function test_revertsAboveTheBalance() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientBalance.selector,
                requester,
                INITIAL_DEPOSIT,
                INITIAL_DEPOSIT + 1
            )
        );
        vm.prank(requester);
        hub.withdrawTo(INITIAL_DEPOSIT + 1, stranger);
    }

    /// Withdrawing to the hub itself burns escrow while the RLC stays: it becomes surplus that
    /// only the owner's `recover` credits again (same as the reference).
    function test_toTheHubLeavesSurplusForRecover() public {
        vm.prank(requester);
        hub.withdrawTo(7e9, address(hub));
        assertEq(rlc.balanceOf(address(hub)), hub.totalSupply() + 7e9, "surplus RLC");
        vm.prank(protocolOwner);
        assertEq(hub.recover(), 7e9, "recovered by the owner");
        assertEq(hub.balanceOf(protocolOwner), 7e9, "credited to the owner");
        _assertConservation();
    }

    function testFuzz_withdrawTo(uint256 amount) public {
        amount = bound(amount, 0, INITIAL_DEPOSIT);
        vm.prank(sponsor);
        hub.withdrawTo(amount, stranger);
        assertEq(hub.balanceOf(sponsor), INITIAL_DEPOSIT - amount, "caller debited");
        assertEq(rlc.balanceOf(stranger), amount, "target paid");
        _assertConservation();
    }
}
