// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {
    AppOrder,
    DatasetOrder,
    WorkerpoolOrder,
    RequestOrder,
    AppOrderOperation,
    DatasetOrderOperation,
    WorkerpoolOrderOperation,
    RequestOrderOperation,
    EIP712Domain,
    Deal,
    Task,
    Contribution,
    Category,
    Account,
    AppInfo,
    DatasetInfo,
    WorkerpoolInfo
} from "../libs/PocoTypes.sol";
import {IPocoErrors} from "./IPocoErrors.sol";

/// @title Every event of the poco hub (the reference's events, same signatures and names).
interface IPocoEvents {
    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event Lock(address owner, uint256 amount);
    event Unlock(address owner, uint256 amount);
    event Reward(address owner, uint256 amount, bytes32 ref);
    event Seize(address owner, uint256 amount, bytes32 ref);
    event SchedulerNotice(address indexed workerpool, bytes32 dealid);
    event OrdersMatched(
        bytes32 dealid,
        bytes32 appHash,
        bytes32 datasetHash,
        bytes32 workerpoolHash,
        bytes32 requestHash,
        uint256 volume
    );
    event DealSponsored(bytes32 dealId, address sponsor);
    event TaskInitialize(bytes32 indexed taskid, address indexed workerpool);
    event TaskContribute(bytes32 indexed taskid, address indexed worker, bytes32 hash);
    event TaskConsensus(bytes32 indexed taskid, bytes32 consensus);
    event TaskReveal(bytes32 indexed taskid, address indexed worker, bytes32 digest);
    event TaskReopen(bytes32 indexed taskid);
    event TaskFinalize(bytes32 indexed taskid, bytes results);
    event TaskClaimed(bytes32 indexed taskid);
    event AccurateContribution(address indexed worker, bytes32 indexed taskid);
    event FaultyContribution(address indexed worker, bytes32 indexed taskid);
    event SignedAppOrder(bytes32 appHash);
    event SignedDatasetOrder(bytes32 datasetHash);
    event SignedWorkerpoolOrder(bytes32 workerpoolHash);
    event SignedRequestOrder(bytes32 requestHash);
    event ClosedAppOrder(bytes32 appHash);
    event ClosedDatasetOrder(bytes32 datasetHash);
    event ClosedWorkerpoolOrder(bytes32 workerpoolHash);
    event ClosedRequestOrder(bytes32 requestHash);
    event BroadcastAppOrder(AppOrder apporder);
    event BroadcastDatasetOrder(DatasetOrder datasetorder);
    event BroadcastWorkerpoolOrder(WorkerpoolOrder workerpoolorder);
    event BroadcastRequestOrder(RequestOrder requestorder);
    event CreateCategory(uint256 catid, string name, string description, uint256 workClockTimeRef);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
}

/// @title Escrow: the hub is an ERC-20 ("Staked RLC") whose balances are deposits of RLC.
/// @notice `balanceOf` is the free balance, `frozenOf` the locked one. Locked funds sit in the
/// hub's own balance (`balanceOf(hub)`), as in the reference.
interface IPocoEscrow {
    function name() external view returns (string memory);
    function symbol() external view returns (string memory);
    function decimals() external view returns (uint8);
    function totalSupply() external view returns (uint256);
    function balanceOf(address account) external view returns (uint256);
    function frozenOf(address account) external view returns (uint256);
    function allowance(address account, address spender) external view returns (uint256);
    function viewAccount(address account) external view returns (Account memory);
    function viewAccountABILegacy(address _user) external view returns (uint256, uint256);
    function token() external view returns (address);

    function transfer(address, uint256) external returns (bool);
    function transferFrom(address, address, uint256) external returns (bool);
    function approve(address, uint256) external returns (bool);
    function increaseAllowance(address, uint256) external returns (bool);
    function decreaseAllowance(address, uint256) external returns (bool);
    function approveAndCall(address, uint256, bytes calldata) external returns (bool);

    function deposit(uint256) external returns (bool);
    function depositFor(uint256, address) external returns (bool);
    function depositForArray(uint256[] calldata, address[] calldata) external returns (bool);
    function withdraw(uint256) external returns (bool);
    function withdrawTo(uint256, address) external returns (bool);
    function recover() external returns (uint256);
    function receiveApproval(address, uint256, address, bytes calldata) external returns (bool);
}

/// @title Matching: orders meet and become deals.
interface IPocoMatch {
    function matchOrders(
        AppOrder calldata,
        DatasetOrder calldata,
        WorkerpoolOrder calldata,
        RequestOrder calldata
    ) external returns (bytes32);
    function sponsorMatchOrders(
        AppOrder calldata,
        DatasetOrder calldata,
        WorkerpoolOrder calldata,
        RequestOrder calldata
    ) external returns (bytes32);
    function computeDealVolume(
        AppOrder calldata,
        DatasetOrder calldata,
        WorkerpoolOrder calldata,
        RequestOrder calldata
    ) external view returns (uint256);
    function assertDatasetDealCompatibility(DatasetOrder calldata, bytes32 dealId) external view;
    function verifySignature(address, bytes32, bytes calldata) external view returns (bool);
    function verifyPresignature(address, bytes32) external view returns (bool);
    function verifyPresignatureOrSignature(address, bytes32, bytes calldata)
        external
        view
        returns (bool);
}

/// @title Tasks: initialization, contributions, consensus, reveal, finalization and claims.
interface IPocoTasks {
    function initialize(bytes32 dealId, uint256 index) external returns (bytes32);
    function contribute(
        bytes32 taskId,
        bytes32 resultHash,
        bytes32 resultSeal,
        address enclaveChallenge,
        bytes calldata enclaveSign,
        bytes calldata authorizationSign
    ) external;
    function reveal(bytes32 taskId, bytes32 resultDigest) external;
    function reopen(bytes32 taskId) external;
    function finalize(bytes32 taskId, bytes calldata results, bytes calldata resultsCallback)
        external;
    function contributeAndFinalize(
        bytes32 taskId,
        bytes32 resultDigest,
        bytes calldata results,
        bytes calldata resultsCallback,
        address enclaveChallenge,
        bytes calldata enclaveSign,
        bytes calldata authorizationSign
    ) external;
    function claim(bytes32 taskId) external;
    function initializeArray(bytes32[] calldata dealIds, uint256[] calldata indexes)
        external
        returns (bool);
    function claimArray(bytes32[] calldata taskIds) external returns (bool);
    function initializeAndClaimArray(bytes32[] calldata dealIds, uint256[] calldata indexes)
        external
        returns (bool);
}

/// @title Order management: presign and cancel orders on-chain; broadcast them as events.
interface IPocoOrders {
    function manageAppOrder(AppOrderOperation calldata) external;
    function manageDatasetOrder(DatasetOrderOperation calldata) external;
    function manageWorkerpoolOrder(WorkerpoolOrderOperation calldata) external;
    function manageRequestOrder(RequestOrderOperation calldata) external;
    function broadcastAppOrder(AppOrder calldata) external;
    function broadcastDatasetOrder(DatasetOrder calldata) external;
    function broadcastWorkerpoolOrder(WorkerpoolOrder calldata) external;
    function broadcastRequestOrder(RequestOrder calldata) external;
}

/// @title Administration: categories, configuration, ownership.
interface IPocoAdmin {
    function createCategory(string calldata, string calldata, uint256) external returns (uint256);
    function configure(
        address,
        string calldata,
        string calldata,
        uint8,
        address,
        address,
        address,
        address
    ) external;
    function updateDomainSeparator() external;
    function setTeeBroker(address) external;
    function setCallbackGas(uint256) external;
    function changeRegistries(address, address, address) external;
    function importScore(address) external;
    function owner() external view returns (address);
    function transferOwnership(address) external;
    function renounceOwnership() external;
}

/// @title Views of the protocol state and constants.
interface IPocoViews {
    function viewDeal(bytes32 id) external view returns (Deal memory);
    function viewTask(bytes32 id) external view returns (Task memory);
    function viewContribution(bytes32 _taskid, address _worker)
        external
        view
        returns (Contribution memory);
    function viewScore(address _worker) external view returns (uint256);
    function viewConsumed(bytes32 _id) external view returns (uint256 consumed);
    function viewPresigned(bytes32 _id) external view returns (address signer);
    function viewCategory(uint256 _catid) external view returns (Category memory);
    function countCategory() external view returns (uint256);
    function viewApp(address app) external view returns (AppInfo memory);
    function viewDataset(address dataset) external view returns (DatasetInfo memory);
    function viewWorkerpool(address workerpool) external view returns (WorkerpoolInfo memory);
    function resultFor(bytes32 id) external view returns (bytes memory);
    function domain() external view returns (EIP712Domain memory);
    function eip712domain_separator() external view returns (bytes32);
    function appregistry() external view returns (address);
    function datasetregistry() external view returns (address);
    function workerpoolregistry() external view returns (address);
    function teebroker() external view returns (address);
    function callbackgas() external view returns (uint256);
    function contribution_deadline_ratio() external view returns (uint256);
    function reveal_deadline_ratio() external view returns (uint256);
    function final_deadline_ratio() external view returns (uint256);
    function workerpool_stake_ratio() external view returns (uint256);
    function kitty_ratio() external view returns (uint256);
    function kitty_min() external view returns (uint256);
    function kitty_address() external view returns (address);
    function groupmember_purpose() external view returns (uint256);

    // Legacy split getters (kept for old clients).
    function viewDealABILegacy_pt1(bytes32 _id)
        external
        view
        returns (address, address, uint256, address, address, uint256, address, address, uint256);
    function viewDealABILegacy_pt2(bytes32 _id)
        external
        view
        returns (uint256, bytes32, address, address, address, string memory);
    function viewConfigABILegacy(bytes32 _id)
        external
        view
        returns (uint256, uint256, uint256, uint256, uint256, uint256);
    function viewTaskABILegacy(bytes32 _taskid)
        external
        view
        returns (
            uint8,
            bytes32,
            uint256,
            uint256,
            uint256,
            uint256,
            uint256,
            bytes32,
            uint256,
            uint256,
            address[] memory,
            bytes memory
        );
    function viewContributionABILegacy(bytes32 _taskid, address _worker)
        external
        view
        returns (uint8, bytes32, bytes32, address);
    function viewCategoryABILegacy(uint256 _catid)
        external
        view
        returns (string memory, string memory, uint256);
}

/// @title The whole external interface of the poco hub (iExec `IexecInterfaceToken`, without Boost).
interface IPoco is
    IPocoErrors,
    IPocoEvents,
    IPocoEscrow,
    IPocoMatch,
    IPocoTasks,
    IPocoOrders,
    IPocoAdmin,
    IPocoViews
{}

/// @title What a deal's callback contract implements (ERC-1154 oracle consumer).
interface IOracleConsumer {
    /// @notice Called by the hub when a task of a deal naming this contract completes.
    function receiveResult(bytes32 taskId, bytes calldata resultsCallback) external;
}

/// @title Receiver of `approveAndCall` (RLC and the hub's escrow token).
interface ITokenSpender {
    function receiveApproval(
        address sender,
        uint256 amount,
        address token,
        bytes calldata extraData
    ) external returns (bool);
}

/// @title ERC-734 key manager used as a group in order restrictions (purpose 4 = group member).
interface IERC734 {
    function keyHasPurpose(bytes32 key, uint256 purpose) external view returns (bool);
}
