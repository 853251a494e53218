// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IDataset, IDatasetRegistry} from "../interfaces/IRegistries.sol";
import {Dataset} from "./Dataset.sol";
import {Registry} from "./Registry.sol";

/// @title The registry of datasets ("iExec Dataset Registry (V5)", symbol "iExecDatasetsV5").
contract DatasetRegistry is IDatasetRegistry, Registry {
    /// @param initialOwner Owner of the registry (may set the base URI and the previous registry).
    /// @param initialBaseURI Prefix of the token URIs (may be empty).
    constructor(address initialOwner, string memory initialBaseURI)
        Registry("iExec Dataset Registry (V5)", "iExecDatasetsV5", initialOwner, initialBaseURI)
    {}

    /// @notice Creates a dataset owned by `_datasetOwner` and returns its address (also its
    /// token id).
    /// @dev Emits the ERC-721 {Transfer} of its NFT from the zero address.
    ///
    /// **Requirements:**
    /// - `_datasetOwner` is not the zero address (`ZeroOwner`);
    /// - no dataset exists for the same owner and parameters (`AlreadyRegistered`).
    /// @param _datasetOwner Recipient of the dataset's NFT.
    /// @param _datasetName Display name.
    /// @param _datasetMultiaddr Location of the dataset.
    /// @param _datasetChecksum Checksum of the dataset.
    /// @return The dataset's address, as {predictDataset} gives it.
    function createDataset(
        address _datasetOwner,
        string calldata _datasetName,
        bytes calldata _datasetMultiaddr,
        bytes32 _datasetChecksum
    ) external returns (address) {
        return _createEntry(
            _datasetOwner,
            abi.encodeCall(IDataset.initialize, (_datasetName, _datasetMultiaddr, _datasetChecksum))
        );
    }

    /// @notice The address {createDataset} gives (or gave) to the dataset with these owner and
    /// parameters.
    function predictDataset(
        address _datasetOwner,
        string calldata _datasetName,
        bytes calldata _datasetMultiaddr,
        bytes32 _datasetChecksum
    ) external view returns (address) {
        return _predictEntry(
            _datasetOwner,
            abi.encodeCall(IDataset.initialize, (_datasetName, _datasetMultiaddr, _datasetChecksum))
        );
    }

    /// @inheritdoc Registry
    function _deployMaster() internal override returns (address) {
        return address(new Dataset());
    }
}
