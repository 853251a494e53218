// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IPocoErrors} from "../interfaces/IPocoErrors.sol";

/// @title Blobs: where the hub keeps deal params and task results.
/// @notice Short values (under 32 bytes) stay in their one storage slot, as Solidity stores them.
/// Longer values go into the code of a small contract created with CREATE2 at an address derived
/// from the hub, a salt naming the value (e.g. `keccak256("params", dealid)`) and a constant init
/// code: nothing has to be stored to find them again. Writing n bytes this way costs about
/// 32,000 + 200·n gas instead of 22,100 per 32 bytes (+1 slot for the length): 80-byte params cost
/// ~50k instead of ~88k.
/// @dev The init code cannot carry the data (the address would then depend on it), so it fetches
/// it from its creator: the hub puts the value in transient storage, runs CREATE2, and answers
/// the init code's empty-calldata static call with the raw value (see {PocoHub-fallback}). The
/// created code is `0x00 ‖ value` (the leading STOP keeps it from being run, and keeps a value
/// starting with 0xEF deployable, EIP-3541).
library Blobs {
    /// Init code: staticcall(gas, caller, 0, 0, 0, 0); returndatacopy(1, 0, size);
    /// return(0, size + 1). Memory byte 0 is zero: the code starts with STOP.
    ///   5f5f5f5f335afa50  PUSH0 ×4, CALLER, GAS, STATICCALL, POP
    ///   3d5f6001 3e       RETURNDATASIZE, PUSH0, PUSH1 1, RETURNDATACOPY
    ///   3d600101 5f f3    RETURNDATASIZE, PUSH1 1, ADD, PUSH0, RETURN
    bytes internal constant INIT_CODE = hex"5f5f5f5f335afa503d5f60013e3d6001015ff3";
    bytes32 internal constant INIT_CODE_HASH = keccak256(INIT_CODE);

    /// @dev Values this long or longer would not fit a contract's code (EIP-170: 24,576 bytes,
    /// with the leading STOP): they go to storage, in Solidity's layout.
    uint256 internal constant MAX_BLOB = 24_576;

    /// @dev Transient slots holding the value while its contract is created.
    bytes32 internal constant PENDING_LENGTH_SLOT = keccak256("poco.blobs.pending.length");
    bytes32 internal constant PENDING_DATA_SLOT = keccak256("poco.blobs.pending.data");

    /// @dev Stores `data` under `salt`: inline when short, in a CREATE2 data contract otherwise.
    /// Each salt may be written once (a second long write would collide and revert).
    function store(bytes storage short, bytes32 salt, bytes calldata data) internal {
        if (data.length >= MAX_BLOB) {
            _storeLong(short, data);
            return;
        }
        if (data.length < 32) {
            // Solidity's short layout: the bytes left-aligned, twice the length in the low byte
            if (data.length != 0) {
                assembly ("memory-safe") {
                    let length := data.length
                    let word := and(calldataload(data.offset), not(shr(mul(length, 8), not(0))))
                    sstore(short.slot, or(word, mul(length, 2)))
                }
            }
            return;
        }
        bytes32 lengthSlot = PENDING_LENGTH_SLOT;
        bytes32 dataSlot = PENDING_DATA_SLOT;
        bytes memory initCode = INIT_CODE;
        address created;
        assembly ("memory-safe") {
            let length := data.length
            tstore(lengthSlot, length)
            for { let i := 0 } lt(i, length) { i := add(i, 32) } {
                tstore(add(dataSlot, shr(5, i)), calldataload(add(data.offset, i)))
            }
            created := create2(0, add(initCode, 32), mload(initCode), salt)
            tstore(lengthSlot, 0)
        }
        if (created == address(0)) revert IPocoErrors.BlobCreationFailed(salt);
    }

    /// @dev Writes `data` (32 bytes or more) in Solidity's layout of a long `bytes`: 2·length+1 in
    /// the slot, the data from slot keccak256(slot) on, the tail of the last word zeroed.
    function _storeLong(bytes storage target, bytes calldata data) private {
        assembly ("memory-safe") {
            let length := data.length
            sstore(target.slot, add(mul(length, 2), 1))
            mstore(0, target.slot)
            let dataSlot := keccak256(0, 32)
            let words := shr(5, add(length, 31))
            for { let i := 0 } lt(i, words) { i := add(i, 1) } {
                let word := calldataload(add(data.offset, shl(5, i)))
                let left := sub(length, shl(5, i))
                if lt(left, 32) { word := and(word, not(shr(shl(3, left), not(0)))) }
                sstore(add(dataSlot, i), word)
            }
        }
    }

    /// @dev The value stored under `salt` (empty if none).
    function load(bytes storage short, bytes32 salt) internal view returns (bytes memory data) {
        if (short.length != 0) return short;
        address pointer = addressOf(salt);
        uint256 size = pointer.code.length;
        if (size <= 1) return data;
        data = new bytes(size - 1);
        assembly ("memory-safe") {
            extcodecopy(pointer, add(data, 32), 1, sub(size, 1))
        }
    }

    /// @dev Whether a value (short or long) is stored under `salt`.
    function isEmpty(bytes storage short, bytes32 salt) internal view returns (bool) {
        return short.length == 0 && addressOf(salt).code.length == 0;
    }

    /// @dev The CREATE2 address of the data contract of `salt` (created by this contract).
    function addressOf(bytes32 salt) internal view returns (address) {
        return address(
            uint160(
                uint256(
                    keccak256(abi.encodePacked(bytes1(0xff), address(this), salt, INIT_CODE_HASH))
                )
            )
        );
    }

    /// @dev Writes the pending value, raw, as return data (the answer to the init code's call).
    /// Only meaningful while {store} runs; returns nothing otherwise.
    function returnPending() internal view {
        bytes32 lengthSlot = PENDING_LENGTH_SLOT;
        bytes32 dataSlot = PENDING_DATA_SLOT;
        assembly ("memory-safe") {
            let length := tload(lengthSlot)
            let ptr := mload(0x40)
            for { let i := 0 } lt(i, length) { i := add(i, 32) } {
                mstore(add(ptr, i), tload(add(dataSlot, shr(5, i))))
            }
            return(ptr, length)
        }
    }
}
