// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

/// Spec section 14: GROUPMEMBER_PURPOSE (ERC-734).
contract PocoViewsGroupmemberPurposeTest is PocoUnitFixture {
    function test_value() public view {
        assertEq(hub.groupmember_purpose(), 4, "groupmember_purpose");
    }
}
