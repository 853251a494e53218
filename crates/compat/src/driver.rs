//! The scenario driver: scripted PoCo flows sent through `IPoco` to one protocol, by the dev
//! accounts, with the gas of every transaction recorded.
//!
//! ```text
//!  setup ─▶ fund (RLC transfer, approve, deposit) · createApp/Dataset/Workerpool
//!  orders ─▶ build (defaults below) ─▶ sign (EIP-712, hub domain) | presign | close
//!  flow ─▶ matchOrders ─▶ initialize ─▶ contribute… ─▶ reveal… ─▶ finalize   (or reopen, claim,
//!          contributeAndFinalize, sponsorMatchOrders, initializeArray; travel in time)
//!  end ─▶ snapshot(): balances, frozen, scores, deals, tasks, contributions, consumption
//! ```

use alloy::{
    contract::SolCallBuilder,
    primitives::{Address, B256, Bytes, Log, U256, keccak256},
    providers::{DynProvider, Provider},
    rpc::types::TransactionReceipt,
    signers::local::PrivateKeySigner,
    sol_types::{Eip712Domain, SolCall, SolEvent},
};
use poco_contracts::bindings::{AppRegistry, DatasetRegistry, IPoco, RLC, WorkerpoolRegistry};
use poco_primitives::{
    DealId, OrderHash, OrderOperation, SignedOrder, TaskId,
    contribution::{Commitment, sign_authorization},
    order_hash, sign_order,
};

use crate::{
    actors::{Actors, Role, WORKERS},
    error::{Error, Result},
    gas::GasRecord,
    orders::{AbiOrder, MatchOrders},
    protocol::Protocol,
    snapshot::{AccountState, Check, DealState, Labels, OrderState, Snapshot, TaskState},
};
use poco_primitives::{AppOrder, DatasetOrder, RequestOrder, WorkerpoolOrder};

/// 1 RLC in nRLC.
pub const RLC: u64 = 1_000_000_000;
/// What each actor deposits in [`Driver::setup`]: 10 000 RLC.
pub const DEPOSIT: u64 = 10_000 * RLC;
/// Default app price per task: 5 RLC.
pub const APP_PRICE: u64 = 5 * RLC;
/// Default dataset price per task: 3 RLC.
pub const DATASET_PRICE: u64 = 3 * RLC;
/// Default workerpool price per task: 100 RLC (scheduler stake 30, worker stake 30).
pub const WORKERPOOL_PRICE: u64 = 100 * RLC;
/// Default category: 0 (XS, 300 s).
pub const CATEGORY: u64 = 0;
/// Default request params: what iExec's SDK writes.
pub const PARAMS: &str =
    r#"{"iexec_args":"hello world","iexec_input_files":["https://example.org/a.txt"]}"#;
/// Default results: an IPFS path (`/ipfs/` + a 46-character CIDv0), as iExec workers publish.
pub const RESULTS: &str = "/ipfs/QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG";

/// The kitty pseudo-account (spec §2.4).
pub const KITTY: Address = alloy::primitives::address!("99c2268479b93fDe36232351229815DF80837e23");

/// Assets created by [`Driver::setup`] (or by the scenario).
#[derive(Clone, Copy, Debug, Default)]
pub struct Assets {
    /// The app (owned by [`Role::AppOwner`]).
    pub app: Option<Address>,
    /// The dataset (owned by [`Role::DatasetOwner`]).
    pub dataset: Option<Address>,
    /// The workerpool (owned by [`Role::Scheduler`]).
    pub workerpool: Option<Address>,
}

#[derive(Clone, Debug)]
struct DealRecord {
    label: String,
    id: DealId,
    request_hash: OrderHash,
}

/// How often, and how many times, `send` asks for a receipt before falling back to watching.
const RECEIPT_POLL_INTERVAL: std::time::Duration = std::time::Duration::from_millis(20);
const RECEIPT_POLLS: u32 = 1_500;

/// Drives one protocol (see the module docs).
#[derive(Debug)]
pub struct Driver {
    provider: DynProvider,
    protocol: Protocol,
    actors: Actors,
    domain: Eip712Domain,
    scenario: String,
    gas: Vec<GasRecord>,
    labels: Labels,
    assets: Assets,
    deals: Vec<DealRecord>,
    orders: Vec<(String, OrderHash)>,
    order_counts: [usize; 4],
    salts: u64,
    checks: Vec<Check>,
    notes: Vec<(String, String)>,
    /// The hub's logs of each mined transaction: (`tx #n call @ step`, logs).
    logs: Vec<(String, Vec<Log>)>,
}

impl Driver {
    /// A driver of `protocol`; `provider` must sign for every actor (see
    /// [`crate::harness::dev_provider`]).
    pub fn new(
        provider: DynProvider,
        protocol: Protocol,
        actors: Actors,
        scenario: impl Into<String>,
    ) -> Self {
        let mut labels = Labels::default();
        for role in Role::all() {
            labels.address(actors.address(role), role.to_string());
        }
        labels.address(KITTY, "kitty");
        labels.address(protocol.hub, "hub");
        labels.address(protocol.rlc, "RLC");
        labels.address(protocol.app_registry, "appRegistry");
        labels.address(protocol.dataset_registry, "datasetRegistry");
        labels.address(protocol.workerpool_registry, "workerpoolRegistry");
        labels.address(Address::ZERO, "0x0");
        labels.word(B256::ZERO, "0x0");
        Self {
            provider,
            domain: protocol.domain(),
            protocol,
            actors,
            scenario: scenario.into(),
            gas: Vec::new(),
            labels,
            assets: Assets::default(),
            deals: Vec::new(),
            orders: Vec::new(),
            order_counts: [0; 4],
            salts: 0,
            checks: Vec::new(),
            notes: Vec::new(),
            logs: Vec::new(),
        }
    }

    // ------------------------------------------------------------------ accessors

    /// The protocol driven.
    pub const fn protocol(&self) -> &Protocol {
        &self.protocol
    }

    /// The hub's EIP-712 domain.
    pub const fn domain(&self) -> &Eip712Domain {
        &self.domain
    }

    /// The provider (signs for every actor; set `from`).
    pub const fn provider(&self) -> &DynProvider {
        &self.provider
    }

    /// The actors.
    pub const fn actors(&self) -> &Actors {
        &self.actors
    }

    /// An actor's address.
    pub fn address(&self, role: Role) -> Address {
        self.actors.address(role)
    }

    /// An actor's key.
    pub fn key(&self, role: Role) -> &PrivateKeySigner {
        self.actors.key(role)
    }

    /// The hub, through `IPoco`.
    pub fn hub(&self) -> IPoco::IPocoInstance<DynProvider> {
        IPoco::new(self.protocol.hub, self.provider.clone())
    }

    /// The scenario's name.
    pub fn scenario(&self) -> &str {
        &self.scenario
    }

    /// Every transaction mined so far, in order.
    pub fn gas(&self) -> &[GasRecord] {
        &self.gas
    }

    /// The assets created so far.
    pub const fn assets(&self) -> &Assets {
        &self.assets
    }

    /// The labels given so far.
    pub const fn labels(&self) -> &Labels {
        &self.labels
    }

    /// Writes down an outcome, compared between protocols (e.g. `"match closed order" →
    /// "refused"`).
    pub fn note(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.notes.push((key.into(), value.into()));
    }

    /// Records a consistency check.
    pub fn check(&mut self, what: impl Into<String>, ok: bool, detail: impl Into<String>) {
        self.checks.push(Check { what: what.into(), ok, detail: detail.into() });
    }

    /// A 32-byte result digest named `name` (`keccak256(name)`), labelled for snapshots.
    pub fn digest(&mut self, name: &str) -> B256 {
        let digest = keccak256(name.as_bytes());
        self.labels.word(digest, format!("digest({name})"));
        digest
    }

    /// The label of a task (`deal#k/idx`), else its hex.
    pub fn task_label(&self, task: TaskId) -> String {
        self.labels.show_word(&task.0)
    }

    // ------------------------------------------------------------------ sending

    /// Sends a call, waits for its receipt, fails on revert, records its gas.
    pub async fn send<C: SolCall>(
        &mut self,
        call: &'static str,
        step: String,
        builder: SolCallBuilder<&DynProvider, C>,
    ) -> Result<TransactionReceipt> {
        let pending = match builder.send().await {
            Ok(pending) => pending,
            Err(source) => return Err(Error::Call { step, source: Box::new(source) }),
        };
        let tx = *pending.tx_hash();
        // anvil mines on submission: the receipt is normally there at once. Otherwise poll for
        // it: alloy's watcher can see the transaction mined and still read a null receipt when
        // the node is slow (seen under load in CI), which is no failure of the scenario.
        let mut attempts = 0;
        let receipt = loop {
            match self.provider.get_transaction_receipt(tx).await {
                Ok(Some(receipt)) => break receipt,
                Ok(None) | Err(_) if attempts < RECEIPT_POLLS => {
                    attempts += 1;
                    tokio::time::sleep(RECEIPT_POLL_INTERVAL).await;
                }
                _ => {
                    break pending.get_receipt().await.map_err(|source| Error::Pending {
                        step: step.clone(),
                        source: Box::new(source),
                    })?;
                }
            }
        };
        if !receipt.status() {
            return Err(Error::Reverted { step, tx });
        }
        let hub_logs = receipt
            .inner
            .logs()
            .iter()
            .filter(|log| log.address() == self.protocol.hub)
            .map(|log| log.inner.clone())
            .collect();
        self.logs.push((format!("tx #{} {call} @ {step}", self.gas.len()), hub_logs));
        self.gas.push(GasRecord {
            scenario: self.scenario.clone(),
            call,
            step,
            gas: receipt.gas_used,
            tx,
        });
        Ok(receipt)
    }

    async fn rpc(
        &self,
        method: &'static str,
        params: Vec<serde_json::Value>,
    ) -> Result<serde_json::Value> {
        self.provider
            .raw_request(method.into(), params)
            .await
            .map_err(|source| Error::Rpc { what: method.to_owned(), source: Box::new(source) })
    }

    fn read_error(what: impl Into<String>) -> impl FnOnce(alloy::contract::Error) -> Error {
        let step = what.into();
        move |source| Error::Call { step, source: Box::new(source) }
    }

    // ------------------------------------------------------------------ time

    /// The latest block's timestamp.
    pub async fn now(&self) -> Result<u64> {
        let block = self.rpc("eth_getBlockByNumber", vec!["latest".into(), false.into()]).await?;
        block
            .get("timestamp")
            .and_then(serde_json::Value::as_str)
            .and_then(|hex| u64::from_str_radix(hex.trim_start_matches("0x"), 16).ok())
            .ok_or_else(|| Error::Scenario("latest block has no timestamp".into()))
    }

    /// Moves the chain `seconds` forward and mines a block at that time.
    ///
    /// This is `evm_setNextBlockTimestamp(now + seconds)` + `evm_mine` rather than
    /// `evm_increaseTime`: the harness runs anvil with a fixed block-timestamp interval (so both
    /// protocols see identical timestamps), and anvil ignores `evm_increaseTime` in that mode.
    pub async fn travel(&mut self, seconds: u64) -> Result<()> {
        let target = self.now().await? + seconds;
        self.rpc("evm_setNextBlockTimestamp", vec![target.into()]).await?;
        self.rpc("evm_mine", vec![]).await?;
        Ok(())
    }

    /// Moves the chain to `deadline` (a block at exactly that time), if it is ahead.
    pub async fn travel_to(&mut self, deadline: U256) -> Result<()> {
        let now = self.now().await?;
        let deadline = u64::try_from(deadline)
            .map_err(|_| Error::Scenario(format!("deadline {deadline} is not a time")))?;
        if deadline > now { self.travel(deadline - now).await } else { Ok(()) }
    }

    // ------------------------------------------------------------------ setup

    /// Gives `role` `amount` nRLC of RLC from the owner, approves the hub and deposits it.
    pub async fn fund(&mut self, role: Role, amount: U256) -> Result<()> {
        let (owner, account, hub) =
            (self.address(Role::Owner), self.address(role), self.protocol.hub);
        let rlc = RLC::new(self.protocol.rlc, self.provider.clone());
        self.send(
            "RLC.transfer",
            format!("fund {role}"),
            rlc.transfer(account, amount).from(owner),
        )
        .await?;
        self.send("RLC.approve", format!("fund {role}"), rlc.approve(hub, amount).from(account))
            .await?;
        let poco = self.hub();
        self.send("deposit", format!("fund {role}"), poco.deposit(amount).from(account)).await?;
        Ok(())
    }

    /// Creates an app owned by `owner` (through the protocol's AppRegistry), labelled `label`.
    pub async fn create_app(&mut self, owner: Role, label: &str) -> Result<Address> {
        let registry = AppRegistry::new(self.protocol.app_registry, self.provider.clone());
        let call = registry
            .createApp(
                self.address(owner),
                format!("poco-compat {label}"),
                "DOCKER".into(),
                Bytes::from_static(b"docker.io/iexechub/python-hello-world:8.0.0"),
                keccak256(label.as_bytes()),
                Bytes::new(),
            )
            .from(self.address(owner));
        let app = call.call().await.map_err(Self::read_error(format!("createApp({label})")))?;
        self.send("createApp", format!("createApp({label})"), call).await?;
        self.labels.address(app, label);
        Ok(app)
    }

    /// Creates a dataset owned by `owner`, labelled `label`.
    pub async fn create_dataset(&mut self, owner: Role, label: &str) -> Result<Address> {
        let registry = DatasetRegistry::new(self.protocol.dataset_registry, self.provider.clone());
        let call = registry
            .createDataset(
                self.address(owner),
                format!("poco-compat {label}"),
                Bytes::from_static(b"/ipfs/QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ"),
                keccak256(label.as_bytes()),
            )
            .from(self.address(owner));
        let dataset =
            call.call().await.map_err(Self::read_error(format!("createDataset({label})")))?;
        self.send("createDataset", format!("createDataset({label})"), call).await?;
        self.labels.address(dataset, label);
        Ok(dataset)
    }

    /// Creates a workerpool owned by `owner`, labelled `label`.
    pub async fn create_workerpool(&mut self, owner: Role, label: &str) -> Result<Address> {
        let registry =
            WorkerpoolRegistry::new(self.protocol.workerpool_registry, self.provider.clone());
        let call = registry
            .createWorkerpool(self.address(owner), format!("poco-compat {label}"))
            .from(self.address(owner));
        let pool =
            call.call().await.map_err(Self::read_error(format!("createWorkerpool({label})")))?;
        self.send("createWorkerpool", format!("createWorkerpool({label})"), call).await?;
        self.labels.address(pool, label);
        Ok(pool)
    }

    /// Funds every actor but the owner with [`DEPOSIT`], and creates the app, the dataset and
    /// the workerpool.
    pub async fn setup(&mut self) -> Result<()> {
        for role in Role::all().filter(|role| *role != Role::Owner) {
            self.fund(role, U256::from(DEPOSIT)).await?;
        }
        self.assets.app = Some(self.create_app(Role::AppOwner, "app").await?);
        self.assets.dataset = Some(self.create_dataset(Role::DatasetOwner, "dataset").await?);
        self.assets.workerpool = Some(self.create_workerpool(Role::Scheduler, "workerpool").await?);
        Ok(())
    }

    // ------------------------------------------------------------------ orders

    fn asset(asset: Option<Address>, what: &str) -> Result<Address> {
        asset.ok_or_else(|| Error::Scenario(format!("no {what}: call setup() first")))
    }

    /// A fresh salt (a counter: the same sequence on every protocol).
    pub fn salt(&mut self) -> B256 {
        self.salts += 1;
        B256::from(U256::from(self.salts))
    }

    /// The default app order: the app at [`APP_PRICE`], no restriction.
    pub fn app_order(&mut self, volume: u64) -> Result<AppOrder> {
        Ok(AppOrder {
            app: Self::asset(self.assets.app, "app")?,
            appprice: U256::from(APP_PRICE),
            volume: U256::from(volume),
            salt: self.salt(),
            ..Default::default()
        })
    }

    /// The default dataset order: the dataset at [`DATASET_PRICE`], no restriction.
    pub fn dataset_order(&mut self, volume: u64) -> Result<DatasetOrder> {
        Ok(DatasetOrder {
            dataset: Self::asset(self.assets.dataset, "dataset")?,
            datasetprice: U256::from(DATASET_PRICE),
            volume: U256::from(volume),
            salt: self.salt(),
            ..Default::default()
        })
    }

    /// The default workerpool order: the workerpool at [`WORKERPOOL_PRICE`], category
    /// [`CATEGORY`], up to `trust`.
    pub fn workerpool_order(&mut self, volume: u64, trust: u64) -> Result<WorkerpoolOrder> {
        Ok(WorkerpoolOrder {
            workerpool: Self::asset(self.assets.workerpool, "workerpool")?,
            workerpoolprice: U256::from(WORKERPOOL_PRICE),
            volume: U256::from(volume),
            category: U256::from(CATEGORY),
            trust: U256::from(trust),
            salt: self.salt(),
            ..Default::default()
        })
    }

    /// The default request order of the requester (also beneficiary): the app (and the dataset
    /// if `with_dataset`) at the default prices, any workerpool, [`PARAMS`], no callback.
    pub fn request_order(
        &mut self,
        volume: u64,
        trust: u64,
        with_dataset: bool,
    ) -> Result<RequestOrder> {
        let requester = self.address(Role::Requester);
        let (dataset, datasetmaxprice) = if with_dataset {
            (Self::asset(self.assets.dataset, "dataset")?, U256::from(DATASET_PRICE))
        } else {
            (Address::ZERO, U256::ZERO)
        };
        Ok(RequestOrder {
            app: Self::asset(self.assets.app, "app")?,
            appmaxprice: U256::from(APP_PRICE),
            dataset,
            datasetmaxprice,
            workerpool: Address::ZERO,
            workerpoolmaxprice: U256::from(WORKERPOOL_PRICE),
            requester,
            volume: U256::from(volume),
            category: U256::from(CATEGORY),
            trust: U256::from(trust),
            beneficiary: requester,
            params: PARAMS.into(),
            salt: self.salt(),
            ..Default::default()
        })
    }

    fn label_order<O: AbiOrder>(&mut self, order: &O) -> (String, OrderHash) {
        let kind = O::KIND as usize;
        let label = format!("{}order#{}", O::KIND, self.order_counts[kind]);
        self.order_counts[kind] += 1;
        let hash = order_hash(order, &self.domain);
        self.labels.word(hash.0, label.clone());
        self.orders.push((label.clone(), hash));
        (label, hash)
    }

    /// Signs `order` with `signer`'s key against the hub's domain (65-byte signature).
    pub fn sign<O: AbiOrder>(&mut self, signer: Role, order: O) -> Result<SignedOrder<O>> {
        self.label_order(&order);
        Ok(sign_order(self.actors.key(signer), order, &self.domain)?)
    }

    /// Presigns `order` on-chain: `manage*Order(SIGN)` sent by `owner`. The order then needs
    /// no signature.
    pub async fn presign<O: AbiOrder>(&mut self, owner: Role, order: O) -> Result<SignedOrder<O>> {
        let (label, _) = self.label_order(&order);
        self.manage(owner, &order, OrderOperation::Sign, &label).await?;
        Ok(SignedOrder::presigned(order))
    }

    /// Cancels `order` on-chain: `manage*Order(CLOSE)` sent by `owner`.
    pub async fn close<O: AbiOrder>(&mut self, owner: Role, order: &O) -> Result<()> {
        let hash = order_hash(order, &self.domain);
        let label = self.labels.show_word(&hash.0);
        self.manage(owner, order, OrderOperation::Close, &label).await.map(drop)
    }

    /// Sends `manage*Order(operation)` from `owner` (no operation signature) and returns the
    /// hash its `Signed…Order`/`Closed…Order` event carries.
    pub async fn manage<O: AbiOrder>(
        &mut self,
        owner: Role,
        order: &O,
        operation: OrderOperation,
        label: &str,
    ) -> Result<TransactionReceipt> {
        let hub = self.hub();
        let call = order.manage_call(operation, Bytes::new());
        let builder = hub.call_builder(&call).from(self.address(owner));
        let op = match operation {
            OrderOperation::Sign => "SIGN",
            OrderOperation::Close => "CLOSE",
        };
        self.send(O::MANAGE, format!("{}({label}, {op})", O::MANAGE), builder).await
    }

    /// Signs the default app, workerpool and request orders (no dataset) of a deal of `volume`
    /// tasks at `trust`.
    pub fn market(&mut self, volume: u64, trust: u64) -> Result<MatchOrders> {
        let app = self.app_order(volume)?;
        let workerpool = self.workerpool_order(volume, trust)?;
        let request = self.request_order(volume, trust, false)?;
        Ok(MatchOrders {
            app: self.sign(Role::AppOwner, app)?,
            dataset: None,
            workerpool: self.sign(Role::Scheduler, workerpool)?,
            request: self.sign(Role::Requester, request)?,
        })
    }

    // ------------------------------------------------------------------ matching

    /// `matchOrders` sent by the requester (who pays).
    pub async fn match_orders(&mut self, orders: &MatchOrders) -> Result<DealId> {
        self.match_inner(orders, None).await
    }

    /// `sponsorMatchOrders` sent by `sponsor` (who pays).
    pub async fn sponsor_match_orders(
        &mut self,
        orders: &MatchOrders,
        sponsor: Role,
    ) -> Result<DealId> {
        self.match_inner(orders, Some(sponsor)).await
    }

    async fn match_inner(&mut self, orders: &MatchOrders, sponsor: Option<Role>) -> Result<DealId> {
        let hub = self.hub();
        let domain = self.domain.clone();
        let hashes = [
            orders.app.hash(&domain),
            orders.dataset.as_ref().map_or(OrderHash::ZERO, |d| d.hash(&domain)),
            orders.workerpool.hash(&domain),
            orders.request.hash(&domain),
        ];
        let request_hash = hashes[3];
        let consumed_before = hub
            .viewConsumed(request_hash.0)
            .call()
            .await
            .map_err(Self::read_error("viewConsumed"))?;
        let (a, d, w, r) = orders.abi();
        let label = format!("deal#{}", self.deals.len());
        let receipt = match sponsor {
            None => {
                let builder = hub.matchOrders(a, d, w, r).from(self.address(Role::Requester));
                self.send("matchOrders", format!("matchOrders({label})"), builder).await?
            }
            Some(sponsor) => {
                let builder = hub.sponsorMatchOrders(a, d, w, r).from(self.address(sponsor));
                let step = format!("sponsorMatchOrders({label}, {sponsor})");
                self.send("sponsorMatchOrders", step, builder).await?
            }
        };
        let step = format!("matchOrders({label})");
        let matched: IPoco::OrdersMatched = event(&receipt, &step)?;
        let id = DealId(matched.dealid);
        let emitted =
            [matched.appHash, matched.datasetHash, matched.workerpoolHash, matched.requestHash];
        let expected: Vec<B256> = hashes.iter().map(|h| h.0).collect();
        self.check(
            format!("{label}: OrdersMatched hashes = Rust EIP-712 hashes"),
            emitted[..] == expected[..],
            format!("emitted {emitted:?}, expected {expected:?}"),
        );
        let derived = DealId::derive(request_hash, consumed_before);
        self.check(
            format!("{label}: dealid = H(requestHash ‖ consumed before)"),
            derived == id,
            format!("emitted {id}, derived {derived}"),
        );
        self.labels.word(id.0, label.clone());
        self.deals.push(DealRecord { label, id, request_hash });
        Ok(id)
    }

    // ------------------------------------------------------------------ tasks

    fn label_task(&mut self, deal: DealId, idx: u64, emitted: B256) -> TaskId {
        let deal_label = self.labels.show_word(&deal.0);
        let label = format!("{deal_label}/{idx}");
        let derived = TaskId::derive(deal, U256::from(idx));
        self.check(
            format!("{label}: taskid = H(dealid ‖ idx)"),
            derived.0 == emitted,
            format!("emitted {emitted}, derived {derived}"),
        );
        self.labels.word(derived.0, label);
        derived
    }

    /// `initialize(deal, idx)` sent by the scheduler.
    pub async fn initialize(&mut self, deal: DealId, idx: u64) -> Result<TaskId> {
        let hub = self.hub();
        let step = format!("initialize({}, {idx})", self.labels.show_word(&deal.0));
        let builder = hub.initialize(deal.0, U256::from(idx)).from(self.address(Role::Scheduler));
        let receipt = self.send("initialize", step.clone(), builder).await?;
        let initialized: IPoco::TaskInitialize = event(&receipt, &step)?;
        Ok(self.label_task(deal, idx, initialized.taskid))
    }

    /// `initializeArray` of `(deal, idx)` pairs, sent by the scheduler.
    pub async fn initialize_array(&mut self, tasks: &[(DealId, u64)]) -> Result<Vec<TaskId>> {
        let hub = self.hub();
        let deals: Vec<B256> = tasks.iter().map(|(deal, _)| deal.0).collect();
        let idxs: Vec<U256> = tasks.iter().map(|(_, idx)| U256::from(*idx)).collect();
        let step = format!("initializeArray({} tasks)", tasks.len());
        let builder = hub.initializeArray(deals, idxs).from(self.address(Role::Scheduler));
        let receipt = self.send("initializeArray", step.clone(), builder).await?;
        let emitted: Vec<B256> = receipt
            .inner
            .logs()
            .iter()
            .filter_map(|log| log.log_decode::<IPoco::TaskInitialize>().ok())
            .map(|log| log.inner.data.taskid)
            .collect();
        if emitted.len() != tasks.len() {
            return Err(Error::MissingEvent { step, event: "TaskInitialize" });
        }
        Ok(tasks
            .iter()
            .zip(emitted)
            .map(|((deal, idx), emitted)| self.label_task(*deal, *idx, emitted))
            .collect())
    }

    fn commitment(&mut self, worker: Role, task: TaskId, digest: B256) -> Commitment {
        let commitment = Commitment::new(self.address(worker), task, digest);
        let task_label = self.task_label(task);
        let digest_label = self.labels.get_word(&digest).unwrap_or("?").to_owned();
        self.labels
            .word(commitment.result_hash, format!("resultHash({task_label}, {digest_label})"));
        self.labels.word(
            commitment.result_seal,
            format!("resultSeal({worker}, {task_label}, {digest_label})"),
        );
        commitment
    }

    /// `contribute` by `worker` for `digest`, authorized by the scheduler (no TEE).
    pub async fn contribute(&mut self, worker: Role, task: TaskId, digest: B256) -> Result<()> {
        let commitment = self.commitment(worker, task, digest);
        let authorization = sign_authorization(
            self.key(Role::Scheduler),
            self.address(worker),
            task,
            Address::ZERO,
        )?;
        let hub = self.hub();
        let builder = hub
            .contribute(
                task.0,
                commitment.result_hash,
                commitment.result_seal,
                Address::ZERO,
                Bytes::new(),
                authorization,
            )
            .from(self.address(worker));
        let step = format!("contribute({}, {worker})", self.task_label(task));
        self.send("contribute", step, builder).await.map(drop)
    }

    /// `reveal` of `digest` by `worker`.
    pub async fn reveal(&mut self, worker: Role, task: TaskId, digest: B256) -> Result<()> {
        let hub = self.hub();
        let builder = hub.reveal(task.0, digest).from(self.address(worker));
        let step = format!("reveal({}, {worker})", self.task_label(task));
        self.send("reveal", step, builder).await.map(drop)
    }

    /// `reopen` by the scheduler.
    pub async fn reopen(&mut self, task: TaskId) -> Result<()> {
        let hub = self.hub();
        let builder = hub.reopen(task.0).from(self.address(Role::Scheduler));
        let step = format!("reopen({})", self.task_label(task));
        self.send("reopen", step, builder).await.map(drop)
    }

    /// `finalize` by the scheduler with `results` and no callback data.
    pub async fn finalize(&mut self, task: TaskId, results: &[u8]) -> Result<()> {
        let hub = self.hub();
        let builder = hub
            .finalize(task.0, Bytes::copy_from_slice(results), Bytes::new())
            .from(self.address(Role::Scheduler));
        let step = format!("finalize({})", self.task_label(task));
        self.send("finalize", step, builder).await.map(drop)
    }

    /// `contributeAndFinalize` by `worker` (trust 1, no TEE, no callback).
    pub async fn contribute_and_finalize(
        &mut self,
        worker: Role,
        task: TaskId,
        digest: B256,
        results: &[u8],
    ) -> Result<()> {
        self.commitment(worker, task, digest);
        let authorization = sign_authorization(
            self.key(Role::Scheduler),
            self.address(worker),
            task,
            Address::ZERO,
        )?;
        let hub = self.hub();
        let builder = hub
            .contributeAndFinalize(
                task.0,
                digest,
                Bytes::copy_from_slice(results),
                Bytes::new(),
                Address::ZERO,
                Bytes::new(),
                authorization,
            )
            .from(self.address(worker));
        let step = format!("contributeAndFinalize({}, {worker})", self.task_label(task));
        self.send("contributeAndFinalize", step, builder).await.map(drop)
    }

    /// `claim`, sent by the requester.
    pub async fn claim(&mut self, task: TaskId) -> Result<()> {
        let hub = self.hub();
        let builder = hub.claim(task.0).from(self.address(Role::Requester));
        let step = format!("claim({})", self.task_label(task));
        self.send("claim", step, builder).await.map(drop)
    }

    /// `viewTask`.
    pub async fn view_task(&self, task: TaskId) -> Result<IPoco::Task> {
        self.hub().viewTask(task.0).call().await.map_err(Self::read_error("viewTask"))
    }

    // ------------------------------------------------------------------ snapshot

    /// Reads the end state (see [`Snapshot`]).
    pub async fn snapshot(&self) -> Result<Snapshot> {
        let hub = self.hub();
        let rlc = RLC::new(self.protocol.rlc, self.provider.clone());
        let read = Self::read_error;

        let mut accounts = Vec::new();
        let pseudo = [("kitty".to_owned(), KITTY), ("hub".to_owned(), self.protocol.hub)];
        let actors = Role::all().map(|role| (role.to_string(), self.address(role)));
        for (label, address) in actors.chain(pseudo) {
            accounts.push(AccountState {
                balance: hub.balanceOf(address).call().await.map_err(read("balanceOf"))?,
                frozen: hub.frozenOf(address).call().await.map_err(read("frozenOf"))?,
                rlc: rlc.balanceOf(address).call().await.map_err(read("RLC.balanceOf"))?,
                label,
                address,
            });
        }
        let mut scores = Vec::new();
        for worker in (0..WORKERS).map(Role::Worker) {
            let score =
                hub.viewScore(self.address(worker)).call().await.map_err(read("viewScore"))?;
            scores.push((worker.to_string(), score));
        }
        let mut orders = Vec::new();
        for (label, hash) in &self.orders {
            orders.push(OrderState {
                label: label.clone(),
                hash: *hash,
                consumed: hub.viewConsumed(hash.0).call().await.map_err(read("viewConsumed"))?,
                presigned: hub.viewPresigned(hash.0).call().await.map_err(read("viewPresigned"))?,
            });
        }
        let mut deals = Vec::new();
        let mut checks = self.checks.clone();
        let mut labels = self.labels.clone();
        for record in &self.deals {
            let deal = hub.viewDeal(record.id.0).call().await.map_err(read("viewDeal"))?;
            let derived = DealId::derive(record.request_hash, deal.botFirst);
            checks.push(Check {
                what: format!("{}: dealid = H(requestHash ‖ viewDeal.botFirst)", record.label),
                ok: derived == record.id,
                detail: format!("deal {}, derived {derived}", record.id),
            });
            let first = u64::try_from(deal.botFirst).unwrap_or(u64::MAX);
            let size = u64::try_from(deal.botSize).unwrap_or(0).min(1_000);
            let mut tasks = Vec::new();
            for idx in (first..).take(size as usize) {
                let id = record.id.task(U256::from(idx));
                if labels.get_word(&id.0).is_none() {
                    labels.word(id.0, format!("{}/{idx}", record.label));
                }
                let task = hub.viewTask(id.0).call().await.map_err(read("viewTask"))?;
                let mut contributions = Vec::new();
                for worker in &task.contributors {
                    let contribution = hub
                        .viewContribution(id.0, *worker)
                        .call()
                        .await
                        .map_err(read("viewContribution"))?;
                    contributions.push((*worker, contribution));
                }
                tasks.push(TaskState { idx: U256::from(idx), id, task, contributions });
            }
            deals.push(DealState {
                label: record.label.clone(),
                id: record.id,
                request_hash: record.request_hash,
                deal,
                tasks,
            });
        }
        Ok(Snapshot {
            flavor: self.protocol.flavor,
            accounts,
            scores,
            deals,
            orders,
            total_supply: hub.totalSupply().call().await.map_err(read("totalSupply"))?,
            checks,
            notes: self.notes.clone(),
            events: self
                .logs
                .iter()
                .map(|(tx, logs)| {
                    let events: Vec<String> =
                        logs.iter().map(|log| crate::events::render(log, &labels)).collect();
                    (tx.clone(), events.join("; "))
                })
                .collect(),
            labels,
        })
    }
}

/// The first `E` event of a receipt.
pub fn event<E: SolEvent>(receipt: &TransactionReceipt, step: &str) -> Result<E> {
    receipt
        .inner
        .logs()
        .iter()
        .find_map(|log| log.log_decode::<E>().ok())
        .map(|log| log.inner.data)
        .ok_or_else(|| Error::MissingEvent { step: step.to_owned(), event: E::SIGNATURE })
}
