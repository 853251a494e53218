// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {TaskStatusEnum, ContributionStatusEnum} from "./PocoTypes.sol";

/// @title PocoStorage: the hub's state, one ERC-7201 namespaced struct shared by the hub and its
/// module (which runs in the hub's context through `delegatecall`).
/// @notice WARNING: append new fields at the end of {Layout}; never reorder or remove fields.
///
/// Layouts are packed by access pattern, which is where poco saves most of its gas against the
/// reference (one storage slot costs 22,100 gas the first time it is written):
/// - an account is one word: free balance (112 bits), frozen balance (112 bits), score (32 bits);
///   the hub's total supply is capped at 2^112 - 1 so no packed field can overflow;
/// - a deal is 11 words plus its params, and the words that are zero for deals without a dataset,
///   callback, sponsor or tag are never written;
/// - a task is one word of status, index, deadlines and counters, plus its deal id, consensus
///   value, digest and results; its time reference is derived from its deadlines.
library PocoStorage {
    /// @dev keccak256(abi.encode(uint256(keccak256("poco.storage.Hub")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 internal constant LOCATION =
        0x33f9c1c0c2a32c833368a2ddcccf15aff996d86e4faeed9e6f9bc3aa4d11c500;

    uint256 internal constant AMOUNT_BITS = 112;
    uint256 internal constant AMOUNT_MASK = (1 << AMOUNT_BITS) - 1;
    uint256 internal constant SCORE_SHIFT = 2 * AMOUNT_BITS;
    uint256 internal constant MAX_SCORE = type(uint32).max;

    /// Deal flags: the deal is a TEE deal (tag bit 0); it has a dataset, a sponsor, a callback,
    /// a beneficiary other than its requester. The words of what a deal lacks are never written
    /// nor read.
    uint8 internal constant FLAG_TEE = 1;
    uint8 internal constant FLAG_DATASET = 2;
    uint8 internal constant FLAG_SPONSOR = 4;
    uint8 internal constant FLAG_CALLBACK = 8;
    uint8 internal constant FLAG_BENEFICIARY = 16;

    /// @dev A deal, packed: 5 words plus params for a deal without dataset, callback, sponsor,
    /// tag or other beneficiary (the reference writes 22). Fields read together share a word.
    /// Prices and stakes fit 64 bits (1.8e10 RLC per task, 200 times RLC's supply), trust 32.
    struct StoredDeal {
        // word 0: read by initialize
        address workerpool;
        uint40 startTime;
        uint32 timeref;
        uint24 category;
        // word 1: read by initialize; the payer unless sponsored
        address requester;
        uint48 botFirst;
        uint48 botSize;
        // word 2: read by contribute, finalize, claim
        address workerpoolOwner;
        uint64 workerStake;
        uint8 schedulerRewardRatio;
        /// FLAG_*: which of the words below exist
        uint8 flags;
        // word 3: read by contribute, finalize, claim
        address app;
        uint64 workerpoolPrice;
        uint32 trust;
        // word 4: read by finalize, claim
        address appOwner;
        uint64 appPrice;
        // word 5: only when the beneficiary is not the requester
        address beneficiary;
        // word 6-7: only with a dataset
        address dataset;
        uint64 datasetPrice;
        address datasetOwner;
        // word 8: only with a callback
        address callback;
        // word 9: only for sponsored deals
        address sponsor;
        // word 10: only with a tag
        bytes32 tag;
        // word 11: params under 32 bytes; longer ones are a blob (see {Blobs}, {paramsSalt})
        string params;
    }

    /// @dev A task, packed. `timeref` is (finalDeadline - contributionDeadline) / 3.
    ///
    /// `consensus` is one slot with three lives, so a task pays for one slot where the reference
    /// pays for three: while ACTIVE it holds the consensus total minus one (the reference starts
    /// the total at 1); while REVEALING, before any reveal, the consensus value; from the first
    /// reveal on, the result digest (the consensus value is then `keccak256(taskid ‖ digest)`).
    ///
    /// Contributions are kept by index, in contribution order: one packed word (worker, status,
    /// weight), the result hash and the seal. The contribution that reaches consensus does not
    /// store its result hash: it is the consensus value. A worker's index is found by scanning the
    /// task's contributors (a handful; the reference loops over them too).
    struct StoredTask {
        // word 0
        TaskStatusEnum status;
        uint56 idx;
        uint40 contributionDeadline;
        uint40 finalDeadline;
        uint40 revealDeadline;
        uint24 revealCounter;
        uint24 winnerCounter;
        uint24 contributorCount;
        // words 1-2
        bytes32 dealid;
        bytes32 consensus;
        /// Under 32 bytes; longer ones are blobs (see {Blobs}, {resultsSalt}).
        bytes results;
        bytes resultsCallback;
        mapping(uint256 index => uint256 packed) contributors;
        mapping(uint256 index => bytes32) resultHashes;
        mapping(uint256 index => bytes32) resultSeals;
        mapping(uint256 index => address) enclaveChallenges;
        /// Consensus weight of each result hash (the product of its voters' weights).
        mapping(bytes32 resultHash => uint256 weight) groups;
    }

    struct StoredCategory {
        string name;
        string description;
        uint256 workClockTimeRef;
    }

    struct Layout {
        // ownership and configuration
        address owner;
        address teebroker;
        uint256 callbackgas;
        address appregistry;
        address datasetregistry;
        address workerpoolregistry;
        address v3Hub;
        // escrow token
        uint256 totalSupply;
        mapping(address account => uint256 packed) accounts;
        mapping(address account => mapping(address spender => uint256)) allowances;
        // orders
        mapping(bytes32 orderHash => uint256) consumed;
        mapping(bytes32 orderHash => address) presigned;
        // deals and tasks
        mapping(bytes32 dealid => StoredDeal) deals;
        mapping(bytes32 taskid => StoredTask) tasks;
        // categories and scores
        StoredCategory[] categories;
        mapping(address worker => bool) scoreImported;
    }

    function layout() internal pure returns (Layout storage $) {
        assembly ("memory-safe") {
            $.slot := LOCATION
        }
    }

    /*//////////////////////////////////////////////////////////////
                              DEAL FLAGS
    //////////////////////////////////////////////////////////////*/

    function isTee(StoredDeal storage deal) internal view returns (bool) {
        return deal.flags & FLAG_TEE != 0;
    }

    /// @dev The dataset price, zero without dataset (the dataset words are then not read).
    function datasetPriceOf(StoredDeal storage deal) internal view returns (uint256) {
        return deal.flags & FLAG_DATASET == 0 ? 0 : deal.datasetPrice;
    }

    /// @dev Who pays: the sponsor of a sponsored deal, the requester otherwise.
    function payer(StoredDeal storage deal) internal view returns (address) {
        return deal.flags & FLAG_SPONSOR == 0 ? deal.requester : deal.sponsor;
    }

    function callbackOf(StoredDeal storage deal) internal view returns (address) {
        return deal.flags & FLAG_CALLBACK == 0 ? address(0) : deal.callback;
    }

    function beneficiaryOf(StoredDeal storage deal) internal view returns (address) {
        return deal.flags & FLAG_BENEFICIARY == 0 ? deal.requester : deal.beneficiary;
    }

    /*//////////////////////////////////////////////////////////////
                              BLOB SALTS
    //////////////////////////////////////////////////////////////*/

    function paramsSalt(bytes32 dealid) internal pure returns (bytes32) {
        return keccak256(abi.encode("poco.params", dealid));
    }

    function resultsSalt(bytes32 taskid) internal pure returns (bytes32) {
        return keccak256(abi.encode("poco.results", taskid));
    }

    function resultsCallbackSalt(bytes32 taskid) internal pure returns (bytes32) {
        return keccak256(abi.encode("poco.resultsCallback", taskid));
    }

    /*//////////////////////////////////////////////////////////////
                          DERIVED TASK FIELDS
    //////////////////////////////////////////////////////////////*/

    /// @dev The consensus value: zero while ACTIVE (the slot then holds the total).
    function consensusValue(StoredTask storage task, bytes32 taskid)
        internal
        view
        returns (bytes32)
    {
        TaskStatusEnum taskStatus = task.status;
        if (taskStatus == TaskStatusEnum.UNSET || taskStatus == TaskStatusEnum.ACTIVE) {
            return bytes32(0);
        }
        bytes32 value = task.consensus;
        if (task.revealCounter == 0) return value; // the consensus value itself (0 once claimed ACTIVE)
        return keccak256(abi.encodePacked(taskid, value)); // the slot holds the digest (maybe 0)
    }

    /// @dev The revealed digest: zero before the first reveal.
    function resultDigest(StoredTask storage task) internal view returns (bytes32) {
        return task.revealCounter == 0 ? bytes32(0) : task.consensus;
    }

    /*//////////////////////////////////////////////////////////////
                          PACKED CONTRIBUTORS
    //////////////////////////////////////////////////////////////*/
    // A contributor word: worker (bits 0-159), status (160-167), weight (168-175).

    function packContributor(
        address account,
        ContributionStatusEnum contributionStatus,
        uint256 logWeight
    ) internal pure returns (uint256) {
        return uint256(uint160(account)) | (uint256(contributionStatus) << 160) | (logWeight << 168);
    }

    function contributorWorker(uint256 packed) internal pure returns (address) {
        return address(uint160(packed));
    }

    function contributorStatus(uint256 packed) internal pure returns (ContributionStatusEnum) {
        return ContributionStatusEnum(uint8(packed >> 160));
    }

    function contributorWeight(uint256 packed) internal pure returns (uint256) {
        return uint8(packed >> 168);
    }

    function withStatus(uint256 packed, ContributionStatusEnum newStatus)
        internal
        pure
        returns (uint256)
    {
        return (packed & ~(uint256(0xff) << 160)) | (uint256(newStatus) << 160);
    }

    /// @dev The index and packed word of `account`'s contribution; `found` is false if none.
    function findContributor(StoredTask storage task, address account)
        internal
        view
        returns (bool found, uint256 index, uint256 packed)
    {
        uint256 count = task.contributorCount;
        for (index = 0; index < count; ++index) {
            packed = task.contributors[index];
            if (contributorWorker(packed) == account) return (true, index, packed);
        }
        return (false, 0, 0);
    }

    /// @dev The result hash of contribution `index` (stored, or the consensus value for the
    /// contribution that reached it).
    function resultHashOf(StoredTask storage task, bytes32 taskid, uint256 index)
        internal
        view
        returns (bytes32 hash)
    {
        hash = task.resultHashes[index];
        if (hash == bytes32(0)) hash = consensusValue(task, taskid);
    }

    /*//////////////////////////////////////////////////////////////
                            PACKED ACCOUNTS
    //////////////////////////////////////////////////////////////*/

    function balanceOf(uint256 packed) internal pure returns (uint256) {
        return packed & AMOUNT_MASK;
    }

    function frozenOf(uint256 packed) internal pure returns (uint256) {
        return (packed >> AMOUNT_BITS) & AMOUNT_MASK;
    }

    function scoreOf(uint256 packed) internal pure returns (uint256) {
        return packed >> SCORE_SHIFT;
    }

    function withScore(uint256 packed, uint256 score) internal pure returns (uint256) {
        return (packed & ((1 << SCORE_SHIFT) - 1)) | (score << SCORE_SHIFT);
    }
}
