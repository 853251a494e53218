// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

/// @title A legacy (v3) hub as `importScore` reads it: only `viewScore`.
contract LegacyHubMock {
    mapping(address worker => uint256) public viewScore;

    function setScore(address worker, uint256 score) external {
        viewScore[worker] = score;
    }
}
