//! The actors of the scenarios: anvil's dev accounts, one role each.
//!
//! | dev key | role |
//! | --- | --- |
//! | 0 | protocol owner and deployer: holds the whole RLC supply |
//! | 1 | app owner |
//! | 2 | dataset owner |
//! | 3 | scheduler (workerpool owner) |
//! | 4 | requester (and beneficiary) |
//! | 5 | sponsor |
//! | 6 … 6 + [`WORKERS`] − 1 | workers |

use alloy::{primitives::Address, signers::local::PrivateKeySigner};
use std::fmt;

/// How many workers the scenarios can use.
pub const WORKERS: usize = 8;

/// How many dev accounts the roles need.
pub const ACCOUNTS: usize = 6 + WORKERS;

/// Who does something in a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Protocol owner, deployer, RLC holder.
    Owner,
    /// Owns the app.
    AppOwner,
    /// Owns the dataset.
    DatasetOwner,
    /// Owns the workerpool; signs worker authorizations; finalizes.
    Scheduler,
    /// Signs request orders and pays (unless sponsored); also the beneficiary.
    Requester,
    /// Pays for sponsored deals.
    Sponsor,
    /// Worker `n` (`n < WORKERS`).
    Worker(usize),
}

impl Role {
    /// Every role, workers last.
    pub fn all() -> impl Iterator<Item = Self> {
        [Self::Owner, Self::AppOwner, Self::DatasetOwner, Self::Scheduler, Self::Requester]
            .into_iter()
            .chain([Self::Sponsor])
            .chain((0..WORKERS).map(Self::Worker))
    }

    /// The dev account index of the role.
    pub const fn index(self) -> usize {
        match self {
            Self::Owner => 0,
            Self::AppOwner => 1,
            Self::DatasetOwner => 2,
            Self::Scheduler => 3,
            Self::Requester => 4,
            Self::Sponsor => 5,
            Self::Worker(n) => 6 + n,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Owner => f.write_str("owner"),
            Self::AppOwner => f.write_str("appOwner"),
            Self::DatasetOwner => f.write_str("datasetOwner"),
            Self::Scheduler => f.write_str("scheduler"),
            Self::Requester => f.write_str("requester"),
            Self::Sponsor => f.write_str("sponsor"),
            Self::Worker(n) => write!(f, "worker{n}"),
        }
    }
}

/// The keys of the actors.
#[derive(Clone, Debug)]
pub struct Actors {
    keys: Vec<PrivateKeySigner>,
}

impl Actors {
    /// The actors from anvil's dev keys (at least [`ACCOUNTS`] of them, in derivation order).
    ///
    /// # Panics
    /// If fewer than [`ACCOUNTS`] keys are given.
    pub fn new(keys: &[PrivateKeySigner]) -> Self {
        assert!(keys.len() >= ACCOUNTS, "the scenarios need {ACCOUNTS} dev accounts");
        Self { keys: keys[..ACCOUNTS].to_vec() }
    }

    /// The key of a role.
    pub fn key(&self, role: Role) -> &PrivateKeySigner {
        &self.keys[role.index()]
    }

    /// The address of a role.
    pub fn address(&self, role: Role) -> Address {
        self.key(role).address()
    }

    /// The role of an address, if it is an actor's.
    pub fn role_of(&self, address: Address) -> Option<Role> {
        Role::all().find(|role| self.address(*role) == address)
    }
}
