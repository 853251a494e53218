// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {Test} from "../../utils/Test.sol";
import {OrderHasher} from "../../utils/OrderHasher.sol";
import {OrderLib} from "../../../src/libs/OrderLib.sol";
import {
    AppOrder,
    DatasetOrder,
    WorkerpoolOrder,
    RequestOrder,
    AppOrderOperation,
    DatasetOrderOperation,
    WorkerpoolOrderOperation,
    RequestOrderOperation,
    OrderOperationEnum
} from "../../../src/libs/PocoTypes.sol";
import {IPoco, IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {PocoStorage} from "../../../src/libs/PocoStorage.sol";

/// @dev A registry whose every token belongs to `owner`: lets the vectors' made-up asset
/// addresses (0x1111…, 0x2222…, 0x3333…) have an owner.
contract OwnerOfMock {
    address public owner;

    constructor(address owner_) {
        owner = owner_;
    }

    function ownerOf(uint256) external view returns (address) {
        return owner;
    }
}

/// EIP-712 and hash test vectors of spec sections 3.2 and 18 (computed with ethers v6 from the
/// published formulas): any divergence breaks signature compatibility with iExec's tooling.
contract OrderLibVectorsTest is Test {
    address private constant HUB = 0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0;
    bytes32 private constant SEPARATOR =
        0x3b211ab198ac0c745a332d34416d88c417c2f06a87bd9f0d2fdd37b242c75402;
    address private constant APP = 0x1111111111111111111111111111111111111111;
    address private constant DATASET = 0x2222222222222222222222222222222222222222;
    address private constant WORKERPOOL = 0x3333333333333333333333333333333333333333;
    address private constant REQUESTER = 0x4444444444444444444444444444444444444444;
    address private constant WORKER = 0x5555555555555555555555555555555555555555;
    address private constant ENCLAVE = 0x6666666666666666666666666666666666666666;
    bytes32 private constant SALT =
        0x1111111111111111111111111111111111111111111111111111111111111111;
    bytes32 private constant TAG_TEE = bytes32(uint256(3));

    bytes32 private constant REQUEST_DIGEST =
        0xa7053ae8692f032cdd0665e65e08bcd074dd42bd152a8d3923c670ecccc5daa8;
    bytes32 private constant DEALID =
        0xbde85161d2e8ad8d94aa50e5a79b8e22bcca9ef0df7ab79e66bef5ca89f1d586;
    bytes32 private constant TASKID =
        0x9e8d2b5971eafd4952b86ff24d8102748082db0d20d3ba7e49b687c1026e013a;
    bytes32 private constant RESULT_DIGEST =
        0xb10e2d527612073b26eecdfd717e6a320cf44b4afac2b0732d9fcbe2b7fa0cf6;
    bytes32 private constant RESULT_HASH =
        0x24660b573e796216f95cb50d56542bca609d6def2bb696a5b8dc62e77571d859;
    bytes32 private constant RESULT_SEAL =
        0xc95d3c932cdec8b17cd10fb70f45c29c6f6c7684e510348b8fb78d45e559836e;

    OrderHasher private hasher;

    function setUp() public {
        vm.chainId(42161);
        hasher = OrderHasher(vm.deployCode("OrderHasher.sol:OrderHasher"));
    }

    function _typed(bytes32 structHash) private pure returns (bytes32) {
        return MessageHashUtils.toTypedDataHash(SEPARATOR, structHash);
    }

    function _appOrder() private pure returns (AppOrder memory) {
        return AppOrder(APP, 5, 10, TAG_TEE, address(0), address(0), address(0), SALT, "");
    }

    function _requestOrder() private pure returns (RequestOrder memory) {
        return RequestOrder({
            app: APP,
            appmaxprice: 5,
            dataset: DATASET,
            datasetmaxprice: 3,
            workerpool: address(0),
            workerpoolmaxprice: 100,
            requester: REQUESTER,
            volume: 1,
            tag: TAG_TEE,
            category: 0,
            trust: 1,
            beneficiary: REQUESTER,
            callback: address(0),
            params: '{"iexec_args":"hello"}',
            salt: SALT,
            sign: ""
        });
    }

    /*//////////////////////////////////////////////////////////////
                            DOMAIN, TYPEHASHES
    //////////////////////////////////////////////////////////////*/

    function test_domainSeparator() public view {
        assertEq(hasher.domainSeparator(HUB), SEPARATOR, "OrderLib.domainSeparator");
        assertEq(
            keccak256(
                abi.encode(
                    keccak256(
                        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                    ),
                    keccak256("iExecODB"),
                    keccak256("5.0.0"),
                    uint256(42161),
                    HUB
                )
            ),
            SEPARATOR,
            "from the formula"
        );
    }

    /// Places a hub's code at the Arbitrum One address, its three registries answering that
    /// every asset belongs to `owner`.
    function _hubAtArbitrumAddress(address owner) private returns (IPoco) {
        address rlc = vm.deployCode("RLC.sol:RLC");
        address views = vm.deployCode("PocoViews.sol:PocoViews");
        address module = vm.deployCode("PocoModule.sol:PocoModule", abi.encode(rlc, views));
        address registry = address(new OwnerOfMock(owner));
        address hub = vm.deployCode(
            "PocoHub.sol:PocoHub", abi.encode(module, registry, registry, registry, owner)
        );
        vm.etch(HUB, hub.code);
        for (uint256 field = 3; field <= 5; ++field) {
            // Layout.appregistry, datasetregistry, workerpoolregistry
            vm.store(
                HUB,
                bytes32(uint256(PocoStorage.LOCATION) + field),
                bytes32(uint256(uint160(registry)))
            );
        }
        return IPoco(HUB);
    }

    /// A hub at the Arbitrum address computes the same separator.
    function test_domainSeparatorOfAHubAtTheArbitrumAddress() public {
        IPoco hub = _hubAtArbitrumAddress(makeAddr("owner"));
        assertEq(hub.eip712domain_separator(), SEPARATOR, "hub at 0x098b...d9f0 on chain 42161");
        assertEq(hub.domain().verifyingContract, HUB, "verifying contract");
    }

    /// The order hashes the hub itself computes (as published by `manage*Order`) are the
    /// vectors' typed digests.
    function test_onChainOrderHashes() public {
        address owner = makeAddr("owner");
        IPoco hub = _hubAtArbitrumAddress(owner);
        vm.startPrank(owner);
        vm.expectEmit(HUB);
        emit IPocoEvents.SignedAppOrder(0x81fbbc0801860bb9c578cce15a77c6a21c43edde8531049bb80ae1b41af5e8b5);
        hub.manageAppOrder(AppOrderOperation(_appOrder(), OrderOperationEnum.SIGN, ""));
        vm.expectEmit(HUB);
        emit IPocoEvents.SignedDatasetOrder(0xbb739f23d5c42a944340d0c01c5b4f627ea79c19c8766f3f6fd65c6eecc47e61);
        hub.manageDatasetOrder(
            DatasetOrderOperation(
                DatasetOrder(DATASET, 3, 10, bytes32(0), APP, address(0), address(0), SALT, ""),
                OrderOperationEnum.SIGN,
                ""
            )
        );
        vm.expectEmit(HUB);
        emit IPocoEvents.SignedWorkerpoolOrder(0x2565934ed7b3bf8313b0c9266e168abae9574478a10a619b00b8e4b8c994218c);
        hub.manageWorkerpoolOrder(
            WorkerpoolOrderOperation(
                WorkerpoolOrder(
                    WORKERPOOL, 100, 10, TAG_TEE, 0, 1, address(0), address(0), address(0), SALT, ""
                ),
                OrderOperationEnum.SIGN,
                ""
            )
        );
        vm.stopPrank();
        vm.expectEmit(HUB);
        emit IPocoEvents.SignedRequestOrder(REQUEST_DIGEST);
        vm.prank(REQUESTER);
        hub.manageRequestOrder(RequestOrderOperation(_requestOrder(), OrderOperationEnum.SIGN, ""));
        assertEq(hub.viewPresigned(REQUEST_DIGEST), REQUESTER, "presigned under the vector digest");
    }

    /// The operation digest the hub verifies is the vector's: a signature of exactly
    /// 0x82c8…2fd9 by the app owner closes the app order.
    function test_onChainOperationDigest() public {
        (address owner, uint256 key) = makeAccount("appOwner");
        IPoco hub = _hubAtArbitrumAddress(owner);
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(key, 0x82c8205bcbdc7de4fc0e2b42a294067e0e133a60fc1e7adc015351c13c572fd9);
        vm.expectEmit(HUB);
        emit IPocoEvents.ClosedAppOrder(0x81fbbc0801860bb9c578cce15a77c6a21c43edde8531049bb80ae1b41af5e8b5);
        vm.prank(makeAddr("relayer"));
        hub.manageAppOrder(
            AppOrderOperation(_appOrder(), OrderOperationEnum.CLOSE, abi.encodePacked(r, s, v))
        );
        assertEq(
            hub.viewConsumed(0x81fbbc0801860bb9c578cce15a77c6a21c43edde8531049bb80ae1b41af5e8b5),
            10,
            "closed"
        );
    }

    function test_typehashes() public pure {
        assertEq(
            keccak256(
                "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
            ),
            0x8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f,
            "EIP712Domain"
        );
        assertEq(
            OrderLib.DOMAIN_TYPEHASH,
            0x8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f,
            "lib domain"
        );
        assertEq(
            OrderLib.APPORDER_TYPEHASH,
            0x60815a0eeec47dddf1615fe53b31d016c31444e01b9d796db365443a6445d008,
            "AppOrder"
        );
        assertEq(
            OrderLib.DATASETORDER_TYPEHASH,
            0x6cfc932a5a3d22c4359295b9f433edff52b60703fa47690a04a83e40933dd47c,
            "DatasetOrder"
        );
        assertEq(
            OrderLib.WORKERPOOLORDER_TYPEHASH,
            0xaa3429fb281b34691803133d3d978a75bb77c617ed6bc9aa162b9b30920022bb,
            "WorkerpoolOrder"
        );
        assertEq(
            OrderLib.REQUESTORDER_TYPEHASH,
            0xf24e853034a3a450aba845a82914fbb564ad85accca6cf62be112a154520fae0,
            "RequestOrder"
        );
        assertEq(
            OrderLib.APPORDEROPERATION_TYPEHASH,
            0x0638bb0702457e2b4b01be8a202579b8bf97e587fb4f2cc4d4aad01f21a06ee0,
            "AppOrderOperation"
        );
        assertEq(
            OrderLib.DATASETORDEROPERATION_TYPEHASH,
            0x075eb6f7578ff4292c241bd2484cd5c1d5e6ecc2ddd3317e1d8176b5a45865ec,
            "DatasetOrderOperation"
        );
        assertEq(
            OrderLib.WORKERPOOLORDEROPERATION_TYPEHASH,
            0x322d980b7d7a6a1f7c39ff0c5445da6ae1d8e0393ff0dd468c8be3e2c8644388,
            "WorkerpoolOrderOperation"
        );
        assertEq(
            OrderLib.REQUESTORDEROPERATION_TYPEHASH,
            0x0ded7b52c2d77595a40d242eca751df172b18e686326dbbed3f4748828af77c7,
            "RequestOrderOperation"
        );
    }

    /*//////////////////////////////////////////////////////////////
                        STRUCT HASHES AND DIGESTS
    //////////////////////////////////////////////////////////////*/

    function test_appOrder() public view {
        bytes32 structHash = hasher.hashApp(_appOrder());
        assertEq(
            structHash,
            0x44bf7dbd8db4a27988265eb88477843df0d97701bd0526e0d78f45e34dea76ef,
            "struct hash"
        );
        assertEq(
            _typed(structHash),
            0x81fbbc0801860bb9c578cce15a77c6a21c43edde8531049bb80ae1b41af5e8b5,
            "digest"
        );
    }

    function test_datasetOrder() public view {
        DatasetOrder memory d =
            DatasetOrder(DATASET, 3, 10, bytes32(0), APP, address(0), address(0), SALT, "");
        bytes32 structHash = hasher.hashDataset(d);
        assertEq(
            structHash,
            0xd5adad26de1d44b129759741d002c45906997443b350342c465a99b324ddb877,
            "struct hash"
        );
        assertEq(
            _typed(structHash),
            0xbb739f23d5c42a944340d0c01c5b4f627ea79c19c8766f3f6fd65c6eecc47e61,
            "digest"
        );
    }

    function test_workerpoolOrder() public view {
        WorkerpoolOrder memory w = WorkerpoolOrder(
            WORKERPOOL, 100, 10, TAG_TEE, 0, 1, address(0), address(0), address(0), SALT, ""
        );
        bytes32 structHash = hasher.hashWorkerpool(w);
        assertEq(
            structHash,
            0xd675582fecd6ef91ef3f6a7291bc19822cba5008fd1d8f3bd6baaf694b41584e,
            "struct hash"
        );
        assertEq(
            _typed(structHash),
            0x2565934ed7b3bf8313b0c9266e168abae9574478a10a619b00b8e4b8c994218c,
            "digest"
        );
    }

    function test_requestOrder() public view {
        bytes32 structHash = hasher.hashRequest(_requestOrder());
        assertEq(
            structHash,
            0xc0d5f10595f4e5d8e8b20f6a499ee9d1d35ef67920d622d5f5932f9e5394083f,
            "struct hash"
        );
        assertEq(_typed(structHash), REQUEST_DIGEST, "digest");
    }

    /// The split encoding of the request order equals the standard one-shot EIP-712 encoding.
    function test_requestOrderStandardEncoding() public view {
        RequestOrder memory r = _requestOrder();
        bytes memory head = abi.encode(
            OrderLib.REQUESTORDER_TYPEHASH,
            r.app,
            r.appmaxprice,
            r.dataset,
            r.datasetmaxprice,
            r.workerpool
        );
        bytes memory tail = abi.encode(
            r.workerpoolmaxprice,
            r.requester,
            r.volume,
            r.tag,
            r.category,
            r.trust,
            r.beneficiary,
            r.callback,
            keccak256(bytes(r.params)),
            r.salt
        );
        assertEq(keccak256(bytes.concat(head, tail)), hasher.hashRequest(r), "standard encoding");
    }

    /// The `sign` field is not part of the hash.
    function test_signIsNotHashed() public view {
        AppOrder memory a = _appOrder();
        a.sign = hex"0123456789";
        assertEq(
            hasher.hashApp(a),
            0x44bf7dbd8db4a27988265eb88477843df0d97701bd0526e0d78f45e34dea76ef,
            "same"
        );
        RequestOrder memory r = _requestOrder();
        r.sign = new bytes(65);
        assertEq(_typed(hasher.hashRequest(r)), REQUEST_DIGEST, "same");
    }

    function test_appOrderOperationClose() public view {
        AppOrderOperation memory op = AppOrderOperation(_appOrder(), OrderOperationEnum.CLOSE, "");
        assertEq(
            _typed(hasher.hashAppOperation(op)),
            0x82c8205bcbdc7de4fc0e2b42a294067e0e133a60fc1e7adc015351c13c572fd9,
            "typed digest"
        );
        assertEq(
            hasher.hashAppOperation(op),
            keccak256(
                abi.encode(
                    OrderLib.APPORDEROPERATION_TYPEHASH, hasher.hashApp(_appOrder()), uint256(1)
                )
            ),
            "H(typehash | structHash(order) | uint256(operation))"
        );
    }

    /*//////////////////////////////////////////////////////////////
                      DEAL, TASK, RESULT, SIGNATURES
    //////////////////////////////////////////////////////////////*/

    function test_dealAndTaskIds() public pure {
        assertEq(keccak256(abi.encodePacked(REQUEST_DIGEST, uint256(0))), DEALID, "dealid");
        assertEq(keccak256(abi.encodePacked(DEALID, uint256(0))), TASKID, "taskid(0)");
    }

    function test_resultHashes() public pure {
        bytes memory resultsCallback = abi.encode(uint256(1));
        assertEq(keccak256(resultsCallback), RESULT_DIGEST, "digest of the callback data");
        assertEq(keccak256(abi.encodePacked(TASKID, RESULT_DIGEST)), RESULT_HASH, "resultHash");
        assertEq(
            keccak256(abi.encodePacked(WORKER, TASKID, RESULT_DIGEST)), RESULT_SEAL, "resultSeal"
        );
    }

    function test_authorizationMessage() public pure {
        bytes32 message = keccak256(abi.encodePacked(WORKER, TASKID, ENCLAVE));
        assertEq(
            message,
            0x7afb8dbda10b2f417e8ff36569dfca901215d5b41065bf227b7f13b872db9e2c,
            "H(worker|taskid|enclave)"
        );
        assertEq(abi.encodePacked(WORKER, TASKID, ENCLAVE).length, 72, "72-byte packed message");
        assertEq(
            MessageHashUtils.toEthSignedMessageHash(message),
            0xce7b206500cc9ce767c40db573af4ee1fe63990a461c786baff60344862555ff,
            "ethSigned"
        );
    }

    function test_enclaveMessages() public pure {
        bytes32 classic = keccak256(abi.encodePacked(RESULT_HASH, RESULT_SEAL));
        assertEq(
            classic, 0x9dbd752369aeefdf517daef194aeed74504a6a89c2bd6a9cd118692f529a6a84, "classic"
        );
        assertEq(
            MessageHashUtils.toEthSignedMessageHash(classic),
            0x0bc2b310429ceb6f7a881f84f1320899582d1b33baedabdfe426fca9c8332feb,
            "classic ethSigned"
        );
        bytes32 boost = keccak256(abi.encodePacked(WORKER, TASKID, RESULT_DIGEST));
        assertEq(boost, RESULT_SEAL, "boost message = resultSeal");
        assertEq(
            MessageHashUtils.toEthSignedMessageHash(boost),
            0x92ba3cddb5206346513653ea9b65fd334584987339e716348aa3513d295b17ad,
            "boost ethSigned"
        );
    }
}
