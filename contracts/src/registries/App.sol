// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IApp} from "../interfaces/IRegistries.sol";
import {RegistryEntry} from "./RegistryEntry.sol";

/// @title An application: the image that workers run, owned through an AppRegistry NFT.
/// @dev Deployed once as the master of an AppRegistry; every app is an EIP-1167 clone of it.
/// The public state variables keep the reference getter names (`m_app…`).
contract App is IApp, RegistryEntry {
    /*//////////////////////////////////////////////////////////////
                                 STATE
    //////////////////////////////////////////////////////////////*/

    /// @notice Display name.
    string public m_appName;
    /// @notice Kind of image, e.g. "DOCKER".
    string public m_appType;
    /// @notice Image reference (e.g. a docker image name, multiaddr- or UTF-8-encoded).
    bytes public m_appMultiaddr;
    /// @notice Image digest (sha256).
    bytes32 public m_appChecksum;
    /// @notice TEE description (UTF-8 JSON); empty for standard apps.
    bytes public m_appMREnclave;

    /*//////////////////////////////////////////////////////////////
                             INITIALIZATION
    //////////////////////////////////////////////////////////////*/

    /// @notice Sets the app's data; called once by the registry when it creates the app.
    ///
    /// **Requirements:**
    /// - the caller is the registry (`NotRegistry`).
    function initialize(
        string calldata _appName,
        string calldata _appType,
        bytes calldata _appMultiaddr,
        bytes32 _appChecksum,
        bytes calldata _appMREnclave
    ) external onlyRegistry {
        m_appName = _appName;
        m_appType = _appType;
        m_appMultiaddr = _appMultiaddr;
        m_appChecksum = _appChecksum;
        m_appMREnclave = _appMREnclave;
    }
}
