// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {ERC1271WalletMock} from "../../mocks/ERC1271WalletMock.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";
import {
    DatasetOrder,
    DatasetOrderOperation,
    OrderOperationEnum
} from "../../../src/libs/PocoTypes.sol";

contract PocoModuleManageDatasetOrderTest is PocoUnitFixture {
    OrderOperationEnum private constant SIGN = OrderOperationEnum.SIGN;
    OrderOperationEnum private constant CLOSE = OrderOperationEnum.CLOSE;

    /// Built before any `expectRevert` (signing calls the hasher).
    function _ordersWith(DatasetOrder memory d) private returns (Orders memory o) {
        o = _orders(1, 1, true);
        o.dataset = d;
        o.request = _requestOrder(o.app, d, o.workerpool, 1);
        o.app = _sign(o.app);
        o.workerpool = _sign(o.workerpool);
        o.request = _sign(o.request);
    }

    function _matchWith(DatasetOrder memory d) private returns (bytes32) {
        return _match(_ordersWith(d));
    }

    function test_signByTheOwnerPresigns() public {
        DatasetOrder memory d = _datasetOrder(DATASET_PRICE, 1);
        bytes32 orderHash = _hash(d);
        vm.expectEmit(address(hub));
        emit IPocoEvents.SignedDatasetOrder(orderHash);
        vm.prank(datasetOwner);
        hub.manageDatasetOrder(_operation(d, SIGN, 0));

        assertEq(hub.viewPresigned(orderHash), datasetOwner, "presigned by the owner");
        bytes32 dealid = _matchWith(d);
        assertEq(hub.viewDeal(dealid).dataset.owner, datasetOwner, "matched with an empty sign");
        assertEq(hub.viewConsumed(orderHash), 1, "consumed");
    }

    function test_signBySignedOperation() public {
        DatasetOrder memory d = _datasetOrder(DATASET_PRICE, 1);
        vm.expectEmit(address(hub));
        emit IPocoEvents.SignedDatasetOrder(_hash(d));
        vm.prank(stranger);
        hub.manageDatasetOrder(_operation(d, SIGN, datasetOwnerKey));
        assertEq(hub.viewPresigned(_hash(d)), datasetOwner, "presigned by the owner");
        _matchWith(d);
    }

    function test_contractOwnerSignsThroughErc1271() public {
        ERC1271WalletMock wallet = new ERC1271WalletMock(datasetOwner);
        vm.prank(datasetOwner);
        datasetRegistry.transferFrom(datasetOwner, address(wallet), uint256(uint160(dataset)));
        DatasetOrder memory d = _datasetOrder(DATASET_PRICE, 1);
        vm.prank(stranger);
        hub.manageDatasetOrder(_operation(d, SIGN, datasetOwnerKey));
        assertEq(hub.viewPresigned(_hash(d)), address(wallet), "presigned by the wallet");
    }

    function test_closeByTheOwnerConsumesTheVolume() public {
        DatasetOrder memory d = _sign(_datasetOrder(DATASET_PRICE, 4));
        vm.expectEmit(address(hub));
        emit IPocoEvents.ClosedDatasetOrder(_hash(d));
        vm.prank(datasetOwner);
        hub.manageDatasetOrder(_operation(d, CLOSE, 0));
        assertEq(hub.viewConsumed(_hash(d)), 4, "consumed = volume");
        Orders memory o = _ordersWith(d);
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.NoVolumeLeft.selector));
        _match(o);
    }

    function test_closeBySignedOperation() public {
        DatasetOrder memory d = _sign(_datasetOrder(DATASET_PRICE, 4));
        vm.expectEmit(address(hub));
        emit IPocoEvents.ClosedDatasetOrder(_hash(d));
        vm.prank(stranger);
        hub.manageDatasetOrder(_operation(d, CLOSE, datasetOwnerKey));
        assertEq(hub.viewConsumed(_hash(d)), 4, "consumed = volume");
    }

    function test_revertsForAnotherSender() public {
        DatasetOrderOperation memory op =
            _operation(_datasetOrder(DATASET_PRICE, 1), CLOSE, appOwnerKey);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.InvalidSenderOrSignature.selector, appOwner, datasetOwner
            )
        );
        vm.prank(appOwner);
        hub.manageDatasetOrder(op);
    }

    function test_revertsWhenTheSignatureIsForTheOtherOperation() public {
        DatasetOrder memory d = _datasetOrder(DATASET_PRICE, 1);
        DatasetOrderOperation memory op = _operation(d, CLOSE, datasetOwnerKey);
        op.operation = SIGN;
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.InvalidSenderOrSignature.selector, stranger, datasetOwner
            )
        );
        vm.prank(stranger);
        hub.manageDatasetOrder(op);
    }

    /// The app order operation typehash does not validate a dataset operation (same field shapes).
    function test_revertsForAnAppOperationSignature() public {
        DatasetOrder memory d = _datasetOrder(DATASET_PRICE, 1);
        DatasetOrderOperation memory op = _operation(d, SIGN, 0);
        op.sign = _signDigest(
            datasetOwnerKey,
            _typed(keccak256(abi.encode(APP_OPERATION_TYPEHASH, hasher.hashDataset(d), uint256(0))))
        );
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.InvalidSenderOrSignature.selector, stranger, datasetOwner
            )
        );
        vm.prank(stranger);
        hub.manageDatasetOrder(op);
    }

    function test_revertsOnMalformedSignatureFromAThirdParty() public {
        DatasetOrder memory d = _datasetOrder(DATASET_PRICE, 1);
        DatasetOrderOperation memory op = _operation(d, SIGN, 0);
        op.sign = new bytes(66);
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.InvalidSignatureFormat.selector, 66));
        vm.prank(stranger);
        hub.manageDatasetOrder(op);
    }

    function test_revertsForAnUnregisteredDataset() public {
        DatasetOrder memory d = _datasetOrder(DATASET_PRICE, 1);
        d.dataset = app; // registered, but in the app registry
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.InvalidSenderOrSignature.selector, appOwner, address(0)
            )
        );
        vm.prank(appOwner);
        hub.manageDatasetOrder(_operation(d, SIGN, 0));
    }
}
