//! From poco-primitives' EIP-712 orders (what is hashed and signed) to the hub's ABI orders
//! (the same fields plus `bytes sign`), and the operations of `manage*Order`.

use crate::bindings::IPoco;
use alloy::{
    primitives::{B256, Bytes},
    sol_types::{SolCall, SolEvent},
};
use poco_primitives::{
    AppOrder, DatasetOrder, OrderOperation, RequestOrder, SignedOrder, WorkerpoolOrder,
};

/// An EIP-712 order that has an ABI form in the hub's bindings.
pub trait AbiOrder: poco_primitives::Order + std::fmt::Debug {
    /// The ABI struct (`IPoco::AppOrder`, …).
    type Abi;
    /// The `manage*Order` argument (`IPoco::AppOrderOperation`, …).
    type AbiOperation;
    /// The `manage*Order` call.
    type ManageCall: SolCall;
    /// The event `manage*Order(SIGN)` emits (`SignedAppOrder(bytes32)`, …).
    type SignedEvent: SolEvent;
    /// The name of the `manage*Order` function.
    const MANAGE: &'static str;

    /// The ABI struct carrying `sign`.
    fn to_abi(&self, sign: Bytes) -> Self::Abi;

    /// The `manage*Order` argument: `operation` on this order, authorized by `sign` (empty
    /// when the owner sends it).
    fn to_abi_operation(&self, operation: OrderOperation, sign: Bytes) -> Self::AbiOperation;

    /// The `manage*Order` call for `operation` on this order.
    fn manage_call(&self, operation: OrderOperation, sign: Bytes) -> Self::ManageCall;

    /// The order hash a `Signed…Order` event carries.
    fn signed_hash(event: &Self::SignedEvent) -> B256;
}

macro_rules! abi_order {
    (
        $order:ident,
        $operation:ident,
        $manage:ident => $call:ident,
        $signed:ident . $hash:ident,
        [$($field:ident),+ $(,)?]
    ) => {
        impl AbiOrder for $order {
            type Abi = IPoco::$order;
            type AbiOperation = IPoco::$operation;
            type ManageCall = IPoco::$call;
            type SignedEvent = IPoco::$signed;
            const MANAGE: &'static str = stringify!($manage);

            fn to_abi(&self, sign: Bytes) -> IPoco::$order {
                IPoco::$order { $($field: self.$field.clone(),)+ sign }
            }

            fn to_abi_operation(&self, operation: OrderOperation, sign: Bytes) -> IPoco::$operation {
                IPoco::$operation {
                    order: self.to_abi(Bytes::new()),
                    operation: operation.into(),
                    sign,
                }
            }

            fn manage_call(&self, operation: OrderOperation, sign: Bytes) -> Self::ManageCall {
                <IPoco::$call as SolCall>::new((self.to_abi_operation(operation, sign),))
            }

            fn signed_hash(event: &IPoco::$signed) -> B256 {
                event.$hash
            }
        }
    };
}

abi_order!(
    AppOrder,
    AppOrderOperation,
    manageAppOrder => manageAppOrderCall,
    SignedAppOrder.appHash,
    [app, appprice, volume, tag, datasetrestrict, workerpoolrestrict, requesterrestrict, salt]
);
abi_order!(
    DatasetOrder,
    DatasetOrderOperation,
    manageDatasetOrder => manageDatasetOrderCall,
    SignedDatasetOrder.datasetHash,
    [dataset, datasetprice, volume, tag, apprestrict, workerpoolrestrict, requesterrestrict, salt]
);
abi_order!(
    WorkerpoolOrder,
    WorkerpoolOrderOperation,
    manageWorkerpoolOrder => manageWorkerpoolOrderCall,
    SignedWorkerpoolOrder.workerpoolHash,
    [
        workerpool,
        workerpoolprice,
        volume,
        tag,
        category,
        trust,
        apprestrict,
        datasetrestrict,
        requesterrestrict,
        salt
    ]
);
abi_order!(
    RequestOrder,
    RequestOrderOperation,
    manageRequestOrder => manageRequestOrderCall,
    SignedRequestOrder.requestHash,
    [
        app,
        appmaxprice,
        dataset,
        datasetmaxprice,
        workerpool,
        workerpoolmaxprice,
        requester,
        volume,
        tag,
        category,
        trust,
        beneficiary,
        callback,
        params,
        salt
    ]
);

/// The ABI form of a signed order.
pub fn abi<O: AbiOrder>(signed: &SignedOrder<O>) -> O::Abi {
    signed.order.to_abi(signed.sign.clone())
}

/// The four orders of one `matchOrders` call; `dataset` is `None` for a deal without dataset
/// (the hub then gets the all-zero dataset order).
#[derive(Clone, Debug)]
pub struct MatchOrders {
    /// The app order.
    pub app: SignedOrder<AppOrder>,
    /// The dataset order, if the deal uses a dataset.
    pub dataset: Option<SignedOrder<DatasetOrder>>,
    /// The workerpool order.
    pub workerpool: SignedOrder<WorkerpoolOrder>,
    /// The request order.
    pub request: SignedOrder<RequestOrder>,
}

impl MatchOrders {
    /// The four ABI orders, the dataset one zeroed when absent.
    pub fn abi(
        &self,
    ) -> (IPoco::AppOrder, IPoco::DatasetOrder, IPoco::WorkerpoolOrder, IPoco::RequestOrder) {
        let dataset =
            self.dataset.as_ref().map_or_else(|| DatasetOrder::default().to_abi(Bytes::new()), abi);
        (abi(&self.app), dataset, abi(&self.workerpool), abi(&self.request))
    }
}
