// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {ERC1271WalletMock} from "../../mocks/ERC1271WalletMock.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";
import {IRegistry} from "../../../src/interfaces/IRegistries.sol";
import {AppOrder, AppOrderOperation, OrderOperationEnum} from "../../../src/libs/PocoTypes.sol";

/// `AppOrderOperation` with its operation as a raw `uint8`, to encode out-of-range values.
struct RawOperation {
    AppOrder order;
    uint8 operation;
    bytes sign;
}

contract PocoModuleManageAppOrderTest is PocoUnitFixture {
    OrderOperationEnum private constant SIGN = OrderOperationEnum.SIGN;
    OrderOperationEnum private constant CLOSE = OrderOperationEnum.CLOSE;

    /// `a` (as given, possibly unsigned) with signed orders of the other parties. Built before
    /// any `expectRevert`: signing calls the hasher, which would take the expectation.
    function _ordersWith(AppOrder memory a) private returns (Orders memory o) {
        o = _orders(1, 1, false);
        o.app = a;
        o.request = _requestOrder(a, o.dataset, o.workerpool, 1);
        o.workerpool = _sign(o.workerpool);
        o.request = _sign(o.request);
    }

    function _matchWith(AppOrder memory a) private returns (bytes32) {
        return _match(_ordersWith(a));
    }

    /*//////////////////////////////////////////////////////////////
                                 SIGN
    //////////////////////////////////////////////////////////////*/

    function test_signByTheOwnerPresigns() public {
        AppOrder memory a = _appOrder(APP_PRICE, 1);
        bytes32 orderHash = _hash(a);
        vm.expectEmit(address(hub));
        emit IPocoEvents.SignedAppOrder(orderHash);
        vm.prank(appOwner);
        hub.manageAppOrder(_operation(a, SIGN, 0));

        assertEq(hub.viewPresigned(orderHash), appOwner, "presigned by the owner");
        assertTrue(hub.verifyPresignature(appOwner, orderHash), "verifyPresignature");
        assertEq(hub.viewConsumed(orderHash), 0, "not consumed");

        bytes32 dealid = _matchWith(a);
        assertEq(hub.viewDeal(dealid).app.owner, appOwner, "matched with an empty sign");
        assertEq(hub.viewConsumed(orderHash), 1, "consumed by the match");
    }

    /// A third party relays the owner's EIP-712 signature of
    /// `AppOrderOperation(AppOrder order,uint256 operation)`; the presigner is the owner.
    function test_signBySignedOperation() public {
        AppOrder memory a = _appOrder(APP_PRICE, 1);
        bytes32 orderHash = _hash(a);
        vm.expectEmit(address(hub));
        emit IPocoEvents.SignedAppOrder(orderHash);
        vm.prank(stranger);
        hub.manageAppOrder(_operation(a, SIGN, appOwnerKey));
        assertEq(hub.viewPresigned(orderHash), appOwner, "presigned by the owner, not the sender");
        _matchWith(a);
    }

    /// The operation may also be signed in EIP-2098 compact form.
    function test_signByCompactSignedOperation() public {
        AppOrder memory a = _appOrder(APP_PRICE, 1);
        AppOrderOperation memory op = _operation(a, SIGN, 0);
        (bytes32 r, bytes32 vs) = vm.signCompact(appOwnerKey, _operationDigest(a, SIGN));
        op.sign = abi.encodePacked(r, vs);
        vm.prank(stranger);
        hub.manageAppOrder(op);
        assertEq(hub.viewPresigned(_hash(a)), appOwner, "presigned");
    }

    /// The order's own `sign` field plays no part.
    function test_orderSignFieldIsIgnored() public {
        AppOrder memory a = _appOrder(APP_PRICE, 1);
        a.sign = hex"deadbeef";
        vm.prank(appOwner);
        hub.manageAppOrder(_operation(a, SIGN, 0));
        assertEq(hub.viewPresigned(_hash(a)), appOwner, "same order hash whatever the sign");
    }

    /// The owner is the current NFT owner.
    function test_followsTheAssetOwner() public {
        address newOwner = makeAddr("newAppOwner");
        vm.prank(appOwner);
        appRegistry.transferFrom(appOwner, newOwner, uint256(uint160(app)));

        AppOrder memory a = _appOrder(APP_PRICE, 1);
        AppOrderOperation memory signedByOldOwner = _operation(a, SIGN, appOwnerKey);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.InvalidSenderOrSignature.selector, appOwner, newOwner
            )
        );
        vm.prank(appOwner);
        hub.manageAppOrder(signedByOldOwner);

        vm.prank(newOwner);
        hub.manageAppOrder(_operation(a, SIGN, 0));
        assertEq(hub.viewPresigned(_hash(a)), newOwner, "new owner presigned");
        assertEq(hub.viewDeal(_matchWith(a)).app.owner, newOwner, "deal pays the new owner");
    }

    /// An app owned by a smart-contract wallet: its operation is validated through ERC-1271.
    function test_contractOwnerSignsThroughErc1271() public {
        ERC1271WalletMock wallet = new ERC1271WalletMock(appOwner);
        vm.prank(appOwner);
        appRegistry.transferFrom(appOwner, address(wallet), uint256(uint160(app)));

        AppOrder memory a = _appOrder(APP_PRICE, 1);
        vm.prank(stranger);
        hub.manageAppOrder(_operation(a, SIGN, appOwnerKey));
        assertEq(hub.viewPresigned(_hash(a)), address(wallet), "presigned by the wallet");

        AppOrderOperation memory op = _operation(_appOrder(APP_PRICE, 1), SIGN, strangerKey);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.InvalidSenderOrSignature.selector, stranger, address(wallet)
            )
        );
        vm.prank(stranger);
        hub.manageAppOrder(op);
    }

    /*//////////////////////////////////////////////////////////////
                                 CLOSE
    //////////////////////////////////////////////////////////////*/

    function test_closeByTheOwnerConsumesTheVolume() public {
        AppOrder memory a = _sign(_appOrder(APP_PRICE, 7));
        bytes32 orderHash = _hash(a);
        vm.expectEmit(address(hub));
        emit IPocoEvents.ClosedAppOrder(orderHash);
        vm.prank(appOwner);
        hub.manageAppOrder(_operation(a, CLOSE, 0));

        assertEq(hub.viewConsumed(orderHash), 7, "consumed = volume");
        assertEq(hub.viewPresigned(orderHash), address(0), "not presigned");
        Orders memory o = _ordersWith(a);
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.NoVolumeLeft.selector));
        _match(o);
    }

    function test_closeBySignedOperation() public {
        AppOrder memory a = _sign(_appOrder(APP_PRICE, 3));
        vm.expectEmit(address(hub));
        emit IPocoEvents.ClosedAppOrder(_hash(a));
        vm.prank(stranger);
        hub.manageAppOrder(_operation(a, CLOSE, appOwnerKey));
        assertEq(hub.viewConsumed(_hash(a)), 3, "consumed = volume");
    }

    function test_closeAPartlyConsumedOrder() public {
        AppOrder memory a = _sign(_appOrder(APP_PRICE, 3));
        _matchWith(a);
        assertEq(hub.viewConsumed(_hash(a)), 1, "one task used");
        vm.prank(appOwner);
        hub.manageAppOrder(_operation(a, CLOSE, 0));
        assertEq(hub.viewConsumed(_hash(a)), 3, "rest cancelled");
        Orders memory o = _ordersWith(a);
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.NoVolumeLeft.selector));
        _match(o);
    }

    /// Closing beats presigning: a presigned order can still be cancelled.
    function test_closeAPresignedOrder() public {
        AppOrder memory a = _appOrder(APP_PRICE, 2);
        vm.startPrank(appOwner);
        hub.manageAppOrder(_operation(a, SIGN, 0));
        hub.manageAppOrder(_operation(a, CLOSE, 0));
        vm.stopPrank();
        assertEq(hub.viewPresigned(_hash(a)), appOwner, "still presigned");
        assertEq(hub.viewConsumed(_hash(a)), 2, "but closed");
        Orders memory o = _ordersWith(a);
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.NoVolumeLeft.selector));
        _match(o);
    }

    /*//////////////////////////////////////////////////////////////
                                REVERTS
    //////////////////////////////////////////////////////////////*/

    function test_revertsForAnotherSignerOfTheOperation() public {
        AppOrderOperation memory op = _operation(_appOrder(APP_PRICE, 1), SIGN, strangerKey);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.InvalidSenderOrSignature.selector, stranger, appOwner
            )
        );
        vm.prank(stranger);
        hub.manageAppOrder(op);
    }

    /// A SIGN operation's signature does not authorize a CLOSE, and conversely.
    function test_revertsWhenTheSignatureIsForTheOtherOperation() public {
        AppOrder memory a = _appOrder(APP_PRICE, 1);
        AppOrderOperation memory op = _operation(a, SIGN, appOwnerKey);
        op.operation = CLOSE;
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.InvalidSenderOrSignature.selector, stranger, appOwner
            )
        );
        vm.prank(stranger);
        hub.manageAppOrder(op);

        op = _operation(a, CLOSE, appOwnerKey);
        op.operation = SIGN;
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.InvalidSenderOrSignature.selector, stranger, appOwner
            )
        );
        vm.prank(stranger);
        hub.manageAppOrder(op);
    }

    function test_revertsWhenTheSignatureIsForAnotherOrder() public {
        AppOrder memory a = _appOrder(APP_PRICE, 1);
        AppOrderOperation memory op = _operation(a, SIGN, appOwnerKey);
        op.order.volume = 1000;
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.InvalidSenderOrSignature.selector, stranger, appOwner
            )
        );
        vm.prank(stranger);
        hub.manageAppOrder(op);
    }

    /// The order hash itself is not an operation: signing the order digest does not authorize.
    function test_revertsForTheOrderSignatureUsedAsOperation() public {
        AppOrder memory a = _sign(_appOrder(APP_PRICE, 1));
        AppOrderOperation memory op = _operation(a, SIGN, 0);
        op.sign = a.sign;
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.InvalidSenderOrSignature.selector, stranger, appOwner
            )
        );
        vm.prank(stranger);
        hub.manageAppOrder(op);
    }

    /// As in the reference, an EOA owner's signature of a bad length reverts the format error
    /// ("invalid-signature-format") rather than the sender-or-signature one; an empty `sign`
    /// from a third party is such a case.
    function test_revertsOnMalformedSignatureFromAThirdParty() public {
        AppOrder memory a = _appOrder(APP_PRICE, 1);
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.InvalidSignatureFormat.selector, 0));
        vm.prank(stranger);
        hub.manageAppOrder(_operation(a, SIGN, 0));
    }

    /// An address the registry does not know has no owner: nobody may manage its orders.
    function test_revertsForAnUnregisteredApp() public {
        AppOrder memory a = _appOrder(APP_PRICE, 1);
        a.app = makeAddr("notAnApp");
        AppOrderOperation memory op = _operation(a, SIGN, appOwnerKey);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.InvalidSenderOrSignature.selector, appOwner, address(0)
            )
        );
        vm.prank(appOwner);
        hub.manageAppOrder(op);
    }

    /// Assets of a previous registry of the chain (registry `initialize(previous)`) still have
    /// an owner: the entry's ERC-5313 `owner()`.
    function test_assetOfAPreviousRegistry() public {
        address newApps =
            vm.deployCode("AppRegistry.sol:AppRegistry", abi.encode(protocolOwner, ""));
        vm.startPrank(protocolOwner);
        IRegistry(newApps).initialize(address(appRegistry));
        hub.changeRegistries(newApps, address(datasetRegistry), address(workerpoolRegistry));
        vm.stopPrank();

        AppOrder memory a = _appOrder(APP_PRICE, 1);
        vm.prank(appOwner);
        hub.manageAppOrder(_operation(a, SIGN, 0));
        assertEq(hub.viewPresigned(_hash(a)), appOwner, "presigned by the owner of the old entry");
        assertEq(hub.viewDeal(_matchWith(a)).app.owner, appOwner, "matched");
    }

    /// The operation is an enum (`uint8` in the ABI): any value but 0 and 1 is refused by the
    /// ABI decoder, and nothing is recorded.
    function test_revertsOnAnUnknownOperation() public {
        AppOrder memory a = _appOrder(APP_PRICE, 1);
        bytes memory data =
            abi.encodeWithSelector(hub.manageAppOrder.selector, RawOperation(a, 2, ""));
        vm.prank(appOwner);
        (bool ok,) = address(hub).call(data);
        assertFalse(ok, "refused");
        assertEq(hub.viewPresigned(_hash(a)), address(0), "not presigned");
        assertEq(hub.viewConsumed(_hash(a)), 0, "not closed");

        data = abi.encodeWithSelector(hub.manageAppOrder.selector, RawOperation(a, 1, ""));
        vm.prank(appOwner);
        (ok,) = address(hub).call(data);
        assertTrue(ok, "same encoding with CLOSE accepted");
        assertEq(hub.viewConsumed(_hash(a)), 1, "closed");
    }

    function testFuzz_signThenMatch(uint256 price, uint256 volume, bytes32 salt) public {
        price = bound(price, 0, 1_000e9);
        volume = bound(volume, 1, 1_000);
        AppOrder memory a = _appOrder(price, volume);
        a.salt = salt;
        vm.prank(appOwner);
        hub.manageAppOrder(_operation(a, SIGN, 0));
        assertEq(hub.viewPresigned(_hash(a)), appOwner, "presigned");
        _matchWith(a);
        assertEq(hub.viewConsumed(_hash(a)), 1, "consumed");
    }
}
