// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {OrderOperationEnum} from "../../../src/libs/PocoTypes.sol";

contract PocoViewsViewPresignedTest is PocoUnitFixture {
    function test_zeroByDefault() public view {
        assertEq(hub.viewPresigned(keccak256("order")), address(0), "nobody");
    }

    function test_thePresigner() public {
        Orders memory o = _orders(1, 1, true);
        vm.prank(appOwner);
        hub.manageAppOrder(_operation(o.app, OrderOperationEnum.SIGN, 0));
        vm.prank(stranger);
        hub.manageDatasetOrder(_operation(o.dataset, OrderOperationEnum.SIGN, datasetOwnerKey));
        vm.prank(scheduler);
        hub.manageWorkerpoolOrder(_operation(o.workerpool, OrderOperationEnum.SIGN, 0));
        vm.prank(requester);
        hub.manageRequestOrder(_operation(o.request, OrderOperationEnum.SIGN, 0));
        assertEq(hub.viewPresigned(_hash(o.app)), appOwner, "app");
        assertEq(hub.viewPresigned(_hash(o.dataset)), datasetOwner, "dataset (relayed)");
        assertEq(hub.viewPresigned(_hash(o.workerpool)), scheduler, "workerpool");
        assertEq(hub.viewPresigned(_hash(o.request)), requester, "request");
        _match(o); // all four presigned, all signs empty
    }

    /// Presigning is by order hash (typed digest), and a match does not clear it.
    function test_survivesMatching() public {
        Orders memory o = _signAll(_orders(2, 1, false));
        vm.prank(requester);
        hub.manageRequestOrder(_operation(o.request, OrderOperationEnum.SIGN, 0));
        _match(o);
        assertEq(hub.viewPresigned(_hash(o.request)), requester, "kept");
    }
}
