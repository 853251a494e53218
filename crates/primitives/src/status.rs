//! Task and contribution statuses (the contracts' `TaskStatusEnum` and
//! `ContributionStatusEnum`) and their state machines as `const` tables (spec §7.10).
//!
//! ```text
//! Task:         UNSET ─initialize─▶ ACTIVE ─contribute (consensus)─▶ REVEALING ─finalize─▶ COMPLETED
//!               ACTIVE ─contributeAndFinalize─▶ COMPLETED      REVEALING ─reopen─▶ ACTIVE
//!               ACTIVE | REVEALING ─claim─▶ FAILED
//!               UNSET ─pushResultBoost─▶ COMPLETED            UNSET ─claimBoost─▶ FAILED
//! Contribution: UNSET ─contribute─▶ CONTRIBUTED ─reveal─▶ PROVED
//!               CONTRIBUTED ─reopen─▶ REJECTED                UNSET ─contributeAndFinalize─▶ PROVED
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A task's status (`TaskStatusEnum`; the discriminants are the on-chain `uint8` values).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[repr(u8)]
pub enum TaskStatus {
    /// Not initialized.
    #[default]
    Unset = 0,
    /// Initialized, accepting contributions.
    Active = 1,
    /// Consensus reached, waiting for the winners to reveal.
    Revealing = 2,
    /// Finalized: the result is published and everyone is paid.
    Completed = 3,
    /// Claimed after the final deadline: the payer is refunded.
    Failed = 4,
}

/// A worker's contribution status (`ContributionStatusEnum`; the discriminants are the on-chain
/// `uint8` values).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[repr(u8)]
pub enum ContributionStatus {
    /// No contribution.
    #[default]
    Unset = 0,
    /// Committed a result hash, stake locked.
    Contributed = 1,
    /// Revealed the consensus digest (or contributed and finalized at once).
    Proved = 2,
    /// Voted for a consensus nobody revealed; dropped by `reopen`.
    Rejected = 3,
}

impl TaskStatus {
    /// Every status, in on-chain order.
    pub const ALL: [Self; 5] =
        [Self::Unset, Self::Active, Self::Revealing, Self::Completed, Self::Failed];

    /// Whether the task can no longer change (completed or failed).
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Completed | Self::Failed)
    }

    /// The on-chain name (`ACTIVE`, …).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Unset => "UNSET",
            Self::Active => "ACTIVE",
            Self::Revealing => "REVEALING",
            Self::Completed => "COMPLETED",
            Self::Failed => "FAILED",
        }
    }
}

impl ContributionStatus {
    /// Every status, in on-chain order.
    pub const ALL: [Self; 4] = [Self::Unset, Self::Contributed, Self::Proved, Self::Rejected];

    /// The on-chain name (`CONTRIBUTED`, …).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Unset => "UNSET",
            Self::Contributed => "CONTRIBUTED",
            Self::Proved => "PROVED",
            Self::Rejected => "REJECTED",
        }
    }
}

macro_rules! impl_u8 {
    ($status:ident, $error:ident) => {
        impl From<$status> for u8 {
            fn from(status: $status) -> Self {
                status as Self
            }
        }

        impl TryFrom<u8> for $status {
            type Error = Error;

            fn try_from(value: u8) -> Result<Self> {
                Self::ALL.get(usize::from(value)).copied().ok_or(Error::$error(value))
            }
        }

        impl fmt::Display for $status {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

impl_u8!(TaskStatus, InvalidTaskStatus);
impl_u8!(ContributionStatus, InvalidContributionStatus);

/// One allowed status change and the hub function that makes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Transition<S> {
    /// The status before.
    pub from: S,
    /// The status after.
    pub to: S,
    /// The hub function that makes the change.
    pub via: &'static str,
}

const fn t<S>(from: S, to: S, via: &'static str) -> Transition<S> {
    Transition { from, to, via }
}

/// Every task status change the hub makes (classic and Boost).
pub const TASK_TRANSITIONS: &[Transition<TaskStatus>] = {
    use TaskStatus::*;
    &[
        t(Unset, Active, "initialize"),
        t(Active, Revealing, "contribute"),
        t(Active, Completed, "contributeAndFinalize"),
        t(Revealing, Completed, "finalize"),
        t(Revealing, Active, "reopen"),
        t(Active, Failed, "claim"),
        t(Revealing, Failed, "claim"),
        t(Unset, Completed, "pushResultBoost"),
        t(Unset, Failed, "claimBoost"),
    ]
};

/// Every contribution status change the hub makes.
pub const CONTRIBUTION_TRANSITIONS: &[Transition<ContributionStatus>] = {
    use ContributionStatus::*;
    &[
        t(Unset, Contributed, "contribute"),
        t(Contributed, Proved, "reveal"),
        t(Contributed, Rejected, "reopen"),
        t(Unset, Proved, "contributeAndFinalize"),
    ]
};

/// A status with an on-chain state machine.
pub trait Status: Copy + Eq + 'static {
    /// The allowed changes.
    const TRANSITIONS: &'static [Transition<Self>];
}

impl Status for TaskStatus {
    const TRANSITIONS: &'static [Transition<Self>] = TASK_TRANSITIONS;
}

impl Status for ContributionStatus {
    const TRANSITIONS: &'static [Transition<Self>] = CONTRIBUTION_TRANSITIONS;
}

/// Whether the hub can move a task or contribution from `from` to `to` in one call.
pub fn can_transition<S: Status>(from: S, to: S) -> bool {
    S::TRANSITIONS.iter().any(|t| t.from == from && t.to == to)
}

/// The hub functions that move a task or contribution from `from` to `to`.
pub fn transitions_between<S: Status>(from: S, to: S) -> impl Iterator<Item = &'static str> {
    S::TRANSITIONS.iter().filter(move |t| t.from == from && t.to == to).map(|t| t.via)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u8_values_match_the_contracts() {
        let tasks = [
            (0, TaskStatus::Unset),
            (1, TaskStatus::Active),
            (2, TaskStatus::Revealing),
            (3, TaskStatus::Completed),
            (4, TaskStatus::Failed),
        ];
        for (n, status) in tasks {
            assert_eq!(u8::from(status), n);
            assert_eq!(TaskStatus::try_from(n).unwrap(), status);
        }
        let contributions = [
            (0, ContributionStatus::Unset),
            (1, ContributionStatus::Contributed),
            (2, ContributionStatus::Proved),
            (3, ContributionStatus::Rejected),
        ];
        for (n, status) in contributions {
            assert_eq!(u8::from(status), n);
            assert_eq!(ContributionStatus::try_from(n).unwrap(), status);
        }
        assert!(matches!(TaskStatus::try_from(5), Err(Error::InvalidTaskStatus(5))));
        assert!(matches!(
            ContributionStatus::try_from(4),
            Err(Error::InvalidContributionStatus(4))
        ));
    }

    #[test]
    fn task_transitions() {
        use TaskStatus::*;
        // Every (from, to) pair: allowed iff listed here.
        let allowed = [
            (Unset, Active),
            (Unset, Completed),
            (Unset, Failed),
            (Active, Revealing),
            (Active, Completed),
            (Active, Failed),
            (Revealing, Active),
            (Revealing, Completed),
            (Revealing, Failed),
        ];
        for from in TaskStatus::ALL {
            for to in TaskStatus::ALL {
                assert_eq!(
                    can_transition(from, to),
                    allowed.contains(&(from, to)),
                    "{from} -> {to}"
                );
            }
        }
        for status in TaskStatus::ALL {
            let leaves = TASK_TRANSITIONS.iter().any(|t| t.from == status);
            assert_eq!(status.is_final(), !leaves, "{status}");
        }
        assert_eq!(transitions_between(Revealing, Failed).collect::<Vec<_>>(), ["claim"]);
    }

    #[test]
    fn contribution_transitions() {
        use ContributionStatus::*;
        let allowed =
            [(Unset, Contributed), (Unset, Proved), (Contributed, Proved), (Contributed, Rejected)];
        for from in ContributionStatus::ALL {
            for to in ContributionStatus::ALL {
                assert_eq!(
                    can_transition(from, to),
                    allowed.contains(&(from, to)),
                    "{from} -> {to}"
                );
            }
        }
    }

    #[test]
    fn names_and_json() {
        assert_eq!(TaskStatus::Revealing.to_string(), "REVEALING");
        assert_eq!(serde_json::to_string(&ContributionStatus::Proved).unwrap(), "\"PROVED\"");
        assert_eq!(
            serde_json::from_str::<TaskStatus>("\"COMPLETED\"").unwrap(),
            TaskStatus::Completed
        );
    }
}
