// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

/// Spec section 14: WORKERPOOL_STAKE_RATIO: scheduler stake = 30% of the pool price.
contract PocoViewsWorkerpoolStakeRatioTest is PocoUnitFixture {
    function test_value() public view {
        assertEq(hub.workerpool_stake_ratio(), 30, "workerpool_stake_ratio");
    }
}
