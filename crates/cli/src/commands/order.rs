//! `poco order`: sign orders, publish them on the market, take them out, show them, cancel them
//! on chain, and match them into a deal. Also the shared code of `poco app|dataset|workerpool
//! publish|unpublish`.
//!
//! An order file holds one signed order in its ABI JSON shape (its fields plus `sign`, as the
//! market's records carry it); its kind is told by its fields (`appprice`, `datasetprice`,
//! `workerpoolprice`, `requester`).

use crate::{
    context::Context,
    exit::CliError,
    output::{Output, emit, message},
};
use alloy_primitives::{Address, U256};
use clap::{Args, Subcommand};
use poco_sdk::{
    AnyOrderRecord, AppAddress, AppOrder, Cancelled, DatasetAddress, DatasetOrder, Filled,
    OrderHash, Poco, RequestOrder, SignedOrder, Tag, WorkerpoolAddress, WorkerpoolOrder,
    amount::{format_rlc, parse_rlc},
    app_order, dataset_order,
    market_api::{Book, OrderRecord, UnpublishTarget, Unpublished},
    request_for, request_order, workerpool_order,
};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// `poco order …`
#[derive(Debug, Subcommand)]
pub(crate) enum OrderCommand {
    /// Sign an order (app, dataset, workerpool or request) with the wallet; writes its JSON.
    #[command(after_help = "Examples:
  poco order sign --app 0x… --price 1RLC --volume 10 --key-file ./dev.key --out app-order.json
  poco order sign --workerpool 0x… --price 0.5RLC --category 0 --trust 1 --key-file ./pool.key
  poco order sign --request 0x… --workerpool-max-price 1RLC --args \"hello\" --key-file ./me.key")]
    Sign(Box<SignArgs>),
    /// Publish a signed order (a file, or `-` for stdin) on the market.
    #[command(after_help = "Examples:
  poco order publish app-order.json --key-file ./dev.key
  poco order sign --app 0x… --key-file ./dev.key | poco order publish - --key-file ./dev.key")]
    Publish {
        /// The order file, or `-` to read it from stdin.
        file: PathBuf,
    },
    /// Take the wallet's orders out of the market: one by hash, the last published or all.
    #[command(after_help = "Examples:
  poco order unpublish 0x…(order hash) --key-file ./dev.key
  poco order unpublish --last --app --key-file ./dev.key
  poco order unpublish --all --workerpool --resource 0x…(pool) --key-file ./pool.key")]
    Unpublish(UnpublishArgs),
    /// Show an order of the market by its hash.
    #[command(after_help = "Examples:
  poco order show 0x…
  poco --json order show 0x…")]
    Show {
        /// The order's hash.
        hash: OrderHash,
    },
    /// Cancel a signed order on chain (by its owner): it can never be matched again.
    #[command(after_help = "Examples:
  poco order cancel app-order.json --key-file ./dev.key")]
    Cancel {
        /// The order file, or `-` to read it from stdin.
        file: PathBuf,
    },
    /// Match orders into a deal on chain (`matchOrders`); the requester pays price × volume.
    #[command(after_help = "Examples:
  poco order fill --app 0x…(hash) --workerpool 0x…(hash) --key-file ./me.key
  poco order fill --app app.json --workerpool pool.json --request request.json --key-file ./me.key
  poco order fill --app 0x… --dataset data.json --workerpool 0x… --volume 5 --args \"x\" --key-file ./me.key")]
    Fill(FillArgs),
}

/// What every sell order (app, dataset, workerpool) takes: price, volume, tag, restrictions.
#[derive(Clone, Debug, Default, Args)]
pub(crate) struct SellArgs {
    /// Price per task: `1RLC`, `0.5 RLC`, `100nRLC` or a bare number of nRLC [default: 0].
    #[arg(long)]
    price: Option<String>,
    /// How many tasks the order may be used for, across deals.
    #[arg(long, default_value_t = 1)]
    volume: u64,
    /// Requirements (app, dataset) or what is offered (workerpool): names like `tee,scone`, or
    /// hex [default: none].
    #[arg(long)]
    tag: Option<Tag>,
    /// Workerpool orders: the category (task size) sold [default: 0].
    #[arg(long)]
    category: Option<u64>,
    /// Workerpool orders: the highest trust accepted [default: 0].
    #[arg(long)]
    trust: Option<u64>,
    /// Dataset and workerpool orders: only this app (or group of apps).
    #[arg(long, value_name = "ADDRESS")]
    app_restrict: Option<Address>,
    /// App and workerpool orders: only this dataset (or group); request orders: the dataset to
    /// use.
    #[arg(long, value_name = "ADDRESS")]
    dataset_restrict: Option<Address>,
    /// App and dataset orders: only this workerpool (or group); request orders: the same.
    #[arg(long, value_name = "ADDRESS")]
    workerpool_restrict: Option<Address>,
    /// Sell orders: only this requester (or group of requesters).
    #[arg(long, value_name = "ADDRESS")]
    requester_restrict: Option<Address>,
}

/// What a request order takes besides [`SellArgs`]' volume, tag, category, trust and
/// restrictions.
#[derive(Clone, Debug, Default, Args)]
pub(crate) struct RequestArgs {
    /// The max prices (a request order's default: 0).
    #[command(flatten)]
    max_prices: MaxPrices,
    /// Who may read the results [default: the requester].
    #[arg(long)]
    beneficiary: Option<Address>,
    /// A contract whose `receiveResult(bytes32,bytes)` gets each result.
    #[arg(long)]
    callback: Option<Address>,
    /// The app's arguments (`iexec_args` of the parameters).
    #[arg(long, conflicts_with = "params")]
    args: Option<String>,
    /// The raw parameters (JSON: `{"iexec_args": …, "iexec_input_files": […]}`).
    #[arg(long)]
    params: Option<String>,
}

/// The most a requester pays per task, to each party (`1RLC`, `0.5 RLC`, `100nRLC`, or a bare
/// number of nRLC); `poco order sign --request` and `poco app run` share them.
#[derive(Clone, Debug, Default, Args)]
pub(crate) struct MaxPrices {
    /// The most paid to the app's owner per task.
    #[arg(long, value_name = "AMOUNT")]
    pub(crate) app_max_price: Option<String>,
    /// The most paid to the dataset's owner per task.
    #[arg(long, value_name = "AMOUNT")]
    pub(crate) dataset_max_price: Option<String>,
    /// The most paid to the workerpool per task.
    #[arg(long, value_name = "AMOUNT")]
    pub(crate) workerpool_max_price: Option<String>,
}

/// `poco order sign` options.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("kind").required(true)
    .args(["app", "dataset", "workerpool", "request"])))]
pub(crate) struct SignArgs {
    /// Sign an app order for this app (the wallet owns it).
    #[arg(long, value_name = "APP")]
    app: Option<AppAddress>,
    /// Sign a dataset order for this dataset (the wallet owns it).
    #[arg(long, value_name = "DATASET")]
    dataset: Option<DatasetAddress>,
    /// Sign a workerpool order for this workerpool (the wallet owns it).
    #[arg(long, value_name = "WORKERPOOL")]
    workerpool: Option<WorkerpoolAddress>,
    /// Sign a request order to run this app (the wallet is the requester).
    #[arg(long, value_name = "APP")]
    request: Option<AppAddress>,
    /// The fields of sell orders (and volume, tag, category, trust of requests).
    #[command(flatten)]
    sell: SellArgs,
    /// The fields of request orders.
    #[command(flatten, next_help_heading = "Request orders")]
    request_fields: RequestArgs,
    /// Write the signed order to this file (else it is printed on stdout).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// `poco order unpublish` options.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["hash", "last", "all"])))]
pub(crate) struct UnpublishArgs {
    /// The order's hash.
    hash: Option<OrderHash>,
    /// The wallet's last published open order of the book.
    #[arg(long, requires = "book")]
    last: bool,
    /// Every open order of the wallet in the book.
    #[arg(long, requires = "book")]
    all: bool,
    /// The book (with --last or --all).
    #[command(flatten)]
    book: BookArgs,
    /// Only orders of this app, dataset or workerpool (request book: of this app).
    #[arg(long, value_name = "ADDRESS")]
    resource: Option<Address>,
}

/// Which book, for `--last` and `--all`.
#[derive(Debug, Args)]
#[group(id = "book", multiple = false)]
pub(crate) struct BookArgs {
    /// App orders.
    #[arg(long = "app")]
    app: bool,
    /// Dataset orders.
    #[arg(long = "dataset")]
    dataset: bool,
    /// Workerpool orders.
    #[arg(long = "workerpool")]
    workerpool: bool,
    /// Request orders.
    #[arg(long = "request")]
    request: bool,
}

impl BookArgs {
    fn book(&self) -> Option<Book> {
        [
            (self.app, Book::App),
            (self.dataset, Book::Dataset),
            (self.workerpool, Book::Workerpool),
            (self.request, Book::Request),
        ]
        .into_iter()
        .find_map(|(set, book)| set.then_some(book))
    }
}

/// `poco order fill` options.
#[derive(Debug, Args)]
pub(crate) struct FillArgs {
    /// The app order: a file, or the hash of a published one.
    #[arg(long, value_name = "FILE|HASH")]
    app: String,
    /// The dataset order, if the deal uses a dataset: a file or a hash.
    #[arg(long, value_name = "FILE|HASH")]
    dataset: Option<String>,
    /// The workerpool order: a file or a hash.
    #[arg(long, value_name = "FILE|HASH")]
    workerpool: String,
    /// The request order: a file or a hash [default: one signed now for the wallet, matching
    /// the other orders at their prices].
    #[arg(long, value_name = "FILE|HASH")]
    request: Option<String>,
    /// Without --request: the tasks to ask for.
    #[arg(long, default_value_t = 1, conflicts_with = "request")]
    volume: u64,
    /// Without --request: the app's arguments.
    #[arg(long, conflicts_with_all = ["request", "params"])]
    args: Option<String>,
    /// Without --request: the raw parameters (JSON).
    #[arg(long, conflicts_with = "request")]
    params: Option<String>,
    /// Without --request: the trust asked for (at most the workerpool order's).
    #[arg(long, conflicts_with = "request")]
    trust: Option<u64>,
}

/// A signed order of any kind, as order files hold them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub(crate) enum AnySignedOrder {
    /// An app order.
    App(SignedOrder<AppOrder>),
    /// A dataset order.
    Dataset(SignedOrder<DatasetOrder>),
    /// A workerpool order.
    Workerpool(SignedOrder<WorkerpoolOrder>),
    /// A request order.
    Request(SignedOrder<RequestOrder>),
}

impl AnySignedOrder {
    /// Parses an order file's JSON; its kind is told by its fields.
    fn parse(text: &str, origin: &str) -> Result<Self, CliError> {
        let bad = |reason: String| CliError::Input {
            message: format!("{origin} does not hold a signed order: {reason}"),
            hint: "pass a file written by `poco order sign --out <file>` (the order's fields \
                   and `sign`)"
                .to_owned(),
        };
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|error| bad(error.to_string()))?;
        let has = |field: &str| value.get(field).is_some();
        let parsed = if has("appprice") {
            serde_json::from_value(value).map(Self::App)
        } else if has("datasetprice") {
            serde_json::from_value(value).map(Self::Dataset)
        } else if has("workerpoolprice") {
            serde_json::from_value(value).map(Self::Workerpool)
        } else if has("requester") {
            serde_json::from_value(value).map(Self::Request)
        } else {
            return Err(bad(
                "no `appprice`, `datasetprice`, `workerpoolprice` or `requester` field".to_owned(),
            ));
        };
        parsed.map_err(|error| bad(error.to_string()))
    }

    fn book(&self) -> Book {
        match self {
            Self::App(_) => Book::App,
            Self::Dataset(_) => Book::Dataset,
            Self::Workerpool(_) => Book::Workerpool,
            Self::Request(_) => Book::Request,
        }
    }

    fn volume(&self) -> U256 {
        match self {
            Self::App(signed) => signed.volume,
            Self::Dataset(signed) => signed.volume,
            Self::Workerpool(signed) => signed.volume,
            Self::Request(signed) => signed.volume,
        }
    }

    fn hash(&self, poco: &Poco) -> OrderHash {
        match self {
            Self::App(signed) => poco.order_hash(&signed.order),
            Self::Dataset(signed) => poco.order_hash(&signed.order),
            Self::Workerpool(signed) => poco.order_hash(&signed.order),
            Self::Request(signed) => poco.order_hash(&signed.order),
        }
    }
}

/// Reads an order file (`-`: stdin).
async fn read_order(path: &Path) -> Result<AnySignedOrder, CliError> {
    let text = if path == Path::new("-") {
        tokio::task::spawn_blocking(|| std::io::read_to_string(std::io::stdin()))
            .await
            .unwrap_or_else(|error| Err(std::io::Error::other(error)))
    } else {
        tokio::fs::read_to_string(path).await
    }
    .map_err(|error| CliError::Input {
        message: format!("could not read {}: {error}", path.display()),
        hint: "check the path of the order file (`-` reads stdin)".to_owned(),
    })?;
    AnySignedOrder::parse(&text, &path.display().to_string())
}

/// A file path or the hash of a published order: a file when one exists at that path.
async fn resolve_order(poco: &Poco, source: &str) -> Result<AnySignedOrder, CliError> {
    let path = Path::new(source);
    if !tokio::fs::try_exists(path).await.unwrap_or(false)
        && let Ok(hash) = source.parse::<OrderHash>()
    {
        let record = poco.show_order(hash).await?;
        return Ok(match record {
            AnyOrderRecord::App(record) => AnySignedOrder::App(record.order),
            AnyOrderRecord::Dataset(record) => AnySignedOrder::Dataset(record.order),
            AnyOrderRecord::Workerpool(record) => AnySignedOrder::Workerpool(record.order),
            AnyOrderRecord::Request(record) => AnySignedOrder::Request(record.order),
        });
    }
    read_order(path).await
}

macro_rules! expect_kind {
    ($order:expr, $variant:ident, $flag:literal) => {
        match $order {
            AnySignedOrder::$variant(signed) => Ok(signed),
            other => Err(CliError::Input {
                message: format!(
                    "{} takes an order of the {} book, not one of the {} book",
                    $flag,
                    Book::$variant,
                    other.book()
                ),
                hint: "pass each order to its own option (--app, --dataset, --workerpool, \
                       --request)"
                    .to_owned(),
            }),
        }
    };
}

fn amount(value: Option<&String>) -> Result<U256, CliError> {
    Ok(value.map(|text| parse_rlc(text)).transpose()?.unwrap_or_default())
}

/// The options of [`SellArgs`] and the books they apply to (app, dataset, workerpool, request).
const APPLIES: [(&str, [bool; 4]); 7] = [
    ("--price (requests take --app-max-price, --workerpool-max-price…)", [true, true, true, false]),
    ("--category", [false, false, true, true]),
    ("--trust", [false, false, true, true]),
    ("--app-restrict", [false, true, true, false]),
    ("--dataset-restrict", [true, false, true, true]),
    ("--workerpool-restrict", [true, true, false, true]),
    ("--requester-restrict", [true, true, true, false]),
];

/// Fills a sell order's price, volume, tag and restrictions from [`SellArgs`].
macro_rules! sell_order {
    ($args:ident, $order:ident { $price:ident, $($field:ident: $restrict:ident),+ }, $base:expr) => {{
        $args.check(<$order as poco_sdk::BookOrder>::book())?;
        Ok($order {
            $price: amount($args.price.as_ref())?,
            volume: U256::from($args.volume),
            tag: $args.tag(),
            $($field: $args.$restrict.unwrap_or_default(),)+
            ..$base
        })
    }};
}

impl SellArgs {
    fn tag(&self) -> alloy_primitives::B256 {
        self.tag.unwrap_or_default().0
    }

    /// Refuses the options that mean nothing for `book`'s orders.
    fn check(&self, book: Book) -> Result<(), CliError> {
        let given = [
            self.price.is_some(),
            self.category.is_some(),
            self.trust.is_some(),
            self.app_restrict.is_some(),
            self.dataset_restrict.is_some(),
            self.workerpool_restrict.is_some(),
            self.requester_restrict.is_some(),
        ];
        let column = usize::try_from(book.index()).unwrap_or_default();
        match given.into_iter().zip(APPLIES).find(|(given, (_, books))| *given && !books[column]) {
            Some((_, (flag, _))) => Err(CliError::Input {
                message: format!("{flag} does not apply to {book} orders"),
                hint: format!("`poco order sign --help` says which options apply to {book} orders"),
            }),
            None => Ok(()),
        }
    }

    /// An app order for `app` with these fields.
    pub(crate) fn app_order(&self, app: AppAddress) -> Result<AppOrder, CliError> {
        sell_order!(
            self,
            AppOrder {
                appprice,
                datasetrestrict: dataset_restrict,
                workerpoolrestrict: workerpool_restrict,
                requesterrestrict: requester_restrict
            },
            app_order(app)
        )
    }

    /// A dataset order for `dataset` with these fields.
    pub(crate) fn dataset_order(&self, dataset: DatasetAddress) -> Result<DatasetOrder, CliError> {
        sell_order!(
            self,
            DatasetOrder {
                datasetprice,
                apprestrict: app_restrict,
                workerpoolrestrict: workerpool_restrict,
                requesterrestrict: requester_restrict
            },
            dataset_order(dataset)
        )
    }

    /// A workerpool order for `workerpool` with these fields.
    pub(crate) fn workerpool_order(
        &self,
        workerpool: WorkerpoolAddress,
    ) -> Result<WorkerpoolOrder, CliError> {
        let base = WorkerpoolOrder {
            trust: U256::from(self.trust.unwrap_or_default()),
            ..workerpool_order(workerpool, self.category.unwrap_or_default())
        };
        sell_order!(
            self,
            WorkerpoolOrder {
                workerpoolprice,
                apprestrict: app_restrict,
                datasetrestrict: dataset_restrict,
                requesterrestrict: requester_restrict
            },
            base
        )
    }

    /// A request order of `requester` for `app` with these fields and `request`'s.
    fn request_order(
        &self,
        app: AppAddress,
        request: &RequestArgs,
        requester: Address,
    ) -> Result<RequestOrder, CliError> {
        self.check(Book::Request)?;
        let base = request_order(app, requester);
        Ok(RequestOrder {
            appmaxprice: amount(request.max_prices.app_max_price.as_ref())?,
            dataset: self.dataset_restrict.unwrap_or_default(),
            datasetmaxprice: amount(request.max_prices.dataset_max_price.as_ref())?,
            workerpool: self.workerpool_restrict.unwrap_or_default(),
            workerpoolmaxprice: amount(request.max_prices.workerpool_max_price.as_ref())?,
            volume: U256::from(self.volume),
            tag: self.tag(),
            category: U256::from(self.category.unwrap_or_default()),
            trust: U256::from(self.trust.unwrap_or_default()),
            beneficiary: request.beneficiary.unwrap_or(requester),
            callback: request.callback.unwrap_or_default(),
            params: params(request.args.as_deref(), request.params.as_deref()),
            ..base
        })
    }
}

/// A request's `params`: raw, or `{"iexec_args": args}`, or none.
fn params(args: Option<&str>, raw: Option<&str>) -> String {
    match (args, raw) {
        (_, Some(raw)) => raw.to_owned(),
        (Some(args), None) => serde_json::json!({ "iexec_args": args }).to_string(),
        (None, None) => String::new(),
    }
}

/// A signed order and where it went.
#[derive(Debug, Serialize)]
struct SignedOutput {
    /// Its book.
    book: Book,
    /// Its hash.
    hash: OrderHash,
    /// The file written.
    file: PathBuf,
}

impl Output for SignedOutput {
    fn human(&self) -> String {
        format!("{} order {} written to {}", self.book, self.hash, self.file.display())
    }
}

impl Output for AnySignedOrder {
    fn human(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Aligned `name: value` lines.
pub(crate) fn aligned(lines: &[(&str, String)]) -> String {
    let width = lines.iter().map(|(name, _)| name.len()).max().unwrap_or(0) + 1;
    let line = |(name, value): &(&str, String)| format!("{:width$} {value}", format!("{name}:"));
    lines.iter().map(line).collect::<Vec<_>>().join("\n")
}

/// Zero as `any`, else the address.
fn restriction(address: Address) -> String {
    if address.is_zero() { "any".to_owned() } else { address.to_string() }
}

/// The lines of a sell order: its asset, price, volume, tag, then `extra` (restrictions, …).
fn sell_lines(
    asset: (&'static str, Address),
    price: U256,
    volume: U256,
    tag: alloy_primitives::B256,
    extra: Vec<(&'static str, String)>,
) -> Vec<(&'static str, String)> {
    let mut lines = vec![
        (asset.0, asset.1.to_string()),
        ("price", format_rlc(price)),
        ("volume", volume.to_string()),
        ("tag", Tag(tag).to_string()),
    ];
    lines.extend(extra);
    lines
}

/// The lines describing an order's own fields.
pub(crate) fn order_fields(order: &AnySignedOrder) -> Vec<(&'static str, String)> {
    let r = restriction;
    match order {
        AnySignedOrder::App(o) => sell_lines(
            ("app", o.app),
            o.appprice,
            o.volume,
            o.tag,
            vec![
                ("datasets", r(o.datasetrestrict)),
                ("workerpools", r(o.workerpoolrestrict)),
                ("requesters", r(o.requesterrestrict)),
            ],
        ),
        AnySignedOrder::Dataset(o) => {
            let extra = vec![
                ("apps", r(o.apprestrict)),
                ("workerpools", r(o.workerpoolrestrict)),
                ("requesters", r(o.requesterrestrict)),
            ];
            sell_lines(("dataset", o.dataset), o.datasetprice, o.volume, o.tag, extra)
        }
        AnySignedOrder::Workerpool(o) => {
            let extra = vec![
                ("category", o.category.to_string()),
                ("trust", o.trust.to_string()),
                ("apps", r(o.apprestrict)),
                ("datasets", r(o.datasetrestrict)),
                ("requesters", r(o.requesterrestrict)),
            ];
            sell_lines(("workerpool", o.workerpool), o.workerpoolprice, o.volume, o.tag, extra)
        }
        AnySignedOrder::Request(o) => vec![
            ("app", o.app.to_string()),
            ("app max price", format_rlc(o.appmaxprice)),
            (
                "dataset",
                if o.dataset.is_zero() { "none".to_owned() } else { o.dataset.to_string() },
            ),
            ("dataset max price", format_rlc(o.datasetmaxprice)),
            ("workerpool", r(o.workerpool)),
            ("pool max price", format_rlc(o.workerpoolmaxprice)),
            ("requester", o.requester.to_string()),
            ("beneficiary", o.beneficiary.to_string()),
            ("volume", o.volume.to_string()),
            ("tag", Tag(o.tag).to_string()),
            ("category", o.category.to_string()),
            ("trust", o.trust.to_string()),
            ("params", o.params.clone()),
        ],
    }
}

/// A market record as an order of any kind.
pub(crate) fn record_order(record: &AnyOrderRecord) -> AnySignedOrder {
    match record {
        AnyOrderRecord::App(r) => AnySignedOrder::App(r.order.clone()),
        AnyOrderRecord::Dataset(r) => AnySignedOrder::Dataset(r.order.clone()),
        AnyOrderRecord::Workerpool(r) => AnySignedOrder::Workerpool(r.order.clone()),
        AnyOrderRecord::Request(r) => AnySignedOrder::Request(r.order.clone()),
    }
}

/// A market record, for printing.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub(crate) struct RecordOutput(pub(crate) AnyOrderRecord);

impl Output for RecordOutput {
    fn human(&self) -> String {
        let record = &self.0;
        let order = record_order(record);
        let (remaining, volume) = (record.remaining(), order.volume());
        let mut lines = vec![
            ("hash", record.order_hash().to_string()),
            ("book", record.book().to_string()),
            ("status", record.status().as_str().to_owned()),
            ("remaining", format!("{remaining} of {volume}")),
            ("signer", record.signer().to_string()),
        ];
        lines.extend(order_fields(&order));
        aligned(&lines)
    }
}

/// Records of one kind as printable records.
pub(crate) trait IntoAnyRecord {
    /// The record as [`AnyOrderRecord`].
    fn into_any(self) -> AnyOrderRecord;
}

macro_rules! into_any {
    ($order:ident, $variant:ident) => {
        impl IntoAnyRecord for OrderRecord<$order> {
            fn into_any(self) -> AnyOrderRecord {
                AnyOrderRecord::$variant(self)
            }
        }
    };
}

into_any!(AppOrder, App);
into_any!(DatasetOrder, Dataset);
into_any!(WorkerpoolOrder, Workerpool);
into_any!(RequestOrder, Request);

impl Output for Unpublished {
    fn human(&self) -> String {
        if self.unpublished.is_empty() {
            return "nothing to unpublish (no open order of the wallet matched)".to_owned();
        }
        let hashes: Vec<String> = self.unpublished.iter().map(ToString::to_string).collect();
        format!("unpublished {}:\n{}", hashes.len(), hashes.join("\n"))
    }
}

impl Output for Cancelled {
    fn human(&self) -> String {
        let tx = format!("{} (block {})", self.tx.hash, self.tx.block);
        aligned(&[("cancelled", self.order_hash.to_string()), ("tx", tx)])
    }
}

impl Output for Filled {
    fn human(&self) -> String {
        aligned(&[
            ("deal", self.deal_id.to_string()),
            ("volume", self.volume.to_string()),
            ("task price", format_rlc(self.task_price)),
            ("tx", format!("{} (block {})", self.tx.hash, self.tx.block)),
        ])
    }
}

/// `poco app|dataset|workerpool publish` options.
#[derive(Debug, Args)]
pub(crate) struct PublishArgs {
    /// The app, dataset or workerpool (the wallet owns it).
    address: Address,
    /// The order's fields.
    #[command(flatten)]
    order: SellArgs,
}

/// `poco app|dataset|workerpool unpublish` options.
#[derive(Debug, Args)]
pub(crate) struct UnpublishAssetArgs {
    /// The app, dataset or workerpool.
    address: Address,
    /// Every open order of the wallet for it (by default, only the last published).
    #[arg(long)]
    all: bool,
}

/// Signs an order of `book` for the asset with the wallet and publishes it: `poco app publish`
/// and the same for datasets and workerpools.
pub(crate) async fn publish_asset(
    context: &Context,
    book: Book,
    args: PublishArgs,
) -> Result<(), CliError> {
    let address = args.address;
    let poco = context.connect_signed().await?;
    let record = match book {
        Book::App => {
            let order = poco.sign_app_order(args.order.app_order(AppAddress(address))?).await?;
            poco.publish_order(&order).await?.into_any()
        }
        Book::Dataset => {
            let order = args.order.dataset_order(DatasetAddress(address))?;
            poco.publish_order(&poco.sign_dataset_order(order).await?).await?.into_any()
        }
        Book::Workerpool | Book::Request => {
            let order = args.order.workerpool_order(WorkerpoolAddress(address))?;
            poco.publish_order(&poco.sign_workerpool_order(order).await?).await?.into_any()
        }
    };
    message(context.json(), &format!("Published {} order {}.", record.book(), record.order_hash()));
    emit(&RecordOutput(record), context.json());
    Ok(())
}

/// Takes the wallet's orders of the asset out of `book`: its last one, or all with `--all`.
pub(crate) async fn unpublish_asset(
    context: &Context,
    book: Book,
    args: UnpublishAssetArgs,
) -> Result<(), CliError> {
    let target = if args.all { UnpublishTarget::All } else { UnpublishTarget::Last };
    let poco = context.connect_signed().await?;
    emit(&poco.unpublish(book, target, None, Some(args.address)).await?, context.json());
    Ok(())
}

async fn sign(context: &Context, args: SignArgs) -> Result<(), CliError> {
    let poco = context.connect_signed().await?;
    let signed = if let Some(app) = args.app {
        AnySignedOrder::App(poco.sign_app_order(args.sell.app_order(app)?).await?)
    } else if let Some(dataset) = args.dataset {
        AnySignedOrder::Dataset(poco.sign_dataset_order(args.sell.dataset_order(dataset)?).await?)
    } else if let Some(pool) = args.workerpool {
        let order = args.sell.workerpool_order(pool)?;
        AnySignedOrder::Workerpool(poco.sign_workerpool_order(order).await?)
    } else if let Some(app) = args.request {
        let me = poco.signer_address().unwrap_or_default();
        let order = args.sell.request_order(app, &args.request_fields, me)?;
        AnySignedOrder::Request(poco.sign_request_order(order)?)
    } else {
        unreachable!("clap requires one of --app, --dataset, --workerpool, --request")
    };
    match args.out {
        Some(path) => {
            let json = serde_json::to_string_pretty(&signed).unwrap_or_default();
            tokio::fs::write(&path, format!("{json}\n")).await.map_err(|error| {
                CliError::Input {
                    message: format!("could not write {}: {error}", path.display()),
                    hint: "check that the folder exists and is writable".to_owned(),
                }
            })?;
            let output = SignedOutput { book: signed.book(), hash: signed.hash(&poco), file: path };
            emit(&output, context.json());
        }
        // The order itself is the data: JSON either way.
        None => emit(&signed, true),
    }
    Ok(())
}

async fn publish(context: &Context, file: &Path) -> Result<(), CliError> {
    let order = read_order(file).await?;
    let poco = context.connect_signed().await?;
    let record = match order {
        AnySignedOrder::App(order) => poco.publish_order(&order).await?.into_any(),
        AnySignedOrder::Dataset(order) => poco.publish_order(&order).await?.into_any(),
        AnySignedOrder::Workerpool(order) => poco.publish_order(&order).await?.into_any(),
        AnySignedOrder::Request(order) => poco.publish_order(&order).await?.into_any(),
    };
    message(context.json(), &format!("Published {} order {}.", record.book(), record.order_hash()));
    emit(&RecordOutput(record), context.json());
    Ok(())
}

async fn unpublish(context: &Context, args: UnpublishArgs) -> Result<(), CliError> {
    let poco = context.connect_signed().await?;
    let answer = match (args.hash, args.book.book()) {
        (Some(hash), _) => poco.unpublish_order(hash).await?,
        (None, Some(book)) => {
            let target = if args.all { UnpublishTarget::All } else { UnpublishTarget::Last };
            poco.unpublish(book, target, None, args.resource).await?
        }
        (None, None) => unreachable!("clap requires a book with --last and --all"),
    };
    emit(&answer, context.json());
    Ok(())
}

async fn cancel(context: &Context, file: &Path) -> Result<(), CliError> {
    let order = read_order(file).await?;
    let poco = context.connect_signed().await?;
    let cancelled = match &order {
        AnySignedOrder::App(signed) => poco.cancel_order(&signed.order).await?,
        AnySignedOrder::Dataset(signed) => poco.cancel_order(&signed.order).await?,
        AnySignedOrder::Workerpool(signed) => poco.cancel_order(&signed.order).await?,
        AnySignedOrder::Request(signed) => poco.cancel_order(&signed.order).await?,
    };
    emit(&cancelled, context.json());
    Ok(())
}

async fn fill(context: &Context, args: FillArgs) -> Result<(), CliError> {
    let poco = context.connect_signed().await?;
    let app = expect_kind!(resolve_order(&poco, &args.app).await?, App, "--app")?;
    let dataset = match &args.dataset {
        Some(source) => {
            Some(expect_kind!(resolve_order(&poco, source).await?, Dataset, "--dataset")?)
        }
        None => None,
    };
    let pool =
        expect_kind!(resolve_order(&poco, &args.workerpool).await?, Workerpool, "--workerpool")?;
    let request = match &args.request {
        Some(source) => expect_kind!(resolve_order(&poco, source).await?, Request, "--request")?,
        None => {
            let me = poco.signer_address().unwrap_or_default();
            let mut order =
                request_for(&app.order, dataset.as_ref().map(|d| &d.order), &pool.order, me);
            order.volume = U256::from(args.volume);
            order.trust = U256::from(args.trust.unwrap_or_default());
            order.params = params(args.args.as_deref(), args.params.as_deref());
            poco.sign_request_order(order)?
        }
    };
    let filled = poco.fill(&app, dataset.as_ref(), &pool, &request).await?;
    message(context.json(), &format!("Deal {} created.", filled.deal_id));
    emit(&filled, context.json());
    Ok(())
}

pub(crate) async fn run(context: &Context, command: OrderCommand) -> Result<(), CliError> {
    match command {
        OrderCommand::Sign(args) => sign(context, *args).await,
        OrderCommand::Publish { file } => publish(context, &file).await,
        OrderCommand::Unpublish(args) => unpublish(context, args).await,
        OrderCommand::Show { hash } => {
            let poco = context.connect().await?;
            emit(&RecordOutput(poco.show_order(hash).await?), context.json());
            Ok(())
        }
        OrderCommand::Cancel { file } => cancel(context, &file).await,
        OrderCommand::Fill(args) => fill(context, args).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_files_are_told_apart_by_their_fields() {
        let app = AnySignedOrder::App(SignedOrder::new(AppOrder::default(), Default::default()));
        let request =
            AnySignedOrder::Request(SignedOrder::new(RequestOrder::default(), Default::default()));
        for order in [app, request] {
            let json = serde_json::to_string(&order).unwrap_or_default();
            let parsed = AnySignedOrder::parse(&json, "x.json").ok();
            assert_eq!(parsed.as_ref().map(AnySignedOrder::book), Some(order.book()));
            assert_eq!(parsed, Some(order));
        }
        for bad in ["", "{}", "[1]", r#"{"appprice":"nope"}"#] {
            assert!(AnySignedOrder::parse(bad, "x.json").is_err(), "{bad}");
        }
    }

    #[test]
    fn options_foreign_to_a_kind_are_refused() {
        let args = SellArgs { trust: Some(1), ..SellArgs::default() };
        let cases = [
            (Book::App, false),
            (Book::Dataset, false),
            (Book::Workerpool, true),
            (Book::Request, true),
        ];
        for (book, accepted) in cases {
            assert_eq!(args.check(book).is_ok(), accepted, "{book}");
        }
        let price = SellArgs { price: Some("1RLC".into()), ..SellArgs::default() };
        assert!(price.check(Book::Request).is_err());
        assert!(price.check(Book::App).is_ok());
    }
}
