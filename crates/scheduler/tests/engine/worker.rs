//! A scripted worker: real HTTP (login signed with its key, bearer session, long poll, reports,
//! the SSE push channel) and real `contribute`/`reveal` transactions sent with its own key
//! through poco-chain. What it computes and when it goes silent is scripted.

use alloy_primitives::{Address, B256, Bytes};
use futures_util::StreamExt;
use poco_chain::{ChainClient, PrivateKeySigner, TxConfig, TxManager};
use poco_contracts::bindings::IPoco;
use poco_primitives::{TaskId, contribution::Commitment};
use poco_scheduler_api::{
    Assignment, Challenge, ErrorBody, ErrorCode, Executor, Heartbeat, NextAction, PushMessage,
    Registration, ReplicateFailureCause, ReplicateReport, Session, paths,
};
use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};
use tokio::sync::{Notify, mpsc};

/// What a worker does.
#[derive(Clone, Debug)]
pub struct Script {
    /// The result digest it computes.
    pub digest: B256,
    /// Goes silent (no more pings, reports or asks) right after reporting COMPUTING on its
    /// first task.
    pub vanish_after_computing: bool,
    /// Most tasks at once.
    pub slots: u32,
}

impl Script {
    pub fn honest() -> Self {
        Self { digest: B256::repeat_byte(0xd1), vanish_after_computing: false, slots: 2 }
    }
}

/// A record of what the worker did (for assertions).
#[derive(Default, Debug)]
pub struct Log {
    pub assigned: Vec<TaskId>,
    pub contributed: Vec<TaskId>,
    pub revealed: Vec<TaskId>,
    pub uploaded: Vec<TaskId>,
    pub ended: Vec<(TaskId, String)>,
}

pub struct Worker {
    pub key: PrivateKeySigner,
    pub base: Arc<Mutex<String>>,
    http: reqwest::Client,
    token: Mutex<String>,
    tx: TxManager,
    hub: Address,
    script: Script,
    pub silent: AtomicBool,
    pub log: Mutex<Log>,
    inboxes: Mutex<HashMap<TaskId, mpsc::UnboundedSender<NextAction>>>,
    freed: Notify,
}

impl Worker {
    pub fn new(
        key: PrivateKeySigner,
        base: &str,
        client: &ChainClient,
        hub: Address,
        script: Script,
    ) -> Arc<Self> {
        let tx = TxManager::new(client.clone(), key.clone(), TxConfig::default());
        Arc::new(Self {
            key,
            base: Arc::new(Mutex::new(base.to_owned())),
            http: reqwest::Client::new(),
            token: Mutex::new(String::new()),
            tx,
            hub,
            script,
            silent: AtomicBool::new(false),
            log: Mutex::new(Log::default()),
            inboxes: Mutex::new(HashMap::new()),
            freed: Notify::new(),
        })
    }

    pub fn address(&self) -> Address {
        self.key.address()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base.lock().unwrap())
    }

    fn token(&self) -> String {
        self.token.lock().unwrap().clone()
    }

    /// Logs in (signed challenge) and registers.
    pub async fn join(&self) {
        let challenge: Challenge = self
            .http
            .get(self.url(&format!("{}?worker={}", paths::CHALLENGE, self.address())))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let login = challenge.sign(&self.key).unwrap();
        let session: Session = self
            .http
            .post(self.url(paths::LOGIN))
            .json(&login)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        *self.token.lock().unwrap() = session.token;
        let registration = Registration {
            name: format!("scripted-{}", &self.address().to_string()[..8]),
            version: "0.1.0".into(),
            cores: 4,
            memory_mib: 4096,
            gpus: 0,
            executors: [Executor::Docker, Executor::Wasm].into(),
            tags: poco_primitives::Tag::NONE,
            max_parallel_tasks: self.script.slots,
        };
        let response = self
            .http
            .post(self.url(paths::REGISTER))
            .bearer_auth(self.token())
            .json(&registration)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }

    /// Logs in, registers, and runs: pings, listens to the push channel, asks for work and
    /// works each task, until silent.
    pub fn spawn(self: &Arc<Self>) -> Vec<tokio::task::JoinHandle<()>> {
        let me = Arc::clone(self);
        let joined = Arc::new(Notify::new());
        let mut handles = Vec::new();
        let ready = Arc::clone(&joined);
        let main = tokio::spawn(async move {
            me.join().await;
            ready.notify_waiters();
            let events = tokio::spawn(Arc::clone(&me).listen());
            let pings = tokio::spawn(Arc::clone(&me).ping());
            me.ask_loop().await;
            events.abort();
            pings.abort();
        });
        handles.push(main);
        handles
    }

    async fn ping(self: Arc<Self>) {
        while !self.silent.load(Ordering::SeqCst) {
            let running: Vec<TaskId> = self.inboxes.lock().unwrap().keys().copied().collect();
            let _ = self
                .http
                .post(self.url(paths::HEARTBEAT))
                .bearer_auth(self.token())
                .json(&Heartbeat { running })
                .send()
                .await;
            tokio::time::sleep(Duration::from_millis(crate::common::HEARTBEAT_MS)).await;
        }
    }

    /// The SSE push channel: each message goes to its task's inbox.
    async fn listen(self: Arc<Self>) {
        let response =
            self.http.get(self.url(paths::EVENTS)).bearer_auth(self.token()).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let mut stream = response.bytes_stream();
        let mut buffer = String::new();
        while let Some(Ok(chunk)) = stream.next().await {
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find("\n\n") {
                let event: String = buffer.drain(..end + 2).collect();
                for line in event.lines() {
                    if let Some(data) = line.strip_prefix("data:") {
                        let message: PushMessage = serde_json::from_str(data.trim()).unwrap();
                        if let Some(inbox) = self.inboxes.lock().unwrap().get(&message.task_id) {
                            let _ = inbox.send(message.action);
                        }
                    }
                }
            }
        }
    }

    async fn ask_loop(self: &Arc<Self>) {
        while !self.silent.load(Ordering::SeqCst) {
            let freed = self.freed.notified();
            let response = self
                .http
                .get(self.url(&format!("{}?waitMs=1000", paths::WORK)))
                .bearer_auth(self.token())
                .send()
                .await
                .unwrap();
            match response.status().as_u16() {
                200 => {
                    let assignment: Assignment = response.json().await.unwrap();
                    assert_eq!(assignment.authorization.worker, self.address());
                    let task_id = assignment.task.task_id;
                    let (sender, inbox) = mpsc::unbounded_channel();
                    self.inboxes.lock().unwrap().insert(task_id, sender);
                    self.log.lock().unwrap().assigned.push(task_id);
                    let me = Arc::clone(self);
                    tokio::spawn(async move {
                        let end = me.work(assignment, inbox).await;
                        me.inboxes.lock().unwrap().remove(&task_id);
                        me.log.lock().unwrap().ended.push((task_id, end));
                        me.freed.notify_waiters();
                    });
                }
                204 => {}
                409 => {
                    let body: ErrorBody = response.json().await.unwrap();
                    assert_eq!(body.code, ErrorCode::NoFreeSlot);
                    // Wait for one of its tasks to end (or a second, as a real worker would).
                    let _ = tokio::time::timeout(Duration::from_secs(1), freed).await;
                }
                status => panic!("ask for work: {status}: {}", response.text().await.unwrap()),
            }
        }
    }

    /// Sends one report; returns the answer, or the refusal's code.
    pub async fn report(
        &self,
        task: TaskId,
        report: &ReplicateReport,
    ) -> Result<NextAction, ErrorCode> {
        let path = paths::REPLICATE_STATUS.replace("{task_id}", &task.to_string());
        let response = self
            .http
            .post(self.url(&path))
            .bearer_auth(self.token())
            .json(report)
            .send()
            .await
            .unwrap();
        if response.status() == 200 {
            Ok(response.json().await.unwrap())
        } else {
            let status = response.status().as_u16();
            let body: ErrorBody = response.json().await.unwrap();
            assert_eq!(status, body.code.http_status());
            Err(body.code)
        }
    }

    pub async fn contribute(&self, assignment: &Assignment) -> Result<B256, poco_chain::TxError> {
        let task = assignment.task.task_id;
        let commitment = Commitment::new(self.address(), task, self.script.digest);
        let call = IPoco::contributeCall {
            taskId: task.0,
            resultHash: commitment.result_hash,
            resultSeal: commitment.result_seal,
            enclaveChallenge: Address::ZERO,
            enclaveSign: Bytes::new(),
            authorizationSign: assignment.authorization.sign.clone(),
        };
        Ok(self.tx.send_call(self.hub, &call).await?.hash)
    }

    async fn work(
        &self,
        assignment: Assignment,
        mut inbox: mpsc::UnboundedReceiver<NextAction>,
    ) -> String {
        let task = assignment.task.task_id;
        for report in [ReplicateReport::Downloading, ReplicateReport::Computing] {
            assert_eq!(self.report(task, &report).await, Ok(NextAction::Continue));
        }
        if self.script.vanish_after_computing {
            self.silent.store(true, Ordering::SeqCst);
            return "VANISHED".into();
        }
        assert_eq!(
            self.report(task, &ReplicateReport::Computed { failure: None }).await,
            Ok(NextAction::Continue)
        );
        let commitment = Commitment::new(self.address(), task, self.script.digest);
        let tx_hash = match self.contribute(&assignment).await {
            Ok(hash) => hash,
            Err(_) => {
                let failed =
                    ReplicateReport::Failed { cause: ReplicateFailureCause::ContributeFailed };
                let _ = self.report(task, &failed).await;
                return "CONTRIBUTE_FAILED".into();
            }
        };
        self.log.lock().unwrap().contributed.push(task);
        let contributed =
            ReplicateReport::Contributed { result_hash: commitment.result_hash, tx_hash };
        let mut next = match self.report(task, &contributed).await {
            Ok(next) => next,
            Err(code) => return format!("REFUSED {code}"),
        };
        let mut revealed = false;
        let mut uploaded = false;
        loop {
            match next {
                NextAction::Reveal { .. } if !revealed => {
                    let call =
                        IPoco::revealCall { taskId: task.0, resultDigest: self.script.digest };
                    let tx_hash = self.tx.send_call(self.hub, &call).await.unwrap().hash;
                    revealed = true;
                    self.log.lock().unwrap().revealed.push(task);
                    next = self
                        .report(task, &ReplicateReport::Revealed { tx_hash })
                        .await
                        .expect("the Revealed report is taken");
                    continue;
                }
                NextAction::Upload { .. } if !uploaded => {
                    assert_eq!(
                        self.report(task, &ReplicateReport::Uploading).await,
                        Ok(NextAction::Continue)
                    );
                    let link =
                        Bytes::from(format!("http://127.0.0.1:9/results/{task}").into_bytes());
                    uploaded = true;
                    self.log.lock().unwrap().uploaded.push(task);
                    next = self
                        .report(
                            task,
                            &ReplicateReport::Uploaded { result_link: link, callback_data: None },
                        )
                        .await
                        .unwrap();
                    continue;
                }
                NextAction::Complete => return "COMPLETE".into(),
                NextAction::Abort { cause } => return format!("ABORT {cause}"),
                _ => {}
            }
            next = match tokio::time::timeout(Duration::from_secs(60), inbox.recv()).await {
                Ok(Some(action)) => action,
                _ => return "NO NEWS".into(),
            };
        }
    }
}
