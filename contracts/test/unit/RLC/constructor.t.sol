// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Test} from "../../utils/Test.sol";
import {RLC} from "../../../src/token/RLC.sol";

contract RLCConstructorTest is Test {
    uint256 private constant SUPPLY = 87_000_000 * 1e9;

    function test_metadata() public {
        RLC rlc = new RLC();
        assertEq(rlc.name(), "iEx.ec Network Token");
        assertEq(rlc.symbol(), "RLC");
        assertEq(rlc.decimals(), 9);
    }

    function test_mintsWholeSupplyToDeployer() public {
        address deployer = makeAddr("deployer");
        vm.expectEmit();
        emit IERC20.Transfer(address(0), deployer, SUPPLY);
        vm.prank(deployer);
        RLC rlc = new RLC();
        assertEq(rlc.totalSupply(), SUPPLY, "totalSupply");
        assertEq(rlc.balanceOf(deployer), SUPPLY, "deployer balance");
        assertEq(rlc.balanceOf(address(this)), 0, "test balance");
    }
}
