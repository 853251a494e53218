// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {AppOrder, OrderOperationEnum} from "../../../src/libs/PocoTypes.sol";

contract PocoViewsVerifyPresignatureTest is PocoUnitFixture {
    function test_falseByDefault() public view {
        assertFalse(hub.verifyPresignature(appOwner, keccak256("anything")), "nothing presigned");
    }

    function test_trueForThePresignerOnly() public {
        AppOrder memory a = _appOrder(APP_PRICE, 1);
        bytes32 orderHash = _hash(a);
        vm.prank(appOwner);
        hub.manageAppOrder(_operation(a, OrderOperationEnum.SIGN, 0));
        assertTrue(hub.verifyPresignature(appOwner, orderHash), "presigner");
        assertFalse(hub.verifyPresignature(stranger, orderHash), "someone else");
        assertFalse(
            hub.verifyPresignature(appOwner, _hash(_appOrder(APP_PRICE, 1))), "another order"
        );
    }

    /// The zero address never counts as a presigner, though `viewPresigned` of any unsigned hash is zero.
    function test_zeroAccount() public view {
        bytes32 h = keccak256("unsigned");
        assertEq(hub.viewPresigned(h), address(0), "no presigner");
        assertFalse(hub.verifyPresignature(address(0), h), "zero refused");
    }
}
