//! fail: an app that fails gracefully. It writes the reason to `$IEXEC_OUT/error.txt`, a
//! `computed.json` pointing to it, a line on stderr, and exits with the code given as its first
//! argument (1 by default).

use std::{env, fs, process::ExitCode};

fn main() -> ExitCode {
    let out = env::var("IEXEC_OUT").unwrap_or_else(|_| "/iexec_out".to_owned());
    let code: u8 = env::args().nth(1).and_then(|a| a.parse().ok()).filter(|c| *c != 0).unwrap_or(1);
    let reason = format!("the app failed on purpose (exit code {code})");
    eprintln!("fail: {reason}");
    let error = format!("{out}/error.txt");
    let _ = fs::write(&error, format!("{reason}\n"));
    let _ = fs::write(
        format!("{out}/computed.json"),
        format!("{{\"deterministic-output-path\":\"{error}\",\"error-message\":\"{reason}\"}}\n"),
    );
    ExitCode::from(code)
}
