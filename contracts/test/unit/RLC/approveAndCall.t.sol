// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {Test} from "../../utils/Test.sol";
import {TokenSpenderMock} from "../../mocks/TokenSpenderMock.sol";
import {RLC, IRLC} from "../../../src/token/RLC.sol";

contract RLCApproveAndCallTest is Test {
    RLC private rlc;
    TokenSpenderMock private spender;
    address private holder;

    function setUp() public {
        holder = makeAddr("holder");
        vm.prank(holder);
        rlc = new RLC();
        spender = new TokenSpenderMock();
    }

    function test_approvesThenCallsSpender() public {
        uint256 value = 1_234e9;
        vm.expectEmit(address(rlc));
        emit IERC20.Approval(holder, address(spender), value);
        vm.expectCall(
            address(spender),
            abi.encodeCall(spender.receiveApproval, (holder, value, address(rlc), hex"c0ffee"))
        );
        vm.prank(holder);
        assertTrue(rlc.approveAndCall(address(spender), value, hex"c0ffee"), "returns true");

        assertEq(spender.lastSender(), holder, "sender");
        assertEq(spender.lastAmount(), value, "amount");
        assertEq(spender.lastToken(), address(rlc), "token");
        assertEq(spender.lastExtraData(), hex"c0ffee", "extraData");
        assertEq(spender.allowanceSeen(), value, "allowance set before the call");
        assertEq(rlc.balanceOf(address(spender)), value, "spender pulled the tokens");
        assertEq(rlc.allowance(holder, address(spender)), 0, "allowance consumed");
    }

    function test_revertsWhenSpenderRefuses() public {
        spender.setMode(TokenSpenderMock.Mode.Refuse);
        vm.expectRevert(abi.encodeWithSelector(IRLC.ApprovalRefused.selector, address(spender), 5));
        vm.prank(holder);
        rlc.approveAndCall(address(spender), 5, "");
    }

    function test_bubblesSpenderRevert() public {
        spender.setMode(TokenSpenderMock.Mode.Revert);
        vm.expectRevert(abi.encodeWithSelector(TokenSpenderMock.SpenderReverted.selector));
        vm.prank(holder);
        rlc.approveAndCall(address(spender), 5, "");
    }

    function test_revertsOnZeroSpender() public {
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InvalidSpender.selector, address(0))
        );
        vm.prank(holder);
        rlc.approveAndCall(address(0), 5, "");
    }

    /// A spender without code cannot answer: the call reverts with no data (ABI decoding fails).
    function test_revertsWhenSpenderHasNoCode() public {
        vm.expectRevert(bytes(""));
        vm.prank(holder);
        rlc.approveAndCall(makeAddr("eoa"), 5, "");
    }

    function testFuzz_approveAndCall(uint256 value, bytes calldata extraData) public {
        value = bound(value, 0, rlc.balanceOf(holder));
        vm.prank(holder);
        rlc.approveAndCall(address(spender), value, extraData);
        assertEq(spender.lastAmount(), value, "amount");
        assertEq(spender.lastExtraData(), extraData, "extraData");
        assertEq(rlc.balanceOf(address(spender)), value, "spender balance");
    }
}
