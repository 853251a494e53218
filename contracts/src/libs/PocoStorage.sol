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
    bytes32 internal constant LOCATION = 0x33f9c1c0c2a32c833368a2ddcccf15aff996d86e4faeed9e6f9bc3aa4d11c500;

    uint256 internal constant AMOUNT_BITS = 112;
    uint256 internal constant AMOUNT_MASK = (1 << AMOUNT_BITS) - 1;
    uint256 internal constant SCORE_SHIFT = 2 * AMOUNT_BITS;
    uint256 internal constant MAX_SCORE = type(uint32).max;

    /// @dev A deal, packed. Word boundaries are marked; fields read together share a word.
    struct StoredDeal {
        // word 0: read by initialize
        address workerpool;
        uint40 startTime;
        uint32 timeref;
        uint24 category;
        // word 1: read by initialize, payer of finalize/claim
        address requester;
        uint48 botFirst;
        uint48 botSize;
        // word 2: read by contribute, finalize, claim
        address workerpoolOwner;
        uint96 workerStake;
        // word 3
        address app;
        uint96 workerpoolPrice;
        // word 4
        address appOwner;
        uint96 appPrice;
        // word 5: read by contribute
        address beneficiary;
        uint64 trust;
        uint8 schedulerRewardRatio;
        bool tee;
        // word 6-7: zero without a dataset
        address dataset;
        uint96 datasetPrice;
        address datasetOwner;
        // word 8: zero without a callback
        address callback;
        // word 9: zero when the requester pays (matchOrders)
        address sponsor;
        // word 10: zero without tag
        bytes32 tag;
        // word 11: params under 32 bytes; longer ones are a blob (see {Blobs}, {paramsSalt})
        string params;
    }

    /// @dev A task, packed. `timeref` is (finalDeadline - contributionDeadline) / 3.
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
        // words 1-3
        bytes32 dealid;
        /// The consensus value until the first reveal, the result digest from then on (the
        /// consensus value is then `keccak256(taskid ‖ digest)`): see {consensusValue} and
        /// {resultDigest}. One slot instead of two saves a 20,000-gas write per task.
        bytes32 consensusOrDigest;
        /// Consensus total minus one (the reference starts it at 1); while REVEALING it holds the
        /// value a `reopen` restores, so reaching consensus writes nothing here.
        uint256 totalMinusOne;
        /// Under 32 bytes; longer ones are blobs (see {Blobs}, {resultsSalt}).
        bytes results;
        bytes resultsCallback;
        mapping(uint256 index => address worker) contributors;
        mapping(address worker => StoredContribution) contributions;
        /// Consensus weight of each result hash (the product of its voters' weights).
        mapping(bytes32 resultHash => uint256 weight) groups;
    }

    /// @dev `resultHash` and `resultSeal` are not stored by `contributeAndFinalize`: for its PROVED
    /// contribution they follow from the task's digest (see {contributionHashes}).
    struct StoredContribution {
        // word 0
        ContributionStatusEnum status;
        uint8 weight;
        address enclaveChallenge;
        // words 1-2
        bytes32 resultHash;
        bytes32 resultSeal;
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

    function consensusValue(StoredTask storage task, bytes32 taskid) internal view returns (bytes32) {
        bytes32 value = task.consensusOrDigest;
        if (task.revealCounter == 0 || value == bytes32(0)) return value;
        return keccak256(abi.encodePacked(taskid, value));
    }

    function resultDigest(StoredTask storage task) internal view returns (bytes32) {
        return task.revealCounter == 0 ? bytes32(0) : task.consensusOrDigest;
    }

    /// @dev A contribution's result hash and seal, stored or (for contributeAndFinalize) derived.
    function contributionHashes(StoredTask storage task, bytes32 taskid, address worker)
        internal
        view
        returns (bytes32 resultHash, bytes32 resultSeal)
    {
        StoredContribution storage c = task.contributions[worker];
        resultHash = c.resultHash;
        resultSeal = c.resultSeal;
        if (resultHash == bytes32(0) && c.status == ContributionStatusEnum.PROVED) {
            bytes32 digest = resultDigest(task);
            resultHash = keccak256(abi.encodePacked(taskid, digest));
            resultSeal = keccak256(abi.encodePacked(worker, taskid, digest));
        }
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
