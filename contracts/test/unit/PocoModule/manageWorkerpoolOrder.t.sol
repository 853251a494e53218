// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {ERC1271WalletMock} from "../../mocks/ERC1271WalletMock.sol";
import {IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";
import {
    WorkerpoolOrder,
    WorkerpoolOrderOperation,
    OrderOperationEnum
} from "../../../src/libs/PocoTypes.sol";

contract PocoModuleManageWorkerpoolOrderTest is PocoUnitFixture {
    OrderOperationEnum private constant SIGN = OrderOperationEnum.SIGN;
    OrderOperationEnum private constant CLOSE = OrderOperationEnum.CLOSE;

    /// Built before any `expectRevert` (signing calls the hasher).
    function _ordersWith(WorkerpoolOrder memory w) private returns (Orders memory o) {
        o = _orders(1, 1, false);
        o.workerpool = w;
        o.request = _requestOrder(o.app, o.dataset, w, 1);
        o.app = _sign(o.app);
        o.request = _sign(o.request);
    }

    function _matchWith(WorkerpoolOrder memory w) private returns (bytes32) {
        return _match(_ordersWith(w));
    }

    function test_signByTheOwnerPresigns() public {
        WorkerpoolOrder memory w = _workerpoolOrder(POOL_PRICE, 1, 1);
        bytes32 orderHash = _hash(w);
        vm.expectEmit(address(hub));
        emit IPocoEvents.SignedWorkerpoolOrder(orderHash);
        vm.prank(scheduler);
        hub.manageWorkerpoolOrder(_operation(w, SIGN, 0));

        assertEq(hub.viewPresigned(orderHash), scheduler, "presigned by the owner");
        bytes32 dealid = _matchWith(w);
        assertEq(hub.viewDeal(dealid).workerpool.owner, scheduler, "matched with an empty sign");
        assertEq(hub.viewConsumed(orderHash), 1, "consumed");
    }

    function test_signBySignedOperation() public {
        WorkerpoolOrder memory w = _workerpoolOrder(POOL_PRICE, 1, 1);
        vm.expectEmit(address(hub));
        emit IPocoEvents.SignedWorkerpoolOrder(_hash(w));
        vm.prank(stranger);
        hub.manageWorkerpoolOrder(_operation(w, SIGN, schedulerKey));
        assertEq(hub.viewPresigned(_hash(w)), scheduler, "presigned by the owner");
        _matchWith(w);
    }

    function test_contractOwnerSignsThroughErc1271() public {
        ERC1271WalletMock wallet = new ERC1271WalletMock(scheduler);
        vm.prank(scheduler);
        workerpoolRegistry.transferFrom(scheduler, address(wallet), uint256(uint160(workerpool)));
        WorkerpoolOrder memory w = _workerpoolOrder(POOL_PRICE, 1, 1);
        vm.prank(stranger);
        hub.manageWorkerpoolOrder(_operation(w, SIGN, schedulerKey));
        assertEq(hub.viewPresigned(_hash(w)), address(wallet), "presigned by the wallet");
    }

    function test_closeByTheOwnerConsumesTheVolume() public {
        WorkerpoolOrder memory w = _sign(_workerpoolOrder(POOL_PRICE, 5, 1));
        vm.expectEmit(address(hub));
        emit IPocoEvents.ClosedWorkerpoolOrder(_hash(w));
        vm.prank(scheduler);
        hub.manageWorkerpoolOrder(_operation(w, CLOSE, 0));
        assertEq(hub.viewConsumed(_hash(w)), 5, "consumed = volume");
        Orders memory o = _ordersWith(w);
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.NoVolumeLeft.selector));
        _match(o);
    }

    function test_closeBySignedOperation() public {
        WorkerpoolOrder memory w = _sign(_workerpoolOrder(POOL_PRICE, 5, 1));
        vm.expectEmit(address(hub));
        emit IPocoEvents.ClosedWorkerpoolOrder(_hash(w));
        vm.prank(stranger);
        hub.manageWorkerpoolOrder(_operation(w, CLOSE, schedulerKey));
        assertEq(hub.viewConsumed(_hash(w)), 5, "consumed = volume");
    }

    function test_revertsForAnotherSender() public {
        WorkerpoolOrderOperation memory op =
            _operation(_workerpoolOrder(POOL_PRICE, 1, 1), SIGN, requesterKey);
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.InvalidSenderOrSignature.selector, requester, scheduler
            )
        );
        vm.prank(requester);
        hub.manageWorkerpoolOrder(op);
    }

    function test_revertsWhenTheSignatureIsForTheOtherOperation() public {
        WorkerpoolOrder memory w = _workerpoolOrder(POOL_PRICE, 1, 1);
        WorkerpoolOrderOperation memory op = _operation(w, SIGN, schedulerKey);
        op.operation = CLOSE;
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.InvalidSenderOrSignature.selector, stranger, scheduler
            )
        );
        vm.prank(stranger);
        hub.manageWorkerpoolOrder(op);
    }

    function test_revertsOnMalformedSignatureFromAThirdParty() public {
        WorkerpoolOrder memory w = _workerpoolOrder(POOL_PRICE, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.InvalidSignatureFormat.selector, 0));
        vm.prank(stranger);
        hub.manageWorkerpoolOrder(_operation(w, SIGN, 0));
    }

    function test_revertsForAnUnregisteredWorkerpool() public {
        WorkerpoolOrder memory w = _workerpoolOrder(POOL_PRICE, 1, 1);
        w.workerpool = makeAddr("notAPool");
        vm.expectRevert(
            abi.encodeWithSelector(
                IPocoErrors.InvalidSenderOrSignature.selector, scheduler, address(0)
            )
        );
        vm.prank(scheduler);
        hub.manageWorkerpoolOrder(_operation(w, SIGN, 0));
    }
}
