// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";

contract PocoModuleTransferTest is PocoUnitFixture {
    function test_movesFreeBalance() public {
        uint256 supply = hub.totalSupply();
        vm.expectEmit(address(hub));
        emit IPocoEvents.Transfer(requester, sponsor, 12e9);
        vm.prank(requester);
        assertTrue(hub.transfer(sponsor, 12e9), "returns true");
        assertEq(hub.balanceOf(requester), INITIAL_DEPOSIT - 12e9, "sender");
        assertEq(hub.balanceOf(sponsor), INITIAL_DEPOSIT + 12e9, "recipient");
        assertEq(hub.totalSupply(), supply, "supply unchanged");
        _assertConservation();
    }

    function test_toSelf() public {
        vm.prank(requester);
        hub.transfer(requester, 12e9);
        assertEq(hub.balanceOf(requester), INITIAL_DEPOSIT, "unchanged");
        _assertConservation();
    }

    function test_ofZero() public {
        vm.expectEmit(address(hub));
        emit IPocoEvents.Transfer(stranger, requester, 0);
        vm.prank(stranger);
        assertTrue(hub.transfer(requester, 0), "returns true");
    }

    /// The scores and frozen amounts packed with the balance are untouched.
    function test_keepsFrozenAndScore() public {
        _setScore(workers[0], 7);
        _matchDeal(APP_PRICE, POOL_PRICE, 1, 1);
        vm.prank(requester);
        hub.transfer(workers[0], 1e9);
        assertEq(hub.frozenOf(requester), APP_PRICE + POOL_PRICE, "sender frozen");
        assertEq(hub.viewScore(workers[0]), 7, "recipient score");
        assertEq(hub.balanceOf(workers[0]), INITIAL_DEPOSIT + 1e9, "recipient balance");
        _assertConservation();
    }

    function test_revertsToZero() public {
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(0))
        );
        vm.prank(requester);
        hub.transfer(address(0), 1);
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
        hub.transfer(sponsor, INITIAL_DEPOSIT + 1);
    }

    function test_revertsOnFrozenFunds() public {
        _matchDeal(APP_PRICE, POOL_PRICE, 1, 1);
        uint256 free = INITIAL_DEPOSIT - APP_PRICE - POOL_PRICE;
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientBalance.selector, requester, free, free + 1
            )
        );
        vm.prank(requester);
        hub.transfer(sponsor, free + 1);
    }

    function testFuzz_transfer(uint256 amount) public {
        amount = bound(amount, 0, INITIAL_DEPOSIT);
        vm.prank(workers[0]);
        hub.transfer(workers[1], amount);
        assertEq(hub.balanceOf(workers[0]), INITIAL_DEPOSIT - amount, "sender");
        assertEq(hub.balanceOf(workers[1]), INITIAL_DEPOSIT + amount, "recipient");
        _assertConservation();
    }
}
