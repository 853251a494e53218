//! Differential scenarios: each runs on ours and on the reference from the same chain state;
//! the end states must be equal field by field (addresses and hub-dependent words compared
//! through their labels), and each side's ids must follow the protocol's formulas applied to
//! its own order hashes.

use crate::{chain, harness};
use alloy::primitives::U256;
use poco_compat::{
    Driver, Result, Snapshot,
    driver::{DEPOSIT, RLC, WORKERPOOL_PRICE},
    scenarios,
};

/// Runs `scenario` on both protocols and fails with a readable report on any difference.
/// Returns (ours, reference) for scenario-specific assertions.
async fn differential<F>(name: &str, scenario: F) -> (Snapshot, Snapshot)
where
    F: AsyncFn(&mut Driver) -> Result<()>,
{
    let mut harness = harness().await;
    let both = harness.run_both(name, scenario).await;
    let (_, reference) = both
        .reference
        .unwrap_or_else(|error| panic!("{name}: the reference failed: {}", chain(&error)));
    let (_, ours) =
        both.poco.unwrap_or_else(|error| panic!("{name}: poco failed: {}", chain(&error)));
    let mut report = String::new();
    report.push_str(&ours.checks_report());
    report.push_str(&reference.checks_report());
    report.push_str(&ours.diff_report(&reference));
    assert!(report.is_empty(), "scenario {name}: poco differs from the reference\n{report}");
    assert!(ours.fields().len() > 50, "{name}: suspiciously small snapshot");
    assert!(poco_compat::events::abi_loaded(), "the IPoco ABI (events) was not found");
    (ours, reference)
}

fn rlc(amount: u64) -> U256 {
    U256::from(amount) * U256::from(RLC)
}

fn status(snapshot: &Snapshot, deal: usize, idx: u64) -> u8 {
    snapshot.task(deal, idx).or_panic_none("task").task.status
}

trait OrPanicNone<T> {
    fn or_panic_none(self, what: &str) -> T;
}

impl<T> OrPanicNone<T> for Option<T> {
    fn or_panic_none(self, what: &str) -> T {
        self.unwrap_or_else(|| panic!("no {what} in the snapshot"))
    }
}

const COMPLETED: u8 = 3;
const FAILED: u8 = 4;

#[tokio::test]
async fn s01_one_worker_trust1() {
    let (ours, _) = differential("one_worker_trust1", scenarios::one_worker_trust1).await;
    assert_eq!(status(&ours, 0, 0), COMPLETED);
    // requester paid 105 RLC; the worker got 99, the scheduler 1 (1 %), the app owner 5.
    let requester = ours.account("requester").or_panic_none("requester");
    assert_eq!(requester.balance, U256::from(DEPOSIT) - rlc(105));
    let worker = ours.account("worker0").or_panic_none("worker0");
    assert_eq!(worker.balance, U256::from(DEPOSIT) + rlc(99));
    assert_eq!(ours.score("worker0"), Some(U256::ZERO), "no score with one contributor");
}

#[tokio::test]
async fn s02_replicated_with_loser() {
    let (ours, _) = differential("replicated_with_loser", scenarios::replicated_with_loser).await;
    assert_eq!((status(&ours, 0, 0), status(&ours, 0, 1)), (COMPLETED, COMPLETED));
    let scores: Vec<_> = (0..4).map(|w| ours.score(&format!("worker{w}"))).collect();
    let expected = [2u64, 1, 1, 0].map(|s| Some(U256::from(s)));
    assert_eq!(scores, expected, "scores of worker0..3");
    // worker3 won half of 99 RLC on task 0, then lost its 30 RLC stake on task 1.
    let loser = ours.account("worker3").or_panic_none("worker3");
    assert_eq!(loser.balance, U256::from(DEPOSIT) + rlc(99) / U256::from(2) - rlc(30));
    if std::env::var_os("POCO_COMPAT_DUMP").is_some() {
        for (field, value) in ours.fields() {
            eprintln!("{field} = {value}");
        }
    }
}

#[tokio::test]
async fn s03_reveal_timeout_reopen() {
    let (ours, _) = differential("reveal_timeout_reopen", scenarios::reveal_timeout_reopen).await;
    let task = ours.task(0, 0).or_panic_none("task");
    assert_eq!(task.task.status, COMPLETED);
    let statuses: Vec<u8> = task.contributions.iter().map(|(_, c)| c.status).collect();
    assert_eq!(statuses, [3, 3, 2, 2], "worker0/1 REJECTED, worker2/3 PROVED");
}

#[tokio::test]
async fn s04_claim_then_kitty() {
    let (ours, _) = differential("claim_then_kitty", scenarios::claim_then_kitty).await;
    assert_eq!((status(&ours, 0, 0), status(&ours, 1, 0)), (FAILED, COMPLETED));
    // 30 RLC seized into the kitty by the claim, 3 RLC paid out by the success.
    let kitty = ours.account("kitty").or_panic_none("kitty");
    assert_eq!(kitty.frozen, rlc(27));
    let stake = U256::from(WORKERPOOL_PRICE) * U256::from(30) / U256::from(100);
    let scheduler = ours.account("scheduler").or_panic_none("scheduler");
    assert_eq!(scheduler.balance, U256::from(DEPOSIT) - stake + rlc(1) + rlc(3));
}

/// Fails at the time of writing: poco's `contributeAndFinalize` emits `TaskContribute`,
/// `TaskConsensus` and `TaskReveal` before the escrow events (`Seize`, `Reward`, `Unlock`,
/// `Transfer`); the reference emits all four task events after them. Left failing on purpose:
/// a log-order difference indexers can see.
#[tokio::test]
async fn s05_contribute_and_finalize() {
    let (ours, _) =
        differential("contribute_and_finalize", scenarios::contribute_and_finalize).await;
    assert_eq!(status(&ours, 0, 0), COMPLETED);
}

#[tokio::test]
async fn s06_dataset_deal() {
    let (ours, _) = differential("dataset_deal", scenarios::dataset_deal).await;
    let owner = ours.account("datasetOwner").or_panic_none("datasetOwner");
    assert_eq!(owner.balance, U256::from(DEPOSIT) + rlc(3));
}

#[tokio::test]
async fn s07_sponsored_deal() {
    let (ours, _) = differential("sponsored_deal", scenarios::sponsored_deal).await;
    let requester = ours.account("requester").or_panic_none("requester");
    let sponsor = ours.account("sponsor").or_panic_none("sponsor");
    assert_eq!(requester.balance, U256::from(DEPOSIT));
    assert_eq!(sponsor.balance, U256::from(DEPOSIT) - rlc(105));
}

#[tokio::test]
async fn s08_presigned_and_cancelled() {
    let (ours, _) =
        differential("presigned_and_cancelled", scenarios::presigned_and_cancelled).await;
    assert_eq!(status(&ours, 0, 0), COMPLETED);
    assert_eq!(ours.note("matchOrders with a closed request order"), Some("refused"));
    assert_eq!(ours.deals.len(), 1);
}

#[tokio::test]
async fn s09_ten_tasks() {
    let (ours, _) = differential("ten_tasks", scenarios::ten_tasks_array).await;
    assert!((0..10).all(|idx| status(&ours, 0, idx) == COMPLETED));
    let requester = ours.account("requester").or_panic_none("requester");
    assert_eq!(requester.balance, U256::from(DEPOSIT) - rlc(1050));
}

#[tokio::test]
async fn s10_split_request() {
    let (ours, _) = differential("split_request", scenarios::split_request).await;
    let bags: Vec<_> = ours.deals.iter().map(|d| (d.deal.botFirst, d.deal.botSize)).collect();
    assert_eq!(bags, [(U256::ZERO, U256::from(2)), (U256::from(2), U256::from(3))]);
    assert_eq!(status(&ours, 0, 0), COMPLETED);
    assert_eq!(status(&ours, 1, 2), COMPLETED);
    assert_eq!(status(&ours, 1, 3), 2, "REVEALING (trust 1: consensus at once)");
    assert_eq!(status(&ours, 1, 4), 0, "UNSET");
}

#[tokio::test]
async fn s11_three_workers_trust5() {
    let (ours, _) = differential("three_workers_trust5", scenarios::three_workers_trust5).await;
    assert_eq!(status(&ours, 0, 0), COMPLETED);
    assert!((0..3).all(|w| ours.score(&format!("worker{w}")) == Some(U256::from(1))));
}
