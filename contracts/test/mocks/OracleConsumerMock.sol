// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IOracleConsumer} from "../../src/interfaces/IPoco.sol";

interface IResultFor {
    function resultFor(bytes32 taskId) external view returns (bytes memory);
}

/// @title A deal callback that records what the hub sends it, or reverts, or burns all its gas.
contract OracleConsumerMock is IOracleConsumer {
    enum Mode {
        Record,
        Revert,
        Guzzle
    }

    error ConsumerReverted();

    Mode public mode;
    uint256 public calls;
    address public lastCaller;
    bytes32 public lastTaskId;
    bytes public lastData;
    /// @notice `gasleft()` at the entry of the last recorded call.
    uint256 public gasAtEntry;
    /// @notice Whether `resultFor(taskId)` on the caller answered during the last call (it only
    /// does for COMPLETED tasks), and what.
    bool public resultForAnswered;
    bytes public resultForAnswer;

    function setMode(Mode newMode) external {
        mode = newMode;
    }

    function receiveResult(bytes32 taskId, bytes calldata resultsCallback) external {
        uint256 gasLeft = gasleft();
        Mode m = mode;
        if (m == Mode.Revert) revert ConsumerReverted();
        if (m == Mode.Guzzle) {
            // burn every unit of gas we were given
            assembly ("memory-safe") {
                invalid()
            }
        }
        calls += 1;
        lastCaller = msg.sender;
        lastTaskId = taskId;
        lastData = resultsCallback;
        gasAtEntry = gasLeft;
        try IResultFor(msg.sender).resultFor(taskId) returns (bytes memory answer) {
            resultForAnswered = true;
            resultForAnswer = answer;
        } catch {
            resultForAnswered = false;
        }
    }
}
