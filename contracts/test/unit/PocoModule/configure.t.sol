// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";

/// poco is configured at construction; `configure` stays for interface compatibility and always
/// reverts (the reference reverts "already-configured" once configured).
contract PocoModuleConfigureTest is PocoUnitFixture {
    function _configure() private {
        hub.configure(
            address(rlc),
            "Staked RLC",
            "SRLC",
            9,
            address(appRegistry),
            address(datasetRegistry),
            address(workerpoolRegistry),
            address(0)
        );
    }

    function test_revertsForTheOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.AlreadyConfigured.selector));
        vm.prank(protocolOwner);
        _configure();
    }

    function test_revertsForAnyone() public {
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.AlreadyConfigured.selector));
        vm.prank(stranger);
        _configure();
    }

    function test_changesNothing() public {
        vm.prank(protocolOwner);
        try hub.configure(stranger, "x", "y", 18, stranger, stranger, stranger, stranger) {
            fail("configure succeeded");
        } catch {}
        assertEq(hub.token(), address(rlc), "token");
        assertEq(hub.name(), "Staked RLC", "name");
        assertEq(hub.symbol(), "SRLC", "symbol");
        assertEq(hub.decimals(), 9, "decimals");
        assertEq(hub.appregistry(), address(appRegistry), "app registry");
        assertEq(hub.callbackgas(), 100_000, "callback gas");
    }
}
