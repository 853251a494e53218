// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

/// (app.pointer, app.owner, app.price, dataset.pointer, dataset.owner, dataset.price,
///  workerpool.pointer, workerpool.owner, workerpool.price)
contract PocoViewsViewDealABILegacyPt1Test is PocoUnitFixture {
    function test_resources() public {
        bytes32 dealid = _match(_signAll(_orders(2, 1, true)));
        (
            address appPointer,
            address appOwner_,
            uint256 appPrice,
            address datasetPointer,
            address datasetOwner_,
            uint256 datasetPrice,
            address poolPointer,
            address poolOwner,
            uint256 poolPrice
        ) = hub.viewDealABILegacy_pt1(dealid);
        assertEq(appPointer, app, "app");
        assertEq(appOwner_, appOwner, "app owner");
        assertEq(appPrice, APP_PRICE, "app price");
        assertEq(datasetPointer, dataset, "dataset");
        assertEq(datasetOwner_, datasetOwner, "dataset owner");
        assertEq(datasetPrice, DATASET_PRICE, "dataset price");
        assertEq(poolPointer, workerpool, "workerpool");
        assertEq(poolOwner, scheduler, "scheduler");
        assertEq(poolPrice, POOL_PRICE, "pool price");
    }

    function test_unknownDeal() public view {
        (address appPointer,,,,,, address poolPointer,, uint256 poolPrice) =
            hub.viewDealABILegacy_pt1(keccak256("none"));
        assertEq(appPointer, address(0), "app");
        assertEq(poolPointer, address(0), "workerpool");
        assertEq(poolPrice, 0, "price");
    }
}
