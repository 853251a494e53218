// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";
import {Category} from "../../../src/libs/PocoTypes.sol";

contract PocoViewsViewCategoryTest is PocoUnitFixture {
    /// The five categories of the reference deployment (spec section 5.1); the deployment script
    /// writes the JSON-serialised empty description, i.e. the two characters `""`.
    function test_defaults() public view {
        string[5] memory names = ["XS", "S", "M", "L", "XL"];
        uint256[5] memory refs = [uint256(300), 1_200, 3_600, 10_800, 36_000];
        for (uint256 i = 0; i < 5; ++i) {
            Category memory category = hub.viewCategory(i);
            assertEq(category.name, names[i], "name");
            assertEq(category.description, '""', "description: two double quotes");
            assertEq(bytes(category.description).length, 2, "two characters");
            assertEq(category.workClockTimeRef, refs[i], "time reference");
        }
    }

    function test_revertsForAnUnknownCategory() public {
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.UnknownCategory.selector, 5, 5));
        hub.viewCategory(5);
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.UnknownCategory.selector, type(uint256).max, 5)
        );
        hub.viewCategory(type(uint256).max);
    }

    function test_newCategory() public {
        vm.prank(protocolOwner);
        hub.createCategory("new", "desc", 42);
        Category memory category = hub.viewCategory(5);
        assertEq(category.name, "new", "name");
        assertEq(category.description, "desc", "description");
        assertEq(category.workClockTimeRef, 42, "time reference");
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.UnknownCategory.selector, 6, 6));
        hub.viewCategory(6);
    }
}
