// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {HugeSupplyTokenMock} from "../../mocks/HugeSupplyTokenMock.sol";

contract PocoModuleTokenTest is PocoUnitFixture {
    function test_theBaseToken() public view {
        assertEq(hub.token(), address(rlc), "RLC");
    }

    function test_setAtConstruction() public {
        HugeSupplyTokenMock other = new HugeSupplyTokenMock();
        assertEq(_deployHub(address(other)).token(), address(other), "another instance");
    }
}
