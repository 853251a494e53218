// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Test} from "../utils/Test.sol";
import {IPoco} from "../../src/interfaces/IPoco.sol";
import {EscrowHandler} from "./handlers/EscrowHandler.sol";

/// @title Escrow conservation under random deposits, withdrawals, transfers, matches and task
/// lifecycles (spec §2.3 invariant; STYLE §2.3 "invariant/EscrowConservation.t.sol").
/// @notice Invariants:
/// 1. the escrow's total supply is the RLC the hub holds;
/// 2. Σ free balances of every account but the hub + Σ frozen = the RLC the hub holds;
/// 3. the hub's own free balance is exactly Σ frozen (locked funds sit in the hub);
/// 4. every account's frozen amount is what the status of the tasks implies (no stake is lost
///    or left locked behind): payers for open tasks, the scheduler for open tasks, workers for
///    the open tasks they contributed to, the kitty what claims put in minus what successes took.
contract EscrowConservationTest is Test {
    /// forge's invariant target selector (forge-std's `StdInvariant.FuzzSelector`).
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    EscrowHandler private handler;
    IPoco private hub;
    IERC20 private rlc;

    function setUp() public {
        handler = new EscrowHandler();
        handler.setUp();
        hub = IPoco(handler.hubAddress());
        rlc = IERC20(handler.rlcAddress());
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        bytes4[] memory selectors = new bytes4[](13);
        selectors[0] = EscrowHandler.deposit.selector;
        selectors[1] = EscrowHandler.withdraw.selector;
        selectors[2] = EscrowHandler.transfer.selector;
        selectors[3] = EscrowHandler.warp.selector;
        selectors[4] = EscrowHandler.matchOrders.selector;
        selectors[5] = EscrowHandler.initialize.selector;
        selectors[6] = EscrowHandler.contribute.selector;
        selectors[7] = EscrowHandler.reveal.selector;
        selectors[8] = EscrowHandler.finalize.selector;
        selectors[9] = EscrowHandler.contributeAndFinalize.selector;
        selectors[10] = EscrowHandler.reopen.selector;
        selectors[11] = EscrowHandler.claim.selector;
        // initialize twice as often as the rest: tasks are what most actions need
        selectors[12] = EscrowHandler.initialize.selector;
        targets = new FuzzSelector[](1);
        targets[0] = FuzzSelector(address(handler), selectors);
    }

    /// 1. totalSupply == RLC held by the hub.
    function invariant_totalSupplyIsTheRlcHeld() public view {
        assertEq(hub.totalSupply(), rlc.balanceOf(address(hub)), "totalSupply != RLC held");
    }

    /// 2. Σ free (non-hub) + Σ frozen == RLC held by the hub.
    function invariant_freePlusFrozenIsTheRlcHeld() public view {
        (uint256 free, uint256 frozen) = _sums();
        assertEq(free + frozen, rlc.balanceOf(address(hub)), "free + frozen != RLC held");
    }

    /// 3. The hub's own balance is exactly Σ frozen.
    function invariant_hubBalanceIsTheFrozenTotal() public view {
        (, uint256 frozen) = _sums();
        assertEq(hub.balanceOf(address(hub)), frozen, "hub balance != frozen");
    }

    /// 4. Every account's frozen amount matches the open tasks it is committed to.
    function invariant_frozenMatchesOpenTasks() public view {
        address[] memory accounts = handler.accounts();
        for (uint256 i = 0; i < accounts.length; ++i) {
            assertEq(
                hub.frozenOf(accounts[i]),
                handler.expectedFrozen(accounts[i]),
                "frozen != open commitments"
            );
        }
    }

    function _sums() private view returns (uint256 free, uint256 frozen) {
        address[] memory accounts = handler.accounts();
        for (uint256 i = 0; i < accounts.length; ++i) {
            free += hub.balanceOf(accounts[i]);
            frozen += hub.frozenOf(accounts[i]);
        }
    }
}
