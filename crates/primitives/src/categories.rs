//! Categories (task sizes) and the deadlines they set (spec §5, §14).
//!
//! A category's `workClockTimeRef` `T` is the time one task may take. Every classic deadline is a
//! multiple of it:
//!
//! ```text
//! deal start ──────── 7·T ────────▶ contribution deadline ─── 3·T ───▶ final deadline (claim)
//!              consensus ── 2·T ──▶ reveal deadline
//! ```
//!
//! Boost deals have a single deadline, `match time + 7·T`.

use alloy_primitives::U256;

/// Contribution deadline = deal start + `CONTRIBUTION_DEADLINE_RATIO`·T.
pub const CONTRIBUTION_DEADLINE_RATIO: u64 = 7;
/// Reveal deadline = consensus time + `REVEAL_DEADLINE_RATIO`·T.
pub const REVEAL_DEADLINE_RATIO: u64 = 2;
/// Final deadline = deal start + `FINAL_DEADLINE_RATIO`·T; after it anyone may `claim`.
pub const FINAL_DEADLINE_RATIO: u64 = 10;

/// The description of every default category: the two characters `""`.
///
/// The reference deployment script writes each category's description JSON-serialised, so an
/// empty description reaches the chain as a quote, quote — not as an empty string. poco deploys
/// the same bytes so `viewCategory` answers like the reference.
pub const DEFAULT_CATEGORY_DESCRIPTION: &str = "\"\"";

/// A category as the hub stores it (`viewCategory`); its id is its index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Category {
    /// Its name (`XS` … `XL` for the default ones).
    pub name: &'static str,
    /// Its description.
    pub description: &'static str,
    /// `workClockTimeRef`: the time one task may take, in seconds.
    pub work_clock_time_ref: u64,
}

impl Category {
    /// `workClockTimeRef` as the `uint256` the contracts use.
    pub fn time_ref(&self) -> U256 {
        U256::from(self.work_clock_time_ref)
    }
}

/// The five categories created at deployment, indexed by id.
pub const DEFAULT_CATEGORIES: [Category; 5] = [
    category("XS", 300),
    category("S", 1_200),
    category("M", 3_600),
    category("L", 10_800),
    category("XL", 36_000),
];

const fn category(name: &'static str, work_clock_time_ref: u64) -> Category {
    Category { name, description: DEFAULT_CATEGORY_DESCRIPTION, work_clock_time_ref }
}

/// The default category with this id, if any.
pub fn default_category(id: U256) -> Option<&'static Category> {
    usize::try_from(id).ok().and_then(|id| DEFAULT_CATEGORIES.get(id))
}

/// `start + ratio·T`; saturates where the contract's checked arithmetic would revert (only for
/// absurd `time_ref`s no category has).
fn deadline(start: U256, ratio: u64, time_ref: U256) -> U256 {
    start.saturating_add(time_ref.saturating_mul(U256::from(ratio)))
}

/// The last instant (exclusive) a worker may contribute: `deal start + 7·T`. Also the single
/// deadline of a Boost deal (`match time + 7·T`).
pub fn contribution_deadline(deal_start: U256, time_ref: U256) -> U256 {
    deadline(deal_start, CONTRIBUTION_DEADLINE_RATIO, time_ref)
}

/// The last instant (exclusive) a winner may reveal: `consensus time + 2·T`.
pub fn reveal_deadline(consensus_time: U256, time_ref: U256) -> U256 {
    deadline(consensus_time, REVEAL_DEADLINE_RATIO, time_ref)
}

/// The last instant (exclusive) the scheduler may finalize, and the first anyone may claim:
/// `deal start + 10·T`.
pub fn final_deadline(deal_start: U256, time_ref: U256) -> U256 {
    deadline(deal_start, FINAL_DEADLINE_RATIO, time_ref)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_categories_and_their_deadlines() {
        // Spec §5.1: (id, name, T, contribution deadline, final deadline), in seconds from start.
        let cases = [
            (0, "XS", 300, 35 * 60, 50 * 60),
            (1, "S", 1_200, 140 * 60, 200 * 60),
            (2, "M", 3_600, 7 * 3_600, 10 * 3_600),
            (3, "L", 10_800, 21 * 3_600, 30 * 3_600),
            (4, "XL", 36_000, 70 * 3_600, 100 * 3_600),
        ];
        let start = U256::from(1_700_000_000u64);
        for (id, name, time_ref, contribution, last) in cases {
            let category = default_category(U256::from(id)).unwrap();
            assert_eq!(category.name, name);
            assert_eq!(category.description, "\"\"");
            assert_eq!(category.work_clock_time_ref, time_ref);
            let t = category.time_ref();
            assert_eq!(contribution_deadline(start, t), start + U256::from(contribution), "{name}");
            assert_eq!(final_deadline(start, t), start + U256::from(last), "{name}");
            assert_eq!(reveal_deadline(start, t), start + U256::from(2 * time_ref), "{name}");
        }
        assert_eq!(default_category(U256::from(5)), None);
        assert_eq!(default_category(U256::MAX), None);
        assert_eq!(DEFAULT_CATEGORY_DESCRIPTION.len(), 2);
    }

    #[test]
    fn deadlines_saturate_instead_of_wrapping() {
        assert_eq!(final_deadline(U256::from(1), U256::MAX), U256::MAX);
    }
}
