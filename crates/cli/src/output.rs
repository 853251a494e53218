//! Command output: data on stdout, as text or as JSON (`--json`); messages on stderr.

use serde::Serialize;

/// What a command prints on stdout.
pub(crate) trait Output: Serialize {
    /// The text for people.
    fn human(&self) -> String;
}

/// Prints `output` on stdout, as JSON when `json` is set.
pub(crate) fn emit<T: Output>(output: &T, json: bool) {
    if json {
        match serde_json::to_string_pretty(output) {
            Ok(text) => println!("{text}"),
            Err(error) => eprintln!("error: could not encode the output as JSON: {error}"),
        }
    } else {
        println!("{}", output.human());
    }
}

/// A message for people, on stderr (nothing with `--json`, where stderr is kept for errors).
pub(crate) fn message(json: bool, text: &str) {
    if !json {
        eprintln!("{text}");
    }
}
