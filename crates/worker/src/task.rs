//! One replicate, from the assignment to its end, driven by the journal's step so that a
//! restarted worker picks up where it was:
//!
//! ```text
//!  Assigned ──DOWNLOADING──► fetch app, dataset, inputs ──COMPUTING──► run in the sandbox
//!     │  (a fetch or compute failure becomes an error result: error.txt + computed.json)
//!     ▼
//!  Computed ──stake check──► journal CONTRIBUTING ──► contribute ──CONTRIBUTING/CONTRIBUTED──►
//!  Contributed ──(REVEAL)──► journal REVEALING ──► reveal ──REVEALING/REVEALED──►
//!  Revealed ──(UPLOAD)──► PUT the archive on the results service ──UPLOADED──► (COMPLETE) Done
//! ```
//!
//! Before sending `contribute` (or `reveal`) again after a restart, the chain is asked whether
//! the earlier one landed (`viewContribution`): a worker never contributes twice.

use crate::{
    agent::Ctx,
    error::Failure,
    fetch,
    journal::{Entry, Step},
    result,
};
use alloy_primitives::{B256, Bytes};
use poco_primitives::{ContributionStatus, TaskId, TaskStatus, contribution::Commitment};
use poco_results_api::UploadReceipt;
use poco_sandbox::{AppEnv, AppImage, ExitCause, Limits, RunSpec, SandboxError};
use poco_scheduler_api::{
    AppLogs, Executor, NextAction, ReplicateFailureCause as Cause, ReplicateReport, TaskSpec,
};
use std::{path::PathBuf, sync::Arc, time::Duration};
use tokio::sync::mpsc;
use tracing::{info, instrument, warn};

/// How a replicate ended in this worker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// Completed or aborted: nothing more to do.
    Done,
    /// Given up with a cause (reported).
    Failed(Cause),
}

struct Dirs {
    root: PathBuf,
    input: PathBuf,
    output: PathBuf,
    app: PathBuf,
    archive: PathBuf,
}

impl Dirs {
    fn of(ctx: &Ctx, task_id: TaskId) -> Self {
        let root = ctx.config.task_dir(task_id);
        Self {
            input: root.join("iexec_in"),
            output: root.join("iexec_out"),
            app: root.join("app"),
            archive: root.join("iexec_out.zip"),
            root,
        }
    }
}

/// Runs the replicate journaled as `entry` to its end; `actions` brings the scheduler's pushed
/// actions for this task.
#[instrument(skip_all, fields(task_id = %entry.task_id()))]
pub(crate) async fn run(
    ctx: Arc<Ctx>,
    mut entry: Entry,
    mut actions: mpsc::Receiver<NextAction>,
) -> Ending {
    let task_id = entry.task_id();
    let mut next: Option<NextAction> = None;
    loop {
        let outcome = match entry.step {
            Step::Assigned => compute(&ctx, &entry).await.map(|_| None),
            Step::Computed | Step::Contributing => contribute(&ctx, &entry).await,
            Step::Contributed | Step::Revealed | Step::Uploaded => {
                match wait_action(&ctx, &entry, next.take(), &mut actions).await {
                    NextAction::Reveal { .. } if entry.step == Step::Contributed => {
                        reveal(&ctx, &entry).await
                    }
                    NextAction::Reveal { .. } => Ok(None),
                    NextAction::Upload { results_url } if entry.step == Step::Revealed => {
                        upload(&ctx, &entry, &results_url).await
                    }
                    // Asked twice (the answer to a report and the push): uploaded already.
                    NextAction::Upload { .. } => Ok(None),
                    NextAction::Complete | NextAction::Abort { .. } => {
                        finish(&ctx, task_id).await;
                        return Ending::Done;
                    }
                    NextAction::Wait | NextAction::Continue => Ok(None),
                }
            }
            Step::Revealing => reveal(&ctx, &entry).await,
            Step::Done => return Ending::Done,
            Step::Failed => return Ending::Failed(entry.failure.unwrap_or(Cause::Unknown)),
        };
        match outcome {
            Ok(action) => {
                if action.is_some() {
                    next = action;
                }
            }
            Err(failure) => {
                warn!(cause = %failure.cause, detail = %failure.detail, "Replicate failed.");
                if let Err(error) = ctx.journal.fail(task_id, failure.cause).await {
                    warn!(%error, "Journal write failed.");
                }
                report(&ctx, task_id, &ReplicateReport::Failed { cause: failure.cause }).await;
                finish_files(&ctx, task_id).await;
                return Ending::Failed(failure.cause);
            }
        }
        // An abort pushed while computing or contributing ends the replicate between steps.
        if let Ok(action) = actions.try_recv() {
            if let NextAction::Abort { cause } = action {
                info!(%cause, "Aborted by the scheduler.");
                finish(&ctx, task_id).await;
                return Ending::Done;
            }
            next = Some(action);
        }
        match ctx.journal.get(task_id).await {
            Ok(Some(fresh)) => entry = fresh,
            Ok(None) => return Ending::Done,
            Err(error) => {
                warn!(%error, "Journal read failed; retrying.");
                tokio::time::sleep(ctx.config.backoff.min).await;
            }
        }
    }
}

/// Sends a report until the scheduler takes it (transient failures are retried); `None` when it
/// refused it for good (a repeat after a restart, a transition it does not allow).
async fn report(ctx: &Ctx, task_id: TaskId, report: &ReplicateReport) -> Option<NextAction> {
    let mut attempt = 0;
    loop {
        match ctx.client.report(task_id, report).await {
            Ok(action) => return Some(action),
            Err(error) if error.is_transient() && attempt < 20 => {
                warn!(%error, attempt, "Report failed; retrying.");
                tokio::time::sleep(ctx.config.backoff.delay(attempt)).await;
                attempt += 1;
            }
            Err(error) => {
                warn!(%error, ?report, "Report refused.");
                return None;
            }
        }
    }
}

/// Downloads, runs, and journals the result (or error result). Only failures that are this
/// worker's own (sandbox down, chain unreachable) end the replicate; the others become an error
/// result the replicas agree on.
async fn compute(ctx: &Ctx, entry: &Entry) -> Result<(), Failure> {
    let task = &entry.assignment.task;
    let dirs = Dirs::of(ctx, task.task_id);
    let local = |e: std::io::Error| Failure::new(Cause::SandboxFailed, format!("task folder: {e}"));
    if dirs.root.exists() {
        tokio::fs::remove_dir_all(&dirs.root).await.map_err(local)?;
    }
    for dir in [&dirs.input, &dirs.output, &dirs.app] {
        tokio::fs::create_dir_all(dir).await.map_err(local)?;
    }
    report(ctx, task.task_id, &ReplicateReport::Downloading).await;
    let deal = ctx
        .chain
        .deal(task.deal_id)
        .await
        .map_err(|e| Failure::new(Cause::ChainUnreachable, e.to_string()))?;

    let mut failure = match prepare(ctx, task, &dirs).await {
        Ok((app, input_files)) => {
            report(ctx, task.task_id, &ReplicateReport::Computing).await;
            let env = AppEnv {
                deal_id: task.deal_id,
                task_index: task.task_index.saturating_to(),
                task_id: task.task_id,
                bot_size: deal.botSize.saturating_to(),
                bot_first_index: deal.botFirst.saturating_to(),
                dataset: task.dataset.as_ref().map(|d| d.address),
                input_files,
            };
            execute(ctx, task, &dirs, app, env).await?
        }
        Err(download) if download.cause == Cause::ExecutorUnavailable => return Err(download),
        Err(download) => {
            warn!(cause = %download.cause, detail = %download.detail, "Download failed: error result.");
            result::write_error_result(&dirs.output, download.cause, &download.detail)
                .map_err(local)?;
            Some(download.cause)
        }
    };
    let max = ctx.config.limits.max_result_bytes;
    let (digest, archive) = match seal_output(&dirs, max) {
        Ok(done) => done,
        Err(invalid) => {
            result::write_error_result(&dirs.output, invalid.cause, &invalid.detail)
                .map_err(local)?;
            failure = Some(invalid.cause);
            seal_output(&dirs, max)?
        }
    };
    let digest = if ctx.config.faults.wrong_result {
        // A faulty worker on purpose (tests): a digest no honest replica computes.
        let wrong =
            alloy_primitives::keccak256([digest.as_slice(), b"poco: wrong result"].concat());
        warn!(%digest, %wrong, "Fault injected: contributing a wrong result.");
        wrong
    } else {
        digest
    };
    let sha = result::sha256(&archive);
    tokio::fs::write(&dirs.archive, &archive).await.map_err(local)?;
    ctx.journal
        .computed(task.task_id, digest, sha, failure)
        .await
        .map_err(|e| Failure::new(Cause::Unknown, format!("journal: {e}")))?;
    info!(%digest, archive_sha256 = %sha, failure = ?failure, "Result ready.");
    report(ctx, task.task_id, &ReplicateReport::Computed { failure }).await;
    Ok(())
}

/// The digest (names checked) and the archive of the output folder.
fn seal_output(dirs: &Dirs, max_bytes: u64) -> Result<(B256, Vec<u8>), Failure> {
    result::check_names(&dirs.output)?;
    let digest = result::result_digest(&dirs.output)?.digest;
    Ok((digest, result::zip_folder(&dirs.output, max_bytes)?))
}

/// Fetches and checks the app, dataset and input files.
async fn prepare(
    ctx: &Ctx,
    task: &TaskSpec,
    dirs: &Dirs,
) -> Result<(AppImage, Vec<String>), Failure> {
    let limits = &ctx.config.limits;
    let app = match task.app.executor {
        Executor::Wasm => {
            if ctx.executors.wasm.is_none() {
                return Err(Failure::new(Cause::ExecutorUnavailable, "no WASM executor"));
            }
            let fetched =
                fetch::wasm_app(&ctx.http, &task.app, &dirs.app, limits.max_app_bytes).await?;
            AppImage::Wasm { module: fetched.path }
        }
        Executor::Docker => {
            let Some(docker) = &ctx.executors.docker else {
                return Err(Failure::new(Cause::ExecutorUnavailable, "no Docker executor"));
            };
            crate::agent::check_image(docker, &task.app).await?;
            AppImage::Docker { reference: task.app.multiaddr.trim().to_owned(), archive: None }
        }
    };
    if let Some(dataset) = &task.dataset {
        fetch::dataset(
            &ctx.http,
            dataset.address,
            &dataset.multiaddr,
            dataset.checksum,
            &dirs.input,
            limits.max_input_bytes,
        )
        .await?;
    }
    let inputs =
        fetch::input_files(&ctx.http, &task.input_files, &dirs.input, limits.max_input_bytes)
            .await?;
    Ok((app, inputs))
}

/// Splits the deal's `iexec_args` like a shell would (spaces, single and double quotes).
pub fn split_args(args: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in args.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started {
                    out.push(std::mem::take(&mut current));
                    started = false;
                }
            }
            (None, c) => {
                current.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(current);
    }
    out
}

/// Runs the app and turns its end into the result: the app's own (`computed.json`), or an error
/// result for a crash, a timeout, an OOM. `Ok(Some(cause))` is an error result.
async fn execute(
    ctx: &Ctx,
    task: &TaskSpec,
    dirs: &Dirs,
    app: AppImage,
    env: AppEnv,
) -> Result<Option<Cause>, Failure> {
    let config = &ctx.config;
    let memory = (config.memory_mib << 20) / u64::from(config.parallel_tasks.max(1));
    let limits = Limits::default()
        .with_timeout(Duration::from_secs(task.max_run_seconds.max(1)))
        .with_memory_bytes(memory.max(16 << 20))
        .with_output_cap(config.limits.log_cap_bytes);
    let spec = RunSpec::new(app.clone(), &dirs.input, &dirs.output)
        .with_args(split_args(&task.args))
        .with_env(env.vars())
        .with_limits(limits)
        .with_label(task.task_id.to_string());
    let executor: Arc<dyn poco_sandbox::Executor> =
        match (&app, &ctx.executors.wasm, &ctx.executors.docker) {
            (AppImage::Wasm { .. }, Some(wasm), _) => wasm.clone(),
            (AppImage::Docker { .. }, _, Some(docker)) => docker.clone(),
            _ => return Err(Failure::new(Cause::ExecutorUnavailable, "no executor for the app")),
        };
    let local = |e: std::io::Error| Failure::new(Cause::SandboxFailed, format!("task folder: {e}"));
    let outcome = match executor.run(spec).await {
        Ok(outcome) => outcome,
        Err(error) => {
            let cause = match &error {
                SandboxError::ModuleInvalid { .. } | SandboxError::WrongFormat { .. } => {
                    Cause::AppCrashed
                }
                SandboxError::ImageNotFound { .. } => Cause::AppNotFound,
                _ => return Err(Failure::new(Cause::SandboxFailed, error.to_string())),
            };
            let detail = format!("the app could not start ({})", error.code());
            result::write_error_result(&dirs.output, cause, &detail).map_err(local)?;
            return Ok(Some(cause));
        }
    };
    info!(
        cause = outcome.cause.code(),
        run_ms = outcome.timings.run.as_millis() as u64,
        "App ended."
    );
    let logs = AppLogs {
        stdout: outcome.stdout.text(),
        stderr: outcome.stderr.text(),
        exit_code: outcome.cause.exit_code(),
    };
    if let Err(error) = ctx.client.logs(task.task_id, &logs).await {
        warn!(%error, "App logs not sent.");
    }
    let killed = match &outcome.cause {
        ExitCause::Timeout | ExitCause::OutOfFuel => {
            Some((Cause::ComputeTimeout, format!("the app ran past {} s", task.max_run_seconds)))
        }
        ExitCause::OutOfMemory => {
            Some((Cause::OutOfMemory, "the app ran out of memory".to_owned()))
        }
        ExitCause::Crashed { .. } => Some((Cause::AppCrashed, "the app crashed".to_owned())),
        ExitCause::Completed | ExitCause::Failed { .. } => None,
    };
    if let Some((cause, detail)) = killed {
        result::write_error_result(&dirs.output, cause, &detail).map_err(local)?;
        return Ok(Some(cause));
    }
    // Exited by itself: its computed.json (a graceful failure writes one too) is the result.
    if result::read_computed(&dirs.output).is_none()
        && let ExitCause::Failed { exit_code } = outcome.cause
    {
        let detail = format!("the app exited with code {exit_code} without computed.json");
        result::write_error_result(&dirs.output, Cause::AppCrashed, &detail).map_err(local)?;
        return Ok(Some(Cause::AppCrashed));
    }
    Ok(None)
}

/// Contributes the journaled result, unless the chain already has this worker's contribution.
async fn contribute(ctx: &Ctx, entry: &Entry) -> Result<Option<NextAction>, Failure> {
    let task = &entry.assignment.task;
    let task_id = task.task_id;
    let digest = entry
        .result_digest
        .ok_or_else(|| Failure::new(Cause::Unknown, "journal: no result digest"))?;
    let commitment = Commitment::new(ctx.chain.worker(), task_id, digest);
    let unreachable =
        |e: &dyn std::fmt::Display| Failure::new(Cause::ChainUnreachable, e.to_string());
    let journal = |e: crate::Error| Failure::new(Cause::Unknown, format!("journal: {e}"));

    // Ask the chain first: after a restart the earlier transaction may have landed.
    let onchain = ctx.chain.contribution(task_id).await.map_err(|e| unreachable(&e))?;
    if onchain.status != ContributionStatus::Unset {
        if onchain.result_hash != commitment.result_hash {
            return Err(Failure::new(
                Cause::ContributeFailed,
                format!(
                    "the chain holds another result hash {} for this worker",
                    onchain.result_hash
                ),
            ));
        }
        info!("Contribution already on chain; not sending it again.");
        ctx.journal.step(task_id, Step::Contributed).await.map_err(journal)?;
        let tx_hash = entry.contribute_tx.unwrap_or_default();
        let result_hash = commitment.result_hash;
        return Ok(
            report(ctx, task_id, &ReplicateReport::Contributed { result_hash, tx_hash }).await
        );
    }
    ctx.chain.check_can_contribute(task.deal_id, task_id).await?;

    // Journal first, then send.
    ctx.journal.step(task_id, Step::Contributing).await.map_err(journal)?;
    let pending = ctx
        .chain
        .submit_contribute(&commitment, &entry.assignment.authorization)
        .await
        .map_err(|e| tx_failure(Cause::ContributeFailed, &e))?;
    ctx.journal.contribute_tx(task_id, pending.hash).await.map_err(journal)?;
    report(ctx, task_id, &ReplicateReport::Contributing { tx_hash: pending.hash }).await;
    let landed =
        ctx.chain.wait(&pending).await.map_err(|e| tx_failure(Cause::ContributeFailed, &e))?;
    ctx.journal.step(task_id, Step::Contributed).await.map_err(journal)?;
    info!(tx = %landed.hash, result_hash = %commitment.result_hash, "Contributed.");
    let report_body =
        ReplicateReport::Contributed { result_hash: commitment.result_hash, tx_hash: landed.hash };
    Ok(report(ctx, task_id, &report_body).await)
}

fn tx_failure(cause: Cause, error: &poco_chain::TxError) -> Failure {
    let detail = match error.revert() {
        Some(revert) => format!("reverted: {revert}"),
        None => error.to_string(),
    };
    Failure::new(cause, detail)
}

/// Reveals the journaled digest, unless the chain shows it revealed already.
async fn reveal(ctx: &Ctx, entry: &Entry) -> Result<Option<NextAction>, Failure> {
    let task_id = entry.task_id();
    let digest = entry
        .result_digest
        .ok_or_else(|| Failure::new(Cause::Unknown, "journal: no result digest"))?;
    let unreachable =
        |e: &dyn std::fmt::Display| Failure::new(Cause::ChainUnreachable, e.to_string());
    let journal = |e: crate::Error| Failure::new(Cause::Unknown, format!("journal: {e}"));
    let onchain = ctx.chain.contribution(task_id).await.map_err(|e| unreachable(&e))?;
    if onchain.status == ContributionStatus::Proved {
        ctx.journal.step(task_id, Step::Revealed).await.map_err(journal)?;
        let tx_hash = entry.reveal_tx.unwrap_or_default();
        return Ok(report(ctx, task_id, &ReplicateReport::Revealed { tx_hash }).await);
    }
    let (status, task) = ctx.chain.task(task_id).await.map_err(|e| unreachable(&e))?;
    if status != TaskStatus::Revealing {
        return Err(Failure::new(
            Cause::RevealFailed,
            format!("task is {status} on chain, not REVEALING"),
        ));
    }
    if task.consensusValue != poco_primitives::contribution::result_hash(task_id, digest) {
        return Err(Failure::new(Cause::RevealFailed, "the consensus is on another result"));
    }
    ctx.journal.step(task_id, Step::Revealing).await.map_err(journal)?;
    let pending = ctx
        .chain
        .submit_reveal(task_id, digest)
        .await
        .map_err(|e| tx_failure(Cause::RevealFailed, &e))?;
    ctx.journal.reveal_tx(task_id, pending.hash).await.map_err(journal)?;
    report(ctx, task_id, &ReplicateReport::Revealing { tx_hash: pending.hash }).await;
    let landed = ctx.chain.wait(&pending).await.map_err(|e| tx_failure(Cause::RevealFailed, &e))?;
    ctx.journal.step(task_id, Step::Revealed).await.map_err(journal)?;
    info!(tx = %landed.hash, "Revealed.");
    Ok(report(ctx, task_id, &ReplicateReport::Revealed { tx_hash: landed.hash }).await)
}

/// Uploads the archive to the results service with the scheduler's authorization and this
/// worker's signature, then reports the link.
async fn upload(
    ctx: &Ctx,
    entry: &Entry,
    results_url: &str,
) -> Result<Option<NextAction>, Failure> {
    let task_id = entry.task_id();
    let dirs = Dirs::of(ctx, task_id);
    let failed = |detail: String| Failure::new(Cause::UploadFailed, detail);
    report(ctx, task_id, &ReplicateReport::Uploading).await;
    let archive =
        tokio::fs::read(&dirs.archive).await.map_err(|e| failed(format!("archive: {e}")))?;
    let sha = result::sha256(&archive);
    let headers = poco_results_api::UploadHeaders::sign(
        &ctx.signer,
        entry.assignment.authorization.clone(),
        sha,
    )
    .map_err(|e| failed(e.to_string()))?;
    let url = format!("{}{}", results_url.trim_end_matches('/'), headers.path());
    let mut request = ctx.http.put(url).timeout(ctx.config.http_timeout).body(archive);
    request = request.header("content-type", poco_results_api::DEFAULT_CONTENT_TYPE);
    for (name, value) in headers.pairs() {
        request = request.header(name, value);
    }
    let response = request.send().await.map_err(|e| failed(e.to_string()))?;
    let status = response.status();
    let body = response.bytes().await.map_err(|e| failed(e.to_string()))?;
    if !status.is_success() {
        return Err(failed(format!(
            "results service answered {status}: {}",
            String::from_utf8_lossy(&body)
        )));
    }
    let receipt: UploadReceipt =
        serde_json::from_slice(&body).map_err(|e| failed(e.to_string()))?;
    let callback_data = result::result_digest(&dirs.output).ok().and_then(|r| r.callback_data);
    ctx.journal
        .step(task_id, Step::Uploaded)
        .await
        .map_err(|e| Failure::new(Cause::Unknown, format!("journal: {e}")))?;
    info!(sha256 = %receipt.sha256, size = receipt.size, "Result uploaded.");
    let link = Bytes::from(receipt.link.to_bytes());
    Ok(report(ctx, task_id, &ReplicateReport::Uploaded { result_link: link, callback_data }).await)
}

/// Waits for what the scheduler wants next: the last report's answer if it said something, then
/// the push channel, until the task's final deadline.
async fn wait_action(
    ctx: &Ctx,
    entry: &Entry,
    pending: Option<NextAction>,
    actions: &mut mpsc::Receiver<NextAction>,
) -> NextAction {
    if let Some(action) = pending.filter(|a| !matches!(a, NextAction::Wait | NextAction::Continue))
    {
        return action;
    }
    let final_deadline = entry.assignment.task.final_deadline;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let left = Duration::from_secs(final_deadline.saturating_sub(now).max(60));
    match tokio::time::timeout(left, actions.recv()).await {
        Ok(Some(action)) => action,
        // The agent is going away (the replicate resumes on restart) or the deadline passed.
        Ok(None) => std::future::pending().await,
        Err(_) => {
            warn!(final_deadline, "Final deadline passed without word from the scheduler.");
            let _ = ctx;
            NextAction::Complete
        }
    }
}

async fn finish(ctx: &Ctx, task_id: TaskId) {
    if let Err(error) = ctx.journal.step(task_id, Step::Done).await {
        warn!(%error, "Journal write failed.");
    }
    finish_files(ctx, task_id).await;
    info!(%task_id, "Replicate done.");
}

async fn finish_files(ctx: &Ctx, task_id: TaskId) {
    let root = ctx.config.task_dir(task_id);
    if let Err(error) = tokio::fs::remove_dir_all(&root).await
        && error.kind() != std::io::ErrorKind::NotFound
    {
        warn!(%error, path = %root.display(), "Task folder not removed.");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_split_like_a_shell() {
        let cases: [(&str, &[&str]); 6] = [
            ("", &[]),
            ("  world  ", &["world"]),
            ("a b  c", &["a", "b", "c"]),
            ("\"hello world\" x", &["hello world", "x"]),
            ("'it''s' \"\"", &["its", ""]),
            ("a\"b c\"d", &["ab cd"]),
        ];
        for (input, expected) in cases {
            assert_eq!(split_args(input), expected, "{input:?}");
        }
    }
}
