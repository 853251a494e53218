//! Signers from an encrypted keystore (Web3 Secret Storage) or from a key file; never from a
//! command-line flag or an environment variable.

use crate::error::SignerError;
use alloy::{primitives::B256, signers::local::PrivateKeySigner};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tracing::info;

/// Where a signing key comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum SignerSource {
    /// An encrypted keystore (Web3 Secret Storage JSON, as written by geth, foundry's
    /// `cast wallet`, the iExec SDK), unlocked with the password held in `password_file`.
    Keystore {
        /// The keystore JSON file.
        path: PathBuf,
        /// A file holding the password (a trailing newline is ignored).
        password_file: PathBuf,
    },
    /// A file holding the private key in hex (with or without `0x`; surrounding whitespace is
    /// ignored). Protect it with file permissions.
    KeyFile {
        /// The key file.
        path: PathBuf,
    },
}

impl SignerSource {
    /// Loads the signer. Keystore decryption (scrypt) runs on a blocking thread.
    pub async fn load(&self) -> Result<PrivateKeySigner, SignerError> {
        match self {
            Self::Keystore { path, password_file } => load_keystore(path, password_file).await,
            Self::KeyFile { path } => load_key_file(path).await,
        }
    }
}

/// Decrypts the keystore at `path` with the password read from `password_file`.
pub async fn load_keystore(
    path: &Path,
    password_file: &Path,
) -> Result<PrivateKeySigner, SignerError> {
    let password = read(password_file).await?;
    let password = password.strip_suffix('\n').unwrap_or(&password);
    let password = password.strip_suffix('\r').unwrap_or(password).to_owned();
    if password.is_empty() {
        return Err(SignerError::EmptyPassword { path: password_file.to_path_buf() });
    }
    let keystore = path.to_path_buf();
    let signer = tokio::task::spawn_blocking(move || {
        PrivateKeySigner::decrypt_keystore(&keystore, password)
            .map_err(|source| SignerError::Keystore { path: keystore, source })
    })
    .await
    .map_err(SignerError::Task)??;
    info!(address = %signer.address(), keystore = %path.display(), "Loaded signer from keystore.");
    Ok(signer)
}

/// Reads a hex private key from `path`.
pub async fn load_key_file(path: &Path) -> Result<PrivateKeySigner, SignerError> {
    let content = read(path).await?;
    let invalid = || SignerError::InvalidKey { path: path.to_path_buf() };
    let key: B256 = content.trim().parse().map_err(|_| invalid())?;
    let signer = PrivateKeySigner::from_bytes(&key).map_err(|_| invalid())?;
    info!(address = %signer.address(), key_file = %path.display(), "Loaded signer from key file.");
    Ok(signer)
}

/// Writes `signer`'s key as an encrypted keystore in `dir` (file `name`, or a random UUID), and
/// returns the file's path. Encryption (scrypt) runs on a blocking thread.
pub async fn write_keystore(
    dir: &Path,
    signer: &PrivateKeySigner,
    password: &str,
    name: Option<&str>,
) -> Result<PathBuf, SignerError> {
    let dir = dir.to_path_buf();
    let key = signer.to_bytes();
    let password = password.to_owned();
    let name = name.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let mut rng = rand::thread_rng();
        let (_, uuid) = PrivateKeySigner::encrypt_keystore(
            &dir,
            &mut rng,
            key.as_slice(),
            password,
            name.as_deref(),
        )
        .map_err(|source| SignerError::Write { dir: dir.clone(), source })?;
        // The file is named `name`, else the keystore's UUID.
        Ok(dir.join(name.unwrap_or(uuid)))
    })
    .await
    .map_err(SignerError::Task)?
}

async fn read(path: &Path) -> Result<String, SignerError> {
    tokio::fs::read_to_string(path)
        .await
        .map_err(|source| SignerError::Read { path: path.to_path_buf(), source })
}
