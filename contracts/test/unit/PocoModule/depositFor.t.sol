// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";

contract PocoModuleDepositForTest is PocoUnitFixture {
    function test_creditsTheTargetWithTheCallersRlc() public {
        uint256 amount = 250e9;
        uint256 supply = hub.totalSupply();
        uint256 rlcBefore = rlc.balanceOf(address(this));
        rlc.approve(address(hub), amount);

        vm.expectEmit(address(hub));
        emit IPocoEvents.Transfer(address(0), requester, amount);
        vm.expectEmit(address(rlc));
        emit IERC20.Transfer(address(this), address(hub), amount);
        assertTrue(hub.depositFor(amount, requester), "returns true");

        assertEq(hub.balanceOf(requester), INITIAL_DEPOSIT + amount, "target credited");
        assertEq(hub.balanceOf(address(this)), 0, "caller not credited");
        assertEq(rlc.balanceOf(address(this)), rlcBefore - amount, "caller paid");
        assertEq(rlc.balanceOf(requester), 0, "target's RLC untouched");
        assertEq(hub.totalSupply(), supply + amount, "total supply");
        _assertConservation();
    }

    function test_forItself() public {
        rlc.approve(address(hub), 1e9);
        hub.depositFor(1e9, address(this));
        assertEq(hub.balanceOf(address(this)), 1e9, "same as deposit");
        _assertConservation();
    }

    function test_revertsOnZeroTarget() public {
        rlc.approve(address(hub), 1e9);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(0))
        );
        hub.depositFor(1e9, address(0));
    }

    function test_revertsWithoutRlcAllowance() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector, address(hub), 0, 1
            )
        );
        hub.depositFor(1, requester);
    }

    function testFuzz_depositFor(uint256 amount, uint256 targetIndex) public {
        amount = bound(amount, 0, rlc.balanceOf(address(this)));
        address target = workers[bound(targetIndex, 0, workers.length - 1)];
        uint256 before = hub.balanceOf(target);
        rlc.approve(address(hub), amount);
        hub.depositFor(amount, target);
        assertEq(hub.balanceOf(target), before + amount, "target credited");
        _assertConservation();
    }
}
