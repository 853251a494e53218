// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {DatasetInfo} from "../../../src/libs/PocoTypes.sol";

contract PocoViewsViewDatasetTest is PocoUnitFixture {
    function test_registrationData() public view {
        DatasetInfo memory info = hub.viewDataset(dataset);
        assertEq(info.owner, datasetOwner, "owner");
        assertEq(info.m_datasetName, "data", "name");
        assertEq(info.m_datasetMultiaddr, bytes("https://example.org/data.zip"), "multiaddr");
        assertEq(info.m_datasetChecksum, keccak256("data"), "checksum");
    }

    function test_currentOwner() public {
        vm.prank(datasetOwner);
        datasetRegistry.transferFrom(datasetOwner, stranger, uint256(uint160(dataset)));
        assertEq(hub.viewDataset(dataset).owner, stranger, "NFT owner");
    }

    function test_revertsForANonDataset() public {
        vm.expectRevert();
        hub.viewDataset(stranger);
    }
}
