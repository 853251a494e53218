// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

import {Test} from "./Test.sol";
import {OrderHasher} from "./OrderHasher.sol";
import {
    AppOrder,
    DatasetOrder,
    WorkerpoolOrder,
    RequestOrder,
    Deal,
    Task,
    TaskStatusEnum,
    ContributionStatusEnum
} from "../../src/libs/PocoTypes.sol";
import {IPoco} from "../../src/interfaces/IPoco.sol";
import {PocoStorage} from "../../src/libs/PocoStorage.sol";
import {RLC} from "../../src/token/RLC.sol";
import {AppRegistry} from "../../src/registries/AppRegistry.sol";
import {DatasetRegistry} from "../../src/registries/DatasetRegistry.sol";
import {WorkerpoolRegistry} from "../../src/registries/WorkerpoolRegistry.sol";

/// @title PocoFixture: a deployed protocol, funded actors, registered assets and order helpers.
/// @dev Actors: the protocol owner, an app owner, a dataset owner, a scheduler (workerpool owner),
/// a requester, a sponsor and five workers, each with a private key for signatures. Every actor
/// starts with `INITIAL_DEPOSIT` nRLC in the escrow.
abstract contract PocoFixture is Test {
    uint256 internal constant INITIAL_DEPOSIT = 1_000_000 * 1e9;
    bytes32 internal constant NO_TAG = bytes32(0);
    bytes32 internal constant TEE_TAG = bytes32(uint256(1));

    RLC internal rlc;
    AppRegistry internal appRegistry;
    DatasetRegistry internal datasetRegistry;
    WorkerpoolRegistry internal workerpoolRegistry;
    IPoco internal hub;
    OrderHasher internal hasher;

    address internal protocolOwner;
    address internal appOwner;
    uint256 internal appOwnerKey;
    address internal datasetOwner;
    uint256 internal datasetOwnerKey;
    address internal scheduler;
    uint256 internal schedulerKey;
    address internal requester;
    uint256 internal requesterKey;
    address internal sponsor;
    address[] internal workers;
    uint256[] internal workerKeys;

    address internal app;
    address internal dataset;
    address internal workerpool;

    uint256 private _salt;

    function setUp() public virtual {
        protocolOwner = makeAddr("protocolOwner");
        (appOwner, appOwnerKey) = makeAccount("appOwner");
        (datasetOwner, datasetOwnerKey) = makeAccount("datasetOwner");
        (scheduler, schedulerKey) = makeAccount("scheduler");
        (requester, requesterKey) = makeAccount("requester");
        sponsor = makeAddr("sponsor");
        for (uint256 i = 0; i < 5; ++i) {
            (address worker, uint256 key) = makeAccount(string.concat("worker", vm.toString(i)));
            workers.push(worker);
            workerKeys.push(key);
        }

        // Deployed from the compiled artifacts rather than with `new`: a test contract that
        // creates the hub embeds (and, via-IR, re-optimizes) its whole bytecode, which costs
        // about 40 s of compilation per test file.
        rlc = RLC(vm.deployCode("RLC.sol:RLC"));
        bytes memory registryArgs = abi.encode(protocolOwner, "");
        appRegistry = AppRegistry(vm.deployCode("AppRegistry.sol:AppRegistry", registryArgs));
        datasetRegistry =
            DatasetRegistry(vm.deployCode("DatasetRegistry.sol:DatasetRegistry", registryArgs));
        workerpoolRegistry = WorkerpoolRegistry(
            vm.deployCode("WorkerpoolRegistry.sol:WorkerpoolRegistry", registryArgs)
        );
        address views = vm.deployCode("PocoViews.sol:PocoViews");
        address module = vm.deployCode("PocoModule.sol:PocoModule", abi.encode(address(rlc), views));
        bytes memory hubArgs = abi.encode(
            module,
            address(appRegistry),
            address(datasetRegistry),
            address(workerpoolRegistry),
            protocolOwner
        );
        hub = IPoco(vm.deployCode("PocoHub.sol:PocoHub", hubArgs));
        hasher = OrderHasher(vm.deployCode("OrderHasher.sol:OrderHasher"));
        vm.label(address(hub), "hub");

        app = appRegistry.createApp(
            appOwner, "hello", "DOCKER", "docker.io/poco/hello:1", keccak256("image"), ""
        );
        dataset = datasetRegistry.createDataset(
            datasetOwner, "data", "https://example.org/data.zip", keccak256("data")
        );
        workerpool = workerpoolRegistry.createWorkerpool(scheduler, "pool");

        _fund(appOwner);
        _fund(datasetOwner);
        _fund(scheduler);
        _fund(requester);
        _fund(sponsor);
        for (uint256 i = 0; i < workers.length; ++i) {
            _fund(workers[i]);
        }
    }

    function _fund(address account) internal {
        rlc.transfer(account, INITIAL_DEPOSIT);
        vm.startPrank(account);
        rlc.approve(address(hub), INITIAL_DEPOSIT);
        hub.deposit(INITIAL_DEPOSIT);
        vm.stopPrank();
    }

    /*//////////////////////////////////////////////////////////////
                                ORDERS
    //////////////////////////////////////////////////////////////*/

    function _nextSalt() internal returns (bytes32) {
        return keccak256(abi.encode("salt", ++_salt));
    }

    function _appOrder(uint256 price, uint256 volume) internal returns (AppOrder memory o) {
        o = AppOrder(
            app, price, volume, NO_TAG, address(0), address(0), address(0), _nextSalt(), ""
        );
    }

    function _datasetOrder(uint256 price, uint256 volume) internal returns (DatasetOrder memory o) {
        o = DatasetOrder(
            dataset, price, volume, NO_TAG, address(0), address(0), address(0), _nextSalt(), ""
        );
    }

    function _noDataset() internal pure returns (DatasetOrder memory o) {}

    function _workerpoolOrder(uint256 price, uint256 volume, uint256 trust)
        internal
        returns (WorkerpoolOrder memory o)
    {
        o = WorkerpoolOrder(
            workerpool,
            price,
            volume,
            NO_TAG,
            0,
            trust,
            address(0),
            address(0),
            address(0),
            _nextSalt(),
            ""
        );
    }

    function _requestOrder(
        AppOrder memory a,
        DatasetOrder memory d,
        WorkerpoolOrder memory w,
        uint256 volume
    ) internal returns (RequestOrder memory o) {
        o = RequestOrder({
            app: a.app,
            appmaxprice: a.appprice,
            dataset: d.dataset,
            datasetmaxprice: d.datasetprice,
            workerpool: address(0),
            workerpoolmaxprice: w.workerpoolprice,
            requester: requester,
            volume: volume,
            tag: NO_TAG,
            category: w.category,
            trust: w.trust,
            beneficiary: requester,
            callback: address(0),
            params: '{"iexec_args":"hello"}',
            salt: _nextSalt(),
            sign: ""
        });
    }

    function _typed(bytes32 structHash) internal view returns (bytes32) {
        return MessageHashUtils.toTypedDataHash(hasher.domainSeparator(address(hub)), structHash);
    }

    function _signDigest(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function _sign(AppOrder memory o) internal view returns (AppOrder memory) {
        o.sign = _signDigest(appOwnerKey, _typed(hasher.hashApp(o)));
        return o;
    }

    function _sign(DatasetOrder memory o) internal view returns (DatasetOrder memory) {
        o.sign = _signDigest(datasetOwnerKey, _typed(hasher.hashDataset(o)));
        return o;
    }

    function _sign(WorkerpoolOrder memory o) internal view returns (WorkerpoolOrder memory) {
        o.sign = _signDigest(schedulerKey, _typed(hasher.hashWorkerpool(o)));
        return o;
    }

    function _sign(RequestOrder memory o) internal view returns (RequestOrder memory) {
        o.sign = _signDigest(requesterKey, _typed(hasher.hashRequest(o)));
        return o;
    }

    function _hash(AppOrder memory o) internal view returns (bytes32) {
        return _typed(hasher.hashApp(o));
    }

    function _hash(DatasetOrder memory o) internal view returns (bytes32) {
        return _typed(hasher.hashDataset(o));
    }

    function _hash(WorkerpoolOrder memory o) internal view returns (bytes32) {
        return _typed(hasher.hashWorkerpool(o));
    }

    function _hash(RequestOrder memory o) internal view returns (bytes32) {
        return _typed(hasher.hashRequest(o));
    }

    /// @dev Signs and matches a standard deal (no dataset) for `volume` tasks at `trust`.
    function _matchDeal(uint256 appPrice, uint256 poolPrice, uint256 volume, uint256 trust)
        internal
        returns (bytes32 dealid)
    {
        AppOrder memory a = _sign(_appOrder(appPrice, volume));
        WorkerpoolOrder memory w = _sign(_workerpoolOrder(poolPrice, volume, trust));
        DatasetOrder memory d = _noDataset();
        RequestOrder memory r = _sign(_requestOrder(a, d, w, volume));
        dealid = hub.matchOrders(a, d, w, r);
    }

    /*//////////////////////////////////////////////////////////////
                           TASKS AND WORKERS
    //////////////////////////////////////////////////////////////*/

    function _taskId(bytes32 dealid, uint256 idx) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(dealid, idx));
    }

    function _authorization(address worker, bytes32 taskid, address enclave)
        internal
        view
        returns (bytes memory)
    {
        bytes32 digest = MessageHashUtils.toEthSignedMessageHash(
            keccak256(abi.encodePacked(worker, taskid, enclave))
        );
        return _signDigest(schedulerKey, digest);
    }

    function _resultHash(bytes32 taskid, bytes32 digest) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(taskid, digest));
    }

    function _resultSeal(address worker, bytes32 taskid, bytes32 digest)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encodePacked(worker, taskid, digest));
    }

    function _contribute(uint256 workerIndex, bytes32 taskid, bytes32 digest) internal {
        address worker = workers[workerIndex];
        bytes memory auth = _authorization(worker, taskid, address(0));
        vm.prank(worker);
        hub.contribute(
            taskid,
            _resultHash(taskid, digest),
            _resultSeal(worker, taskid, digest),
            address(0),
            "",
            auth
        );
    }

    function _reveal(uint256 workerIndex, bytes32 taskid, bytes32 digest) internal {
        vm.prank(workers[workerIndex]);
        hub.reveal(taskid, digest);
    }

    function _finalize(bytes32 taskid, bytes memory results) internal {
        vm.prank(scheduler);
        hub.finalize(taskid, results, "");
    }

    /// @dev Sets `worker`'s score directly in the hub's storage (scores otherwise take one
    /// replicated task per point). Mirrors {PocoStorage}: `accounts` is field 8 of the layout, an
    /// account packs balance (112 bits), frozen (112 bits) and score (32 bits).
    function _setScore(address worker, uint256 score) internal {
        bytes32 slot = keccak256(abi.encode(worker, uint256(PocoStorage.LOCATION) + 8));
        uint256 packed = uint256(vm.load(address(hub), slot));
        packed = (packed & ((1 << 224) - 1)) | (score << 224);
        vm.store(address(hub), slot, bytes32(packed));
        assertEq(hub.viewScore(worker), score, "score seeded");
    }

    /// @dev Sum of free and frozen balances of every known actor, the kitty and the hub.
    function _trackedAccounts() internal view returns (address[] memory accounts) {
        accounts = new address[](8 + workers.length);
        accounts[0] = protocolOwner;
        accounts[1] = appOwner;
        accounts[2] = datasetOwner;
        accounts[3] = scheduler;
        accounts[4] = requester;
        accounts[5] = sponsor;
        accounts[6] = 0x99c2268479b93fDe36232351229815DF80837e23;
        accounts[7] = address(this);
        for (uint256 i = 0; i < workers.length; ++i) {
            accounts[8 + i] = workers[i];
        }
    }

    /// @dev Funds are conserved: the hub's RLC = Σ free balances (the hub's own included) =
    /// Σ free balances of everyone else + Σ frozen. Checks both forms.
    function _assertConservation() internal view {
        address[] memory accounts = _trackedAccounts();
        uint256 free;
        uint256 frozen;
        for (uint256 i = 0; i < accounts.length; ++i) {
            free += hub.balanceOf(accounts[i]);
            frozen += hub.frozenOf(accounts[i]);
        }
        assertEq(hub.totalSupply(), rlc.balanceOf(address(hub)), "total supply != RLC held");
        assertEq(free + frozen, rlc.balanceOf(address(hub)), "free + frozen != RLC held");
        assertEq(hub.balanceOf(address(hub)), frozen, "hub balance != frozen");
    }
}
