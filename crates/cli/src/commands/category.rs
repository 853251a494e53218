//! `poco category`: the task sizes of the deployment.

use crate::{
    commands::order::aligned,
    context::Context,
    exit::CliError,
    output::{Output, emit},
};
use clap::Subcommand;
use poco_sdk::{CategoryCount, CategoryInfo, CreatedCategory};

/// `poco category …`
#[derive(Debug, Subcommand)]
pub(crate) enum CategoryCommand {
    /// Create a category (the wallet must be the hub's owner; on the devchain, dev account 0).
    #[command(after_help = "Examples:
  poco category create --name XXL --description \"two days\" --time 172800 --key-file ./owner.key")]
    Create {
        /// Its name.
        #[arg(long)]
        name: String,
        /// Its description.
        #[arg(long, default_value = "")]
        description: String,
        /// The time one task may take, in seconds (`workClockTimeRef`; deadlines are multiples).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        time: u64,
    },
    /// Show a category.
    #[command(after_help = "Examples:
  poco category show 0
  poco --json category show 2")]
    Show {
        /// Its id.
        id: u64,
    },
    /// How many categories there are (ids 0 to count − 1).
    #[command(after_help = "Examples:
  poco category count")]
    Count,
}

impl Output for CategoryInfo {
    fn human(&self) -> String {
        aligned(&category_lines(self))
    }
}

fn category_lines(category: &CategoryInfo) -> Vec<(&'static str, String)> {
    vec![
        ("category", category.id.to_string()),
        ("name", category.name.clone()),
        ("description", category.description.clone()),
        ("time", format!("{} s per task", category.work_clock_time_ref)),
    ]
}

impl Output for CreatedCategory {
    fn human(&self) -> String {
        let mut lines = category_lines(&self.category);
        lines.push(("tx", format!("{} (block {})", self.tx.hash, self.tx.block)));
        aligned(&lines)
    }
}

impl Output for CategoryCount {
    fn human(&self) -> String {
        self.count.to_string()
    }
}

pub(crate) async fn run(context: &Context, command: CategoryCommand) -> Result<(), CliError> {
    match command {
        CategoryCommand::Create { name, description, time } => {
            let poco = context.connect_signed().await?;
            emit(&poco.create_category(name, description, time).await?, context.json());
        }
        CategoryCommand::Show { id } => {
            let poco = context.connect().await?;
            emit(&poco.category(id).await?, context.json());
        }
        CategoryCommand::Count => {
            let poco = context.connect().await?;
            emit(&poco.category_count().await?, context.json());
        }
    }
    Ok(())
}
