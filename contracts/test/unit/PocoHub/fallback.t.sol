// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";

/// The hub routes unknown selectors through its module to the views, whose fallback refuses them
/// with `UnknownFunction(selector)`; it accepts no ether (the reference, in token mode, reverts
/// "fallback-disabled" in both cases).
contract PocoHubFallbackTest is PocoUnitFixture {
    function _call(uint256 value, bytes memory data)
        private
        returns (bool ok, bytes memory answer)
    {
        vm.deal(stranger, 1 ether);
        vm.prank(stranger);
        (ok, answer) = address(hub).call{value: value}(data);
    }

    function test_unknownSelector() public {
        (bool ok, bytes memory answer) =
            _call(0, abi.encodeWithSelector(bytes4(0x12345678), uint256(1)));
        assertFalse(ok, "refused");
        assertEq(
            answer,
            abi.encodeWithSelector(IPocoErrors.UnknownFunction.selector, bytes4(0x12345678)),
            "error"
        );
    }

    /// Boost and Diamond functions of the reference are not implemented.
    function test_referenceFunctionsPocoDoesNotImplement() public {
        bytes4[5] memory selectors = [
            bytes4(0x8a8b3607), // matchOrdersBoost
            bytes4(0x9bced28b), // pushResultBoost
            bytes4(0x63fbac17), // viewDealBoost
            bytes4(0x7a0ed627), // facets()
            bytes4(0x1f931c1c) // diamondCut
        ];
        for (uint256 i = 0; i < selectors.length; ++i) {
            (bool ok, bytes memory answer) = _call(0, abi.encodeWithSelector(selectors[i]));
            assertFalse(ok, "refused");
            assertEq(
                answer,
                abi.encodeWithSelector(IPocoErrors.UnknownFunction.selector, selectors[i]),
                "error"
            );
        }
    }

    /// Empty calldata is how a blob's init code asks the hub for the value being stored (see
    /// Blobs.sol): outside of a blob write it answers nothing.
    function test_emptyCalldata() public {
        (bool ok, bytes memory answer) = _call(0, "");
        assertTrue(ok, "answered");
        assertEq(answer, "", "nothing pending");
    }

    /// Calldata shorter than a selector.
    function test_shortCalldata() public {
        (bool ok, bytes memory answer) = _call(0, hex"aabb");
        assertFalse(ok, "refused");
        assertEq(
            answer,
            abi.encodeWithSelector(IPocoErrors.UnknownFunction.selector, bytes4(0xaabb0000)),
            "padded"
        );
    }

    function test_plainEtherTransferReverts() public {
        uint256 balance = address(hub).balance;
        (bool ok,) = _call(1 ether, "");
        assertFalse(ok, "ether refused");
        assertEq(address(hub).balance, balance, "no ether kept");
    }

    /// No function is payable: ether sent with a valid call (hub, module or view function) is refused.
    function test_etherWithAFunctionCallReverts() public {
        (bool ok,) = _call(1, abi.encodeCall(hub.deposit, (0)));
        assertFalse(ok, "module function");
        (bool ok2,) = _call(1, abi.encodeCall(hub.balanceOf, (stranger)));
        assertFalse(ok2, "hub function");
        (bool ok3,) = _call(1, abi.encodeCall(hub.countCategory, ()));
        assertFalse(ok3, "view function");
        (bool ok4,) = _call(0, abi.encodeCall(hub.countCategory, ()));
        assertTrue(ok4, "same view call without ether");
    }
}
