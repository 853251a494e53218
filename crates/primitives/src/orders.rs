//! The four orders of the marketplace, their EIP-712 hashing and signing (spec §3).
//!
//! The structs below are the EIP-712 types, declared in Solidity through `sol!`: their field
//! names, types and order *are* the type strings of spec §3.2, so [`SolStruct`] gives the
//! on-chain type hashes, struct hashes and digests. The ABI form of an order is the same fields
//! plus a trailing `bytes sign`, which is not hashed: that is [`SignedOrder`].
//!
//! ```text
//! AppOrder ──eip712_hash_struct──▶ struct hash ──typed(domain)──▶ OrderHash ──sign──▶ SignedOrder
//! ```

use std::{borrow::Cow, fmt, ops::Deref};

use alloy_primitives::{Address, B256, Bytes, U256};
use alloy_signer::SignerSync;
use alloy_sol_types::{Eip712Domain, SolStruct, sol};
use serde::{Deserialize, Serialize};

use crate::{
    error::{Error, Result},
    ids::OrderHash,
    signature::{recover_signer, sign_hash},
    tags::Tag,
};

/// The EIP-712 domain name of the hub (`domain().name`).
pub const DOMAIN_NAME: &str = "iExecODB";
/// The EIP-712 domain version of the hub (`domain().version`).
pub const DOMAIN_VERSION: &str = "5.0.0";
/// The ERC-734 key purpose that makes an account a member of a restriction group (spec §4.3):
/// a restriction naming a contract admits `account` iff
/// `keyHasPurpose(bytes32(uint256(uint160(account))), GROUPMEMBER_PURPOSE)`.
pub const GROUPMEMBER_PURPOSE: u64 = 4;

sol! {
    /// An app owner's offer to run their app for `appprice` nRLC per task.
    #[derive(Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
    struct AppOrder {
        /// The app (its registry entry's address).
        address app;
        /// Price per task, in nRLC.
        uint256 appprice;
        /// How many tasks this order may be consumed for, across all deals.
        uint256 volume;
        /// Requirements of the app (see [`Tag`]); a TEE app always yields a TEE deal.
        bytes32 tag;
        /// Zero, a dataset, or a group of datasets allowed to run with the app.
        address datasetrestrict;
        /// Zero, a workerpool, or a group of workerpools allowed to run the app.
        address workerpoolrestrict;
        /// Zero, a requester, or a group of requesters allowed to buy the app.
        address requesterrestrict;
        /// Makes otherwise identical orders distinct.
        bytes32 salt;
    }

    /// A dataset owner's offer to let apps use the dataset for `datasetprice` nRLC per task.
    #[derive(Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
    struct DatasetOrder {
        /// The dataset (its registry entry's address); zero in the placeholder order of a deal
        /// without dataset.
        address dataset;
        /// Price per task, in nRLC.
        uint256 datasetprice;
        /// How many tasks this order may be consumed for, across all deals.
        uint256 volume;
        /// Requirements of the dataset (see [`Tag`]).
        bytes32 tag;
        /// Zero, an app, or a group of apps allowed to use the dataset.
        address apprestrict;
        /// Zero, a workerpool, or a group of workerpools allowed to use the dataset.
        address workerpoolrestrict;
        /// Zero, a requester, or a group of requesters allowed to use the dataset.
        address requesterrestrict;
        /// Makes otherwise identical orders distinct.
        bytes32 salt;
    }

    /// A scheduler's offer of its pool's capacity for `workerpoolprice` nRLC per task.
    #[derive(Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
    struct WorkerpoolOrder {
        /// The workerpool (its registry entry's address).
        address workerpool;
        /// Price per task, in nRLC.
        uint256 workerpoolprice;
        /// How many tasks this order may be consumed for, across all deals.
        uint256 volume;
        /// What the pool offers (see [`Tag`]): a superset of the deal's tag.
        bytes32 tag;
        /// The category (task size) the pool sells; must equal the request's.
        uint256 category;
        /// The highest trust the pool accepts to reach.
        uint256 trust;
        /// Zero, an app, or a group of apps the pool accepts to run.
        address apprestrict;
        /// Zero, a dataset, or a group of datasets the pool accepts.
        address datasetrestrict;
        /// Zero, a requester, or a group of requesters the pool accepts.
        address requesterrestrict;
        /// Makes otherwise identical orders distinct.
        bytes32 salt;
    }

    /// A requester's demand: which app (and dataset, pool) to run, at what maximum prices.
    #[derive(Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
    struct RequestOrder {
        /// The app to run (exact match).
        address app;
        /// The most the requester pays the app owner per task, in nRLC.
        uint256 appmaxprice;
        /// The dataset to use (exact match), zero for none.
        address dataset;
        /// The most the requester pays the dataset owner per task, in nRLC.
        uint256 datasetmaxprice;
        /// Zero, a workerpool, or a group of workerpools allowed to run the tasks.
        address workerpool;
        /// The most the requester pays the workerpool per task, in nRLC.
        uint256 workerpoolmaxprice;
        /// The requester, who signs the order and pays (unless a sponsor does).
        address requester;
        /// How many tasks this order may be consumed for, across all deals.
        uint256 volume;
        /// Requirements of the run (see [`Tag`]).
        bytes32 tag;
        /// The category (task size).
        uint256 category;
        /// The trust level asked for (0 and 1 both mean a single worker).
        uint256 trust;
        /// Who may read the results.
        address beneficiary;
        /// Zero, or a contract whose `receiveResult(bytes32,bytes)` gets each result.
        address callback;
        /// Opaque parameters for the workers (JSON: `iexec_args`, `iexec_input_files`, …);
        /// EIP-712 hashes it as `H(bytes(params))`.
        string params;
        /// Makes otherwise identical orders distinct.
        bytes32 salt;
    }

    /// `manageAppOrder`'s signed message: presign or close an app order.
    #[derive(Debug, Default, PartialEq, Eq, Hash)]
    struct AppOrderOperation {
        /// The order.
        AppOrder order;
        /// [`OrderOperation`] as a number (`uint8` in the ABI, `uint256` in EIP-712).
        uint256 operation;
    }

    /// `manageDatasetOrder`'s signed message: presign or close a dataset order.
    #[derive(Debug, Default, PartialEq, Eq, Hash)]
    struct DatasetOrderOperation {
        /// The order.
        DatasetOrder order;
        /// [`OrderOperation`] as a number (`uint8` in the ABI, `uint256` in EIP-712).
        uint256 operation;
    }

    /// `manageWorkerpoolOrder`'s signed message: presign or close a workerpool order.
    #[derive(Debug, Default, PartialEq, Eq, Hash)]
    struct WorkerpoolOrderOperation {
        /// The order.
        WorkerpoolOrder order;
        /// [`OrderOperation`] as a number (`uint8` in the ABI, `uint256` in EIP-712).
        uint256 operation;
    }

    /// `manageRequestOrder`'s signed message: presign or close a request order.
    #[derive(Debug, Default, PartialEq, Eq, Hash)]
    struct RequestOrderOperation {
        /// The order.
        RequestOrder order;
        /// [`OrderOperation`] as a number (`uint8` in the ABI, `uint256` in EIP-712).
        uint256 operation;
    }
}

/// The hub's EIP-712 domain on a chain: name `iExecODB`, version `5.0.0`, the chain id and the
/// hub's address as verifying contract (no salt).
pub fn poco_domain(chain_id: u64, hub: Address) -> Eip712Domain {
    Eip712Domain::new(
        Some(Cow::Borrowed(DOMAIN_NAME)),
        Some(Cow::Borrowed(DOMAIN_VERSION)),
        Some(U256::from(chain_id)),
        Some(hub),
        None,
    )
}

/// The four kinds of order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrderKind {
    /// [`AppOrder`].
    App,
    /// [`DatasetOrder`].
    Dataset,
    /// [`WorkerpoolOrder`].
    Workerpool,
    /// [`RequestOrder`].
    Request,
}

impl fmt::Display for OrderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::App => "app",
            Self::Dataset => "dataset",
            Self::Workerpool => "workerpool",
            Self::Request => "request",
        })
    }
}

/// What `manageXxxOrder` does with an order (`OrderOperationEnum`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[repr(u8)]
pub enum OrderOperation {
    /// Presign: `presigned[orderHash] = owner`, so the order needs no signature.
    Sign = 0,
    /// Close: `consumed[orderHash] = volume`, so the order can no longer be matched.
    Close = 1,
}

impl From<OrderOperation> for u8 {
    fn from(op: OrderOperation) -> Self {
        op as Self
    }
}

impl From<OrderOperation> for U256 {
    fn from(op: OrderOperation) -> Self {
        Self::from(op as u8)
    }
}

impl TryFrom<U256> for OrderOperation {
    type Error = Error;

    fn try_from(value: U256) -> Result<Self> {
        if value == U256::from(Self::Sign as u8) {
            Ok(Self::Sign)
        } else if value == U256::from(Self::Close as u8) {
            Ok(Self::Close)
        } else {
            Err(Error::InvalidOrderOperation(value))
        }
    }
}

impl TryFrom<u8> for OrderOperation {
    type Error = Error;

    fn try_from(value: u8) -> Result<Self> {
        Self::try_from(U256::from(value))
    }
}

/// What the four orders have in common.
pub trait Order: SolStruct + Clone {
    /// Which order this is.
    const KIND: OrderKind;
    /// The matching `…OrderOperation` EIP-712 struct.
    type Operation: SolStruct;

    /// How many tasks the order may be consumed for.
    fn volume(&self) -> U256;
    /// The order's tag.
    fn tag(&self) -> Tag;
    /// The order's salt.
    fn salt(&self) -> B256;
    /// The operation struct `manageXxxOrder` takes a signature of.
    fn operation(self, operation: OrderOperation) -> Self::Operation;
}

macro_rules! impl_order {
    ($order:ident, $kind:ident, $operation:ident) => {
        impl Order for $order {
            const KIND: OrderKind = OrderKind::$kind;
            type Operation = $operation;

            fn volume(&self) -> U256 {
                self.volume
            }

            fn tag(&self) -> Tag {
                Tag(self.tag)
            }

            fn salt(&self) -> B256 {
                self.salt
            }

            fn operation(self, operation: OrderOperation) -> $operation {
                $operation { order: self, operation: operation.into() }
            }
        }
    };
}

impl_order!(AppOrder, App, AppOrderOperation);
impl_order!(DatasetOrder, Dataset, DatasetOrderOperation);
impl_order!(WorkerpoolOrder, Workerpool, WorkerpoolOrderOperation);
impl_order!(RequestOrder, Request, RequestOrderOperation);

/// The on-chain hash of an order: its full EIP-712 digest under `domain`
/// (`H(0x1901 ‖ separator ‖ structHash)`), not the bare struct hash.
pub fn order_hash<O: SolStruct>(order: &O, domain: &Eip712Domain) -> OrderHash {
    OrderHash(order.eip712_signing_hash(domain))
}

/// The EIP-712 digest `manageXxxOrder` checks the operation's signature against.
pub fn operation_hash<O: Order>(
    order: O,
    operation: OrderOperation,
    domain: &Eip712Domain,
) -> B256 {
    order.operation(operation).eip712_signing_hash(domain)
}

/// Signs an order's EIP-712 digest: the 65-byte `r ‖ s ‖ v` signature (`v` ∈ {27, 28}, low `s`)
/// the hub accepts from an EOA.
pub fn sign_order<O, S>(signer: &S, order: O, domain: &Eip712Domain) -> Result<SignedOrder<O>>
where
    O: Order,
    S: SignerSync + ?Sized,
{
    let sign = sign_hash(signer, &order_hash(&order, domain).0)?;
    Ok(SignedOrder { order, sign })
}

/// Signs a presign or close operation on an order, for `manageXxxOrder` sent by someone other
/// than the owner.
pub fn sign_operation<O, S>(
    signer: &S,
    order: O,
    operation: OrderOperation,
    domain: &Eip712Domain,
) -> Result<SignedOperation<O>>
where
    O: Order,
    S: SignerSync + ?Sized,
{
    let sign = sign_hash(signer, &operation_hash(order.clone(), operation, domain))?;
    Ok(SignedOperation { order, operation, sign })
}

/// An order with its signature: the ABI form of an order (its EIP-712 fields, then `bytes sign`).
///
/// `sign` is not part of the hash; it may be empty for an order presigned on-chain. Serializes
/// as the order's fields plus `"sign"`, the shape of the hub's ABI and of iExec's orderbook.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SignedOrder<O> {
    /// The order.
    #[serde(flatten)]
    pub order: O,
    /// The owner's signature of the order's EIP-712 digest (65 or 64 bytes, or an ERC-1271
    /// contract signature), or empty if presigned.
    pub sign: Bytes,
}

/// A signed [`AppOrder`].
pub type SignedAppOrder = SignedOrder<AppOrder>;
/// A signed [`DatasetOrder`].
pub type SignedDatasetOrder = SignedOrder<DatasetOrder>;
/// A signed [`WorkerpoolOrder`].
pub type SignedWorkerpoolOrder = SignedOrder<WorkerpoolOrder>;
/// A signed [`RequestOrder`].
pub type SignedRequestOrder = SignedOrder<RequestOrder>;

impl<O: Order> SignedOrder<O> {
    /// An order with the given signature.
    pub const fn new(order: O, sign: Bytes) -> Self {
        Self { order, sign }
    }

    /// An order without signature, for one presigned on-chain (`manageXxxOrder(SIGN)`).
    pub const fn presigned(order: O) -> Self {
        Self { order, sign: Bytes::new() }
    }

    /// The order's on-chain hash (see [`order_hash`]); the signature does not change it.
    pub fn hash(&self, domain: &Eip712Domain) -> OrderHash {
        order_hash(&self.order, domain)
    }

    /// The EOA that signed the order, under the hub's rules (spec §3.3). Contract signers
    /// (ERC-1271) and presigned orders can only be checked on-chain.
    pub fn recover_signer(&self, domain: &Eip712Domain) -> Result<Address> {
        recover_signer(&self.hash(domain).0, &self.sign)
    }

    /// Whether `account` (an EOA) signed the order.
    pub fn is_signed_by(&self, account: Address, domain: &Eip712Domain) -> bool {
        self.recover_signer(domain).is_ok_and(|signer| signer == account)
    }
}

impl<O> Deref for SignedOrder<O> {
    type Target = O;

    fn deref(&self) -> &O {
        &self.order
    }
}

/// A presign or close operation on an order with its signature: the ABI `XxxOrderOperation`
/// (`order`, `uint8 operation`, `bytes sign`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SignedOperation<O> {
    /// The order operated on (its own `sign` does not matter to `manageXxxOrder`).
    pub order: O,
    /// Presign or close.
    pub operation: OrderOperation,
    /// The owner's signature of the operation's EIP-712 digest.
    pub sign: Bytes,
}

impl<O: Order> SignedOperation<O> {
    /// The EIP-712 digest of the operation (see [`operation_hash`]).
    pub fn hash(&self, domain: &Eip712Domain) -> B256 {
        operation_hash(self.order.clone(), self.operation, domain)
    }

    /// The EOA that signed the operation, under the hub's rules (spec §3.3).
    pub fn recover_signer(&self, domain: &Eip712Domain) -> Result<Address> {
        recover_signer(&self.hash(domain), &self.sign)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, b256, keccak256};
    use alloy_signer_local::PrivateKeySigner;
    use proptest::prelude::*;

    const HUB: Address = address!("098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0");
    const APP: Address = address!("1111111111111111111111111111111111111111");
    const DATASET: Address = address!("2222222222222222222222222222222222222222");
    const WORKERPOOL: Address = address!("3333333333333333333333333333333333333333");
    const REQUESTER: Address = address!("4444444444444444444444444444444444444444");
    const SALT: B256 = b256!("1111111111111111111111111111111111111111111111111111111111111111");
    const TAG_TEE: B256 = b256!("0000000000000000000000000000000000000000000000000000000000000003");

    fn domain() -> Eip712Domain {
        poco_domain(42161, HUB)
    }

    fn app_order() -> AppOrder {
        AppOrder {
            app: APP,
            appprice: U256::from(5),
            volume: U256::from(10),
            tag: TAG_TEE,
            salt: SALT,
            ..Default::default()
        }
    }

    fn dataset_order() -> DatasetOrder {
        DatasetOrder {
            dataset: DATASET,
            datasetprice: U256::from(3),
            volume: U256::from(10),
            apprestrict: APP,
            salt: SALT,
            ..Default::default()
        }
    }

    fn workerpool_order() -> WorkerpoolOrder {
        WorkerpoolOrder {
            workerpool: WORKERPOOL,
            workerpoolprice: U256::from(100),
            volume: U256::from(10),
            tag: TAG_TEE,
            category: U256::ZERO,
            trust: U256::from(1),
            salt: SALT,
            ..Default::default()
        }
    }

    fn request_order() -> RequestOrder {
        RequestOrder {
            app: APP,
            appmaxprice: U256::from(5),
            dataset: DATASET,
            datasetmaxprice: U256::from(3),
            workerpool: Address::ZERO,
            workerpoolmaxprice: U256::from(100),
            requester: REQUESTER,
            volume: U256::from(1),
            tag: TAG_TEE,
            category: U256::ZERO,
            trust: U256::from(1),
            beneficiary: REQUESTER,
            callback: Address::ZERO,
            params: r#"{"iexec_args":"hello"}"#.into(),
            salt: SALT,
        }
    }

    #[test]
    fn domain_separator_vectors() {
        // Spec §3.2: the known separators.
        let cases = [
            (42161, HUB, b256!("3b211ab198ac0c745a332d34416d88c417c2f06a87bd9f0d2fdd37b242c75402")),
            (
                421614,
                address!("B2157BF2fAb286b2A4170E3491Ac39770111Da3E"),
                b256!("de6e7a8f1c22386ba73ee5376e4ec7089a2d2b07ebbfce54d4cb386daa34cc92"),
            ),
            (
                134,
                address!("3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f"),
                b256!("f2cbd98a556869939d25b73c3fa68ba45f19932f8c9a06f744c98290ed9ef860"),
            ),
        ];
        for (chain_id, hub, separator) in cases {
            assert_eq!(poco_domain(chain_id, hub).separator(), separator, "chain {chain_id}");
        }
        assert_eq!(
            domain().type_hash(),
            b256!("8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f")
        );
    }

    #[test]
    fn type_strings_and_hashes() {
        // Spec §3.2 table: (encodeType, typehash).
        let cases: [(String, B256, &str); 8] = [
            (
                AppOrder::eip712_encode_type().into_owned(),
                app_order().eip712_type_hash(),
                "60815a0eeec47dddf1615fe53b31d016c31444e01b9d796db365443a6445d008",
            ),
            (
                DatasetOrder::eip712_encode_type().into_owned(),
                dataset_order().eip712_type_hash(),
                "6cfc932a5a3d22c4359295b9f433edff52b60703fa47690a04a83e40933dd47c",
            ),
            (
                WorkerpoolOrder::eip712_encode_type().into_owned(),
                workerpool_order().eip712_type_hash(),
                "aa3429fb281b34691803133d3d978a75bb77c617ed6bc9aa162b9b30920022bb",
            ),
            (
                RequestOrder::eip712_encode_type().into_owned(),
                request_order().eip712_type_hash(),
                "f24e853034a3a450aba845a82914fbb564ad85accca6cf62be112a154520fae0",
            ),
            (
                AppOrderOperation::eip712_encode_type().into_owned(),
                app_order().operation(OrderOperation::Sign).eip712_type_hash(),
                "0638bb0702457e2b4b01be8a202579b8bf97e587fb4f2cc4d4aad01f21a06ee0",
            ),
            (
                DatasetOrderOperation::eip712_encode_type().into_owned(),
                dataset_order().operation(OrderOperation::Sign).eip712_type_hash(),
                "075eb6f7578ff4292c241bd2484cd5c1d5e6ecc2ddd3317e1d8176b5a45865ec",
            ),
            (
                WorkerpoolOrderOperation::eip712_encode_type().into_owned(),
                workerpool_order().operation(OrderOperation::Sign).eip712_type_hash(),
                "322d980b7d7a6a1f7c39ff0c5445da6ae1d8e0393ff0dd468c8be3e2c8644388",
            ),
            (
                RequestOrderOperation::eip712_encode_type().into_owned(),
                request_order().operation(OrderOperation::Sign).eip712_type_hash(),
                "0ded7b52c2d77595a40d242eca751df172b18e686326dbbed3f4748828af77c7",
            ),
        ];
        for (encode_type, type_hash, expected) in cases {
            let expected: B256 = expected.parse().unwrap();
            assert_eq!(keccak256(&encode_type), expected, "{encode_type}");
            assert_eq!(type_hash, expected, "{encode_type}");
        }
        assert_eq!(
            AppOrder::eip712_encode_type(),
            "AppOrder(address app,uint256 appprice,uint256 volume,bytes32 tag,\
             address datasetrestrict,address workerpoolrestrict,address requesterrestrict,\
             bytes32 salt)"
        );
        assert_eq!(
            AppOrderOperation::eip712_encode_type(),
            format!(
                "AppOrderOperation(AppOrder order,uint256 operation){}",
                AppOrder::eip712_encode_type()
            )
        );
    }

    #[test]
    fn order_vectors() {
        // Spec §18: (struct hash, typed digest) of each order.
        let d = domain();
        let cases: [(&str, B256, OrderHash, &str, &str); 4] = [
            (
                "app",
                app_order().eip712_hash_struct(),
                order_hash(&app_order(), &d),
                "44bf7dbd8db4a27988265eb88477843df0d97701bd0526e0d78f45e34dea76ef",
                "81fbbc0801860bb9c578cce15a77c6a21c43edde8531049bb80ae1b41af5e8b5",
            ),
            (
                "dataset",
                dataset_order().eip712_hash_struct(),
                order_hash(&dataset_order(), &d),
                "d5adad26de1d44b129759741d002c45906997443b350342c465a99b324ddb877",
                "bb739f23d5c42a944340d0c01c5b4f627ea79c19c8766f3f6fd65c6eecc47e61",
            ),
            (
                "workerpool",
                workerpool_order().eip712_hash_struct(),
                order_hash(&workerpool_order(), &d),
                "d675582fecd6ef91ef3f6a7291bc19822cba5008fd1d8f3bd6baaf694b41584e",
                "2565934ed7b3bf8313b0c9266e168abae9574478a10a619b00b8e4b8c994218c",
            ),
            (
                "request",
                request_order().eip712_hash_struct(),
                order_hash(&request_order(), &d),
                "c0d5f10595f4e5d8e8b20f6a499ee9d1d35ef67920d622d5f5932f9e5394083f",
                "a7053ae8692f032cdd0665e65e08bcd074dd42bd152a8d3923c670ecccc5daa8",
            ),
        ];
        for (name, struct_hash, digest, expected_struct, expected_digest) in cases {
            assert_eq!(struct_hash, expected_struct.parse::<B256>().unwrap(), "{name} struct hash");
            assert_eq!(digest, expected_digest.parse::<OrderHash>().unwrap(), "{name} digest");
        }
    }

    #[test]
    fn app_order_operation_vector() {
        let digest = operation_hash(app_order(), OrderOperation::Close, &domain());
        assert_eq!(
            digest,
            b256!("82c8205bcbdc7de4fc0e2b42a294067e0e133a60fc1e7adc015351c13c572fd9")
        );
        // Operation struct hash = H(opTypehash ‖ structHash(order) ‖ uint256(operation)).
        let op = app_order().operation(OrderOperation::Close);
        let manual = keccak256(
            [
                op.eip712_type_hash().0,
                app_order().eip712_hash_struct().0,
                U256::from(1).to_be_bytes(),
            ]
            .concat(),
        );
        assert_eq!(op.eip712_hash_struct(), manual);
    }

    #[test]
    fn order_operation_numbers() {
        let cases =
            [(0u8, Some(OrderOperation::Sign)), (1, Some(OrderOperation::Close)), (2, None)];
        for (n, expected) in cases {
            assert_eq!(OrderOperation::try_from(n).ok(), expected, "{n}");
            if let Some(op) = expected {
                assert_eq!(u8::from(op), n);
                let value: U256 = op.into();
                assert_eq!(value, U256::from(n));
            }
        }
        assert!(OrderOperation::try_from(U256::MAX).is_err());
        assert!(OrderOperation::try_from(U256::from(1) << 200).is_err());
    }

    #[test]
    fn signed_order_json_is_the_abi_shape() {
        let signed = SignedOrder::new(app_order(), Bytes::from(vec![1, 2, 3]));
        let json = serde_json::to_value(&signed).unwrap();
        let expected = serde_json::json!({
            "app": "0x1111111111111111111111111111111111111111",
            "appprice": "0x5",
            "volume": "0xa",
            "tag": "0x0000000000000000000000000000000000000000000000000000000000000003",
            "datasetrestrict": "0x0000000000000000000000000000000000000000",
            "workerpoolrestrict": "0x0000000000000000000000000000000000000000",
            "requesterrestrict": "0x0000000000000000000000000000000000000000",
            "salt": "0x1111111111111111111111111111111111111111111111111111111111111111",
            "sign": "0x010203",
        });
        assert_eq!(json, expected);
        let back: SignedAppOrder = serde_json::from_value(json).unwrap();
        assert_eq!(back, signed);
        // iExec's orderbook writes numbers as JSON numbers and decimal strings.
        let mut iexec = expected.clone();
        iexec["appprice"] = serde_json::json!(5);
        iexec["volume"] = serde_json::json!("10");
        let back: SignedAppOrder = serde_json::from_value(iexec).unwrap();
        assert_eq!(back, signed);
    }

    #[test]
    fn sign_then_recover_each_kind() {
        let signer = PrivateKeySigner::random();
        let d = domain();
        let app = sign_order(&signer, app_order(), &d).unwrap();
        let dataset = sign_order(&signer, dataset_order(), &d).unwrap();
        let workerpool = sign_order(&signer, workerpool_order(), &d).unwrap();
        let request = sign_order(&signer, request_order(), &d).unwrap();
        let signs = [&app.sign, &dataset.sign, &workerpool.sign, &request.sign];
        for sign in signs {
            assert_eq!(sign.len(), 65);
            assert!(matches!(sign[64], 27 | 28));
        }
        assert!(app.is_signed_by(signer.address(), &d));
        assert!(dataset.is_signed_by(signer.address(), &d));
        assert!(workerpool.is_signed_by(signer.address(), &d));
        assert!(request.is_signed_by(signer.address(), &d));
        // Another domain (chain or hub) gives another signer.
        assert!(!app.is_signed_by(signer.address(), &poco_domain(1, HUB)));
        assert!(!SignedOrder::presigned(app_order()).is_signed_by(signer.address(), &d));
    }

    #[test]
    fn sign_then_recover_operation() {
        let signer = PrivateKeySigner::random();
        let d = domain();
        let op = sign_operation(&signer, request_order(), OrderOperation::Close, &d).unwrap();
        assert_eq!(op.recover_signer(&d).unwrap(), signer.address());
        assert_eq!(op.hash(&d), operation_hash(request_order(), OrderOperation::Close, &d));
        assert_ne!(op.hash(&d), operation_hash(request_order(), OrderOperation::Sign, &d));
    }

    #[test]
    fn order_trait_accessors() {
        assert_eq!(AppOrder::KIND.to_string(), "app");
        assert_eq!(RequestOrder::KIND, OrderKind::Request);
        assert_eq!(app_order().volume(), U256::from(10));
        assert!(app_order().tag().is_tee());
        assert_eq!(workerpool_order().salt(), SALT);
    }

    fn arb_b256() -> impl Strategy<Value = B256> {
        any::<[u8; 32]>().prop_map(B256::from)
    }

    fn arb_address() -> impl Strategy<Value = Address> {
        any::<[u8; 20]>().prop_map(Address::from)
    }

    fn arb_u256() -> impl Strategy<Value = U256> {
        any::<[u64; 4]>().prop_map(U256::from_limbs)
    }

    fn arb_request_order() -> impl Strategy<Value = RequestOrder> {
        (
            (arb_address(), arb_u256(), arb_address(), arb_u256(), arb_address(), arb_u256()),
            (arb_address(), arb_u256(), arb_b256(), arb_u256(), arb_u256()),
            (arb_address(), arb_address(), ".{0,64}", arb_b256()),
        )
            .prop_map(|(a, b, c)| RequestOrder {
                app: a.0,
                appmaxprice: a.1,
                dataset: a.2,
                datasetmaxprice: a.3,
                workerpool: a.4,
                workerpoolmaxprice: a.5,
                requester: b.0,
                volume: b.1,
                tag: b.2,
                category: b.3,
                trust: b.4,
                beneficiary: c.0,
                callback: c.1,
                params: c.2,
                salt: c.3,
            })
    }

    fn arb_app_order() -> impl Strategy<Value = AppOrder> {
        (
            arb_address(),
            arb_u256(),
            arb_u256(),
            arb_b256(),
            (arb_address(), arb_address(), arb_address()),
            arb_b256(),
        )
            .prop_map(|(app, appprice, volume, tag, r, salt)| AppOrder {
                app,
                appprice,
                volume,
                tag,
                datasetrestrict: r.0,
                workerpoolrestrict: r.1,
                requesterrestrict: r.2,
                salt,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn signing_then_recovering_yields_the_signer(
            key in arb_b256(),
            order in arb_request_order(),
            chain_id in any::<u64>(),
            hub in arb_address(),
        ) {
            let Ok(signer) = PrivateKeySigner::from_bytes(&key) else {
                return Ok(()); // not a valid secp256k1 scalar (probability ~2^-128)
            };
            let d = poco_domain(chain_id, hub);
            let signed = sign_order(&signer, order, &d).unwrap();
            prop_assert_eq!(signed.sign.len(), 65);
            prop_assert!(matches!(signed.sign[64], 27 | 28));
            prop_assert_eq!(signed.recover_signer(&d).unwrap(), signer.address());
        }

        #[test]
        fn order_hash_ignores_sign(
            order in arb_app_order(),
            sign_a in proptest::collection::vec(any::<u8>(), 0..100),
            sign_b in proptest::collection::vec(any::<u8>(), 0..100),
        ) {
            let d = domain();
            let a = SignedOrder::new(order.clone(), sign_a.into());
            let b = SignedOrder::new(order.clone(), sign_b.into());
            prop_assert_eq!(a.hash(&d), b.hash(&d));
            prop_assert_eq!(a.hash(&d), order_hash(&order, &d));
        }

        #[test]
        fn order_json_round_trips(order in arb_request_order(), sign in proptest::collection::vec(any::<u8>(), 0..70)) {
            let signed = SignedOrder::new(order, sign.into());
            let json = serde_json::to_string(&signed).unwrap();
            prop_assert_eq!(serde_json::from_str::<SignedRequestOrder>(&json).unwrap(), signed);
        }
    }
}
