//! Wallets: load a signer from a key file or a keystore (through `poco_chain`), create new ones,
//! read a wallet's ETH and RLC balances.

use crate::{
    client::Poco,
    error::{Error, Result},
};
use alloy::primitives::{Address, U256};
use poco_chain::{PrivateKeySigner, SignerSource};
use serde::Serialize;
use std::path::{Path, PathBuf};
use tracing::info;

/// Loads the signer of `source` (a keystore's decryption runs on a blocking thread).
pub async fn load_signer(source: &SignerSource) -> Result<PrivateKeySigner> {
    Ok(source.load().await?)
}

/// A wallet just written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CreatedWallet {
    /// Its address.
    pub address: Address,
    /// Where it was written.
    pub path: PathBuf,
    /// How: `key_file` or `keystore`.
    pub kind: &'static str,
}

/// Writes a new random key as a hex key file at `path` (mode 0600 on Unix). Refuses to overwrite
/// an existing file.
pub async fn create_key_file(path: &Path) -> Result<CreatedWallet> {
    refuse_existing(path).await?;
    let signer = PrivateKeySigner::random();
    let content = format!("{}\n", signer.to_bytes());
    write_private(path, content.as_bytes()).await?;
    info!(address = %signer.address(), key_file = %path.display(), "Created a key file.");
    Ok(CreatedWallet { address: signer.address(), path: path.to_path_buf(), kind: "key_file" })
}

/// Writes a new random key as an encrypted keystore at `path`, with the password held in
/// `password_file` (a trailing newline is ignored). Refuses to overwrite an existing file.
pub async fn create_keystore(path: &Path, password_file: &Path) -> Result<CreatedWallet> {
    refuse_existing(path).await?;
    let password = tokio::fs::read_to_string(password_file).await.map_err(|source| {
        poco_chain::SignerError::Read { path: password_file.to_path_buf(), source }
    })?;
    let password = password.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        return Err(
            poco_chain::SignerError::EmptyPassword { path: password_file.to_path_buf() }.into()
        );
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name =
        path.file_name().and_then(|name| name.to_str()).ok_or_else(|| Error::WalletWrite {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"),
        })?;
    let signer = PrivateKeySigner::random();
    let written = poco_chain::write_keystore(&dir, &signer, password, Some(name)).await?;
    info!(address = %signer.address(), keystore = %written.display(), "Created a keystore.");
    Ok(CreatedWallet { address: signer.address(), path: written, kind: "keystore" })
}

async fn refuse_existing(path: &Path) -> Result<()> {
    if tokio::fs::try_exists(path).await.unwrap_or(true) {
        return Err(Error::WalletExists { path: path.to_path_buf() });
    }
    Ok(())
}

async fn write_private(path: &Path, content: &[u8]) -> Result<()> {
    let write_error = |source| Error::WalletWrite { path: path.to_path_buf(), source };
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(path).await.map_err(write_error)?;
    tokio::io::AsyncWriteExt::write_all(&mut file, content).await.map_err(write_error)?;
    tokio::io::AsyncWriteExt::flush(&mut file).await.map_err(write_error)
}

/// A wallet's balances.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WalletBalances {
    /// The wallet.
    pub address: Address,
    /// Ether, in wei.
    #[serde(serialize_with = "crate::amount::serialize_decimal")]
    pub eth: U256,
    /// RLC held by the wallet (not deposited), in nRLC.
    #[serde(serialize_with = "crate::amount::serialize_decimal")]
    pub rlc: U256,
}

// === impl Poco: wallet ===

impl Poco {
    /// The ETH and RLC balances of `address`.
    pub async fn wallet_balances(&self, address: Address) -> Result<WalletBalances> {
        let (eth, rlc) =
            tokio::try_join!(self.client().balance(address), self.rlc_balance(address))?;
        Ok(WalletBalances { address, eth, rlc })
    }

    /// The RLC (nRLC) held by `address`'s wallet.
    pub async fn rlc_balance(&self, address: Address) -> Result<U256, poco_chain::ChainError> {
        use poco_contracts::bindings::RLC;
        self.client().call(self.contracts().rlc, &RLC::balanceOfCall { account: address }).await
    }
}
