// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ITokenSpender} from "../../src/interfaces/IPoco.sol";

/// @title An {ITokenSpender} that records its call and pulls the approved tokens, or refuses.
contract TokenSpenderMock is ITokenSpender {
    error SpenderReverted();

    enum Mode {
        Accept,
        Refuse,
        Revert
    }

    Mode public mode;
    address public lastSender;
    uint256 public lastAmount;
    address public lastToken;
    bytes public lastExtraData;
    uint256 public allowanceSeen;

    function setMode(Mode newMode) external {
        mode = newMode;
    }

    function receiveApproval(
        address sender,
        uint256 amount,
        address token,
        bytes calldata extraData
    ) external returns (bool) {
        if (mode == Mode.Revert) revert SpenderReverted();
        if (mode == Mode.Refuse) return false;
        lastSender = sender;
        lastAmount = amount;
        lastToken = token;
        lastExtraData = extraData;
        allowanceSeen = IERC20(token).allowance(sender, address(this));
        IERC20(token).transferFrom(sender, address(this), amount);
        return true;
    }
}
