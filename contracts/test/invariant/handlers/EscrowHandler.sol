// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoFixture} from "../../utils/PocoFixture.sol";
import {RLC} from "../../../src/token/RLC.sol";
import {IPoco} from "../../../src/interfaces/IPoco.sol";
import {
    AppOrder,
    DatasetOrder,
    WorkerpoolOrder,
    RequestOrder,
    Task,
    TaskStatusEnum,
    ContributionStatusEnum
} from "../../../src/libs/PocoTypes.sol";

/// @title EscrowHandler: random escrow and protocol actions among the fixture's actors.
/// @notice The invariant test calls these actions in random order with random arguments. Each
/// action checks its preconditions and returns early when they do not hold, so that most calls
/// do something. The handler records deals and the kitty so the test can compute, from task
/// statuses alone, how much every account must have frozen.
contract EscrowHandler is PocoFixture {
    bytes32 private constant GOOD = keccak256("good");
    bytes32 private constant BAD = keccak256("bad");
    address private constant KITTY_ADDR = 0x99c2268479b93fDe36232351229815DF80837e23;

    struct DealInfo {
        bytes32 dealid;
        address payer;
        uint256 volume;
        uint256 price;
        uint256 schedulerStake;
        uint256 workerStake;
    }

    DealInfo[] private _deals;
    bytes32[] private _tasks;
    mapping(bytes32 taskid => uint256 dealIndex) private _dealOfTask;

    /// The kitty's frozen amount as the handler expects it (claims add, successes take a share).
    uint256 public ghostKitty;
    /// How many times each action did something.
    mapping(bytes32 action => uint256) public calls;

    /*//////////////////////////////////////////////////////////////
                              ESCROW ACTIONS
    //////////////////////////////////////////////////////////////*/

    function deposit(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        amount = bound(amount, 0, 1e13);
        rlc.approve(address(hub), amount);
        hub.depositFor(amount, actor);
        calls["deposit"]++;
    }

    function withdraw(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        amount = bound(amount, 0, hub.balanceOf(actor));
        vm.prank(actor);
        hub.withdraw(amount);
        calls["withdraw"]++;
    }

    function transfer(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        address from = _actor(fromSeed);
        address to = _actor(toSeed);
        amount = bound(amount, 0, hub.balanceOf(from));
        vm.prank(from);
        hub.transfer(to, amount);
        calls["transfer"]++;
    }

    function warp(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 1, 1_500));
        calls["warp"]++;
    }

    /*//////////////////////////////////////////////////////////////
                            PROTOCOL ACTIONS
    //////////////////////////////////////////////////////////////*/

    function matchOrders(
        uint256 appPrice,
        uint256 poolPrice,
        uint256 volume,
        uint256 trust,
        bool sponsored
    ) external {
        appPrice = bound(appPrice, 0, 1e11);
        poolPrice = bound(poolPrice, 0, 1e12);
        volume = bound(volume, 1, 4);
        trust = bound(trust, 0, 5);
        address payer = sponsored ? sponsor : requester;
        if (hub.balanceOf(payer) < (appPrice + poolPrice) * volume) return;
        if (hub.balanceOf(scheduler) < (poolPrice * 30 / 100) * volume) return;

        AppOrder memory a = _sign(_appOrder(appPrice, volume));
        WorkerpoolOrder memory w = _sign(_workerpoolOrder(poolPrice, volume, trust));
        DatasetOrder memory d = _noDataset();
        RequestOrder memory r = _sign(_requestOrder(a, d, w, volume));
        bytes32 dealid;
        if (sponsored) {
            vm.prank(sponsor);
            dealid = hub.sponsorMatchOrders(a, d, w, r);
        } else {
            dealid = hub.matchOrders(a, d, w, r);
        }
        _deals.push(
            DealInfo(
                dealid,
                payer,
                volume,
                appPrice + poolPrice,
                poolPrice * 30 / 100,
                hub.viewDeal(dealid).workerStake
            )
        );
        calls["matchOrders"]++;
    }

    function initialize(uint256 dealSeed, uint256 idx) external {
        if (_deals.length == 0) return;
        uint256 dealIndex = dealSeed % _deals.length;
        DealInfo memory deal = _deals[dealIndex];
        idx = idx % deal.volume;
        bytes32 taskid = _taskId(deal.dealid, idx);
        if (hub.viewTask(taskid).status != TaskStatusEnum.UNSET) return;
        hub.initialize(deal.dealid, idx);
        _tasks.push(taskid);
        _dealOfTask[taskid] = dealIndex;
        calls["initialize"]++;
    }

    function contribute(uint256 taskSeed, uint256 workerSeed, bool good) external {
        (bytes32 taskid, bool found) = _pickTask(taskSeed, TaskStatusEnum.ACTIVE);
        if (!found) return;
        Task memory task = hub.viewTask(taskid);
        if (block.timestamp >= task.contributionDeadline) return;
        uint256 workerIndex = workerSeed % workers.length;
        address worker = workers[workerIndex];
        if (hub.viewContribution(taskid, worker).status != ContributionStatusEnum.UNSET) return;
        if (hub.balanceOf(worker) < _deals[_dealOfTask[taskid]].workerStake) return;
        _contribute(workerIndex, taskid, good ? GOOD : BAD);
        calls["contribute"]++;
    }

    function reveal(uint256 taskSeed, uint256 workerSeed) external {
        (bytes32 taskid, bool found) = _pickTask(taskSeed, TaskStatusEnum.REVEALING);
        if (!found) return;
        Task memory task = hub.viewTask(taskid);
        if (block.timestamp >= task.revealDeadline) return;
        uint256 workerIndex = workerSeed % workers.length;
        address worker = workers[workerIndex];
        if (hub.viewContribution(taskid, worker).status != ContributionStatusEnum.CONTRIBUTED) {
            return;
        }
        bytes32 resultHash = hub.viewContribution(taskid, worker).resultHash;
        if (resultHash != task.consensusValue) return;
        _reveal(workerIndex, taskid, resultHash == _resultHash(taskid, GOOD) ? GOOD : BAD);
        calls["reveal"]++;
    }

    function finalize(uint256 taskSeed) external {
        (bytes32 taskid, bool found) = _pickTask(taskSeed, TaskStatusEnum.REVEALING);
        if (!found) return;
        Task memory task = hub.viewTask(taskid);
        if (block.timestamp >= task.finalDeadline) return;
        bool allRevealed = task.revealCounter == task.winnerCounter;
        bool someRevealedLate = task.revealCounter > 0 && block.timestamp >= task.revealDeadline;
        if (!allRevealed && !someRevealedLate) return;
        _takeKittyShare();
        _finalize(taskid, "ipfs://result");
        calls["finalize"]++;
    }

    function contributeAndFinalize(uint256 taskSeed, uint256 workerSeed) external {
        (bytes32 taskid, bool found) = _pickTask(taskSeed, TaskStatusEnum.ACTIVE);
        if (!found) return;
        Task memory task = hub.viewTask(taskid);
        if (block.timestamp >= task.contributionDeadline) return;
        if (task.contributors.length != 0 || hub.viewDeal(task.dealid).trust != 1) return;
        address worker = workers[workerSeed % workers.length];
        bytes memory auth = _authorization(worker, taskid, address(0));
        _takeKittyShare();
        vm.prank(worker);
        hub.contributeAndFinalize(taskid, GOOD, "ipfs://result", "", address(0), "", auth);
        calls["contributeAndFinalize"]++;
    }

    function reopen(uint256 taskSeed) external {
        (bytes32 taskid, bool found) = _pickTask(taskSeed, TaskStatusEnum.REVEALING);
        if (!found) return;
        Task memory task = hub.viewTask(taskid);
        if (block.timestamp >= task.finalDeadline || block.timestamp < task.revealDeadline) return;
        if (task.revealCounter != 0) return;
        vm.prank(scheduler);
        hub.reopen(taskid);
        calls["reopen"]++;
    }

    function claim(uint256 taskSeed) external {
        if (_tasks.length == 0) return;
        bytes32 taskid = _tasks[taskSeed % _tasks.length];
        Task memory task = hub.viewTask(taskid);
        if (task.status != TaskStatusEnum.ACTIVE && task.status != TaskStatusEnum.REVEALING) {
            return;
        }
        if (block.timestamp < task.finalDeadline) return;
        hub.claim(taskid);
        ghostKitty += _deals[_dealOfTask[taskid]].schedulerStake;
        calls["claim"]++;
    }

    /*//////////////////////////////////////////////////////////////
                          VIEWS FOR THE INVARIANTS
    //////////////////////////////////////////////////////////////*/

    function hubAddress() external view returns (address) {
        return address(hub);
    }

    function rlcAddress() external view returns (address) {
        return address(rlc);
    }

    /// @notice Every account that can hold escrow: the actors, the kitty and this handler.
    function accounts() external view returns (address[] memory) {
        return _trackedAccounts();
    }

    /// @notice What `account` must have frozen given the status of every task: payers the price
    /// of each task not yet completed or failed, the scheduler its stake for those, workers their
    /// stake in every open task they contributed to, the kitty what claims put in minus what
    /// successes took.
    function expectedFrozen(address account) external view returns (uint256 frozen) {
        if (account == KITTY_ADDR) return ghostKitty;
        for (uint256 i = 0; i < _deals.length; ++i) {
            DealInfo memory deal = _deals[i];
            for (uint256 idx = 0; idx < deal.volume; ++idx) {
                bytes32 taskid = _taskId(deal.dealid, idx);
                Task memory task = hub.viewTask(taskid);
                TaskStatusEnum status = task.status;
                if (status == TaskStatusEnum.COMPLETED || status == TaskStatusEnum.FAILED) {
                    continue;
                }
                if (account == deal.payer) frozen += deal.price;
                if (account == scheduler) frozen += deal.schedulerStake;
                for (uint256 c = 0; c < task.contributors.length; ++c) {
                    if (task.contributors[c] == account) frozen += deal.workerStake;
                }
            }
        }
    }

    function dealCount() external view returns (uint256) {
        return _deals.length;
    }

    function taskCount() external view returns (uint256) {
        return _tasks.length;
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    function _actor(uint256 seed) private view returns (address) {
        address[] memory all = _trackedAccounts();
        // every tracked account but the kitty (index 6) and this handler (index 7)
        uint256 i = seed % (all.length - 2);
        if (i >= 6) i += 2;
        return all[i];
    }

    /// @dev A recorded task with `status`, scanning from a random start.
    function _pickTask(uint256 seed, TaskStatusEnum status)
        private
        view
        returns (bytes32 taskid, bool found)
    {
        uint256 n = _tasks.length;
        for (uint256 k = 0; k < n; ++k) {
            taskid = _tasks[(seed % n + k) % n];
            if (hub.viewTask(taskid).status == status) return (taskid, true);
        }
    }

    /// @dev The share of the kitty the next successful task pays (spec §2.4).
    function _takeKittyShare() private {
        uint256 kitty = ghostKitty;
        if (kitty == 0) return;
        uint256 share = kitty * 10 / 100;
        if (share < 1e9) share = 1e9;
        if (share > kitty) share = kitty;
        ghostKitty = kitty - share;
    }
}
