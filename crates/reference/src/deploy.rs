//! Deploys the reference protocol (token mode) from the package's bytecode.

use crate::{Error, ReferencePackage, Result};
use alloy::{
    contract::{ContractInstance, Interface},
    dyn_abi::{DynSolValue, JsonAbiExt},
    json_abi::JsonAbi,
    network::{Ethereum, TransactionBuilder},
    primitives::{Address, B256, Bytes, Selector, U256},
    providers::{PendingTransactionBuilder, Provider, WalletProvider},
    rpc::types::{TransactionReceipt, TransactionRequest},
};
use std::collections::HashSet;

/// The five default categories (`name`, `workClockTimeRef` in seconds), spec §5.1.
pub const DEFAULT_CATEGORIES: [(&str, u64); 5] =
    [("XS", 300), ("S", 1_200), ("M", 3_600), ("L", 10_800), ("XL", 36_000)];

/// Description of the default categories: the JSON serialisation of an empty string, i.e. the two
/// characters `""` (what the reference deploy script writes).
pub const DEFAULT_CATEGORY_DESCRIPTION: &str = "\"\"";

/// ERC-20 name of the hub.
pub const HUB_NAME: &str = "Staked RLC";
/// ERC-20 symbol of the hub.
pub const HUB_SYMBOL: &str = "SRLC";
/// ERC-20 decimals of the hub (those of RLC).
pub const HUB_DECIMALS: u8 = 9;

/// Name of the order-hashing library the PoCo facets are linked against.
pub const LIB_ORDERS: &str = "IexecLibOrders_v5";

/// The PoCo facets of `IexecInterfaceToken`, in the order they are cut into the Diamond: token mode
/// (IexecEscrowTokenFacet, not the native one), no Boost facets.
pub const POCO_FACETS: [&str; 11] = [
    "IexecAccessorsABILegacyFacet",
    "IexecCategoryManagerFacet",
    "IexecConfigurationExtraFacet",
    "IexecConfigurationFacet",
    "IexecERC20Facet",
    "IexecEscrowTokenFacet",
    "IexecOrderManagementFacet",
    "IexecPoco1Facet",
    "IexecPoco2Facet",
    "IexecPocoAccessorsFacet",
    "IexecRelayFacet",
];

/// The Diamond's own facets, cut by its constructor.
pub const DIAMOND_FACETS: [&str; 3] = ["DiamondCutFacet", "DiamondLoupeFacet", "OwnershipFacet"];

/// Pseudo-selector the Diamond routes unknown selectors to (the escrow facet's `fallback`).
pub const FALLBACK_SELECTOR: Selector = Selector::new([0xff; 4]);
/// Pseudo-selector the Diamond routes plain ether transfers to (the escrow facet's `receive`).
pub const RECEIVE_SELECTOR: Selector = Selector::new([0; 4]);

const RLC_ABI: &str = "rlc-faucet-contract/contracts/RLC.sol/RLC";
const APP_REGISTRY_ABI: &str = "registries/apps/AppRegistry";
const DATASET_REGISTRY_ABI: &str = "registries/datasets/DatasetRegistry";
const WORKERPOOL_REGISTRY_ABI: &str = "registries/workerpools/WorkerpoolRegistry";

/// A facet deployed and cut into the hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployedFacet {
    /// Contract name.
    pub name: &'static str,
    /// Its address.
    pub address: Address,
    /// Selectors routed to it (may include [`FALLBACK_SELECTOR`] and [`RECEIVE_SELECTOR`]).
    pub selectors: Vec<Selector>,
}

/// The reference protocol deployed on a chain.
#[derive(Debug, Clone)]
pub struct ReferenceDeployment {
    /// Deployer: owner of the hub, the registries and the RLC token (which it holds all of).
    pub owner: Address,
    /// The hub (ERC-2535 Diamond).
    pub hub: Address,
    /// The RLC token (the `rlc-faucet-contract` RLC of the deployments, 9 decimals).
    pub rlc: Address,
    /// App registry.
    pub app_registry: Address,
    /// Dataset registry.
    pub dataset_registry: Address,
    /// Workerpool registry.
    pub workerpool_registry: Address,
    /// The `IexecLibOrders_v5` library the facets are linked to.
    pub lib_orders: Address,
    /// Every facet cut into the hub, the Diamond's own first.
    pub facets: Vec<DeployedFacet>,
    /// Gas used by all the deployment transactions.
    pub gas_used: u64,
    /// ABI of the hub (`IexecInterfaceToken`).
    pub hub_abi: JsonAbi,
    /// ABI of the RLC token.
    pub rlc_abi: JsonAbi,
    /// ABI of the registries (`AppRegistry`, `DatasetRegistry`, `WorkerpoolRegistry`).
    pub registry_abis: [JsonAbi; 3],
}

impl ReferenceDeployment {
    /// The hub, called through its `IexecInterfaceToken` ABI.
    pub fn hub_contract<P: Provider>(&self, provider: P) -> ContractInstance<P> {
        ContractInstance::new(self.hub, provider, Interface::new(self.hub_abi.clone()))
    }

    /// The RLC token, called through its ABI.
    pub fn rlc_contract<P: Provider>(&self, provider: P) -> ContractInstance<P> {
        ContractInstance::new(self.rlc, provider, Interface::new(self.rlc_abi.clone()))
    }

    /// The app, dataset and workerpool registries, called through their ABIs.
    pub fn registry_contracts<P: Provider + Clone>(&self, provider: P) -> [ContractInstance<P>; 3] {
        let [app, dataset, workerpool] = self.registry_abis.clone();
        [
            ContractInstance::new(self.app_registry, provider.clone(), Interface::new(app)),
            ContractInstance::new(self.dataset_registry, provider.clone(), Interface::new(dataset)),
            ContractInstance::new(self.workerpool_registry, provider, Interface::new(workerpool)),
        ]
    }

    /// Transfers `amount` nRLC to each recipient. `provider` must sign as [`Self::owner`], who holds
    /// the whole RLC supply.
    pub async fn fund_rlc<P: Provider>(
        &self,
        provider: P,
        recipients: &[Address],
        amount: U256,
    ) -> Result<()> {
        let rlc = self.rlc_contract(&provider);
        let mut tx = Transactor::new(&provider);
        for &recipient in recipients {
            let args = [DynSolValue::Address(recipient), DynSolValue::Uint(amount, 256)];
            tx.call(format!("RLC.transfer({recipient}, {amount})"), &rlc, "transfer", &args)
                .await?;
        }
        Ok(())
    }

    /// RLC balance of `account`.
    pub async fn rlc_balance<P: Provider>(&self, provider: P, account: Address) -> Result<U256> {
        let rlc = self.rlc_contract(&provider);
        let what = || format!("RLC.balanceOf({account})");
        let out = rlc
            .function("balanceOf", &[DynSolValue::Address(account)])
            .map_err(|source| Error::Call { what: what(), source: Box::new(source) })?
            .call()
            .await
            .map_err(|source| Error::Call { what: what(), source: Box::new(source) })?;
        match out.first().and_then(DynSolValue::as_uint) {
            Some((balance, _)) => Ok(balance),
            None => Err(Error::UnexpectedReturn { what: what() }),
        }
    }
}

/// Deploys the whole reference protocol, signing with `provider`'s default signer (who becomes
/// the owner of everything and holds all the RLC):
///
/// 1. `IexecLibOrders_v5`, the RLC token, the three registries (+ `initialize(address(0))`);
/// 2. the Diamond's facets and `DiamondInit`, then the Diamond with its constructor cut
///    (cut + loupe + ownership) and `DiamondInit.init()`;
/// 3. the 11 PoCo facets (those linked to the library are relinked to ours), then one `diamondCut`
///    routing each selector of `IexecInterfaceToken` to the facet that implements it, plus the
///    escrow facet's `fallback`/`receive` on `0xffffffff`/`0x00000000`;
/// 4. `configure(rlc, "Staked RLC", "SRLC", 9, registries…, address(0))` and the five categories.
pub async fn deploy_reference<P>(
    provider: &P,
    package: &ReferencePackage,
) -> Result<ReferenceDeployment>
where
    P: Provider + WalletProvider,
{
    let owner = provider.default_signer_address();
    let mut tx = Transactor::new(provider);

    // 1. Library, token, registries.
    let lib = package.deployment(LIB_ORDERS)?;
    let lib_orders = tx.deploy(LIB_ORDERS, lib.bytecode.clone()).await?;
    let rlc = tx.deploy("RLC", package.deployment("RLC")?.bytecode).await?;
    let mut registry = async |name: &'static str, abi_path: &str| -> Result<(Address, JsonAbi)> {
        let address = tx.deploy(name, package.deployment(name)?.bytecode).await?;
        let abi = package.abi(abi_path)?;
        let contract = ContractInstance::new(address, provider, Interface::new(abi.clone()));
        let args = [DynSolValue::Address(Address::ZERO)];
        tx.call(format!("{name}.initialize(address(0))"), &contract, "initialize", &args).await?;
        Ok((address, abi))
    };
    let (app_registry, app_abi) = registry("AppRegistry", APP_REGISTRY_ABI).await?;
    let (dataset_registry, dataset_abi) = registry("DatasetRegistry", DATASET_REGISTRY_ABI).await?;
    let (workerpool_registry, workerpool_abi) =
        registry("WorkerpoolRegistry", WORKERPOOL_REGISTRY_ABI).await?;

    // 2. The Diamond.
    let mut facets = Vec::new();
    for name in DIAMOND_FACETS {
        let deployment = package.deployment(name)?;
        let abi = deployment.abi.ok_or(Error::AbiItem { contract: name, item: "abi" })?;
        let address = tx.deploy(name, deployment.bytecode).await?;
        let selectors = abi.functions().map(|function| function.selector()).collect();
        facets.push(DeployedFacet { name, address, selectors });
    }
    let init = package.deployment("DiamondInit")?;
    let init_calldata = init
        .abi
        .as_ref()
        .and_then(|abi| abi.function("init")?.first().map(|init| init.selector()))
        .ok_or(Error::AbiItem { contract: "DiamondInit", item: "init()" })?;
    let diamond_init = tx.deploy("DiamondInit", init.bytecode).await?;

    let diamond = package.deployment("Diamond")?;
    // The deployment's bytecode has the mainnet constructor arguments appended: take the
    // creation code from the artifact, after checking it is that same code.
    let creation = package.artifact("Diamond.sol", "Diamond")?.bytecode()?;
    if !diamond.bytecode.starts_with(&creation) {
        return Err(Error::CreationCodeMismatch("Diamond"));
    }
    let constructor = diamond
        .abi
        .as_ref()
        .and_then(JsonAbi::constructor)
        .ok_or(Error::AbiItem { contract: "Diamond", item: "constructor" })?;
    let diamond_args = DynSolValue::Tuple(vec![
        DynSolValue::Address(owner),
        DynSolValue::Address(diamond_init),
        DynSolValue::Bytes(init_calldata.to_vec()),
    ]);
    let args = constructor
        .abi_encode_input(&[facet_cuts(&facets), diamond_args])
        .map_err(|source| Error::Abi { what: "Diamond constructor", source })?;
    let hub = tx.deploy("Diamond", [creation.as_ref(), &args].concat().into()).await?;

    // 3. The PoCo facets.
    let hub_abi = package.abi("IexecInterfaceToken")?;
    let interface: HashSet<Selector> = hub_abi.functions().map(|f| f.selector()).collect();
    let mut routed: HashSet<Selector> =
        facets.iter().flat_map(|facet| facet.selectors.iter().copied()).collect();
    let first_poco_facet = facets.len();
    for name in POCO_FACETS {
        let deployment = package.deployment(name)?;
        let abi = deployment.abi.ok_or(Error::AbiItem { contract: name, item: "abi" })?;
        let expected =
            package.artifact(&format!("facets/{name}.sol"), name)?.link_reference_count(LIB_ORDERS);
        let code = relink(name, &deployment.bytecode, lib.address, lib_orders, expected)?;
        let address = tx.deploy(name, code).await?;

        let mut selectors: Vec<Selector> = abi
            .functions()
            .map(|function| function.selector())
            .filter(|selector| interface.contains(selector) && routed.insert(*selector))
            .collect();
        if abi.fallback.is_some() && routed.insert(FALLBACK_SELECTOR) {
            selectors.push(FALLBACK_SELECTOR);
        }
        if abi.receive.is_some() && routed.insert(RECEIVE_SELECTOR) {
            selectors.push(RECEIVE_SELECTOR);
        }
        facets.push(DeployedFacet { name, address, selectors });
    }
    let cut_abi = package
        .deployment("DiamondCutFacet")?
        .abi
        .ok_or(Error::AbiItem { contract: "DiamondCutFacet", item: "abi" })?;
    let cutter = ContractInstance::new(hub, provider, Interface::new(cut_abi));
    let cut_args = [
        facet_cuts(&facets[first_poco_facet..]),
        DynSolValue::Address(Address::ZERO),
        DynSolValue::Bytes(Vec::new()),
    ];
    tx.call("diamondCut(PoCo facets)".to_owned(), &cutter, "diamondCut", &cut_args).await?;

    // 4. Configuration and categories.
    let poco = ContractInstance::new(hub, provider, Interface::new(hub_abi.clone()));
    let configure_args = [
        DynSolValue::Address(rlc),
        DynSolValue::String(HUB_NAME.to_owned()),
        DynSolValue::String(HUB_SYMBOL.to_owned()),
        DynSolValue::Uint(U256::from(HUB_DECIMALS), 8),
        DynSolValue::Address(app_registry),
        DynSolValue::Address(dataset_registry),
        DynSolValue::Address(workerpool_registry),
        DynSolValue::Address(Address::ZERO),
    ];
    tx.call("configure".to_owned(), &poco, "configure", &configure_args).await?;
    for (name, time_ref) in DEFAULT_CATEGORIES {
        let args = [
            DynSolValue::String(name.to_owned()),
            DynSolValue::String(DEFAULT_CATEGORY_DESCRIPTION.to_owned()),
            DynSolValue::Uint(U256::from(time_ref), 256),
        ];
        tx.call(format!("createCategory({name})"), &poco, "createCategory", &args).await?;
    }

    let rlc_abi = package.human_readable_abi(RLC_ABI)?;
    Ok(ReferenceDeployment {
        owner,
        hub,
        rlc,
        app_registry,
        dataset_registry,
        workerpool_registry,
        lib_orders,
        facets,
        gas_used: tx.gas_used,
        hub_abi,
        rlc_abi,
        registry_abis: [app_abi, dataset_abi, workerpool_abi],
    })
}

/// `FacetCut[]` = `(address facetAddress, uint8 action = Add, bytes4[] functionSelectors)[]`.
fn facet_cuts(facets: &[DeployedFacet]) -> DynSolValue {
    const ADD: u8 = 0;
    DynSolValue::Array(
        facets
            .iter()
            .map(|facet| {
                let selectors = facet
                    .selectors
                    .iter()
                    .map(|selector| {
                        DynSolValue::FixedBytes(B256::right_padding_from(&selector[..]), 4)
                    })
                    .collect();
                DynSolValue::Tuple(vec![
                    DynSolValue::Address(facet.address),
                    DynSolValue::Uint(U256::from(ADD), 8),
                    DynSolValue::Array(selectors),
                ])
            })
            .collect(),
    )
}

/// Replaces every `PUSH20 <from>` of `code` by `PUSH20 <to>`, checking there are `expected`.
fn relink(
    contract: &str,
    code: &[u8],
    from: Address,
    to: Address,
    expected: usize,
) -> Result<Bytes> {
    const PUSH20: u8 = 0x73;
    let positions: Vec<usize> = code
        .windows(21)
        .enumerate()
        .filter(|(_, window)| window[0] == PUSH20 && window[1..] == from[..])
        .map(|(at, _)| at + 1)
        .collect();
    if positions.len() != expected {
        return Err(Error::Link {
            contract: contract.to_owned(),
            library: from,
            expected,
            found: positions.len(),
        });
    }
    let mut code = code.to_vec();
    for at in positions {
        code[at..at + 20].copy_from_slice(to.as_slice());
    }
    Ok(code.into())
}

/// Sends transactions one by one, checks their receipts and sums their gas.
struct Transactor<'a, P> {
    provider: &'a P,
    gas_used: u64,
}

impl<'a, P: Provider> Transactor<'a, P> {
    const fn new(provider: &'a P) -> Self {
        Self { provider, gas_used: 0 }
    }

    async fn deploy(&mut self, what: &str, code: Bytes) -> Result<Address> {
        let request = TransactionRequest::default().with_deploy_code(code);
        let pending = self.provider.send_transaction(request).await.map_err(|source| {
            Error::Rpc { what: format!("deploying {what}"), source: Box::new(source) }
        })?;
        let receipt = self.confirm(what, pending).await?;
        receipt
            .contract_address
            .ok_or(Error::NoContractAddress { what: what.to_owned(), tx: receipt.transaction_hash })
    }

    async fn call<Q: Provider>(
        &mut self,
        what: String,
        contract: &ContractInstance<Q>,
        function: &str,
        args: &[DynSolValue],
    ) -> Result<TransactionReceipt> {
        let pending = match contract.function(function, args) {
            Ok(call) => call.send().await,
            Err(error) => Err(error),
        };
        let pending = pending
            .map_err(|source| Error::Call { what: what.clone(), source: Box::new(source) })?;
        self.confirm(&what, pending).await
    }

    async fn confirm(
        &mut self,
        what: &str,
        pending: PendingTransactionBuilder<Ethereum>,
    ) -> Result<TransactionReceipt> {
        let hash = *pending.tx_hash();
        // anvil mines on submission, so the receipt is usually there already; watching blocks
        // (which polls) is only the fallback.
        let receipt = match self.provider.get_transaction_receipt(hash).await {
            Ok(Some(receipt)) => receipt,
            Ok(None) | Err(_) => pending.get_receipt().await.map_err(|source| Error::Pending {
                what: what.to_owned(),
                source: Box::new(source),
            })?,
        };
        if !receipt.status() {
            return Err(Error::Reverted { what: what.to_owned(), tx: hash });
        }
        self.gas_used += receipt.gas_used;
        Ok(receipt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::address;

    #[test]
    fn relink_replaces_push20_only() {
        let from = address!("0x1Ecf986A719271846a04F095c426D90d564e4842");
        let to = address!("0x00000000000000000000000000000000000000aa");
        let mut code = vec![0x60, 0x00, 0x73];
        code.extend_from_slice(from.as_slice());
        code.push(0x5b);
        code.extend_from_slice(from.as_slice()); // not after a PUSH20: data, left alone
        let linked = relink("T", &code, from, to, 1).unwrap();
        assert_eq!(&linked[3..23], to.as_slice());
        assert_eq!(&linked[24..44], from.as_slice());
        assert!(matches!(
            relink("T", &code, from, to, 2),
            Err(Error::Link { expected: 2, found: 1, .. })
        ));
    }

    #[test]
    fn facet_cuts_encode_bytes4_left_aligned() {
        let facet = DeployedFacet {
            name: "F",
            address: Address::repeat_byte(1),
            selectors: vec![Selector::new([0x12, 0x34, 0x56, 0x78]), FALLBACK_SELECTOR],
        };
        let DynSolValue::Array(cuts) = facet_cuts(&[facet]) else { panic!("array") };
        let DynSolValue::Tuple(cut) = &cuts[0] else { panic!("tuple") };
        let DynSolValue::Array(selectors) = &cut[2] else { panic!("array") };
        let word = |value: &DynSolValue| {
            value
                .as_fixed_bytes()
                .map(|(word, size)| (word[..4].to_vec(), word[4..].to_vec(), size))
        };
        assert_eq!(word(&selectors[0]), Some((vec![0x12, 0x34, 0x56, 0x78], vec![0; 28], 4)));
        assert_eq!(word(&selectors[1]), Some((vec![0xff; 4], vec![0; 28], 4)));
    }
}
