// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {RegistriesFixture} from "../../utils/RegistriesFixture.sol";
import {IRegistryErrors} from "../../../src/interfaces/IRegistries.sol";
import {Workerpool} from "../../../src/registries/Workerpool.sol";
import {WorkerpoolRegistry} from "../../../src/registries/WorkerpoolRegistry.sol";

contract WorkerpoolRegistryCreateWorkerpoolTest is RegistriesFixture {
    function test_createsWorkerpoolAtPredictedAddress() public {
        address predicted = workerpoolRegistry.predictWorkerpool(alice, "my pool");

        vm.expectEmit(address(workerpoolRegistry));
        emit IERC721.Transfer(address(0), alice, _id(predicted));
        vm.prank(bob); // creation is permissionless; the caller picks the owner
        address created = workerpoolRegistry.createWorkerpool(alice, "my pool");

        assertEq(created, predicted, "created == predicted");
        assertEq(workerpoolRegistry.ownerOf(_id(created)), alice, "ownerOf");
        assertEq(workerpoolRegistry.balanceOf(alice), 1, "balanceOf");
        assertEq(workerpoolRegistry.totalSupply(), 1, "totalSupply");
        assertTrue(workerpoolRegistry.isRegistered(created), "isRegistered");
        assertEq(
            created.code, _cloneRuntime(workerpoolRegistry.master()), "EIP-1167 clone of the master"
        );

        Workerpool workerpool = Workerpool(created);
        assertEq(workerpool.owner(), alice, "owner");
        assertEq(workerpool.registry(), address(workerpoolRegistry), "registry");
        assertEq(workerpool.m_workerpoolDescription(), "my pool");
        (uint256 workerStakeRatio, uint256 schedulerRewardRatio) = workerpool.policies();
        assertEq(workerStakeRatio, 30, "default worker stake ratio");
        assertEq(schedulerRewardRatio, 1, "default scheduler reward ratio");
    }

    function test_mintsToContractsWithoutReceiverHook() public {
        Workerpool workerpool = _createWorkerpool(address(this), "my pool");
        assertEq(workerpool.owner(), address(this), "owner");
    }

    function test_sameDescriptionForAnotherOwnerGivesAnotherWorkerpool() public {
        Workerpool first = _createWorkerpool(alice, "my pool");
        Workerpool second = _createWorkerpool(bob, "my pool");
        assertTrue(address(first) != address(second), "distinct addresses");
        assertEq(second.owner(), bob, "second owner");
    }

    function test_revertsWhenAlreadyRegistered() public {
        Workerpool workerpool = _createWorkerpool(alice, "my pool");
        vm.expectRevert(
            abi.encodeWithSelector(IRegistryErrors.AlreadyRegistered.selector, address(workerpool))
        );
        _createWorkerpool(alice, "my pool");
    }

    function test_revertsOnZeroOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistryErrors.ZeroOwner.selector));
        workerpoolRegistry.createWorkerpool(address(0), "my pool");
    }

    function test_gas() public {
        WorkerpoolRegistry registry = workerpoolRegistry;
        address owner = alice;
        uint256 gasBefore = gasleft();
        registry.createWorkerpool(owner, "my pool");
        emit log_named_uint(
            "createWorkerpool (first workerpool, short description)", gasBefore - gasleft()
        );
        gasBefore = gasleft();
        registry.createWorkerpool(owner, "");
        emit log_named_uint(
            "createWorkerpool (second workerpool, empty description)", gasBefore - gasleft()
        );
    }

    function testFuzz_createMatchesPredict(address owner, string calldata description) public {
        vm.assume(owner != address(0));
        address predicted = workerpoolRegistry.predictWorkerpool(owner, description);
        Workerpool workerpool = Workerpool(workerpoolRegistry.createWorkerpool(owner, description));
        assertEq(address(workerpool), predicted, "created == predicted");
        assertEq(workerpool.owner(), owner, "owner");
        assertEq(workerpool.m_workerpoolDescription(), description);
    }
}
