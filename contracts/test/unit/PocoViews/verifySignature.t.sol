// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {ERC1271WalletMock} from "../../mocks/ERC1271WalletMock.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";

contract PocoViewsVerifySignatureTest is PocoUnitFixture {
    /// secp256k1 group order.
    uint256 private constant N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    bytes32 private constant HASH = keccak256("message");

    /*//////////////////////////////////////////////////////////////
                                 EOAS
    //////////////////////////////////////////////////////////////*/

    function test_eoa65Bytes() public view {
        assertTrue(hub.verifySignature(requester, HASH, _signDigest(requesterKey, HASH)), "r, s, v");
    }

    function test_eoa64BytesEip2098() public view {
        (bytes32 r, bytes32 vs) = vm.signCompact(requesterKey, HASH);
        assertTrue(hub.verifySignature(requester, HASH, abi.encodePacked(r, vs)), "r, vs");
    }

    /// The malleable twin (n - s, other v) recovers the same key with plain ecrecover, but
    /// OpenZeppelin's `tryRecover` rejects high-s signatures (spec section 3.3).
    function test_highSIsRefused() public view {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(requesterKey, HASH);
        bytes32 highS = bytes32(N - uint256(s));
        uint8 otherV = v == 27 ? 28 : 27;
        assertEq(ecrecover(HASH, otherV, r, highS), requester, "malleable twin recovers the key");
        assertFalse(
            hub.verifySignature(requester, HASH, abi.encodePacked(r, highS, otherV)),
            "high s refused"
        );
    }

    /// v must be 27 or 28 (5.x added 27 to v < 27; 6.x does not).
    function test_vOtherThan27Or28IsRefused() public view {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(requesterKey, HASH);
        assertFalse(
            hub.verifySignature(requester, HASH, abi.encodePacked(r, s, v - 27)), "v in {0, 1}"
        );
        assertFalse(
            hub.verifySignature(requester, HASH, abi.encodePacked(r, s, uint8(29))), "v = 29"
        );
    }

    function test_wrongSigner() public view {
        assertFalse(
            hub.verifySignature(requester, HASH, _signDigest(strangerKey, HASH)), "another key"
        );
    }

    function test_wrongHash() public view {
        assertFalse(
            hub.verifySignature(requester, keccak256("other"), _signDigest(requesterKey, HASH)),
            "another hash"
        );
    }

    /// A garbage signature recovers to zero (or fails): it never validates the zero address.
    function test_zeroAccount() public view {
        bytes memory garbage = abi.encodePacked(bytes32(uint256(1)), bytes32(uint256(2)), uint8(27));
        assertFalse(hub.verifySignature(address(0), HASH, garbage), "garbage");
        assertFalse(hub.verifySignature(address(0), HASH, new bytes(65)), "zeros");
        assertFalse(
            hub.verifySignature(address(0), HASH, _signDigest(requesterKey, HASH)), "someone's"
        );
    }

    function test_revertsOnBadLength() public {
        uint256[6] memory lengths = [uint256(0), 1, 32, 63, 66, 130];
        for (uint256 i = 0; i < lengths.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(IPocoErrors.InvalidSignatureFormat.selector, lengths[i])
            );
            hub.verifySignature(requester, HASH, new bytes(lengths[i]));
        }
    }

    /*//////////////////////////////////////////////////////////////
                           CONTRACTS (ERC-1271)
    //////////////////////////////////////////////////////////////*/

    function test_contractSignerValid() public {
        ERC1271WalletMock wallet = new ERC1271WalletMock(requester);
        assertTrue(
            hub.verifySignature(address(wallet), HASH, _signDigest(requesterKey, HASH)),
            "wallet's key"
        );
        (bytes32 r, bytes32 vs) = vm.signCompact(requesterKey, HASH);
        assertTrue(
            hub.verifySignature(address(wallet), HASH, abi.encodePacked(r, vs)), "compact forwarded"
        );
    }

    function test_contractSignerInvalid() public {
        ERC1271WalletMock wallet = new ERC1271WalletMock(requester);
        assertFalse(
            hub.verifySignature(address(wallet), HASH, _signDigest(strangerKey, HASH)),
            "another key"
        );
    }

    /// Any length goes to the contract: no format error for contracts.
    function test_contractSignerAnyLength() public {
        ERC1271WalletMock wallet = new ERC1271WalletMock(requester);
        assertFalse(hub.verifySignature(address(wallet), HASH, ""), "empty: the wallet says no");
        wallet.setMode(ERC1271WalletMock.Mode.AcceptAll);
        assertTrue(hub.verifySignature(address(wallet), HASH, ""), "empty: the wallet says yes");
        assertTrue(hub.verifySignature(address(wallet), HASH, new bytes(300)), "300 bytes");
    }

    function test_contractSignerWrongMagic() public {
        ERC1271WalletMock wallet = new ERC1271WalletMock(requester);
        wallet.setMode(ERC1271WalletMock.Mode.WrongMagic);
        assertFalse(
            hub.verifySignature(address(wallet), HASH, _signDigest(requesterKey, HASH)),
            "wrong magic"
        );
    }

    function test_contractSignerReverting() public {
        ERC1271WalletMock wallet = new ERC1271WalletMock(requester);
        wallet.setMode(ERC1271WalletMock.Mode.Revert);
        assertFalse(
            hub.verifySignature(address(wallet), HASH, _signDigest(requesterKey, HASH)),
            "revert = false"
        );
    }

    /// A contract without `isValidSignature` (here the RLC token) is never valid, and does not revert.
    function test_contractWithoutErc1271() public view {
        assertFalse(
            hub.verifySignature(address(rlc), HASH, _signDigest(requesterKey, HASH)), "no ERC-1271"
        );
        assertFalse(hub.verifySignature(address(rlc), HASH, ""), "no format error either");
    }

    function testFuzz_eoa(uint256 key, bytes32 hash) public view {
        key = bound(key, 1, N - 1);
        address signer = vm.addr(key);
        assertTrue(hub.verifySignature(signer, hash, _signDigest(key, hash)), "65 bytes");
        (bytes32 r, bytes32 vs) = vm.signCompact(key, hash);
        assertTrue(hub.verifySignature(signer, hash, abi.encodePacked(r, vs)), "64 bytes");
    }
}
