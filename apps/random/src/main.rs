//! random: a non-deterministic app. It writes the wall-clock time and a random number (from the
//! system's random source, through std's randomly seeded hasher) to `$IEXEC_OUT/result.txt`, so
//! two runs never agree: what replication and consensus must catch.

use std::{
    collections::hash_map::RandomState,
    env, fs,
    hash::{BuildHasher, Hasher},
    process::ExitCode,
    time::{SystemTime, UNIX_EPOCH},
};

fn main() -> ExitCode {
    let out = env::var("IEXEC_OUT").unwrap_or_else(|_| "/iexec_out".to_owned());
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(nanos);
    let line = format!("time_ns={nanos} random={:016x}", hasher.finish());
    println!("{line}");
    let result = format!("{out}/result.txt");
    let computed = format!("{{\"deterministic-output-path\":\"{result}\"}}\n");
    match fs::write(&result, format!("{line}\n"))
        .and_then(|()| fs::write(format!("{out}/computed.json"), computed))
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("random: cannot write to {out}: {err}");
            ExitCode::FAILURE
        }
    }
}
