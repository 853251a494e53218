// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";
import {Category, Task} from "../../../src/libs/PocoTypes.sol";

contract PocoModuleCreateCategoryTest is PocoUnitFixture {
    function test_appendsACategory() public {
        vm.expectEmit(address(hub));
        emit IPocoEvents.CreateCategory(5, "GPU-L", '{"gpu":true}', 7_200);
        vm.prank(protocolOwner);
        assertEq(hub.createCategory("GPU-L", '{"gpu":true}', 7_200), 5, "id = previous count");

        assertEq(hub.countCategory(), 6, "count");
        Category memory category = hub.viewCategory(5);
        assertEq(category.name, "GPU-L", "name");
        assertEq(category.description, '{"gpu":true}', "description");
        assertEq(category.workClockTimeRef, 7_200, "time reference");
        assertEq(hub.viewCategory(4).name, "XL", "defaults untouched");
    }

    function test_idsFollowEachOther() public {
        vm.startPrank(protocolOwner);
        assertEq(hub.createCategory("a", "", 1), 5, "first");
        assertEq(hub.createCategory("a", "", 1), 6, "same content, new id");
        assertEq(hub.createCategory("", "", 0), 7, "empty");
        vm.stopPrank();
        assertEq(hub.countCategory(), 8, "count");
        assertEq(hub.viewCategory(7).workClockTimeRef, 0, "zero time reference accepted");
    }

    /// Deals of a new category get its deadlines.
    function test_dealsUseTheNewCategory() public {
        vm.prank(protocolOwner);
        uint256 catid = hub.createCategory("long", "", 50_000);
        Orders memory o = _orders(1, 1, false);
        o.workerpool.category = catid;
        o.request.category = catid;
        bytes32 dealid = _match(_signAll(o));
        assertEq(hub.viewDeal(dealid).category, catid, "deal category");
        Task memory task = hub.viewTask(hub.initialize(dealid, 0));
        assertEq(task.timeref, 50_000, "task time reference");
        assertEq(task.contributionDeadline, block.timestamp + 7 * 50_000, "contribution deadline");
        assertEq(task.finalDeadline, block.timestamp + 10 * 50_000, "final deadline");
    }

    function test_largestTimeReference() public {
        vm.prank(protocolOwner);
        uint256 catid = hub.createCategory("max", "", type(uint32).max);
        assertEq(hub.viewCategory(catid).workClockTimeRef, type(uint32).max, "2^32 - 1 accepted");
    }

    function test_revertsWhenTheTimeReferenceDoesNotFit32Bits() public {
        uint256 tooLarge = uint256(type(uint32).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.TimeRefTooLarge.selector, tooLarge));
        vm.prank(protocolOwner);
        hub.createCategory("too long", "", tooLarge);
        assertEq(hub.countCategory(), 5, "nothing added");
    }

    function test_revertsForNonOwner() public {
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.OwnableUnauthorizedAccount.selector, stranger)
        );
        vm.prank(stranger);
        hub.createCategory("mine", "", 60);
        assertEq(hub.countCategory(), 5, "nothing added");
    }

    function testFuzz_createCategory(
        string calldata name,
        string calldata description,
        uint32 timeref
    ) public {
        vm.prank(protocolOwner);
        uint256 catid = hub.createCategory(name, description, timeref);
        Category memory category = hub.viewCategory(catid);
        assertEq(category.name, name, "name");
        assertEq(category.description, description, "description");
        assertEq(category.workClockTimeRef, timeref, "time reference");
    }
}
