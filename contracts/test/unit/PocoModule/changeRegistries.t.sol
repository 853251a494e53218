// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoErrors, OrderKind} from "../../../src/interfaces/IPocoErrors.sol";

contract PocoModuleChangeRegistriesTest is PocoUnitFixture {
    function test_replacesTheThreeRegistries() public {
        address a = makeAddr("apps");
        address d = makeAddr("datasets");
        address w = makeAddr("pools");
        vm.recordLogs();
        vm.prank(protocolOwner);
        hub.changeRegistries(a, d, w);
        assertEq(vm.getRecordedLogs().length, 0, "no event (as the reference)");
        assertEq(hub.appregistry(), a, "apps");
        assertEq(hub.datasetregistry(), d, "datasets");
        assertEq(hub.workerpoolregistry(), w, "pools");
    }

    /// Assets of the old registries are no longer recognized by matching.
    function test_matchingUsesTheNewRegistries() public {
        address newApps =
            vm.deployCode("AppRegistry.sol:AppRegistry", abi.encode(protocolOwner, ""));
        vm.prank(protocolOwner);
        hub.changeRegistries(newApps, address(datasetRegistry), address(workerpoolRegistry));
        Orders memory o = _signAll(_orders(1, 1, false));
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.NotRegistered.selector, OrderKind.App, app)
        );
        _match(o);

        vm.prank(protocolOwner);
        hub.changeRegistries(
            address(appRegistry), address(datasetRegistry), address(workerpoolRegistry)
        );
        _match(o);
    }

    function test_revertsForNonOwner() public {
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.OwnableUnauthorizedAccount.selector, stranger)
        );
        vm.prank(stranger);
        hub.changeRegistries(stranger, stranger, stranger);
        assertEq(hub.appregistry(), address(appRegistry), "unchanged");
    }
}
