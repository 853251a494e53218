// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {IRegistryErrors} from "../../../src/interfaces/IRegistries.sol";
import {Dataset} from "../../../src/registries/Dataset.sol";

/// Initialization through the registry is covered by DatasetRegistry/createDataset.t.sol.
contract DatasetInitializeTest is RegistriesFixture {
    function test_revertsWhenCallerIsNotTheRegistry() public {
        Dataset dataset = _createDataset(alice, "dataset");
        vm.expectRevert(abi.encodeWithSelector(IRegistryErrors.NotRegistry.selector, alice));
        vm.prank(alice);
        dataset.initialize("other", "", bytes32(0));
        assertEq(dataset.m_datasetName(), "dataset", "unchanged");
    }

    function test_revertsOnTheMaster() public {
        Dataset master = Dataset(datasetRegistry.master());
        vm.expectRevert(abi.encodeWithSelector(IRegistryErrors.NotRegistry.selector, address(this)));
        master.initialize("other", "", bytes32(0));
    }
}
