// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

contract PocoModuleSymbolTest is PocoUnitFixture {
    function test_srlc() public view {
        assertEq(hub.symbol(), "SRLC", "spec section 2.2");
    }
}
