// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoFixture} from "./PocoFixture.sol";
import {
    AppOrder,
    DatasetOrder,
    WorkerpoolOrder,
    RequestOrder,
    AppOrderOperation,
    DatasetOrderOperation,
    WorkerpoolOrderOperation,
    RequestOrderOperation,
    OrderOperationEnum
} from "../../src/libs/PocoTypes.sol";
import {IPoco} from "../../src/interfaces/IPoco.sol";

/// @title PocoUnitFixture: what the per-function tests of the module and the views share.
/// @dev Adds to {PocoFixture}: a stranger (no role, no deposit), default prices, order bundles
/// that can be edited before signing, signed order operations, a helper that completes a
/// trust-1 task, a conservation check that includes extra accounts, and a second protocol
/// instance over another base token.
abstract contract PocoUnitFixture is PocoFixture {
    uint256 internal constant APP_PRICE = 5e9;
    uint256 internal constant DATASET_PRICE = 3e9;
    uint256 internal constant POOL_PRICE = 100e9;
    /// 30% of the pool price: the scheduler stake per task, and the default worker stake.
    uint256 internal constant STAKE = POOL_PRICE * 30 / 100;
    address internal constant KITTY = 0x99c2268479b93fDe36232351229815DF80837e23;
    bytes32 internal constant DIGEST = keccak256("result");

    /// Operation typehashes of spec §3.2, as literals (checked against the type strings in
    /// test/unit/OrderLib/vectors.t.sol).
    bytes32 internal constant APP_OPERATION_TYPEHASH =
        0x0638bb0702457e2b4b01be8a202579b8bf97e587fb4f2cc4d4aad01f21a06ee0;
    bytes32 internal constant DATASET_OPERATION_TYPEHASH =
        0x075eb6f7578ff4292c241bd2484cd5c1d5e6ecc2ddd3317e1d8176b5a45865ec;
    bytes32 internal constant WORKERPOOL_OPERATION_TYPEHASH =
        0x322d980b7d7a6a1f7c39ff0c5445da6ae1d8e0393ff0dd468c8be3e2c8644388;
    bytes32 internal constant REQUEST_OPERATION_TYPEHASH =
        0x0ded7b52c2d77595a40d242eca751df172b18e686326dbbed3f4748828af77c7;

    address internal stranger;
    uint256 internal strangerKey;

    /// @dev The four orders of a match, editable before signing.
    struct Orders {
        AppOrder app;
        DatasetOrder dataset;
        WorkerpoolOrder workerpool;
        RequestOrder request;
    }

    function setUp() public virtual override {
        super.setUp();
        (stranger, strangerKey) = makeAccount("stranger");
    }

    /*//////////////////////////////////////////////////////////////
                                ORDERS
    //////////////////////////////////////////////////////////////*/

    /// @dev Unsigned orders for `volume` tasks at `trust`, default prices, with or without the
    /// fixture's dataset.
    function _orders(uint256 volume, uint256 trust, bool withDataset)
        internal
        returns (Orders memory o)
    {
        o.app = _appOrder(APP_PRICE, volume);
        o.dataset = withDataset ? _datasetOrder(DATASET_PRICE, volume) : _noDataset();
        o.workerpool = _workerpoolOrder(POOL_PRICE, volume, trust);
        o.request = _requestOrder(o.app, o.dataset, o.workerpool, volume);
    }

    /// @dev Signs the four orders with their owners' keys (the dataset order only if it names one).
    function _signAll(Orders memory o) internal view returns (Orders memory) {
        o.app = _sign(o.app);
        if (o.dataset.dataset != address(0)) o.dataset = _sign(o.dataset);
        o.workerpool = _sign(o.workerpool);
        o.request = _sign(o.request);
        return o;
    }

    function _match(Orders memory o) internal returns (bytes32) {
        return hub.matchOrders(o.app, o.dataset, o.workerpool, o.request);
    }

    /*//////////////////////////////////////////////////////////////
                           ORDER OPERATIONS
    //////////////////////////////////////////////////////////////*/

    /// @dev EIP-712 digest of an operation, built from the spec's typehash literals.
    function _operationDigest(AppOrder memory o, OrderOperationEnum op)
        internal
        view
        returns (bytes32)
    {
        return _typed(keccak256(abi.encode(APP_OPERATION_TYPEHASH, hasher.hashApp(o), uint256(op))));
    }

    function _operationDigest(DatasetOrder memory o, OrderOperationEnum op)
        internal
        view
        returns (bytes32)
    {
        return _typed(
            keccak256(abi.encode(DATASET_OPERATION_TYPEHASH, hasher.hashDataset(o), uint256(op)))
        );
    }

    function _operationDigest(WorkerpoolOrder memory o, OrderOperationEnum op)
        internal
        view
        returns (bytes32)
    {
        return _typed(
            keccak256(
                abi.encode(WORKERPOOL_OPERATION_TYPEHASH, hasher.hashWorkerpool(o), uint256(op))
            )
        );
    }

    function _operationDigest(RequestOrder memory o, OrderOperationEnum op)
        internal
        view
        returns (bytes32)
    {
        return _typed(
            keccak256(abi.encode(REQUEST_OPERATION_TYPEHASH, hasher.hashRequest(o), uint256(op)))
        );
    }

    /// @dev An operation signed with `key` (0: unsigned).
    function _operation(AppOrder memory o, OrderOperationEnum op, uint256 key)
        internal
        view
        returns (AppOrderOperation memory operation)
    {
        operation = AppOrderOperation(o, op, "");
        if (key != 0) operation.sign = _signDigest(key, _operationDigest(o, op));
    }

    function _operation(DatasetOrder memory o, OrderOperationEnum op, uint256 key)
        internal
        view
        returns (DatasetOrderOperation memory operation)
    {
        operation = DatasetOrderOperation(o, op, "");
        if (key != 0) operation.sign = _signDigest(key, _operationDigest(o, op));
    }

    function _operation(WorkerpoolOrder memory o, OrderOperationEnum op, uint256 key)
        internal
        view
        returns (WorkerpoolOrderOperation memory operation)
    {
        operation = WorkerpoolOrderOperation(o, op, "");
        if (key != 0) operation.sign = _signDigest(key, _operationDigest(o, op));
    }

    function _operation(RequestOrder memory o, OrderOperationEnum op, uint256 key)
        internal
        view
        returns (RequestOrderOperation memory operation)
    {
        operation = RequestOrderOperation(o, op, "");
        if (key != 0) operation.sign = _signDigest(key, _operationDigest(o, op));
    }

    /*//////////////////////////////////////////////////////////////
                                 TASKS
    //////////////////////////////////////////////////////////////*/

    /// @dev Drives task `idx` of a trust-1 deal to COMPLETED: worker 0 contributes `digest`,
    /// reveals, the scheduler finalizes with `resultsCallback`.
    function _completeTask(
        bytes32 dealid,
        uint256 idx,
        bytes32 digest,
        bytes memory resultsCallback
    ) internal returns (bytes32 taskid) {
        taskid = hub.initialize(dealid, idx);
        _contribute(0, taskid, digest);
        _reveal(0, taskid, digest);
        vm.prank(scheduler);
        hub.finalize(taskid, "ipfs://result", resultsCallback);
    }

    /*//////////////////////////////////////////////////////////////
                       CONSERVATION, OTHER INSTANCES
    //////////////////////////////////////////////////////////////*/

    /// @dev {_assertConservation} with `extra` counted among the tracked accounts.
    function _assertConservationWith(address extra) internal view {
        address[] memory accounts = _trackedAccounts();
        uint256 free = hub.balanceOf(extra);
        uint256 frozen = hub.frozenOf(extra);
        for (uint256 i = 0; i < accounts.length; ++i) {
            free += hub.balanceOf(accounts[i]);
            frozen += hub.frozenOf(accounts[i]);
        }
        assertEq(hub.totalSupply(), rlc.balanceOf(address(hub)), "total supply != RLC held");
        assertEq(free + frozen, rlc.balanceOf(address(hub)), "free + frozen != RLC held");
        assertEq(hub.balanceOf(address(hub)), frozen, "hub balance != frozen");
    }

    /// @dev Another hub, over `token`, sharing the fixture's registries and owner.
    function _deployHub(address token) internal returns (IPoco) {
        address views = vm.deployCode("PocoViews.sol:PocoViews");
        address module = vm.deployCode("PocoModule.sol:PocoModule", abi.encode(token, views));
        return IPoco(
            vm.deployCode(
                "PocoHub.sol:PocoHub",
                abi.encode(
                    module,
                    address(appRegistry),
                    address(datasetRegistry),
                    address(workerpoolRegistry),
                    protocolOwner
                )
            )
        );
    }

    function _panic(uint256 code) internal pure returns (bytes memory) {
        return abi.encodeWithSignature("Panic(uint256)", code);
    }
}
