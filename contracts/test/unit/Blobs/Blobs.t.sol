// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoFixture} from "../../utils/PocoFixture.sol";
import {
    AppOrder,
    DatasetOrder,
    WorkerpoolOrder,
    RequestOrder,
    Task
} from "../../../src/libs/PocoTypes.sol";
import {Blobs} from "../../../src/libs/Blobs.sol";
import {PocoStorage} from "../../../src/libs/PocoStorage.sol";

/// @title Deal params and task results round-trip whatever their size (inline under 32 bytes,
/// CREATE2 data contracts from 32 bytes on).
contract BlobsTest is PocoFixture {
    function _bytesOfLength(uint256 length, bytes1 first)
        internal
        pure
        returns (bytes memory data)
    {
        data = new bytes(length);
        for (uint256 i = 0; i < length; ++i) {
            data[i] = bytes1(uint8(65 + (i % 26)));
        }
        if (length != 0) data[0] = first;
    }

    function _roundTrip(uint256 paramsLength, uint256 resultsLength, bytes1 first) internal {
        AppOrder memory a = _sign(_appOrder(0, 1));
        WorkerpoolOrder memory w = _sign(_workerpoolOrder(0, 1, 1));
        DatasetOrder memory d = _noDataset();
        RequestOrder memory r = _requestOrder(a, d, w, 1);
        r.params = string(_bytesOfLength(paramsLength, first));
        r = _sign(r);
        bytes32 dealid = hub.matchOrders(a, d, w, r);
        assertEq(bytes(hub.viewDeal(dealid).params), bytes(r.params), "params round trip");
        (,,,,, string memory legacyParams) = hub.viewDealABILegacy_pt2(dealid);
        assertEq(bytes(legacyParams), bytes(r.params), "legacy params round trip");

        bytes32 taskid = hub.initialize(dealid, 0);
        bytes32 digest = keccak256("digest");
        _contribute(0, taskid, digest);
        _reveal(0, taskid, digest);
        bytes memory results = _bytesOfLength(resultsLength, first);
        _finalize(taskid, results);
        Task memory task = hub.viewTask(taskid);
        assertEq(task.results, results, "results round trip");
        assertEq(task.resultsCallback, "", "no callback data");
        bool long = paramsLength >= 32 && paramsLength < Blobs.MAX_BLOB;
        address blob = address(
            uint160(
                uint256(
                    keccak256(
                        abi.encodePacked(
                            bytes1(0xff),
                            address(hub),
                            PocoStorage.paramsSalt(dealid),
                            Blobs.INIT_CODE_HASH
                        )
                    )
                )
            )
        );
        assertEq(blob.code.length == 0, !long, "params blob created iff long");
        if (long) {
            assertEq(
                blob.code,
                bytes.concat(bytes1(0), bytes(r.params)),
                "blob code is 0x00 then the value"
            );
        }
    }

    function test_emptyValues() public {
        _roundTrip(0, 0, "x");
    }

    function test_boundary31() public {
        _roundTrip(31, 31, "x");
    }

    function test_boundary32() public {
        _roundTrip(32, 32, "x");
    }

    function test_longValues() public {
        _roundTrip(80, 46, "x");
        _roundTrip(1000, 333, "y");
    }

    /// The longest blob fits EIP-170 exactly (24,576 bytes of code with its leading STOP); longer
    /// values go to storage.
    function test_codeSizeLimit() public {
        _roundTrip(Blobs.MAX_BLOB - 1, Blobs.MAX_BLOB, "z");
        _roundTrip(Blobs.MAX_BLOB + 33, 40_000, "z");
    }

    /// A value starting with 0xEF is stored (EIP-3541 forbids code starting with 0xEF).
    function test_valueStartingWithEF() public {
        _roundTrip(64, 64, 0xef);
    }

    function testFuzz_roundTrip(uint256 paramsLength, uint256 resultsLength, bytes1 first) public {
        _roundTrip(bound(paramsLength, 0, 600), bound(resultsLength, 0, 600), first);
    }

    /// A call with no data and no value answers nothing outside a blob write; with value it reverts.
    function test_emptyCallOutsideStore() public {
        (bool ok, bytes memory answer) = address(hub).call("");
        assertTrue(ok, "empty call succeeds");
        assertEq(answer.length, 0, "answers nothing");
        vm.deal(address(this), 1 ether);
        (ok,) = address(hub).call{value: 1}("");
        assertFalse(ok, "ether is refused");
    }
}
