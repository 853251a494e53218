// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {PocoHubFixture} from "../utils/PocoHubFixture.sol";
import {IPocoErrors, OrderKind} from "../../src/interfaces/IPocoErrors.sol";
import {Deal} from "../../src/libs/PocoTypes.sol";

/// @title Fuzzing matchOrders against a model of spec §4.1-§4.5.
/// @notice Random prices, maximum prices, volumes, trusts, categories, tags, dataset or not, and
/// payer/scheduler balances. Each check of §4.1 is broken with a small probability, so that most
/// runs exercise several checks and about a quarter succeed. The model predicts either the exact
/// custom error (the first failing check, in the reference's order) or the deal: volume = min of
/// what remains, exact locks, consumed counters. Conservation must hold either way.
contract MatchOrdersFuzzTest is PocoHubFixture {
    uint256 private constant MAX_PRICE = 1e13;
    uint256 private constant MAX_VOLUME = 20;
    uint256 private constant CATEGORIES = 5;
    /// Tag bits with a meaning: TEE (0), Scone (1), Gramine (2), TDX (3), GPU (8).
    uint256 private constant TAG_BITS = 0x10f;

    struct Params {
        uint256 appPrice;
        uint256 datasetPrice;
        uint256 poolPrice;
        uint256 appVolume;
        uint256 datasetVolume;
        uint256 poolVolume;
        uint256 requestVolume;
        uint256 poolTrust;
        uint256 requestTrust;
        uint256 category;
        uint256 appTag;
        uint256 datasetTag;
        uint256 requestTag;
        uint256 extraPoolTag;
        bool useDataset;
        uint256 requesterFunds;
        uint256 schedulerFunds;
        /// 3 bits per check; a check is broken when its 3 bits are 0 (probability 1/8).
        uint256 faults;
    }

    /// Concrete case: a plain successful match of 3 tasks with a dataset.
    function test_matchOrders() public {
        test_matchOrders(
            Params({
                appPrice: 5e9,
                datasetPrice: 3e9,
                poolPrice: 100e9,
                appVolume: 3,
                datasetVolume: 4,
                poolVolume: 5,
                requestVolume: 6,
                poolTrust: 3,
                requestTrust: 2,
                category: 1,
                appTag: 1,
                datasetTag: 0,
                requestTag: 0,
                extraPoolTag: 0x100,
                useDataset: true,
                requesterFunds: 3 * 108e9,
                schedulerFunds: 3 * 30e9,
                faults: type(uint256).max
            })
        );
        assertEq(_frozen(requester), 3 * 108e9, "requester");
    }

    function test_matchOrders(Params memory p) public {
        Orders memory o = _buildOrders(p);
        bytes memory expected = _expectedCompatibilityError(o);

        // the model of §4.2
        uint256 volume = _min(_min(o.app.volume, o.workerpool.volume), o.request.volume);
        if (p.useDataset) volume = _min(volume, o.dataset.volume);
        uint256 price = o.app.appprice + (p.useDataset ? o.dataset.datasetprice : 0)
            + o.workerpool.workerpoolprice;
        uint256 stake = o.workerpool.workerpoolprice * 30 / 100;

        // fund the payer and the scheduler: short of what they need with probability 1/8 each
        uint256 requesterFree =
            _setFree(requester, _funds(p.requesterFunds, price * volume, _fault(p, 8)));
        uint256 schedulerFree =
            _setFree(scheduler, _funds(p.schedulerFunds, stake * volume, _fault(p, 9)));
        if (expected.length == 0) {
            if (volume == 0) {
                expected = abi.encodeWithSelector(IPocoErrors.NoVolumeLeft.selector);
            } else if (requesterFree < price * volume) {
                expected = abi.encodeWithSelector(
                    IERC20Errors.ERC20InsufficientBalance.selector,
                    requester,
                    requesterFree,
                    price * volume
                );
            } else if (schedulerFree < stake * volume) {
                expected = abi.encodeWithSelector(
                    IERC20Errors.ERC20InsufficientBalance.selector,
                    scheduler,
                    schedulerFree,
                    stake * volume
                );
            }
        }

        _signAll(o);
        if (expected.length != 0) {
            vm.expectRevert(expected);
            _match(o);
            assertEq(hub.viewConsumed(_hash(o.request)), 0, "nothing consumed");
            assertEq(_frozen(requester), 0, "nothing locked");
        } else {
            bytes32 dealid = _match(o);
            assertEq(dealid, keccak256(abi.encodePacked(_hash(o.request), uint256(0))), "dealid");
            Deal memory deal = hub.viewDeal(dealid);
            assertEq(deal.botSize, volume, "volume = min of remaining");
            assertEq(deal.botFirst, 0, "botFirst");
            assertEq(deal.trust, o.request.trust == 0 ? 1 : o.request.trust, "trust");
            assertEq(deal.tag, bytes32(p.appTag | p.datasetTag | p.requestTag), "tag");
            assertEq(deal.dataset.price, p.useDataset ? o.dataset.datasetprice : 0, "dataset price");
            assertEq(_frozen(requester), price * volume, "payer lock");
            assertEq(_free(requester), requesterFree - price * volume, "payer free");
            assertEq(_frozen(scheduler), stake * volume, "scheduler lock");
            assertEq(_free(scheduler), schedulerFree - stake * volume, "scheduler free");
            assertEq(hub.viewConsumed(_hash(o.app)), volume, "app consumed");
            assertEq(
                hub.viewConsumed(_hash(o.dataset)), p.useDataset ? volume : 0, "dataset consumed"
            );
            assertEq(hub.viewConsumed(_hash(o.workerpool)), volume, "workerpool consumed");
            assertEq(hub.viewConsumed(_hash(o.request)), volume, "request consumed");
        }
        _assertConservation();
    }

    /*//////////////////////////////////////////////////////////////
                                 MODEL
    //////////////////////////////////////////////////////////////*/

    function _fault(Params memory p, uint256 check) private pure returns (bool) {
        return (p.faults >> (3 * check)) & 7 == 0;
    }

    function _buildOrders(Params memory p) private returns (Orders memory o) {
        p.appPrice = bound(p.appPrice, 0, MAX_PRICE);
        p.datasetPrice = bound(p.datasetPrice, 0, MAX_PRICE);
        p.poolPrice = bound(p.poolPrice, 0, MAX_PRICE);
        p.appVolume = bound(p.appVolume, 0, MAX_VOLUME);
        p.datasetVolume = bound(p.datasetVolume, 0, MAX_VOLUME);
        p.poolVolume = bound(p.poolVolume, 0, MAX_VOLUME);
        p.requestVolume = bound(p.requestVolume, 0, MAX_VOLUME);
        p.poolTrust = bound(p.poolTrust, 0, 100);
        p.requestTrust = bound(p.requestTrust, 0, p.poolTrust);
        p.category = bound(p.category, 0, CATEGORIES - 1);
        p.appTag &= TAG_BITS;
        p.datasetTag &= TAG_BITS & ~uint256(1);
        p.requestTag &= TAG_BITS & ~uint256(1);
        p.extraPoolTag &= TAG_BITS;

        o = p.useDataset ? _ordersWithDataset(1, 1) : _orders(1, 1);
        o.app.appprice = p.appPrice;
        o.app.volume = p.appVolume;
        o.app.tag = bytes32(p.appTag);
        o.dataset.datasetprice = p.datasetPrice; // checked against the maximum even without dataset
        if (p.useDataset) {
            o.dataset.volume = p.datasetVolume;
            o.dataset.tag = bytes32(p.datasetTag);
        } else {
            p.datasetTag = 0;
        }
        o.workerpool.workerpoolprice = p.poolPrice;
        o.workerpool.volume = p.poolVolume;
        o.workerpool.trust = p.poolTrust;
        o.workerpool.category = p.category;
        o.request.appmaxprice = p.appPrice;
        o.request.datasetmaxprice = p.datasetPrice;
        o.request.workerpoolmaxprice = p.poolPrice;
        o.request.volume = p.requestVolume;
        o.request.trust = p.requestTrust;
        o.request.category = p.category;
        o.request.tag = bytes32(p.requestTag);

        uint256 tag = p.appTag | p.datasetTag | p.requestTag;
        o.workerpool.tag = bytes32(tag | p.extraPoolTag);

        // break checks, each with probability 1/8
        if (_fault(p, 0)) {
            o.workerpool.category = (p.category + 1 + p.faults % 3) % (CATEGORIES + 3);
        }
        if (_fault(p, 1)) {
            (o.request.category, o.workerpool.category) =
            (CATEGORIES + p.faults % 7, CATEGORIES + p.faults % 7);
        }
        if (_fault(p, 2)) o.request.trust = p.poolTrust + 1 + p.faults % 5;
        if (_fault(p, 3) && p.appPrice > 0) {
            o.request.appmaxprice = p.appPrice - 1 - (p.faults >> 100) % p.appPrice;
        }
        if (_fault(p, 4) && p.datasetPrice > 0) {
            o.request.datasetmaxprice = p.datasetPrice - 1 - (p.faults >> 110) % p.datasetPrice;
        }
        if (_fault(p, 5) && p.poolPrice > 0) {
            o.request.workerpoolmaxprice = p.poolPrice - 1 - (p.faults >> 120) % p.poolPrice;
        }
        if (_fault(p, 6) && tag != 0) {
            o.workerpool.tag = bytes32(uint256(o.workerpool.tag) & ~_lowestBit(tag));
        }
        if (_fault(p, 7) && p.appTag & 1 == 0) {
            // ask TEE from the request or the dataset of a non-TEE app (the pool offers it)
            if (p.useDataset && (p.faults >> 130) & 1 == 1) o.dataset.tag |= bytes32(uint256(1));
            else o.request.tag |= bytes32(uint256(1));
            o.workerpool.tag |= bytes32(uint256(1));
            if (p.useDataset) p.datasetTag = uint256(o.dataset.tag);
            p.requestTag = uint256(o.request.tag);
        }
    }

    /// @dev The first failing check of §4.1 rows 1-8 (rows 9-27 always pass here), or empty.
    function _expectedCompatibilityError(Orders memory o) private pure returns (bytes memory) {
        RequestLike memory r = RequestLike(
            o.request.category,
            o.request.trust,
            o.request.appmaxprice,
            o.request.datasetmaxprice,
            o.request.workerpoolmaxprice,
            o.request.tag
        );
        if (r.category != o.workerpool.category) {
            return abi.encodeWithSelector(
                IPocoErrors.CategoryMismatch.selector, r.category, o.workerpool.category
            );
        }
        if (r.category >= CATEGORIES) {
            return
                abi.encodeWithSelector(IPocoErrors.UnknownCategory.selector, r.category, CATEGORIES);
        }
        if (r.trust > o.workerpool.trust) {
            return abi.encodeWithSelector(
                IPocoErrors.TrustNotOffered.selector, r.trust, o.workerpool.trust
            );
        }
        if (r.appmaxprice < o.app.appprice) {
            return abi.encodeWithSelector(
                IPocoErrors.Overpriced.selector, OrderKind.App, o.app.appprice, r.appmaxprice
            );
        }
        if (r.datasetmaxprice < o.dataset.datasetprice) {
            return abi.encodeWithSelector(
                IPocoErrors.Overpriced.selector,
                OrderKind.Dataset,
                o.dataset.datasetprice,
                r.datasetmaxprice
            );
        }
        if (r.workerpoolmaxprice < o.workerpool.workerpoolprice) {
            return abi.encodeWithSelector(
                IPocoErrors.Overpriced.selector,
                OrderKind.Workerpool,
                o.workerpool.workerpoolprice,
                r.workerpoolmaxprice
            );
        }
        bytes32 tag = o.app.tag | o.dataset.tag | r.tag;
        if (tag & ~o.workerpool.tag != 0) {
            return abi.encodeWithSelector(IPocoErrors.TagNotOffered.selector, tag, o.workerpool.tag);
        }
        if ((tag ^ o.app.tag) & bytes32(uint256(1)) != 0) {
            return abi.encodeWithSelector(IPocoErrors.TeeTagMismatch.selector, tag, o.app.tag);
        }
        return "";
    }

    struct RequestLike {
        uint256 category;
        uint256 trust;
        uint256 appmaxprice;
        uint256 datasetmaxprice;
        uint256 workerpoolmaxprice;
        bytes32 tag;
    }

    /// @dev Less than `needed` when `short` (and `needed` > 0), else at least `needed`.
    function _funds(uint256 seed, uint256 needed, bool short) private pure returns (uint256) {
        if (short && needed > 0) return bound(seed, 0, needed - 1);
        return bound(seed, needed, 2 * needed);
    }

    /// @dev Sets `account`'s free balance to `amount` (at most its deposit), returns it.
    function _setFree(address account, uint256 amount) private returns (uint256) {
        if (amount > INITIAL_DEPOSIT) amount = INITIAL_DEPOSIT;
        vm.prank(account);
        hub.withdraw(INITIAL_DEPOSIT - amount);
        return amount;
    }

    function _lowestBit(uint256 x) private pure returns (uint256) {
        return x & (~x + 1);
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }
}
