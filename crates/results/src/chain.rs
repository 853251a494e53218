//! [`ChainReader`]: what the service reads from the hub (through `poco-chain`'s client and the
//! `poco-contracts` bindings): tasks, deals, and who may sign a worker's authorization.

use alloy_primitives::{Address, B256};
use poco_chain::{ChainClient, ChainError};
use poco_contracts::bindings::IPoco;
use poco_primitives::TaskId;

/// Reads of the hub.
#[derive(Clone, Debug)]
pub struct ChainReader {
    client: ChainClient,
    hub: Address,
}

impl ChainReader {
    /// A reader of the hub at `hub`.
    pub const fn new(client: ChainClient, hub: Address) -> Self {
        Self { client, hub }
    }

    /// `viewTask(taskId)` (an uninitialized task reads as all zeros, status UNSET).
    pub async fn task(&self, task_id: TaskId) -> Result<IPoco::Task, ChainError> {
        self.client.call(self.hub, &IPoco::viewTaskCall { id: task_id.0 }).await
    }

    /// `viewDeal(dealId)`.
    pub async fn deal(&self, deal_id: B256) -> Result<IPoco::Deal, ChainError> {
        self.client.call(self.hub, &IPoco::viewDealCall { id: deal_id }).await
    }

    /// Who must have signed a worker authorization of `deal`'s tasks, as `contribute` checks it
    /// (spec §7.2): the TEE broker when the authorization carries an enclave challenge and a
    /// broker is set, else the deal's workerpool owner (snapshotted at match time).
    pub async fn authorization_signer(
        &self,
        deal: &IPoco::Deal,
        enclave_challenge: Address,
    ) -> Result<Address, ChainError> {
        if !enclave_challenge.is_zero() {
            let broker = self.client.call(self.hub, &IPoco::teebrokerCall {}).await?;
            if !broker.is_zero() {
                return Ok(broker);
            }
        }
        Ok(deal.workerpool.owner)
    }
}
