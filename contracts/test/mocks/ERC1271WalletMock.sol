// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title A smart-contract wallet (ERC-1271) whose signatures are its signer key's, or a wallet
/// that misbehaves on demand.
/// @dev Also accepts ERC-721 tokens, so it can own apps, datasets and workerpools.
contract ERC1271WalletMock is IERC1271 {
    enum Mode {
        /// Valid iff `signature` is the signer's ECDSA signature of `hash` (65 bytes, or 64 EIP-2098).
        Verify,
        /// Every signature is valid, even an empty one.
        AcceptAll,
        /// Answers a value other than the magic value.
        WrongMagic,
        /// Reverts.
        Revert
    }

    bytes4 internal constant MAGIC = 0x1626ba7e;

    address public immutable signer;
    Mode public mode;

    constructor(address signer_) {
        signer = signer_;
    }

    function setMode(Mode newMode) external {
        mode = newMode;
    }

    function isValidSignature(bytes32 hash, bytes memory signature) external view returns (bytes4) {
        if (mode == Mode.Revert) revert("ERC1271WalletMock: refused");
        if (mode == Mode.AcceptAll) return MAGIC;
        if (mode == Mode.WrongMagic) return 0xdeadbeef;
        address recovered;
        ECDSA.RecoverError error;
        if (signature.length == 64) {
            (bytes32 r, bytes32 vs) = abi.decode(signature, (bytes32, bytes32));
            (recovered, error,) = ECDSA.tryRecover(hash, r, vs);
        } else {
            (recovered, error,) = ECDSA.tryRecover(hash, signature);
        }
        return error == ECDSA.RecoverError.NoError && recovered == signer ? MAGIC : bytes4(0);
    }

    function onERC721Received(address, address, uint256, bytes calldata)
        external
        pure
        returns (bytes4)
    {
        return this.onERC721Received.selector;
    }
}
