// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoFixture} from "../utils/PocoFixture.sol";
import {AppOrder, DatasetOrder, WorkerpoolOrder, RequestOrder} from "../../src/libs/PocoTypes.sol";

/// @title The gas benchmark's flows with realistic payloads, for `forge test --isolate --gas-report`
/// (per-transaction figures while iterating). The benchmark of record, against the reference
/// contracts on anvil, is `cargo run -p poco-compat --release --bin gas-bench`.
contract GasFlowsTest is PocoFixture {
    string internal constant PARAMS =
        '{"iexec_args":"hello world","iexec_input_files":["https://example.org/a.txt"]}';
    bytes internal constant RESULTS = "/ipfs/QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG";

    function _deal(uint256 volume, uint256 trust) internal returns (bytes32) {
        AppOrder memory a = _sign(_appOrder(5e9, volume));
        WorkerpoolOrder memory w = _sign(_workerpoolOrder(100e9, volume, trust));
        DatasetOrder memory d = _noDataset();
        RequestOrder memory r = _requestOrder(a, d, w, volume);
        r.params = PARAMS;
        return hub.matchOrders(a, d, w, _sign(r));
    }

    /// (a) one worker, trust 1, classic.
    function test_a_classicTrustOne() public {
        bytes32 taskid = hub.initialize(_deal(1, 1), 0);
        _contribute(0, taskid, keccak256("r"));
        _reveal(0, taskid, keccak256("r"));
        _finalize(taskid, RESULTS);
    }

    /// (b) three workers, trust 5, all agreeing.
    function test_b_threeWorkersTrustFive() public {
        bytes32 taskid = hub.initialize(_deal(1, 5), 0);
        for (uint256 i = 0; i < 3; ++i) {
            _contribute(i, taskid, keccak256("r"));
        }
        for (uint256 i = 0; i < 3; ++i) {
            _reveal(i, taskid, keccak256("r"));
        }
        _finalize(taskid, RESULTS);
    }

    /// (c) trust 1 with contributeAndFinalize.
    function test_c_contributeAndFinalize() public {
        bytes32 taskid = hub.initialize(_deal(1, 1), 0);
        bytes memory auth = _authorization(workers[0], taskid, address(0));
        vm.prank(workers[0]);
        hub.contributeAndFinalize(taskid, keccak256("r"), RESULTS, "", address(0), "", auth);
    }

    /// (d) one deal of 10 tasks, trust 1, classic.
    function test_d_tenTasks() public {
        bytes32 dealid = _deal(10, 1);
        for (uint256 i = 0; i < 10; ++i) {
            bytes32 taskid = hub.initialize(dealid, i);
            _contribute(i % 5, taskid, keccak256("r"));
            _reveal(i % 5, taskid, keccak256("r"));
            _finalize(taskid, RESULTS);
        }
    }
}
