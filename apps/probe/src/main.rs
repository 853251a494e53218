//! probe: the sandbox tests' app. Each argument is one probe, run in order; one line per probe
//! goes to stdout (`<probe> ok <detail>` or `<probe> err <error>`) and the whole report to
//! `$IEXEC_OUT/report.txt` at the end.
//!
//! Probes: `read:PATH`, `write:PATH`, `list:PATH`, `line:PATH:PREFIX` (the first line of the
//! file starting with PREFIX), `connect:HOST:PORT` (TCP, 2 s timeout), `alloc:MIB` (allocates
//! and touches that many MiB), `sleep:MS`, `spam:N` (prints N numbered lines to stdout),
//! `env:NAME`.

use std::{
    env, fs,
    io::Write as _,
    net::{TcpStream, ToSocketAddrs},
    time::Duration,
};

fn probe(spec: &str) -> Result<String, String> {
    let (op, arg) = spec.split_once(':').ok_or_else(|| "not <op>:<arg>".to_owned())?;
    match op {
        "read" => fs::read(arg).map(|b| format!("{} bytes", b.len())).map_err(|e| e.to_string()),
        "write" => fs::write(arg, b"written by probe\n")
            .map(|()| "written".to_owned())
            .map_err(|e| e.to_string()),
        "line" => {
            let (path, prefix) =
                arg.split_once(':').ok_or_else(|| "not <path>:<prefix>".to_owned())?;
            let text = fs::read_to_string(path).map_err(|e| e.to_string())?;
            text.lines()
                .find(|l| l.starts_with(prefix))
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .ok_or_else(|| format!("no line starting with {prefix}"))
        }
        "list" => fs::read_dir(arg)
            .map_err(|e| e.to_string())?
            .map(|entry| {
                entry
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|mut names| {
                names.sort();
                names.join(",")
            }),
        "connect" => {
            let addr =
                arg.to_socket_addrs().map_err(|e| e.to_string())?.next().ok_or("no address")?;
            TcpStream::connect_timeout(&addr, Duration::from_secs(2))
                .map(|_| format!("connected to {addr}"))
                .map_err(|e| e.to_string())
        }
        "alloc" => {
            let mib: usize = arg.parse().map_err(|_| "not a number of MiB".to_owned())?;
            let mut blocks: Vec<Vec<u8>> = Vec::new();
            for _ in 0..mib {
                // touch every page so the memory is really committed
                let mut block = vec![0u8; 1 << 20];
                for page in block.chunks_mut(4096) {
                    page[0] = 1;
                }
                blocks.push(block);
            }
            Ok(format!("{} MiB held", blocks.len()))
        }
        "sleep" => {
            let ms: u64 = arg.parse().map_err(|_| "not a number of milliseconds".to_owned())?;
            std::thread::sleep(Duration::from_millis(ms));
            Ok(format!("slept {ms} ms"))
        }
        "spam" => {
            let n: u64 = arg.parse().map_err(|_| "not a number of lines".to_owned())?;
            let mut stdout = std::io::stdout().lock();
            for i in 1..=n {
                writeln!(stdout, "spam line {i}").map_err(|e| e.to_string())?;
            }
            Ok(format!("{n} lines"))
        }
        "env" => env::var(arg).map_err(|e| e.to_string()),
        _ => Err(format!("unknown probe {op}")),
    }
}

fn main() {
    let out = env::var("IEXEC_OUT").unwrap_or_else(|_| "/iexec_out".to_owned());
    let mut report = String::new();
    for spec in env::args().skip(1) {
        let line = match probe(&spec) {
            Ok(detail) => format!("{spec} ok {detail}"),
            Err(err) => format!("{spec} err {err}"),
        };
        println!("{line}");
        let _ = std::io::stdout().flush();
        report.push_str(&line);
        report.push('\n');
    }
    if let Err(err) = fs::write(format!("{out}/report.txt"), report) {
        eprintln!("probe: cannot write the report: {err}");
    }
}
