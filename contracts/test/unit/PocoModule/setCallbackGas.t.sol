// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";

contract PocoModuleSetCallbackGasTest is PocoUnitFixture {
    function test_setsTheCallbackGas() public {
        vm.recordLogs();
        vm.prank(protocolOwner);
        hub.setCallbackGas(200_000);
        assertEq(vm.getRecordedLogs().length, 0, "no event (as the reference)");
        assertEq(hub.callbackgas(), 200_000, "6.2's value");

        vm.prank(protocolOwner);
        hub.setCallbackGas(0);
        assertEq(hub.callbackgas(), 0, "zero accepted");
    }

    function test_revertsForNonOwner() public {
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.OwnableUnauthorizedAccount.selector, scheduler)
        );
        vm.prank(scheduler);
        hub.setCallbackGas(1);
        assertEq(hub.callbackgas(), 100_000, "unchanged");
    }

    function testFuzz_setCallbackGas(uint256 gas) public {
        vm.prank(protocolOwner);
        hub.setCallbackGas(gas);
        assertEq(hub.callbackgas(), gas, "callback gas");
    }
}
