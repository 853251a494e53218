// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {EIP712Domain} from "../../../src/libs/PocoTypes.sol";

contract PocoViewsDomainTest is PocoUnitFixture {
    function test_iExecOdbDomain() public view {
        EIP712Domain memory d = hub.domain();
        assertEq(d.name, "iExecODB", "name");
        assertEq(d.version, "5.0.0", "version");
        assertEq(d.chainId, block.chainid, "chain id");
        assertEq(d.verifyingContract, address(hub), "the hub, not the module or the views");
    }

    function test_followsTheChainId() public {
        vm.chainId(42161);
        assertEq(hub.domain().chainId, 42161, "Arbitrum One");
        vm.chainId(134);
        assertEq(hub.domain().chainId, 134, "Bellecour");
    }

    /// The separator is the EIP-712 hash of the domain returned.
    function test_hashesToTheSeparator() public view {
        EIP712Domain memory d = hub.domain();
        bytes32 separator = keccak256(
            abi.encode(
                keccak256(
                    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                ),
                keccak256(bytes(d.name)),
                keccak256(bytes(d.version)),
                d.chainId,
                d.verifyingContract
            )
        );
        assertEq(hub.eip712domain_separator(), separator, "separator");
    }
}
