// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

/// Spec section 14: KITTY_MIN: 1 RLC.
contract PocoViewsKittyMinTest is PocoUnitFixture {
    function test_value() public view {
        assertEq(hub.kitty_min(), 1_000_000_000, "kitty_min");
    }
}
