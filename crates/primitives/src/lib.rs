#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod categories;
pub mod consensus;
pub mod contribution;
pub mod error;
pub mod ids;
pub mod orders;
pub mod rewards;
pub mod signature;
pub mod status;
pub mod tags;

pub use error::{Error, Result};
pub use ids::{DealId, OrderHash, TaskId};
pub use orders::{
    AppOrder, DatasetOrder, Order, OrderKind, OrderOperation, RequestOrder, SignedOperation,
    SignedOrder, WorkerpoolOrder, order_hash, poco_domain, sign_order,
};
pub use status::{ContributionStatus, TaskStatus, can_transition};
pub use tags::{Tag, TagBit};
