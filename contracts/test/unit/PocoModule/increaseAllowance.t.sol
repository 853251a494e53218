// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";

contract PocoModuleIncreaseAllowanceTest is PocoUnitFixture {
    function test_addsToTheAllowance() public {
        vm.startPrank(requester);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Approval(requester, stranger, 4e9);
        assertTrue(hub.increaseAllowance(stranger, 4e9), "returns true");
        vm.expectEmit(address(hub));
        emit IPocoEvents.Approval(requester, stranger, 10e9);
        hub.increaseAllowance(stranger, 6e9);
        vm.stopPrank();
        assertEq(hub.allowance(requester, stranger), 10e9, "sum");
    }

    function test_byZero() public {
        vm.startPrank(requester);
        hub.approve(stranger, 3);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Approval(requester, stranger, 3);
        hub.increaseAllowance(stranger, 0);
        vm.stopPrank();
        assertEq(hub.allowance(requester, stranger), 3, "unchanged");
    }

    function test_revertsOnOverflow() public {
        vm.prank(requester);
        hub.approve(stranger, type(uint256).max);
        vm.expectRevert(_panic(0x11));
        vm.prank(requester);
        hub.increaseAllowance(stranger, 1);
    }

    function test_revertsOnZeroSpender() public {
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InvalidSpender.selector, address(0))
        );
        vm.prank(requester);
        hub.increaseAllowance(address(0), 1);
    }

    function testFuzz_increaseAllowance(uint128 first, uint128 second) public {
        vm.startPrank(requester);
        hub.increaseAllowance(stranger, first);
        hub.increaseAllowance(stranger, second);
        vm.stopPrank();
        assertEq(hub.allowance(requester, stranger), uint256(first) + second, "sum");
    }
}
