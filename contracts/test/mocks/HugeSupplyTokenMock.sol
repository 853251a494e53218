// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title An ERC-20 whose supply (2^128 units, minted to the deployer) exceeds what the hub's
/// packed 112-bit balances can hold, to reach the hub's `AmountTooLarge` limit.
contract HugeSupplyTokenMock is ERC20 {
    constructor() ERC20("Huge supply token", "HUGE") {
        _mint(msg.sender, 1 << 128);
    }

    function decimals() public pure override returns (uint8) {
        return 9;
    }
}
