// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC5313} from "@openzeppelin/contracts/interfaces/IERC5313.sol";

import {IPocoErrors} from "../interfaces/IPocoErrors.sol";
import {IERC734, IPocoEvents} from "../interfaces/IPoco.sol";
import {IRegistry} from "../interfaces/IRegistries.sol";
import {OrderLib} from "../libs/OrderLib.sol";
import {PocoStorage} from "../libs/PocoStorage.sol";

/// @title PocoBase: what the hub and its module share.
/// @notice Protocol constants, the four escrow primitives (lock, unlock, reward, seize) that carry
/// every movement of locked funds, signature checks, restriction checks and ownership.
/// @dev Holds no state variable of its own: everything is in {PocoStorage}, so the hub and the
/// module (reached by `delegatecall`) see the same state.
abstract contract PocoBase is IPocoErrors, IPocoEvents {
    using PocoStorage for uint256;

    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    uint256 internal constant CONTRIBUTION_DEADLINE_RATIO = 7;
    uint256 internal constant REVEAL_DEADLINE_RATIO = 2;
    uint256 internal constant FINAL_DEADLINE_RATIO = 10;
    uint256 internal constant WORKERPOOL_STAKE_RATIO = 30;
    uint256 internal constant KITTY_RATIO = 10;
    uint256 internal constant KITTY_MIN = 1_000_000_000;
    /// @dev The reference's literal (see spec §2.4); seized scheduler stakes accumulate here.
    address internal constant KITTY_ADDRESS = 0x99c2268479b93fDe36232351229815DF80837e23;
    uint256 internal constant GROUPMEMBER_PURPOSE = 4;
    uint256 internal constant DEFAULT_CALLBACK_GAS = 100_000;

    string internal constant TOKEN_NAME = "Staked RLC";
    string internal constant TOKEN_SYMBOL = "SRLC";
    uint8 internal constant TOKEN_DECIMALS = 9;

    /*//////////////////////////////////////////////////////////////
                               OWNERSHIP
    //////////////////////////////////////////////////////////////*/

    modifier onlyOwner() {
        if (msg.sender != PocoStorage.layout().owner) {
            revert OwnableUnauthorizedAccount(msg.sender);
        }
        _;
    }

    function _setOwner(address newOwner) internal {
        PocoStorage.Layout storage $ = PocoStorage.layout();
        address previous = $.owner;
        $.owner = newOwner;
        emit OwnershipTransferred(previous, newOwner);
    }

    /*//////////////////////////////////////////////////////////////
                              DELEGATION
    //////////////////////////////////////////////////////////////*/

    /// @dev Runs the call in `target`'s code and this contract's context, and returns or reverts
    /// with its result. Never returns to the caller.
    function _delegate(address target) internal {
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), target, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    /*//////////////////////////////////////////////////////////////
                            ESCROW PRIMITIVES
    //////////////////////////////////////////////////////////////*/
    // Locked funds sit in the hub's own balance, as in the reference: lock moves free balance to
    // the hub and records it as frozen; unlock moves it back; reward pays from the hub; seize
    // forgets a frozen amount whose value stays in the hub until a reward pays it out.
    // Packed arithmetic cannot overflow: every balance and frozen amount is at most the total
    // supply, which `_mint` keeps below 2^112.

    function _lock(address account, uint256 amount) internal {
        PocoStorage.Layout storage $ = PocoStorage.layout();
        uint256 packed = $.accounts[account];
        uint256 balance = packed.balanceOf();
        if (balance < amount) revert ERC20InsufficientBalance(account, balance, amount);
        unchecked {
            // balance - amount >= 0 (checked above); frozen + amount <= totalSupply < 2^112
            $.accounts[account] = packed - amount + (amount << PocoStorage.AMOUNT_BITS);
            $.accounts[address(this)] += amount;
        }
        emit Transfer(account, address(this), amount);
        emit Lock(account, amount);
    }

    function _unlock(address account, uint256 amount) internal {
        PocoStorage.Layout storage $ = PocoStorage.layout();
        uint256 packed = $.accounts[account];
        // frozen >= amount is a protocol invariant; a failure here is a bug, so let it revert
        if (packed.frozenOf() < amount) {
            revert ERC20InsufficientBalance(account, packed.frozenOf(), amount);
        }
        unchecked {
            $.accounts[account] = packed + amount - (amount << PocoStorage.AMOUNT_BITS);
            $.accounts[address(this)] -= amount;
        }
        emit Transfer(address(this), account, amount);
        emit Unlock(account, amount);
    }

    function _reward(address account, uint256 amount, bytes32 ref) internal {
        PocoStorage.Layout storage $ = PocoStorage.layout();
        unchecked {
            // amounts rewarded were locked (and seized) before: the hub holds them
            $.accounts[address(this)] -= amount;
            $.accounts[account] += amount;
        }
        emit Transfer(address(this), account, amount);
        emit Reward(account, amount, ref);
    }

    function _seize(address account, uint256 amount, bytes32 ref) internal {
        PocoStorage.Layout storage $ = PocoStorage.layout();
        uint256 packed = $.accounts[account];
        if (packed.frozenOf() < amount) {
            revert ERC20InsufficientBalance(account, packed.frozenOf(), amount);
        }
        unchecked {
            $.accounts[account] = packed - (amount << PocoStorage.AMOUNT_BITS);
        }
        emit Seize(account, amount, ref);
    }

    /// @dev Credits `amount` to `account` and the total supply (deposits, `recover`).
    function _mint(address account, uint256 amount) internal {
        if (account == address(0)) revert ERC20InvalidReceiver(address(0));
        PocoStorage.Layout storage $ = PocoStorage.layout();
        uint256 supply = $.totalSupply;
        if (amount > PocoStorage.AMOUNT_MASK - supply) revert AmountTooLarge(amount);
        $.totalSupply = supply + amount;
        unchecked {
            $.accounts[account] += amount;
        }
        emit Transfer(address(0), account, amount);
    }

    /// @dev Burns `amount` of `account`'s free balance (withdrawals).
    function _burn(address account, uint256 amount) internal {
        PocoStorage.Layout storage $ = PocoStorage.layout();
        uint256 packed = $.accounts[account];
        uint256 balance = packed.balanceOf();
        if (balance < amount) revert ERC20InsufficientBalance(account, balance, amount);
        unchecked {
            $.accounts[account] = packed - amount;
            $.totalSupply -= amount;
        }
        emit Transfer(account, address(0), amount);
    }

    function _transfer(address from, address to, uint256 amount) internal {
        if (from == address(0)) revert ERC20InvalidSender(address(0));
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        PocoStorage.Layout storage $ = PocoStorage.layout();
        uint256 packed = $.accounts[from];
        uint256 balance = packed.balanceOf();
        if (balance < amount) revert ERC20InsufficientBalance(from, balance, amount);
        unchecked {
            $.accounts[from] = packed - amount;
            $.accounts[to] += amount;
        }
        emit Transfer(from, to, amount);
    }

    function _approve(address owner_, address spender, uint256 amount) internal {
        if (owner_ == address(0)) revert ERC20InvalidApprover(address(0));
        if (spender == address(0)) revert ERC20InvalidSpender(address(0));
        PocoStorage.layout().allowances[owner_][spender] = amount;
        emit Approval(owner_, spender, amount);
    }

    /*//////////////////////////////////////////////////////////////
                               SIGNATURES
    //////////////////////////////////////////////////////////////*/

    /// @dev The EIP-712 digest of a struct hash under the hub's domain.
    function _toTypedDataHash(bytes32 structHash) internal view returns (bytes32) {
        return MessageHashUtils.toTypedDataHash(OrderLib.domainSeparator(address(this)), structHash);
    }

    /// @dev Contracts sign through ERC-1271; EOAs with 65-byte (r,s,v) or 64-byte EIP-2098
    /// signatures, low-s only. For an account without code, any other length reverts, as in the
    /// reference. The signature is tried first, so an EOA costs no EXTCODESIZE (2,600 gas cold):
    /// an ECDSA signature cannot recover to a contract's address, so the outcome is the same.
    function _verifySignature(address account, bytes32 hash, bytes calldata signature)
        internal
        view
        returns (bool)
    {
        address recovered;
        ECDSA.RecoverError error = ECDSA.RecoverError.InvalidSignatureLength;
        if (signature.length == 65) {
            (recovered, error,) = ECDSA.tryRecover(
                hash, uint8(signature[64]), bytes32(signature[0:32]), bytes32(signature[32:64])
            );
        } else if (signature.length == 64) {
            (recovered, error,) =
                ECDSA.tryRecover(hash, bytes32(signature[0:32]), bytes32(signature[32:64]));
        }
        if (error == ECDSA.RecoverError.NoError && recovered == account) return true;
        if (account.code.length > 0) {
            return SignatureChecker.isValidERC1271SignatureNow(account, hash, signature);
        }
        if (signature.length != 65 && signature.length != 64) {
            revert InvalidSignatureFormat(signature.length);
        }
        return false;
    }

    function _verifyPresignature(address account, bytes32 hash) internal view returns (bool) {
        return account != address(0) && PocoStorage.layout().presigned[hash] == account;
    }

    function _verifyPresignatureOrSignature(address account, bytes32 hash, bytes calldata signature)
        internal
        view
        returns (bool)
    {
        return _verifyPresignature(account, hash) || _verifySignature(account, hash, signature);
    }

    /// @dev EIP-191 check of a packed message, as used by worker authorizations and enclaves.
    function _verifyEthSigned(address account, bytes memory message, bytes calldata signature)
        internal
        view
        returns (bool)
    {
        return _verifySignature(
            account, MessageHashUtils.toEthSignedMessageHash(keccak256(message)), signature
        );
    }

    /*//////////////////////////////////////////////////////////////
                       RESTRICTIONS AND REGISTRIES
    //////////////////////////////////////////////////////////////*/

    /// @dev Zero allows anyone; an address allows itself; a contract is asked whether `account`
    /// holds ERC-734 key purpose 4 (group member). A failing or malformed answer means no.
    function _isAuthorized(address restriction, address account) internal view returns (bool) {
        if (restriction == address(0) || restriction == account) return true;
        if (restriction.code.length == 0) return false;
        (bool ok, bytes memory answer) = restriction.staticcall(
            abi.encodeCall(
                IERC734.keyHasPurpose, (bytes32(uint256(uint160(account))), GROUPMEMBER_PURPOSE)
            )
        );
        return ok && answer.length >= 32 && abi.decode(answer, (uint256)) == 1;
    }

    /// @dev The owner of a registered asset, or zero when `registry` does not know it. Asks the
    /// registry's ERC-721 `ownerOf` first (one call); falls back to `isRegistered` + the entry's
    /// ERC-5313 `owner()` for entries of a `previous` registry.
    function _registeredOwner(address registry, address asset)
        internal
        view
        returns (address owner_)
    {
        (bool ok, bytes memory answer) =
            registry.staticcall(abi.encodeCall(IERC721.ownerOf, (uint256(uint160(asset)))));
        if (ok && answer.length >= 32) {
            owner_ = abi.decode(answer, (address));
            if (owner_ != address(0)) return owner_;
        }
        if (asset.code.length == 0 || !IRegistry(registry).isRegistered(asset)) return address(0);
        return IERC5313(asset).owner();
    }
}
