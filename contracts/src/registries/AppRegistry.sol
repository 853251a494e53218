// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IApp, IAppRegistry} from "../interfaces/IRegistries.sol";
import {App} from "./App.sol";
import {Registry} from "./Registry.sol";

/// @title The registry of applications ("iExec Application Registry (V5)", symbol "iExecAppsV5").
contract AppRegistry is IAppRegistry, Registry {
    /// @param initialOwner Owner of the registry (may set the base URI and the previous registry).
    /// @param initialBaseURI Prefix of the token URIs (may be empty).
    constructor(address initialOwner, string memory initialBaseURI)
        Registry("iExec Application Registry (V5)", "iExecAppsV5", initialOwner, initialBaseURI)
    {}

    /// @notice Creates an app owned by `_appOwner` and returns its address (also its token id).
    /// @dev Emits the ERC-721 {Transfer} of its NFT from the zero address.
    ///
    /// **Requirements:**
    /// - `_appOwner` is not the zero address (`ZeroOwner`);
    /// - no app exists for the same owner and parameters (`AlreadyRegistered`).
    /// @param _appOwner Recipient of the app's NFT.
    /// @param _appName Display name.
    /// @param _appType Kind of image, e.g. "DOCKER".
    /// @param _appMultiaddr Image reference.
    /// @param _appChecksum Image digest.
    /// @param _appMREnclave TEE description; empty for standard apps.
    /// @return The app's address, as {predictApp} gives it.
    function createApp(
        address _appOwner,
        string calldata _appName,
        string calldata _appType,
        bytes calldata _appMultiaddr,
        bytes32 _appChecksum,
        bytes calldata _appMREnclave
    ) external returns (address) {
        return _createEntry(
            _appOwner,
            abi.encodeCall(
                IApp.initialize, (_appName, _appType, _appMultiaddr, _appChecksum, _appMREnclave)
            )
        );
    }

    /// @notice The address {createApp} gives (or gave) to the app with these owner and parameters.
    function predictApp(
        address _appOwner,
        string calldata _appName,
        string calldata _appType,
        bytes calldata _appMultiaddr,
        bytes32 _appChecksum,
        bytes calldata _appMREnclave
    ) external view returns (address) {
        return _predictEntry(
            _appOwner,
            abi.encodeCall(
                IApp.initialize, (_appName, _appType, _appMultiaddr, _appChecksum, _appMREnclave)
            )
        );
    }

    /// @inheritdoc Registry
    function _deployMaster() internal override returns (address) {
        return address(new App());
    }
}
