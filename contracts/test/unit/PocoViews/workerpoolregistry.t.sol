// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

contract PocoViewsWorkerpoolregistryTest is PocoUnitFixture {
    function test_setAtConstruction() public view {
        assertEq(hub.workerpoolregistry(), address(workerpoolRegistry), "workerpool registry");
    }

    function test_changedByTheOwner() public {
        vm.prank(protocolOwner);
        hub.changeRegistries(address(appRegistry), address(datasetRegistry), stranger);
        assertEq(hub.workerpoolregistry(), stranger, "changed");
    }
}
