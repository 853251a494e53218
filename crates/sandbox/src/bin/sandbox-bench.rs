//! Sandbox benchmark: start-to-exit of the hello app on the WASM executor (module cached) and
//! on the Docker executor, p50/p99, written as JSON (and a Markdown table beside it).
//!
//! `cargo run --release -p poco-sandbox --bin sandbox-bench -- --out bench-results/sandbox.json`
//! (needs a Docker daemon with the `poco-apps/hello` image: `apps/build.sh docker`).

use clap::Parser;
use eyre::{WrapErr, bail, eyre};
use poco_sandbox::{
    AppImage, DockerConfig, DockerExecutor, Executor, RunSpec, WasmConfig, WasmExecutor,
};
use serde_json::json;
use std::{path::PathBuf, time::Duration};

#[derive(Debug, Parser)]
#[command(about = "Benchmark the sandbox executors with the hello app")]
struct Args {
    /// Where the JSON figures go (a `.md` table is written beside it).
    #[arg(long, default_value = "bench-results/sandbox.json")]
    out: PathBuf,
    /// The hello module.
    #[arg(long, default_value = "apps/hello/hello.wasm")]
    module: PathBuf,
    /// The hello image.
    #[arg(long, default_value = "poco-apps/hello:latest")]
    image: String,
    /// The Docker daemon (`unix:///path`).
    #[arg(long, env = "DOCKER_HOST", default_value = "unix:///var/run/docker.sock")]
    docker_host: String,
    /// Measured WASM runs (after warm-up).
    #[arg(long, default_value_t = 300)]
    wasm_runs: usize,
    /// Measured Docker runs (after warm-up).
    #[arg(long, default_value_t = 30)]
    docker_runs: usize,
}

#[derive(Debug)]
struct Stats {
    p50: f64,
    p99: f64,
    mean: f64,
    min: f64,
    max: f64,
}

fn stats(mut ms: Vec<f64>) -> Stats {
    ms.sort_by(f64::total_cmp);
    let pick = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    Stats {
        p50: pick(0.5),
        p99: pick(0.99),
        mean: ms.iter().sum::<f64>() / ms.len() as f64,
        min: ms[0],
        max: ms[ms.len() - 1],
    }
}

fn stats_json(s: &Stats) -> serde_json::Value {
    let r = |x: f64| (x * 1000.0).round() / 1000.0;
    json!({"p50_ms": r(s.p50), "p99_ms": r(s.p99), "mean_ms": r(s.mean), "min_ms": r(s.min), "max_ms": r(s.max)})
}

/// Runs hello `runs` times (after `warmup` runs) and returns the (total, start-to-exit, setup)
/// durations in milliseconds.
async fn measure(
    executor: &dyn Executor,
    app: &AppImage,
    warmup: usize,
    runs: usize,
) -> eyre::Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    let mut total = Vec::with_capacity(runs);
    let mut run = Vec::with_capacity(runs);
    let mut setup = Vec::with_capacity(runs);
    for i in 0..warmup + runs {
        let input = tempfile::tempdir()?;
        let output = tempfile::tempdir()?;
        let spec = RunSpec::new(app.clone(), input.path(), output.path())
            .with_args(["bench", &i.to_string()])
            .with_limits(poco_sandbox::Limits::default().with_timeout(Duration::from_secs(60)));
        let outcome = executor.run(spec).await?;
        if !outcome.cause.is_success() {
            bail!("hello did not complete: {:?} {}", outcome.cause, outcome.stderr.text());
        }
        let result = std::fs::read_to_string(output.path().join("result.txt"))?;
        if result != format!("Hello, bench {i}!\n") {
            bail!("unexpected result {result:?}");
        }
        if i >= warmup {
            total.push(outcome.timings.total.as_secs_f64() * 1e3);
            run.push(outcome.timings.run.as_secs_f64() * 1e3);
            setup.push(outcome.timings.setup.as_secs_f64() * 1e3);
        }
    }
    Ok((total, run, setup))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> eyre::Result<()> {
    tracing_subscriber::fmt().with_env_filter("warn").with_writer(std::io::stderr).init();
    let args = Args::parse();
    if args.wasm_runs == 0 || args.docker_runs == 0 {
        bail!("--wasm-runs and --docker-runs must be positive");
    }

    // WASM: the first run compiles the module; the measured ones find it in the cache.
    let wasm = WasmExecutor::new(WasmConfig::default())?;
    let module = AppImage::Wasm { module: args.module.clone() };
    let (cold, _, _) = measure(&wasm, &module, 0, 1).await.wrap_err("first WASM run")?;
    let (wasm_total, wasm_run, wasm_setup) = measure(&wasm, &module, 5, args.wasm_runs).await?;

    let config = DockerConfig::from_docker_host(&args.docker_host)
        .ok_or_else(|| eyre!("DOCKER_HOST must be unix:///path, got {}", args.docker_host))?;
    let docker = DockerExecutor::connect(config).await.wrap_err("connecting to dockerd")?;
    let image = AppImage::Docker { reference: args.image.clone(), archive: None };
    let (docker_total, docker_run, docker_setup) =
        measure(&docker, &image, 2, args.docker_runs).await?;

    let (wt, wr, dt, dr) =
        (stats(wasm_total), stats(wasm_run), stats(docker_total), stats(docker_run));
    let speedup = dt.p50 / wt.p50;
    let report = json!({
        "benchmark": "sandbox hello start-to-exit",
        "what": "Executor::run of the hello app (writes result.txt and computed.json): from the call to its return (total: checks, cached module or image lookup, container creation, start, exit, output capture, removal), from start to exit (run), and before start (setup)",
        "machine": {"cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)},
        "wasm": {
            "runs": args.wasm_runs,
            "first_run_with_compile_ms": (cold[0] * 1000.0).round() / 1000.0,
            "total": stats_json(&wt),
            "run": stats_json(&wr),
            "setup": stats_json(&stats(wasm_setup)),
        },
        "docker": {
            "runs": args.docker_runs,
            "total": stats_json(&dt),
            "run": stats_json(&dr),
            "setup": stats_json(&stats(docker_setup)),
        },
        "targets": {
            "wasm_p50_total_ms_max": 10.0,
            "wasm_p50_total_ms": (wt.p50 * 1000.0).round() / 1000.0,
            "wasm_met": wt.p50 <= 10.0,
            "docker_over_wasm_p50_min": 20.0,
            "docker_over_wasm_p50": (speedup * 10.0).round() / 10.0,
            "speedup_met": speedup >= 20.0,
        },
    });
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.out, serde_json::to_string_pretty(&report)? + "\n")?;
    let md = format!(
        "# Sandbox benchmark: hello start-to-exit\n\n\
         `Executor::run` from call to return (total) and from app start to exit (run), in ms.\n\n\
         | executor | runs | total p50 | total p99 | run p50 | run p99 |\n\
         | --- | --- | --- | --- | --- | --- |\n\
         | WASM (module cached) | {} | {:.3} | {:.3} | {:.3} | {:.3} |\n\
         | Docker | {} | {:.1} | {:.1} | {:.1} | {:.1} |\n\n\
         WASM first run (compiles the module): {:.1} ms. Docker / WASM (total p50): {:.0}x.\n\
         Targets: WASM p50 <= 10 ms ({}), WASM >= 20x faster than Docker ({}).\n",
        args.wasm_runs,
        wt.p50,
        wt.p99,
        wr.p50,
        wr.p99,
        args.docker_runs,
        dt.p50,
        dt.p99,
        dr.p50,
        dr.p99,
        cold[0],
        speedup,
        if wt.p50 <= 10.0 { "met" } else { "missed" },
        if speedup >= 20.0 { "met" } else { "missed" },
    );
    std::fs::write(args.out.with_extension("md"), &md)?;
    print!("{md}");
    if wt.p50 > 10.0 || speedup < 20.0 {
        bail!("a target was missed (see {})", args.out.display());
    }
    Ok(())
}
