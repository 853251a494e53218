// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

/// Spec section 14: KITTY_RATIO: 10% of the kitty per successful task.
contract PocoViewsKittyRatioTest is PocoUnitFixture {
    function test_value() public view {
        assertEq(hub.kitty_ratio(), 10, "kitty_ratio");
    }
}
