// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";

/// (name, description, workClockTimeRef)
contract PocoViewsViewCategoryABILegacyTest is PocoUnitFixture {
    function test_defaults() public view {
        (string memory name, string memory description, uint256 timeref) =
            hub.viewCategoryABILegacy(2);
        assertEq(name, "M", "name");
        assertEq(description, '""', "description");
        assertEq(timeref, 3_600, "time reference");
        (name,, timeref) = hub.viewCategoryABILegacy(4);
        assertEq(name, "XL", "name");
        assertEq(timeref, 36_000, "time reference");
    }

    function test_revertsForAnUnknownCategory() public {
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.UnknownCategory.selector, 9, 5));
        hub.viewCategoryABILegacy(9);
    }
}
