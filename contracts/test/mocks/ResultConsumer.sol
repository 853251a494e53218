// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IOracleConsumer} from "../../src/interfaces/IPoco.sol";

/// @title A deal callback (ERC-1154 oracle consumer) recording the results it receives.
/// @dev A callback runs with `callbackgas` (100 000 by default): this one records the caller, a
/// count, the task and the hash of the data in three storage slots (about 66 000 gas the first
/// time) and emits the data itself. Storing the data would run out of gas and, the hub ignoring
/// the callback's outcome, silently record nothing.
contract ResultConsumer is IOracleConsumer {
    event ResultReceived(address caller, bytes32 taskId, bytes resultsCallback);

    address public lastCaller;
    uint96 public count;
    bytes32 public lastTaskId;
    bytes32 public lastResultHash;

    function receiveResult(bytes32 taskId, bytes calldata resultsCallback) external {
        lastCaller = msg.sender;
        count += 1;
        lastTaskId = taskId;
        lastResultHash = keccak256(resultsCallback);
        emit ResultReceived(msg.sender, taskId, resultsCallback);
    }
}
