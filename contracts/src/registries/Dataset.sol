// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IDataset} from "../interfaces/IRegistries.sol";
import {RegistryEntry} from "./RegistryEntry.sol";

/// @title A dataset: (usually encrypted) input data, owned through a DatasetRegistry NFT.
/// @dev Deployed once as the master of a DatasetRegistry; every dataset is an EIP-1167 clone of
/// it. The public state variables keep the reference getter names (`m_dataset…`).
contract Dataset is IDataset, RegistryEntry {
    /*//////////////////////////////////////////////////////////////
                                 STATE
    //////////////////////////////////////////////////////////////*/

    /// @notice Display name.
    string public m_datasetName;
    /// @notice Location of the dataset.
    bytes public m_datasetMultiaddr;
    /// @notice Checksum of the dataset.
    bytes32 public m_datasetChecksum;

    /*//////////////////////////////////////////////////////////////
                             INITIALIZATION
    //////////////////////////////////////////////////////////////*/

    /// @notice Sets the dataset's data; called once by the registry when it creates the dataset.
    ///
    /// **Requirements:**
    /// - the caller is the registry (`NotRegistry`).
    function initialize(
        string calldata _datasetName,
        bytes calldata _datasetMultiaddr,
        bytes32 _datasetChecksum
    ) external onlyRegistry {
        m_datasetName = _datasetName;
        m_datasetMultiaddr = _datasetMultiaddr;
        m_datasetChecksum = _datasetChecksum;
    }
}
