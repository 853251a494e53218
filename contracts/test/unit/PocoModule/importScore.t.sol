// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {LegacyHubMock} from "../../mocks/LegacyHubMock.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";
import {PocoStorage} from "../../../src/libs/PocoStorage.sol";

/// poco has no legacy (v3) hub to import scores from (zero on new chains, as on Arbitrum; poco
/// has no `configure` to set one), so `importScore` always reverts `NoLegacyHub`. The second
/// contract below seeds the legacy hub address in storage to cover the import path anyway.
contract PocoModuleImportScoreTest is PocoUnitFixture {
    function test_revertsWithoutLegacyHub() public {
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.NoLegacyHub.selector));
        vm.prank(workers[0]);
        hub.importScore(workers[0]);
    }

    function test_revertsForAnyone() public {
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.NoLegacyHub.selector));
        vm.prank(protocolOwner);
        hub.importScore(stranger);
    }
}

/// The import path with a legacy hub written into storage (slot of `Layout.v3Hub`, field 6).
contract PocoModuleImportScoreSeededTest is PocoUnitFixture {
    LegacyHubMock private legacy;

    function setUp() public override {
        super.setUp();
        legacy = new LegacyHubMock();
        vm.store(
            address(hub),
            bytes32(uint256(PocoStorage.LOCATION) + 6),
            bytes32(uint256(uint160(address(legacy))))
        );
    }

    function test_raisesTheScoreOnce() public {
        legacy.setScore(workers[0], 42);
        vm.prank(stranger);
        hub.importScore(workers[0]);
        assertEq(hub.viewScore(workers[0]), 42, "imported");
        assertEq(
            hub.balanceOf(workers[0]), INITIAL_DEPOSIT, "balance untouched by the packed write"
        );

        legacy.setScore(workers[0], 50);
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.ScoreAlreadyImported.selector, workers[0])
        );
        hub.importScore(workers[0]);
    }

    function test_keepsAHigherScore() public {
        _setScore(workers[1], 20);
        legacy.setScore(workers[1], 5);
        hub.importScore(workers[1]);
        assertEq(hub.viewScore(workers[1]), 20, "max(current, legacy)");
    }

    function test_capsAt32Bits() public {
        legacy.setScore(workers[2], type(uint256).max);
        hub.importScore(workers[2]);
        assertEq(hub.viewScore(workers[2]), type(uint32).max, "capped");
        assertEq(hub.balanceOf(workers[2]), INITIAL_DEPOSIT, "balance untouched");
    }
}
