// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

contract PocoModuleNameTest is PocoUnitFixture {
    function test_stakedRlc() public view {
        assertEq(hub.name(), "Staked RLC", "spec section 2.2");
    }
}
