// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {
    AppOrder,
    DatasetOrder,
    WorkerpoolOrder,
    RequestOrder,
    AppOrderOperation,
    DatasetOrderOperation,
    WorkerpoolOrderOperation,
    RequestOrderOperation,
    OrderOperationEnum,
    EIP712Domain,
    Resource,
    Deal,
    Task,
    TaskStatusEnum,
    Contribution,
    Category,
    Account,
    AppInfo,
    DatasetInfo,
    WorkerpoolInfo
} from "../libs/PocoTypes.sol";
import {ITokenSpender, IPocoEscrow, IPocoViews} from "../interfaces/IPoco.sol";
import {IApp, IDataset, IWorkerpool} from "../interfaces/IRegistries.sol";
import {OrderLib} from "../libs/OrderLib.sol";
import {PocoStorage} from "../libs/PocoStorage.sol";
import {PocoBase} from "./PocoBase.sol";

/// @title PocoModule: the hub's views, order management, relay, ERC-20 transfers and administration.
/// @notice Not meant to be called directly: {PocoHub} reaches it with `delegatecall`, so it runs
/// on the hub's storage. Called directly it only sees its own, empty, storage.
contract PocoModule is PocoBase {
    using PocoStorage for uint256;
    using SafeERC20 for IERC20;

    /// @notice The base token (RLC).
    IERC20 private immutable _TOKEN;
    /// @notice Where calls to functions neither the hub nor this module defines go.
    address private immutable _VIEWS;

    /// @param token_ The base token (RLC, 9 decimals).
    /// @param views The {PocoViews} serving the read-only functions.
    constructor(address token_, address views) {
        if (token_ == address(0) || views == address(0)) revert ZeroAddress();
        _TOKEN = IERC20(token_);
        _VIEWS = views;
    }

    /// @dev Read-only functions are served by {PocoViews}, still in the hub's context.
    fallback() external {
        _delegate(_VIEWS);
    }

    /// @notice The base token deposited into the escrow (RLC).
    function token() external view returns (address) {
        return address(_TOKEN);
    }

    /*//////////////////////////////////////////////////////////////
                         ESCROW: ERC-20 SURFACE
    //////////////////////////////////////////////////////////////*/

    /// @notice "Staked RLC".
    function name() external pure returns (string memory) {
        return TOKEN_NAME;
    }

    /// @notice "SRLC".
    function symbol() external pure returns (string memory) {
        return TOKEN_SYMBOL;
    }

    /// @notice 9, as RLC.
    function decimals() external pure returns (uint8) {
        return TOKEN_DECIMALS;
    }

    /// @notice RLC deposited and not withdrawn, in nRLC.
    function totalSupply() external view returns (uint256) {
        return PocoStorage.layout().totalSupply;
    }

    /// @notice The allowance `account` gave `spender` on its escrow balance.
    function allowance(address account, address spender) external view returns (uint256) {
        return PocoStorage.layout().allowances[account][spender];
    }

    /// @notice Free (`stake`) and frozen (`locked`) balances of `account`.
    function viewAccount(address account) external view returns (Account memory) {
        uint256 packed = PocoStorage.layout().accounts[account];
        return Account(packed.balanceOf(), packed.frozenOf());
    }

    /// @notice Free and frozen balances of `_user` (legacy tuple form of {viewAccount}).
    function viewAccountABILegacy(address _user) external view returns (uint256, uint256) {
        uint256 packed = PocoStorage.layout().accounts[_user];
        return (packed.balanceOf(), packed.frozenOf());
    }

    /// @notice Moves `amount` of the caller's free escrow balance to `to`.
    function transfer(address to, uint256 amount) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    /// @notice Moves `amount` from `from` to `to` using the caller's allowance.
    /// @dev Requirements: the caller's allowance from `from` is at least `amount` (an infinite
    /// allowance, `type(uint256).max`, is not decreased).
    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 current = PocoStorage.layout().allowances[from][msg.sender];
        if (current != type(uint256).max) {
            if (current < amount) revert ERC20InsufficientAllowance(msg.sender, current, amount);
            unchecked {
                PocoStorage.layout().allowances[from][msg.sender] = current - amount;
            }
        }
        _transfer(from, to, amount);
        return true;
    }

    /// @notice Sets the caller's allowance for `spender`.
    function approve(address spender, uint256 amount) external returns (bool) {
        _approve(msg.sender, spender, amount);
        return true;
    }

    /// @notice Raises the caller's allowance for `spender` by `added`.
    function increaseAllowance(address spender, uint256 added) external returns (bool) {
        _approve(msg.sender, spender, PocoStorage.layout().allowances[msg.sender][spender] + added);
        return true;
    }

    /// @notice Lowers the caller's allowance for `spender` by `subtracted`.
    /// @dev Requirements: the current allowance is at least `subtracted`.
    function decreaseAllowance(address spender, uint256 subtracted) external returns (bool) {
        uint256 current = PocoStorage.layout().allowances[msg.sender][spender];
        if (current < subtracted) {
            revert ERC20FailedDecreaseAllowance(spender, current, subtracted);
        }
        unchecked {
            _approve(msg.sender, spender, current - subtracted);
        }
        return true;
    }

    /// @notice Approves `spender` then calls its `receiveApproval` with `extraData`.
    /// @dev Requirements: the spender returns true.
    function approveAndCall(address spender, uint256 amount, bytes calldata extraData)
        external
        returns (bool)
    {
        _approve(msg.sender, spender, amount);
        if (!ITokenSpender(spender).receiveApproval(msg.sender, amount, address(this), extraData)) {
            revert ApprovalRefused(spender);
        }
        return true;
    }

    /// @notice Credits the owner with RLC sent to the hub without a deposit.
    /// @dev Requirements: the caller is the protocol owner.
    /// @return delta The amount credited.
    function recover() external onlyOwner returns (uint256 delta) {
        delta = _TOKEN.balanceOf(address(this)) - PocoStorage.layout().totalSupply;
        _mint(msg.sender, delta);
    }

    /*//////////////////////////////////////////////////////////////
                         ESCROW: DEPOSIT, WITHDRAW
    //////////////////////////////////////////////////////////////*/

    /// @notice Deposits `amount` RLC (pulled with `transferFrom`) into the caller's escrow balance.
    /// @dev Requirements: the caller approved the hub on the RLC token for `amount`.
    function deposit(uint256 amount) external returns (bool) {
        _deposit(msg.sender, amount, msg.sender);
        return true;
    }

    /// @notice Deposits `amount` RLC of the caller into `target`'s escrow balance.
    function depositFor(uint256 amount, address target) external returns (bool) {
        _deposit(msg.sender, amount, target);
        return true;
    }

    /// @notice Deposits `amounts[i]` RLC of the caller into `targets[i]`'s escrow balance.
    /// @dev Requirements: both arrays have the same length.
    function depositForArray(uint256[] calldata amounts, address[] calldata targets)
        external
        returns (bool)
    {
        if (amounts.length != targets.length) {
            revert ArrayLengthMismatch(amounts.length, targets.length);
        }
        for (uint256 i = 0; i < amounts.length; ++i) {
            _deposit(msg.sender, amounts[i], targets[i]);
        }
        return true;
    }

    /// @notice Withdraws `amount` of the caller's free escrow balance as RLC.
    function withdraw(uint256 amount) external returns (bool) {
        _burn(msg.sender, amount);
        _TOKEN.safeTransfer(msg.sender, amount);
        return true;
    }

    /// @notice Withdraws `amount` of the caller's free escrow balance as RLC sent to `target`.
    function withdrawTo(uint256 amount, address target) external returns (bool) {
        _burn(msg.sender, amount);
        _TOKEN.safeTransfer(target, amount);
        return true;
    }

    /// @notice Target of `RLC.approveAndCall(hub, amount, data)`: deposits `amount` for `sender`.
    /// @dev Requirements: called by the RLC token itself.
    function receiveApproval(address sender, uint256 amount, address token_, bytes calldata)
        external
        returns (bool)
    {
        if (msg.sender != address(_TOKEN)) revert WrongToken(msg.sender, address(_TOKEN));
        if (token_ != address(_TOKEN)) revert WrongToken(token_, address(_TOKEN));
        _deposit(sender, amount, sender);
        return true;
    }

    function _deposit(address from, uint256 amount, address target) private {
        _mint(target, amount);
        _TOKEN.safeTransferFrom(from, address(this), amount);
    }

    /*//////////////////////////////////////////////////////////////
                           ORDER MANAGEMENT
    //////////////////////////////////////////////////////////////*/

    /// @notice Presigns (SIGN) or cancels (CLOSE) an app order.
    /// @dev Requirements: the caller owns the app, or `operation.sign` is the owner's EIP-712
    /// signature of the operation.
    function manageAppOrder(AppOrderOperation calldata operation) external {
        bytes32 orderHash = _toTypedDataHash(OrderLib.hash(operation.order));
        address owner_ = _registeredOwner(PocoStorage.layout().appregistry, operation.order.app);
        if (_manage(
                owner_,
                orderHash,
                OrderLib.hash(operation),
                operation.operation,
                operation.order.volume,
                operation.sign
            )) {
            emit SignedAppOrder(orderHash);
        } else {
            emit ClosedAppOrder(orderHash);
        }
    }

    /// @notice Presigns (SIGN) or cancels (CLOSE) a dataset order.
    /// @dev Requirements: as {manageAppOrder}, for the dataset's owner.
    function manageDatasetOrder(DatasetOrderOperation calldata operation) external {
        bytes32 orderHash = _toTypedDataHash(OrderLib.hash(operation.order));
        address owner_ =
            _registeredOwner(PocoStorage.layout().datasetregistry, operation.order.dataset);
        if (_manage(
                owner_,
                orderHash,
                OrderLib.hash(operation),
                operation.operation,
                operation.order.volume,
                operation.sign
            )) {
            emit SignedDatasetOrder(orderHash);
        } else {
            emit ClosedDatasetOrder(orderHash);
        }
    }

    /// @notice Presigns (SIGN) or cancels (CLOSE) a workerpool order.
    /// @dev Requirements: as {manageAppOrder}, for the workerpool's owner.
    function manageWorkerpoolOrder(WorkerpoolOrderOperation calldata operation) external {
        bytes32 orderHash = _toTypedDataHash(OrderLib.hash(operation.order));
        address owner_ =
            _registeredOwner(PocoStorage.layout().workerpoolregistry, operation.order.workerpool);
        if (_manage(
                owner_,
                orderHash,
                OrderLib.hash(operation),
                operation.operation,
                operation.order.volume,
                operation.sign
            )) {
            emit SignedWorkerpoolOrder(orderHash);
        } else {
            emit ClosedWorkerpoolOrder(orderHash);
        }
    }

    /// @notice Presigns (SIGN) or cancels (CLOSE) a request order.
    /// @dev Requirements: as {manageAppOrder}, for the order's requester.
    function manageRequestOrder(RequestOrderOperation calldata operation) external {
        bytes32 orderHash = _toTypedDataHash(OrderLib.hash(operation.order));
        address owner_ = operation.order.requester;
        if (_manage(
                owner_,
                orderHash,
                OrderLib.hash(operation),
                operation.operation,
                operation.order.volume,
                operation.sign
            )) {
            emit SignedRequestOrder(orderHash);
        } else {
            emit ClosedRequestOrder(orderHash);
        }
    }

    /// @dev Checks the caller may manage the order, then presigns it (returns true) or closes it
    /// by marking its whole volume consumed (returns false).
    function _manage(
        address owner_,
        bytes32 orderHash,
        bytes32 operationHash,
        OrderOperationEnum operation,
        uint256 volume,
        bytes calldata signature
    ) private returns (bool signed) {
        _checkManager(owner_, operationHash, signature);
        signed = operation == OrderOperationEnum.SIGN;
        if (signed) PocoStorage.layout().presigned[orderHash] = owner_;
        else PocoStorage.layout().consumed[orderHash] = volume;
    }

    function _checkManager(address owner_, bytes32 operationHash, bytes calldata signature)
        private
        view
    {
        if (msg.sender == owner_ && owner_ != address(0)) return;
        if (
            owner_ == address(0)
                || !_verifySignature(owner_, _toTypedDataHash(operationHash), signature)
        ) {
            revert InvalidSenderOrSignature(msg.sender, owner_);
        }
    }

    /// @notice Publishes an app order as an event (no check, no state).
    function broadcastAppOrder(AppOrder calldata order) external {
        emit BroadcastAppOrder(order);
    }

    /// @notice Publishes a dataset order as an event (no check, no state).
    function broadcastDatasetOrder(DatasetOrder calldata order) external {
        emit BroadcastDatasetOrder(order);
    }

    /// @notice Publishes a workerpool order as an event (no check, no state).
    function broadcastWorkerpoolOrder(WorkerpoolOrder calldata order) external {
        emit BroadcastWorkerpoolOrder(order);
    }

    /// @notice Publishes a request order as an event (no check, no state).
    function broadcastRequestOrder(RequestOrder calldata order) external {
        emit BroadcastRequestOrder(order);
    }

    /*//////////////////////////////////////////////////////////////
                            ADMINISTRATION
    //////////////////////////////////////////////////////////////*/

    /// @notice Appends a category; its id is the previous category count.
    /// @dev Requirements: the caller is the protocol owner; `workClockTimeRef` fits 32 bits.
    function createCategory(
        string calldata name_,
        string calldata description,
        uint256 workClockTimeRef
    ) external onlyOwner returns (uint256 catid) {
        if (workClockTimeRef > type(uint32).max) {
            revert TimeRefTooLarge(workClockTimeRef);
        }
        PocoStorage.Layout storage $ = PocoStorage.layout();
        catid = $.categories.length;
        $.categories.push(PocoStorage.StoredCategory(name_, description, workClockTimeRef));
        emit CreateCategory(catid, name_, description, workClockTimeRef);
    }

    /// @notice Kept for interface compatibility: poco is configured at construction.
    /// @dev Always reverts `AlreadyConfigured`.
    function configure(
        address,
        string calldata,
        string calldata,
        uint8,
        address,
        address,
        address,
        address
    ) external pure {
        revert AlreadyConfigured();
    }

    /// @notice Kept for interface compatibility: poco computes its domain separator on each use,
    /// so it always matches the current chain id. Does nothing.
    function updateDomainSeparator() external {}

    /// @notice Sets the TEE broker, which then signs the authorizations of TEE contributions.
    /// @dev Requirements: the caller is the protocol owner.
    function setTeeBroker(address teebroker_) external onlyOwner {
        PocoStorage.layout().teebroker = teebroker_;
    }

    /// @notice Sets the gas given to result callbacks.
    /// @dev Requirements: the caller is the protocol owner.
    function setCallbackGas(uint256 callbackgas_) external onlyOwner {
        PocoStorage.layout().callbackgas = callbackgas_;
    }

    /// @notice Replaces the three registries.
    /// @dev Requirements: the caller is the protocol owner.
    function changeRegistries(
        address appRegistry,
        address datasetRegistry,
        address workerpoolRegistry
    ) external onlyOwner {
        PocoStorage.Layout storage $ = PocoStorage.layout();
        $.appregistry = appRegistry;
        $.datasetregistry = datasetRegistry;
        $.workerpoolregistry = workerpoolRegistry;
    }

    /// @notice Raises `worker`'s score to its score on the legacy (v3) hub, once per worker.
    /// @dev Requirements: a legacy hub is configured; not imported before for this worker.
    function importScore(address worker) external {
        PocoStorage.Layout storage $ = PocoStorage.layout();
        if ($.v3Hub == address(0)) revert NoLegacyHub();
        if ($.scoreImported[worker]) revert ScoreAlreadyImported(worker);
        $.scoreImported[worker] = true;
        uint256 legacy = Math.min(IPocoViews($.v3Hub).viewScore(worker), PocoStorage.MAX_SCORE);
        uint256 packed = $.accounts[worker];
        if (legacy > packed.scoreOf()) $.accounts[worker] = packed.withScore(legacy);
    }

    /// @notice The protocol owner.
    function owner() external view returns (address) {
        return PocoStorage.layout().owner;
    }

    /// @notice Hands the protocol over to `newOwner`.
    /// @dev Requirements: the caller is the protocol owner; `newOwner` is not zero.
    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert OwnableInvalidOwner(address(0));
        _setOwner(newOwner);
    }

    /// @notice Leaves the protocol without owner: categories and configuration freeze for good.
    /// @dev Requirements: the caller is the protocol owner.
    function renounceOwnership() external onlyOwner {
        _setOwner(address(0));
    }
}
