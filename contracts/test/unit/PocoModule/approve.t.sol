// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";

contract PocoModuleApproveTest is PocoUnitFixture {
    function test_setsTheAllowance() public {
        vm.expectEmit(address(hub));
        emit IPocoEvents.Approval(requester, stranger, 9e9);
        vm.prank(requester);
        assertTrue(hub.approve(stranger, 9e9), "returns true");
        assertEq(hub.allowance(requester, stranger), 9e9, "allowance");
        assertEq(hub.allowance(stranger, requester), 0, "not symmetric");
        assertEq(hub.balanceOf(requester), INITIAL_DEPOSIT, "balance untouched");
    }

    function test_overwrites() public {
        vm.startPrank(requester);
        hub.approve(stranger, 9e9);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Approval(requester, stranger, 2e9);
        hub.approve(stranger, 2e9);
        assertEq(hub.allowance(requester, stranger), 2e9, "overwritten, not added");
        hub.approve(stranger, 0);
        vm.stopPrank();
        assertEq(hub.allowance(requester, stranger), 0, "revoked");
    }

    /// Allowances are independent of balances: one may approve more than one has.
    function test_aboveTheBalance() public {
        vm.prank(stranger);
        hub.approve(requester, type(uint256).max);
        assertEq(hub.allowance(stranger, requester), type(uint256).max, "infinite");
    }

    function test_revertsOnZeroSpender() public {
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InvalidSpender.selector, address(0))
        );
        vm.prank(requester);
        hub.approve(address(0), 1);
    }

    function testFuzz_approve(address spender, uint256 amount) public {
        vm.assume(spender != address(0));
        vm.prank(requester);
        hub.approve(spender, amount);
        assertEq(hub.allowance(requester, spender), amount, "allowance");
    }
}
