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

/// A line of progress on stderr while a command waits: a spinner with a message on a terminal;
/// elsewhere (a pipe, a log file) each new message printed once on its own line; nothing with
/// `--json`.
pub(crate) struct Progress {
    bar: indicatif::ProgressBar,
    json: bool,
    last: String,
}

impl Progress {
    /// Starts a spinner showing `text`.
    pub(crate) fn start(json: bool, text: impl Into<String>) -> Self {
        let bar = if json {
            indicatif::ProgressBar::hidden()
        } else {
            indicatif::ProgressBar::new_spinner()
        };
        let mut progress = Self { bar, json, last: String::new() };
        if !progress.bar.is_hidden() {
            progress.bar.enable_steady_tick(std::time::Duration::from_millis(100));
        }
        progress.set(text);
        progress
    }

    /// Shows `text` (printed as a new line when there is no terminal and it changed).
    pub(crate) fn set(&mut self, text: impl Into<String>) {
        let text = text.into();
        if text == self.last {
            return;
        }
        if self.bar.is_hidden() {
            if !self.json {
                eprintln!("{text}");
            }
        } else {
            self.bar.set_message(text.clone());
        }
        self.last = text;
    }

    /// Removes the spinner.
    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
