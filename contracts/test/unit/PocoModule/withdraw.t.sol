// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";

contract PocoModuleWithdrawTest is PocoUnitFixture {
    function test_burnsAndSendsRlc() public {
        uint256 amount = 100e9;
        uint256 supply = hub.totalSupply();
        uint256 held = rlc.balanceOf(address(hub));

        vm.expectEmit(address(hub));
        emit IPocoEvents.Transfer(requester, address(0), amount);
        vm.expectEmit(address(rlc));
        emit IERC20.Transfer(address(hub), requester, amount);
        vm.prank(requester);
        assertTrue(hub.withdraw(amount), "returns true");

        assertEq(hub.balanceOf(requester), INITIAL_DEPOSIT - amount, "escrow balance");
        assertEq(rlc.balanceOf(requester), amount, "RLC received");
        assertEq(hub.totalSupply(), supply - amount, "total supply");
        assertEq(rlc.balanceOf(address(hub)), held - amount, "RLC held by the hub");
        _assertConservation();
    }

    function test_withdrawsEverything() public {
        vm.prank(requester);
        hub.withdraw(INITIAL_DEPOSIT);
        assertEq(hub.balanceOf(requester), 0, "empty");
        assertEq(rlc.balanceOf(requester), INITIAL_DEPOSIT, "all RLC back");
        _assertConservation();
    }

    function test_withdrawOfZero() public {
        vm.prank(requester);
        assertTrue(hub.withdraw(0), "returns true");
        assertEq(hub.balanceOf(requester), INITIAL_DEPOSIT, "unchanged");
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
        hub.withdraw(INITIAL_DEPOSIT + 1);
    }

    function test_revertsWithoutDeposit() public {
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, stranger, 0, 1)
        );
        vm.prank(stranger);
        hub.withdraw(1);
    }

    /// Frozen funds (a deal's payment, a scheduler's stake) cannot be withdrawn.
    function test_revertsOnFrozenFunds() public {
        _matchDeal(APP_PRICE, POOL_PRICE, 1, 1);
        uint256 free = INITIAL_DEPOSIT - APP_PRICE - POOL_PRICE;
        assertEq(hub.balanceOf(requester), free, "payment locked");
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientBalance.selector, requester, free, INITIAL_DEPOSIT
            )
        );
        vm.prank(requester);
        hub.withdraw(INITIAL_DEPOSIT);

        vm.prank(requester);
        hub.withdraw(free);
        assertEq(hub.frozenOf(requester), APP_PRICE + POOL_PRICE, "frozen stays");
        _assertConservation();
    }

    function testFuzz_withdraw(uint256 amount) public {
        amount = bound(amount, 0, INITIAL_DEPOSIT);
        vm.prank(workers[2]);
        hub.withdraw(amount);
        assertEq(hub.balanceOf(workers[2]), INITIAL_DEPOSIT - amount, "escrow balance");
        assertEq(rlc.balanceOf(workers[2]), amount, "RLC received");
        _assertConservation();
    }
}
