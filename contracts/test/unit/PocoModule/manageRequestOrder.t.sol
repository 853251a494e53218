// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {ERC1271WalletMock} from "../../mocks/ERC1271WalletMock.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";
import {
    RequestOrder,
    RequestOrderOperation,
    OrderOperationEnum
} from "../../../src/libs/PocoTypes.sol";

/// The owner of a request order is its `requester` field (no registry).
contract PocoModuleManageRequestOrderTest is PocoUnitFixture {
    OrderOperationEnum private constant SIGN = OrderOperationEnum.SIGN;
    OrderOperationEnum private constant CLOSE = OrderOperationEnum.CLOSE;

    function _signedOthers(uint256 volume) private returns (Orders memory o) {
        o = _orders(volume, 1, false);
        o.app = _sign(o.app);
        o.workerpool = _sign(o.workerpool);
    }

    function test_signByTheRequesterPresigns() public {
        Orders memory o = _signedOthers(1);
        bytes32 orderHash = _hash(o.request);
        vm.expectEmit(address(hub));
        emit IPocoEvents.SignedRequestOrder(orderHash);
        vm.prank(requester);
        hub.manageRequestOrder(_operation(o.request, SIGN, 0));

        assertEq(hub.viewPresigned(orderHash), requester, "presigned by the requester");
        assertEq(o.request.sign.length, 0, "empty sign");
        bytes32 dealid = _match(o);
        assertEq(hub.viewDeal(dealid).requester, requester, "matched with an empty sign");
        assertEq(hub.viewConsumed(orderHash), 1, "consumed");
    }

    function test_signBySignedOperation() public {
        Orders memory o = _signedOthers(1);
        vm.expectEmit(address(hub));
        emit IPocoEvents.SignedRequestOrder(_hash(o.request));
        vm.prank(stranger);
        hub.manageRequestOrder(_operation(o.request, SIGN, requesterKey));
        assertEq(hub.viewPresigned(_hash(o.request)), requester, "presigned by the requester");
        _match(o);
    }

    /// A contract requester (no key) publishes its request on-chain, then anyone matches it.
    function test_contractRequesterPresigns() public {
        ERC1271WalletMock wallet = new ERC1271WalletMock(requester);
        wallet.setMode(ERC1271WalletMock.Mode.WrongMagic);
        rlc.approve(address(hub), 200e9);
        hub.depositFor(200e9, address(wallet));

        Orders memory o = _signedOthers(1);
        o.request.requester = address(wallet);
        o.request.beneficiary = address(wallet);
        vm.prank(address(wallet));
        hub.manageRequestOrder(_operation(o.request, SIGN, 0));
        bytes32 dealid = _match(o);
        assertEq(hub.frozenOf(address(wallet)), APP_PRICE + POOL_PRICE, "the contract pays");
        assertEq(hub.viewDeal(dealid).requester, address(wallet), "requester");
    }

    function test_closeByTheRequesterConsumesTheVolume() public {
        Orders memory o = _signedOthers(2);
        o.request = _sign(o.request);
        vm.expectEmit(address(hub));
        emit IPocoEvents.ClosedRequestOrder(_hash(o.request));
        vm.prank(requester);
        hub.manageRequestOrder(_operation(o.request, CLOSE, 0));
        assertEq(hub.viewConsumed(_hash(o.request)), 2, "consumed = volume");
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.NoVolumeLeft.selector));
        _match(o);
    }

    function test_closeBySignedOperation() public {
        Orders memory o = _signedOthers(2);
        vm.expectEmit(address(hub));
        emit IPocoEvents.ClosedRequestOrder(_hash(o.request));
        vm.prank(stranger);
        hub.manageRequestOrder(_operation(o.request, CLOSE, requesterKey));
        assertEq(hub.viewConsumed(_hash(o.request)), 2, "consumed = volume");
    }

    function test_revertsForAnotherSender() public {
        Orders memory o = _signedOthers(1);
        RequestOrderOperation memory op = _operation(o.request, CLOSE, strangerKey);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.InvalidSenderOrSignature.selector, sponsor, requester
            )
        );
        vm.prank(sponsor);
        hub.manageRequestOrder(op);
    }

    function test_revertsWhenTheSignatureIsForAnotherOrder() public {
        Orders memory o = _signedOthers(1);
        RequestOrderOperation memory op = _operation(o.request, SIGN, requesterKey);
        op.order.params = "tampered";
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.InvalidSenderOrSignature.selector, stranger, requester
            )
        );
        vm.prank(stranger);
        hub.manageRequestOrder(op);
    }

    function test_revertsOnMalformedSignatureFromAThirdParty() public {
        Orders memory o = _signedOthers(1);
        RequestOrderOperation memory op = _operation(o.request, SIGN, 0);
        op.sign = new bytes(1);
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.InvalidSignatureFormat.selector, 1));
        vm.prank(stranger);
        hub.manageRequestOrder(op);
    }

    /// A request without requester has no owner: nobody may manage it, not even address zero's
    /// "signature" (a garbage signature recovers to zero).
    function test_revertsForAZeroRequester() public {
        Orders memory o = _signedOthers(1);
        o.request.requester = address(0);
        RequestOrderOperation memory op = _operation(o.request, SIGN, 0);
        op.sign = abi.encodePacked(bytes32(uint256(1)), bytes32(uint256(2)), uint8(27));
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.InvalidSenderOrSignature.selector, stranger, address(0)
            )
        );
        vm.prank(stranger);
        hub.manageRequestOrder(op);
    }
}
