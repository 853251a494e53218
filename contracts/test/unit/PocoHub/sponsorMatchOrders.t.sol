// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {PocoHubFixture} from "../../utils/PocoHubFixture.sol";
import {Vm} from "../../utils/Vm.sol";
import {IPocoErrors, OrderKind} from "../../../src/interfaces/IPocoErrors.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {Deal} from "../../../src/libs/PocoTypes.sol";

/// @title sponsorMatchOrders: the caller pays the deal instead of the requester (spec §4, §8.2, §8.4).
contract PocoHubSponsorMatchOrdersTest is PocoHubFixture {
    function _sponsorMatch(Orders memory o) private returns (bytes32 dealid) {
        vm.prank(sponsor);
        dealid = hub.sponsorMatchOrders(o.app, o.dataset, o.workerpool, o.request);
    }

    /// 1. The sponsor's funds are locked; the requester's are untouched; the deal records both.
    function test_01_sponsorPays() public {
        Orders memory o = _signAll(_ordersWithDataset(2, 1));
        bytes32 dealid = _sponsorMatch(o);

        uint256 price = 2 * (TASK_PRICE + DATASET_PRICE);
        assertEq(_frozen(sponsor), price, "sponsor locked");
        assertEq(_free(sponsor), INITIAL_DEPOSIT - price, "sponsor free");
        assertEq(_frozen(requester), 0, "requester not locked");
        assertEq(_free(requester), INITIAL_DEPOSIT, "requester untouched");
        assertEq(_frozen(scheduler), 2 * STAKE, "scheduler still stakes");

        Deal memory deal = hub.viewDeal(dealid);
        assertEq(deal.sponsor, sponsor, "sponsor recorded");
        assertEq(deal.requester, requester, "requester recorded");
        assertEq(
            dealid,
            keccak256(abi.encodePacked(_hash(o.request), uint256(0))),
            "same deal id formula"
        );
        _assertConservation();
    }

    /// 2. Events: SchedulerNotice, OrdersMatched, then DealSponsored last.
    function test_02_emitsDealSponsoredLast() public {
        Orders memory o = _signAll(_orders(1, 1));
        bytes32 dealid = keccak256(abi.encodePacked(_hash(o.request), uint256(0)));
        vm.expectEmit(address(hub));
        emit IPocoEvents.Lock(sponsor, TASK_PRICE);
        vm.expectEmit(address(hub));
        emit IPocoEvents.SchedulerNotice(workerpool, dealid);
        vm.expectEmit(address(hub));
        emit IPocoEvents.OrdersMatched(
            dealid, _hash(o.app), bytes32(0), _hash(o.workerpool), _hash(o.request), 1
        );
        vm.expectEmit(address(hub));
        emit IPocoEvents.DealSponsored(dealid, sponsor);
        vm.recordLogs();
        _sponsorMatch(o);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(
            _logIndex(logs, IPocoEvents.DealSponsored.selector),
            logs.length - 1,
            "DealSponsored last"
        );
        assertLt(
            _logIndex(logs, IPocoEvents.OrdersMatched.selector),
            _logIndex(logs, IPocoEvents.DealSponsored.selector),
            "after OrdersMatched"
        );
    }

    /// 3. The requester's signature is still required.
    function test_03_requesterMustStillSign() public {
        Orders memory o = _signAll(_orders(1, 1));
        o.request.sign = _signDigest(strangerKey, _hash(o.request));
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.InvalidOrderSignature.selector,
                OrderKind.Request,
                _hash(o.request),
                requester
            )
        );
        _sponsorMatch(o);
    }

    /// 4. The sponsor must have the whole price free, whatever the requester holds.
    function test_04_revertsWhenSponsorCannotPay() public {
        vm.prank(sponsor);
        hub.withdraw(INITIAL_DEPOSIT - 1);
        Orders memory o = _signAll(_orders(1, 1));
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientBalance.selector, sponsor, 1, TASK_PRICE
            )
        );
        _sponsorMatch(o);
    }

    /// 5. The same checks as matchOrders apply (e.g. category).
    function test_05_appliesMatchChecks() public {
        Orders memory o = _orders(1, 1);
        o.request.category = 2;
        _signAll(o);
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.CategoryMismatch.selector, 2, 0));
        _sponsorMatch(o);
    }

    /// 6. Finalizing a sponsored task takes the payment from the sponsor.
    function test_06_finalizeSeizesFromSponsor() public {
        bytes32 dealid = _sponsorMatch(_signAll(_orders(1, 1)));
        bytes32 taskid = hub.initialize(dealid, 0);
        _contribute(0, taskid, DIGEST);
        _reveal(0, taskid, DIGEST);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Seize(sponsor, TASK_PRICE, taskid);
        _finalize(taskid, "ipfs://result");
        assertEq(_frozen(sponsor), 0, "sponsor lock spent");
        assertEq(_free(sponsor), INITIAL_DEPOSIT - TASK_PRICE, "sponsor paid");
        assertEq(_free(requester), INITIAL_DEPOSIT, "requester paid nothing");
        _assertConservation();
    }

    /// 7. Claiming a failed sponsored task refunds the sponsor, not the requester.
    function test_07_claimRefundsSponsor() public {
        bytes32 dealid = _sponsorMatch(_signAll(_orders(1, 1)));
        bytes32 taskid = hub.initialize(dealid, 0);
        vm.warp(hub.viewTask(taskid).finalDeadline);
        vm.expectEmit(address(hub));
        emit IPocoEvents.Unlock(sponsor, TASK_PRICE);
        hub.claim(taskid);
        assertEq(_free(sponsor), INITIAL_DEPOSIT, "sponsor refunded");
        assertEq(_frozen(sponsor), 0, "sponsor nothing locked");
        assertEq(_free(requester), INITIAL_DEPOSIT, "requester untouched");
        _assertConservation();
    }

    /// 8. A requester sponsoring its own request is recorded like a plain match.
    function test_08_requesterCanSponsorItself() public {
        Orders memory o = _signAll(_orders(1, 1));
        vm.prank(requester);
        bytes32 dealid = hub.sponsorMatchOrders(o.app, o.dataset, o.workerpool, o.request);
        assertEq(hub.viewDeal(dealid).sponsor, requester, "sponsor = requester");
        assertEq(_frozen(requester), TASK_PRICE, "requester locked");
    }
}
