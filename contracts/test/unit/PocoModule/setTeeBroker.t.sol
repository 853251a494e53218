// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";

contract PocoModuleSetTeeBrokerTest is PocoUnitFixture {
    function test_setsTheBroker() public {
        address broker = makeAddr("broker");
        vm.recordLogs();
        vm.prank(protocolOwner);
        hub.setTeeBroker(broker);
        assertEq(vm.getRecordedLogs().length, 0, "no event (as the reference)");
        assertEq(hub.teebroker(), broker, "broker");

        vm.prank(protocolOwner);
        hub.setTeeBroker(address(0));
        assertEq(hub.teebroker(), address(0), "unset again");
    }

    function test_revertsForNonOwner() public {
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.OwnableUnauthorizedAccount.selector, stranger)
        );
        vm.prank(stranger);
        hub.setTeeBroker(stranger);
        assertEq(hub.teebroker(), address(0), "unchanged");
    }

    function testFuzz_setTeeBroker(address broker) public {
        vm.prank(protocolOwner);
        hub.setTeeBroker(broker);
        assertEq(hub.teebroker(), broker, "broker");
    }
}
