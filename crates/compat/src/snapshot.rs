//! The end state of a scenario on one protocol, and its field-by-field comparison with another.
//!
//! Both protocols live on one chain, so their hubs, registries and assets have different
//! addresses, and everything derived from an order hash (deal and task ids, result hashes and
//! seals) differs too: the order hash depends on the hub through the EIP-712 domain. So a
//! snapshot renders addresses and 32-byte words through [`Labels`] (`requester`, `app`,
//! `deal#0`, `resultHash(deal#0/0, good)`, …) that each driver gives its own values. Whether
//! each side's ids follow the protocol's formulas is checked separately ([`Check`]).

use alloy::primitives::{Address, B256, Bytes, U256};
use poco_contracts::bindings::IPoco;
use poco_primitives::{DealId, OrderHash, TaskId};
use std::{
    collections::{BTreeMap, HashMap},
    fmt::{self, Write},
};

use crate::protocol::Flavor;

/// Human names for the addresses and words a scenario produced.
#[derive(Clone, Debug, Default)]
pub struct Labels {
    addresses: BTreeMap<Address, String>,
    words: HashMap<B256, String>,
}

impl Labels {
    /// Names an address.
    pub fn address(&mut self, address: Address, label: impl Into<String>) {
        self.addresses.insert(address, label.into());
    }

    /// Names a 32-byte word (id, hash, digest).
    pub fn word(&mut self, word: B256, label: impl Into<String>) {
        self.words.insert(word, label.into());
    }

    /// The name of an address, else its checksummed hex.
    pub fn show_address(&self, address: &Address) -> String {
        self.addresses.get(address).cloned().unwrap_or_else(|| address.to_string())
    }

    /// The name of a word, else its hex (zero stays `0x0…0`).
    pub fn show_word(&self, word: &B256) -> String {
        self.words.get(word).cloned().unwrap_or_else(|| word.to_string())
    }

    /// The label of a word, if it has one.
    pub fn get_word(&self, word: &B256) -> Option<&str> {
        self.words.get(word).map(String::as_str)
    }
}

/// A consistency check made while driving a scenario (ids following the protocol's formulas,
/// event hashes equal to the Rust hashes, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// What was checked (the same text on both protocols).
    pub what: String,
    /// Whether it held.
    pub ok: bool,
    /// The values, for the report when it failed.
    pub detail: String,
}

/// An account's escrow state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountState {
    /// Role or pseudo-account name (`requester`, `kitty`, `hub`).
    pub label: String,
    /// Its address.
    pub address: Address,
    /// Free SRLC (`balanceOf`).
    pub balance: U256,
    /// Locked SRLC (`frozenOf`).
    pub frozen: U256,
    /// RLC held outside the hub (`RLC.balanceOf`).
    pub rlc: U256,
}

/// A task as `viewTask` and `viewContribution` show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskState {
    /// Its index in the request order.
    pub idx: U256,
    /// Its id (`H(dealid ‖ idx)`, computed here).
    pub id: TaskId,
    /// `viewTask`.
    pub task: IPoco::Task,
    /// `viewContribution` of each contributor, in contribution order.
    pub contributions: Vec<(Address, IPoco::Contribution)>,
}

/// A deal and all its tasks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DealState {
    /// `deal#k`, in match order.
    pub label: String,
    /// Its id.
    pub id: DealId,
    /// The hash of its request order, as Rust computes it for this hub.
    pub request_hash: OrderHash,
    /// `viewDeal`.
    pub deal: IPoco::Deal,
    /// Every task of the deal (`botFirst ≤ idx < botFirst + botSize`), initialized or not.
    pub tasks: Vec<TaskState>,
}

/// An order's consumption.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderState {
    /// `apporder#k`, … in signing order.
    pub label: String,
    /// Its hash for this hub.
    pub hash: OrderHash,
    /// `viewConsumed`.
    pub consumed: U256,
    /// `viewPresigned`.
    pub presigned: Address,
}

/// The end state of a scenario on one protocol.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// Which protocol.
    pub flavor: Flavor,
    /// Every actor, the kitty and the hub.
    pub accounts: Vec<AccountState>,
    /// Every worker's score.
    pub scores: Vec<(String, U256)>,
    /// Every deal, in match order.
    pub deals: Vec<DealState>,
    /// Every order the scenario signed or presigned.
    pub orders: Vec<OrderState>,
    /// `totalSupply()` of the hub.
    pub total_supply: U256,
    /// The consistency checks made while driving.
    pub checks: Vec<Check>,
    /// Outcomes the scenario wrote down (e.g. that a match was refused).
    pub notes: Vec<(String, String)>,
    /// The hub's events of every transaction: (`tx #n call @ step`, the events rendered in
    /// emission order).
    pub events: Vec<(String, String)>,
    /// How to name this protocol's addresses and words.
    pub labels: Labels,
}

/// One field whose value differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldDiff {
    /// The field, e.g. `deal#0/0.task.status`.
    pub field: String,
    /// Our value (`None`: no such field).
    pub ours: Option<String>,
    /// The reference's value.
    pub reference: Option<String>,
}

impl fmt::Display for FieldDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |value: &Option<String>| value.clone().unwrap_or_else(|| "(absent)".into());
        write!(
            f,
            "{}\n      poco:      {}\n      reference: {}",
            self.field,
            show(&self.ours),
            show(&self.reference)
        )
    }
}

const STATUSES: [&str; 5] = ["UNSET", "ACTIVE", "REVEALING", "COMPLETED", "FAILED"];
const CONTRIBUTION_STATUSES: [&str; 4] = ["UNSET", "CONTRIBUTED", "PROVED", "REJECTED"];

fn status_name(names: &[&str], status: u8) -> String {
    names.get(usize::from(status)).map_or_else(|| format!("?{status}"), |name| (*name).to_owned())
}

/// Bytes as a quoted string when printable text, else hex.
pub(crate) fn show_bytes(bytes: &Bytes) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.is_empty() && text.chars().all(|c| !c.is_control()) => {
            format!("{text:?}")
        }
        _ => bytes.to_string(),
    }
}

impl Snapshot {
    /// Every field, rendered through the labels, in a stable readable order.
    pub fn fields(&self) -> Vec<(String, String)> {
        let l = &self.labels;
        let a = |address: &Address| l.show_address(address);
        let w = |word: &B256| l.show_word(word);
        let mut out = Vec::new();
        let mut push = |key: String, value: String| out.push((key, value));

        for check in &self.checks {
            push(
                format!("check: {}", check.what),
                if check.ok { "ok".into() } else { "FAILED".into() },
            );
        }
        for (key, value) in &self.notes {
            push(format!("note: {key}"), value.clone());
        }
        for (tx, events) in &self.events {
            push(format!("events of {tx}"), events.clone());
        }
        for account in &self.accounts {
            push(format!("account.{}.address", account.label), a(&account.address));
            push(format!("account.{}.balance", account.label), account.balance.to_string());
            push(format!("account.{}.frozen", account.label), account.frozen.to_string());
            push(format!("account.{}.rlc", account.label), account.rlc.to_string());
        }
        push("hub.totalSupply".into(), self.total_supply.to_string());
        for (worker, score) in &self.scores {
            push(format!("score.{worker}"), score.to_string());
        }
        for order in &self.orders {
            push(format!("order.{}.consumed", order.label), order.consumed.to_string());
            push(format!("order.{}.presigned", order.label), a(&order.presigned));
        }
        for deal in &self.deals {
            let d = &deal.deal;
            let p = &deal.label;
            push(format!("{p}.id"), w(&deal.id.0));
            for (name, resource) in
                [("app", &d.app), ("dataset", &d.dataset), ("workerpool", &d.workerpool)]
            {
                push(format!("{p}.{name}.pointer"), a(&resource.pointer));
                push(format!("{p}.{name}.owner"), a(&resource.owner));
                push(format!("{p}.{name}.price"), resource.price.to_string());
            }
            push(format!("{p}.trust"), d.trust.to_string());
            push(format!("{p}.category"), d.category.to_string());
            push(format!("{p}.tag"), w(&d.tag));
            push(format!("{p}.requester"), a(&d.requester));
            push(format!("{p}.beneficiary"), a(&d.beneficiary));
            push(format!("{p}.callback"), a(&d.callback));
            push(format!("{p}.params"), format!("{:?}", d.params));
            push(format!("{p}.startTime"), d.startTime.to_string());
            push(format!("{p}.botFirst"), d.botFirst.to_string());
            push(format!("{p}.botSize"), d.botSize.to_string());
            push(format!("{p}.workerStake"), d.workerStake.to_string());
            push(format!("{p}.schedulerRewardRatio"), d.schedulerRewardRatio.to_string());
            push(format!("{p}.sponsor"), a(&d.sponsor));
            for task in &deal.tasks {
                let t = &task.task;
                let p = format!("{p}/{}", task.idx);
                push(format!("{p}.status"), status_name(&STATUSES, t.status));
                push(format!("{p}.dealid"), w(&t.dealid));
                push(format!("{p}.idx"), t.idx.to_string());
                push(format!("{p}.timeref"), t.timeref.to_string());
                push(format!("{p}.contributionDeadline"), t.contributionDeadline.to_string());
                push(format!("{p}.revealDeadline"), t.revealDeadline.to_string());
                push(format!("{p}.finalDeadline"), t.finalDeadline.to_string());
                push(format!("{p}.consensusValue"), w(&t.consensusValue));
                push(format!("{p}.revealCounter"), t.revealCounter.to_string());
                push(format!("{p}.winnerCounter"), t.winnerCounter.to_string());
                let contributors: Vec<String> = t.contributors.iter().map(a).collect();
                push(format!("{p}.contributors"), format!("[{}]", contributors.join(", ")));
                push(format!("{p}.resultDigest"), w(&t.resultDigest));
                push(format!("{p}.results"), show_bytes(&t.results));
                push(format!("{p}.resultsTimestamp"), t.resultsTimestamp.to_string());
                push(format!("{p}.resultsCallback"), show_bytes(&t.resultsCallback));
                for (worker, c) in &task.contributions {
                    let p = format!("{p}.contribution[{}]", a(worker));
                    push(format!("{p}.status"), status_name(&CONTRIBUTION_STATUSES, c.status));
                    push(format!("{p}.resultHash"), w(&c.resultHash));
                    push(format!("{p}.resultSeal"), w(&c.resultSeal));
                    push(format!("{p}.enclaveChallenge"), a(&c.enclaveChallenge));
                    push(format!("{p}.weight"), c.weight.to_string());
                }
            }
        }
        out
    }

    /// The account labelled `label` (a role name, `kitty` or `hub`).
    pub fn account(&self, label: &str) -> Option<&AccountState> {
        self.accounts.iter().find(|account| account.label == label)
    }

    /// The score of worker `label` (`worker0`, …).
    pub fn score(&self, label: &str) -> Option<U256> {
        self.scores.iter().find(|(worker, _)| worker == label).map(|(_, score)| *score)
    }

    /// Task `idx` of deal number `deal` (match order).
    pub fn task(&self, deal: usize, idx: u64) -> Option<&TaskState> {
        self.deals.get(deal)?.tasks.iter().find(|task| task.idx == U256::from(idx))
    }

    /// The note written under `key`.
    pub fn note(&self, key: &str) -> Option<&str> {
        self.notes.iter().find(|(k, _)| k == key).map(|(_, value)| value.as_str())
    }

    /// The checks that failed.
    pub fn failed_checks(&self) -> Vec<&Check> {
        self.checks.iter().filter(|check| !check.ok).collect()
    }

    /// Every field that differs between ours (`self`) and the reference.
    pub fn diff(&self, reference: &Self) -> Vec<FieldDiff> {
        let ours = self.fields();
        let theirs = reference.fields();
        let theirs_map: HashMap<&str, &str> =
            theirs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let ours_map: HashMap<&str, &str> =
            ours.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let mut diffs = Vec::new();
        for (field, value) in &ours {
            match theirs_map.get(field.as_str()) {
                Some(other) if *other == value => {}
                other => diffs.push(FieldDiff {
                    field: field.clone(),
                    ours: Some(value.clone()),
                    reference: other.map(|v| (*v).to_owned()),
                }),
            }
        }
        for (field, value) in &theirs {
            if !ours_map.contains_key(field.as_str()) {
                diffs.push(FieldDiff {
                    field: field.clone(),
                    ours: None,
                    reference: Some(value.clone()),
                });
            }
        }
        diffs
    }

    /// A readable report of [`Self::diff`] (empty when equal).
    pub fn diff_report(&self, reference: &Self) -> String {
        let diffs = self.diff(reference);
        let mut report = String::new();
        if !diffs.is_empty() {
            let _ = writeln!(report, "{} field(s) differ (poco vs reference):", diffs.len());
            for diff in diffs {
                let _ = writeln!(report, "  {diff}");
            }
        }
        report
    }

    /// A readable report of the failed checks (empty when all held).
    pub fn checks_report(&self) -> String {
        let mut report = String::new();
        for check in self.failed_checks() {
            let _ = writeln!(report, "  [{}] {}: {}", self.flavor, check.what, check.detail);
        }
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::address;

    const HUB_A: Address = address!("00000000000000000000000000000000000000aa");
    const HUB_B: Address = address!("00000000000000000000000000000000000000bb");

    fn snapshot(flavor: Flavor, hub: Address, deal: B256) -> Snapshot {
        let mut labels = Labels::default();
        labels.address(hub, "hub");
        labels.word(deal, "deal#0");
        let task = IPoco::Task { dealid: deal, status: 3, ..Default::default() };
        Snapshot {
            flavor,
            accounts: vec![AccountState {
                label: "hub".into(),
                address: hub,
                balance: U256::from(7),
                frozen: U256::ZERO,
                rlc: U256::from(7),
            }],
            scores: vec![("worker0".into(), U256::from(1))],
            deals: vec![DealState {
                label: "deal#0".into(),
                id: DealId(deal),
                request_hash: OrderHash::ZERO,
                deal: IPoco::Deal::default(),
                tasks: vec![TaskState {
                    idx: U256::ZERO,
                    id: TaskId::ZERO,
                    task,
                    contributions: Vec::new(),
                }],
            }],
            orders: Vec::new(),
            total_supply: U256::from(7),
            checks: Vec::new(),
            notes: Vec::new(),
            events: Vec::new(),
            labels,
        }
    }

    #[test]
    fn labels_hide_hub_dependent_values() {
        let ours = snapshot(Flavor::Poco, HUB_A, B256::repeat_byte(1));
        let theirs = snapshot(Flavor::Reference, HUB_B, B256::repeat_byte(2));
        assert_eq!(ours.diff(&theirs), []);
        assert_eq!(ours.diff_report(&theirs), "");
    }

    #[test]
    fn every_changed_field_is_reported() {
        let ours = snapshot(Flavor::Poco, HUB_A, B256::repeat_byte(1));
        let mut theirs = snapshot(Flavor::Reference, HUB_B, B256::repeat_byte(2));
        theirs.scores[0].1 = U256::from(2);
        theirs.deals[0].tasks[0].task.status = 4;
        theirs.deals[0].tasks[0].task.dealid = B256::repeat_byte(9); // unlabelled: shown as hex
        theirs.notes.push(("match".into(), "refused".into()));
        let diffs = ours.diff(&theirs);
        let fields: Vec<&str> = diffs.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(
            fields,
            ["score.worker0", "deal#0/0.status", "deal#0/0.dealid", "note: match"],
            "{diffs:#?}"
        );
        assert_eq!(diffs[1].ours.as_deref(), Some("COMPLETED"));
        assert_eq!(diffs[1].reference.as_deref(), Some("FAILED"));
        assert_eq!(diffs[3].ours, None);
        assert!(ours.diff_report(&theirs).starts_with("4 field(s) differ"));
    }

    #[test]
    fn failed_checks_are_reported() {
        let mut ours = snapshot(Flavor::Poco, HUB_A, B256::repeat_byte(1));
        ours.checks.push(Check { what: "ids".into(), ok: false, detail: "a ≠ b".into() });
        assert_eq!(ours.failed_checks().len(), 1);
        assert!(ours.checks_report().contains("[poco] ids: a ≠ b"));
        assert!(ours.fields().contains(&("check: ids".into(), "FAILED".into())));
    }
}
