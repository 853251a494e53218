// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

contract PocoViewsCallbackgasTest is PocoUnitFixture {
    /// 6.1's `configure` default (6.2 sets 200 000).
    function test_default100k() public view {
        assertEq(hub.callbackgas(), 100_000, "default");
    }

    function test_setByTheOwner() public {
        vm.prank(protocolOwner);
        hub.setCallbackGas(250_000);
        assertEq(hub.callbackgas(), 250_000, "set");
    }
}
