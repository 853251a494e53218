// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {PocoUnitFixture} from "../../utils/PocoUnitFixture.sol";
import {KeyPurposeGroupMock} from "../../mocks/KeyPurposeGroupMock.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";
import {DatasetOrder, OrderOperationEnum} from "../../../src/libs/PocoTypes.sol";

/// Whether a dataset order could be used with an existing deal without dataset; reverts
/// `IncompatibleDatasetOrder(reason)` with the first failing reason, in the spec's order
/// (section 4.6).
contract PocoViewsAssertDatasetDealCompatibilityTest is PocoUnitFixture {
    bytes32 private constant GPU_TAG = bytes32(uint256(0x100));
    bytes32 private dealid;

    function setUp() public override {
        super.setUp();
        Orders memory o = _orders(1, 1, false);
        o.workerpool.tag = GPU_TAG;
        o.request.tag = GPU_TAG;
        dealid = _match(_signAll(o));
    }

    function _expect(string memory reason) private {
        vm.expectRevert(
            abi.encodeWithSelector(IPocoErrors.IncompatibleDatasetOrder.selector, reason)
        );
    }

    function _compatibleOrder() private returns (DatasetOrder memory d) {
        d = _datasetOrder(DATASET_PRICE, 1);
        d.apprestrict = app;
        d.workerpoolrestrict = workerpool;
        d.requesterrestrict = requester;
        d.tag = GPU_TAG;
        d = _sign(d);
    }

    function test_compatible() public {
        hub.assertDatasetDealCompatibility(_compatibleOrder(), dealid);
        hub.assertDatasetDealCompatibility(_sign(_datasetOrder(DATASET_PRICE, 1)), dealid); // no restriction
    }

    /// A presigned dataset order needs no signature.
    function test_compatiblePresigned() public {
        DatasetOrder memory d = _datasetOrder(DATASET_PRICE, 1);
        vm.prank(datasetOwner);
        hub.manageDatasetOrder(_operation(d, OrderOperationEnum.SIGN, 0));
        hub.assertDatasetDealCompatibility(d, dealid);
    }

    /// Price and registration are not checked, nor is anything changed.
    function test_noPriceCheckNoStateChange() public {
        DatasetOrder memory d = _datasetOrder(type(uint256).max, 5);
        d = _sign(d);
        hub.assertDatasetDealCompatibility(d, dealid);
        assertEq(hub.viewConsumed(_hash(d)), 0, "not consumed");
        assertEq(hub.viewDeal(dealid).dataset.pointer, address(0), "deal unchanged");
    }

    function test_1_revokedOrder() public {
        DatasetOrder memory d = _compatibleOrder();
        vm.prank(datasetOwner);
        hub.manageDatasetOrder(_operation(d, OrderOperationEnum.CLOSE, 0));
        _expect("Dataset order is revoked or fully consumed");
        hub.assertDatasetDealCompatibility(d, dealid);
    }

    function test_1_fullyConsumedOrder() public {
        Orders memory o = _signAll(_orders(1, 1, true));
        _match(o);
        _expect("Dataset order is revoked or fully consumed");
        hub.assertDatasetDealCompatibility(o.dataset, dealid);
    }

    function test_1_zeroVolume() public {
        DatasetOrder memory d = _sign(_datasetOrder(DATASET_PRICE, 0));
        _expect("Dataset order is revoked or fully consumed");
        hub.assertDatasetDealCompatibility(d, dealid);
    }

    function test_2_invalidSignature() public {
        DatasetOrder memory d = _compatibleOrder();
        d.sign = _signDigest(strangerKey, _hash(d));
        _expect("Invalid dataset order signature");
        hub.assertDatasetDealCompatibility(d, dealid);
    }

    /// Checked before the deal: an invalid order and an unknown deal report the signature.
    function test_2_beforeTheDeal() public {
        DatasetOrder memory d = _compatibleOrder();
        d.sign = _signDigest(strangerKey, _hash(d));
        _expect("Invalid dataset order signature");
        hub.assertDatasetDealCompatibility(d, keccak256("no deal"));
    }

    /// As in the reference, a malformed (here empty) EOA signature of a non-presigned order is a
    /// signature-format error, not an incompatibility.
    function test_2_emptySignatureIsAFormatError() public {
        DatasetOrder memory d = _datasetOrder(DATASET_PRICE, 1);
        vm.expectRevert(abi.encodeWithSelector(IPocoErrors.InvalidSignatureFormat.selector, 0));
        hub.assertDatasetDealCompatibility(d, dealid);
    }

    function test_3_dealNotFound() public {
        DatasetOrder memory d = _compatibleOrder();
        _expect("Deal not found");
        hub.assertDatasetDealCompatibility(d, keccak256("no deal"));
    }

    function test_4_dealAlreadyHasADataset() public {
        bytes32 datasetDeal = _match(_signAll(_orders(1, 1, true)));
        DatasetOrder memory d = _compatibleOrder();
        _expect("Deal already has a dataset");
        hub.assertDatasetDealCompatibility(d, datasetDeal);
    }

    function test_5_appRestriction() public {
        DatasetOrder memory d = _compatibleOrder();
        d.apprestrict = stranger;
        d.workerpoolrestrict = stranger; // also failing, reported later
        d = _sign(d);
        _expect("App restriction not satisfied");
        hub.assertDatasetDealCompatibility(d, dealid);
    }

    function test_6_workerpoolRestriction() public {
        DatasetOrder memory d = _compatibleOrder();
        d.workerpoolrestrict = stranger;
        d.requesterrestrict = stranger; // also failing, reported later
        d = _sign(d);
        _expect("Workerpool restriction not satisfied");
        hub.assertDatasetDealCompatibility(d, dealid);
    }

    function test_7_requesterRestriction() public {
        DatasetOrder memory d = _compatibleOrder();
        d.requesterrestrict = stranger;
        d.tag = bytes32(uint256(0x200)); // also failing, reported later
        d = _sign(d);
        _expect("Requester restriction not satisfied");
        hub.assertDatasetDealCompatibility(d, dealid);
    }

    /// Restrictions may name an ERC-734 group: members hold key purpose 4 (spec section 4.3).
    function test_groupRestrictions() public {
        KeyPurposeGroupMock group = new KeyPurposeGroupMock();
        group.addKey(app, 4);
        group.addKey(workerpool, 4);
        group.addKey(requester, 1); // a key, but not a group member
        DatasetOrder memory d = _compatibleOrder();
        d.apprestrict = address(group);
        d.workerpoolrestrict = address(group);
        d.requesterrestrict = address(0);
        d = _sign(d);
        hub.assertDatasetDealCompatibility(d, dealid);

        d.requesterrestrict = address(group);
        d = _sign(d);
        _expect("Requester restriction not satisfied");
        hub.assertDatasetDealCompatibility(d, dealid);
    }

    /// A restriction naming a contract that is not a key manager is not satisfied (no revert).
    function test_nonGroupContractRestriction() public {
        DatasetOrder memory d = _compatibleOrder();
        d.apprestrict = address(rlc);
        d = _sign(d);
        _expect("App restriction not satisfied");
        hub.assertDatasetDealCompatibility(d, dealid);
    }

    /// The dataset's tag bits must all be in the deal's tag.
    function test_8_tagCompatibility() public {
        DatasetOrder memory d = _compatibleOrder();
        d.tag = bytes32(uint256(0x101));
        d = _sign(d);
        _expect("Tag compatibility not satisfied");
        hub.assertDatasetDealCompatibility(d, dealid);
    }
}
