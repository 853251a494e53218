// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ITokenSpender} from "../interfaces/IPoco.sol";

/// @title What the RLC token adds to ERC-20: `approveAndCall` and its error.
interface IRLC {
    /// @dev `spender.receiveApproval(...)` returned false.
    error ApprovalRefused(address spender, uint256 value);

    function approveAndCall(address spender, uint256 value, bytes calldata extraData)
        external
        returns (bool);
}

/// @title RLC, the iExec network token (a development and test deployment of it).
/// @notice A plain ERC-20 with 9 decimals whose whole supply (87 million RLC) is minted to the
/// deployer, plus the ERC-20 "approve and call" extension that lets a holder approve the hub and
/// deposit in a single transaction.
contract RLC is ERC20, IRLC {
    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @dev Number of decimals of one RLC (1 RLC = 1e9 nRLC).
    uint8 private constant DECIMALS = 9;

    /// @dev The fixed total supply, in nRLC.
    uint256 private constant TOTAL_SUPPLY = 87_000_000 * 10 ** DECIMALS;

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @notice Mints the whole supply to the deployer.
    constructor() ERC20("iEx.ec Network Token", "RLC") {
        _mint(msg.sender, TOTAL_SUPPLY);
    }

    /*//////////////////////////////////////////////////////////////
                                 ERC-20
    //////////////////////////////////////////////////////////////*/

    /// @notice RLC amounts have 9 decimals.
    function decimals() public pure override returns (uint8) {
        return DECIMALS;
    }

    /*//////////////////////////////////////////////////////////////
                             APPROVE AND CALL
    //////////////////////////////////////////////////////////////*/

    /// @notice Sets `spender`'s allowance over the caller's tokens to `value`, then notifies
    /// `spender` through `receiveApproval(caller, value, this token, extraData)`.
    /// @dev The allowance is set before the call (the spender usually pulls the tokens with
    /// `transferFrom` from within `receiveApproval`).
    ///
    /// **Requirements:**
    /// - `spender` is not the zero address (`ERC20InvalidSpender`);
    /// - `spender` implements {ITokenSpender} and its `receiveApproval` returns true
    ///   (`ApprovalRefused` when it returns false; its own revert is bubbled up).
    /// @param spender The contract to approve and notify.
    /// @param value The allowance, in nRLC.
    /// @param extraData Opaque data forwarded to `spender`.
    /// @return Always true (the call reverts otherwise).
    function approveAndCall(address spender, uint256 value, bytes calldata extraData)
        external
        returns (bool)
    {
        _approve(msg.sender, spender, value);
        if (!ITokenSpender(spender).receiveApproval(msg.sender, value, address(this), extraData)) {
            revert ApprovalRefused(spender, value);
        }
        return true;
    }
}
