// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";

contract PocoModuleTransferFromTest is PocoUnitFixture {
    function test_spendsTheAllowance() public {
        vm.prank(requester);
        hub.approve(stranger, 20e9);

        vm.expectEmit(address(hub));
        emit IPocoEvents.Transfer(requester, sponsor, 15e9);
        vm.recordLogs(); // after the expected event, which the test contract itself emits
        vm.prank(stranger);
        assertTrue(hub.transferFrom(requester, sponsor, 15e9), "returns true");
        assertEq(vm.getRecordedLogs().length, 1, "only Transfer (no Approval event)");

        assertEq(hub.allowance(requester, stranger), 5e9, "allowance decreased");
        assertEq(hub.balanceOf(requester), INITIAL_DEPOSIT - 15e9, "from");
        assertEq(hub.balanceOf(sponsor), INITIAL_DEPOSIT + 15e9, "to");
        assertEq(hub.balanceOf(stranger), 0, "spender keeps nothing");
        _assertConservation();
    }

    function test_exactAllowance() public {
        vm.prank(requester);
        hub.approve(stranger, 20e9);
        vm.prank(stranger);
        hub.transferFrom(requester, stranger, 20e9);
        assertEq(hub.allowance(requester, stranger), 0, "allowance used up");
        assertEq(hub.balanceOf(stranger), 20e9, "spender can be the recipient");
        _assertConservationWith(stranger);
    }

    function test_infiniteAllowanceIsNotDecreased() public {
        vm.prank(requester);
        hub.approve(stranger, type(uint256).max);
        vm.prank(stranger);
        hub.transferFrom(requester, sponsor, 15e9);
        assertEq(hub.allowance(requester, stranger), type(uint256).max, "still infinite");
        _assertConservation();
    }

    function test_revertsAboveTheAllowance() public {
        vm.prank(requester);
        hub.approve(stranger, 20e9);
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector, stranger, 20e9, 20e9 + 1
            )
        );
        vm.prank(stranger);
        hub.transferFrom(requester, sponsor, 20e9 + 1);
    }

    function test_revertsWithoutAllowance() public {
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, stranger, 0, 1)
        );
        vm.prank(stranger);
        hub.transferFrom(requester, sponsor, 1);
    }

    /// The allowance is checked first, then the balance; a failure leaves the allowance as it was.
    function test_revertsAboveTheBalanceAndKeepsTheAllowance() public {
        vm.prank(requester);
        hub.approve(stranger, type(uint128).max);
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientBalance.selector,
                requester,
                INITIAL_DEPOSIT,
                INITIAL_DEPOSIT + 1
            )
        );
        vm.prank(stranger);
        hub.transferFrom(requester, sponsor, INITIAL_DEPOSIT + 1);
        assertEq(hub.allowance(requester, stranger), type(uint128).max, "allowance untouched");
    }

    function test_revertsToZero() public {
        vm.prank(requester);
        hub.approve(stranger, 20e9);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(0))
        );
        vm.prank(stranger);
        hub.transferFrom(requester, address(0), 1e9);
    }

    function test_revertsFromZero() public {
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InvalidSender.selector, address(0))
        );
        vm.prank(stranger);
        hub.transferFrom(address(0), sponsor, 0);
    }

    function testFuzz_transferFrom(uint256 allowance_, uint256 amount) public {
        allowance_ = bound(allowance_, 0, INITIAL_DEPOSIT);
        amount = bound(amount, 0, allowance_);
        vm.prank(workers[0]);
        hub.approve(stranger, allowance_);
        vm.prank(stranger);
        hub.transferFrom(workers[0], workers[1], amount);
        assertEq(hub.allowance(workers[0], stranger), allowance_ - amount, "allowance");
        assertEq(hub.balanceOf(workers[1]), INITIAL_DEPOSIT + amount, "recipient");
        _assertConservation();
    }
}
