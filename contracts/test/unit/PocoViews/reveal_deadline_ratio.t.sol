// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

/// Spec section 14: REVEAL_DEADLINE_RATIO: reveal deadline = consensus + 2 T.
contract PocoViewsRevealDeadlineRatioTest is PocoUnitFixture {
    function test_value() public view {
        assertEq(hub.reveal_deadline_ratio(), 2, "reveal_deadline_ratio");
    }
}
