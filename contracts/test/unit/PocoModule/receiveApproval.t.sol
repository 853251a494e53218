// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";
import {RLC} from "../../../src/token/RLC.sol";

/// `receiveApproval` is the hub's side of `RLC.approveAndCall(hub, amount, data)`: a deposit in
/// one transaction.
contract PocoModuleReceiveApprovalTest is PocoUnitFixture {
    function setUp() public override {
        super.setUp();
        rlc.transfer(requester, 500e9);
    }

    function test_approveAndCallDeposits() public {
        uint256 amount = 300e9;
        uint256 supply = hub.totalSupply();

        vm.expectEmit(address(rlc));
        emit IERC20.Approval(requester, address(hub), amount);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Transfer(address(0), requester, amount);
        vm.expectEmit(address(rlc));
        emit IERC20.Transfer(requester, address(hub), amount);
        vm.expectCall(
            address(hub), abi.encodeCall(hub.receiveApproval, (requester, amount, address(rlc), ""))
        );
        vm.prank(requester);
        assertTrue(rlc.approveAndCall(address(hub), amount, ""), "approveAndCall succeeds");

        assertEq(hub.balanceOf(requester), INITIAL_DEPOSIT + amount, "escrow credited");
        assertEq(rlc.balanceOf(requester), 200e9, "RLC pulled");
        assertEq(rlc.allowance(requester, address(hub)), 0, "allowance consumed");
        assertEq(hub.totalSupply(), supply + amount, "total supply");
        _assertConservation();
    }

    /// 6.1 semantics: the extra data is ignored (6.2 would run a `matchOrders` encoded in it).
    function test_extraDataIsIgnored() public {
        vm.prank(requester);
        rlc.approveAndCall(
            address(hub), 1e9, abi.encodeWithSelector(bytes4(0x156194d4), uint256(1))
        );
        assertEq(hub.balanceOf(requester), INITIAL_DEPOSIT + 1e9, "plain deposit");
        _assertConservation();
    }

    /// Only the RLC token may call it (the reference only checks the `token` argument; poco also
    /// checks the caller, so nobody can trigger a deposit from a third party's RLC allowance).
    function test_revertsWhenCalledDirectly() public {
        vm.prank(requester);
        rlc.approve(address(hub), 10e9);
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.WrongToken.selector, stranger, address(rlc))
        );
        vm.prank(stranger);
        hub.receiveApproval(requester, 10e9, address(rlc), "");
        assertEq(hub.balanceOf(requester), INITIAL_DEPOSIT, "nothing deposited");
    }

    function test_revertsForAnotherToken() public {
        RLC other = RLC(vm.deployCode("RLC.sol:RLC"));
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.WrongToken.selector, address(other), address(rlc))
        );
        other.approveAndCall(address(hub), 1e9, "");
    }

    /// The RLC token calling about another token: the error names the offending token.
    /// FAILS on poco as of 8e859a1: the error reports `msg.sender` (RLC itself), i.e.
    /// `WrongToken(rlc, rlc)`, which says nothing about what was wrong.
    function test_errorNamesTheWrongTokenArgument() public {
        address other = makeAddr("otherToken");
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.WrongToken.selector, other, address(rlc))
        );
        vm.prank(address(rlc));
        hub.receiveApproval(requester, 1e9, other, "");
    }

    function test_revertsWhenTheSenderLacksRlc() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientBalance.selector, requester, 500e9, 501e9
            )
        );
        vm.prank(requester);
        rlc.approveAndCall(address(hub), 501e9, "");
    }

    function testFuzz_approveAndCall(uint256 amount, bytes calldata data) public {
        amount = bound(amount, 0, 500e9);
        vm.prank(requester);
        rlc.approveAndCall(address(hub), amount, data);
        assertEq(hub.balanceOf(requester), INITIAL_DEPOSIT + amount, "escrow credited");
        _assertConservation();
    }
}
