// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {IRegistryEntry, IRegistryErrors} from "../../../src/interfaces/IRegistries.sol";
import {Registry} from "../../../src/registries/Registry.sol";

contract RegistryEntrySetNameTest is RegistriesFixture {
    function test_alwaysReverts() public {
        Registry[3] memory registries = _registries();
        for (uint256 i; i < registries.length; ++i) {
            IRegistryEntry entry = IRegistryEntry(_createEntry(registries[i], alice, "entry"));
            vm.expectRevert(abi.encodeWithSelector(IRegistryErrors.OperationNotSupported.selector));
            vm.prank(alice);
            entry.setName(makeAddr("ens"), "entry.iexec.eth");
        }
    }
}
