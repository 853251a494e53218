//! What every command gets: the global options, turned into a chain, a connection and a signer.

use crate::{cli::GlobalArgs, exit::CliError};
use poco_sdk::{ChainFile, Error, NamedChain, Poco, SignerSource, wallet::load_signer};
use std::path::Path;

/// The chain file read when --chain-file is not given, if it exists.
pub(crate) const DEFAULT_CHAIN_FILE: &str = "poco-chain.json";

/// The global options and the helpers built on them.
#[derive(Clone, Debug)]
pub(crate) struct Context {
    /// The global options.
    pub(crate) global: GlobalArgs,
}

impl Context {
    /// Whether to print JSON.
    pub(crate) const fn json(&self) -> bool {
        self.global.json
    }

    /// The chain file (the built-in chains plus the file's).
    pub(crate) async fn chain_file(&self) -> Result<ChainFile, CliError> {
        let path = self.global.chain_file.as_deref();
        Ok(ChainFile::discover(path, Path::new(DEFAULT_CHAIN_FILE)).await?)
    }

    /// The chain picked by --chain.
    pub(crate) async fn chain(&self) -> Result<NamedChain, CliError> {
        Ok(self.chain_file().await?.select(self.global.chain.as_deref())?)
    }

    /// The wallet named by --key-file or --keystore/--password-file, if any.
    pub(crate) fn signer_source(&self) -> Result<Option<SignerSource>, CliError> {
        match (&self.global.key_file, &self.global.keystore, &self.global.password_file) {
            (Some(path), None, _) => Ok(Some(SignerSource::KeyFile { path: path.clone() })),
            (None, Some(path), Some(password_file)) => Ok(Some(SignerSource::Keystore {
                path: path.clone(),
                password_file: password_file.clone(),
            })),
            (None, Some(_), None) => Err(CliError::Input {
                message: "--keystore needs --password-file".to_owned(),
                hint: "pass --password-file <file>, a file holding the keystore's password"
                    .to_owned(),
            }),
            (None, None, _) => Ok(None),
            (Some(_), Some(_), _) => Err(CliError::Input {
                message: "--key-file and --keystore both given".to_owned(),
                hint: "pass only one of them".to_owned(),
            }),
        }
    }

    /// A read-only connection to the chain.
    pub(crate) async fn connect(&self) -> Result<Poco, CliError> {
        Ok(Poco::connect(self.chain().await?).await?)
    }

    /// A connection that signs with the wallet (loaded before connecting, so a bad key file is
    /// reported even when the node is down).
    pub(crate) async fn connect_signed(&self) -> Result<Poco, CliError> {
        let source = self.signer_source()?.ok_or(Error::NoWallet)?;
        let chain = self.chain().await?;
        let signer = load_signer(&source).await?;
        Ok(Poco::connect(chain).await?.with_signer(signer))
    }
}
