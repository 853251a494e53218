//! Proof-of-Contribution consensus (spec §7.3, §9): score-weighted votes on result hashes,
//! reached when one hash's credibility passes the trust threshold.
//!
//! Each worker's vote weighs `weight(score) = max(⌊score / 3⌋, 3) − 1` (at least 2). A task
//! keeps, per result hash `h`, `group[h]` = the product of the weights of `h`'s voters, and
//! `total = 1 + Σ group`. Consensus on `h` is reached, inside the contribution that voted for
//! it, iff `group[h] · trust > total · (trust − 1)`: the credibility `group[h] / total`
//! exceeds `1 − 1/trust`. [`Consensus`] replays this exactly, `uint256` arithmetic included.

use std::collections::HashMap;

use alloy_primitives::{B256, U256};

use crate::error::{Error, Result};

/// The trust a deal stores for a request's `trust`: `max(trust, 1)` (0 and 1 both mean one
/// worker is enough).
pub fn deal_trust(request_trust: U256) -> U256 {
    request_trust.max(U256::from(1))
}

/// A worker's vote weight for its score: `max(⌊score / 3⌋, 3) − 1` (2 for scores below 12).
pub fn weight(score: U256) -> U256 {
    (score / U256::from(3)).max(U256::from(3)) - U256::from(1)
}

/// `⌊log2(weight)⌋` (0 for 0): the share a winner's contribution weighs in the reward split
/// (OpenZeppelin `Math.log2`, PoCo ≥ 5.5; 5.3 rounded up).
pub fn log2_weight(weight: U256) -> U256 {
    U256::from(weight.bit_len().saturating_sub(1))
}

/// The `contribution.weight` the hub records for a worker of this score:
/// `log2_weight(weight(score))`.
pub fn contribution_weight(score: U256) -> U256 {
    log2_weight(weight(score))
}

/// A winner's score after a finalized task with more than one contributor: `score + 1`.
pub fn score_after_accurate(score: U256) -> U256 {
    score.saturating_add(U256::from(1))
}

/// A loser's score after a finalized task: `⌊score · 2 / 3⌋` (it loses a third).
pub fn score_after_faulty(score: U256) -> U256 {
    // ⌊2s/3⌋ = s − ⌈s/3⌉, without the overflow of 2s.
    score - score.div_ceil(U256::from(3))
}

/// Whether `group · trust > total · (trust − 1)` (with `trust` read as `max(trust, 1)`); an
/// overflow is an error, as the contract would revert.
pub fn is_consensus(group: U256, total: U256, trust: U256) -> Result<bool> {
    let trust = deal_trust(trust);
    let lhs = group.checked_mul(trust).ok_or(Error::Overflow("consensus check"))?;
    let rhs = total.checked_mul(trust - U256::from(1)).ok_or(Error::Overflow("consensus check"))?;
    Ok(lhs > rhs)
}

/// How many agreeing workers of this score, voting alone on a fresh task, reach consensus at
/// this trust: the least `n ≥ 1` with `weight(score)ⁿ > trust − 1`. `None` when the contract's
/// arithmetic would overflow first (astronomical trusts only).
///
/// Fresh workers (weight 2) need 1 at trust ≤ 2, 2 at trust 3, 3 at trust 5, 7 at trust 100
/// and 14 at trust 10 000.
pub fn workers_needed(trust: U256, score: U256) -> Option<u32> {
    Consensus::new(trust).more_needed(B256::ZERO, score)
}

/// The outcome of one contribution (see [`Consensus::contribute`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Vote {
    /// The vote's weight, [`weight`]`(score)`.
    pub weight: U256,
    /// `group[h]` after the vote.
    pub group: U256,
    /// `total` after the vote.
    pub total: U256,
    /// Whether this vote reached consensus on its result hash.
    pub consensus: bool,
}

/// A task's consensus state, as the hub keeps it: `total` (1 at `initialize`) and `group[h]`
/// per result hash, plus the consensus value once reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consensus {
    trust: U256,
    total: U256,
    groups: HashMap<B256, U256>,
    value: Option<B256>,
}

impl Consensus {
    /// The state of a freshly initialized task of a deal with this trust (`max(trust, 1)`).
    pub fn new(trust: U256) -> Self {
        Self { trust: deal_trust(trust), total: U256::from(1), groups: HashMap::new(), value: None }
    }

    /// The deal's trust (at least 1).
    pub const fn trust(&self) -> U256 {
        self.trust
    }

    /// `total = 1 + Σ group`.
    pub const fn total(&self) -> U256 {
        self.total
    }

    /// `group[h]`: the product of the weights of `h`'s voters (0 if none).
    pub fn group(&self, result_hash: &B256) -> U256 {
        self.groups.get(result_hash).copied().unwrap_or_default()
    }

    /// The result hash consensus was reached on, if it was.
    pub const fn value(&self) -> Option<B256> {
        self.value
    }

    /// Records a vote for `result_hash` by a worker of this score, as `contribute` does:
    /// `delta = max(g, 1) · weight − g`, `group[h] += delta`, `total += delta`, then the
    /// consensus check on `h` alone. On an error (consensus already reached, or an overflow
    /// that would revert the transaction) nothing changes.
    pub fn contribute(&mut self, result_hash: B256, score: U256) -> Result<Vote> {
        if let Some(value) = self.value {
            return Err(Error::ConsensusReached(value));
        }
        let weight = weight(score);
        let g = self.group(&result_hash);
        let group = g.max(U256::from(1)).checked_mul(weight).ok_or(Error::Overflow("group"))?;
        let delta = group - g;
        let total = self.total.checked_add(delta).ok_or(Error::Overflow("total"))?;
        let consensus = is_consensus(group, total, self.trust)?;
        self.groups.insert(result_hash, group);
        self.total = total;
        if consensus {
            self.value = Some(result_hash);
        }
        Ok(Vote { weight, group, total, consensus })
    }

    /// Drops the consensus value nobody revealed, as `reopen` does: `total -= group[value]`,
    /// `group[value] = 0`, and the task accepts contributions again. Returns the dropped value.
    pub fn reopen(&mut self) -> Result<B256> {
        let value = self.value.take().ok_or(Error::NoConsensus)?;
        let group = self.groups.remove(&value).unwrap_or_default();
        self.total -= group;
        Ok(value)
    }

    /// How many more workers of this score must vote for `result_hash` to reach consensus on
    /// it: `Some(0)` if it is already the consensus value, `None` if consensus was reached on
    /// another value or the contract's arithmetic would overflow first.
    pub fn more_needed(&self, result_hash: B256, score: U256) -> Option<u32> {
        if let Some(value) = self.value {
            return (value == result_hash).then_some(0);
        }
        let mut state = self.clone();
        // Each vote at least doubles group[h], so an overflow ends the loop within 257 votes.
        for n in 1..=257 {
            if state.contribute(result_hash, score).ok()?.consensus {
                return Some(n);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn u(n: u64) -> U256 {
        U256::from(n)
    }

    const X: B256 = B256::repeat_byte(0x0a);
    const Y: B256 = B256::repeat_byte(0x0b);

    #[test]
    fn weights() {
        // (score, weight, log2 weight)
        let cases = [
            (0, 2, 1),
            (11, 2, 1),
            (12, 3, 1),
            (14, 3, 1),
            (15, 4, 2),
            (27, 8, 3),
            (30, 9, 3),
            (51, 16, 4),
            (300, 99, 6),
        ];
        for (score, w, log2) in cases {
            assert_eq!(weight(u(score)), u(w), "weight({score})");
            assert_eq!(contribution_weight(u(score)), u(log2), "log2 weight({score})");
        }
        assert_eq!(log2_weight(U256::ZERO), U256::ZERO);
        assert_eq!(log2_weight(u(1)), U256::ZERO);
        assert_eq!(log2_weight(U256::MAX), u(255));
    }

    #[test]
    fn scores() {
        // (score, after a faulty contribution)
        let cases = [(0, 0), (1, 0), (2, 1), (3, 2), (4, 2), (5, 3), (30, 20), (100, 66)];
        for (score, after) in cases {
            assert_eq!(score_after_faulty(u(score)), u(after), "{score}");
        }
        assert_eq!(score_after_faulty(U256::MAX), U256::MAX / u(3) * u(2));
        assert_eq!(score_after_accurate(u(4)), u(5));
    }

    #[test]
    fn fresh_workers_needed() {
        // Spec §7.3 table: (trust, fresh workers needed).
        let cases = [(0, 1), (1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (100, 7), (10_000, 14)];
        for (trust, n) in cases {
            assert_eq!(workers_needed(u(trust), U256::ZERO), Some(n), "trust {trust}");
        }
        // Stronger workers: weight 8 (score 27) at trust 100 needs 3 (8³ = 512 > 99).
        assert_eq!(workers_needed(u(100), u(27)), Some(3));
        // Astronomical trust: the contract's `group · trust` overflows before consensus.
        assert_eq!(workers_needed(U256::MAX, U256::ZERO), None);
    }

    #[test]
    fn worked_example_of_the_spec() {
        // Spec §8.5: trust 3, fresh workers; C votes Y, then A, B, D vote X.
        let mut c = Consensus::new(u(3));
        let steps = [(Y, 2, 3, false), (X, 2, 5, false), (X, 4, 7, false), (X, 8, 11, true)];
        for (i, (hash, group, total, consensus)) in steps.into_iter().enumerate() {
            let vote = c.contribute(hash, U256::ZERO).unwrap();
            assert_eq!(
                (vote.weight, vote.group, vote.total, vote.consensus),
                (u(2), u(group), u(total), consensus),
                "vote {i}"
            );
        }
        assert_eq!(c.value(), Some(X));
        assert!(matches!(c.contribute(X, U256::ZERO), Err(Error::ConsensusReached(v)) if v == X));
        assert_eq!(c.more_needed(X, U256::ZERO), Some(0));
        assert_eq!(c.more_needed(Y, U256::ZERO), None);
    }

    #[test]
    fn reopen_drops_the_consensus_group() {
        let mut c = Consensus::new(u(3));
        assert!(matches!(c.reopen(), Err(Error::NoConsensus)));
        c.contribute(Y, U256::ZERO).unwrap(); // group[Y] 2, total 3
        c.contribute(X, u(300)).unwrap(); // weight 99: group[X] 99, total 102: 297 > 204
        assert_eq!(c.value(), Some(X));
        assert_eq!(c.reopen().unwrap(), X);
        assert_eq!(
            (c.value(), c.group(&X), c.total(), c.group(&Y)),
            (None, U256::ZERO, u(3), u(2))
        );
        // Y still needs one more fresh vote: group 4, total 5: 12 > 10.
        assert_eq!(c.more_needed(Y, U256::ZERO), Some(1));
    }

    #[test]
    fn strict_inequality() {
        // trust 2: one fresh vote gives group 2, total 3: 4 > 3 ✓. trust 3 needs 6 > 6: ✗.
        let cases = [(2, 3, 2, true), (2, 3, 3, false), (4, 7, 3, false), (8, 11, 3, true)];
        for (group, total, trust, expected) in cases {
            assert_eq!(is_consensus(u(group), u(total), u(trust)).unwrap(), expected);
        }
        assert!(is_consensus(U256::MAX, U256::MAX, u(2)).is_err());
    }

    #[test]
    fn failed_contribution_changes_nothing() {
        let mut c = Consensus::new(u(1) << 200);
        c.contribute(X, U256::ZERO).unwrap();
        let before = c.clone();
        // weight ≈ 2²⁵⁴, so `group · trust` overflows: the contract would revert.
        assert!(matches!(c.contribute(Y, U256::MAX), Err(Error::Overflow(_))));
        assert_eq!(c, before);
    }

    proptest! {
        #[test]
        fn workers_needed_is_exact(trust in 0u64..1_000_000, score in 0u64..500) {
            let (trust, score) = (u(trust), u(score));
            let n = workers_needed(trust, score).unwrap();
            let mut c = Consensus::new(trust);
            for i in 1..n {
                prop_assert!(!c.contribute(X, score).unwrap().consensus, "consensus after {} < {}", i, n);
            }
            prop_assert!(c.contribute(X, score).unwrap().consensus);
        }

        #[test]
        fn dissent_never_helps(
            trust in 1u64..100_000,
            score in 0u64..100,
            dissent in proptest::collection::vec((1u8..4, 0u64..100), 0..6),
        ) {
            let (trust, score) = (u(trust), u(score));
            let n = workers_needed(trust, score).unwrap();
            let mut c = Consensus::new(trust);
            for (hash, dissent_score) in dissent {
                if c.contribute(B256::repeat_byte(hash), u(dissent_score)).unwrap().consensus {
                    return Ok(()); // the dissent won: no more contributions
                }
            }
            for _ in 1..n {
                prop_assert!(!c.contribute(X, score).unwrap().consensus);
            }
        }
    }
}
