// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {
    AppOrder,
    DatasetOrder,
    WorkerpoolOrder,
    RequestOrder,
    EIP712Domain,
    Resource,
    Deal,
    Task,
    TaskStatusEnum,
    ContributionStatusEnum,
    Contribution,
    Category,
    AppInfo,
    DatasetInfo,
    WorkerpoolInfo
} from "../libs/PocoTypes.sol";
import {IApp, IDataset, IWorkerpool} from "../interfaces/IRegistries.sol";
import {Blobs} from "../libs/Blobs.sol";
import {OrderLib} from "../libs/OrderLib.sol";
import {PocoStorage} from "../libs/PocoStorage.sol";
import {PocoBase} from "./PocoBase.sol";

/// @title PocoViews: the hub's read-only functions.
/// @notice Not meant to be called directly: the hub reaches it through {PocoModule} with
/// `delegatecall`, so it reads the hub's storage. Called directly it only sees its own, empty,
/// storage.
contract PocoViews is PocoBase {
    using PocoStorage for uint256;
    using PocoStorage for PocoStorage.StoredTask;
    using PocoStorage for PocoStorage.StoredDeal;

    /// @dev Anything neither the hub nor its modules define.
    fallback() external {
        revert UnknownFunction(msg.sig);
    }

    /*//////////////////////////////////////////////////////////////
                          MATCHING: READ-ONLY
    //////////////////////////////////////////////////////////////*/

    /// @notice The volume a match of these orders would have now (0 if none is left).
    function computeDealVolume(
        AppOrder calldata a,
        DatasetOrder calldata d,
        WorkerpoolOrder calldata w,
        RequestOrder calldata r
    ) external view returns (uint256 volume) {
        PocoStorage.Layout storage $ = PocoStorage.layout();
        volume = _remaining(r.volume, $.consumed[_toTypedDataHash(OrderLib.hash(r))]);
        volume =
            Math.min(volume, _remaining(a.volume, $.consumed[_toTypedDataHash(OrderLib.hash(a))]));
        volume =
            Math.min(volume, _remaining(w.volume, $.consumed[_toTypedDataHash(OrderLib.hash(w))]));
        if (d.dataset != address(0)) {
            volume = Math.min(
                volume, _remaining(d.volume, $.consumed[_toTypedDataHash(OrderLib.hash(d))])
            );
        }
    }

    function _remaining(uint256 volume, uint256 consumed) private pure returns (uint256) {
        return volume > consumed ? volume - consumed : 0;
    }

    /// @notice Reverts with `IncompatibleDatasetOrder(reason)` unless the dataset order could be
    /// used with deal `dealId` (an existing deal without dataset). Changes nothing.
    function assertDatasetDealCompatibility(DatasetOrder calldata d, bytes32 dealId) external view {
        PocoStorage.Layout storage $ = PocoStorage.layout();
        bytes32 orderHash = _toTypedDataHash(OrderLib.hash(d));
        if ($.consumed[orderHash] >= d.volume) {
            revert IncompatibleDatasetOrder("Dataset order is revoked or fully consumed");
        }
        address owner_ = _registeredOwner($.datasetregistry, d.dataset);
        if (!_verifyPresignatureOrSignature(owner_, orderHash, d.sign)) {
            revert IncompatibleDatasetOrder("Invalid dataset order signature");
        }
        PocoStorage.StoredDeal storage deal = $.deals[dealId];
        if (deal.requester == address(0)) revert IncompatibleDatasetOrder("Deal not found");
        if (deal.dataset != address(0)) {
            revert IncompatibleDatasetOrder("Deal already has a dataset");
        }
        if (!_isAuthorized(d.apprestrict, deal.app)) {
            revert IncompatibleDatasetOrder("App restriction not satisfied");
        }
        if (!_isAuthorized(d.workerpoolrestrict, deal.workerpool)) {
            revert IncompatibleDatasetOrder("Workerpool restriction not satisfied");
        }
        if (!_isAuthorized(d.requesterrestrict, deal.requester)) {
            revert IncompatibleDatasetOrder("Requester restriction not satisfied");
        }
        if (deal.tag & d.tag != d.tag) {
            revert IncompatibleDatasetOrder("Tag compatibility not satisfied");
        }
    }

    /// @notice Whether `signature` is `account`'s signature of `hash` (ERC-1271 for contracts).
    /// @dev Reverts `InvalidSignatureFormat` for an EOA signature that is not 64 or 65 bytes long.
    function verifySignature(address account, bytes32 hash, bytes calldata signature)
        external
        view
        returns (bool)
    {
        return _verifySignature(account, hash, signature);
    }

    /// @notice Whether `account` presigned `hash` with `manage*Order`.
    function verifyPresignature(address account, bytes32 hash) external view returns (bool) {
        return _verifyPresignature(account, hash);
    }

    /// @notice {verifyPresignature} or else {verifySignature}.
    function verifyPresignatureOrSignature(address account, bytes32 hash, bytes calldata signature)
        external
        view
        returns (bool)
    {
        return _verifyPresignatureOrSignature(account, hash, signature);
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice The deal `id` (all zero when it does not exist).
    function viewDeal(bytes32 id) public view returns (Deal memory deal) {
        PocoStorage.StoredDeal storage s = PocoStorage.layout().deals[id];
        deal.app = Resource(s.app, s.appOwner, s.appPrice);
        deal.dataset = Resource(s.dataset, s.datasetOwner, s.datasetPrice);
        deal.workerpool = Resource(s.workerpool, s.workerpoolOwner, s.workerpoolPrice);
        deal.trust = s.trust;
        deal.category = s.category;
        deal.tag = s.tag;
        deal.requester = s.requester;
        deal.beneficiary = s.beneficiaryOf();
        deal.callback = s.callback;
        deal.params = string(Blobs.load(bytes(s.params), PocoStorage.paramsSalt(id)));
        deal.startTime = s.startTime;
        deal.botFirst = s.botFirst;
        deal.botSize = s.botSize;
        deal.workerStake = s.workerStake;
        deal.schedulerRewardRatio = s.schedulerRewardRatio;
        deal.sponsor = s.sponsor == address(0) ? s.requester : s.sponsor;
    }

    /// @notice The task `id` (all zero when it was never initialized).
    function viewTask(bytes32 id) public view returns (Task memory task) {
        PocoStorage.StoredTask storage s = PocoStorage.layout().tasks[id];
        task.status = s.status;
        task.dealid = s.dealid;
        task.idx = s.idx;
        task.timeref = (uint256(s.finalDeadline) - s.contributionDeadline)
            / (FINAL_DEADLINE_RATIO - CONTRIBUTION_DEADLINE_RATIO);
        task.contributionDeadline = s.contributionDeadline;
        task.revealDeadline = s.revealDeadline;
        task.finalDeadline = s.finalDeadline;
        task.consensusValue = s.consensusValue(id);
        task.revealCounter = s.revealCounter;
        task.winnerCounter = s.winnerCounter;
        uint256 count = s.contributorCount;
        task.contributors = new address[](count);
        for (uint256 i = 0; i < count; ++i) {
            task.contributors[i] = s.contributors[i].contributorWorker();
        }
        task.resultDigest = s.resultDigest();
        task.results = Blobs.load(s.results, PocoStorage.resultsSalt(id));
        task.resultsCallback = Blobs.load(s.resultsCallback, PocoStorage.resultsCallbackSalt(id));
    }

    /// @notice The contribution of `_worker` to task `_taskid` (all zero if none).
    function viewContribution(bytes32 _taskid, address _worker)
        public
        view
        returns (Contribution memory c)
    {
        PocoStorage.StoredTask storage task = PocoStorage.layout().tasks[_taskid];
        (bool found, uint256 index, uint256 packed) = task.findContributor(_worker);
        if (!found) return c;
        c.status = packed.contributorStatus();
        c.weight = packed.contributorWeight();
        c.enclaveChallenge = task.enclaveChallenges[index];
        c.resultHash = task.resultHashOf(_taskid, index);
        c.resultSeal = task.resultSeals[index];
        if (c.resultSeal == bytes32(0) && c.status == ContributionStatusEnum.PROVED) {
            // contributeAndFinalize stores neither: both follow from the digest
            bytes32 digest = task.resultDigest();
            c.resultHash = keccak256(abi.encodePacked(_taskid, digest));
            c.resultSeal = keccak256(abi.encodePacked(_worker, _taskid, digest));
        }
    }

    /// @notice The reputation of `_worker` (portable across pools).
    function viewScore(address _worker) external view returns (uint256) {
        return PocoStorage.layout().accounts[_worker].scoreOf();
    }

    /// @notice How many tasks the order with EIP-712 hash `_id` was consumed for (its volume once cancelled).
    function viewConsumed(bytes32 _id) external view returns (uint256 consumed) {
        return PocoStorage.layout().consumed[_id];
    }

    /// @notice Who presigned the order with EIP-712 hash `_id` (zero if nobody).
    function viewPresigned(bytes32 _id) external view returns (address signer) {
        return PocoStorage.layout().presigned[_id];
    }

    /// @notice Category `_catid`.
    /// @dev Requirements: the category exists.
    function viewCategory(uint256 _catid) public view returns (Category memory) {
        PocoStorage.Layout storage $ = PocoStorage.layout();
        if (_catid >= $.categories.length) revert UnknownCategory(_catid, $.categories.length);
        PocoStorage.StoredCategory storage c = $.categories[_catid];
        return Category(c.name, c.description, c.workClockTimeRef);
    }

    /// @notice How many categories exist.
    function countCategory() external view returns (uint256) {
        return PocoStorage.layout().categories.length;
    }

    /// @notice An app's owner and registration data.
    function viewApp(address app) external view returns (AppInfo memory) {
        IApp entry = IApp(app);
        return AppInfo(
            entry.owner(),
            entry.m_appName(),
            entry.m_appType(),
            entry.m_appMultiaddr(),
            entry.m_appChecksum(),
            entry.m_appMREnclave()
        );
    }

    /// @notice A dataset's owner and registration data.
    function viewDataset(address dataset) external view returns (DatasetInfo memory) {
        IDataset entry = IDataset(dataset);
        return DatasetInfo(
            entry.owner(),
            entry.m_datasetName(),
            entry.m_datasetMultiaddr(),
            entry.m_datasetChecksum()
        );
    }

    /// @notice A workerpool's owner, description and policies.
    function viewWorkerpool(address workerpool) external view returns (WorkerpoolInfo memory) {
        IWorkerpool entry = IWorkerpool(workerpool);
        return WorkerpoolInfo(
            entry.owner(),
            entry.m_workerpoolDescription(),
            entry.m_workerStakeRatioPolicy(),
            entry.m_schedulerRewardRatioPolicy()
        );
    }

    /// @notice The callback data of a completed task (ERC-1154 oracle getter).
    /// @dev Requirements: the task is COMPLETED.
    function resultFor(bytes32 id) external view returns (bytes memory) {
        PocoStorage.StoredTask storage task = PocoStorage.layout().tasks[id];
        if (task.status != TaskStatusEnum.COMPLETED) revert TaskPending(id);
        return Blobs.load(task.resultsCallback, PocoStorage.resultsCallbackSalt(id));
    }

    /// @notice The EIP-712 domain orders are signed under.
    function domain() external view returns (EIP712Domain memory) {
        return
            EIP712Domain(
                OrderLib.DOMAIN_NAME, OrderLib.DOMAIN_VERSION, block.chainid, address(this)
            );
    }

    /// @notice The EIP-712 domain separator of {domain}.
    function eip712domain_separator() external view returns (bytes32) {
        return OrderLib.domainSeparator(address(this));
    }

    function appregistry() external view returns (address) {
        return PocoStorage.layout().appregistry;
    }

    function datasetregistry() external view returns (address) {
        return PocoStorage.layout().datasetregistry;
    }

    function workerpoolregistry() external view returns (address) {
        return PocoStorage.layout().workerpoolregistry;
    }

    function teebroker() external view returns (address) {
        return PocoStorage.layout().teebroker;
    }

    function callbackgas() external view returns (uint256) {
        return PocoStorage.layout().callbackgas;
    }

    function contribution_deadline_ratio() external pure returns (uint256) {
        return CONTRIBUTION_DEADLINE_RATIO;
    }

    function reveal_deadline_ratio() external pure returns (uint256) {
        return REVEAL_DEADLINE_RATIO;
    }

    function final_deadline_ratio() external pure returns (uint256) {
        return FINAL_DEADLINE_RATIO;
    }

    function workerpool_stake_ratio() external pure returns (uint256) {
        return WORKERPOOL_STAKE_RATIO;
    }

    function kitty_ratio() external pure returns (uint256) {
        return KITTY_RATIO;
    }

    function kitty_min() external pure returns (uint256) {
        return KITTY_MIN;
    }

    function kitty_address() external pure returns (address) {
        return KITTY_ADDRESS;
    }

    function groupmember_purpose() external pure returns (uint256) {
        return GROUPMEMBER_PURPOSE;
    }

    /*//////////////////////////////////////////////////////////////
                             LEGACY VIEWS
    //////////////////////////////////////////////////////////////*/

    function viewDealABILegacy_pt1(bytes32 _id)
        external
        view
        returns (address, address, uint256, address, address, uint256, address, address, uint256)
    {
        Deal memory d = viewDeal(_id);
        return (
            d.app.pointer,
            d.app.owner,
            d.app.price,
            d.dataset.pointer,
            d.dataset.owner,
            d.dataset.price,
            d.workerpool.pointer,
            d.workerpool.owner,
            d.workerpool.price
        );
    }

    function viewDealABILegacy_pt2(bytes32 _id)
        external
        view
        returns (uint256, bytes32, address, address, address, string memory)
    {
        Deal memory d = viewDeal(_id);
        return (d.trust, d.tag, d.requester, d.beneficiary, d.callback, d.params);
    }

    function viewConfigABILegacy(bytes32 _id)
        external
        view
        returns (uint256, uint256, uint256, uint256, uint256, uint256)
    {
        Deal memory d = viewDeal(_id);
        return
            (d.category, d.startTime, d.botFirst, d.botSize, d.workerStake, d.schedulerRewardRatio);
    }

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
        )
    {
        Task memory t = viewTask(_taskid);
        return (
            uint8(t.status),
            t.dealid,
            t.idx,
            t.timeref,
            t.contributionDeadline,
            t.revealDeadline,
            t.finalDeadline,
            t.consensusValue,
            t.revealCounter,
            t.winnerCounter,
            t.contributors,
            t.results
        );
    }

    function viewContributionABILegacy(bytes32 _taskid, address _worker)
        external
        view
        returns (uint8, bytes32, bytes32, address)
    {
        Contribution memory c = viewContribution(_taskid, _worker);
        return (uint8(c.status), c.resultHash, c.resultSeal, c.enclaveChallenge);
    }

    function viewCategoryABILegacy(uint256 _catid)
        external
        view
        returns (string memory, string memory, uint256)
    {
        Category memory c = viewCategory(_catid);
        return (c.name, c.description, c.workClockTimeRef);
    }
}
