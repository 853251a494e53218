//! Money (spec §8, §14): prices, stakes, the kitty, and how `finalize` splits a task's payment
//! between winners, losers and the scheduler. Amounts are `U256` nRLC (1 RLC = 10⁹ nRLC);
//! divisions are floor divisions, and every overflow the contract would revert on is an error.
//!
//! ```text
//! pool        = workerpoolPrice + Σ stakes of contributors not PROVED
//! workersPool = ⌊pool · (100 − schedulerRewardRatio) / 100⌋
//! share(c)    = ⌊workersPool · weight(c) / Σ weight(PROVED)⌋      for each PROVED contributor
//! scheduler   = pool − Σ shares                                   (its cut plus rounding dust)
//! ```

use alloy_primitives::{Address, U256, U512, address, uint};

use crate::{
    error::{Error, Result},
    status::ContributionStatus,
};

/// The scheduler's stake per task, in percent of the workerpool price.
pub const WORKERPOOL_STAKE_RATIO: u64 = 30;
/// The share of the kitty paid to the scheduler of each finalized task, in percent.
pub const KITTY_RATIO: u64 = 10;
/// The least paid from the kitty per finalized task (unless the kitty holds less): 1 RLC.
pub const KITTY_MIN: U256 = uint!(1_000_000_000_U256);
/// The account whose frozen balance is the kitty (seized scheduler stakes of failed tasks).
pub const KITTY_ADDRESS: Address = address!("99c2268479b93fDe36232351229815DF80837e23");
/// A new workerpool's `m_workerStakeRatioPolicy`: each worker stakes 30 % of the price.
pub const DEFAULT_WORKER_STAKE_RATIO: u64 = 30;
/// A new workerpool's `m_schedulerRewardRatioPolicy`: the scheduler keeps 1 % of the pool.
pub const DEFAULT_SCHEDULER_REWARD_RATIO: u64 = 1;

/// `⌊amount · percent / 100⌋`.
fn percent_of(amount: U256, percent: U256, what: &'static str) -> Result<U256> {
    Ok(amount.checked_mul(percent).ok_or(Error::Overflow(what))? / U256::from(100))
}

/// `100 − ratio`, refusing ratios above 100 (the workerpool contract does).
fn complement(ratio: U256) -> Result<U256> {
    U256::from(100).checked_sub(ratio).ok_or(Error::Overflow("100 - scheduler reward ratio"))
}

/// The price of one task: `appPrice + datasetPrice + workerpoolPrice`.
pub fn task_price(app_price: U256, dataset_price: U256, workerpool_price: U256) -> Result<U256> {
    app_price
        .checked_add(dataset_price)
        .and_then(|sum| sum.checked_add(workerpool_price))
        .ok_or(Error::Overflow("task price"))
}

/// The scheduler's stake per task, locked at match and returned at finalize (seized into the
/// kitty at claim): `⌊workerpoolPrice · 30 / 100⌋`.
pub fn scheduler_stake(workerpool_price: U256) -> Result<U256> {
    percent_of(workerpool_price, U256::from(WORKERPOOL_STAKE_RATIO), "scheduler stake")
}

/// A worker's stake per contribution (`deal.workerStake`):
/// `⌊workerpoolPrice · workerStakeRatio / 100⌋`.
pub fn worker_stake(workerpool_price: U256, worker_stake_ratio: U256) -> Result<U256> {
    percent_of(workerpool_price, worker_stake_ratio, "worker stake")
}

/// What the winners share out of `pool`: `⌊pool · (100 − schedulerRewardRatio) / 100⌋`.
pub fn workers_pool(pool: U256, scheduler_reward_ratio: U256) -> Result<U256> {
    percent_of(pool, complement(scheduler_reward_ratio)?, "workers pool")
}

/// A winner's share: `⌊workersPool · weight / totalWeight⌋`, computed without intermediate
/// overflow (OpenZeppelin `Math.mulDiv`, which reverts on a zero denominator).
pub fn winner_share(workers_pool: U256, weight: U256, total_weight: U256) -> Result<U256> {
    if total_weight.is_zero() {
        return Err(Error::Overflow("winner share: zero total weight"));
    }
    let product = workers_pool.widening_mul::<256, 4, 512, 8>(weight);
    let share = product / U512::from(total_weight);
    U256::checked_from_limbs_slice(share.as_limbs()).ok_or(Error::Overflow("winner share"))
}

/// What the kitty pays the scheduler of a finalized task when it holds `frozen_kitty`:
/// `min(max(⌊kitty · 10 / 100⌋, 1 RLC), kitty)`.
pub fn kitty_share(frozen_kitty: U256) -> U256 {
    // ⌊10k/100⌋ = ⌊k/10⌋, without the overflow of 10k.
    (frozen_kitty / U256::from(100 / KITTY_RATIO)).max(KITTY_MIN).min(frozen_kitty)
}

/// The split of `contributeAndFinalize` (one worker, no stake): the worker gets
/// `⌊workerpoolPrice · (100 − schedulerRewardRatio) / 100⌋`, the scheduler the rest. Also the
/// `workerReward` of a Boost deal. Returns `(worker, scheduler)`.
pub fn single_worker_split(
    workerpool_price: U256,
    scheduler_reward_ratio: U256,
) -> Result<(U256, U256)> {
    let worker = workers_pool(workerpool_price, scheduler_reward_ratio)?;
    Ok((worker, workerpool_price - worker))
}

/// One contributor of a task being finalized, in contribution order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Contributor {
    /// Its contribution status at finalize (only `PROVED` wins).
    pub status: ContributionStatus,
    /// Its `contribution.weight` ([`crate::consensus::contribution_weight`] of its score).
    pub weight: U256,
}

/// What `finalize` does to one contributor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Payout {
    /// A `PROVED` contributor: stake unlocked, `share` rewarded; its score goes up by one
    /// (`AccurateContribution`) iff `scored`, that is iff the task had several contributors.
    Winner {
        /// Its share of the workers' pool.
        share: U256,
        /// Whether its score is incremented.
        scored: bool,
    },
    /// Any other contributor (wrong, silent or rejected): stake seized, score × 2/3
    /// (`FaultyContribution`).
    Loser,
}

/// How `finalize` pays a task's workers and scheduler (spec §8.3 `distributeRewards`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RewardSplit {
    /// `workerpoolPrice` plus the losers' stakes.
    pub pool: U256,
    /// What the winners share (see [`workers_pool`]).
    pub workers_pool: U256,
    /// One payout per contributor, in the order given.
    pub payouts: Vec<Payout>,
    /// What the scheduler is rewarded: the pool minus the shares (its cut and the rounding
    /// dust). Its stake is unlocked and the kitty share ([`kitty_share`]) comes on top.
    pub scheduler: U256,
}

/// Splits a finalized task's workerpool price and the losers' stakes as `distributeRewards`
/// does (see the [module docs](self)).
pub fn distribute_rewards(
    workerpool_price: U256,
    worker_stake: U256,
    scheduler_reward_ratio: U256,
    contributors: &[Contributor],
) -> Result<RewardSplit> {
    let mut pool = workerpool_price;
    let mut total_weight = U256::ZERO;
    for c in contributors {
        if c.status == ContributionStatus::Proved {
            total_weight = total_weight.checked_add(c.weight).ok_or(Error::Overflow("weights"))?;
        } else {
            pool = pool.checked_add(worker_stake).ok_or(Error::Overflow("reward pool"))?;
        }
    }
    let full_pool = pool;
    let workers_pool = workers_pool(pool, scheduler_reward_ratio)?;
    let scored = contributors.len() > 1;
    let mut payouts = Vec::with_capacity(contributors.len());
    for c in contributors {
        if c.status == ContributionStatus::Proved {
            let share = winner_share(workers_pool, c.weight, total_weight)?;
            pool = pool.checked_sub(share).ok_or(Error::Overflow("reward pool"))?;
            payouts.push(Payout::Winner { share, scored });
        } else {
            payouts.push(Payout::Loser);
        }
    }
    Ok(RewardSplit { pool: full_pool, workers_pool, payouts, scheduler: pool })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consensus::contribution_weight;

    fn u(n: u64) -> U256 {
        U256::from(n)
    }

    #[test]
    fn worked_example_of_the_spec() {
        // Spec §8.5: workerpool 100, app 5, dataset 3, default ratios, trust 3; C voted Y, then
        // A, B, D voted X and revealed.
        let price = task_price(u(5), u(3), u(100)).unwrap();
        assert_eq!(price, u(108), "payer locks");
        assert_eq!(scheduler_stake(u(100)).unwrap(), u(30), "scheduler locks");
        let stake = worker_stake(u(100), u(DEFAULT_WORKER_STAKE_RATIO)).unwrap();
        assert_eq!(stake, u(30), "each worker locks");
        let fresh = contribution_weight(U256::ZERO);
        let c = Contributor { status: ContributionStatus::Contributed, weight: fresh };
        let winner = Contributor { status: ContributionStatus::Proved, weight: fresh };
        let split = distribute_rewards(
            u(100),
            stake,
            u(DEFAULT_SCHEDULER_REWARD_RATIO),
            &[c, winner, winner, winner],
        )
        .unwrap();
        let won = Payout::Winner { share: u(42), scored: true };
        assert_eq!(
            split,
            RewardSplit {
                pool: u(130),
                workers_pool: u(128),
                payouts: vec![Payout::Loser, won, won, won],
                scheduler: u(4),
            }
        );
        // Funds are conserved: what was seized (payer's 108, C's 30) is what was rewarded.
        let rewarded = u(5) + u(3) + u(42) * u(3) + split.scheduler;
        assert_eq!(rewarded, price + stake);
    }

    #[test]
    fn distribution_cases() {
        let proved = |w: u64| Contributor { status: ContributionStatus::Proved, weight: u(w) };
        let rejected = Contributor { status: ContributionStatus::Rejected, weight: u(1) };
        // (contributors, scheduler ratio, expected shares (None = loser), scheduler)
        type Case = (Vec<Contributor>, u64, Vec<Option<u64>>, u64);
        let cases: [Case; 4] = [
            // A single winner gets everything but the cut, and no score.
            (vec![proved(1)], 1, vec![Some(99)], 1),
            // Weights 1 and 3 of a 99 pool: 24 and 74, dust 1 to the scheduler.
            (vec![proved(1), proved(3)], 1, vec![Some(24), Some(74)], 2),
            // A rejected contributor's stake (30) goes into the pool.
            (vec![rejected, proved(2)], 10, vec![None, Some(117)], 13),
            // Ratio 100: the scheduler takes it all.
            (vec![proved(1), proved(1)], 100, vec![Some(0), Some(0)], 100),
        ];
        for (i, (contributors, ratio, shares, scheduler)) in cases.into_iter().enumerate() {
            let split = distribute_rewards(u(100), u(30), u(ratio), &contributors).unwrap();
            let scored = contributors.len() > 1;
            let expected: Vec<_> = shares
                .into_iter()
                .map(|s| s.map_or(Payout::Loser, |s| Payout::Winner { share: u(s), scored }))
                .collect();
            assert_eq!(split.payouts, expected, "case {i}");
            assert_eq!(split.scheduler, u(scheduler), "case {i}");
        }
        assert!(distribute_rewards(u(100), u(30), u(101), &[proved(1)]).is_err());
        assert!(distribute_rewards(u(100), u(30), u(1), &[proved(0)]).is_err());
    }

    #[test]
    fn kitty() {
        let rlc = KITTY_MIN;
        // (frozen kitty, paid)
        let cases = [
            (U256::ZERO, U256::ZERO),
            (u(500), u(500)),
            (rlc, rlc),
            (rlc * u(5), rlc),
            (rlc * u(25), rlc * u(5) / u(2)),
            (u(123_456_789_012), u(12_345_678_901)),
            (U256::MAX, U256::MAX / u(10)),
        ];
        for (frozen, paid) in cases {
            assert_eq!(kitty_share(frozen), paid, "{frozen}");
        }
    }

    #[test]
    fn stakes_and_single_worker() {
        // (workerpool price, scheduler stake)
        let cases = [(0, 0), (3, 0), (4, 1), (100, 30), (101, 30), (1_000_000_000, 300_000_000)];
        for (price, stake) in cases {
            assert_eq!(scheduler_stake(u(price)).unwrap(), u(stake), "{price}");
        }
        assert!(scheduler_stake(U256::MAX).is_err());
        assert_eq!(single_worker_split(u(100), u(1)).unwrap(), (u(99), u(1)));
        assert_eq!(single_worker_split(u(7), u(50)).unwrap(), (u(3), u(4)));
        assert_eq!(winner_share(U256::MAX, U256::MAX, U256::MAX).unwrap(), U256::MAX);
        assert!(task_price(U256::MAX, u(1), u(0)).is_err());
    }
}
