//! Dev accounts: keys derived from a mnemonic, funded at genesis.

use alloy::{
    primitives::Address,
    signers::local::{LocalSignerError, MnemonicBuilder, PrivateKeySigner, coins_bip39::English},
};

/// A funded dev account and its key.
#[derive(Clone, Debug)]
pub struct DevAccount {
    /// Index in the mnemonic (`m/44'/60'/0'/0/<index>`).
    pub index: u32,
    /// The account's address.
    pub address: Address,
    /// The account's key.
    pub signer: PrivateKeySigner,
}

/// Derives the first `count` accounts of `mnemonic`.
pub(crate) fn derive(mnemonic: &str, count: u32) -> Result<Vec<DevAccount>, LocalSignerError> {
    (0..count)
        .map(|index| {
            let signer =
                MnemonicBuilder::<English>::default().phrase(mnemonic).index(index)?.build()?;
            Ok(DevAccount { index, address: signer.address(), signer })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use alloy::primitives::address;

    use super::*;
    use crate::config::DEFAULT_MNEMONIC;

    #[test]
    fn standard_mnemonic_gives_anvils_accounts() {
        let accounts = derive(DEFAULT_MNEMONIC, 3).unwrap();
        assert_eq!(accounts[0].address, address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));
        assert_eq!(accounts[1].address, address!("70997970C51812dc3A010C7d01b50e0d17dc79C8"));
        assert_eq!(accounts[2].address, address!("3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"));
    }
}
