// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {HugeSupplyTokenMock} from "../../mocks/HugeSupplyTokenMock.sol";
import {IPoco, IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";

contract PocoModuleDepositTest is PocoUnitFixture {
    function test_pullsRlcAndCreditsTheCaller() public {
        uint256 amount = 400e9;
        uint256 supply = hub.totalSupply();
        uint256 held = rlc.balanceOf(address(hub));
        uint256 rlcBefore = rlc.balanceOf(address(this));
        rlc.approve(address(hub), amount);

        vm.expectEmit(address(hub));
        emit IPocoEvents.Transfer(address(0), address(this), amount);
        vm.expectEmit(address(rlc));
        emit IERC20.Transfer(address(this), address(hub), amount);
        assertTrue(hub.deposit(amount), "returns true");

        assertEq(hub.balanceOf(address(this)), amount, "escrow balance");
        assertEq(hub.frozenOf(address(this)), 0, "nothing frozen");
        assertEq(hub.totalSupply(), supply + amount, "total supply");
        assertEq(rlc.balanceOf(address(hub)), held + amount, "RLC held by the hub");
        assertEq(rlc.balanceOf(address(this)), rlcBefore - amount, "RLC of the depositor");
        assertEq(rlc.allowance(address(this), address(hub)), 0, "allowance consumed");
        _assertConservation();
    }

    function test_accumulates() public {
        rlc.approve(address(hub), 3e9);
        hub.deposit(1e9);
        hub.deposit(2e9);
        assertEq(hub.balanceOf(address(this)), 3e9, "two deposits");
        _assertConservation();
    }

    function test_depositOfZero() public {
        uint256 supply = hub.totalSupply();
        vm.expectEmit(address(hub));
        emit IPocoEvents.Transfer(address(0), address(this), 0);
        assertTrue(hub.deposit(0), "returns true");
        assertEq(hub.balanceOf(address(this)), 0, "nothing credited");
        assertEq(hub.totalSupply(), supply, "supply unchanged");
    }

    function test_revertsWithoutRlcAllowance() public {
        rlc.approve(address(hub), 10);
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector, address(hub), 10, 11
            )
        );
        hub.deposit(11);
    }

    function test_revertsWhenRlcBalanceTooLow() public {
        rlc.transfer(stranger, 5);
        vm.prank(stranger);
        rlc.approve(address(hub), 10);
        uint256 supply = hub.totalSupply();
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, stranger, 5, 10)
        );
        vm.prank(stranger);
        hub.deposit(10);
        assertEq(hub.balanceOf(stranger), 0, "nothing credited");
        assertEq(hub.totalSupply(), supply, "supply unchanged");
    }

    function testFuzz_deposit(uint256 amount) public {
        amount = bound(amount, 0, rlc.balanceOf(address(this)));
        uint256 supply = hub.totalSupply();
        rlc.approve(address(hub), amount);
        hub.deposit(amount);
        assertEq(hub.balanceOf(address(this)), amount, "escrow balance");
        assertEq(hub.totalSupply(), supply + amount, "total supply");
        _assertConservation();
    }
}

/// Balances are packed on 112 bits: the hub refuses deposits that would take its total supply
/// above 2^112 - 1. RLC's supply (8.7e16) cannot get there, so this runs a second hub over a
/// token of 2^128 units.
contract PocoModuleDepositAmountTooLargeTest is PocoUnitFixture {
    uint256 private constant MAX_SUPPLY = (1 << 112) - 1;
    HugeSupplyTokenMock private huge;
    IPoco private bigHub;

    function setUp() public override {
        super.setUp();
        huge = new HugeSupplyTokenMock();
        bigHub = _deployHub(address(huge));
        huge.approve(address(bigHub), type(uint256).max);
    }

    function test_acceptsUpToTheCap() public {
        assertTrue(bigHub.deposit(MAX_SUPPLY), "deposit of 2^112 - 1");
        assertEq(bigHub.balanceOf(address(this)), MAX_SUPPLY, "balance");
        assertEq(bigHub.totalSupply(), MAX_SUPPLY, "total supply");
        assertEq(bigHub.viewAccount(address(this)).stake, MAX_SUPPLY, "packed balance intact");
        assertEq(bigHub.frozenOf(address(this)), 0, "packed frozen intact");
        assertEq(bigHub.viewScore(address(this)), 0, "packed score intact");
    }

    function test_revertsAboveTheCap() public {
        bigHub.deposit(MAX_SUPPLY);
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.AmountTooLarge.selector, 1));
        bigHub.deposit(1);
    }

    function test_revertsForOneDepositAboveTheCap() public {
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.AmountTooLarge.selector, MAX_SUPPLY + 1));
        bigHub.deposit(MAX_SUPPLY + 1);
        assertEq(bigHub.totalSupply(), 0, "nothing deposited");
    }

    /// An amount so large that the new total supply overflows 256 bits is still "too large".
    /// FAILS on poco as of 8e859a1: `_mint` computes `totalSupply + amount` with checked
    /// arithmetic before comparing with the cap, so this reverts Panic(0x11) instead.
    function test_revertsAmountTooLargeRatherThanOverflowing() public {
        bigHub.deposit(1);
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.AmountTooLarge.selector, type(uint256).max)
        );
        bigHub.deposit(type(uint256).max);
    }

    /// The cap is on the total supply, not per account.
    function test_capIsOnTheTotalSupply() public {
        bigHub.depositFor(MAX_SUPPLY - 10, requester);
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.AmountTooLarge.selector, 11));
        bigHub.depositFor(11, sponsor);
        bigHub.depositFor(10, sponsor);
        assertEq(bigHub.totalSupply(), MAX_SUPPLY, "total supply at the cap");
    }
}
