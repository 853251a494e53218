// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

contract PocoViewsCountCategoryTest is PocoUnitFixture {
    function test_fiveDefaults() public view {
        assertEq(hub.countCategory(), 5, "XS, S, M, L, XL");
    }

    function test_countsNewCategories() public {
        vm.startPrank(protocolOwner);
        hub.createCategory("a", "", 1);
        assertEq(hub.countCategory(), 6, "one more");
        hub.createCategory("b", "", 2);
        vm.stopPrank();
        assertEq(hub.countCategory(), 7, "two more");
    }
}
