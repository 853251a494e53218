//! Errors of the CLI, their exit codes (listed in `poco --help`) and what to do next.

use poco_sdk::{Error as SdkError, ErrorKind, Funds, amount::format_amount};
use serde_json::json;
use std::{error::Error as _, process::ExitCode};

/// An error of a command.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// From the SDK.
    #[error(transparent)]
    Sdk(#[from] SdkError),
    /// `poco devnet` could not start or stop.
    #[error(transparent)]
    Devnet(Box<poco_devnet::DevnetError>),
    /// Ctrl-C or SIGTERM cannot be listened for.
    #[error("could not listen for Ctrl-C or SIGTERM: {0}")]
    Signals(#[source] std::io::Error),
    /// Bad input the SDK never sees (a file to hash, …).
    #[error("{message}")]
    Input {
        /// What is wrong.
        message: String,
        /// What to do.
        hint: String,
    },
}

/// Exit code: unexpected failure.
pub(crate) const INTERNAL: u8 = 1;

impl CliError {
    /// The process exit code (see `poco --help`).
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Self::Sdk(error) => match error.kind() {
                ErrorKind::Config => 3,
                ErrorKind::Wallet => 4,
                ErrorKind::Connection => 5,
                ErrorKind::InsufficientFunds => 6,
                ErrorKind::Transaction => 7,
                ErrorKind::NotFound => 8,
                ErrorKind::InvalidInput => 9,
                ErrorKind::Timeout => 10,
            },
            Self::Devnet(error) => devnet_exit_code(error),
            Self::Signals(_) => INTERNAL,
            Self::Input { .. } => 9,
        }
    }

    /// The error's kind, for `--json`.
    fn kind(&self) -> serde_json::Value {
        match self {
            Self::Sdk(error) => json!(error.kind()),
            Self::Devnet(error) => json!(match devnet_exit_code(error) {
                5 => "connection",
                9 => "invalid_input",
                _ => "internal",
            }),
            Self::Signals(_) => json!("internal"),
            Self::Input { .. } => json!("invalid_input"),
        }
    }

    /// What the user can do next.
    pub(crate) fn hint(&self) -> String {
        let error = match self {
            Self::Sdk(error) => error,
            Self::Input { hint, .. } => return hint.clone(),
            Self::Devnet(error) => return devnet_hint(error),
            Self::Signals(_) => {
                return "run it in a terminal or under a supervisor that can \
                deliver signals"
                    .to_owned();
            }
        };
        match error {
            SdkError::UnknownChain { .. } => "pick a known chain with --chain, or name this one \
                in the chain file (--chain-file, default ./poco-chain.json; `poco chain --help` \
                shows the format)"
                .to_owned(),
            SdkError::ChainFileRead { .. } | SdkError::ChainFileParse { .. } => {
                "fix the chain file or pass another with --chain-file (`poco chain --help` shows \
                 the format)"
                    .to_owned()
            }
            SdkError::Signer(_) => "check the wallet: --key-file takes a file holding a hex \
                private key, --keystore takes a keystore and --password-file its password; \
                `poco wallet create --key-file <file>` makes a new one"
                .to_owned(),
            SdkError::NoWallet => "pass --key-file <file>, or --keystore <file> with \
                --password-file <file> (`poco wallet create --key-file <file>` makes one)"
                .to_owned(),
            SdkError::WalletExists { .. } => {
                "choose another path: an existing wallet is never overwritten".to_owned()
            }
            SdkError::WalletWrite { .. } => {
                "check that the folder exists and is writable".to_owned()
            }
            SdkError::Connect { chain, .. } => format!(
                "is the node running? For `dev`, start one with `cargo run -p poco-devchain`; \
                 otherwise check rpc_url and chain_id of `{chain}` in the chain file"
            ),
            SdkError::NoHub { chain, .. } => {
                format!("check the hub address of `{chain}` in the chain file")
            }
            SdkError::Chain(_) => "retry; run with -v for details".to_owned(),
            SdkError::Tx { .. } => {
                "nothing was changed on chain; run with -v for details, then retry".to_owned()
            }
            SdkError::Insufficient { funds, available, .. } => {
                let missing = error.missing().unwrap_or_default();
                let show = |amount| format_amount(amount, funds.decimals(), funds.unit());
                match funds {
                    Funds::Deposit => format!(
                        "at most {} can be withdrawn now (`poco account show` shows the \
                         balances), or deposit {} more with `poco account deposit {}`",
                        show(*available),
                        show(missing),
                        show(missing).replace(' ', "")
                    ),
                    Funds::WalletRlc => format!(
                        "the wallet holds {}: get {} more RLC into it, or deposit less",
                        show(*available),
                        show(missing)
                    ),
                    Funds::DealPayment => format!(
                        "deposit {} more with `poco account deposit {}` (`poco account show` \
                         shows the balances), or ask for fewer tasks",
                        show(missing),
                        show(missing).replace(' ', "")
                    ),
                    Funds::Eth => {
                        "send some ETH to this wallet to pay for gas (`poco wallet show` shows \
                         its address)"
                            .to_owned()
                    }
                }
            }
            SdkError::InvalidAmount { .. } => {
                "write amounts like `5RLC`, `1.5 RLC`, `100nRLC` or `100` (nRLC)".to_owned()
            }
            SdkError::NotFound { kind, .. } => {
                format!("check the address and --chain; `poco {kind} deploy` registers a new one")
            }
            SdkError::NoServiceUrl { .. } => {
                "add the URL to the chain's entry in the chain file (`poco chain --help` shows \
                 the format); `poco devnet` writes a complete one in its data folder"
                    .to_owned()
            }
            SdkError::Service { service, .. } => format!(
                "is the {service} running? Check {} of this chain in the chain file (`poco \
                 chain show`), then retry; run with -v for details",
                service.url_key()
            ),
            SdkError::NoMatch { app, category, .. } => format!(
                "see what is offered with `poco orderbook app {app}` and `poco orderbook \
                 workerpool --category {category}`; a lower --trust, another --category or \
                 higher max prices may match"
            ),
            SdkError::UnknownDeal { .. } => {
                "check the deal id and --chain (`poco app run` prints the deal it made)".to_owned()
            }
            SdkError::UnknownTask { .. } => {
                "check the task id and --chain; `poco deal show <deal>` lists a deal's tasks"
                    .to_owned()
            }
            SdkError::NotClaimable { .. } => {
                "a task can be claimed only after its final deadline, if it has not ended: \
                 `poco task show <task>` shows both"
                    .to_owned()
            }
            SdkError::NoResult { .. } => {
                "wait for the task to complete (`poco task show <task> --watch`); a task \
                 that failed has no result, its price was refunded"
                    .to_owned()
            }
            SdkError::ResultArchive { .. } => {
                "check that the folder given to --download is writable, then retry".to_owned()
            }
            SdkError::WatchTimeout { task, .. } => format!(
                "the task goes on without you: `poco task show {task} --watch` follows it again, \
                 `poco task claim {task}` refunds it after its final deadline"
            ),
            SdkError::Market { code, .. } => market_hint(*code),
            SdkError::OrderNotFound { .. } => "check the hash and --chain; `poco orderbook \
                app|dataset|workerpool|requester` lists the published orders"
                .to_owned(),
            SdkError::OrderUsedUp { .. } => "sign a new order (`poco order sign`), or pick \
                another one from `poco orderbook`"
                .to_owned(),
            SdkError::InvalidOrder { .. } => {
                "check the order's fields (`poco order sign --help` shows them)".to_owned()
            }
            SdkError::MissingEvent { .. } => {
                "the transaction landed but did not do what was expected: check it with -v, \
                 then retry"
                    .to_owned()
            }
            SdkError::Sign(_) => "check the wallet (--key-file or --keystore)".to_owned(),
            SdkError::UnknownCategory { .. } => {
                "`poco category count` gives how many there are; the hub's owner adds one with \
                 `poco category create`"
                    .to_owned()
            }
            SdkError::NotHubOwner { owner, .. } => format!(
                "only the hub's owner ({owner}) can do this: pass its wallet (on the devchain, \
                 dev account 0)"
            ),
            SdkError::AlreadyDeployed { kind, address } => format!(
                "use it as it is (`poco {kind} show {address}`), or change its name to register \
                 another"
            ),
        }
    }

    /// Prints the error on stderr (as JSON with `--json`) and gives the exit code.
    pub(crate) fn report(&self, json: bool) -> ExitCode {
        let code = self.exit_code();
        let mut causes = Vec::new();
        let mut source = self.source();
        // A transparent variant's first source is its own message's source.
        while let Some(cause) = source {
            let text = cause.to_string();
            if !self.to_string().contains(&text) {
                causes.push(text);
            }
            source = cause.source();
        }
        let hint = self.hint();
        if json {
            let error = json!({ "error": {
                "kind": self.kind(),
                "exit_code": code,
                "message": self.to_string(),
                "causes": causes,
                "hint": hint,
            }});
            eprintln!("{error}");
        } else {
            eprintln!("error: {self}");
            for cause in &causes {
                eprintln!("  caused by: {cause}");
            }
            eprintln!("hint: {hint}");
        }
        ExitCode::from(code)
    }
}

/// What to do about a refusal of the market, by its stable code.
fn market_hint(code: poco_sdk::market_api::ErrorCode) -> String {
    use poco_sdk::market_api::ErrorCode;
    match code {
        ErrorCode::BadSignature | ErrorCode::MalformedSignature => "sign the order again with \
            the owner's wallet on this chain (`poco order sign --chain <name>`): a signature \
            holds the chain id and the hub"
            .to_owned(),
        ErrorCode::NotOwner => {
            "sign with the wallet that owns the app, dataset or workerpool (or the requester's)"
                .to_owned()
        }
        ErrorCode::UnknownAsset => {
            "deploy the asset first (`poco app|dataset|workerpool deploy`), on this chain"
                .to_owned()
        }
        ErrorCode::UnknownCategory => "`poco category count` gives the categories".to_owned(),
        ErrorCode::AlreadyPublished => {
            "it is in the book already: `poco order show <hash>` shows it".to_owned()
        }
        ErrorCode::OrderCancelled | ErrorCode::OrderConsumed => {
            "this order can no longer be used: sign a new one (`poco order sign`)".to_owned()
        }
        ErrorCode::OrderNotFound | ErrorCode::NotFound => {
            "check the hash; `poco orderbook` lists the published orders".to_owned()
        }
        ErrorCode::InsufficientFunds => {
            "deposit RLC to pay at least one task (`poco account deposit <amount>`)".to_owned()
        }
        ErrorCode::InsufficientStake => "the workerpool's owner must deposit RLC to cover the \
            scheduler's stake (`poco account deposit <amount>`)"
            .to_owned(),
        ErrorCode::TooManyOpenOrders => {
            "unpublish some (`poco order unpublish --all --app|…`) and retry".to_owned()
        }
        ErrorCode::AuthExpired => "check this machine's clock, then retry".to_owned(),
        ErrorCode::RateLimited | ErrorCode::ChainUnavailable | ErrorCode::Internal => {
            "retry in a moment; run with -v for details".to_owned()
        }
        _ => "fix the request as the message says, then retry".to_owned(),
    }
}

/// Whether a listening socket of the devnet was refused its address (a port in use).
fn port_in_use(error: &poco_devnet::DevnetError) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::AddrInUse | std::io::ErrorKind::AddrNotAvailable
            )
        {
            return true;
        }
        source = cause.source();
    }
    let text = error.to_string();
    text.contains("ddress already in use") || text.contains("could not listen")
}

/// `poco devnet`'s errors: a busy port is a network error (5), a folder that cannot be used or
/// holds something else is invalid input (9), anything else unexpected (1).
fn devnet_exit_code(error: &poco_devnet::DevnetError) -> u8 {
    use poco_devnet::DevnetError;
    if port_in_use(error) {
        return 5;
    }
    match error {
        DevnetError::DataDir { .. } | DevnetError::State { .. } => 9,
        DevnetError::Chain(
            poco_devchain::Error::DataDir { .. }
            | poco_devchain::Error::ForeignDataDir { .. }
            | poco_devchain::Error::Replay(_),
        ) => 9,
        _ => INTERNAL,
    }
}

/// What to do about a `poco devnet` error.
fn devnet_hint(error: &poco_devnet::DevnetError) -> String {
    if port_in_use(error) {
        return "another program (maybe another devnet) uses one of the ports 8545, 8080, 7070, \
            13200: stop it, or pass --any-ports (the chain file in the data folder names the \
            ports taken)"
            .to_owned();
    }
    match devnet_exit_code(error) {
        9 => "check the folder given to --data-dir (it must be writable); if it holds a broken \
            or foreign devnet, delete it or pass another --data-dir to start afresh"
            .to_owned(),
        _ => "run with -v for details; if it persists, start afresh with another --data-dir"
            .to_owned(),
    }
}
