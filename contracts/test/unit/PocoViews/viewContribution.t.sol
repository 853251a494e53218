// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {Contribution, ContributionStatusEnum} from "../../../src/libs/PocoTypes.sol";

contract PocoViewsViewContributionTest is PocoUnitFixture {
    function test_unknownIsAllZero() public view {
        Contribution memory c = hub.viewContribution(keccak256("task"), workers[0]);
        assertEq(uint256(c.status), uint256(ContributionStatusEnum.UNSET), "status");
        assertEq(c.resultHash, bytes32(0), "hash");
        assertEq(c.resultSeal, bytes32(0), "seal");
        assertEq(c.enclaveChallenge, address(0), "enclave");
        assertEq(c.weight, 0, "weight");
    }

    function test_contributedThenProved() public {
        bytes32 taskid = hub.initialize(_matchDeal(APP_PRICE, POOL_PRICE, 1, 1), 0);
        _contribute(2, taskid, DIGEST);
        Contribution memory c = hub.viewContribution(taskid, workers[2]);
        assertEq(uint256(c.status), uint256(ContributionStatusEnum.CONTRIBUTED), "contributed");
        assertEq(c.resultHash, _resultHash(taskid, DIGEST), "hash");
        assertEq(c.resultSeal, _resultSeal(workers[2], taskid, DIGEST), "seal");
        assertEq(c.enclaveChallenge, address(0), "no enclave");
        assertEq(c.weight, 1, "fresh worker: weight 2, log2 = 1");
        assertEq(uint256(hub.viewContribution(taskid, workers[0]).status), 0, "others unset");

        _reveal(2, taskid, DIGEST);
        assertEq(
            uint256(hub.viewContribution(taskid, workers[2]).status),
            uint256(ContributionStatusEnum.PROVED),
            "proved"
        );
    }

    /// weight = floor(log2(max(score / 3, 3) - 1)) (6.x floor; spec section 7.3).
    function test_weightFollowsTheScore() public {
        uint256[6] memory scores = [uint256(0), 11, 12, 15, 27, 3 * 1025];
        uint256[6] memory weights = [uint256(1), 1, 1, 2, 3, 10];
        for (uint256 i = 0; i < scores.length; ++i) {
            bytes32 taskid = hub.initialize(_matchDeal(APP_PRICE, POOL_PRICE, 1, 1000), 0);
            _setScore(workers[0], scores[i]);
            _contribute(0, taskid, DIGEST);
            assertEq(hub.viewContribution(taskid, workers[0]).weight, weights[i], "log2 weight");
        }
    }

    function test_enclaveChallengeIsRecorded() public {
        (address enclave, uint256 enclaveKey) = makeAccount("enclave");
        Orders memory o = _orders(1, 1, false);
        o.app.tag = TEE_TAG;
        o.workerpool.tag = TEE_TAG;
        o.request = _requestOrder(o.app, o.dataset, o.workerpool, 1);
        bytes32 taskid = hub.initialize(_match(_signAll(o)), 0);

        address worker = workers[0];
        bytes32 resultHash = _resultHash(taskid, DIGEST);
        bytes32 resultSeal = _resultSeal(worker, taskid, DIGEST);
        bytes memory enclaveSign = _signDigest(
            enclaveKey,
            MessageHashUtils.toEthSignedMessageHash(
                keccak256(abi.encodePacked(resultHash, resultSeal))
            )
        );
        bytes memory auth = _authorization(worker, taskid, enclave);
        vm.prank(worker);
        hub.contribute(taskid, resultHash, resultSeal, enclave, enclaveSign, auth);
        assertEq(hub.viewContribution(taskid, worker).enclaveChallenge, enclave, "enclave");
    }

    function test_rejectedAfterReopen() public {
        bytes32 taskid = hub.initialize(_matchDeal(APP_PRICE, POOL_PRICE, 1, 1), 0);
        _contribute(0, taskid, DIGEST);
        vm.warp(block.timestamp + 2 * 300);
        vm.prank(scheduler);
        hub.reopen(taskid);
        Contribution memory c = hub.viewContribution(taskid, workers[0]);
        assertEq(uint256(c.status), uint256(ContributionStatusEnum.REJECTED), "rejected");
        assertEq(c.resultHash, _resultHash(taskid, DIGEST), "hash kept");
    }
}
