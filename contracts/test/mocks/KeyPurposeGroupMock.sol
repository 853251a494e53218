// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC734} from "../../src/interfaces/IPoco.sol";

/// @title An ERC-734 key manager used as a group in order restrictions: an account is a member
/// when its key (the address, left-padded to 32 bytes) has purpose 4 (GROUPMEMBER).
contract KeyPurposeGroupMock is IERC734 {
    mapping(bytes32 key => mapping(uint256 purpose => bool)) private _purposes;

    function addKey(address account, uint256 purpose) external {
        _purposes[bytes32(uint256(uint160(account)))][purpose] = true;
    }

    function keyHasPurpose(bytes32 key, uint256 purpose) external view returns (bool) {
        return _purposes[key][purpose];
    }
}
