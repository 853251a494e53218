// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

/// Spec section 14: CONTRIBUTION_DEADLINE_RATIO: contribution deadline = start + 7 T.
contract PocoViewsContributionDeadlineRatioTest is PocoUnitFixture {
    function test_value() public view {
        assertEq(hub.contribution_deadline_ratio(), 7, "contribution_deadline_ratio");
    }
}
