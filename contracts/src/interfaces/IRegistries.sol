// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @title Errors of the asset registries and their entries.
interface IRegistryErrors {
    /// @dev The entry for these parameters and owner already exists (its address is given).
    error AlreadyRegistered(address entry);
    /// @dev `initialize(previous)` was already called.
    error AlreadyInitialized();
    /// @dev ENS names are not supported (as in the reference 6.x).
    error OperationNotSupported();
    /// @dev Only the entry's owner (the NFT holder) may do this.
    error NotEntryOwner(address caller, address owner);
    /// @dev Only the registry that created the entry may initialize it.
    error NotRegistry(address caller);
    /// @dev The scheduler reward ratio is a percentage.
    error SchedulerRewardRatioTooHigh(uint256 ratio);
    /// @dev NFTs cannot be minted to the zero address.
    error ZeroOwner();
}

/// @title What every asset registry (an ERC-721 whose token ids are entry addresses) exposes.
interface IRegistry is IRegistryErrors {
    function isRegistered(address entry) external view returns (bool);
    function master() external view returns (address);
    function previous() external view returns (address);
    function initialized() external view returns (bool);
    function initialize(address previous) external;
    function proxyCode() external view returns (bytes memory);
    function proxyCodeHash() external view returns (bytes32);
    function setBaseURI(string calldata baseURI) external;
    function baseURI() external view returns (string memory);
    function setName(address ens, string calldata name) external;
}

interface IAppRegistry is IRegistry {
    function createApp(
        address _appOwner,
        string calldata _appName,
        string calldata _appType,
        bytes calldata _appMultiaddr,
        bytes32 _appChecksum,
        bytes calldata _appMREnclave
    ) external returns (address);
    function predictApp(
        address _appOwner,
        string calldata _appName,
        string calldata _appType,
        bytes calldata _appMultiaddr,
        bytes32 _appChecksum,
        bytes calldata _appMREnclave
    ) external view returns (address);
}

interface IDatasetRegistry is IRegistry {
    function createDataset(
        address _datasetOwner,
        string calldata _datasetName,
        bytes calldata _datasetMultiaddr,
        bytes32 _datasetChecksum
    ) external returns (address);
    function predictDataset(
        address _datasetOwner,
        string calldata _datasetName,
        bytes calldata _datasetMultiaddr,
        bytes32 _datasetChecksum
    ) external view returns (address);
}

interface IWorkerpoolRegistry is IRegistry {
    function createWorkerpool(address _workerpoolOwner, string calldata _workerpoolDescription)
        external
        returns (address);
    function predictWorkerpool(address _workerpoolOwner, string calldata _workerpoolDescription)
        external
        view
        returns (address);
}

/// @title What every registry entry exposes: its registry and its owner (the NFT holder).
interface IRegistryEntry is IRegistryErrors {
    function registry() external view returns (address);
    function owner() external view returns (address);
    function setName(address ens, string calldata name) external;
}

interface IApp is IRegistryEntry {
    function initialize(
        string calldata _appName,
        string calldata _appType,
        bytes calldata _appMultiaddr,
        bytes32 _appChecksum,
        bytes calldata _appMREnclave
    ) external;
    function m_appName() external view returns (string memory);
    function m_appType() external view returns (string memory);
    function m_appMultiaddr() external view returns (bytes memory);
    function m_appChecksum() external view returns (bytes32);
    function m_appMREnclave() external view returns (bytes memory);
}

interface IDataset is IRegistryEntry {
    function initialize(
        string calldata _datasetName,
        bytes calldata _datasetMultiaddr,
        bytes32 _datasetChecksum
    ) external;
    function m_datasetName() external view returns (string memory);
    function m_datasetMultiaddr() external view returns (bytes memory);
    function m_datasetChecksum() external view returns (bytes32);
}

interface IWorkerpool is IRegistryEntry {
    event PolicyUpdate(
        uint256 oldWorkerStakeRatioPolicy,
        uint256 newWorkerStakeRatioPolicy,
        uint256 oldSchedulerRewardRatioPolicy,
        uint256 newSchedulerRewardRatioPolicy
    );

    function initialize(string calldata _workerpoolDescription) external;
    function m_workerpoolDescription() external view returns (string memory);
    function m_workerStakeRatioPolicy() external view returns (uint256);
    function m_schedulerRewardRatioPolicy() external view returns (uint256);
    /// @notice Both policies in one call (used by the hub at match time).
    function policies()
        external
        view
        returns (uint256 workerStakeRatio, uint256 schedulerRewardRatio);
    function changePolicy(
        uint256 _newWorkerStakeRatioPolicy,
        uint256 _newSchedulerRewardRatioPolicy
    ) external;
}
