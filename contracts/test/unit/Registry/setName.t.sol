// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {IRegistryErrors} from "../../../src/interfaces/IRegistries.sol";
import {Registry} from "../../../src/registries/Registry.sol";

contract RegistrySetNameTest is RegistriesFixture {
    function test_alwaysReverts() public {
        Registry[3] memory registries = _registries();
        for (uint256 i; i < registries.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IRegistryErrors.OperationNotSupported.selector));
            vm.prank(registryOwner);
            registries[i].setName(makeAddr("ens"), "registry.iexec.eth");
        }
    }
}
