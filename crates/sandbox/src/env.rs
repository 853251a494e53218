//! [`AppEnv`]: the reference environment variables an app gets (offchain-reference §2.3).

use crate::spec::IEXEC_IN;
use alloy_primitives::Address;
use poco_primitives::ids::{DealId, TaskId};
use std::collections::BTreeMap;

/// What the worker knows about a task, turned into the reference variables by [`Self::vars`]:
/// `IEXEC_DEAL_ID`, `IEXEC_TASK_INDEX`, `IEXEC_TASK_ID`, `IEXEC_BOT_SIZE`,
/// `IEXEC_BOT_FIRST_INDEX`, `IEXEC_BOT_TASK_INDEX`, `IEXEC_DATASET_ADDRESS`,
/// `IEXEC_DATASET_FILENAME`, `IEXEC_INPUT_FILES_NUMBER` (and its older name
/// `IEXEC_NB_INPUT_FILES`, which earlier apps read), and with input files
/// `IEXEC_INPUT_FILES_FOLDER` and `IEXEC_INPUT_FILE_NAME_1..N`. (`IEXEC_IN` and `IEXEC_OUT` are
/// added by every executor.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppEnv {
    /// The deal.
    pub deal_id: DealId,
    /// The task's index in the deal.
    pub task_index: u64,
    /// The task.
    pub task_id: TaskId,
    /// The deal's bag of tasks size.
    pub bot_size: u64,
    /// The deal's first task index.
    pub bot_first_index: u64,
    /// The dataset, if the deal has one: its address (also its file name in `/iexec_in`).
    pub dataset: Option<Address>,
    /// The input files' names in `/iexec_in`, in the request's order.
    pub input_files: Vec<String>,
}

impl AppEnv {
    /// The variables, by name.
    pub fn vars(&self) -> BTreeMap<String, String> {
        let mut vars = BTreeMap::new();
        let mut set = |k: &str, v: String| {
            vars.insert(k.to_owned(), v);
        };
        set("IEXEC_DEAL_ID", self.deal_id.to_string());
        set("IEXEC_TASK_INDEX", self.task_index.to_string());
        set("IEXEC_TASK_ID", self.task_id.to_string());
        set("IEXEC_BOT_SIZE", self.bot_size.to_string());
        set("IEXEC_BOT_FIRST_INDEX", self.bot_first_index.to_string());
        set(
            "IEXEC_BOT_TASK_INDEX",
            self.task_index.saturating_sub(self.bot_first_index).to_string(),
        );
        let dataset = self.dataset.map(|a| a.to_string()).unwrap_or_default();
        set("IEXEC_DATASET_ADDRESS", dataset.clone());
        set("IEXEC_DATASET_FILENAME", dataset);
        set("IEXEC_INPUT_FILES_NUMBER", self.input_files.len().to_string());
        set("IEXEC_NB_INPUT_FILES", self.input_files.len().to_string());
        if !self.input_files.is_empty() {
            set("IEXEC_INPUT_FILES_FOLDER", IEXEC_IN.to_owned());
            for (i, name) in self.input_files.iter().enumerate() {
                set(&format!("IEXEC_INPUT_FILE_NAME_{}", i + 1), name.clone());
            }
        }
        vars
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{B256, address};

    #[test]
    fn reference_variables() {
        let env = AppEnv {
            deal_id: DealId::from(B256::repeat_byte(0xde)),
            task_index: 7,
            task_id: TaskId::from(B256::repeat_byte(0x7a)),
            bot_size: 10,
            bot_first_index: 5,
            dataset: Some(address!("0x00000000000000000000000000000000000000d5")),
            input_files: vec!["a.txt".into(), "b.bin".into()],
        };
        let vars = env.vars();
        assert_eq!(vars["IEXEC_TASK_ID"], format!("0x{}", "7a".repeat(32)));
        assert_eq!(vars["IEXEC_DEAL_ID"], format!("0x{}", "de".repeat(32)));
        assert_eq!(vars["IEXEC_TASK_INDEX"], "7");
        assert_eq!(vars["IEXEC_BOT_TASK_INDEX"], "2");
        assert_eq!(vars["IEXEC_DATASET_FILENAME"], env.dataset.unwrap().to_string());
        assert_eq!(vars["IEXEC_DATASET_ADDRESS"], vars["IEXEC_DATASET_FILENAME"]);
        assert_eq!(vars["IEXEC_INPUT_FILES_NUMBER"], "2");
        assert_eq!(vars["IEXEC_NB_INPUT_FILES"], "2");
        assert_eq!(vars["IEXEC_INPUT_FILES_FOLDER"], "/iexec_in");
        assert_eq!(vars["IEXEC_INPUT_FILE_NAME_2"], "b.bin");
        assert!(!vars.contains_key("IEXEC_INPUT_FILE_NAME_3"));

        let bare = AppEnv { dataset: None, input_files: vec![], ..env }.vars();
        assert_eq!(bare["IEXEC_INPUT_FILES_NUMBER"], "0");
        assert_eq!(bare["IEXEC_DATASET_FILENAME"], "");
        assert!(!bare.contains_key("IEXEC_INPUT_FILES_FOLDER"));
    }
}
