// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IWorkerpool} from "../../../src/interfaces/IRegistries.sol";
import {Deal, AppOrder} from "../../../src/libs/PocoTypes.sol";

contract PocoViewsViewDealTest is PocoUnitFixture {
    function test_unknownDealIsAllZero() public view {
        Deal memory deal = hub.viewDeal(keccak256("no such deal"));
        assertEq(deal.app.pointer, address(0), "app");
        assertEq(deal.workerpool.owner, address(0), "pool owner");
        assertEq(deal.trust, 0, "trust");
        assertEq(deal.requester, address(0), "requester: a deal exists iff non-zero");
        assertEq(deal.sponsor, address(0), "sponsor");
        assertEq(deal.botSize, 0, "size");
        assertEq(bytes(deal.params).length, 0, "params");
    }

    /// `matchOrders` without dataset, default policies; the requester is the sponsor.
    function test_plainDeal() public {
        Orders memory o = _orders(4, 0, false);
        vm.warp(1_700_000_000);
        bytes32 dealid = _match(_signAll(o));
        Deal memory deal = hub.viewDeal(dealid);

        assertEq(deal.app.pointer, app, "app");
        assertEq(deal.app.owner, appOwner, "app owner");
        assertEq(deal.app.price, APP_PRICE, "app price");
        assertEq(deal.dataset.pointer, address(0), "no dataset");
        assertEq(deal.dataset.owner, address(0), "no dataset owner");
        assertEq(deal.dataset.price, 0, "no dataset price");
        assertEq(deal.workerpool.pointer, workerpool, "workerpool");
        assertEq(deal.workerpool.owner, scheduler, "scheduler");
        assertEq(deal.workerpool.price, POOL_PRICE, "pool price");
        assertEq(deal.trust, 1, "trust 0 is stored as 1");
        assertEq(deal.category, 0, "category");
        assertEq(deal.tag, bytes32(0), "tag");
        assertEq(deal.requester, requester, "requester");
        assertEq(deal.beneficiary, requester, "beneficiary");
        assertEq(deal.callback, address(0), "callback");
        assertEq(deal.params, '{"iexec_args":"hello"}', "params");
        assertEq(deal.startTime, 1_700_000_000, "start time");
        assertEq(deal.botFirst, 0, "first index");
        assertEq(deal.botSize, 4, "size");
        assertEq(deal.workerStake, POOL_PRICE * 30 / 100, "worker stake (30% policy)");
        assertEq(deal.schedulerRewardRatio, 1, "scheduler reward ratio (1% policy)");
        assertEq(deal.sponsor, requester, "sponsor defaults to the requester");
    }

    /// A sponsored deal with a dataset, tags, callback, restrictions, a category, trust and
    /// non-default pool policies; the deal charges the ask prices, not the request's maximums.
    function test_datasetDealWithEverything() public {
        vm.prank(scheduler);
        IWorkerpool(workerpool).changePolicy(45, 7);
        address beneficiary = makeAddr("beneficiary");
        address callback = makeAddr("callback");

        Orders memory o = _orders(2, 5, true);
        o.app.tag = bytes32(uint256(0x1));
        o.dataset.tag = bytes32(uint256(0x2));
        o.workerpool.tag = bytes32(uint256(0x103));
        o.workerpool.category = 3;
        o.request = _requestOrder(o.app, o.dataset, o.workerpool, 2);
        o.request.tag = bytes32(uint256(0x100));
        o.request.appmaxprice = 2 * APP_PRICE;
        o.request.datasetmaxprice = 2 * DATASET_PRICE;
        o.request.workerpoolmaxprice = 2 * POOL_PRICE;
        o.request.workerpool = workerpool;
        o.request.trust = 3;
        o.request.beneficiary = beneficiary;
        o.request.callback = callback;
        o.request.params = "{}";
        o = _signAll(o);
        vm.prank(sponsor);
        bytes32 dealid = hub.sponsorMatchOrders(o.app, o.dataset, o.workerpool, o.request);
        Deal memory deal = hub.viewDeal(dealid);

        assertEq(deal.app.price, APP_PRICE, "app ask price");
        assertEq(deal.dataset.pointer, dataset, "dataset");
        assertEq(deal.dataset.owner, datasetOwner, "dataset owner");
        assertEq(deal.dataset.price, DATASET_PRICE, "dataset ask price");
        assertEq(deal.workerpool.price, POOL_PRICE, "pool ask price");
        assertEq(deal.trust, 3, "requested trust");
        assertEq(deal.category, 3, "category");
        assertEq(deal.tag, bytes32(uint256(0x103)), "app | dataset | request tags");
        assertEq(deal.requester, requester, "requester");
        assertEq(deal.beneficiary, beneficiary, "beneficiary");
        assertEq(deal.callback, callback, "callback");
        assertEq(deal.params, "{}", "params");
        assertEq(deal.botSize, 2, "size");
        assertEq(deal.workerStake, POOL_PRICE * 45 / 100, "worker stake from the pool policy");
        assertEq(deal.schedulerRewardRatio, 7, "reward ratio from the pool policy");
        assertEq(deal.sponsor, sponsor, "sponsor");
        assertEq(
            hub.frozenOf(sponsor), 2 * (APP_PRICE + DATASET_PRICE + POOL_PRICE), "sponsor pays"
        );
        assertEq(hub.frozenOf(requester), 0, "requester does not");
    }

    /// A request order split over deals: each deal starts where the previous stopped.
    function test_botFirstAfterPartialConsumption() public {
        Orders memory o = _orders(5, 1, false);
        o.app.volume = 2;
        o = _signAll(o);
        bytes32 first = _match(o);

        AppOrder memory more = _sign(_appOrder(APP_PRICE, 10));
        bytes32 second = hub.matchOrders(more, o.dataset, o.workerpool, o.request);

        assertEq(hub.viewDeal(first).botFirst, 0, "first deal starts at 0");
        assertEq(hub.viewDeal(first).botSize, 2, "limited by the app order");
        assertEq(hub.viewDeal(second).botFirst, 2, "second deal starts at 2");
        assertEq(hub.viewDeal(second).botSize, 3, "rest of the request");
        assertEq(
            second,
            keccak256(abi.encodePacked(_hash(o.request), uint256(2))),
            "deal id uses botFirst"
        );
    }

    /// Owners and policies are snapshotted at match time.
    function test_snapshotsOwnersAndPolicies() public {
        bytes32 dealid = _matchDeal(APP_PRICE, POOL_PRICE, 1, 1);
        address newOwner = makeAddr("newOwner");
        vm.prank(appOwner);
        appRegistry.transferFrom(appOwner, newOwner, uint256(uint160(app)));
        vm.prank(scheduler);
        IWorkerpool(workerpool).changePolicy(90, 50);
        Deal memory deal = hub.viewDeal(dealid);
        assertEq(deal.app.owner, appOwner, "app owner at match time");
        assertEq(deal.workerStake, POOL_PRICE * 30 / 100, "stake policy at match time");
        assertEq(deal.schedulerRewardRatio, 1, "reward policy at match time");
    }

    /// The worker stake is floored: 30% of 101 is 30.
    function test_workerStakeIsFloored() public {
        bytes32 dealid = _matchDeal(APP_PRICE, 101, 1, 1);
        assertEq(hub.viewDeal(dealid).workerStake, 30, "floor(101 * 30 / 100)");
    }

    function testFuzz_prices(uint96 appPrice, uint96 poolPrice) public {
        appPrice = uint96(bound(appPrice, 0, 100_000e9));
        poolPrice = uint96(bound(poolPrice, 0, 100_000e9));
        bytes32 dealid = _matchDeal(appPrice, poolPrice, 1, 1);
        Deal memory deal = hub.viewDeal(dealid);
        assertEq(deal.app.price, appPrice, "app price");
        assertEq(deal.workerpool.price, poolPrice, "pool price");
        assertEq(deal.workerStake, uint256(poolPrice) * 30 / 100, "worker stake");
    }
}
