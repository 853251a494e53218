// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {Vm} from "../../utils/Vm.sol";
import {IPoco, IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";

contract PocoModuleOwnerTest is PocoUnitFixture {
    function test_theOwnerGivenAtConstruction() public view {
        assertEq(hub.owner(), protocolOwner, "owner");
    }

    function test_constructionEmitsOwnershipTransferred() public {
        address module =
            vm.deployCode("PocoModule.sol:PocoModule", abi.encode(address(rlc), stranger));
        vm.recordLogs();
        IPoco other = IPoco(
            vm.deployCode(
                "PocoHub.sol:PocoHub",
                abi.encode(
                    module,
                    address(appRegistry),
                    address(datasetRegistry),
                    address(workerpoolRegistry),
                    stranger
                )
            )
        );
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs[0].emitter, address(other), "emitter");
        assertEq(
            logs[0].topics[0],
            IPocoEvents.OwnershipTransferred.selector,
            "first event: OwnershipTransferred"
        );
        assertEq(logs[0].topics[1], bytes32(0), "from zero");
        assertEq(logs[0].topics[2], bytes32(uint256(uint160(stranger))), "to the owner");
        assertEq(other.owner(), stranger, "owner");
    }

    function test_constructionRevertsOnZeroOwner() public {
        bytes memory initcode = bytes.concat(
            vm.getCode("PocoHub.sol:PocoHub"),
            abi.encode(
                stranger,
                address(appRegistry),
                address(datasetRegistry),
                address(workerpoolRegistry),
                address(0)
            )
        );
        address deployed;
        bytes memory answer;
        assembly ("memory-safe") {
            deployed := create(0, add(initcode, 0x20), mload(initcode))
            answer := mload(0x40)
            mstore(answer, returndatasize())
            returndatacopy(add(answer, 0x20), 0, returndatasize())
            mstore(0x40, add(add(answer, 0x20), returndatasize()))
        }
        assertEq(deployed, address(0), "not deployed");
        assertEq(
            answer,
            abi.encodeWithSelector(IPocoErrors.OwnableInvalidOwner.selector, address(0)),
            "error"
        );
    }
}
