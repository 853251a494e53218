// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IWorkerpool} from "../interfaces/IRegistries.sol";
import {RegistryEntry} from "./RegistryEntry.sol";

/// @title A workerpool: a scheduler's pool of workers, owned through a WorkerpoolRegistry NFT.
/// @notice The owner (the scheduler) sets two policies that the hub snapshots into each deal
/// at match time: the share of the workerpool price each worker stakes per contribution, and the
/// share of the worker reward pool the scheduler keeps.
/// @dev Deployed once as the master of a WorkerpoolRegistry; every workerpool is an EIP-1167
/// clone of it.
///
/// Both policies live in one storage slot (one cold SLOAD per match), each stored XOR its
/// default value: the all-zero slot of a fresh clone therefore reads as the defaults (30, 1),
/// and `initialize` does not have to write that slot (a 22,100-gas saving per workerpool).
contract Workerpool is IWorkerpool, RegistryEntry {
    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @dev Default worker stake ratio, in % of the workerpool price.
    uint248 private constant DEFAULT_WORKER_STAKE_RATIO = 30;
    /// @dev Default scheduler reward ratio, in % of the worker reward pool.
    uint8 private constant DEFAULT_SCHEDULER_REWARD_RATIO = 1;
    /// @dev The scheduler reward ratio is a percentage.
    uint256 private constant MAX_SCHEDULER_REWARD_RATIO = 100;

    /*//////////////////////////////////////////////////////////////
                                 STATE
    //////////////////////////////////////////////////////////////*/

    /// @dev The two policies, each XOR its default (see the contract's notes).
    struct EncodedPolicies {
        uint248 workerStakeRatio;
        uint8 schedulerRewardRatio;
    }

    /// @notice Free-form description.
    string public m_workerpoolDescription;

    EncodedPolicies private _policies;

    /*//////////////////////////////////////////////////////////////
                             INITIALIZATION
    //////////////////////////////////////////////////////////////*/

    /// @notice Sets the workerpool's description; called once by the registry when it creates the
    /// workerpool. The policies start at their defaults (worker stake 30%, scheduler reward 1%).
    ///
    /// **Requirements:**
    /// - the caller is the registry (`NotRegistry`).
    function initialize(string calldata _workerpoolDescription) external onlyRegistry {
        m_workerpoolDescription = _workerpoolDescription;
    }

    /*//////////////////////////////////////////////////////////////
                                POLICIES
    //////////////////////////////////////////////////////////////*/

    /// @notice Both policies in one call (the hub reads them at match time).
    /// @return workerStakeRatio % of the workerpool price each worker stakes per contribution.
    /// @return schedulerRewardRatio % of the worker reward pool kept by the scheduler.
    function policies()
        external
        view
        returns (uint256 workerStakeRatio, uint256 schedulerRewardRatio)
    {
        return _decodedPolicies();
    }

    /// @notice % of the workerpool price each worker stakes per contribution (default 30).
    function m_workerStakeRatioPolicy() external view returns (uint256 workerStakeRatio) {
        (workerStakeRatio,) = _decodedPolicies();
    }

    /// @notice % of the worker reward pool kept by the scheduler (default 1).
    function m_schedulerRewardRatioPolicy() external view returns (uint256 schedulerRewardRatio) {
        (, schedulerRewardRatio) = _decodedPolicies();
    }

    /// @notice Sets both policies. Deals already matched keep the policies of their match.
    /// @dev Emits {PolicyUpdate}. The worker stake ratio is not bounded by the protocol (as in the
    /// reference); it only has to fit the 248 bits this contract stores it in.
    ///
    /// **Requirements:**
    /// - the caller is the workerpool's owner (`NotEntryOwner`);
    /// - `_newSchedulerRewardRatioPolicy` is at most 100 (`SchedulerRewardRatioTooHigh`);
    /// - `_newWorkerStakeRatioPolicy` is below 2^248 (`SafeCastOverflowedUintDowncast`).
    /// @param _newWorkerStakeRatioPolicy New worker stake ratio, in %.
    /// @param _newSchedulerRewardRatioPolicy New scheduler reward ratio, in % (≤ 100).
    function changePolicy(
        uint256 _newWorkerStakeRatioPolicy,
        uint256 _newSchedulerRewardRatioPolicy
    ) external onlyEntryOwner {
        if (_newSchedulerRewardRatioPolicy > MAX_SCHEDULER_REWARD_RATIO) {
            revert SchedulerRewardRatioTooHigh(_newSchedulerRewardRatioPolicy);
        }
        uint248 newWorkerStakeRatio = SafeCast.toUint248(_newWorkerStakeRatioPolicy);

        (uint256 oldWorkerStakeRatio, uint256 oldSchedulerRewardRatio) = _decodedPolicies();
        _policies = EncodedPolicies({
            workerStakeRatio: newWorkerStakeRatio ^ DEFAULT_WORKER_STAKE_RATIO,
            // Fits: checked ≤ 100 above.
            schedulerRewardRatio: uint8(_newSchedulerRewardRatioPolicy)
                ^ DEFAULT_SCHEDULER_REWARD_RATIO
        });
        emit PolicyUpdate(
            oldWorkerStakeRatio,
            _newWorkerStakeRatioPolicy,
            oldSchedulerRewardRatio,
            _newSchedulerRewardRatioPolicy
        );
    }

    /*//////////////////////////////////////////////////////////////
                                INTERNAL
    //////////////////////////////////////////////////////////////*/

    function _decodedPolicies()
        private
        view
        returns (uint256 workerStakeRatio, uint256 schedulerRewardRatio)
    {
        EncodedPolicies memory encoded = _policies;
        workerStakeRatio = encoded.workerStakeRatio ^ DEFAULT_WORKER_STAKE_RATIO;
        schedulerRewardRatio = encoded.schedulerRewardRatio ^ DEFAULT_SCHEDULER_REWARD_RATIO;
    }
}
