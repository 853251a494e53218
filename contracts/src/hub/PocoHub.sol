// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {
    AppOrder,
    DatasetOrder,
    WorkerpoolOrder,
    RequestOrder,
    TaskStatusEnum,
    ContributionStatusEnum
} from "../libs/PocoTypes.sol";
import {Restriction, OrderKind} from "../interfaces/IPocoErrors.sol";
import {IWorkerpool} from "../interfaces/IRegistries.sol";
import {Blobs} from "../libs/Blobs.sol";
import {OrderLib} from "../libs/OrderLib.sol";
import {PocoStorage} from "../libs/PocoStorage.sol";
import {PocoBase} from "./PocoBase.sol";

/// @title PocoHub: the poco protocol's single entry point.
/// @notice The hub holds escrowed RLC as an ERC-20 ("Staked RLC"), matches orders into deals and
/// drives every task through contributions, consensus, reveal and finalization or claim. Its
/// external interface is iExec PoCo v5's (`IPoco`), so iExec's SDK and tools work unchanged.
/// @dev The hot paths (balances, matching, the task lifecycle) live here. The rest of the
/// interface lives in two immutable modules the hub reaches through `delegatecall`: {PocoModule}
/// (deposits, ERC-20 transfers, order management, relay, administration), whose fallback in turn
/// reaches {PocoViews} (read-only functions). Together they exceed the 24 KB code-size limit of
/// one contract. There is no upgrade path: module addresses are fixed at construction.
contract PocoHub is PocoBase {
    using PocoStorage for uint256;
    using PocoStorage for PocoStorage.StoredTask;
    using PocoStorage for PocoStorage.StoredDeal;

    /// @notice Where calls to functions this contract does not define go.
    address private immutable _MODULE;

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param module The {PocoModule} serving the rest of the interface (it knows the base token).
    /// @param appRegistry_ The App registry.
    /// @param datasetRegistry_ The Dataset registry.
    /// @param workerpoolRegistry_ The Workerpool registry.
    /// @param owner_ The protocol owner (categories, configuration).
    /// @dev Creates the five default categories (XS, S, M, L, XL) of the reference deployment.
    constructor(
        address module,
        address appRegistry_,
        address datasetRegistry_,
        address workerpoolRegistry_,
        address owner_
    ) {
        if (
            module == address(0) || appRegistry_ == address(0) || datasetRegistry_ == address(0)
                || workerpoolRegistry_ == address(0)
        ) revert ZeroAddress();
        if (owner_ == address(0)) revert OwnableInvalidOwner(address(0));
        _MODULE = module;
        PocoStorage.Layout storage $ = PocoStorage.layout();
        $.appregistry = appRegistry_;
        $.datasetregistry = datasetRegistry_;
        $.workerpoolregistry = workerpoolRegistry_;
        $.callbackgas = DEFAULT_CALLBACK_GAS;
        _setOwner(owner_);
        // The reference deployment script writes a JSON-serialised empty description: `""`.
        _createCategory("XS", '""', 300);
        _createCategory("S", '""', 1_200);
        _createCategory("M", '""', 3_600);
        _createCategory("L", '""', 10_800);
        _createCategory("XL", '""', 36_000);
    }

    function _createCategory(
        string memory name_,
        string memory description,
        uint256 workClockTimeRef
    ) private {
        PocoStorage.Layout storage $ = PocoStorage.layout();
        uint256 catid = $.categories.length;
        $.categories.push(PocoStorage.StoredCategory(name_, description, workClockTimeRef));
        emit CreateCategory(catid, name_, description, workClockTimeRef);
    }

    /// @dev Everything the hub does not define is served by the module, in the hub's context.
    /// A call without data answers the value {Blobs-store} is writing (empty outside of it).
    fallback() external {
        if (msg.data.length == 0) Blobs.returnPending();
        _delegate(_MODULE);
    }

    /*//////////////////////////////////////////////////////////////
                            ESCROW: ERC-20
    //////////////////////////////////////////////////////////////*/

    /// @notice Free (unlocked) escrow balance of `account`, in nRLC.
    function balanceOf(address account) external view returns (uint256) {
        return PocoStorage.layout().accounts[account].balanceOf();
    }

    /// @notice Locked escrow balance of `account` (deal payments and stakes), in nRLC.
    function frozenOf(address account) external view returns (uint256) {
        return PocoStorage.layout().accounts[account].frozenOf();
    }

    /*//////////////////////////////////////////////////////////////
                                MATCHING
    //////////////////////////////////////////////////////////////*/

    /// @notice Matches an app, dataset, workerpool and request order into a deal; the requester pays.
    /// @dev Requirements: every check of the reference's `matchOrders` (spec §4.1), each with its own
    /// custom error; the requester has `price × volume` free, the scheduler `30% × pool price × volume`.
    /// Without dataset, pass a dataset order whose fields are all zero.
    /// @return dealid `keccak256(requestOrderHash ‖ consumed(requestOrder) before this match)`.
    function matchOrders(
        AppOrder calldata appOrder,
        DatasetOrder calldata datasetOrder,
        WorkerpoolOrder calldata workerpoolOrder,
        RequestOrder calldata requestOrder
    ) external returns (bytes32 dealid) {
        return _matchOrders(appOrder, datasetOrder, workerpoolOrder, requestOrder, address(0));
    }

    /// @notice Same as {matchOrders}, but the caller pays for the deal instead of the requester.
    function sponsorMatchOrders(
        AppOrder calldata appOrder,
        DatasetOrder calldata datasetOrder,
        WorkerpoolOrder calldata workerpoolOrder,
        RequestOrder calldata requestOrder
    ) external returns (bytes32 dealid) {
        dealid = _matchOrders(appOrder, datasetOrder, workerpoolOrder, requestOrder, msg.sender);
        emit DealSponsored(dealid, msg.sender);
    }

    /// @dev What the match learned, kept in memory to stay clear of the stack limit.
    struct Match {
        bytes32 appHash;
        bytes32 datasetHash;
        bytes32 workerpoolHash;
        bytes32 requestHash;
        address appOwner;
        address datasetOwner;
        address workerpoolOwner;
        bytes32 tag;
        uint256 volume;
        uint256 botFirst;
        uint256 workerStakeRatio;
        uint256 schedulerRewardRatio;
    }

    function _matchOrders(
        AppOrder calldata a,
        DatasetOrder calldata d,
        WorkerpoolOrder calldata w,
        RequestOrder calldata r,
        address sponsor
    ) private returns (bytes32 dealid) {
        PocoStorage.Layout storage $ = PocoStorage.layout();
        Match memory m;
        m.tag = _checkCompatibility(a, d, w, r, $.categories.length);
        _checkRestrictions(a, d, w, r);
        _checkOwnersAndSignatures(m, a, d, w, r, $);

        // volume: what is left of the tightest order
        m.botFirst = $.consumed[m.requestHash];
        m.volume = _remaining(r.volume, m.botFirst);
        m.volume = Math.min(m.volume, _remaining(a.volume, $.consumed[m.appHash]));
        m.volume = Math.min(m.volume, _remaining(w.volume, $.consumed[m.workerpoolHash]));
        if (d.dataset != address(0)) {
            m.volume = Math.min(m.volume, _remaining(d.volume, $.consumed[m.datasetHash]));
        }
        if (m.volume == 0) revert NoVolumeLeft();
        if (m.volume > type(uint48).max || m.botFirst > type(uint48).max) {
            revert VolumeTooLarge(m.botFirst, m.volume);
        }
        dealid = keccak256(abi.encodePacked(m.requestHash, m.botFirst));

        // policies of the pool, snapshotted into the deal
        (m.workerStakeRatio, m.schedulerRewardRatio) = IWorkerpool(w.workerpool).policies();

        _storeDeal($.deals[dealid], dealid, m, a, d, w, r, sponsor);

        // consume the orders
        $.consumed[m.appHash] += m.volume;
        if (d.dataset != address(0)) $.consumed[m.datasetHash] += m.volume;
        $.consumed[m.workerpoolHash] += m.volume;
        $.consumed[m.requestHash] = m.botFirst + m.volume;

        // lock the payment and the scheduler stake
        uint256 datasetPrice = d.dataset == address(0) ? 0 : d.datasetprice;
        _lock(
            sponsor == address(0) ? r.requester : sponsor,
            (a.appprice + datasetPrice + w.workerpoolprice) * m.volume
        );
        _lock(m.workerpoolOwner, (w.workerpoolprice * WORKERPOOL_STAKE_RATIO / 100) * m.volume);

        emit SchedulerNotice(w.workerpool, dealid);
        emit OrdersMatched(
            dealid, m.appHash, m.datasetHash, m.workerpoolHash, m.requestHash, m.volume
        );
    }

    function _remaining(uint256 volume, uint256 consumed) private pure returns (uint256) {
        return volume > consumed ? volume - consumed : 0;
    }

    /// @dev Checks 0x00-0x07 and 0x10-0x11 of the reference, in its order. Returns the deal tag.
    function _checkCompatibility(
        AppOrder calldata a,
        DatasetOrder calldata d,
        WorkerpoolOrder calldata w,
        RequestOrder calldata r,
        uint256 categoryCount
    ) private pure returns (bytes32 tag) {
        if (r.category != w.category) {
            revert CategoryMismatch(r.category, w.category);
        }
        if (r.category >= categoryCount) revert UnknownCategory(r.category, categoryCount);
        if (r.trust > w.trust) revert TrustNotOffered(r.trust, w.trust);
        if (r.appmaxprice < a.appprice) {
            revert Overpriced(OrderKind.App, a.appprice, r.appmaxprice);
        }
        if (r.datasetmaxprice < d.datasetprice) {
            revert Overpriced(OrderKind.Dataset, d.datasetprice, r.datasetmaxprice);
        }
        if (r.workerpoolmaxprice < w.workerpoolprice) {
            revert Overpriced(OrderKind.Workerpool, w.workerpoolprice, r.workerpoolmaxprice);
        }
        tag = a.tag | d.tag | r.tag;
        if (tag & ~w.tag != 0) revert TagNotOffered(tag, w.tag);
        if ((tag ^ a.tag) & bytes32(uint256(1)) != 0) revert TeeTagMismatch(tag, a.tag);
        if (r.app != a.app) revert AssetMismatch(OrderKind.App, r.app, a.app);
        if (r.dataset != d.dataset) revert AssetMismatch(OrderKind.Dataset, r.dataset, d.dataset);
    }

    /// @dev Checks 0x12-0x1b of the reference, in its order.
    function _checkRestrictions(
        AppOrder calldata a,
        DatasetOrder calldata d,
        WorkerpoolOrder calldata w,
        RequestOrder calldata r
    ) private view {
        _requireAuthorized(Restriction.RequestWorkerpool, r.workerpool, w.workerpool);
        _requireAuthorized(Restriction.AppDataset, a.datasetrestrict, d.dataset);
        _requireAuthorized(Restriction.AppWorkerpool, a.workerpoolrestrict, w.workerpool);
        _requireAuthorized(Restriction.AppRequester, a.requesterrestrict, r.requester);
        _requireAuthorized(Restriction.DatasetApp, d.apprestrict, a.app);
        _requireAuthorized(Restriction.DatasetWorkerpool, d.workerpoolrestrict, w.workerpool);
        _requireAuthorized(Restriction.DatasetRequester, d.requesterrestrict, r.requester);
        _requireAuthorized(Restriction.WorkerpoolApp, w.apprestrict, a.app);
        _requireAuthorized(Restriction.WorkerpoolDataset, w.datasetrestrict, d.dataset);
        _requireAuthorized(Restriction.WorkerpoolRequester, w.requesterrestrict, r.requester);
    }

    function _requireAuthorized(Restriction which, address restriction, address account)
        private
        view
    {
        if (!_isAuthorized(restriction, account)) {
            revert RestrictionNotMet(which, restriction, account);
        }
    }

    /// @dev Checks 0x20-0x50 of the reference: registration, then owner's signature, per order.
    function _checkOwnersAndSignatures(
        Match memory m,
        AppOrder calldata a,
        DatasetOrder calldata d,
        WorkerpoolOrder calldata w,
        RequestOrder calldata r,
        PocoStorage.Layout storage $
    ) private view {
        m.appOwner = _registeredOwner($.appregistry, a.app);
        if (m.appOwner == address(0)) revert NotRegistered(OrderKind.App, a.app);
        m.appHash = _toTypedDataHash(OrderLib.hash(a));
        if (!_verifyPresignatureOrSignature(m.appOwner, m.appHash, a.sign)) {
            revert InvalidOrderSignature(OrderKind.App, m.appHash, m.appOwner);
        }
        if (d.dataset != address(0)) {
            m.datasetOwner = _registeredOwner($.datasetregistry, d.dataset);
            if (m.datasetOwner == address(0)) revert NotRegistered(OrderKind.Dataset, d.dataset);
            m.datasetHash = _toTypedDataHash(OrderLib.hash(d));
            if (!_verifyPresignatureOrSignature(m.datasetOwner, m.datasetHash, d.sign)) {
                revert InvalidOrderSignature(OrderKind.Dataset, m.datasetHash, m.datasetOwner);
            }
        }
        m.workerpoolOwner = _registeredOwner($.workerpoolregistry, w.workerpool);
        if (m.workerpoolOwner == address(0)) {
            revert NotRegistered(OrderKind.Workerpool, w.workerpool);
        }
        m.workerpoolHash = _toTypedDataHash(OrderLib.hash(w));
        if (!_verifyPresignatureOrSignature(m.workerpoolOwner, m.workerpoolHash, w.sign)) {
            revert InvalidOrderSignature(OrderKind.Workerpool, m.workerpoolHash, m.workerpoolOwner);
        }
        m.requestHash = _toTypedDataHash(OrderLib.hash(r));
        if (!_verifyPresignatureOrSignature(r.requester, m.requestHash, r.sign)) {
            revert InvalidOrderSignature(OrderKind.Request, m.requestHash, r.requester);
        }
    }

    function _storeDeal(
        PocoStorage.StoredDeal storage deal,
        bytes32 dealid,
        Match memory m,
        AppOrder calldata a,
        DatasetOrder calldata d,
        WorkerpoolOrder calldata w,
        RequestOrder calldata r,
        address sponsor
    ) private {
        PocoStorage.Layout storage $ = PocoStorage.layout();
        uint256 timeref = $.categories[r.category].workClockTimeRef;
        uint256 workerStake = w.workerpoolprice * m.workerStakeRatio / 100;
        _checkPrice(a.appprice);
        _checkPrice(w.workerpoolprice);
        _checkPrice(workerStake);
        if (r.trust > type(uint32).max) revert TrustTooLarge(r.trust);

        // word 0
        deal.workerpool = w.workerpool;
        deal.startTime = uint40(block.timestamp);
        deal.timeref = uint32(timeref); // createCategory keeps it under 2^32
        deal.category = uint24(r.category); // below the category count
        // word 1
        deal.requester = r.requester;
        deal.botFirst = uint48(m.botFirst);
        deal.botSize = uint48(m.volume);
        // word 2 (flags below)
        deal.workerpoolOwner = m.workerpoolOwner;
        deal.workerStake = uint64(workerStake);
        deal.schedulerRewardRatio = uint8(m.schedulerRewardRatio); // registry keeps it <= 100
        // word 3
        deal.app = a.app;
        deal.workerpoolPrice = uint64(w.workerpoolprice);
        deal.trust = uint32(r.trust == 0 ? 1 : r.trust);
        // word 4
        deal.appOwner = m.appOwner;
        deal.appPrice = uint64(a.appprice);
        // words 5-10, written only when the deal has them
        uint8 flags = m.tag & bytes32(uint256(1)) != 0 ? PocoStorage.FLAG_TEE : 0;
        if (r.beneficiary != r.requester) {
            deal.beneficiary = r.beneficiary;
            flags |= PocoStorage.FLAG_BENEFICIARY;
        }
        if (d.dataset != address(0)) {
            _checkPrice(d.datasetprice);
            deal.dataset = d.dataset;
            deal.datasetPrice = uint64(d.datasetprice);
            deal.datasetOwner = m.datasetOwner;
            flags |= PocoStorage.FLAG_DATASET;
        }
        if (r.callback != address(0)) {
            deal.callback = r.callback;
            flags |= PocoStorage.FLAG_CALLBACK;
        }
        if (sponsor != address(0)) {
            deal.sponsor = sponsor;
            flags |= PocoStorage.FLAG_SPONSOR;
        }
        deal.flags = flags;
        if (m.tag != bytes32(0)) deal.tag = m.tag;
        Blobs.store(bytes(deal.params), PocoStorage.paramsSalt(dealid), bytes(r.params));
    }

    function _checkPrice(uint256 price) private pure {
        if (price > type(uint64).max) revert PriceTooLarge(price);
    }

    /*//////////////////////////////////////////////////////////////
                            TASKS: INITIALIZE
    //////////////////////////////////////////////////////////////*/

    /// @notice Opens task `index` of deal `dealId` for contributions.
    /// @dev Requirements: the deal exists; `botFirst ≤ index < botFirst + botSize`; the task was
    /// never initialized. Open to anyone, at any time (even past the final deadline, to claim it).
    /// @return taskid `keccak256(dealId ‖ index)`.
    function initialize(bytes32 dealId, uint256 index) public returns (bytes32 taskid) {
        PocoStorage.StoredDeal storage deal = PocoStorage.layout().deals[dealId];
        uint256 botFirst = deal.botFirst;
        uint256 botSize = deal.botSize;
        if (botSize == 0) revert DealNotFound(dealId);
        if (index < botFirst || index >= botFirst + botSize) {
            revert TaskIndexOutOfRange(dealId, index, botFirst, botSize);
        }
        taskid = keccak256(abi.encodePacked(dealId, index));
        PocoStorage.StoredTask storage task = PocoStorage.layout().tasks[taskid];
        if (task.status != TaskStatusEnum.UNSET) revert TaskStatusInvalid(taskid, task.status);

        uint256 startTime = deal.startTime;
        uint256 timeref = deal.timeref;
        task.status = TaskStatusEnum.ACTIVE;
        task.idx = uint56(index); // index < 2^49: botFirst and botSize are below 2^48
        task.contributionDeadline = uint40(startTime + CONTRIBUTION_DEADLINE_RATIO * timeref);
        task.finalDeadline = uint40(startTime + FINAL_DEADLINE_RATIO * timeref);
        task.dealid = dealId;
        emit TaskInitialize(taskid, deal.workerpool);
    }

    /// @notice Initializes several tasks. Reverts entirely if one fails.
    function initializeArray(bytes32[] calldata dealIds, uint256[] calldata indexes)
        external
        returns (bool)
    {
        if (dealIds.length != indexes.length) {
            revert ArrayLengthMismatch(dealIds.length, indexes.length);
        }
        for (uint256 i = 0; i < dealIds.length; ++i) {
            initialize(dealIds[i], indexes[i]);
        }
        return true;
    }

    /// @notice Initializes then claims several tasks (tasks past their final deadline that were
    /// never initialized). Reverts entirely if one fails.
    function initializeAndClaimArray(bytes32[] calldata dealIds, uint256[] calldata indexes)
        external
        returns (bool)
    {
        if (dealIds.length != indexes.length) {
            revert ArrayLengthMismatch(dealIds.length, indexes.length);
        }
        for (uint256 i = 0; i < dealIds.length; ++i) {
            claim(initialize(dealIds[i], indexes[i]));
        }
        return true;
    }

    /*//////////////////////////////////////////////////////////////
                            TASKS: CONTRIBUTE
    //////////////////////////////////////////////////////////////*/

    /// @notice Commits the caller's result for a task and locks its stake.
    /// @param resultHash `keccak256(taskId ‖ resultDigest)`: the vote.
    /// @param resultSeal `keccak256(worker ‖ taskId ‖ resultDigest)`: proof the worker knows the digest.
    /// @param enclaveChallenge Zero, or the enclave address for TEE tasks.
    /// @param enclaveSign The enclave's EIP-191 signature of `keccak256(resultHash ‖ resultSeal)`.
    /// @param authorizationSign The scheduler's (or TEE broker's) EIP-191 signature of
    /// `keccak256(worker ‖ taskId ‖ enclaveChallenge)`.
    /// @dev Requirements: the task is ACTIVE and before its contribution deadline; the caller never
    /// contributed to it; the result hash is not zero; valid authorization (and enclave
    /// signature); the caller has the deal's worker stake free. Reaches consensus within this call
    /// when the result's credibility passes the deal's trust.
    function contribute(
        bytes32 taskId,
        bytes32 resultHash,
        bytes32 resultSeal,
        address enclaveChallenge,
        bytes calldata enclaveSign,
        bytes calldata authorizationSign
    ) external {
        PocoStorage.StoredTask storage task = PocoStorage.layout().tasks[taskId];
        PocoStorage.StoredDeal storage deal = PocoStorage.layout().deals[task.dealid];
        _checkActive(task, taskId);
        (bool found,, uint256 packed) = task.findContributor(msg.sender);
        if (found) {
            revert ContributionStatusInvalid(taskId, msg.sender, packed.contributorStatus());
        }
        _checkAuthorization(
            deal, taskId, enclaveChallenge, enclaveSign, authorizationSign, resultHash, resultSeal
        );
        if (resultHash == bytes32(0)) revert ZeroResultHash(taskId);

        // stake, then the weight from the worker's score
        _lock(msg.sender, deal.workerStake);
        uint256 weight = Math.max(PocoStorage.layout().accounts[msg.sender].scoreOf() / 3, 3) - 1;

        uint256 index = task.contributorCount;
        task.contributors[index] = PocoStorage.packContributor(
            msg.sender,
            ContributionStatusEnum.CONTRIBUTED,
            Math.log2(weight) // log2 of a uint256 is below 256
        );
        task.resultSeals[index] = resultSeal;
        if (enclaveChallenge != address(0)) task.enclaveChallenges[index] = enclaveChallenge;
        task.contributorCount = uint24(index + 1);
        emit TaskContribute(taskId, msg.sender, resultHash);

        // the contribution reaching consensus does not store its hash: it is the consensus value
        if (!_updateConsensus(task, taskId, resultHash, weight, deal.trust)) {
            task.resultHashes[index] = resultHash;
        }
    }

    /// @dev The task is ACTIVE and before its contribution deadline.
    function _checkActive(PocoStorage.StoredTask storage task, bytes32 taskId) private view {
        if (task.status != TaskStatusEnum.ACTIVE) revert TaskStatusInvalid(taskId, task.status);
        if (block.timestamp >= task.contributionDeadline) {
            revert ContributionDeadlineReached(taskId, task.contributionDeadline);
        }
    }

    /// @dev TEE deals need an enclave; the scheduler (or, for an enclave, the TEE broker if set)
    /// authorized this worker; the enclave signed the result.
    function _checkAuthorization(
        PocoStorage.StoredDeal storage deal,
        bytes32 taskId,
        address enclaveChallenge,
        bytes calldata enclaveSign,
        bytes calldata authorizationSign,
        bytes32 resultHash,
        bytes32 resultSeal
    ) private view {
        if (deal.isTee() && enclaveChallenge == address(0)) {
            revert EnclaveChallengeRequired(taskId);
        }
        address signer =
            enclaveChallenge == address(0) ? address(0) : PocoStorage.layout().teebroker;
        if (signer == address(0)) signer = deal.workerpoolOwner;
        bytes memory authorization = abi.encodePacked(msg.sender, taskId, enclaveChallenge);
        if (!_verifyEthSigned(signer, authorization, authorizationSign)) {
            revert InvalidAuthorization(taskId, msg.sender, signer);
        }
        if (
            enclaveChallenge != address(0)
                && !_verifyEthSigned(
                    enclaveChallenge, abi.encodePacked(resultHash, resultSeal), enclaveSign
                )
        ) revert InvalidEnclaveSignature(taskId, enclaveChallenge);
    }

    /// @dev Sarmenta-style credibility (spec §7.3): `group[h]` is the product of the weights of the
    /// voters of `h`, `total` is 1 + the sum of all groups; consensus on `h` when
    /// `group[h] · trust > total · (trust − 1)`. Only the value just voted for is tested.
    /// While ACTIVE, `task.consensus` holds `total − 1`. Returns whether consensus was reached.
    function _updateConsensus(
        PocoStorage.StoredTask storage task,
        bytes32 taskId,
        bytes32 resultHash,
        uint256 weight,
        uint256 trust
    ) private returns (bool) {
        // At trust 1 the first vote always wins (group > 0 = total · 0): nothing to read or write.
        if (trust != 1) {
            uint256 group = task.groups[resultHash];
            uint256 delta = Math.max(group, 1) * weight - group;
            uint256 newGroup = group + delta;
            uint256 newTotal = uint256(task.consensus) + 1 + delta;
            if (newGroup * trust <= newTotal * (trust - 1)) {
                task.groups[resultHash] = newGroup;
                task.consensus = bytes32(newTotal - 1);
                return false;
            }
            // a REVEALING task takes no more votes; reopen rebuilds the total from the groups
            if (group != 0) delete task.groups[resultHash];
        }

        uint256 winners;
        uint256 count = task.contributorCount;
        for (uint256 i = 0; i < count; ++i) {
            if (
                task.contributors[i].contributorStatus() == ContributionStatusEnum.CONTRIBUTED
                    && (i == count - 1 || task.resultHashes[i] == resultHash)
            ) ++winners;
        }
        task.status = TaskStatusEnum.REVEALING;
        task.consensus = resultHash;
        task.revealDeadline = uint40(block.timestamp + REVEAL_DEADLINE_RATIO * _timeref(task));
        task.revealCounter = 0;
        task.winnerCounter = uint24(winners);
        emit TaskConsensus(taskId, resultHash);
        return true;
    }

    function _timeref(PocoStorage.StoredTask storage task) private view returns (uint256) {
        return (uint256(task.finalDeadline) - task.contributionDeadline)
            / (FINAL_DEADLINE_RATIO - CONTRIBUTION_DEADLINE_RATIO);
    }

    /*//////////////////////////////////////////////////////////////
                          TASKS: REVEAL, REOPEN
    //////////////////////////////////////////////////////////////*/

    /// @notice Reveals the digest behind the caller's winning contribution.
    /// @dev Requirements: the task is REVEALING, before its reveal deadline; the caller contributed
    /// the consensus value; `resultHash == keccak256(taskId ‖ digest)` and
    /// `resultSeal == keccak256(caller ‖ taskId ‖ digest)`.
    function reveal(bytes32 taskId, bytes32 resultDigest) external {
        PocoStorage.StoredTask storage task = PocoStorage.layout().tasks[taskId];
        if (task.status != TaskStatusEnum.REVEALING) revert TaskStatusInvalid(taskId, task.status);
        if (block.timestamp >= task.revealDeadline) {
            revert RevealDeadlineReached(taskId, task.revealDeadline);
        }
        (, uint256 index, uint256 packed) = task.findContributor(msg.sender);
        if (packed.contributorStatus() != ContributionStatusEnum.CONTRIBUTED) {
            revert ContributionStatusInvalid(taskId, msg.sender, packed.contributorStatus());
        }
        bytes32 consensusValue = task.consensusValue(taskId);
        if (task.resultHashOf(taskId, index) != consensusValue) {
            revert NotConsensusVote(taskId, msg.sender);
        }
        if (
            consensusValue != keccak256(abi.encodePacked(taskId, resultDigest))
                || task.resultSeals[index]
                    != keccak256(abi.encodePacked(msg.sender, taskId, resultDigest))
        ) revert RevealMismatch(taskId, msg.sender, resultDigest);

        task.contributors[index] = packed.withStatus(ContributionStatusEnum.PROVED);
        task.revealCounter += 1;
        task.consensus = resultDigest; // from now on the slot holds the digest
        emit TaskReveal(taskId, msg.sender, resultDigest);
    }

    /// @notice Reopens a task whose consensus nobody revealed in time; its voters are rejected.
    /// @dev Requirements: the caller is the deal's scheduler; the task is REVEALING, past its reveal
    /// deadline, before its final deadline, with no reveal.
    function reopen(bytes32 taskId) external {
        PocoStorage.StoredTask storage task = PocoStorage.layout().tasks[taskId];
        _onlyScheduler(task, taskId);
        if (task.status != TaskStatusEnum.REVEALING) revert TaskStatusInvalid(taskId, task.status);
        if (block.timestamp >= task.finalDeadline) {
            revert FinalDeadlineReached(taskId, task.finalDeadline);
        }
        if (block.timestamp < task.revealDeadline) {
            revert RevealDeadlineNotReached(taskId, task.revealDeadline);
        }
        if (task.revealCounter != 0) revert AlreadyRevealed(taskId, task.revealCounter);

        // Reject the voters of the consensus value (the one that reached it gets its hash back),
        // and rebuild the total from the groups of the other values: 1 + Σ groups.
        bytes32 consensusValue = task.consensus;
        uint256 count = task.contributorCount;
        bytes32[] memory counted = new bytes32[](count);
        uint256 distinct;
        uint256 totalMinusOne;
        for (uint256 i = 0; i < count; ++i) {
            bytes32 hash = task.resultHashes[i];
            if (hash == bytes32(0)) task.resultHashes[i] = hash = consensusValue;
            uint256 packed = task.contributors[i];
            if (hash == consensusValue) {
                task.contributors[i] = packed.withStatus(ContributionStatusEnum.REJECTED);
            } else if (
                packed.contributorStatus() == ContributionStatusEnum.CONTRIBUTED
                    && !_contains(counted, distinct, hash)
            ) {
                counted[distinct++] = hash;
                totalMinusOne += task.groups[hash];
            }
        }
        task.status = TaskStatusEnum.ACTIVE;
        task.consensus = bytes32(totalMinusOne);
        task.revealDeadline = 0;
        task.winnerCounter = 0;
        emit TaskReopen(taskId);
    }

    function _contains(bytes32[] memory values, uint256 length, bytes32 value)
        private
        pure
        returns (bool)
    {
        for (uint256 i = 0; i < length; ++i) {
            if (values[i] == value) return true;
        }
        return false;
    }

    function _onlyScheduler(PocoStorage.StoredTask storage task, bytes32 taskId)
        private
        view
        returns (PocoStorage.StoredDeal storage deal)
    {
        deal = PocoStorage.layout().deals[task.dealid];
        address scheduler = deal.workerpoolOwner;
        if (msg.sender != scheduler) revert NotScheduler(taskId, msg.sender, scheduler);
    }

    /*//////////////////////////////////////////////////////////////
                            TASKS: FINALIZE
    //////////////////////////////////////////////////////////////*/

    /// @notice Completes a task: publishes its results, pays everyone, settles stakes and scores,
    /// then calls the deal's callback contract (if any) with `resultsCallback`.
    /// @param results Where the result is (free-form, e.g. a URL); not checked on-chain.
    /// @param resultsCallback Data for the callback; must hash to the result digest when the deal
    /// has a callback, and be empty otherwise.
    /// @dev Requirements: the caller is the deal's scheduler; the task is REVEALING, before its final
    /// deadline; every winner revealed, or at least one did and the reveal deadline passed.
    function finalize(bytes32 taskId, bytes calldata results, bytes calldata resultsCallback)
        external
    {
        PocoStorage.StoredTask storage task = PocoStorage.layout().tasks[taskId];
        PocoStorage.StoredDeal storage deal = _onlyScheduler(task, taskId);
        if (task.status != TaskStatusEnum.REVEALING) revert TaskStatusInvalid(taskId, task.status);
        if (block.timestamp >= task.finalDeadline) {
            revert FinalDeadlineReached(taskId, task.finalDeadline);
        }
        uint256 revealCounter = task.revealCounter;
        if (
            revealCounter != task.winnerCounter
                && (revealCounter == 0 || block.timestamp < task.revealDeadline)
        ) {
            revert RevealsPending(taskId, revealCounter, task.winnerCounter);
        }
        address callback = deal.callbackOf();
        _checkCallbackData(taskId, callback, resultsCallback, task.consensus); // the digest: revealed

        task.status = TaskStatusEnum.COMPLETED;
        _storeResults(task, taskId, results, resultsCallback);
        _successWork(deal, taskId);
        _distributeRewards(task, deal, taskId);
        emit TaskFinalize(taskId, results);
        _callback(callback, taskId, resultsCallback);
    }

    function _storeResults(
        PocoStorage.StoredTask storage task,
        bytes32 taskId,
        bytes calldata results,
        bytes calldata resultsCallback
    ) private {
        Blobs.store(task.results, PocoStorage.resultsSalt(taskId), results);
        Blobs.store(task.resultsCallback, PocoStorage.resultsCallbackSalt(taskId), resultsCallback);
    }

    function _checkCallbackData(
        bytes32 taskId,
        address callback,
        bytes calldata data,
        bytes32 digest
    ) private pure {
        if (!((callback == address(0) && data.length == 0) || keccak256(data) == digest)) {
            revert CallbackDataMismatch(taskId);
        }
    }

    /// @dev Spec §8.2: the payer's payment pays the app and dataset owners, the scheduler gets its
    /// stake back and a share of the kitty.
    function _successWork(PocoStorage.StoredDeal storage deal, bytes32 taskId) private {
        uint256 appPrice = deal.appPrice;
        uint256 datasetPrice = deal.datasetPriceOf();
        uint256 workerpoolPrice = deal.workerpoolPrice;
        address scheduler = deal.workerpoolOwner;
        _seize(deal.payer(), appPrice + datasetPrice + workerpoolPrice, taskId);
        if (appPrice != 0) _reward(deal.appOwner, appPrice, taskId);
        if (datasetPrice != 0) _reward(deal.datasetOwner, datasetPrice, taskId);
        _unlock(scheduler, workerpoolPrice * WORKERPOOL_STAKE_RATIO / 100);

        uint256 kitty = PocoStorage.layout().accounts[KITTY_ADDRESS].frozenOf();
        if (kitty != 0) {
            uint256 share = Math.min(Math.max(kitty * KITTY_RATIO / 100, KITTY_MIN), kitty);
            _seize(KITTY_ADDRESS, share, taskId);
            _reward(scheduler, share, taskId);
        }
    }

    /// @dev Spec §8.3: winners share the pool price and the losers' stakes by log-weight; losers
    /// lose their stake and a third of their score; the scheduler keeps its ratio and the dust.
    function _distributeRewards(
        PocoStorage.StoredTask storage task,
        PocoStorage.StoredDeal storage deal,
        bytes32 taskId
    ) private {
        uint256 count = task.contributorCount;
        uint256 workerStake = deal.workerStake;
        uint256 pool = deal.workerpoolPrice;
        uint256 totalWeight;
        for (uint256 i = 0; i < count; ++i) {
            uint256 packed = task.contributors[i];
            if (packed.contributorStatus() == ContributionStatusEnum.PROVED) {
                totalWeight += packed.contributorWeight();
            } else {
                pool += workerStake;
            }
        }
        uint256 workersPool = pool * (100 - deal.schedulerRewardRatio) / 100;
        PocoStorage.Layout storage $ = PocoStorage.layout();
        for (uint256 i = 0; i < count; ++i) {
            uint256 packed = task.contributors[i];
            address worker = packed.contributorWorker();
            if (packed.contributorStatus() == ContributionStatusEnum.PROVED) {
                uint256 share = Math.mulDiv(workersPool, packed.contributorWeight(), totalWeight);
                pool -= share;
                _unlock(worker, workerStake);
                _reward(worker, share, taskId);
                if (count > 1) {
                    uint256 account = $.accounts[worker];
                    uint256 score = account.scoreOf();
                    if (score < PocoStorage.MAX_SCORE) {
                        $.accounts[worker] = account.withScore(score + 1);
                    }
                    emit AccurateContribution(worker, taskId);
                }
            } else {
                _seize(worker, workerStake, taskId);
                uint256 account = $.accounts[worker];
                $.accounts[worker] = account.withScore(account.scoreOf() * 2 / 3);
                emit FaultyContribution(worker, taskId);
            }
        }
        _reward(deal.workerpoolOwner, pool, taskId);
    }

    /// @dev Calls `receiveResult` with the configured gas; its outcome is ignored, but the caller
    /// must leave enough gas for it (the 63/64 rule could otherwise starve it). Returned data is
    /// not copied, so a consumer cannot make finalization expensive.
    function _callback(address callback, bytes32 taskId, bytes calldata resultsCallback) private {
        if (callback == address(0)) return;
        uint256 gasLimit = PocoStorage.layout().callbackgas;
        bytes memory data = abi.encodeWithSelector(0x5dd80855, taskId, resultsCallback); // receiveResult(bytes32,bytes)
        assembly ("memory-safe") {
            pop(call(gasLimit, callback, 0, add(data, 0x20), mload(data), 0, 0))
        }
        if (gasleft() <= gasLimit / 63) revert CallbackGasStarved(taskId, gasleft(), gasLimit);
    }

    /*//////////////////////////////////////////////////////////////
                      TASKS: CONTRIBUTE AND FINALIZE
    //////////////////////////////////////////////////////////////*/

    /// @notice One-transaction path for trust-1 deals: the single worker contributes its digest,
    /// and the task completes at once (no stake, no score change).
    /// @dev Requirements: the task is ACTIVE, before its contribution deadline, without contribution;
    /// the deal's trust is 1; the callback data matches as in {finalize}; valid authorization (and
    /// enclave signature over `keccak256(resultHash ‖ resultSeal)`).
    function contributeAndFinalize(
        bytes32 taskId,
        bytes32 resultDigest,
        bytes calldata results,
        bytes calldata resultsCallback,
        address enclaveChallenge,
        bytes calldata enclaveSign,
        bytes calldata authorizationSign
    ) external {
        PocoStorage.StoredTask storage task = PocoStorage.layout().tasks[taskId];
        PocoStorage.StoredDeal storage deal = PocoStorage.layout().deals[task.dealid];
        bytes32 resultHash = keccak256(abi.encodePacked(taskId, resultDigest));
        bytes32 resultSeal = keccak256(abi.encodePacked(msg.sender, taskId, resultDigest));
        // the reference's order: status, deadline, no contribution, trust, callback data, then
        // TEE, authorization and enclave
        _checkActive(task, taskId);
        if (task.contributorCount != 0) revert TaskHasContributions(taskId, task.contributorCount);
        if (deal.trust != 1) revert TrustNotOne(taskId, deal.trust);
        address callback = deal.callbackOf();
        _checkCallbackData(taskId, callback, resultsCallback, resultDigest);
        _checkAuthorization(
            deal, taskId, enclaveChallenge, enclaveSign, authorizationSign, resultHash, resultSeal
        );

        // Hash and seal of this PROVED contribution follow from the digest: not stored.
        task.contributors[0] =
            PocoStorage.packContributor(msg.sender, ContributionStatusEnum.PROVED, 0);
        if (enclaveChallenge != address(0)) task.enclaveChallenges[0] = enclaveChallenge;
        task.status = TaskStatusEnum.COMPLETED;
        task.revealDeadline = uint40(block.timestamp + REVEAL_DEADLINE_RATIO * _timeref(task));
        task.revealCounter = 1;
        task.winnerCounter = 1;
        task.contributorCount = 1;
        task.consensus = resultDigest;
        _storeResults(task, taskId, results, resultsCallback);

        _successWork(deal, taskId);
        uint256 workerpoolPrice = deal.workerpoolPrice;
        uint256 workerReward = workerpoolPrice * (100 - deal.schedulerRewardRatio) / 100;
        _reward(msg.sender, workerReward, taskId);
        _reward(deal.workerpoolOwner, workerpoolPrice - workerReward, taskId);
        // the reference emits the task's events after the payments
        emit TaskContribute(taskId, msg.sender, resultHash);
        emit TaskConsensus(taskId, resultHash);
        emit TaskReveal(taskId, msg.sender, resultDigest);
        emit TaskFinalize(taskId, results);
        _callback(callback, taskId, resultsCallback);
    }

    /*//////////////////////////////////////////////////////////////
                              TASKS: CLAIM
    //////////////////////////////////////////////////////////////*/

    /// @notice Fails a task that missed its final deadline: the payer is refunded, the scheduler's
    /// stake goes to the kitty, contributors get their stakes back.
    /// @dev Requirements: the task is ACTIVE or REVEALING and its final deadline has passed.
    /// Open to anyone. A never-initialized task must be initialized first (see
    /// {initializeAndClaimArray}).
    function claim(bytes32 taskId) public {
        PocoStorage.StoredTask storage task = PocoStorage.layout().tasks[taskId];
        TaskStatusEnum status = task.status;
        if (status != TaskStatusEnum.ACTIVE && status != TaskStatusEnum.REVEALING) {
            revert TaskStatusInvalid(taskId, status);
        }
        if (block.timestamp < task.finalDeadline) {
            revert FinalDeadlineNotReached(taskId, task.finalDeadline);
        }
        PocoStorage.StoredDeal storage deal = PocoStorage.layout().deals[task.dealid];

        task.status = TaskStatusEnum.FAILED;
        // an ACTIVE task's consensus slot held its total, which is no consensus value
        if (status == TaskStatusEnum.ACTIVE && task.consensus != bytes32(0)) {
            task.consensus = bytes32(0);
        }
        // failedWork (spec §8.4): refund, scheduler stake to the kitty
        uint256 workerpoolPrice = deal.workerpoolPrice;
        uint256 datasetPrice = deal.datasetPriceOf();
        _unlock(deal.payer(), deal.appPrice + datasetPrice + workerpoolPrice);
        uint256 stake = workerpoolPrice * WORKERPOOL_STAKE_RATIO / 100;
        _seize(deal.workerpoolOwner, stake, taskId);
        unchecked {
            // the seized stake stays in the hub: the kitty's frozen amount stays below the supply
            PocoStorage.layout().accounts[KITTY_ADDRESS] += stake << PocoStorage.AMOUNT_BITS;
        }
        emit Reward(KITTY_ADDRESS, stake, taskId);
        emit Lock(KITTY_ADDRESS, stake);
        // every contributor gets its stake back
        uint256 workerStake = deal.workerStake;
        uint256 count = task.contributorCount;
        for (uint256 i = 0; i < count; ++i) {
            _unlock(task.contributors[i].contributorWorker(), workerStake);
        }
        emit TaskClaimed(taskId);
    }

    /// @notice Claims several tasks. Reverts entirely if one fails.
    function claimArray(bytes32[] calldata taskIds) external returns (bool) {
        for (uint256 i = 0; i < taskIds.length; ++i) {
            claim(taskIds[i]);
        }
        return true;
    }
}
