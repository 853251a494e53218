//! sha256sum: a deterministic compute app. Hashes (SHA-256) the dataset and every input file
//! found in `$IEXEC_IN` (named by `IEXEC_DATASET_FILENAME` and `IEXEC_INPUT_FILE_NAME_1..N`),
//! and each argument as a string, and writes one `<hex>  <name>` line per item to
//! `$IEXEC_OUT/result.txt`, declared in `computed.json`. A missing input is a graceful failure:
//! `error.txt` says which, and the exit code is 2.

use sha2::{Digest, Sha256};
use std::{env, fmt::Write as _, fs, process::ExitCode};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn main() -> ExitCode {
    let input = env::var("IEXEC_IN").unwrap_or_else(|_| "/iexec_in".to_owned());
    let out = env::var("IEXEC_OUT").unwrap_or_else(|_| "/iexec_out".to_owned());

    let mut names = Vec::new();
    if let Ok(dataset) = env::var("IEXEC_DATASET_FILENAME") {
        if !dataset.is_empty() {
            names.push(dataset);
        }
    }
    let count: usize =
        env::var("IEXEC_INPUT_FILES_NUMBER").ok().and_then(|n| n.parse().ok()).unwrap_or(0);
    for i in 1..=count {
        match env::var(format!("IEXEC_INPUT_FILE_NAME_{i}")) {
            Ok(name) => names.push(name),
            Err(_) => return fail(&out, &format!("IEXEC_INPUT_FILE_NAME_{i} is not set")),
        }
    }

    let mut lines = String::new();
    for name in &names {
        match fs::read(format!("{input}/{name}")) {
            Ok(bytes) => {
                let _ = writeln!(lines, "{}  {name}", hex(&Sha256::digest(&bytes)));
            }
            Err(err) => return fail(&out, &format!("cannot read input {name}: {err}")),
        }
    }
    for arg in env::args().skip(1) {
        let _ = writeln!(lines, "{}  arg:{arg}", hex(&Sha256::digest(arg.as_bytes())));
    }
    print!("{lines}");

    let result = format!("{out}/result.txt");
    let computed = format!("{{\"deterministic-output-path\":\"{result}\"}}\n");
    match fs::write(&result, lines)
        .and_then(|()| fs::write(format!("{out}/computed.json"), computed))
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("sha256sum: cannot write to {out}: {err}");
            ExitCode::FAILURE
        }
    }
}

/// A graceful failure: the reason in `error.txt`, a `computed.json` pointing to it (so replicas
/// agree on the failed result), the reason on stderr, exit code 2.
fn fail(out: &str, reason: &str) -> ExitCode {
    eprintln!("sha256sum: {reason}");
    let error = format!("{out}/error.txt");
    let _ = fs::write(&error, format!("{reason}\n"));
    let _ = fs::write(
        format!("{out}/computed.json"),
        format!(
            "{{\"deterministic-output-path\":\"{error}\",\"error-message\":\"{}\"}}\n",
            reason.replace('"', "'")
        ),
    );
    ExitCode::from(2)
}
