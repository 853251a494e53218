// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

contract PocoViewsAppregistryTest is PocoUnitFixture {
    function test_setAtConstruction() public view {
        assertEq(hub.appregistry(), address(appRegistry), "app registry");
    }

    function test_changedByTheOwner() public {
        vm.prank(protocolOwner);
        hub.changeRegistries(stranger, address(datasetRegistry), address(workerpoolRegistry));
        assertEq(hub.appregistry(), stranger, "changed");
    }
}
