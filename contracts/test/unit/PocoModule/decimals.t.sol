// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

contract PocoModuleDecimalsTest is PocoUnitFixture {
    function test_nineAsRlc() public view {
        assertEq(hub.decimals(), 9, "decimals");
        assertEq(hub.decimals(), rlc.decimals(), "same as RLC");
    }
}
