// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

contract PocoViewsTeebrokerTest is PocoUnitFixture {
    function test_noneByDefault() public view {
        assertEq(hub.teebroker(), address(0), "no broker");
    }

    function test_setByTheOwner() public {
        vm.prank(protocolOwner);
        hub.setTeeBroker(stranger);
        assertEq(hub.teebroker(), stranger, "broker");
    }
}
