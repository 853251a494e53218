// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

import {PocoFixture} from "./PocoFixture.sol";
import {Vm} from "./Vm.sol";
import {
    AppOrder,
    DatasetOrder,
    WorkerpoolOrder,
    RequestOrder,
    Task,
    TaskStatusEnum,
    ContributionStatusEnum
} from "../../src/libs/PocoTypes.sol";

/// @title PocoHubFixture: what the per-function tests of the hub share.
/// @dev Adds to {PocoFixture}: ten more workers (fifteen in all, enough for trust 100 with fresh
/// workers), an enclave and a TEE broker key, order bundles that can be edited before signing,
/// and helpers that drive a task to a given status.
abstract contract PocoHubFixture is PocoFixture {
    uint256 internal constant APP_PRICE = 5e9;
    uint256 internal constant DATASET_PRICE = 3e9;
    uint256 internal constant POOL_PRICE = 100e9;
    /// 30% of the pool price: the scheduler stake per task, and the default worker stake.
    uint256 internal constant STAKE = POOL_PRICE * 30 / 100;
    uint256 internal constant TASK_PRICE = APP_PRICE + POOL_PRICE;

    address internal constant KITTY = 0x99c2268479b93fDe36232351229815DF80837e23;
    /// Category 0 (XS): 300 s; contribution deadline 7x, reveal 2x, final 10x.
    uint256 internal constant TIMEREF = 300;

    bytes32 internal constant DIGEST = keccak256("result");
    bytes32 internal constant OTHER_DIGEST = keccak256("other result");

    address internal enclave;
    uint256 internal enclaveKey;
    address internal teeBroker;
    uint256 internal teeBrokerKey;
    address internal stranger;
    uint256 internal strangerKey;

    /// @dev The four orders of a match, editable before signing.
    struct Orders {
        AppOrder app;
        DatasetOrder dataset;
        WorkerpoolOrder workerpool;
        RequestOrder request;
    }

    function setUp() public virtual override {
        super.setUp();
        for (uint256 i = 5; i < 15; ++i) {
            (address worker, uint256 key) = makeAccount(string.concat("worker", vm.toString(i)));
            workers.push(worker);
            workerKeys.push(key);
            _fund(worker);
        }
        (enclave, enclaveKey) = makeAccount("enclave");
        (teeBroker, teeBrokerKey) = makeAccount("teeBroker");
        (stranger, strangerKey) = makeAccount("stranger");
    }

    /*//////////////////////////////////////////////////////////////
                                ORDERS
    //////////////////////////////////////////////////////////////*/

    /// @dev Unsigned orders for `volume` tasks at `trust`, no dataset, default prices.
    function _orders(uint256 volume, uint256 trust) internal returns (Orders memory o) {
        o.app = _appOrder(APP_PRICE, volume);
        o.dataset = _noDataset();
        o.workerpool = _workerpoolOrder(POOL_PRICE, volume, trust);
        o.request = _requestOrder(o.app, o.dataset, o.workerpool, volume);
    }

    /// @dev Unsigned orders for `volume` tasks at `trust`, with the fixture's dataset.
    function _ordersWithDataset(uint256 volume, uint256 trust) internal returns (Orders memory o) {
        o.app = _appOrder(APP_PRICE, volume);
        o.dataset = _datasetOrder(DATASET_PRICE, volume);
        o.workerpool = _workerpoolOrder(POOL_PRICE, volume, trust);
        o.request = _requestOrder(o.app, o.dataset, o.workerpool, volume);
    }

    /// @dev Unsigned orders of a TEE deal: the app order and the workerpool order carry the TEE bit.
    function _teeOrders(uint256 volume, uint256 trust) internal returns (Orders memory o) {
        o = _orders(volume, trust);
        o.app.tag = TEE_TAG;
        o.workerpool.tag = TEE_TAG;
    }

    /// @dev Signs every order of `o` (the dataset order only when there is a dataset).
    function _signAll(Orders memory o) internal view returns (Orders memory) {
        o.app = _sign(o.app);
        if (o.dataset.dataset != address(0)) o.dataset = _sign(o.dataset);
        o.workerpool = _sign(o.workerpool);
        o.request = _sign(o.request);
        return o;
    }

    function _match(Orders memory o) internal returns (bytes32 dealid) {
        dealid = hub.matchOrders(o.app, o.dataset, o.workerpool, o.request);
    }

    function _signAndMatch(Orders memory o) internal returns (bytes32 dealid) {
        dealid = _match(_signAll(o));
    }

    /// @dev Expects the next match of `o` (signed) to revert with `revertData`.
    function _expectMatchRevert(Orders memory o, bytes memory revertData) internal {
        vm.expectRevert(revertData);
        hub.matchOrders(o.app, o.dataset, o.workerpool, o.request);
    }

    /*//////////////////////////////////////////////////////////////
                                 TASKS
    //////////////////////////////////////////////////////////////*/

    /// @dev Matches a one-task deal at `trust` (default prices, no dataset) and initializes it.
    function _newTask(uint256 trust) internal returns (bytes32 dealid, bytes32 taskid) {
        dealid = _matchDeal(APP_PRICE, POOL_PRICE, 1, trust);
        taskid = hub.initialize(dealid, 0);
    }

    /// @dev Matches and initializes a one-task TEE deal at `trust`.
    function _newTeeTask(uint256 trust) internal returns (bytes32 dealid, bytes32 taskid) {
        dealid = _signAndMatch(_teeOrders(1, trust));
        taskid = hub.initialize(dealid, 0);
    }

    /// @dev Matches and initializes a one-task deal at `trust` whose results go to `callback`.
    function _newCallbackTask(uint256 trust, address callback)
        internal
        returns (bytes32 dealid, bytes32 taskid)
    {
        Orders memory o = _orders(1, trust);
        o.request.callback = callback;
        dealid = _signAndMatch(o);
        taskid = hub.initialize(dealid, 0);
    }

    /// @dev Contributes `digest` for workers `first` to `first + count - 1`.
    function _contributeMany(uint256 first, uint256 count, bytes32 taskid, bytes32 digest)
        internal
    {
        for (uint256 i = first; i < first + count; ++i) {
            _contribute(i, taskid, digest);
        }
    }

    function _revealMany(uint256 first, uint256 count, bytes32 taskid, bytes32 digest) internal {
        for (uint256 i = first; i < first + count; ++i) {
            _reveal(i, taskid, digest);
        }
    }

    /// @dev A one-task trust-1 deal whose only worker (0) contributed and revealed `DIGEST`.
    function _revealedTask() internal returns (bytes32 dealid, bytes32 taskid) {
        (dealid, taskid) = _newTask(1);
        _contribute(0, taskid, DIGEST);
        _reveal(0, taskid, DIGEST);
    }

    /// @dev Scheduler authorization signed by `signerKey` instead of the scheduler's key.
    function _authorizationBy(uint256 signerKey, address worker, bytes32 taskid, address enclave_)
        internal
        pure
        returns (bytes memory)
    {
        bytes32 digest = MessageHashUtils.toEthSignedMessageHash(
            keccak256(abi.encodePacked(worker, taskid, enclave_))
        );
        return _signDigest(signerKey, digest);
    }

    /// @dev The enclave's signature of `keccak256(resultHash ‖ resultSeal)`.
    function _enclaveSign(uint256 key, bytes32 resultHash, bytes32 resultSeal)
        internal
        pure
        returns (bytes memory)
    {
        bytes32 digest = MessageHashUtils.toEthSignedMessageHash(
            keccak256(abi.encodePacked(resultHash, resultSeal))
        );
        return _signDigest(key, digest);
    }

    /// @dev Contributes `digest` to a TEE task through the fixture's enclave, authorized by `authKey`.
    function _contributeTee(uint256 workerIndex, bytes32 taskid, bytes32 digest, uint256 authKey)
        internal
    {
        address worker = workers[workerIndex];
        bytes32 resultHash = _resultHash(taskid, digest);
        bytes32 resultSeal = _resultSeal(worker, taskid, digest);
        bytes memory auth = _authorizationBy(authKey, worker, taskid, enclave);
        bytes memory enclaveSign = _enclaveSign(enclaveKey, resultHash, resultSeal);
        vm.prank(worker);
        hub.contribute(taskid, resultHash, resultSeal, enclave, enclaveSign, auth);
    }

    /// @dev Puts `poolPrice * 30%` into the kitty: matches a one-task deal at `poolPrice`, lets it
    /// expire and claims it. Moves time forward past that task's final deadline.
    function _fillKitty(uint256 poolPrice) internal returns (uint256 seized) {
        bytes32 dealid = _matchDeal(0, poolPrice, 1, 1);
        bytes32 taskid = hub.initialize(dealid, 0);
        vm.warp(hub.viewTask(taskid).finalDeadline);
        hub.claim(taskid);
        seized = poolPrice * 30 / 100;
    }

    /*//////////////////////////////////////////////////////////////
                           CONSENSUS MODEL
    //////////////////////////////////////////////////////////////*/

    /// @dev Outcome of {_voteUntilConsensus}.
    struct VoteOutcome {
        uint256 contributions;
        bool reached;
        bool consensusGood;
    }

    /// @dev Workers 0, 1, ... contribute `DIGEST` (good[i]) or `OTHER_DIGEST` in turn, with the
    /// given scores, until consensus. Checks every step against spec §7.3: the recorded weight
    /// floor(log2(weight)), consensus exactly when group·trust > total·(trust − 1) for the value
    /// just voted, and the winner count.
    function _voteUntilConsensus(
        bytes32 taskid,
        uint256 trust,
        uint256[] memory scores,
        bool[] memory good
    ) internal returns (VoteOutcome memory outcome) {
        uint256[2] memory groups;
        uint256 total = 1;
        for (uint256 i = 0; i < scores.length; ++i) {
            _setScore(workers[i], scores[i]);
            uint256 weight = (scores[i] / 3 > 3 ? scores[i] / 3 : 3) - 1;
            uint256 v = good[i] ? 0 : 1;
            uint256 g = groups[v];
            uint256 delta = (g > 1 ? g : 1) * weight - g;
            groups[v] = g + delta;
            total += delta;

            _contribute(i, taskid, good[i] ? DIGEST : OTHER_DIGEST);
            assertEq(
                hub.viewContribution(taskid, workers[i]).weight,
                _log2(weight),
                "weight = floor(log2)"
            );
            if (groups[v] * trust > total * (trust - 1)) {
                Task memory task = hub.viewTask(taskid);
                assertEq(
                    uint256(task.status), uint256(TaskStatusEnum.REVEALING), "model: consensus"
                );
                assertEq(
                    task.consensusValue,
                    _resultHash(taskid, good[i] ? DIGEST : OTHER_DIGEST),
                    "consensus value"
                );
                uint256 winners;
                for (uint256 j = 0; j <= i; ++j) {
                    if (good[j] == good[i]) ++winners;
                }
                assertEq(task.winnerCounter, winners, "winners");
                return VoteOutcome(i + 1, true, good[i]);
            }
            assertEq(
                uint256(_status(taskid)), uint256(TaskStatusEnum.ACTIVE), "model: no consensus yet"
            );
        }
        return VoteOutcome(scores.length, false, false);
    }

    function _log2(uint256 x) internal pure returns (uint256 r) {
        while (x > 1) {
            x >>= 1;
            ++r;
        }
    }

    /*//////////////////////////////////////////////////////////////
                                 READS
    //////////////////////////////////////////////////////////////*/

    function _status(bytes32 taskid) internal view returns (TaskStatusEnum) {
        return hub.viewTask(taskid).status;
    }

    function _assertStatus(bytes32 taskid, TaskStatusEnum expected, string memory message)
        internal
        view
    {
        assertEq(uint256(_status(taskid)), uint256(expected), message);
    }

    function _assertContribution(
        bytes32 taskid,
        address worker,
        ContributionStatusEnum expected,
        string memory message
    ) internal view {
        assertEq(uint256(hub.viewContribution(taskid, worker).status), uint256(expected), message);
    }

    /// @dev Index in `logs` of the first log emitted by the hub with `topic0`, or type(uint256).max.
    function _logIndex(Vm.Log[] memory logs, bytes32 topic0) internal view returns (uint256) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (
                logs[i].emitter == address(hub) && logs[i].topics.length > 0
                    && logs[i].topics[0] == topic0
            ) {
                return i;
            }
        }
        return type(uint256).max;
    }

    /// @dev How many logs of the hub carry `topic0`.
    function _logCount(Vm.Log[] memory logs, bytes32 topic0) internal view returns (uint256 count) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (
                logs[i].emitter == address(hub) && logs[i].topics.length > 0
                    && logs[i].topics[0] == topic0
            ) {
                ++count;
            }
        }
    }

    /// @dev Payer balances before/after helpers.
    function _free(address account) internal view returns (uint256) {
        return hub.balanceOf(account);
    }

    function _frozen(address account) internal view returns (uint256) {
        return hub.frozenOf(account);
    }
}
