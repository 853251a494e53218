// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/*//////////////////////////////////////////////////////////////
                            ORDERS
    ABI shapes of iExec PoCo v5 (`@iexec/poco` 6.x). The EIP-712 struct hash of each order covers
    every field except the trailing `sign` (see {OrderLib}).
//////////////////////////////////////////////////////////////*/

/// @notice An app owner's offer to run their app for `appprice` nRLC per task.
struct AppOrder {
    address app;
    uint256 appprice;
    uint256 volume;
    bytes32 tag;
    address datasetrestrict;
    address workerpoolrestrict;
    address requesterrestrict;
    bytes32 salt;
    bytes sign;
}

/// @notice A dataset owner's offer to let apps use the dataset for `datasetprice` nRLC per task.
struct DatasetOrder {
    address dataset;
    uint256 datasetprice;
    uint256 volume;
    bytes32 tag;
    address apprestrict;
    address workerpoolrestrict;
    address requesterrestrict;
    bytes32 salt;
    bytes sign;
}

/// @notice A scheduler's offer of its pool's capacity for `workerpoolprice` nRLC per task.
struct WorkerpoolOrder {
    address workerpool;
    uint256 workerpoolprice;
    uint256 volume;
    bytes32 tag;
    uint256 category;
    uint256 trust;
    address apprestrict;
    address datasetrestrict;
    address requesterrestrict;
    bytes32 salt;
    bytes sign;
}

/// @notice A requester's demand: which app (and dataset, pool) to run, at what maximum prices.
struct RequestOrder {
    address app;
    uint256 appmaxprice;
    address dataset;
    uint256 datasetmaxprice;
    address workerpool;
    uint256 workerpoolmaxprice;
    address requester;
    uint256 volume;
    bytes32 tag;
    uint256 category;
    uint256 trust;
    address beneficiary;
    address callback;
    string params;
    bytes32 salt;
    bytes sign;
}

/// @notice Order operations for `manage*Order`: presign (SIGN) or cancel (CLOSE).
enum OrderOperationEnum {
    SIGN,
    CLOSE
}

struct AppOrderOperation {
    AppOrder order;
    OrderOperationEnum operation;
    bytes sign;
}

struct DatasetOrderOperation {
    DatasetOrder order;
    OrderOperationEnum operation;
    bytes sign;
}

struct WorkerpoolOrderOperation {
    WorkerpoolOrder order;
    OrderOperationEnum operation;
    bytes sign;
}

struct RequestOrderOperation {
    RequestOrder order;
    OrderOperationEnum operation;
    bytes sign;
}

/// @notice The EIP-712 domain of the hub, as returned by `domain()`.
struct EIP712Domain {
    string name;
    string version;
    uint256 chainId;
    address verifyingContract;
}

/*//////////////////////////////////////////////////////////////
                        DEALS AND TASKS (views)
    What the view functions return. Storage uses packed layouts of its own (see {PocoStorage}).
//////////////////////////////////////////////////////////////*/

struct Resource {
    address pointer;
    address owner;
    uint256 price;
}

struct Deal {
    Resource app;
    Resource dataset;
    Resource workerpool;
    uint256 trust;
    uint256 category;
    bytes32 tag;
    address requester;
    address beneficiary;
    address callback;
    string params;
    uint256 startTime;
    uint256 botFirst;
    uint256 botSize;
    uint256 workerStake;
    uint256 schedulerRewardRatio;
    address sponsor;
}

enum TaskStatusEnum {
    UNSET,
    ACTIVE,
    REVEALING,
    COMPLETED,
    FAILED
}

struct Task {
    TaskStatusEnum status;
    bytes32 dealid;
    uint256 idx;
    uint256 timeref;
    uint256 contributionDeadline;
    uint256 revealDeadline;
    uint256 finalDeadline;
    bytes32 consensusValue;
    uint256 revealCounter;
    uint256 winnerCounter;
    address[] contributors;
    bytes32 resultDigest;
    bytes results;
    uint256 resultsTimestamp;
    bytes resultsCallback;
}

enum ContributionStatusEnum {
    UNSET,
    CONTRIBUTED,
    PROVED,
    REJECTED
}

struct Contribution {
    ContributionStatusEnum status;
    bytes32 resultHash;
    bytes32 resultSeal;
    address enclaveChallenge;
    uint256 weight;
}

struct Category {
    string name;
    string description;
    uint256 workClockTimeRef;
}

struct Account {
    uint256 stake;
    uint256 locked;
}

struct AppInfo {
    address owner;
    string m_appName;
    string m_appType;
    bytes m_appMultiaddr;
    bytes32 m_appChecksum;
    bytes m_appMREnclave;
}

struct DatasetInfo {
    address owner;
    string m_datasetName;
    bytes m_datasetMultiaddr;
    bytes32 m_datasetChecksum;
}

struct WorkerpoolInfo {
    address owner;
    string m_workerpoolDescription;
    uint256 m_workerStakeRatioPolicy;
    uint256 m_schedulerRewardRatioPolicy;
}
