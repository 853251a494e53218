// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPoco} from "../../../src/interfaces/IPoco.sol";

contract PocoViewsEip712DomainSeparatorTest is PocoUnitFixture {
    bytes32 private constant DOMAIN_TYPEHASH =
        0x8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f;

    function _separator(uint256 chainId, address verifyingContract) private pure returns (bytes32) {
        return keccak256(
            abi.encode(
                DOMAIN_TYPEHASH,
                keccak256("iExecODB"),
                keccak256("5.0.0"),
                chainId,
                verifyingContract
            )
        );
    }

    function test_ofThisHub() public view {
        assertEq(hub.eip712domain_separator(), _separator(block.chainid, address(hub)), "separator");
    }

    /// Spec section 3.2: the known separators, with the hub's code placed at the deployed addresses.
    function test_knownDeployments() public {
        bytes memory code = address(hub).code;
        address arbitrum = 0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0;
        address arbitrumSepolia = 0xB2157BF2fAb286b2A4170E3491Ac39770111Da3E;
        address bellecour = 0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f;
        vm.etch(arbitrum, code);
        vm.etch(arbitrumSepolia, code);
        vm.etch(bellecour, code);

        vm.chainId(42161);
        assertEq(
            _hub(arbitrum).eip712domain_separator(),
            0x3b211ab198ac0c745a332d34416d88c417c2f06a87bd9f0d2fdd37b242c75402,
            "Arbitrum One"
        );
        vm.chainId(421614);
        assertEq(
            _hub(arbitrumSepolia).eip712domain_separator(),
            0xde6e7a8f1c22386ba73ee5376e4ec7089a2d2b07ebbfce54d4cb386daa34cc92,
            "Arbitrum Sepolia"
        );
        vm.chainId(134);
        assertEq(
            _hub(bellecour).eip712domain_separator(),
            0xf2cbd98a556869939d25b73c3fa68ba45f19932f8c9a06f744c98290ed9ef860,
            "Bellecour"
        );
    }

    function _hub(address at) private pure returns (IPoco) {
        return IPoco(at);
    }

    function testFuzz_chainId(uint256 chainId) public {
        chainId = bound(chainId, 1, type(uint64).max - 1);
        vm.chainId(chainId);
        assertEq(hub.eip712domain_separator(), _separator(chainId, address(hub)), "separator");
    }
}
