// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {Registry} from "../../../src/registries/Registry.sol";

contract RegistryOwnerOfTest is RegistriesFixture {
    address private app;

    function setUp() public override {
        super.setUp();
        app = address(_createApp(alice, "app"));
    }

    function test_returnsTheHolder() public view {
        assertEq(appRegistry.ownerOf(_id(app)), alice);
    }

    function test_revertsForUnknownEntry() public {
        Registry[3] memory registries = _registries();
        for (uint256 i; i < registries.length; ++i) {
            address master = registries[i].master();
            vm.expectRevert(
                abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, _id(master))
            );
            registries[i].ownerOf(_id(master));
        }
    }

    /// What the hub pays at match time (cold registry, cold slot: the first call of the test).
    function test_gas() public {
        Registry registry = appRegistry;
        uint256 id = _id(app);
        uint256 gasBefore = gasleft();
        registry.ownerOf(id);
        emit log_named_uint("registry.ownerOf (cold)", gasBefore - gasleft());
        gasBefore = gasleft();
        registry.ownerOf(id);
        emit log_named_uint("registry.ownerOf (warm)", gasBefore - gasleft());
    }
}
