// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

/// Spec section 14: KITTY_ADDRESS (the reference's literal).
contract PocoViewsKittyAddressTest is PocoUnitFixture {
    function test_value() public view {
        assertEq(hub.kitty_address(), 0x99c2268479b93fDe36232351229815DF80837e23, "kitty_address");
    }
}

/// The source comment says keccak("iExecKitty") - 1; numerically the literal is the first 20
/// bytes of keccak256("iExecKitty") minus one (spec section 2.4).
contract PocoViewsKittyAddressDerivationTest is PocoUnitFixture {
    function test_derivation() public view {
        uint160 first20 = uint160(uint256(keccak256("iExecKitty")) >> 96);
        assertEq(
            hub.kitty_address(), address(first20 - 1), "first 20 bytes of keccak256(iExecKitty) - 1"
        );
    }
}
