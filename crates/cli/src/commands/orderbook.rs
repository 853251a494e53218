//! `poco orderbook`: the market's books, best first, one page at a time.

use crate::{
    commands::order::{AnySignedOrder, IntoAnyRecord, record_order},
    context::Context,
    exit::CliError,
    output::{Output, emit, message},
};
use alloy_primitives::Address;
use clap::{Args, Subcommand};
use poco_sdk::{
    AnyOrderRecord, AppOrder, BookOrder, DatasetOrder, RequestOrder, Tag, WorkerpoolOrder,
    amount::format_rlc,
    market_api::{BookPage, BookQuery},
};
use serde::Serialize;

/// `poco orderbook …`
#[derive(Debug, Subcommand)]
pub(crate) enum OrderbookCommand {
    /// The app orders of an app.
    #[command(after_help = "Examples:
  poco orderbook app 0x…
  poco --json orderbook app 0x… --max-price 1RLC --limit 10")]
    App {
        /// The app.
        app: Address,
        /// Filters and page.
        #[command(flatten)]
        filters: Filters,
    },
    /// The dataset orders of a dataset.
    #[command(after_help = "Examples:
  poco orderbook dataset 0x…")]
    Dataset {
        /// The dataset.
        dataset: Address,
        /// Filters and page.
        #[command(flatten)]
        filters: Filters,
    },
    /// Workerpool orders: of one workerpool, or of all.
    #[command(after_help = "Examples:
  poco orderbook workerpool --category 0 --min-trust 1
  poco orderbook workerpool 0x… --tag tee,scone")]
    Workerpool {
        /// Only this workerpool's orders.
        workerpool: Option<Address>,
        /// Filters and page.
        #[command(flatten)]
        filters: Filters,
    },
    /// Request orders: of one requester, or of all.
    #[command(after_help = "Examples:
  poco orderbook requester 0x…
  poco orderbook requester --category 0 --limit 20 --cursor …")]
    Requester {
        /// Only this requester's orders.
        requester: Option<Address>,
        /// Filters and page.
        #[command(flatten)]
        filters: Filters,
    },
}

/// The filters of the market's list endpoint, and the page.
#[derive(Debug, Args)]
pub(crate) struct Filters {
    /// Category (workerpool and request books).
    #[arg(long)]
    category: Option<u64>,
    /// Only orders whose tag has every bit of this one (names like `tee,gpu`, or hex).
    #[arg(long)]
    tag: Option<Tag>,
    /// Only orders with at least this volume left.
    #[arg(long)]
    min_volume: Option<u64>,
    /// Only orders accepting at least this trust (workerpool book).
    #[arg(long)]
    min_trust: Option<u64>,
    /// Only orders at most this price (app, dataset and workerpool books): `1RLC`, `100nRLC`, …
    #[arg(long, value_name = "AMOUNT")]
    max_price: Option<String>,
    /// Orders per page (1 to 1000) [default: the market's, 100].
    #[arg(long)]
    limit: Option<u32>,
    /// Where the previous page ended (the `next page` line, or `nextCursor` with --json).
    #[arg(long)]
    cursor: Option<String>,
}

impl Filters {
    fn query(self) -> Result<BookQuery, CliError> {
        let max_price = match self.max_price {
            Some(text) => {
                let price = poco_sdk::amount::parse_rlc(&text)?;
                Some(u64::try_from(price).map_err(|_| CliError::Input {
                    message: format!("--max-price {text} is above what the hub can settle"),
                    hint: "pass a smaller price".to_owned(),
                })?)
            }
            None => None,
        };
        Ok(BookQuery {
            category: self.category,
            min_tag: self.tag,
            min_volume: self.min_volume,
            min_trust: self.min_trust,
            max_price,
            limit: self.limit,
            cursor: self.cursor,
            ..BookQuery::default()
        })
    }
}

/// One page of a book, for printing.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PageOutput {
    /// The records, best first.
    orders: Vec<AnyOrderRecord>,
    /// The cursor of the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

impl<O: BookOrder> From<BookPage<O>> for PageOutput
where
    poco_sdk::market_api::OrderRecord<O>: IntoAnyRecord,
{
    fn from(page: BookPage<O>) -> Self {
        Self {
            orders: page.orders.into_iter().map(IntoAnyRecord::into_any).collect(),
            next_cursor: page.next_cursor,
        }
    }
}

/// The columns of a row: price, remaining volume, tag, category, trust, then the asset (or the
/// requester) of the order.
fn row(record: &AnyOrderRecord) -> [String; 6] {
    let none = || "-".to_owned();
    let (price, tag, category, trust, who) = match record_order(record) {
        AnySignedOrder::App(o) => (o.appprice, o.tag, none(), none(), o.app),
        AnySignedOrder::Dataset(o) => (o.datasetprice, o.tag, none(), none(), o.dataset),
        AnySignedOrder::Workerpool(o) => {
            (o.workerpoolprice, o.tag, o.category.to_string(), o.trust.to_string(), o.workerpool)
        }
        AnySignedOrder::Request(o) => {
            (o.workerpoolmaxprice, o.tag, o.category.to_string(), o.trust.to_string(), o.requester)
        }
    };
    [
        format_rlc(price),
        record.remaining().to_string(),
        Tag(tag).to_string(),
        category,
        trust,
        who.to_string(),
    ]
}

impl Output for PageOutput {
    fn human(&self) -> String {
        if self.orders.is_empty() {
            return "no order".to_owned();
        }
        let header = ["HASH", "PRICE", "LEFT", "TAG", "CATEGORY", "TRUST", "ASSET/REQUESTER"];
        let mut rows: Vec<Vec<String>> = vec![header.iter().map(|h| (*h).to_owned()).collect()];
        for record in &self.orders {
            let mut line = vec![record.order_hash().to_string()];
            line.extend(row(record));
            rows.push(line);
        }
        let widths: Vec<usize> = (0..header.len())
            .map(|column| rows.iter().map(|row| row[column].len()).max().unwrap_or(0))
            .collect();
        rows.iter()
            .map(|row| {
                row.iter()
                    .zip(&widths)
                    .map(|(cell, width)| format!("{cell:width$}"))
                    .collect::<Vec<_>>()
                    .join("  ")
                    .trim_end()
                    .to_owned()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

async fn list<O: BookOrder>(context: &Context, query: BookQuery) -> Result<PageOutput, CliError>
where
    poco_sdk::market_api::OrderRecord<O>: IntoAnyRecord,
{
    let poco = context.connect().await?;
    Ok(poco.market()?.list::<O>(&query).await?.into())
}

pub(crate) async fn run(context: &Context, command: OrderbookCommand) -> Result<(), CliError> {
    let page = match command {
        OrderbookCommand::App { app, filters } => {
            list::<AppOrder>(context, BookQuery { app: Some(app), ..filters.query()? }).await?
        }
        OrderbookCommand::Dataset { dataset, filters } => {
            let query = BookQuery { dataset: Some(dataset), ..filters.query()? };
            list::<DatasetOrder>(context, query).await?
        }
        OrderbookCommand::Workerpool { workerpool, filters } => {
            let query = BookQuery { workerpool, ..filters.query()? };
            list::<WorkerpoolOrder>(context, query).await?
        }
        OrderbookCommand::Requester { requester, filters } => {
            let query = BookQuery { requester, ..filters.query()? };
            list::<RequestOrder>(context, query).await?
        }
    };
    if let Some(cursor) = &page.next_cursor {
        message(context.json(), &format!("next page: --cursor {cursor}"));
    }
    emit(&page, context.json());
    Ok(())
}
