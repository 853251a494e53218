// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

contract PocoViewsDatasetregistryTest is PocoUnitFixture {
    function test_setAtConstruction() public view {
        assertEq(hub.datasetregistry(), address(datasetRegistry), "dataset registry");
    }

    function test_changedByTheOwner() public {
        vm.prank(protocolOwner);
        hub.changeRegistries(address(appRegistry), stranger, address(workerpoolRegistry));
        assertEq(hub.datasetregistry(), stranger, "changed");
    }
}
