//! [`Registry`]: the workers the scheduler knows: login challenges, sessions, registrations and
//! liveness. In memory (a restart makes workers log in again, which they do on `MISSING_TOKEN`);
//! every method takes the time so tests drive the clock.

use alloy_primitives::{Address, B256, keccak256};
use poco_scheduler_api::{
    Challenge, ErrorCode, Login, Registration, SchedulerDomain, Session, auth::recover_login,
};
use std::{
    collections::{HashMap, HashSet},
    sync::Mutex,
};
use tracing::{info, warn};

/// A refusal with its API code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Refusal {
    /// The machine-readable code.
    pub code: ErrorCode,
    /// For people.
    pub message: String,
}

impl Refusal {
    /// A refusal.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

/// How long things last (ms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegistryConfig {
    /// A challenge must be answered within this.
    pub challenge_ttl_ms: u64,
    /// A session token lasts this long.
    pub session_ttl_ms: u64,
    /// A worker silent for this long is lost.
    pub lost_after_ms: u64,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        Self { challenge_ttl_ms: 60_000, session_ttl_ms: 3_600_000, lost_after_ms: 60_000 }
    }
}

/// What the registry knows of one worker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerInfo {
    /// Its declaration.
    pub registration: Registration,
    /// Its last sign of life (ms).
    pub last_seen_ms: u64,
    /// Whether it was declared lost.
    pub lost: bool,
}

#[derive(Debug, Default)]
struct Inner {
    /// nonce → (worker, expiry ms)
    challenges: HashMap<B256, (Address, u64)>,
    /// token hash → (worker, expiry ms)
    sessions: HashMap<B256, (Address, u64)>,
    workers: HashMap<Address, WorkerInfo>,
}

/// Login, sessions, registrations and liveness of the pool's workers.
#[derive(Debug)]
pub struct Registry {
    domain: SchedulerDomain,
    config: RegistryConfig,
    allowed: Option<HashSet<Address>>,
    inner: Mutex<Inner>,
}

fn secs(ms: u64) -> u64 {
    ms / 1000
}

impl Registry {
    /// A registry for the pool `domain`; with `allowed`, only those workers may log in.
    pub fn new(
        domain: SchedulerDomain,
        config: RegistryConfig,
        allowed: Option<HashSet<Address>>,
    ) -> Self {
        Self { domain, config, allowed, inner: Mutex::new(Inner::default()) }
    }

    /// The pool the registry serves.
    pub const fn domain(&self) -> SchedulerDomain {
        self.domain
    }

    /// The registry's periods.
    pub const fn config(&self) -> RegistryConfig {
        self.config
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain maps behind: still usable.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A fresh one-time challenge for `worker`.
    pub fn challenge(&self, worker: Address, now_ms: u64) -> Result<Challenge, Refusal> {
        if self.allowed.as_ref().is_some_and(|allowed| !allowed.contains(&worker)) {
            return Err(Refusal::new(
                ErrorCode::WorkerNotAllowed,
                "this pool does not admit the worker",
            ));
        }
        let nonce = B256::random();
        let expires_ms = now_ms.saturating_add(self.config.challenge_ttl_ms);
        let mut inner = self.lock();
        inner.challenges.retain(|_, (_, expiry)| *expiry > now_ms);
        inner.challenges.insert(nonce, (worker, expires_ms));
        Ok(Challenge { domain: self.domain, worker, nonce, expires_at: secs(expires_ms) })
    }

    /// Checks a signed challenge, consumes it and opens a session.
    pub fn login(&self, login: &Login, now_ms: u64) -> Result<Session, Refusal> {
        let mut inner = self.lock();
        let unknown = || Refusal::new(ErrorCode::UnknownChallenge, "ask for a new challenge");
        let &(worker, expires_ms) = inner.challenges.get(&login.nonce).ok_or_else(unknown)?;
        if worker != login.worker || expires_ms <= now_ms {
            return Err(unknown());
        }
        let challenge = Challenge {
            domain: self.domain,
            worker,
            nonce: login.nonce,
            expires_at: secs(expires_ms),
        };
        match recover_login(challenge.message(), &login.signature) {
            Ok(signer) if signer == worker => {}
            _ => {
                warn!(%worker, "Login with a bad signature.");
                return Err(Refusal::new(
                    ErrorCode::BadLoginSignature,
                    "the signature does not recover to the worker",
                ));
            }
        }
        inner.challenges.remove(&login.nonce);
        let token = B256::random();
        let session_expiry = now_ms.saturating_add(self.config.session_ttl_ms);
        inner.sessions.retain(|_, (_, expiry)| *expiry > now_ms);
        // Only a hash of the token is kept: a leaked memory dump opens no session.
        inner.sessions.insert(keccak256(token), (worker, session_expiry));
        info!(%worker, "Worker logged in.");
        Ok(Session { token: format!("{token:x}"), expires_at: secs(session_expiry) })
    }

    /// The worker behind a bearer token.
    pub fn authenticate(&self, token: &str, now_ms: u64) -> Result<Address, Refusal> {
        let missing = || Refusal::new(ErrorCode::MissingToken, "log in first");
        let token: B256 = token.parse().map_err(|_| missing())?;
        let inner = self.lock();
        let &(worker, expiry) = inner.sessions.get(&keccak256(token)).ok_or_else(missing)?;
        if expiry <= now_ms {
            return Err(Refusal::new(ErrorCode::TokenExpired, "log in again"));
        }
        Ok(worker)
    }

    /// Stores (or replaces) a worker's declaration; a lost worker registering again is alive.
    pub fn register(
        &self,
        worker: Address,
        registration: Registration,
        now_ms: u64,
    ) -> Result<(), Refusal> {
        registration
            .validate()
            .map_err(|error| Refusal::new(ErrorCode::InvalidRegistration, error.to_string()))?;
        info!(%worker, cores = registration.cores, slots = registration.max_parallel_tasks, "Worker registered.");
        self.lock()
            .workers
            .insert(worker, WorkerInfo { registration, last_seen_ms: now_ms, lost: false });
        Ok(())
    }

    /// A sign of life.
    pub fn heartbeat(&self, worker: Address, now_ms: u64) -> Result<(), Refusal> {
        let mut inner = self.lock();
        let info = inner
            .workers
            .get_mut(&worker)
            .ok_or_else(|| Refusal::new(ErrorCode::NotRegistered, "register first"))?;
        if info.lost {
            return Err(Refusal::new(ErrorCode::WorkerLost, "log in and register again"));
        }
        info.last_seen_ms = now_ms;
        Ok(())
    }

    /// Declares lost every worker silent for longer than `lost_after_ms` and returns them
    /// (each once).
    pub fn detect_lost(&self, now_ms: u64) -> Vec<Address> {
        let mut lost = Vec::new();
        for (worker, info) in &mut self.lock().workers {
            if !info.lost && now_ms.saturating_sub(info.last_seen_ms) > self.config.lost_after_ms {
                info.lost = true;
                lost.push(*worker);
            }
        }
        for worker in &lost {
            warn!(%worker, "Worker lost.");
        }
        lost
    }

    /// How long a silent worker stays alive.
    pub const fn lost_after_ms(&self) -> u64 {
        self.config.lost_after_ms
    }

    /// What the registry knows of `worker`.
    pub fn worker(&self, worker: Address) -> Option<WorkerInfo> {
        self.lock().workers.get(&worker).cloned()
    }

    /// The workers not lost.
    pub fn alive(&self) -> Vec<(Address, WorkerInfo)> {
        self.lock()
            .workers
            .iter()
            .filter(|(_, info)| !info.lost)
            .map(|(worker, info)| (*worker, info.clone()))
            .collect()
    }
}
