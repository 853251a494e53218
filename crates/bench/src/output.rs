//! What every benchmark binary writes next to its figures: when, which commit, which build, and
//! the files themselves (`<out>` as JSON, the same path with `.md` as a table).

use std::{
    path::{Path, PathBuf},
    process::Command,
};

/// The short commit of the workspace, or `unknown` outside a git checkout.
pub fn commit() -> String {
    git(&poco_reference::workspace_root(), &["rev-parse", "--short=12", "HEAD"])
        .unwrap_or_else(|| "unknown".into())
}

/// The cargo profile this binary was built with: `debug`, or `optimized`.
pub fn profile() -> String {
    if cfg!(debug_assertions) { "debug" } else { "optimized" }.into()
}

/// Logical CPUs of the machine.
pub fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).current_dir(root).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// `<binary> --version`'s first line, or `<fallback>`.
pub fn version(binary: &Path, fallback: &str) -> String {
    Command::new(binary)
        .arg("--version")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.lines().next().map(str::to_owned))
        .unwrap_or_else(|| fallback.into())
}

/// Writes `json` to `out` and `markdown` to `out` with the `.md` extension (folders created);
/// returns the Markdown file's path.
pub fn write_report(out: &Path, json: &str, markdown: &str) -> std::io::Result<PathBuf> {
    if let Some(dir) = out.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(out, format!("{json}\n"))?;
    let md_path = out.with_extension("md");
    std::fs::write(&md_path, markdown)?;
    Ok(md_path)
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to a (year, month, day) of the proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }
}
