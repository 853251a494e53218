// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IRegistryEntry} from "../interfaces/IRegistries.sol";

/// @title Common base of the registry entries (App, Dataset, Workerpool).
/// @notice An entry is an asset: a small contract whose address is the id of an NFT in the
/// registry that created it. Whoever holds the NFT owns the asset, so transferring the NFT
/// transfers the asset.
/// @dev Each registry deploys one *master* of its entry type in its constructor, then creates
/// every entry as an EIP-1167 clone of that master. The clone keeps its data in its own storage
/// and delegates its code to the master, so `registry` (an immutable of the master's code) is
/// the same for every clone: the registry that deployed the master.
///
/// Initialization happens once per clone: the registry calls `initialize` right after deploying
/// the clone with CREATE2 (which cannot deploy over existing code), in the same transaction, and
/// has no other path that calls an entry. Only the registry may call it, so no storage flag is
/// needed to forbid a second initialization (which saves a storage write per creation).
abstract contract RegistryEntry is IRegistryEntry {
    /*//////////////////////////////////////////////////////////////
                                 STATE
    //////////////////////////////////////////////////////////////*/

    /// @notice The registry that created this entry (the deployer of the master).
    address public immutable registry;

    /*//////////////////////////////////////////////////////////////
                               MODIFIERS
    //////////////////////////////////////////////////////////////*/

    modifier onlyRegistry() {
        if (msg.sender != registry) revert NotRegistry(msg.sender);
        _;
    }

    modifier onlyEntryOwner() {
        address entryOwner = owner();
        if (msg.sender != entryOwner) revert NotEntryOwner(msg.sender, entryOwner);
        _;
    }

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @dev Run once, for the master, by the registry's constructor.
    constructor() {
        registry = msg.sender;
    }

    /*//////////////////////////////////////////////////////////////
                               OWNERSHIP
    //////////////////////////////////////////////////////////////*/

    /// @notice The current owner of this entry: the holder of its NFT (ERC-5313).
    /// @dev Reverts with the registry's `ERC721NonexistentToken` when called on the master,
    /// which has no NFT.
    function owner() public view returns (address) {
        return IERC721(registry).ownerOf(uint256(uint160(address(this))));
    }

    /*//////////////////////////////////////////////////////////////
                                  ENS
    //////////////////////////////////////////////////////////////*/

    /// @notice ENS reverse registration, unsupported (as in the reference 6.x).
    /// @dev Always reverts with `OperationNotSupported`.
    function setName(address, string calldata) external pure {
        revert OperationNotSupported();
    }
}
