// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";

contract PocoModuleTotalSupplyTest is PocoUnitFixture {
    /// The fixture deposited INITIAL_DEPOSIT for ten actors.
    function test_depositedMinusWithdrawn() public {
        assertEq(hub.totalSupply(), 10 * INITIAL_DEPOSIT, "ten deposits");
        rlc.approve(address(hub), 5e9);
        hub.deposit(5e9);
        assertEq(hub.totalSupply(), 10 * INITIAL_DEPOSIT + 5e9, "after a deposit");
        vm.prank(requester);
        hub.withdraw(8e9);
        assertEq(hub.totalSupply(), 10 * INITIAL_DEPOSIT - 3e9, "after a withdrawal");
        assertEq(hub.totalSupply(), rlc.balanceOf(address(hub)), "equals the RLC held");
    }

    /// Transfers, locks, rewards and seizures move balances around without changing the supply.
    function test_unchangedByTransfersAndDeals() public {
        uint256 supply = hub.totalSupply();
        vm.prank(requester);
        hub.transfer(sponsor, 1e9);
        bytes32 dealid = _matchDeal(APP_PRICE, POOL_PRICE, 1, 1);
        assertEq(hub.totalSupply(), supply, "after transfer and match");
        _completeTask(dealid, 0, DIGEST, "");
        assertEq(hub.totalSupply(), supply, "after finalize");
        _assertConservation();
    }
}
