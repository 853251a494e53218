// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";

contract PocoModuleDecreaseAllowanceTest is PocoUnitFixture {
    function setUp() public override {
        super.setUp();
        vm.prank(requester);
        hub.approve(stranger, 10e9);
    }

    function test_subtractsFromTheAllowance() public {
        vm.expectEmit(address(hub));
        emit IPocoEvents.Approval(requester, stranger, 6e9);
        vm.prank(requester);
        assertTrue(hub.decreaseAllowance(stranger, 4e9), "returns true");
        assertEq(hub.allowance(requester, stranger), 6e9, "difference");
    }

    function test_toZero() public {
        vm.prank(requester);
        hub.decreaseAllowance(stranger, 10e9);
        assertEq(hub.allowance(requester, stranger), 0, "zero");
    }

    function test_fromInfinite() public {
        vm.startPrank(requester);
        hub.approve(stranger, type(uint256).max);
        hub.decreaseAllowance(stranger, 1);
        vm.stopPrank();
        assertEq(hub.allowance(requester, stranger), type(uint256).max - 1, "no longer infinite");
    }

    function test_revertsBelowZero() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.ERC20FailedDecreaseAllowance.selector, stranger, 10e9, 10e9 + 1
            )
        );
        vm.prank(requester);
        hub.decreaseAllowance(stranger, 10e9 + 1);
        assertEq(hub.allowance(requester, stranger), 10e9, "unchanged");
    }

    function test_revertsWithoutAllowance() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.ERC20FailedDecreaseAllowance.selector, requester, 0, 1
            )
        );
        vm.prank(stranger);
        hub.decreaseAllowance(requester, 1);
    }

    function testFuzz_decreaseAllowance(uint256 amount) public {
        amount = bound(amount, 0, 10e9);
        vm.prank(requester);
        hub.decreaseAllowance(stranger, amount);
        assertEq(hub.allowance(requester, stranger), 10e9 - amount, "difference");
    }
}
