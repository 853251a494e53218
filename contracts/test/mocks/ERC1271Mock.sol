// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";

/// @title An ERC-1271 contract signer: approves the (hash, signature) pairs it was told to.
/// @dev Records the length of the last signature it was asked about (the hub forwards any length).
contract ERC1271Mock is IERC1271 {
    enum Mode {
        Normal,
        Revert,
        WrongMagic
    }

    error SignerReverted();

    Mode public mode;
    mapping(bytes32 hash => mapping(bytes32 signatureHash => bool)) private _valid;

    function setMode(Mode newMode) external {
        mode = newMode;
    }

    function approve(bytes32 hash, bytes calldata signature) external {
        _valid[hash][keccak256(signature)] = true;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature)
        external
        view
        returns (bytes4)
    {
        if (mode == Mode.Revert) revert SignerReverted();
        if (mode == Mode.WrongMagic) return 0xffffffff;
        return _valid[hash][keccak256(signature)] ? IERC1271.isValidSignature.selector : bytes4(0);
    }
}
