//! One anvil with both protocols deployed, and running a scenario on each from the same state.

use alloy::{
    network::EthereumWallet,
    primitives::U256,
    providers::{DynProvider, Provider, ProviderBuilder, WalletProvider},
    transports::http::reqwest::Url,
};
use poco_contracts::{DeployOptions, deploy_protocol};
use poco_reference::{Anvil, ReferencePackage, deploy_reference};

use crate::{
    actors::{ACCOUNTS, Actors},
    driver::Driver,
    error::{Error, Result},
    protocol::{Flavor, Protocol},
    snapshot::Snapshot,
};

/// A provider that signs for every key given (the first is the default sender). Nonces are
/// read from the node for each transaction, so it survives `evm_revert` and refused calls.
pub fn dev_provider(
    endpoint: Url,
    keys: &[alloy::signers::local::PrivateKeySigner],
    chain_id: u64,
) -> impl Provider + WalletProvider + Clone + use<> {
    let mut wallet = EthereumWallet::from(keys[0].clone());
    for key in &keys[1..] {
        wallet.register_signer(key.clone());
    }
    ProviderBuilder::default()
        .with_gas_estimation()
        .with_simple_nonce_management()
        .with_chain_id(chain_id)
        .wallet(wallet)
        .connect_http(endpoint)
}

/// anvil with ours and the reference deployed (see the crate docs).
#[derive(Debug)]
pub struct Harness {
    anvil: Anvil,
    provider: DynProvider,
    actors: Actors,
    poco: Protocol,
    reference: Protocol,
    base: U256,
}

impl Harness {
    /// Starts anvil (20 dev accounts, one block per second of chain time), deploys ours and
    /// the reference with dev key 0, and snapshots that state.
    pub async fn start() -> Result<Self> {
        let package = ReferencePackage::locate()?;
        let anvil = Anvil::spawn().await?;
        let chain_id = anvil.chain_id();
        let wallet_provider = dev_provider(anvil.endpoint().clone(), anvil.keys(), chain_id);
        let provider = wallet_provider.clone().erased();
        let _: serde_json::Value = provider
            .raw_request("anvil_setBlockTimestampInterval".into(), [1u64])
            .await
            .map_err(|source| Error::Rpc {
                what: "anvil_setBlockTimestampInterval".into(),
                source: Box::new(source),
            })?;
        let ours = deploy_protocol(&wallet_provider, DeployOptions::default()).await?;
        let theirs = deploy_reference(&wallet_provider, &package).await?;
        if anvil.keys().len() < ACCOUNTS {
            return Err(Error::Scenario(format!("anvil has fewer than {ACCOUNTS} accounts")));
        }
        let actors = Actors::new(anvil.keys());
        let mut harness = Self {
            provider,
            actors,
            poco: Protocol::poco(&ours),
            reference: Protocol::reference(&theirs, chain_id),
            base: U256::ZERO,
            anvil,
        };
        harness.base = harness.evm_snapshot().await?;
        Ok(harness)
    }

    /// The anvil node.
    pub const fn anvil(&self) -> &Anvil {
        &self.anvil
    }

    /// A provider signing for every dev account.
    pub const fn provider(&self) -> &DynProvider {
        &self.provider
    }

    /// The actors.
    pub const fn actors(&self) -> &Actors {
        &self.actors
    }

    /// One of the two protocols.
    pub const fn protocol(&self, flavor: Flavor) -> Protocol {
        match flavor {
            Flavor::Poco => self.poco,
            Flavor::Reference => self.reference,
        }
    }

    /// A driver of one protocol, on the current chain state.
    pub fn driver(&self, flavor: Flavor, scenario: &str) -> Driver {
        Driver::new(self.provider.clone(), self.protocol(flavor), self.actors.clone(), scenario)
    }

    async fn evm_snapshot(&self) -> Result<U256> {
        self.provider
            .raw_request("evm_snapshot".into(), ())
            .await
            .map_err(|source| Error::Rpc { what: "evm_snapshot".into(), source: Box::new(source) })
    }

    /// Puts the chain back to the state right after the deployments (same timestamps too).
    pub async fn reset(&mut self) -> Result<()> {
        let reverted: bool =
            self.provider.raw_request("evm_revert".into(), [self.base]).await.map_err(
                |source| Error::Rpc { what: "evm_revert".into(), source: Box::new(source) },
            )?;
        if !reverted {
            return Err(Error::Scenario("evm_revert refused the base snapshot".into()));
        }
        self.base = self.evm_snapshot().await?;
        Ok(())
    }

    /// Resets the chain, then runs `scenario` on one protocol; returns the driver (gas, state).
    pub async fn run<F>(&mut self, flavor: Flavor, name: &str, scenario: F) -> Result<Driver>
    where
        F: AsyncFn(&mut Driver) -> Result<()>,
    {
        self.reset().await?;
        let mut driver = self.driver(flavor, name);
        scenario(&mut driver).await?;
        Ok(driver)
    }

    /// Runs `scenario` on ours then on the reference, each from the base state, and snapshots
    /// both ends. Each side's error is kept apart so a test can tell which one failed.
    pub async fn run_both<F>(&mut self, name: &str, scenario: F) -> Both
    where
        F: AsyncFn(&mut Driver) -> Result<()>,
    {
        let mut run = async |flavor| -> Result<(Driver, Snapshot)> {
            let driver = self.run(flavor, name, &scenario).await?;
            let snapshot = driver.snapshot().await?;
            Ok((driver, snapshot))
        };
        let poco = run(Flavor::Poco).await;
        let reference = run(Flavor::Reference).await;
        Both { poco, reference }
    }
}

/// What [`Harness::run_both`] gives: each side's driver and end state, or its error.
#[derive(Debug)]
pub struct Both {
    /// Ours.
    pub poco: Result<(Driver, Snapshot)>,
    /// The reference.
    pub reference: Result<(Driver, Snapshot)>,
}
