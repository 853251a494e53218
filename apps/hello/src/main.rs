//! hello: writes its arguments to `$IEXEC_OUT/result.txt` and declares that file as the
//! deterministic output in `$IEXEC_OUT/computed.json` (the reference app contract).

use std::{env, fs, process::ExitCode};

fn main() -> ExitCode {
    let out = env::var("IEXEC_OUT").unwrap_or_else(|_| "/iexec_out".to_owned());
    let args: Vec<String> = env::args().skip(1).collect();
    let greeting = if args.is_empty() {
        "Hello, World!".to_owned()
    } else {
        format!("Hello, {}!", args.join(" "))
    };
    println!("{greeting}");
    let result = format!("{out}/result.txt");
    let computed = format!("{{\"deterministic-output-path\":\"{result}\"}}\n");
    match fs::write(&result, format!("{greeting}\n"))
        .and_then(|()| fs::write(format!("{out}/computed.json"), computed))
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("hello: cannot write to {out}: {err}");
            ExitCode::FAILURE
        }
    }
}
