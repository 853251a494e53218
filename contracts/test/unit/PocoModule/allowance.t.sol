// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

contract PocoModuleAllowanceTest is PocoUnitFixture {
    function test_zeroByDefault() public view {
        assertEq(hub.allowance(requester, stranger), 0, "default");
    }

    function test_perOwnerAndSpender() public {
        vm.prank(requester);
        hub.approve(stranger, 1);
        vm.prank(requester);
        hub.approve(sponsor, 2);
        vm.prank(sponsor);
        hub.approve(stranger, 3);
        assertEq(hub.allowance(requester, stranger), 1, "requester -> stranger");
        assertEq(hub.allowance(requester, sponsor), 2, "requester -> sponsor");
        assertEq(hub.allowance(sponsor, stranger), 3, "sponsor -> stranger");
        assertEq(hub.allowance(stranger, requester), 0, "stranger -> requester");
    }
}
