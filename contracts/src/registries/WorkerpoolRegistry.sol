// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IWorkerpool, IWorkerpoolRegistry} from "../interfaces/IRegistries.sol";
import {Registry} from "./Registry.sol";
import {Workerpool} from "./Workerpool.sol";

/// @title The registry of workerpools ("iExec Workerpool Registry (V5)", symbol "iExecWorkerpoolV5").
contract WorkerpoolRegistry is IWorkerpoolRegistry, Registry {
    /// @param initialOwner Owner of the registry (may set the base URI and the previous registry).
    /// @param initialBaseURI Prefix of the token URIs (may be empty).
    constructor(address initialOwner, string memory initialBaseURI)
        Registry(
            "iExec Workerpool Registry (V5)", "iExecWorkerpoolV5", initialOwner, initialBaseURI
        )
    {}

    /// @notice Creates a workerpool owned by `_workerpoolOwner` (its scheduler) and returns its
    /// address (also its token id). Its policies start at their defaults (30, 1).
    /// @dev Emits the ERC-721 {Transfer} of its NFT from the zero address.
    ///
    /// **Requirements:**
    /// - `_workerpoolOwner` is not the zero address (`ZeroOwner`);
    /// - no workerpool exists for the same owner and description (`AlreadyRegistered`).
    /// @param _workerpoolOwner Recipient of the workerpool's NFT.
    /// @param _workerpoolDescription Free-form description.
    /// @return The workerpool's address, as {predictWorkerpool} gives it.
    function createWorkerpool(address _workerpoolOwner, string calldata _workerpoolDescription)
        external
        returns (address)
    {
        return _createEntry(
            _workerpoolOwner, abi.encodeCall(IWorkerpool.initialize, (_workerpoolDescription))
        );
    }

    /// @notice The address {createWorkerpool} gives (or gave) to the workerpool with this owner and
    /// description.
    function predictWorkerpool(address _workerpoolOwner, string calldata _workerpoolDescription)
        external
        view
        returns (address)
    {
        return _predictEntry(
            _workerpoolOwner, abi.encodeCall(IWorkerpool.initialize, (_workerpoolDescription))
        );
    }

    /// @inheritdoc Registry
    function _deployMaster() internal override returns (address) {
        return address(new Workerpool());
    }
}
