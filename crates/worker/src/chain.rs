//! The worker's side of the hub: reads (`viewDeal`, `viewTask`, `viewContribution`,
//! `viewAccount`), the stake check, and the `contribute` and `reveal` transactions through the
//! chain crate's [`TxManager`] (nonces, gas, receipts, typed reverts).

use crate::error::Failure;
use alloy::network::TransactionBuilder;
use alloy::rpc::types::TransactionRequest;
use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_sol_types::SolCall;
use poco_chain::{ChainClient, ChainError, Landed, PendingTx, TxError, TxManager};
use poco_contracts::bindings::IPoco;
use poco_primitives::{
    ContributionStatus, DealId, TaskId, TaskStatus,
    contribution::{Commitment, WorkerpoolAuthorization},
};
use poco_scheduler_api::ReplicateFailureCause as Cause;

/// A worker's contribution as the chain holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OnChainContribution {
    /// Its status.
    pub status: ContributionStatus,
    /// The committed result hash (zero when none).
    pub result_hash: B256,
}

/// The hub as one worker uses it.
#[derive(Clone, Debug)]
pub struct WorkerChain {
    tx: TxManager,
    hub: Address,
}

impl WorkerChain {
    /// Over `tx` (whose signer is the worker) and the hub at `hub`.
    pub const fn new(tx: TxManager, hub: Address) -> Self {
        Self { tx, hub }
    }

    /// The worker's address.
    pub fn worker(&self) -> Address {
        self.tx.address()
    }

    fn client(&self) -> &ChainClient {
        self.tx.client()
    }

    /// `viewDeal`.
    pub async fn deal(&self, deal_id: DealId) -> Result<IPoco::Deal, ChainError> {
        self.client().call(self.hub, &IPoco::viewDealCall { id: deal_id.0 }).await
    }

    /// `viewTask`, with its status.
    pub async fn task(&self, task_id: TaskId) -> Result<(TaskStatus, IPoco::Task), ChainError> {
        let task = self.client().call(self.hub, &IPoco::viewTaskCall { id: task_id.0 }).await?;
        Ok((TaskStatus::try_from(task.status).unwrap_or_default(), task))
    }

    /// `viewContribution` of this worker.
    pub async fn contribution(&self, task_id: TaskId) -> Result<OnChainContribution, ChainError> {
        let call = IPoco::viewContributionCall { _taskid: task_id.0, _worker: self.worker() };
        let contribution = self.client().call(self.hub, &call).await?;
        Ok(OnChainContribution {
            status: ContributionStatus::try_from(contribution.status).unwrap_or_default(),
            result_hash: contribution.resultHash,
        })
    }

    /// The worker's free stake (`viewAccount(worker).stake`).
    pub async fn free_stake(&self) -> Result<U256, ChainError> {
        let account = self
            .client()
            .call(self.hub, &IPoco::viewAccountCall { account: self.worker() })
            .await?;
        Ok(account.stake)
    }

    /// Checks that the worker may contribute to the task now: the task is ACTIVE and the worker's free stake covers the deal's worker stake (the
    /// error says how much is missing).
    pub async fn check_can_contribute(
        &self,
        deal_id: DealId,
        task_id: TaskId,
    ) -> Result<(), Failure> {
        let unreachable = |e: ChainError| Failure::new(Cause::ChainUnreachable, e.to_string());
        let (status, _) = self.task(task_id).await.map_err(unreachable)?;
        if status != TaskStatus::Active {
            return Err(Failure::new(
                Cause::ContributeFailed,
                format!("task {task_id} is {status} on chain, not ACTIVE"),
            ));
        }
        let deal = self.deal(deal_id).await.map_err(unreachable)?;
        let free = self.free_stake().await.map_err(unreachable)?;
        if free < deal.workerStake {
            return Err(Failure::insufficient_stake(free, deal.workerStake));
        }
        Ok(())
    }

    fn request<C: SolCall>(&self, call: &C) -> TransactionRequest {
        TransactionRequest::default().with_to(self.hub).with_input(call.abi_encode())
    }

    /// Sends `contribute` (no TEE: zero enclave challenge, no enclave signature); returns once
    /// the node accepted it.
    pub async fn submit_contribute(
        &self,
        commitment: &Commitment,
        authorization: &WorkerpoolAuthorization,
    ) -> Result<PendingTx, TxError> {
        let call = IPoco::contributeCall {
            taskId: authorization.task_id.0,
            resultHash: commitment.result_hash,
            resultSeal: commitment.result_seal,
            enclaveChallenge: authorization.enclave_challenge,
            enclaveSign: Bytes::new(),
            authorizationSign: authorization.sign.clone(),
        };
        self.tx.submit(self.request(&call)).await
    }

    /// Sends `reveal(taskId, digest)`.
    pub async fn submit_reveal(&self, task_id: TaskId, digest: B256) -> Result<PendingTx, TxError> {
        let call = IPoco::revealCall { taskId: task_id.0, resultDigest: digest };
        self.tx.submit(self.request(&call)).await
    }

    /// Waits for a sent transaction.
    pub async fn wait(&self, pending: &PendingTx) -> Result<Landed, TxError> {
        self.tx.wait(pending).await
    }
}
