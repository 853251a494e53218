//! Categories: the task sizes of a deployment (a name, a description and `workClockTimeRef`, the
//! time one task may take, which sets every deadline of its deals). Anyone reads them; only the
//! hub's owner creates new ones.

use crate::{
    client::{Poco, TxOutcome},
    error::{Error, Result},
};
use alloy::{
    primitives::{Address, U256},
    rpc::types::TransactionRequest,
    sol_types::SolCall,
};
use poco_contracts::bindings::IPoco;
use serde::Serialize;
use tracing::info;

/// A category of the hub.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CategoryInfo {
    /// Its id (its index on the hub).
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// The time one task may take, in seconds (`workClockTimeRef`).
    pub work_clock_time_ref: u64,
}

/// A category just created.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CreatedCategory {
    /// The category.
    pub category: CategoryInfo,
    /// The `createCategory` transaction.
    pub tx: TxOutcome,
}

/// Categories on the hub.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CategoryCount {
    /// How many (ids 0 to count − 1).
    pub count: u64,
}

// === impl Poco: categories ===

impl Poco {
    /// How many categories the hub has.
    pub async fn category_count(&self) -> Result<CategoryCount> {
        let count = self.client().call(self.contracts().hub, &IPoco::countCategoryCall {}).await?;
        Ok(CategoryCount { count: saturating_u64(count) })
    }

    /// The category `id`; [`Error::UnknownCategory`] when the hub has no such category.
    pub async fn category(&self, id: u64) -> Result<CategoryInfo> {
        let count = self.category_count().await?.count;
        if id >= count {
            return Err(Error::UnknownCategory { id, count });
        }
        let call = IPoco::viewCategoryCall { _catid: U256::from(id) };
        let category = self.client().call(self.contracts().hub, &call).await?;
        Ok(CategoryInfo {
            id,
            name: category.name,
            description: category.description,
            work_clock_time_ref: saturating_u64(category.workClockTimeRef),
        })
    }

    /// Creates a category (the wallet must be the hub's owner: [`Error::NotHubOwner`] before
    /// anything is sent otherwise).
    pub async fn create_category(
        &self,
        name: String,
        description: String,
        work_clock_time_ref: u64,
    ) -> Result<CreatedCategory> {
        let me = self.tx()?.address();
        let hub = self.contracts().hub;
        let owner: Address = self.client().call(hub, &IPoco::ownerCall {}).await?;
        if owner != me {
            return Err(Error::NotHubOwner { wallet: me, owner });
        }
        let call = IPoco::createCategoryCall {
            _0: name,
            _1: description,
            _2: U256::from(work_clock_time_ref),
        };
        let request = TransactionRequest::default().to(hub).input(call.abi_encode().into());
        let tx = self.send("category create", request).await?;
        let created: IPoco::CreateCategory = self.hub_event(tx).await?;
        let category = CategoryInfo {
            id: saturating_u64(created.catid),
            name: created.name,
            description: created.description,
            work_clock_time_ref: saturating_u64(created.workClockTimeRef),
        };
        info!(category = category.id, name = %category.name, tx = %tx.hash, "Category created.");
        Ok(CreatedCategory { category, tx })
    }
}

fn saturating_u64(value: U256) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}
