// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC734} from "../../src/interfaces/IPoco.sol";

/// @title An ERC-734 key manager used as a restriction group, with misbehaving modes.
/// @dev `Normal` answers `keyHasPurpose` from the keys set with {setKey}; `Revert` reverts;
/// `Garbage` answers a word that is not a valid bool (2); `Short` answers fewer than 32 bytes.
/// The hub must treat every abnormal answer as "not a member".
contract ERC734Mock is IERC734 {
    enum Mode {
        Normal,
        Revert,
        Garbage,
        Short
    }

    error KeyManagerReverted();

    Mode public mode;
    mapping(bytes32 key => mapping(uint256 purpose => bool)) private _purposes;

    function setMode(Mode newMode) external {
        mode = newMode;
    }

    /// @notice Gives (or removes) `purpose` to the key of `account` (its address as a bytes32).
    function setKey(address account, uint256 purpose, bool has) external {
        _purposes[bytes32(uint256(uint160(account)))][purpose] = has;
    }

    function keyHasPurpose(bytes32 key, uint256 purpose) external view returns (bool) {
        Mode m = mode;
        if (m == Mode.Revert) revert KeyManagerReverted();
        if (m == Mode.Garbage) {
            assembly ("memory-safe") {
                mstore(0, 2)
                return(0, 32)
            }
        }
        if (m == Mode.Short) {
            assembly ("memory-safe") {
                mstore(0, 0x0100000000000000000000000000000000000000000000000000000000000000)
                return(0, 1)
            }
        }
        return _purposes[key][purpose];
    }
}
