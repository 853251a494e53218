// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title CompatToken
/// @notice A tiny token for the client compatibility suite: deployed by the suite itself on every
/// chain under test, it gives transfers, indexed events, custom errors with arguments, a revert
/// string and a view of the block time.
contract CompatToken {
    /// @notice The sender holds less than it tries to move.
    error InsufficientBalance(address account, uint256 balance, uint256 needed);
    /// @notice Only the deployer may mint.
    error NotOwner(address caller, address owner);

    /// @notice Tokens moved (minted when `from` is zero).
    event Transfer(address indexed from, address indexed to, uint256 value);
    /// @notice A free-form note with two indexed topics, for log filters.
    event Note(uint256 indexed id, address indexed author, string text);

    /// @notice The deployer.
    address public immutable owner;
    /// @notice Tokens in existence.
    uint256 public totalSupply;
    /// @notice Balance of each holder.
    mapping(address => uint256) public balanceOf;

    /// @param supply tokens given to the deployer
    constructor(uint256 supply) {
        owner = msg.sender;
        _mint(msg.sender, supply);
    }

    /// @notice Moves `value` tokens to `to`.
    function transfer(address to, uint256 value) external returns (bool) {
        uint256 balance = balanceOf[msg.sender];
        if (balance < value) revert InsufficientBalance(msg.sender, balance, value);
        unchecked {
            balanceOf[msg.sender] = balance - value;
        }
        balanceOf[to] += value;
        emit Transfer(msg.sender, to, value);
        return true;
    }

    /// @notice Creates `value` tokens for `to` (deployer only).
    function mint(address to, uint256 value) external {
        if (msg.sender != owner) revert NotOwner(msg.sender, owner);
        _mint(to, value);
    }

    /// @notice Emits a note.
    function note(uint256 id, string calldata text) external {
        emit Note(id, msg.sender, text);
    }

    /// @notice Always reverts with a reason string (`Error(string)`).
    function fail() external pure {
        revert("CompatToken: always fails");
    }

    /// @notice The current block's timestamp and number.
    function clock() external view returns (uint256 timestamp, uint256 number) {
        return (block.timestamp, block.number);
    }

    function _mint(address to, uint256 value) private {
        totalSupply += value;
        balanceOf[to] += value;
        emit Transfer(address(0), to, value);
    }
}
