// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {ContributionStatusEnum} from "../../../src/libs/PocoTypes.sol";

/// (status, resultHash, resultSeal, enclaveChallenge): `weight` is left out.
contract PocoViewsViewContributionABILegacyTest is PocoUnitFixture {
    function test_fields() public {
        bytes32 taskid = hub.initialize(_matchDeal(APP_PRICE, POOL_PRICE, 1, 1), 0);
        _contribute(1, taskid, DIGEST);
        (uint8 status, bytes32 resultHash, bytes32 resultSeal, address enclave) =
            hub.viewContributionABILegacy(taskid, workers[1]);
        assertEq(status, uint8(ContributionStatusEnum.CONTRIBUTED), "status");
        assertEq(resultHash, _resultHash(taskid, DIGEST), "hash");
        assertEq(resultSeal, _resultSeal(workers[1], taskid, DIGEST), "seal");
        assertEq(enclave, address(0), "enclave");

        _reveal(1, taskid, DIGEST);
        (status,,,) = hub.viewContributionABILegacy(taskid, workers[1]);
        assertEq(status, uint8(ContributionStatusEnum.PROVED), "proved");
    }

    function test_unknown() public view {
        (uint8 status, bytes32 resultHash,,) =
            hub.viewContributionABILegacy(keccak256("none"), workers[1]);
        assertEq(status, 0, "unset");
        assertEq(resultHash, bytes32(0), "no hash");
    }
}
