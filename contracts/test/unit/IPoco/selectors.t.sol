// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Test} from "../../utils/Test.sol";
import {IPoco, IPocoEvents} from "../../../src/interfaces/IPoco.sol";
import {IPocoErrors} from "../../../src/interfaces/IPocoErrors.sol";

/// ABI compatibility of the hub's interface with `IexecInterfaceToken` of the npm package 6.1.0:
/// every function selector and event topic of spec section 16 (Boost, native escrow and
/// Diamond functions excepted: poco does not implement them).
contract IPocoSelectorsTest is Test {
    IPoco private constant P = IPoco(address(0));

    function test_functionSelectors() public pure {
        assertEq(
            bytes32(P.assertDatasetDealCompatibility.selector),
            bytes32(bytes4(0x80f03425)),
            "assertDatasetDealCompatibility(AO/DO,bytes32)"
        );
        assertEq(
            bytes32(P.matchOrders.selector),
            bytes32(bytes4(0x156194d4)),
            "matchOrders(AO/DO,AO/DO,WPO,REQ)"
        );
        assertEq(
            bytes32(P.sponsorMatchOrders.selector),
            bytes32(bytes4(0x2f391533)),
            "sponsorMatchOrders(AO/DO,AO/DO,WPO,REQ)"
        );
        assertEq(
            bytes32(P.verifyPresignature.selector),
            bytes32(bytes4(0xc87b582a)),
            "verifyPresignature(address,bytes32)"
        );
        assertEq(
            bytes32(P.verifyPresignatureOrSignature.selector),
            bytes32(bytes4(0xbf36994e)),
            "verifyPresignatureOrSignature(address,bytes32,bytes)"
        );
        assertEq(
            bytes32(P.verifySignature.selector),
            bytes32(bytes4(0x01751998)),
            "verifySignature(address,bytes32,bytes)"
        );
        assertEq(bytes32(P.claim.selector), bytes32(bytes4(0xbd66528a)), "claim(bytes32)");
        assertEq(
            bytes32(P.claimArray.selector), bytes32(bytes4(0xfa055d7e)), "claimArray(bytes32[])"
        );
        assertEq(
            bytes32(P.contribute.selector),
            bytes32(bytes4(0x34623484)),
            "contribute(bytes32,bytes32,bytes32,address,bytes,by)"
        );
        assertEq(
            bytes32(P.contributeAndFinalize.selector),
            bytes32(bytes4(0x5facd761)),
            "contributeAndFinalize(bytes32,bytes32,bytes,bytes,address,byte)"
        );
        assertEq(
            bytes32(P.finalize.selector),
            bytes32(bytes4(0x8fc375e5)),
            "finalize(bytes32,bytes,bytes)"
        );
        assertEq(
            bytes32(P.initialize.selector),
            bytes32(bytes4(0x5b36c66b)),
            "initialize(bytes32,uint256)"
        );
        assertEq(
            bytes32(P.initializeAndClaimArray.selector),
            bytes32(bytes4(0xf722cb32)),
            "initializeAndClaimArray(bytes32[],uint256[])"
        );
        assertEq(
            bytes32(P.initializeArray.selector),
            bytes32(bytes4(0xb504681d)),
            "initializeArray(bytes32[],uint256[])"
        );
        assertEq(bytes32(P.reopen.selector), bytes32(bytes4(0xf6c68e10)), "reopen(bytes32)");
        assertEq(bytes32(P.reveal.selector), bytes32(bytes4(0xfc334e8c)), "reveal(bytes32,bytes32)");
        assertEq(
            bytes32(P.manageAppOrder.selector),
            bytes32(bytes4(0xb2b07e66)),
            "manageAppOrder((AO/DO,uint8,bytes))"
        );
        assertEq(
            bytes32(P.manageDatasetOrder.selector),
            bytes32(bytes4(0x4b747106)),
            "manageDatasetOrder((AO/DO,uint8,bytes))"
        );
        assertEq(
            bytes32(P.manageRequestOrder.selector),
            bytes32(bytes4(0x8dd971d5)),
            "manageRequestOrder((REQ,uint8,bytes))"
        );
        assertEq(
            bytes32(P.manageWorkerpoolOrder.selector),
            bytes32(bytes4(0x7e34a077)),
            "manageWorkerpoolOrder((WPO,uint8,bytes))"
        );
        assertEq(
            bytes32(P.broadcastAppOrder.selector),
            bytes32(bytes4(0xc52e9de1)),
            "broadcastAppOrder(AO/DO)"
        );
        assertEq(
            bytes32(P.broadcastDatasetOrder.selector),
            bytes32(bytes4(0x4c4692de)),
            "broadcastDatasetOrder(AO/DO)"
        );
        assertEq(
            bytes32(P.broadcastRequestOrder.selector),
            bytes32(bytes4(0x4693d172)),
            "broadcastRequestOrder(REQ)"
        );
        assertEq(
            bytes32(P.broadcastWorkerpoolOrder.selector),
            bytes32(bytes4(0x947f5178)),
            "broadcastWorkerpoolOrder(WPO)"
        );
        assertEq(
            bytes32(P.approve.selector), bytes32(bytes4(0x095ea7b3)), "approve(address,uint256)"
        );
        assertEq(
            bytes32(P.approveAndCall.selector),
            bytes32(bytes4(0xcae9ca51)),
            "approveAndCall(address,uint256,bytes)"
        );
        assertEq(
            bytes32(P.decreaseAllowance.selector),
            bytes32(bytes4(0xa457c2d7)),
            "decreaseAllowance(address,uint256)"
        );
        assertEq(
            bytes32(P.increaseAllowance.selector),
            bytes32(bytes4(0x39509351)),
            "increaseAllowance(address,uint256)"
        );
        assertEq(
            bytes32(P.transfer.selector), bytes32(bytes4(0xa9059cbb)), "transfer(address,uint256)"
        );
        assertEq(
            bytes32(P.transferFrom.selector),
            bytes32(bytes4(0x23b872dd)),
            "transferFrom(address,address,uint256)"
        );
        assertEq(bytes32(P.deposit.selector), bytes32(bytes4(0xb6b55f25)), "deposit(uint256)");
        assertEq(
            bytes32(P.depositFor.selector),
            bytes32(bytes4(0x36efd16f)),
            "depositFor(uint256,address)"
        );
        assertEq(
            bytes32(P.depositForArray.selector),
            bytes32(bytes4(0x3354f8a5)),
            "depositForArray(uint256[],address[])"
        );
        assertEq(bytes32(P.recover.selector), bytes32(bytes4(0xce746024)), "recover()");
        assertEq(bytes32(P.withdraw.selector), bytes32(bytes4(0x2e1a7d4d)), "withdraw(uint256)");
        assertEq(
            bytes32(P.withdrawTo.selector),
            bytes32(bytes4(0xc86283c8)),
            "withdrawTo(uint256,address)"
        );
        assertEq(
            bytes32(P.receiveApproval.selector),
            bytes32(bytes4(0x8f4ffcb1)),
            "receiveApproval(address,uint256,address,bytes)"
        );
        assertEq(
            bytes32(P.createCategory.selector),
            bytes32(bytes4(0x298503d9)),
            "createCategory(string,string,uint256)"
        );
        assertEq(
            bytes32(P.configure.selector),
            bytes32(bytes4(0xb5521817)),
            "configure(address,string,string,uint8,address,addr)"
        );
        assertEq(bytes32(P.domain.selector), bytes32(bytes4(0xc2fb26a6)), "domain()");
        assertEq(
            bytes32(P.importScore.selector), bytes32(bytes4(0xa9b20cee)), "importScore(address)"
        );
        assertEq(
            bytes32(P.setCallbackGas.selector),
            bytes32(bytes4(0x01d09a3c)),
            "setCallbackGas(uint256)"
        );
        assertEq(
            bytes32(P.setTeeBroker.selector), bytes32(bytes4(0xaefb52b4)), "setTeeBroker(address)"
        );
        assertEq(
            bytes32(P.updateDomainSeparator.selector),
            bytes32(bytes4(0x89ccfe89)),
            "updateDomainSeparator()"
        );
        assertEq(
            bytes32(P.changeRegistries.selector),
            bytes32(bytes4(0x0e7c4033)),
            "changeRegistries(address,address,address)"
        );
        assertEq(
            bytes32(P.allowance.selector), bytes32(bytes4(0xdd62ed3e)), "allowance(address,address)"
        );
        assertEq(bytes32(P.appregistry.selector), bytes32(bytes4(0x45b637a9)), "appregistry()");
        assertEq(bytes32(P.balanceOf.selector), bytes32(bytes4(0x70a08231)), "balanceOf(address)");
        assertEq(bytes32(P.callbackgas.selector), bytes32(bytes4(0xe63ec07d)), "callbackgas()");
        assertEq(
            bytes32(P.computeDealVolume.selector),
            bytes32(bytes4(0x66517ca6)),
            "computeDealVolume(AO/DO,AO/DO,WPO,REQ)"
        );
        assertEq(
            bytes32(P.contribution_deadline_ratio.selector),
            bytes32(bytes4(0x74ed5244)),
            "contribution_deadline_ratio()"
        );
        assertEq(bytes32(P.countCategory.selector), bytes32(bytes4(0xc140996f)), "countCategory()");
        assertEq(
            bytes32(P.datasetregistry.selector), bytes32(bytes4(0xb1b11d2c)), "datasetregistry()"
        );
        assertEq(bytes32(P.decimals.selector), bytes32(bytes4(0x313ce567)), "decimals()");
        assertEq(
            bytes32(P.eip712domain_separator.selector),
            bytes32(bytes4(0x9910fd72)),
            "eip712domain_separator()"
        );
        assertEq(
            bytes32(P.final_deadline_ratio.selector),
            bytes32(bytes4(0xdb8aaa26)),
            "final_deadline_ratio()"
        );
        assertEq(bytes32(P.frozenOf.selector), bytes32(bytes4(0x1bf6e00d)), "frozenOf(address)");
        assertEq(
            bytes32(P.groupmember_purpose.selector),
            bytes32(bytes4(0x25eacba8)),
            "groupmember_purpose()"
        );
        assertEq(bytes32(P.kitty_address.selector), bytes32(bytes4(0xa47e7f80)), "kitty_address()");
        assertEq(bytes32(P.kitty_min.selector), bytes32(bytes4(0x77a99692)), "kitty_min()");
        assertEq(bytes32(P.kitty_ratio.selector), bytes32(bytes4(0xdcb03241)), "kitty_ratio()");
        assertEq(bytes32(P.name.selector), bytes32(bytes4(0x06fdde03)), "name()");
        assertEq(bytes32(P.resultFor.selector), bytes32(bytes4(0xd09cc57e)), "resultFor(bytes32)");
        assertEq(
            bytes32(P.reveal_deadline_ratio.selector),
            bytes32(bytes4(0x2b8857c1)),
            "reveal_deadline_ratio()"
        );
        assertEq(bytes32(P.symbol.selector), bytes32(bytes4(0x95d89b41)), "symbol()");
        assertEq(bytes32(P.teebroker.selector), bytes32(bytes4(0x5975b8fc)), "teebroker()");
        assertEq(bytes32(P.token.selector), bytes32(bytes4(0xfc0c546a)), "token()");
        assertEq(bytes32(P.totalSupply.selector), bytes32(bytes4(0x18160ddd)), "totalSupply()");
        assertEq(
            bytes32(P.viewAccount.selector), bytes32(bytes4(0x6b55f4a5)), "viewAccount(address)"
        );
        assertEq(bytes32(P.viewApp.selector), bytes32(bytes4(0xe1523fb4)), "viewApp(address)");
        assertEq(
            bytes32(P.viewCategory.selector), bytes32(bytes4(0x4f5f44ec)), "viewCategory(uint256)"
        );
        assertEq(
            bytes32(P.viewConsumed.selector), bytes32(bytes4(0x4b2bec8c)), "viewConsumed(bytes32)"
        );
        assertEq(
            bytes32(P.viewContribution.selector),
            bytes32(bytes4(0xe741363b)),
            "viewContribution(bytes32,address)"
        );
        assertEq(
            bytes32(P.viewDataset.selector), bytes32(bytes4(0x1e143ef7)), "viewDataset(address)"
        );
        assertEq(bytes32(P.viewDeal.selector), bytes32(bytes4(0xb74861b2)), "viewDeal(bytes32)");
        assertEq(
            bytes32(P.viewPresigned.selector), bytes32(bytes4(0xd286eb16)), "viewPresigned(bytes32)"
        );
        assertEq(bytes32(P.viewScore.selector), bytes32(bytes4(0xdb230b52)), "viewScore(address)");
        assertEq(bytes32(P.viewTask.selector), bytes32(bytes4(0xadccf0d5)), "viewTask(bytes32)");
        assertEq(
            bytes32(P.viewWorkerpool.selector),
            bytes32(bytes4(0xbd8ab058)),
            "viewWorkerpool(address)"
        );
        assertEq(
            bytes32(P.workerpool_stake_ratio.selector),
            bytes32(bytes4(0x6112f6fd)),
            "workerpool_stake_ratio()"
        );
        assertEq(
            bytes32(P.workerpoolregistry.selector),
            bytes32(bytes4(0x90a0f546)),
            "workerpoolregistry()"
        );
        assertEq(
            bytes32(P.viewAccountABILegacy.selector),
            bytes32(bytes4(0x5b3ae3e4)),
            "viewAccountABILegacy(address)"
        );
        assertEq(
            bytes32(P.viewCategoryABILegacy.selector),
            bytes32(bytes4(0xf9353b8d)),
            "viewCategoryABILegacy(uint256)"
        );
        assertEq(
            bytes32(P.viewConfigABILegacy.selector),
            bytes32(bytes4(0xd5922f50)),
            "viewConfigABILegacy(bytes32)"
        );
        assertEq(
            bytes32(P.viewContributionABILegacy.selector),
            bytes32(bytes4(0x11e35aba)),
            "viewContributionABILegacy(bytes32,address)"
        );
        assertEq(
            bytes32(P.viewDealABILegacy_pt1.selector),
            bytes32(bytes4(0xbd19a4f3)),
            "viewDealABILegacy_pt1(bytes32)"
        );
        assertEq(
            bytes32(P.viewDealABILegacy_pt2.selector),
            bytes32(bytes4(0xce5f7895)),
            "viewDealABILegacy_pt2(bytes32)"
        );
        assertEq(
            bytes32(P.viewTaskABILegacy.selector),
            bytes32(bytes4(0x248ad6a0)),
            "viewTaskABILegacy(bytes32)"
        );
        assertEq(bytes32(P.owner.selector), bytes32(bytes4(0x8da5cb5b)), "owner()");
        assertEq(
            bytes32(P.renounceOwnership.selector),
            bytes32(bytes4(0x715018a6)),
            "renounceOwnership()"
        );
        assertEq(
            bytes32(P.transferOwnership.selector),
            bytes32(bytes4(0xf2fde38b)),
            "transferOwnership(address)"
        );
    }

    function test_eventTopics() public pure {
        assertEq(
            IPocoEvents.DealSponsored.selector,
            0x81eec3d5401bb1693dbef61f0800bc16602905d6677d691c1262d6f08456e9a0,
            "DealSponsored"
        );
        assertEq(
            IPocoEvents.OrdersMatched.selector,
            0xd811b592ed0899225773e8933d8df64bd0b62761a9d7aad4ed5b22735f4610a4,
            "OrdersMatched"
        );
        assertEq(
            IPocoEvents.SchedulerNotice.selector,
            0x692ad61076dceddd0f1a861f737553dd61fc8501cf4190d29c4e90af6607f765,
            "SchedulerNotice"
        );
        assertEq(
            IPocoEvents.AccurateContribution.selector,
            0x9703f4589802246c80b822e63697180da799e363cd1b6fd9465a5e5574d53492,
            "AccurateContribution"
        );
        assertEq(
            IPocoEvents.FaultyContribution.selector,
            0xf868788948d55240774fdbad06555105ef20bbc70d1b7eccda982b65e11e79bb,
            "FaultyContribution"
        );
        assertEq(
            IPocoEvents.TaskClaimed.selector,
            0xcbc308b5f91040d2659a5201858344b0b583cd2f9e18e8470c2fa052c5b21ff8,
            "TaskClaimed"
        );
        assertEq(
            IPocoEvents.TaskConsensus.selector,
            0xf6d49bf3e05d33a4bc497d3c793fb5756388bb96b947cf51bb60aaecb0e022e3,
            "TaskConsensus"
        );
        assertEq(
            IPocoEvents.TaskContribute.selector,
            0x3fdb8d7797562d49a81078dbf7fa1771958ea452f8b13d1148383bd9506aecfb,
            "TaskContribute"
        );
        assertEq(
            IPocoEvents.TaskFinalize.selector,
            0x78ce8a8bc0fcb704e8ba3b3dbb36aa88002df8038128b4af2f27ef65db665044,
            "TaskFinalize"
        );
        assertEq(
            IPocoEvents.TaskInitialize.selector,
            0x252992fb0468d68d6a5784ec03214f0d0a362083f2d7ebd157af43b017a22e06,
            "TaskInitialize"
        );
        assertEq(
            IPocoEvents.TaskReopen.selector,
            0x3afe0f24796ce653c6ab1f3e7aba5ce564eece5e82aee724aff28253e829f07b,
            "TaskReopen"
        );
        assertEq(
            IPocoEvents.TaskReveal.selector,
            0x4b1763d473ac8fa80b4432ba90047e1b92444d8fabc55e6a002d9b1a316d7959,
            "TaskReveal"
        );
        assertEq(
            IPocoEvents.ClosedAppOrder.selector,
            0x7343f75be43aba524f85326508cd975d016ef7884676377366c69a7c32e30668,
            "ClosedAppOrder"
        );
        assertEq(
            IPocoEvents.ClosedDatasetOrder.selector,
            0xcf52e3228bc482a6656d8ab56c09888b1c5bf6aaadba0185e96a34836f2bb1d4,
            "ClosedDatasetOrder"
        );
        assertEq(
            IPocoEvents.ClosedRequestOrder.selector,
            0x582f43f2a741cbe708aae3b8d38a4efc3d09d7e81919697b3ca693f4c444cc05,
            "ClosedRequestOrder"
        );
        assertEq(
            IPocoEvents.ClosedWorkerpoolOrder.selector,
            0x145ad51e4496173bca15e24e7eb46f9ab3a10eea0497e2801a3a6806c06113a3,
            "ClosedWorkerpoolOrder"
        );
        assertEq(
            IPocoEvents.SignedAppOrder.selector,
            0x50933cf5a9c44d5ed66b895deb27212aa33d811b46a7b41093e047e213c0bcab,
            "SignedAppOrder"
        );
        assertEq(
            IPocoEvents.SignedDatasetOrder.selector,
            0x79ce85909be2c590a728d1634ce6ec8a7cbf815260bacc05387890a313da8130,
            "SignedDatasetOrder"
        );
        assertEq(
            IPocoEvents.SignedRequestOrder.selector,
            0x3b0ac04165536d6b11d04220f998c840bd6e439d59c5d8721bba8a4e1fb9ebfd,
            "SignedRequestOrder"
        );
        assertEq(
            IPocoEvents.SignedWorkerpoolOrder.selector,
            0x3a61aabf2ab04790d082ff1e332853b2f66944c2e951a146121f80272812a476,
            "SignedWorkerpoolOrder"
        );
        assertEq(
            IPocoEvents.BroadcastAppOrder.selector,
            0x6fd493f856b22df174df46975d6dcf0895c7dfb3c63d20179c0dcd5563e2f565,
            "BroadcastAppOrder"
        );
        assertEq(
            IPocoEvents.BroadcastDatasetOrder.selector,
            0xc56d982ad2fd39ebadca073cc88d9bdaee0f4c8e7b2b6be50227169daefc7b3f,
            "BroadcastDatasetOrder"
        );
        assertEq(
            IPocoEvents.BroadcastRequestOrder.selector,
            0x54bee205d9b03332d6dc82bc907476dfef6ed4fd86058d49a72994baee781175,
            "BroadcastRequestOrder"
        );
        assertEq(
            IPocoEvents.BroadcastWorkerpoolOrder.selector,
            0xaf81a046e31ebb2be305579e585ac6b2ee3fdc2dc9dba806bb826879bb2c7851,
            "BroadcastWorkerpoolOrder"
        );
        assertEq(
            IPocoEvents.Approval.selector,
            0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925,
            "Approval"
        );
        assertEq(
            IPocoEvents.Transfer.selector,
            0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef,
            "Transfer"
        );
        assertEq(
            IPocoEvents.CreateCategory.selector,
            0x62bf08360c9d561749c54eaf4f8bf8cb6c8b6f4f40607bcec39a8172e714d25c,
            "CreateCategory"
        );
        assertEq(
            IPocoEvents.OwnershipTransferred.selector,
            0x8be0079c531659141344cd1fd0a4f28419497f9722a3daafe3b4186f6b6457e0,
            "OwnershipTransferred"
        );
        assertEq(
            IPocoEvents.Lock.selector,
            0x625fed9875dada8643f2418b838ae0bc78d9a148a18eee4ee1979ff0f3f5d427,
            "Lock"
        );
        assertEq(
            IPocoEvents.Reward.selector,
            0xc2aca55aa696938c7e95842e8939ca0fbb2120a3eeb8948cdcee2b70da566672,
            "Reward"
        );
        assertEq(
            IPocoEvents.Seize.selector,
            0x1bccc549c38561cd5b57f0db11ceb8dde1b0b6ee05ab5e155b51c7c5ba64becb,
            "Seize"
        );
        assertEq(
            IPocoEvents.Unlock.selector,
            0x6381d9813cabeb57471b5a7e05078e64845ccdb563146a6911d536f24ce960f1,
            "Unlock"
        );
    }

    function test_errorSelectors() public pure {
        assertEq(
            bytes32(IPocoErrors.IncompatibleDatasetOrder.selector),
            bytes32(bytes4(0x0afd9382)),
            "IncompatibleDatasetOrder"
        );
    }
}
