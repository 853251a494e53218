// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";
import {RequestOrder, OrderOperationEnum} from "../../../src/libs/PocoTypes.sol";

contract PocoViewsVerifyPresignatureOrSignatureTest is PocoUnitFixture {
    RequestOrder private request;
    bytes32 private orderHash;

    function setUp() public override {
        super.setUp();
        request = _orders(1, 1, false).request;
        orderHash = _hash(request);
    }

    /// The presignature is checked first, so an empty signature is fine for a presigned hash.
    function test_presignedWithEmptySignature() public {
        vm.prank(requester);
        hub.manageRequestOrder(_operation(request, OrderOperationEnum.SIGN, 0));
        assertTrue(hub.verifyPresignatureOrSignature(requester, orderHash, ""), "presigned");
        assertTrue(
            hub.verifyPresignatureOrSignature(requester, orderHash, hex"0badf00d"),
            "signature not looked at"
        );
    }

    function test_signedNotPresigned() public view {
        assertTrue(
            hub.verifyPresignatureOrSignature(
                requester, orderHash, _signDigest(requesterKey, orderHash)
            ),
            "signed"
        );
        assertFalse(
            hub.verifyPresignatureOrSignature(
                requester, orderHash, _signDigest(strangerKey, orderHash)
            ),
            "signed by another"
        );
    }

    /// Somebody else's presignature does not help; the signature is then checked.
    function test_presignedByAnother() public {
        vm.prank(requester);
        hub.manageRequestOrder(_operation(request, OrderOperationEnum.SIGN, 0));
        assertFalse(
            hub.verifyPresignatureOrSignature(
                stranger, orderHash, _signDigest(requesterKey, orderHash)
            ),
            "stranger: neither presigned nor signed"
        );
        assertTrue(
            hub.verifyPresignatureOrSignature(
                stranger, orderHash, _signDigest(strangerKey, orderHash)
            ),
            "stranger's own signature"
        );
    }

    /// Neither presigned nor a well-formed signature: the EOA format error (spec section 19.5).
    function test_revertsOnEmptySignatureWhenNotPresigned() public {
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.InvalidSignatureFormat.selector, 0));
        hub.verifyPresignatureOrSignature(requester, orderHash, "");
    }
}
