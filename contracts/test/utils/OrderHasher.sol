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
    function hashApp(AppOrder calldata o) external pure returns (bytes32) {
        return OrderLib.hash(o);
    }

    function hashDataset(DatasetOrder calldata o) external pure returns (bytes32) {
        return OrderLib.hash(o);
    }

    function hashWorkerpool(WorkerpoolOrder calldata o) external pure returns (bytes32) {
        return OrderLib.hash(o);
    }

    function hashRequest(RequestOrder calldata o) external pure returns (bytes32) {
        return OrderLib.hash(o);
    }

    function hashAppOperation(AppOrderOperation calldata o) external pure returns (bytes32) {
        return OrderLib.hash(o);
    }

    function hashDatasetOperation(DatasetOrderOperation calldata o)
        external
        pure
        returns (bytes32)
    {
        return OrderLib.hash(o);
    }

    function hashWorkerpoolOperation(WorkerpoolOrderOperation calldata o)
        external
        pure
        returns (bytes32)
    {
        return OrderLib.hash(o);
    }

    function hashRequestOperation(RequestOrderOperation calldata o)
        external
        pure
        returns (bytes32)
    {
        return OrderLib.hash(o);
    }

    function domainSeparator(address hub) external view returns (bytes32) {
        return OrderLib.domainSeparator(hub);
    }
}
