// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

/// (trust, tag, requester, beneficiary, callback, params)
contract PocoViewsViewDealABILegacyPt2Test is PocoUnitFixture {
    function test_fields() public {
        Orders memory o = _orders(1, 4, false);
        o.app.tag = bytes32(uint256(1));
        o.workerpool.tag = bytes32(uint256(1));
        o.request = _requestOrder(o.app, o.dataset, o.workerpool, 1);
        o.request.beneficiary = stranger;
        o.request.callback = sponsor;
        o.request.params = "params";
        bytes32 dealid = _match(_signAll(o));
        (
            uint256 trust,
            bytes32 tag,
            address requester_,
            address beneficiary,
            address callback,
            string memory params
        ) = hub.viewDealABILegacy_pt2(dealid);
        assertEq(trust, 4, "trust");
        assertEq(tag, bytes32(uint256(1)), "tag");
        assertEq(requester_, requester, "requester");
        assertEq(beneficiary, stranger, "beneficiary");
        assertEq(callback, sponsor, "callback");
        assertEq(params, "params", "params");
    }

    function test_trustZeroReadsOne() public {
        bytes32 dealid = _matchDeal(APP_PRICE, POOL_PRICE, 1, 0);
        (uint256 trust,,,,,) = hub.viewDealABILegacy_pt2(dealid);
        assertEq(trust, 1, "max(trust, 1)");
    }
}
