// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoErrors, OrderKind} from "../../../src/interfaces/IPocoErrors.sol";

/// poco computes its domain separator on each use, so `updateDomainSeparator` has nothing to do:
/// the separator follows the chain id by itself.
contract PocoModuleUpdateDomainSeparatorTest is PocoUnitFixture {
    function _expected() private view returns (bytes32) {
        return keccak256(
            abi.encode(
                keccak256(
                    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                ),
                keccak256("iExecODB"),
                keccak256("5.0.0"),
                block.chainid,
                address(hub)
            )
        );
    }

    function test_isANoOpOpenToAnyone() public {
        bytes32 separator = hub.eip712domain_separator();
        vm.recordLogs();
        vm.prank(stranger);
        hub.updateDomainSeparator();
        assertEq(vm.getRecordedLogs().length, 0, "no event");
        assertEq(hub.eip712domain_separator(), separator, "unchanged");
    }

    function test_separatorFollowsTheChainId() public {
        bytes32 before = hub.eip712domain_separator();
        vm.chainId(42161);
        assertEq(hub.eip712domain_separator(), _expected(), "recomputed for 42161 without any call");
        assertTrue(hub.eip712domain_separator() != before, "changed");
        hub.updateDomainSeparator();
        assertEq(hub.eip712domain_separator(), _expected(), "same after the call");
        assertEq(hub.domain().chainId, 42161, "domain chain id");
    }

    /// Orders signed for the previous chain id no longer verify after a change (replay protection).
    function test_ordersSignedForAnotherChainAreRefused() public {
        Orders memory o = _signAll(_orders(1, 1, false));
        vm.chainId(42161);
        hub.updateDomainSeparator();
        bytes32 appHash = _hash(o.app);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.InvalidOrderSignature.selector, OrderKind.App, appHash, appOwner
            )
        );
        _match(o);

        _match(_signAll(o)); // re-signed for the new chain
    }
}
