// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {TokenSpenderMock} from "../../mocks/TokenSpenderMock.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";

contract PocoModuleApproveAndCallTest is PocoUnitFixture {
    TokenSpenderMock private spender;

    function setUp() public override {
        super.setUp();
        spender = new TokenSpenderMock();
    }

    function test_approvesThenCallsTheSpender() public {
        vm.expectEmit(address(hub));
        emit IPocoEvents.Approval(requester, address(spender), 8e9);
        vm.expectCall(
            address(spender),
            abi.encodeCall(spender.receiveApproval, (requester, 8e9, address(hub), hex"c0ffee"))
        );
        vm.expectEmit(address(hub));
        emit IPocoEvents.Transfer(requester, address(spender), 8e9);
        vm.prank(requester);
        assertTrue(hub.approveAndCall(address(spender), 8e9, hex"c0ffee"), "returns true");

        assertEq(spender.lastSender(), requester, "sender");
        assertEq(spender.lastAmount(), 8e9, "amount");
        assertEq(spender.lastToken(), address(hub), "token is the hub");
        assertEq(spender.lastExtraData(), hex"c0ffee", "extra data");
        assertEq(spender.allowanceSeen(), 8e9, "allowance set before the call");
        assertEq(hub.balanceOf(address(spender)), 8e9, "spender pulled the escrow");
        assertEq(hub.allowance(requester, address(spender)), 0, "allowance used");
        _assertConservationWith(address(spender));
    }

    function test_revertsWhenTheSpenderRefuses() public {
        spender.setMode(TokenSpenderMock.Mode.Refuse);
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.ApprovalRefused.selector, address(spender))
        );
        vm.prank(requester);
        hub.approveAndCall(address(spender), 8e9, "");
        assertEq(hub.allowance(requester, address(spender)), 0, "approval rolled back");
    }

    function test_bubblesTheSpendersRevert() public {
        spender.setMode(TokenSpenderMock.Mode.Revert);
        vm.expectRevert(abi.encodeWithSelector(TokenSpenderMock.SpenderReverted.selector));
        vm.prank(requester);
        hub.approveAndCall(address(spender), 8e9, "");
    }

    /// A spender without code cannot answer: the call reverts without data (return decoding fails).
    function test_revertsForASpenderWithoutCode() public {
        vm.expectRevert(bytes(""));
        vm.prank(requester);
        hub.approveAndCall(stranger, 8e9, "");
    }

    function test_revertsOnZeroSpender() public {
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InvalidSpender.selector, address(0))
        );
        vm.prank(requester);
        hub.approveAndCall(address(0), 8e9, "");
    }

    /// The spender cannot take more than the caller has, whatever the approval.
    function test_spenderPullFailsAboveTheBalance() public {
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, stranger, 0, 1e9)
        );
        vm.prank(stranger);
        hub.approveAndCall(address(spender), 1e9, "");
    }

    function testFuzz_approveAndCall(uint256 amount, bytes calldata data) public {
        amount = bound(amount, 0, INITIAL_DEPOSIT);
        vm.prank(requester);
        hub.approveAndCall(address(spender), amount, data);
        assertEq(spender.lastExtraData(), data, "extra data");
        assertEq(hub.balanceOf(address(spender)), amount, "spender pulled");
        _assertConservationWith(address(spender));
    }
}
