// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC4906} from "@openzeppelin/contracts/interfaces/IERC4906.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {
    ERC721Enumerable
} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721Enumerable.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IRegistry} from "../interfaces/IRegistries.sol";

/// @title Common base of the asset registries (apps, datasets, workerpools).
/// @notice A registry is an ERC-721 (enumerable, with metadata) whose token ids are the addresses
/// of the entries it created (`tokenId = uint256(uint160(entry))`): holding the NFT is owning the
/// asset. Creation is permissionless and the caller chooses the NFT's recipient.
/// @dev Entries are EIP-1167 clones of a master deployed by the constructor, created with
/// CREATE2 so that their address is predictable:
///
///     initializer = abi.encodeCall(Entry.initialize, (parameters...))
///     salt        = keccak256(abi.encodePacked(initializer, owner))
///     entry       = CREATE2(this registry, salt, proxyCode())
///
/// The same parameters can therefore be registered only once per owner. The NFT is minted with
/// `_mint` (not `_safeMint`), so a contract recipient need not implement `onERC721Received`.
abstract contract Registry is IRegistry, IERC4906, ERC721Enumerable, Ownable {
    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @dev ERC-165 id that ERC-4906 (metadata update events) asks registries to advertise.
    bytes4 private constant ERC4906_INTERFACE_ID = 0x49064906;

    /*//////////////////////////////////////////////////////////////
                                 STATE
    //////////////////////////////////////////////////////////////*/

    /// @notice The contract every entry of this registry is a clone of.
    address public immutable master;

    /// @dev keccak256 of {proxyCode}, the CREATE2 init code hash of every entry.
    bytes32 private immutable _proxyCodeHash;

    /// @dev Registry chained by {isRegistered} (zero when none); set once by {initialize}.
    address private _previous;
    /// @dev Whether {initialize} was called (packed with `_previous`).
    bool private _initialized;

    /// @dev Prefix of every {tokenURI}.
    string private _baseTokenURI;

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param name_ ERC-721 name.
    /// @param symbol_ ERC-721 symbol.
    /// @param initialOwner Owner of the registry (may set the base URI and `previous`).
    /// @param initialBaseURI Prefix of the token URIs (may be empty).
    constructor(
        string memory name_,
        string memory symbol_,
        address initialOwner,
        string memory initialBaseURI
    ) ERC721(name_, symbol_) Ownable(initialOwner) {
        address master_ = _deployMaster();
        master = master_;
        _proxyCodeHash = keccak256(_proxyCode(master_));
        _baseTokenURI = initialBaseURI;
    }

    /*//////////////////////////////////////////////////////////////
                                 ENTRIES
    //////////////////////////////////////////////////////////////*/

    /// @notice Whether `entry` was created by this registry or, recursively, by the previous
    /// registry of the chain (see {initialize}).
    function isRegistered(address entry) external view returns (bool) {
        if (_ownerOf(_tokenIdOf(entry)) != address(0)) return true;
        address previous_ = _previous;
        return previous_ != address(0) && IRegistry(previous_).isRegistered(entry);
    }

    /// @notice The EIP-1167 creation code of the entries (a minimal proxy to {master}): the
    /// CREATE2 init code used to derive their addresses.
    function proxyCode() external view returns (bytes memory) {
        return _proxyCode(master);
    }

    /// @notice keccak256 of {proxyCode}.
    function proxyCodeHash() external view returns (bytes32) {
        return _proxyCodeHash;
    }

    /*//////////////////////////////////////////////////////////////
                             REGISTRY CHAIN
    //////////////////////////////////////////////////////////////*/

    /// @notice Chains this registry to `previousRegistry`, whose entries then count as registered
    /// here too (see {isRegistered}). Zero means no previous registry.
    ///
    /// **Requirements:**
    /// - the caller is the registry owner (`OwnableUnauthorizedAccount`);
    /// - it was not called before (`AlreadyInitialized`).
    /// @param previousRegistry The previous registry (an {IRegistry}), or zero.
    function initialize(address previousRegistry) external onlyOwner {
        if (_initialized) revert AlreadyInitialized();
        _initialized = true;
        _previous = previousRegistry;
    }

    /// @notice Whether {initialize} was called.
    function initialized() external view returns (bool) {
        return _initialized;
    }

    /// @notice The previous registry of the chain (zero when none).
    function previous() external view returns (address) {
        return _previous;
    }

    /*//////////////////////////////////////////////////////////////
                                METADATA
    //////////////////////////////////////////////////////////////*/

    /// @notice Sets the prefix of every token URI (`tokenURI(id) = baseURI ‖ decimal(id)`).
    /// @dev Emits ERC-4906 {BatchMetadataUpdate} over the whole id range.
    ///
    /// **Requirements:**
    /// - the caller is the registry owner (`OwnableUnauthorizedAccount`).
    /// @param newBaseURI The new prefix (may be empty, which makes token URIs empty).
    function setBaseURI(string calldata newBaseURI) external onlyOwner {
        _baseTokenURI = newBaseURI;
        emit BatchMetadataUpdate(0, type(uint256).max);
    }

    /// @notice The prefix of every token URI.
    function baseURI() external view returns (string memory) {
        return _baseTokenURI;
    }

    /// @notice ENS reverse registration, unsupported (as in the reference 6.x).
    /// @dev Always reverts with `OperationNotSupported`.
    function setName(address, string calldata) external pure {
        revert OperationNotSupported();
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId)
        public
        view
        override(ERC721Enumerable, IERC165)
        returns (bool)
    {
        return interfaceId == ERC4906_INTERFACE_ID || super.supportsInterface(interfaceId);
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    /// @dev Deploys the master entry (`new App()` …). Called once, by the constructor.
    function _deployMaster() internal virtual returns (address);

    /// @dev Creates the entry for `initializer` and `entryOwner`: clones the master at the
    /// CREATE2 address, initializes it with `initializer`, then mints its NFT to `entryOwner`.
    /// Reverts with `ZeroOwner` when `entryOwner` is zero, `AlreadyRegistered` when the entry
    /// exists.
    function _createEntry(address entryOwner, bytes memory initializer)
        internal
        returns (address entry)
    {
        if (entryOwner == address(0)) revert ZeroOwner();
        bytes32 salt = _salt(initializer, entryOwner);
        entry = Clones.predictDeterministicAddress(master, salt);
        // Only this registry deploys at these addresses, and always mints in the same
        // transaction: code there means the entry exists.
        if (entry.code.length != 0) revert AlreadyRegistered(entry);

        Clones.cloneDeterministic(master, salt);
        Address.functionCall(entry, initializer);
        _mint(entryOwner, _tokenIdOf(entry));
    }

    /// @dev The address {_createEntry} would give to the entry for `initializer` and `entryOwner`.
    function _predictEntry(address entryOwner, bytes memory initializer)
        internal
        view
        returns (address)
    {
        return Clones.predictDeterministicAddress(master, _salt(initializer, entryOwner));
    }

    /// @inheritdoc ERC721
    function _baseURI() internal view override returns (string memory) {
        return _baseTokenURI;
    }

    function _salt(bytes memory initializer, address entryOwner) private pure returns (bytes32) {
        return keccak256(abi.encodePacked(initializer, entryOwner));
    }

    function _tokenIdOf(address entry) private pure returns (uint256) {
        return uint256(uint160(entry));
    }

    /// @dev EIP-1167 creation code of a minimal proxy to `implementation` (55 bytes): the same
    /// init code as OpenZeppelin's {Clones.cloneDeterministic}.
    function _proxyCode(address implementation) private pure returns (bytes memory) {
        return abi.encodePacked(
            hex"3d602d80600a3d3981f3363d3d373d3d3d363d73",
            implementation,
            hex"5af43d82803e903d91602b57fd5bf3"
        );
    }
}
