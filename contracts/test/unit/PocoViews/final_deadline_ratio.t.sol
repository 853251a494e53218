// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

/// Spec section 14: FINAL_DEADLINE_RATIO: final deadline = start + 10 T.
contract PocoViewsFinalDeadlineRatioTest is PocoUnitFixture {
    function test_value() public view {
        assertEq(hub.final_deadline_ratio(), 10, "final_deadline_ratio");
    }
}
