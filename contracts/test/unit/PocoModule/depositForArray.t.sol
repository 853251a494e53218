// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";

contract PocoModuleDepositForArrayTest is PocoUnitFixture {
    function _amounts(uint256 a, uint256 b, uint256 c)
        private
        pure
        returns (uint256[] memory amounts)
    {
        amounts = new uint256[](3);
        (amounts[0], amounts[1], amounts[2]) = (a, b, c);
    }

    function _targets(address a, address b, address c)
        private
        pure
        returns (address[] memory targets)
    {
        targets = new address[](3);
        (targets[0], targets[1], targets[2]) = (a, b, c);
    }

    function test_creditsEachTarget() public {
        uint256 supply = hub.totalSupply();
        uint256 rlcBefore = rlc.balanceOf(address(this));
        rlc.approve(address(hub), 6e9);
        address[] memory targets = _targets(requester, workers[0], sponsor);

        for (uint256 i = 0; i < 3; ++i) {
            vm.expectEmit(address(hub));
            emit IPocoEvents.Transfer(address(0), targets[i], (i + 1) * 1e9);
            vm.expectEmit(address(rlc));
            emit IERC20.Transfer(address(this), address(hub), (i + 1) * 1e9);
        }
        assertTrue(hub.depositForArray(_amounts(1e9, 2e9, 3e9), targets), "returns true");

        assertEq(hub.balanceOf(requester), INITIAL_DEPOSIT + 1e9, "first target");
        assertEq(hub.balanceOf(workers[0]), INITIAL_DEPOSIT + 2e9, "second target");
        assertEq(hub.balanceOf(sponsor), INITIAL_DEPOSIT + 3e9, "third target");
        assertEq(rlc.balanceOf(address(this)), rlcBefore - 6e9, "caller paid the sum");
        assertEq(hub.totalSupply(), supply + 6e9, "total supply");
        _assertConservation();
    }

    function test_sameTargetTwice() public {
        rlc.approve(address(hub), 5e9);
        hub.depositForArray(_amounts(1e9, 0, 4e9), _targets(requester, requester, requester));
        assertEq(hub.balanceOf(requester), INITIAL_DEPOSIT + 5e9, "accumulated");
        _assertConservation();
    }

    function test_emptyArrays() public {
        uint256 supply = hub.totalSupply();
        assertTrue(hub.depositForArray(new uint256[](0), new address[](0)), "returns true");
        assertEq(hub.totalSupply(), supply, "nothing deposited");
    }

    function test_revertsOnLengthMismatch() public {
        rlc.approve(address(hub), 10e9);
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.ArrayLengthMismatch.selector, 2, 3));
        hub.depositForArray(new uint256[](2), _targets(requester, sponsor, scheduler));

        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.ArrayLengthMismatch.selector, 3, 1));
        hub.depositForArray(_amounts(1, 2, 3), new address[](1));
    }

    /// One failing entry reverts the whole call: nothing is credited.
    function test_revertsOnZeroTargetAnywhere() public {
        rlc.approve(address(hub), 6e9);
        uint256 supply = hub.totalSupply();
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(0))
        );
        hub.depositForArray(_amounts(1e9, 2e9, 3e9), _targets(requester, address(0), sponsor));
        assertEq(hub.balanceOf(requester), INITIAL_DEPOSIT, "first entry rolled back");
        assertEq(hub.totalSupply(), supply, "supply unchanged");
    }

    /// Each entry is its own `transferFrom`: the allowance runs out at the second one.
    function test_revertsWhenTheAllowanceRunsOut() public {
        rlc.approve(address(hub), 3e9);
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector, address(hub), 1e9, 2e9
            )
        );
        hub.depositForArray(_amounts(2e9, 2e9, 0), _targets(requester, sponsor, scheduler));
    }

    function testFuzz_depositForArray(uint256[3] memory amounts) public {
        uint256[] memory list = new uint256[](3);
        uint256 total;
        for (uint256 i = 0; i < 3; ++i) {
            list[i] = bound(amounts[i], 0, 1_000_000e9);
            total += list[i];
        }
        rlc.approve(address(hub), total);
        hub.depositForArray(list, _targets(workers[0], workers[1], workers[2]));
        for (uint256 i = 0; i < 3; ++i) {
            assertEq(hub.balanceOf(workers[i]), INITIAL_DEPOSIT + list[i], "target credited");
        }
        _assertConservation();
    }
}
