// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {
    AppOrder,
    DatasetOrder,
    WorkerpoolOrder,
    RequestOrder,
    AppOrderOperation,
    DatasetOrderOperation,
    WorkerpoolOrderOperation,
    RequestOrderOperation
} from "../../src/libs/PocoTypes.sol";
import {OrderLib} from "../../src/libs/OrderLib.sol";

/// @dev Exposes {OrderLib}'s calldata hashing to tests, which hold orders in memory.
contract OrderHasher {
    function hash(AppOrder calldata o) external pure returns (bytes32) {
        return OrderLib.hash(o);
    }

    function hash(DatasetOrder calldata o) external pure returns (bytes32) {
        return OrderLib.hash(o);
    }

    function hash(WorkerpoolOrder calldata o) external pure returns (bytes32) {
        return OrderLib.hash(o);
    }

    function hash(RequestOrder calldata o) external pure returns (bytes32) {
        return OrderLib.hash(o);
    }

    function hash(AppOrderOperation calldata o) external pure returns (bytes32) {
        return OrderLib.hash(o);
    }

    function hash(DatasetOrderOperation calldata o) external pure returns (bytes32) {
        return OrderLib.hash(o);
    }

    function hash(WorkerpoolOrderOperation calldata o) external pure returns (bytes32) {
        return OrderLib.hash(o);
    }

    function hash(RequestOrderOperation calldata o) external pure returns (bytes32) {
        return OrderLib.hash(o);
    }

    function domainSeparator(address hub) external view returns (bytes32) {
        return OrderLib.domainSeparator(hub);
    }
}
