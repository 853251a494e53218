// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Vm} from "./Vm.sol";

/// @title Minimal test base: cheatcodes and assertions (a small stand-in for forge-std's Test).
/// @dev forge treats a test as failed when it reverts, so each assertion reverts with a message
/// that shows both values.
abstract contract Test {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// forge looks for this flag to recognise a test contract's failure state.
    bool public IS_TEST = true;

    error AssertionFailed(string message);

    function fail(string memory message) internal pure {
        revert AssertionFailed(message);
    }

    function assertTrue(bool condition, string memory message) internal pure {
        if (!condition) fail(message);
    }

    function assertTrue(bool condition) internal pure {
        assertTrue(condition, "expected true");
    }

    function assertFalse(bool condition, string memory message) internal pure {
        if (condition) fail(message);
    }

    function assertFalse(bool condition) internal pure {
        assertFalse(condition, "expected false");
    }

    function assertEq(uint256 left, uint256 right, string memory message) internal pure {
        if (left != right) {
            fail(string.concat(message, ": ", _str(left), " != ", _str(right)));
        }
    }

    function assertEq(uint256 left, uint256 right) internal pure {
        assertEq(left, right, "uint mismatch");
    }

    function assertEq(int256 left, int256 right, string memory message) internal pure {
        if (left != right) fail(message);
    }

    function assertEq(address left, address right, string memory message) internal pure {
        if (left != right) {
            fail(
                string.concat(
                    message,
                    ": ",
                    _hex(uint256(uint160(left))),
                    " != ",
                    _hex(uint256(uint160(right)))
                )
            );
        }
    }

    function assertEq(address left, address right) internal pure {
        assertEq(left, right, "address mismatch");
    }

    function assertEq(bytes32 left, bytes32 right, string memory message) internal pure {
        if (left != right) {
            fail(string.concat(message, ": ", _hex(uint256(left)), " != ", _hex(uint256(right))));
        }
    }

    function assertEq(bytes32 left, bytes32 right) internal pure {
        assertEq(left, right, "bytes32 mismatch");
    }

    function assertEq(bool left, bool right, string memory message) internal pure {
        if (left != right) fail(message);
    }

    function assertEq(bytes memory left, bytes memory right, string memory message) internal pure {
        if (keccak256(left) != keccak256(right)) fail(message);
    }

    function assertEq(string memory left, string memory right, string memory message)
        internal
        pure
    {
        if (keccak256(bytes(left)) != keccak256(bytes(right))) {
            fail(string.concat(message, ": \"", left, "\" != \"", right, "\""));
        }
    }

    function assertEq(string memory left, string memory right) internal pure {
        assertEq(left, right, "string mismatch");
    }

    function assertGt(uint256 left, uint256 right, string memory message) internal pure {
        if (left <= right) fail(string.concat(message, ": ", _str(left), " <= ", _str(right)));
    }

    function assertGe(uint256 left, uint256 right, string memory message) internal pure {
        if (left < right) fail(string.concat(message, ": ", _str(left), " < ", _str(right)));
    }

    function assertLt(uint256 left, uint256 right, string memory message) internal pure {
        if (left >= right) fail(string.concat(message, ": ", _str(left), " >= ", _str(right)));
    }

    function assertLe(uint256 left, uint256 right, string memory message) internal pure {
        if (left > right) fail(string.concat(message, ": ", _str(left), " > ", _str(right)));
    }

    /// @dev Maps any fuzzed `x` into `[min, max]` (uniformly enough for fuzzing; keeps small
    /// values unchanged so that edge cases stay reachable).
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        require(min <= max, "bound: min > max");
        if (x >= min && x <= max) return x;
        uint256 size = max - min;
        if (size == type(uint256).max) return x;
        return min + (x % (size + 1));
    }

    /// @dev A deterministic private key and its address, labelled for traces.
    function makeAccount(string memory name) internal returns (address account, uint256 key) {
        key = uint256(keccak256(bytes(name)))
            % 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141;
        if (key == 0) key = 1;
        account = vm.addr(key);
        vm.label(account, name);
    }

    function makeAddr(string memory name) internal returns (address account) {
        (account,) = makeAccount(name);
    }

    function _str(uint256 value) private pure returns (string memory) {
        if (value == 0) return "0";
        uint256 digits;
        for (uint256 v = value; v != 0; v /= 10) {
            digits++;
        }
        bytes memory buffer = new bytes(digits);
        while (value != 0) {
            digits -= 1;
            buffer[digits] = bytes1(uint8(48 + (value % 10)));
            value /= 10;
        }
        return string(buffer);
    }

    function _hex(uint256 value) private pure returns (string memory) {
        bytes memory buffer = new bytes(66);
        buffer[0] = "0";
        buffer[1] = "x";
        for (uint256 i = 65; i > 1; i--) {
            buffer[i] = bytes16("0123456789abcdef")[value & 0xf];
            value >>= 4;
        }
        return string(buffer);
    }
}
