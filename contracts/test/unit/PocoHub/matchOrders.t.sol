// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {PocoHubFixture} from "../../utils/PocoHubFixture.sol";
import {Vm} from "../../utils/Vm.sol";
import {ERC734Mock} from "../../mocks/ERC734Mock.sol";
import {ERC1271Mock} from "../../mocks/ERC1271Mock.sol";
import {IPocoErrors, Restriction, OrderKind} from "../../../src/interfaces/IPocoErrors.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {IWorkerpool} from "../../../src/interfaces/IRegistries.sol";
import {Blobs} from "../../../src/libs/Blobs.sol";
import {PocoStorage} from "../../../src/libs/PocoStorage.sol";
import {
    AppOrder,
    DatasetOrder,
    WorkerpoolOrder,
    RequestOrder,
    AppOrderOperation,
    DatasetOrderOperation,
    WorkerpoolOrderOperation,
    RequestOrderOperation,
    OrderOperationEnum,
    Deal
} from "../../../src/libs/PocoTypes.sol";

/// @title matchOrders: every check of spec §4.1 in order, volume and deal id (§4.2), the stored
/// deal (§4.4) and the effects (§4.5).
contract PocoHubMatchOrdersTest is PocoHubFixture {
    /// secp256k1 group order, to build high-s (malleable) signatures.
    uint256 private constant SECP256K1_N =
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    ERC734Mock private group;

    function setUp() public override {
        super.setUp();
        group = new ERC734Mock();
    }

    /*//////////////////////////////////////////////////////////////
                        SUCCESS: DEAL, LOCKS, EVENTS
    //////////////////////////////////////////////////////////////*/

    /// 1. Without dataset: the deal id, the stored deal, the consumed volumes and the locks.
    function test_01_matchesWithoutDataset() public {
        Orders memory o = _signAll(_orders(3, 1));
        bytes32 requestHash = _hash(o.request);
        bytes32 expectedDealid = keccak256(abi.encodePacked(requestHash, uint256(0)));
        vm.warp(1000);

        bytes32 dealid = _match(o);

        assertEq(dealid, expectedDealid, "dealid = keccak(requestHash, consumed before)");
        Deal memory deal = hub.viewDeal(dealid);
        assertEq(deal.app.pointer, app, "app.pointer");
        assertEq(deal.app.owner, appOwner, "app.owner");
        assertEq(deal.app.price, APP_PRICE, "app.price");
        assertEq(deal.dataset.pointer, address(0), "dataset.pointer");
        assertEq(deal.dataset.owner, address(0), "dataset.owner");
        assertEq(deal.dataset.price, 0, "dataset.price");
        assertEq(deal.workerpool.pointer, workerpool, "workerpool.pointer");
        assertEq(deal.workerpool.owner, scheduler, "workerpool.owner");
        assertEq(deal.workerpool.price, POOL_PRICE, "workerpool.price");
        assertEq(deal.trust, 1, "trust");
        assertEq(deal.category, 0, "category");
        assertEq(deal.tag, NO_TAG, "tag");
        assertEq(deal.requester, requester, "requester");
        assertEq(deal.beneficiary, requester, "beneficiary");
        assertEq(deal.callback, address(0), "callback");
        assertEq(deal.params, o.request.params, "params");
        assertEq(deal.startTime, 1000, "startTime");
        assertEq(deal.botFirst, 0, "botFirst");
        assertEq(deal.botSize, 3, "botSize");
        assertEq(deal.workerStake, STAKE, "workerStake = price * 30 / 100");
        assertEq(deal.schedulerRewardRatio, 1, "schedulerRewardRatio");
        assertEq(deal.sponsor, requester, "sponsor == requester");

        assertEq(hub.viewConsumed(_hash(o.app)), 3, "app consumed");
        assertEq(hub.viewConsumed(_hash(o.workerpool)), 3, "workerpool consumed");
        assertEq(hub.viewConsumed(requestHash), 3, "request consumed");

        assertEq(_frozen(requester), 3 * TASK_PRICE, "requester locks price x volume");
        assertEq(_free(requester), INITIAL_DEPOSIT - 3 * TASK_PRICE, "requester free");
        assertEq(_frozen(scheduler), 3 * STAKE, "scheduler locks 30% x volume");
        assertEq(_free(scheduler), INITIAL_DEPOSIT - 3 * STAKE, "scheduler free");
        assertEq(_free(address(hub)), 3 * (TASK_PRICE + STAKE), "locked funds sit in the hub");
        _assertConservation();
    }

    /// 2. With dataset: the dataset is paid, snapshotted and consumed.
    function test_02_matchesWithDataset() public {
        Orders memory o = _signAll(_ordersWithDataset(2, 1));
        bytes32 dealid = _match(o);

        Deal memory deal = hub.viewDeal(dealid);
        assertEq(deal.dataset.pointer, dataset, "dataset.pointer");
        assertEq(deal.dataset.owner, datasetOwner, "dataset.owner");
        assertEq(deal.dataset.price, DATASET_PRICE, "dataset.price");
        assertEq(hub.viewConsumed(_hash(o.dataset)), 2, "dataset consumed");
        assertEq(
            _frozen(requester),
            2 * (TASK_PRICE + DATASET_PRICE),
            "requester locks app + dataset + pool"
        );
        assertEq(_frozen(scheduler), 2 * STAKE, "scheduler stake");
        _assertConservation();
    }

    /// 3. Events: Lock/Transfer of the payer, then of the scheduler, then SchedulerNotice, then
    /// OrdersMatched (datasetHash 0 without dataset).
    function test_03_emitsSchedulerNoticeThenOrdersMatched() public {
        Orders memory o = _signAll(_orders(2, 1));
        bytes32 requestHash = _hash(o.request);
        bytes32 dealid = keccak256(abi.encodePacked(requestHash, uint256(0)));

        vm.expectEmit(address(hub));
        emit IPocoEvents.Transfer(requester, address(hub), 2 * TASK_PRICE);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Lock(requester, 2 * TASK_PRICE);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Transfer(scheduler, address(hub), 2 * STAKE);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Lock(scheduler, 2 * STAKE);
        vm.expectEmit(address(hub));
        emit IPocoEvents.SchedulerNotice(workerpool, dealid);
        vm.expectEmit(address(hub));
        emit IPocoEvents.OrdersMatched(
            dealid, _hash(o.app), bytes32(0), _hash(o.workerpool), requestHash, 2
        );
        vm.recordLogs();
        _match(o);

        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 notice = _logIndex(logs, IPocoEvents.SchedulerNotice.selector);
        uint256 matched = _logIndex(logs, IPocoEvents.OrdersMatched.selector);
        assertLt(notice, matched, "SchedulerNotice before OrdersMatched");
        assertEq(matched, logs.length - 1, "OrdersMatched is the last event");
        assertEq(_logCount(logs, IPocoEvents.DealSponsored.selector), 0, "no DealSponsored");
    }

    /// 4. OrdersMatched carries the dataset order hash when a dataset is used.
    function test_04_ordersMatchedCarriesDatasetHash() public {
        Orders memory o = _signAll(_ordersWithDataset(1, 1));
        bytes32 requestHash = _hash(o.request);
        vm.expectEmit(address(hub));
        emit IPocoEvents.OrdersMatched(
            keccak256(abi.encodePacked(requestHash, uint256(0))),
            _hash(o.app),
            _hash(o.dataset),
            _hash(o.workerpool),
            requestHash,
            1
        );
        _match(o);
    }

    /// 5. The request trust is stored as max(trust, 1).
    function test_05_trustZeroIsStoredAsOne() public {
        Orders memory o = _orders(1, 0);
        assertEq(o.request.trust, 0, "request trust 0");
        bytes32 dealid = _signAndMatch(o);
        assertEq(hub.viewDeal(dealid).trust, 1, "deal trust 1");

        o = _orders(1, 7);
        o.request.trust = 5;
        dealid = _signAndMatch(o);
        assertEq(hub.viewDeal(dealid).trust, 5, "deal trust is the request's, not the pool's");
    }

    /// 6. The workerpool policies are snapshotted at match time.
    function test_06_snapshotsPoliciesAtMatchTime() public {
        vm.prank(scheduler);
        IWorkerpool(workerpool).changePolicy(50, 10);
        bytes32 dealid = _signAndMatch(_orders(1, 1));
        Deal memory deal = hub.viewDeal(dealid);
        assertEq(deal.workerStake, POOL_PRICE * 50 / 100, "workerStake = price x policy / 100");
        assertEq(deal.schedulerRewardRatio, 10, "scheduler reward ratio");

        vm.prank(scheduler);
        IWorkerpool(workerpool).changePolicy(70, 20);
        deal = hub.viewDeal(dealid);
        assertEq(deal.workerStake, POOL_PRICE * 50 / 100, "earlier deal keeps its worker stake");
        assertEq(deal.schedulerRewardRatio, 10, "earlier deal keeps its reward ratio");

        dealid = _signAndMatch(_orders(1, 1));
        assertEq(hub.viewDeal(dealid).workerStake, POOL_PRICE * 70 / 100, "new deal, new policy");
        assertEq(hub.viewDeal(dealid).schedulerRewardRatio, 20, "new deal, new ratio");
    }

    /// 7. The worker stake is floored: price 7 at 30% is 2.
    function test_07_workerStakeIsFloored() public {
        Orders memory o = _orders(10, 1);
        o.workerpool.workerpoolprice = 7;
        o.request.workerpoolmaxprice = 7;
        bytes32 dealid = _signAndMatch(o);
        assertEq(hub.viewDeal(dealid).workerStake, 2, "floor(7 x 30 / 100)");
        // the scheduler stake is floored per task before multiplying by the volume: 2 x 10, not 21
        assertEq(_frozen(scheduler), 20, "scheduler stake floored per task");
    }

    /// 8. The deal tag is app | dataset | request (not the pool's tag); a TEE app makes a TEE deal.
    function test_08_dealTagIsTheOrOfDemands() public {
        Orders memory o = _ordersWithDataset(1, 1);
        o.app.tag = bytes32(uint256(0x101));
        o.dataset.tag = bytes32(uint256(0x4));
        o.request.tag = bytes32(uint256(0x2));
        o.workerpool.tag = bytes32(uint256(0xffff));
        bytes32 dealid = _signAndMatch(o);
        assertEq(hub.viewDeal(dealid).tag, bytes32(uint256(0x107)), "deal tag");

        o = _teeOrders(1, 1);
        dealid = _signAndMatch(o);
        assertEq(hub.viewDeal(dealid).tag, TEE_TAG, "TEE app, plain request: TEE deal");
    }

    /// 9. A category created by the owner can be matched, and its time reference is used.
    function test_09_matchesANewCategory() public {
        vm.prank(protocolOwner);
        uint256 catid = hub.createCategory("XXL", "", 1234);
        Orders memory o = _orders(1, 1);
        o.workerpool.category = catid;
        o.request.category = catid;
        bytes32 dealid = _signAndMatch(o);
        assertEq(hub.viewDeal(dealid).category, catid, "category");
        bytes32 taskid = hub.initialize(dealid, 0);
        assertEq(hub.viewTask(taskid).timeref, 1234, "timeref of the new category");
    }

    /// 10. Callback and beneficiary come from the request.
    function test_10_storesCallbackBeneficiaryAndParams() public {
        Orders memory o = _orders(1, 1);
        o.request.callback = address(0xCA11);
        o.request.beneficiary = stranger;
        o.request.params = "";
        bytes32 dealid = _signAndMatch(o);
        Deal memory deal = hub.viewDeal(dealid);
        assertEq(deal.callback, address(0xCA11), "callback");
        assertEq(deal.beneficiary, stranger, "beneficiary");
        assertEq(deal.params, "", "empty params");
    }

    /*//////////////////////////////////////////////////////////////
                         §4.1: EVERY CHECK IN ORDER
    //////////////////////////////////////////////////////////////*/

    /// 11. Starting from orders that fail every check, repairing one thing at a time reveals the
    /// checks one by one in the reference's order (§4.1 rows 1-28, then the locks).
    function test_11_checksRunInReferenceOrder() public {
        address fakeApp = makeAddr("fakeApp");
        address fakeDataset = makeAddr("fakeDataset");
        address fakePool = makeAddr("fakePool");
        Orders memory o = _ordersWithDataset(1, 1);
        // everything wrong at once
        o.app.app = fakeApp;
        o.request.app = fakeApp;
        o.dataset.dataset = fakeDataset;
        o.request.dataset = fakeDataset;
        o.workerpool.workerpool = fakePool;
        o.request.category = 7;
        o.workerpool.category = 8;
        o.request.trust = 5;
        o.request.appmaxprice = APP_PRICE - 1;
        o.request.datasetmaxprice = DATASET_PRICE - 1;
        o.request.workerpoolmaxprice = POOL_PRICE - 1;
        o.request.tag = bytes32(uint256(0x3));
        o.workerpool.tag = bytes32(uint256(0x2));
        o.request.workerpool = stranger;
        o.app.datasetrestrict = stranger;
        o.app.workerpoolrestrict = stranger;
        o.app.requesterrestrict = stranger;
        o.dataset.apprestrict = stranger;
        o.dataset.workerpoolrestrict = stranger;
        o.dataset.requesterrestrict = stranger;
        o.workerpool.apprestrict = stranger;
        o.workerpool.datasetrestrict = stranger;
        o.workerpool.requesterrestrict = stranger;

        _step(o, abi.encodeWithSelector(IPocoErrors.CategoryMismatch.selector, 7, 8));
        o.workerpool.category = 7;
        _step(o, abi.encodeWithSelector(IPocoErrors.UnknownCategory.selector, 7, 5));
        o.workerpool.category = 0;
        o.request.category = 0;
        _step(o, abi.encodeWithSelector(IPocoErrors.TrustNotOffered.selector, 5, 1));
        o.request.trust = 1;
        _step(
            o,
            abi.encodeWithSelector(
                IPocoErrors.Overpriced.selector, OrderKind.App, APP_PRICE, APP_PRICE - 1
            )
        );
        o.request.appmaxprice = APP_PRICE;
        _step(
            o,
            abi.encodeWithSelector(
                IPocoErrors.Overpriced.selector, OrderKind.Dataset, DATASET_PRICE, DATASET_PRICE - 1
            )
        );
        o.request.datasetmaxprice = DATASET_PRICE;
        _step(
            o,
            abi.encodeWithSelector(
                IPocoErrors.Overpriced.selector, OrderKind.Workerpool, POOL_PRICE, POOL_PRICE - 1
            )
        );
        o.request.workerpoolmaxprice = POOL_PRICE;
        _step(
            o,
            abi.encodeWithSelector(
                IPocoErrors.TagNotOffered.selector, bytes32(uint256(3)), bytes32(uint256(2))
            )
        );
        o.workerpool.tag = bytes32(uint256(0x3));
        _step(
            o,
            abi.encodeWithSelector(
                IPocoErrors.TeeTagMismatch.selector, bytes32(uint256(3)), bytes32(0)
            )
        );
        o.request.tag = bytes32(uint256(0x2));
        o.request.app = stranger;
        _step(
            o,
            abi.encodeWithSelector(
                IPocoErrors.AssetMismatch.selector, OrderKind.App, stranger, fakeApp
            )
        );
        o.request.app = fakeApp;
        o.request.dataset = stranger;
        _step(
            o,
            abi.encodeWithSelector(
                IPocoErrors.AssetMismatch.selector, OrderKind.Dataset, stranger, fakeDataset
            )
        );
        o.request.dataset = fakeDataset;

        // the ten restrictions, in order
        _step(o, _restrictionError(Restriction.RequestWorkerpool, stranger, fakePool));
        o.request.workerpool = address(0);
        _step(o, _restrictionError(Restriction.AppDataset, stranger, fakeDataset));
        o.app.datasetrestrict = address(0);
        _step(o, _restrictionError(Restriction.AppWorkerpool, stranger, fakePool));
        o.app.workerpoolrestrict = address(0);
        _step(o, _restrictionError(Restriction.AppRequester, stranger, requester));
        o.app.requesterrestrict = address(0);
        _step(o, _restrictionError(Restriction.DatasetApp, stranger, fakeApp));
        o.dataset.apprestrict = address(0);
        _step(o, _restrictionError(Restriction.DatasetWorkerpool, stranger, fakePool));
        o.dataset.workerpoolrestrict = address(0);
        _step(o, _restrictionError(Restriction.DatasetRequester, stranger, requester));
        o.dataset.requesterrestrict = address(0);
        _step(o, _restrictionError(Restriction.WorkerpoolApp, stranger, fakeApp));
        o.workerpool.apprestrict = address(0);
        _step(o, _restrictionError(Restriction.WorkerpoolDataset, stranger, fakeDataset));
        o.workerpool.datasetrestrict = address(0);
        _step(o, _restrictionError(Restriction.WorkerpoolRequester, stranger, requester));
        o.workerpool.requesterrestrict = address(0);

        // registration, then the owner's signature, order by order
        _step(o, abi.encodeWithSelector(IPocoErrors.NotRegistered.selector, OrderKind.App, fakeApp));
        o.app.app = app;
        o.request.app = app;
        _signAll(o);
        o.app.sign = _signDigest(strangerKey, _hash(o.app));
        _stepSigned(
            o,
            abi.encodeWithSelector(
                IPocoErrors.InvalidOrderSignature.selector, OrderKind.App, _hash(o.app), appOwner
            )
        );
        _step(
            o,
            abi.encodeWithSelector(
                IPocoErrors.NotRegistered.selector, OrderKind.Dataset, fakeDataset
            )
        );
        o.dataset.dataset = dataset;
        o.request.dataset = dataset;
        _signAll(o);
        o.dataset.sign = _signDigest(strangerKey, _hash(o.dataset));
        _stepSigned(
            o,
            abi.encodeWithSelector(
                IPocoErrors.InvalidOrderSignature.selector,
                OrderKind.Dataset,
                _hash(o.dataset),
                datasetOwner
            )
        );
        _step(
            o,
            abi.encodeWithSelector(
                IPocoErrors.NotRegistered.selector, OrderKind.Workerpool, fakePool
            )
        );
        o.workerpool.workerpool = workerpool;
        _signAll(o);
        o.workerpool.sign = _signDigest(strangerKey, _hash(o.workerpool));
        _stepSigned(
            o,
            abi.encodeWithSelector(
                IPocoErrors.InvalidOrderSignature.selector,
                OrderKind.Workerpool,
                _hash(o.workerpool),
                scheduler
            )
        );
        _signAll(o);
        o.request.sign = _signDigest(strangerKey, _hash(o.request));
        _stepSigned(
            o,
            abi.encodeWithSelector(
                IPocoErrors.InvalidOrderSignature.selector,
                OrderKind.Request,
                _hash(o.request),
                requester
            )
        );

        // volume, then the payer's and the scheduler's balances
        o.request.volume = 0;
        _step(o, abi.encodeWithSelector(IPocoErrors.NoVolumeLeft.selector));
        o.request.volume = 1;
        uint256 price = APP_PRICE + DATASET_PRICE + POOL_PRICE;
        vm.prank(requester);
        hub.withdraw(INITIAL_DEPOSIT);
        _step(
            o,
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientBalance.selector, requester, 0, price
            )
        );
        vm.prank(scheduler);
        hub.withdraw(INITIAL_DEPOSIT);
        rlc.approve(address(hub), price);
        hub.depositFor(price, requester);
        _step(
            o,
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientBalance.selector, scheduler, 0, STAKE
            )
        );
        rlc.approve(address(hub), STAKE);
        hub.depositFor(STAKE, scheduler);

        bytes32 dealid = _signAndMatch(o);
        assertEq(hub.viewDeal(dealid).botSize, 1, "finally matched");
        assertEq(_free(requester), 0, "requester spent everything");
        assertEq(_free(scheduler), 0, "scheduler staked everything");
        _assertConservation();
    }

    /*//////////////////////////////////////////////////////////////
                     §4.1 ROWS 1-10: COMPATIBILITY
    //////////////////////////////////////////////////////////////*/

    /// 12. Row 1: category mismatch.
    function test_12_revertsOnCategoryMismatch() public {
        Orders memory o = _orders(1, 1);
        o.request.category = 1;
        _expectMatchRevert(
            _signAll(o), abi.encodeWithSelector(IPocoErrors.CategoryMismatch.selector, 1, 0)
        );
    }

    /// 13. Row 2: unknown category (five default categories: 0 to 4).
    function test_13_revertsOnUnknownCategory() public {
        Orders memory o = _orders(1, 1);
        o.request.category = 5;
        o.workerpool.category = 5;
        _expectMatchRevert(
            _signAll(o), abi.encodeWithSelector(IPocoErrors.UnknownCategory.selector, 5, 5)
        );
        // the last default category is fine
        o.request.category = 4;
        o.workerpool.category = 4;
        _signAndMatch(o);
    }

    /// 14. Row 3: the request asks for more trust than the pool offers; equal trust is fine.
    function test_14_revertsWhenTrustNotOffered() public {
        Orders memory o = _orders(1, 3);
        o.request.trust = 4;
        _expectMatchRevert(
            _signAll(o), abi.encodeWithSelector(IPocoErrors.TrustNotOffered.selector, 4, 3)
        );
        o.request.trust = 3;
        _signAndMatch(o);
    }

    /// 15. Row 4: app overpriced.
    function test_15_revertsWhenAppOverpriced() public {
        Orders memory o = _orders(1, 1);
        o.request.appmaxprice = APP_PRICE - 1;
        _expectMatchRevert(
            _signAll(o),
            abi.encodeWithSelector(
                IPocoErrors.Overpriced.selector, OrderKind.App, APP_PRICE, APP_PRICE - 1
            )
        );
    }

    /// 16. Row 5: dataset overpriced, checked even without a dataset.
    function test_16_revertsWhenDatasetOverpriced() public {
        Orders memory o = _ordersWithDataset(1, 1);
        o.request.datasetmaxprice = DATASET_PRICE - 1;
        _expectMatchRevert(
            _signAll(o),
            abi.encodeWithSelector(
                IPocoErrors.Overpriced.selector, OrderKind.Dataset, DATASET_PRICE, DATASET_PRICE - 1
            )
        );

        o = _orders(1, 1);
        o.dataset.datasetprice = 1; // an all-zero dataset order except its price
        _expectMatchRevert(
            _signAll(o),
            abi.encodeWithSelector(IPocoErrors.Overpriced.selector, OrderKind.Dataset, 1, 0)
        );
    }

    /// 17. Row 5 without dataset: a dataset price within the maximum is accepted but not charged.
    function test_17_datasetPriceWithoutDatasetIsNotCharged() public {
        Orders memory o = _orders(1, 1);
        o.dataset.datasetprice = 7;
        o.request.datasetmaxprice = 7;
        bytes32 dealid = _signAndMatch(o);
        assertEq(hub.viewDeal(dealid).dataset.price, 0, "no dataset, no dataset price");
        assertEq(_frozen(requester), TASK_PRICE, "not charged");
    }

    /// 18. Row 6: workerpool overpriced.
    function test_18_revertsWhenWorkerpoolOverpriced() public {
        Orders memory o = _orders(1, 1);
        o.request.workerpoolmaxprice = POOL_PRICE - 1;
        _expectMatchRevert(
            _signAll(o),
            abi.encodeWithSelector(
                IPocoErrors.Overpriced.selector, OrderKind.Workerpool, POOL_PRICE, POOL_PRICE - 1
            )
        );
    }

    /// 19. Row 7: the pool must offer every bit the app, the dataset and the request ask for.
    function test_19_revertsWhenTagNotOffered() public {
        bytes32 gpu = bytes32(uint256(0x100));
        // asked by the request
        Orders memory o = _orders(1, 1);
        o.request.tag = gpu;
        _expectMatchRevert(
            _signAll(o), abi.encodeWithSelector(IPocoErrors.TagNotOffered.selector, gpu, NO_TAG)
        );
        // asked by the app
        o = _orders(1, 1);
        o.app.tag = gpu;
        _expectMatchRevert(
            _signAll(o), abi.encodeWithSelector(IPocoErrors.TagNotOffered.selector, gpu, NO_TAG)
        );
        // asked by the dataset (6.1: no masking of the TEE-framework bits of the dataset tag)
        o = _ordersWithDataset(1, 1);
        o.dataset.tag = bytes32(uint256(0x2));
        o.workerpool.tag = bytes32(uint256(0x8));
        _expectMatchRevert(
            _signAll(o),
            abi.encodeWithSelector(
                IPocoErrors.TagNotOffered.selector, bytes32(uint256(0x2)), bytes32(uint256(0x8))
            )
        );
        // a TEE app needs a TEE pool
        o = _orders(1, 1);
        o.app.tag = TEE_TAG;
        _expectMatchRevert(
            _signAll(o), abi.encodeWithSelector(IPocoErrors.TagNotOffered.selector, TEE_TAG, NO_TAG)
        );
        // a pool may offer more than asked
        o = _orders(1, 1);
        o.request.tag = gpu;
        o.workerpool.tag = bytes32(uint256(0x1ff));
        _signAndMatch(o);
    }

    /// 20. Row 8: the dataset or the request cannot ask TEE of a non-TEE app.
    function test_20_revertsOnTeeTagMismatch() public {
        Orders memory o = _orders(1, 1);
        o.request.tag = TEE_TAG;
        o.workerpool.tag = TEE_TAG;
        _expectMatchRevert(
            _signAll(o),
            abi.encodeWithSelector(IPocoErrors.TeeTagMismatch.selector, TEE_TAG, NO_TAG)
        );

        o = _ordersWithDataset(1, 1);
        o.dataset.tag = bytes32(uint256(0x3));
        o.workerpool.tag = bytes32(uint256(0x3));
        _expectMatchRevert(
            _signAll(o),
            abi.encodeWithSelector(
                IPocoErrors.TeeTagMismatch.selector, bytes32(uint256(0x3)), NO_TAG
            )
        );

        // a TEE request of a TEE app is fine
        o = _teeOrders(1, 1);
        o.request.tag = TEE_TAG;
        _signAndMatch(o);
    }

    /// 21. Rows 9-10: the request names another app or dataset.
    function test_21_revertsOnAssetMismatch() public {
        Orders memory o = _orders(1, 1);
        o.request.app = stranger;
        _expectMatchRevert(
            _signAll(o),
            abi.encodeWithSelector(IPocoErrors.AssetMismatch.selector, OrderKind.App, stranger, app)
        );

        o = _ordersWithDataset(1, 1);
        o.request.dataset = address(0);
        _expectMatchRevert(
            _signAll(o),
            abi.encodeWithSelector(
                IPocoErrors.AssetMismatch.selector, OrderKind.Dataset, address(0), dataset
            )
        );

        o = _orders(1, 1);
        o.request.dataset = dataset;
        _expectMatchRevert(
            _signAll(o),
            abi.encodeWithSelector(
                IPocoErrors.AssetMismatch.selector, OrderKind.Dataset, dataset, address(0)
            )
        );
    }

    /*//////////////////////////////////////////////////////////////
                     §4.1 ROWS 11-20: RESTRICTIONS
    //////////////////////////////////////////////////////////////*/

    /// 22. Row 11: request -> workerpool.
    function test_22_restrictionRequestWorkerpool() public {
        _assertRestriction(Restriction.RequestWorkerpool);
    }

    /// 23. Row 12: app -> dataset.
    function test_23_restrictionAppDataset() public {
        _assertRestriction(Restriction.AppDataset);
    }

    /// 24. Row 13: app -> workerpool.
    function test_24_restrictionAppWorkerpool() public {
        _assertRestriction(Restriction.AppWorkerpool);
    }

    /// 25. Row 14: app -> requester.
    function test_25_restrictionAppRequester() public {
        _assertRestriction(Restriction.AppRequester);
    }

    /// 26. Row 15: dataset -> app.
    function test_26_restrictionDatasetApp() public {
        _assertRestriction(Restriction.DatasetApp);
    }

    /// 27. Row 16: dataset -> workerpool.
    function test_27_restrictionDatasetWorkerpool() public {
        _assertRestriction(Restriction.DatasetWorkerpool);
    }

    /// 28. Row 17: dataset -> requester.
    function test_28_restrictionDatasetRequester() public {
        _assertRestriction(Restriction.DatasetRequester);
    }

    /// 29. Row 18: workerpool -> app.
    function test_29_restrictionWorkerpoolApp() public {
        _assertRestriction(Restriction.WorkerpoolApp);
    }

    /// 30. Row 19: workerpool -> dataset.
    function test_30_restrictionWorkerpoolDataset() public {
        _assertRestriction(Restriction.WorkerpoolDataset);
    }

    /// 31. Row 20: workerpool -> requester.
    function test_31_restrictionWorkerpoolRequester() public {
        _assertRestriction(Restriction.WorkerpoolRequester);
    }

    /// 32. §4.3: without a dataset, a dataset restriction can never be met.
    function test_32_datasetRestrictionWithoutDatasetFails() public {
        Orders memory o = _orders(1, 1);
        o.app.datasetrestrict = dataset;
        _expectMatchRevert(
            _signAll(o), _restrictionError(Restriction.AppDataset, dataset, address(0))
        );
        o = _orders(1, 1);
        o.workerpool.datasetrestrict = dataset;
        _expectMatchRevert(
            _signAll(o), _restrictionError(Restriction.WorkerpoolDataset, dataset, address(0))
        );
    }

    /// 33. §4.3: a group that reverts, answers garbage or answers too short means "not allowed".
    function test_33_misbehavingGroupIsNotAllowed() public {
        group.setKey(requester, 4, true);
        ERC734Mock.Mode[3] memory modes =
            [ERC734Mock.Mode.Revert, ERC734Mock.Mode.Garbage, ERC734Mock.Mode.Short];
        for (uint256 i = 0; i < modes.length; ++i) {
            group.setMode(modes[i]);
            Orders memory o = _orders(1, 1);
            o.app.requesterrestrict = address(group);
            _expectMatchRevert(
                _signAll(o), _restrictionError(Restriction.AppRequester, address(group), requester)
            );
        }
        group.setMode(ERC734Mock.Mode.Normal);
        Orders memory ok = _orders(1, 1);
        ok.app.requesterrestrict = address(group);
        _signAndMatch(ok);
    }

    /// 34. §4.3: the group is asked about purpose 4 (GROUPMEMBER) only.
    function test_34_groupRequiresPurposeFour() public {
        group.setKey(workerpool, 3, true);
        Orders memory o = _orders(1, 1);
        o.request.workerpool = address(group);
        _expectMatchRevert(
            _signAll(o),
            _restrictionError(Restriction.RequestWorkerpool, address(group), workerpool)
        );

        group.setKey(workerpool, 4, true);
        vm.expectCall(
            address(group),
            abi.encodeCall(ERC734Mock.keyHasPurpose, (bytes32(uint256(uint160(workerpool))), 4))
        );
        _signAndMatch(o);
    }

    /*//////////////////////////////////////////////////////////////
                   §4.1 ROWS 21-27: OWNERS AND SIGNATURES
    //////////////////////////////////////////////////////////////*/

    /// 35. Rows 21, 23, 25: assets not in their registry (an unknown address, or an asset of
    /// another registry).
    function test_35_revertsWhenNotRegistered() public {
        Orders memory o = _orders(1, 1);
        o.app.app = dataset;
        o.request.app = dataset;
        _expectMatchRevert(
            _signAll(o),
            abi.encodeWithSelector(IPocoErrors.NotRegistered.selector, OrderKind.App, dataset)
        );

        o = _ordersWithDataset(1, 1);
        o.dataset.dataset = workerpool;
        o.request.dataset = workerpool;
        o.dataset.sign = hex"";
        _expectMatchRevert(
            _signAll(o),
            abi.encodeWithSelector(
                IPocoErrors.NotRegistered.selector, OrderKind.Dataset, workerpool
            )
        );

        o = _orders(1, 1);
        o.workerpool.workerpool = stranger;
        _expectMatchRevert(
            _signAll(o),
            abi.encodeWithSelector(
                IPocoErrors.NotRegistered.selector, OrderKind.Workerpool, stranger
            )
        );
    }

    /// 36. Rows 22, 24, 26, 27: each order signed by someone else than its owner.
    function test_36_revertsOnWrongSigner() public {
        for (uint256 kind = 0; kind < 4; ++kind) {
            Orders memory o = _signAll(_ordersWithDataset(1, 1));
            (bytes32 hash, address owner_) = _resign(o, OrderKind(kind), strangerKey);
            _expectMatchRevert(
                o,
                abi.encodeWithSelector(
                    IPocoErrors.InvalidOrderSignature.selector, OrderKind(kind), hash, owner_
                )
            );
        }
    }

    /// 37. A signature neither 65 nor 64 bytes long reverts InvalidSignatureFormat (spec §19.5),
    /// including an empty signature on an order that is not presigned.
    function test_37_revertsOnMalformedSignature() public {
        uint256[4] memory lengths = [uint256(0), 10, 63, 66];
        for (uint256 kind = 0; kind < 4; ++kind) {
            for (uint256 i = 0; i < lengths.length; ++i) {
                Orders memory o = _signAll(_ordersWithDataset(1, 1));
                _setSign(o, OrderKind(kind), new bytes(lengths[i]));
                _expectMatchRevert(
                    o,
                    abi.encodeWithSelector(IPocoErrors.InvalidSignatureFormat.selector, lengths[i])
                );
            }
        }
    }

    /// 38. EIP-2098 compact (64-byte) signatures are accepted for every order.
    function test_38_acceptsCompactSignatures() public {
        Orders memory o = _ordersWithDataset(1, 1);
        o.app.sign = _compact(appOwnerKey, _hash(o.app));
        o.dataset.sign = _compact(datasetOwnerKey, _hash(o.dataset));
        o.workerpool.sign = _compact(schedulerKey, _hash(o.workerpool));
        o.request.sign = _compact(requesterKey, _hash(o.request));
        assertEq(o.request.sign.length, 64, "compact");
        bytes32 dealid = _match(o);
        assertEq(hub.viewDeal(dealid).botSize, 1, "matched");
    }

    /// 39. High-s (malleable) signatures are rejected even though they recover to the owner.
    function test_39_rejectsHighSSignatures() public {
        for (uint256 kind = 0; kind < 4; ++kind) {
            Orders memory o = _signAll(_ordersWithDataset(1, 1));
            (bytes32 hash, address owner_, uint256 key) = _orderInfo(o, OrderKind(kind));
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, hash);
            bytes32 highS = bytes32(SECP256K1_N - uint256(s));
            uint8 flippedV = v == 27 ? 28 : 27;
            assertEq(
                ecrecover(hash, flippedV, r, highS),
                owner_,
                "the malleated signature recovers the owner"
            );
            _setSign(o, OrderKind(kind), abi.encodePacked(r, highS, flippedV));
            _expectMatchRevert(
                o,
                abi.encodeWithSelector(
                    IPocoErrors.InvalidOrderSignature.selector, OrderKind(kind), hash, owner_
                )
            );
        }
    }

    /// 40. v must be 27 or 28 (6.x: OpenZeppelin's tryRecover; 5.3 accepted 0/1).
    function test_40_rejectsVZeroOrOne() public {
        Orders memory o = _signAll(_orders(1, 1));
        bytes32 hash = _hash(o.request);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(requesterKey, hash);
        o.request.sign = abi.encodePacked(r, s, v - 27);
        _expectMatchRevert(
            o,
            abi.encodeWithSelector(
                IPocoErrors.InvalidOrderSignature.selector, OrderKind.Request, hash, requester
            )
        );
    }

    /// 41. An ERC-1271 requester: its answer decides, whatever the signature's length.
    function test_41_erc1271Requester() public {
        ERC1271Mock wallet = new ERC1271Mock();
        rlc.approve(address(hub), TASK_PRICE);
        hub.depositFor(TASK_PRICE, address(wallet));

        Orders memory o = _signAll(_orders(1, 1));
        o.request.requester = address(wallet);
        o.request.beneficiary = address(wallet);
        o.request.sign = hex"c0ffee";
        bytes32 hash = _hash(o.request);
        _expectMatchRevert(
            o,
            abi.encodeWithSelector(
                IPocoErrors.InvalidOrderSignature.selector, OrderKind.Request, hash, address(wallet)
            )
        );

        wallet.approve(hash, hex"c0ffee");
        wallet.setMode(ERC1271Mock.Mode.Revert);
        _expectMatchRevert(
            o,
            abi.encodeWithSelector(
                IPocoErrors.InvalidOrderSignature.selector, OrderKind.Request, hash, address(wallet)
            )
        );
        wallet.setMode(ERC1271Mock.Mode.WrongMagic);
        _expectMatchRevert(
            o,
            abi.encodeWithSelector(
                IPocoErrors.InvalidOrderSignature.selector, OrderKind.Request, hash, address(wallet)
            )
        );

        wallet.setMode(ERC1271Mock.Mode.Normal);
        vm.expectCall(
            address(wallet), abi.encodeCall(ERC1271Mock.isValidSignature, (hash, hex"c0ffee"))
        );
        bytes32 dealid = _match(o);
        assertEq(hub.viewDeal(dealid).requester, address(wallet), "contract requester");
        assertEq(_frozen(address(wallet)), TASK_PRICE, "the contract pays");
    }

    /// 42. An ERC-1271 app owner (the app NFT held by a contract).
    function test_42_erc1271AppOwner() public {
        ERC1271Mock wallet = new ERC1271Mock();
        vm.prank(appOwner);
        appRegistry.transferFrom(appOwner, address(wallet), uint256(uint160(app)));

        Orders memory o = _signAll(_orders(1, 1));
        bytes32 hash = _hash(o.app);
        _expectMatchRevert(
            o,
            abi.encodeWithSelector(
                IPocoErrors.InvalidOrderSignature.selector, OrderKind.App, hash, address(wallet)
            )
        );
        wallet.approve(hash, o.app.sign);
        bytes32 dealid = _match(o);
        assertEq(hub.viewDeal(dealid).app.owner, address(wallet), "app owner snapshotted");
    }

    /// 43. Presigned orders (manage*Order SIGN by their owner) match with an empty signature.
    function test_43_presignedOrdersNeedNoSignature() public {
        Orders memory o = _ordersWithDataset(2, 1);
        vm.prank(appOwner);
        hub.manageAppOrder(AppOrderOperation(o.app, OrderOperationEnum.SIGN, ""));
        vm.prank(datasetOwner);
        hub.manageDatasetOrder(DatasetOrderOperation(o.dataset, OrderOperationEnum.SIGN, ""));
        vm.prank(scheduler);
        hub.manageWorkerpoolOrder(
            WorkerpoolOrderOperation(o.workerpool, OrderOperationEnum.SIGN, "")
        );
        vm.prank(requester);
        hub.manageRequestOrder(RequestOrderOperation(o.request, OrderOperationEnum.SIGN, ""));
        assertEq(o.request.sign.length, 0, "no signature");

        bytes32 dealid = _match(o);
        assertEq(hub.viewDeal(dealid).botSize, 2, "matched presigned orders");
    }

    /// 44. A presignature counts for the owner who made it only: after the app NFT changes hands,
    /// the old owner's presignature no longer validates the order (spec §3.3, §19.6).
    function test_44_presignatureOfAPreviousOwnerIsVoid() public {
        Orders memory o = _signAll(_orders(1, 1));
        o.app.sign = "";
        vm.prank(appOwner);
        hub.manageAppOrder(AppOrderOperation(o.app, OrderOperationEnum.SIGN, ""));
        vm.prank(appOwner);
        appRegistry.transferFrom(appOwner, stranger, uint256(uint160(app)));
        _expectMatchRevert(
            o, abi.encodeWithSelector(IPocoErrors.InvalidSignatureFormat.selector, 0)
        );
        o.app.sign = _signDigest(appOwnerKey, _hash(o.app));
        _expectMatchRevert(
            o,
            abi.encodeWithSelector(
                IPocoErrors.InvalidOrderSignature.selector, OrderKind.App, _hash(o.app), stranger
            )
        );
    }

    /// 45. Owners are read at match time: after an NFT transfer the new owner signs and is paid.
    function test_45_ownerIsReadAtMatchTime() public {
        vm.prank(scheduler);
        workerpoolRegistry.transferFrom(scheduler, stranger, uint256(uint160(workerpool)));
        rlc.approve(address(hub), STAKE);
        hub.depositFor(STAKE, stranger);
        Orders memory o = _signAll(_orders(1, 1));
        o.workerpool.sign = _signDigest(strangerKey, _hash(o.workerpool));
        bytes32 dealid = _match(o);
        assertEq(hub.viewDeal(dealid).workerpool.owner, stranger, "new scheduler snapshotted");
        assertEq(_frozen(stranger), STAKE, "new scheduler stakes");
        assertEq(_frozen(scheduler), 0, "old scheduler does not");
    }

    /*//////////////////////////////////////////////////////////////
                   §4.1 ROW 28 AND §4.2: VOLUME, DEAL ID
    //////////////////////////////////////////////////////////////*/

    /// 46. Row 28: an order fully consumed by an earlier deal has no volume left.
    function test_46_revertsWhenAnOrderIsConsumed() public {
        Orders memory o = _signAll(_orders(1, 1));
        _match(o);
        for (uint256 kind = 0; kind < 4; ++kind) {
            if (kind == uint256(OrderKind.Dataset)) continue;
            Orders memory fresh = _signAll(_orders(1, 1));
            if (kind == uint256(OrderKind.App)) fresh.app = o.app;
            if (kind == uint256(OrderKind.Workerpool)) fresh.workerpool = o.workerpool;
            if (kind == uint256(OrderKind.Request)) fresh.request = o.request;
            if (kind != uint256(OrderKind.Request)) {
                fresh.request.salt = _nextSalt();
                fresh.request = _sign(fresh.request);
            }
            _expectMatchRevert(fresh, abi.encodeWithSelector(IPocoErrors.NoVolumeLeft.selector));
        }
        // a fully consumed dataset order
        Orders memory withDataset = _signAll(_ordersWithDataset(1, 1));
        _match(withDataset);
        Orders memory again = _ordersWithDataset(1, 1);
        again.dataset = withDataset.dataset;
        _expectMatchRevert(
            _signAll(again), abi.encodeWithSelector(IPocoErrors.NoVolumeLeft.selector)
        );
    }

    /// 47. Row 28: a closed (cancelled) order has no volume left.
    function test_47_revertsWhenAnOrderIsClosed() public {
        for (uint256 kind = 0; kind < 4; ++kind) {
            Orders memory o = _signAll(_ordersWithDataset(5, 1));
            if (kind == uint256(OrderKind.App)) {
                vm.prank(appOwner);
                hub.manageAppOrder(AppOrderOperation(o.app, OrderOperationEnum.CLOSE, ""));
                assertEq(hub.viewConsumed(_hash(o.app)), 5, "closed = fully consumed");
            } else if (kind == uint256(OrderKind.Dataset)) {
                vm.prank(datasetOwner);
                hub.manageDatasetOrder(
                    DatasetOrderOperation(o.dataset, OrderOperationEnum.CLOSE, "")
                );
            } else if (kind == uint256(OrderKind.Workerpool)) {
                vm.prank(scheduler);
                hub.manageWorkerpoolOrder(
                    WorkerpoolOrderOperation(o.workerpool, OrderOperationEnum.CLOSE, "")
                );
            } else {
                vm.prank(requester);
                hub.manageRequestOrder(
                    RequestOrderOperation(o.request, OrderOperationEnum.CLOSE, "")
                );
            }
            _expectMatchRevert(o, abi.encodeWithSelector(IPocoErrors.NoVolumeLeft.selector));
        }
    }

    /// 48. A dataset order with no volume left does not matter when no dataset is used.
    function test_48_datasetVolumeIgnoredWithoutDataset() public {
        Orders memory o = _orders(2, 1);
        o.dataset.volume = 0;
        bytes32 dealid = _signAndMatch(o);
        assertEq(hub.viewDeal(dealid).botSize, 2, "volume from the other orders");
        assertEq(hub.viewConsumed(_hash(o.dataset)), 0, "dataset order not consumed");
    }

    /// 49. §4.2: volume = min of what is left of each order; each one in turn is the tightest.
    function test_49_volumeIsTheMinimumRemaining() public {
        uint256[4][4] memory volumes = [
            [uint256(2), 5, 6, 7], // app tightest
            [uint256(5), 3, 6, 7], // dataset tightest
            [uint256(5), 6, 4, 7], // workerpool tightest
            [uint256(5), 6, 7, 1] // request tightest
        ];
        for (uint256 i = 0; i < volumes.length; ++i) {
            Orders memory o = _ordersWithDataset(1, 1);
            o.app.volume = volumes[i][0];
            o.dataset.volume = volumes[i][1];
            o.workerpool.volume = volumes[i][2];
            o.request.volume = volumes[i][3];
            bytes32 dealid = _signAndMatch(o);
            assertEq(
                hub.viewDeal(dealid).botSize, volumes[i][i], "the tightest order sets the volume"
            );
            assertEq(hub.viewConsumed(_hash(o.app)), volumes[i][i], "app consumed");
            assertEq(hub.viewConsumed(_hash(o.dataset)), volumes[i][i], "dataset consumed");
            assertEq(hub.viewConsumed(_hash(o.workerpool)), volumes[i][i], "workerpool consumed");
            assertEq(hub.viewConsumed(_hash(o.request)), volumes[i][i], "request consumed");
        }
    }

    /// 50. §4.2: one request order split across two deals; the second deal's id uses the request's
    /// consumed count before it, and its bag of tasks starts there.
    function test_50_splitsARequestAcrossDeals() public {
        Orders memory o = _orders(5, 1);
        o.app.volume = 2;
        o.workerpool.volume = 10;
        _signAll(o);
        bytes32 requestHash = _hash(o.request);

        bytes32 first = _match(o);
        assertEq(first, keccak256(abi.encodePacked(requestHash, uint256(0))), "first dealid");
        assertEq(hub.viewDeal(first).botFirst, 0, "first botFirst");
        assertEq(hub.viewDeal(first).botSize, 2, "first botSize (app volume)");
        assertEq(hub.viewConsumed(requestHash), 2, "request consumed after first");

        o.app = _sign(_appOrder(APP_PRICE, 10));
        bytes32 second = _match(o);
        assertEq(second, keccak256(abi.encodePacked(requestHash, uint256(2))), "second dealid");
        assertEq(hub.viewDeal(second).botFirst, 2, "second botFirst");
        assertEq(hub.viewDeal(second).botSize, 3, "second botSize (rest of the request)");
        assertEq(hub.viewConsumed(requestHash), 5, "request fully consumed");
        assertEq(hub.viewConsumed(_hash(o.workerpool)), 5, "workerpool consumed by both");
        assertEq(_frozen(requester), 5 * TASK_PRICE, "requester locked for five tasks");
        assertEq(_frozen(scheduler), 5 * STAKE, "scheduler locked for five tasks");

        o.app = _sign(_appOrder(APP_PRICE, 10));
        _expectMatchRevert(o, abi.encodeWithSelector(IPocoErrors.NoVolumeLeft.selector));
        _assertConservation();
    }

    /*//////////////////////////////////////////////////////////////
                           BALANCES AND LIMITS
    //////////////////////////////////////////////////////////////*/

    /// 51. The requester must have the whole deal price free.
    function test_51_revertsWhenRequesterCannotPay() public {
        vm.prank(requester);
        hub.withdraw(INITIAL_DEPOSIT - (3 * TASK_PRICE - 1));
        Orders memory o = _signAll(_orders(3, 1));
        _expectMatchRevert(
            o,
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientBalance.selector,
                requester,
                3 * TASK_PRICE - 1,
                3 * TASK_PRICE
            )
        );
        rlc.approve(address(hub), 1);
        hub.depositFor(1, requester);
        _match(o);
        assertEq(_free(requester), 0, "exactly enough");
    }

    /// 52. Frozen funds do not count: the requester's earlier locks reduce what it can spend.
    function test_52_frozenFundsCannotPay() public {
        vm.prank(requester);
        hub.withdraw(INITIAL_DEPOSIT - 2 * TASK_PRICE);
        _signAndMatch(_orders(1, 1));
        _signAndMatch(_orders(1, 1));
        assertEq(_frozen(requester), 2 * TASK_PRICE, "all locked");
        _expectMatchRevert(
            _signAll(_orders(1, 1)),
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientBalance.selector, requester, 0, TASK_PRICE
            )
        );
    }

    /// 53. The scheduler must have the whole stake free.
    function test_53_revertsWhenSchedulerCannotStake() public {
        vm.prank(scheduler);
        hub.withdraw(INITIAL_DEPOSIT - (2 * STAKE - 1));
        Orders memory o = _signAll(_orders(2, 1));
        _expectMatchRevert(
            o,
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientBalance.selector, scheduler, 2 * STAKE - 1, 2 * STAKE
            )
        );
        assertEq(_frozen(requester), 0, "requester lock rolled back");
    }

    /// 54. Free orders need no balance at all.
    function test_54_freeOrdersNeedNoBalance() public {
        vm.prank(requester);
        hub.withdraw(INITIAL_DEPOSIT);
        vm.prank(scheduler);
        hub.withdraw(INITIAL_DEPOSIT);
        bytes32 dealid = _matchDeal(0, 0, 3, 1);
        assertEq(hub.viewDeal(dealid).botSize, 3, "matched for free");
        assertEq(_frozen(requester) + _frozen(scheduler), 0, "nothing locked");
    }

    /// 55. poco stores deals packed: a volume of 2^48 or more reverts VolumeTooLarge.
    function test_55_revertsWhenVolumeDoesNotFit48Bits() public {
        uint256 big = uint256(type(uint48).max) + 1;
        Orders memory o = _orders(big, 1);
        o.app.appprice = 0;
        o.request.appmaxprice = 0;
        o.workerpool.workerpoolprice = 0;
        o.request.workerpoolmaxprice = 0;
        _expectMatchRevert(
            _signAll(o), abi.encodeWithSelector(IPocoErrors.VolumeTooLarge.selector, 0, big)
        );
        o.request.volume = type(uint48).max;
        bytes32 dealid = _signAndMatch(o);
        assertEq(hub.viewDeal(dealid).botSize, type(uint48).max, "largest volume");
    }

    /// 56. poco stores prices (and the worker stake) in 64 bits and trust in 32 bits.
    function test_56_revertsWhenPriceOrTrustDoesNotFit() public {
        uint256 tooExpensive = uint256(type(uint64).max) + 1;
        Orders memory o = _orders(1, 1);
        o.app.appprice = tooExpensive;
        o.request.appmaxprice = tooExpensive;
        _expectMatchRevert(
            _signAll(o), abi.encodeWithSelector(IPocoErrors.PriceTooLarge.selector, tooExpensive)
        );
        o = _orders(1, 1);
        o.workerpool.workerpoolprice = tooExpensive;
        o.request.workerpoolmaxprice = tooExpensive;
        _expectMatchRevert(
            _signAll(o), abi.encodeWithSelector(IPocoErrors.PriceTooLarge.selector, tooExpensive)
        );

        uint256 tooTrusting = uint256(type(uint32).max) + 1;
        o = _orders(1, tooTrusting);
        _expectMatchRevert(
            _signAll(o), abi.encodeWithSelector(IPocoErrors.TrustTooLarge.selector, tooTrusting)
        );
        o = _orders(1, type(uint32).max);
        bytes32 dealid = _signAndMatch(o);
        assertEq(hub.viewDeal(dealid).trust, type(uint32).max, "largest trust");
    }

    /// 57. A request order of the zero address can be neither presigned nor "signed" with a
    /// signature that recovers to zero.
    function test_57_zeroRequesterCannotBeImpersonated() public {
        Orders memory o = _signAll(_orders(1, 1));
        o.request.requester = address(0);
        o.request.sign = abi.encodePacked(bytes32(0), bytes32(0), uint8(27));
        _expectMatchRevert(
            o,
            abi.encodeWithSelector(
                IPocoErrors.InvalidOrderSignature.selector,
                OrderKind.Request,
                _hash(o.request),
                address(0)
            )
        );
    }

    /// 58. Params of any length round-trip through the deal (poco keeps long ones in a data
    /// contract): empty, 31 bytes (inline), 32 bytes, 2 000 bytes and 24 575 bytes (the most a
    /// data contract holds under EIP-170).
    function test_58_storesParamsOfEveryLength() public {
        uint256[5] memory lengths = [uint256(0), 31, 32, 2_000, 24_575];
        for (uint256 i = 0; i < lengths.length; ++i) {
            Orders memory o = _orders(1, 1);
            o.request.params = string(_filled(lengths[i], bytes1(uint8(0x41 + i))));
            bytes32 dealid = _signAndMatch(o);
            assertEq(hub.viewDeal(dealid).params, o.request.params, "params round-trip");
        }
    }

    /// 59. Params of any length are kept (spec §3.1, §4.4): under 24,576 bytes as the code of a
    /// CREATE2 data contract, from there on (past the EIP-170 code-size limit) in storage. forge's
    /// test EVM does not enforce EIP-170 by default, so the test checks the contract size too.
    function test_59_matchesParamsLongerThanTheCodeSizeLimit() public {
        Orders memory o = _orders(1, 1);
        o.request.params = string(_filled(24_576, "p"));
        bytes32 dealid = _signAndMatch(o);
        assertEq(bytes(hub.viewDeal(dealid).params).length, 24_576, "params stored");
        address blob = _blobAddress(PocoStorage.paramsSalt(dealid));
        assertLe(blob.code.length, 24_576, "deployable under EIP-170");
    }

    /// 60. Deliberate difference (spec §3.3 step 1 checks an account with code through ERC-1271
    /// only). poco, like OpenZeppelin's SignatureChecker, accepts a valid ECDSA signature of the
    /// account's own key first and asks ERC-1271 only otherwise: an account that has both code and
    /// a key (an EIP-7702 delegated EOA) can still sign with its key. Documented in
    /// docs/design/contracts.md.
    function test_60_accountWithCodeAndKeyMaySignWithItsKey() public {
        ERC1271Mock refusing = new ERC1271Mock(); // approves nothing
        vm.etch(requester, address(refusing).code);
        Orders memory o = _signAll(_orders(1, 1)); // the requester's key signs the order
        bytes32 dealid = hub.matchOrders(o.app, o.dataset, o.workerpool, o.request);
        assertEq(hub.viewDeal(dealid).requester, requester, "matched on the key's signature");
    }

    /*//////////////////////////////////////////////////////////////
                                HELPERS
    //////////////////////////////////////////////////////////////*/

    function _step(Orders memory o, bytes memory revertData) private {
        _expectMatchRevert(_signAll(o), revertData);
    }

    function _stepSigned(Orders memory o, bytes memory revertData) private {
        _expectMatchRevert(o, revertData);
    }

    function _restrictionError(Restriction which, address restrictedTo, address account)
        private
        pure
        returns (bytes memory)
    {
        return abi.encodeWithSelector(
            IPocoErrors.RestrictionNotMet.selector, which, restrictedTo, account
        );
    }

    /// @dev Sets restriction `which` of `o` to `value`; returns the account it is checked against.
    function _restrict(Orders memory o, Restriction which, address value)
        private
        view
        returns (address account)
    {
        if (which == Restriction.RequestWorkerpool) {
            (o.request.workerpool, account) = (value, workerpool);
        } else if (which == Restriction.AppDataset) {
            (o.app.datasetrestrict, account) = (value, dataset);
        } else if (which == Restriction.AppWorkerpool) {
            (o.app.workerpoolrestrict, account) = (value, workerpool);
        } else if (which == Restriction.AppRequester) {
            (o.app.requesterrestrict, account) = (value, requester);
        } else if (which == Restriction.DatasetApp) {
            (o.dataset.apprestrict, account) = (value, app);
        } else if (which == Restriction.DatasetWorkerpool) {
            (o.dataset.workerpoolrestrict, account) = (value, workerpool);
        } else if (which == Restriction.DatasetRequester) {
            (o.dataset.requesterrestrict, account) = (value, requester);
        } else if (which == Restriction.WorkerpoolApp) {
            (o.workerpool.apprestrict, account) = (value, app);
        } else if (which == Restriction.WorkerpoolDataset) {
            (o.workerpool.datasetrestrict, account) = (value, dataset);
        } else {
            (o.workerpool.requesterrestrict, account) = (value, requester);
        }
    }

    /// @dev One restriction: another EOA fails; the account itself passes; a group passes only
    /// for its purpose-4 members; an empty contract-less address fails.
    function _assertRestriction(Restriction which) private {
        Orders memory o = _ordersWithDataset(1, 1);
        address account = _restrict(o, which, stranger);
        _expectMatchRevert(_signAll(o), _restrictionError(which, stranger, account));

        o = _ordersWithDataset(1, 1);
        _restrict(o, which, account);
        _signAndMatch(o);

        ERC734Mock members = new ERC734Mock();
        o = _ordersWithDataset(1, 1);
        _restrict(o, which, address(members));
        _expectMatchRevert(_signAll(o), _restrictionError(which, address(members), account));
        members.setKey(account, 4, true);
        _signAndMatch(o);
    }

    function _orderInfo(Orders memory o, OrderKind kind)
        private
        view
        returns (bytes32 hash, address owner_, uint256 key)
    {
        if (kind == OrderKind.App) return (_hash(o.app), appOwner, appOwnerKey);
        if (kind == OrderKind.Dataset) return (_hash(o.dataset), datasetOwner, datasetOwnerKey);
        if (kind == OrderKind.Workerpool) return (_hash(o.workerpool), scheduler, schedulerKey);
        return (_hash(o.request), requester, requesterKey);
    }

    function _setSign(Orders memory o, OrderKind kind, bytes memory sign) private pure {
        if (kind == OrderKind.App) o.app.sign = sign;
        else if (kind == OrderKind.Dataset) o.dataset.sign = sign;
        else if (kind == OrderKind.Workerpool) o.workerpool.sign = sign;
        else o.request.sign = sign;
    }

    /// @dev Re-signs order `kind` of `o` with `key`; returns its hash and its rightful owner.
    function _resign(Orders memory o, OrderKind kind, uint256 key)
        private
        view
        returns (bytes32 hash, address owner_)
    {
        (hash, owner_,) = _orderInfo(o, kind);
        _setSign(o, kind, _signDigest(key, hash));
    }

    function _blobAddress(bytes32 salt) private view returns (address) {
        return address(
            uint160(
                uint256(
                    keccak256(
                        abi.encodePacked(bytes1(0xff), address(hub), salt, Blobs.INIT_CODE_HASH)
                    )
                )
            )
        );
    }

    function _filled(uint256 length, bytes1 value) private pure returns (bytes memory data) {
        data = new bytes(length);
        for (uint256 i = 0; i < length; ++i) {
            data[i] = value;
        }
    }

    function _compact(uint256 key, bytes32 digest) private pure returns (bytes memory) {
        (bytes32 r, bytes32 vs) = vm.signCompact(key, digest);
        return abi.encodePacked(r, vs);
    }
}
