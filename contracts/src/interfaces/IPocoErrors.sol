// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {TaskStatusEnum, ContributionStatusEnum} from "../libs/PocoTypes.sol";

/// @notice Which restriction of which order refused a match (see {IPocoErrors-RestrictionNotMet}).
enum Restriction {
    RequestWorkerpool,
    AppDataset,
    AppWorkerpool,
    AppRequester,
    DatasetApp,
    DatasetWorkerpool,
    DatasetRequester,
    WorkerpoolApp,
    WorkerpoolDataset,
    WorkerpoolRequester
}

/// @notice Which order of a match an error is about.
enum OrderKind {
    App,
    Dataset,
    Workerpool,
    Request
}

/// @title Custom errors of the poco hub
/// @notice Every refusal of the hub carries its context. The reference (iExec PoCo) reverts with
/// strings such as `iExecV5-matchOrders-0x12` or with no reason at all; the comment on each error
/// names the reference check it replaces.
interface IPocoErrors is IERC20Errors {
    /*//////////////////////////////////////////////////////////////
                                MATCHING
    //////////////////////////////////////////////////////////////*/

    /// @dev 0x00: the request and workerpool orders name different categories.
    error CategoryMismatch(uint256 requested, uint256 offered);
    /// @dev 0x01 (and `viewCategory`): no such category.
    error UnknownCategory(uint256 category, uint256 count);
    /// @dev 0x02: the request asks for more trust than the pool offers.
    error TrustNotOffered(uint256 requested, uint256 offered);
    /// @dev 0x03-0x05: an ask price is above the request's maximum.
    error Overpriced(OrderKind kind, uint256 price, uint256 maxPrice);
    /// @dev 0x06: the workerpool tag lacks bits the app, dataset or request asks for.
    error TagNotOffered(bytes32 requested, bytes32 offered);
    /// @dev 0x07: the TEE bit of the deal would differ from the app's.
    error TeeTagMismatch(bytes32 dealTag, bytes32 appTag);
    /// @dev 0x10-0x11: the request names another app or dataset than the orders matched.
    error AssetMismatch(OrderKind kind, address requested, address offered);
    /// @dev 0x12-0x1b: a restriction of one order excludes a party of another.
    error RestrictionNotMet(Restriction restriction, address restrictedTo, address account);
    /// @dev 0x20, 0x30, 0x40: the asset is not in its registry.
    error NotRegistered(OrderKind kind, address asset);
    /// @dev 0x21, 0x31, 0x41, 0x50: the order is neither signed nor presigned by its owner.
    error InvalidOrderSignature(OrderKind kind, bytes32 orderHash, address signer);
    /// @dev 0x60: one of the orders has no volume left (consumed or cancelled).
    error NoVolumeLeft();
    /// @dev poco stores deals packed: a deal's volume and first index must fit 48 bits.
    error VolumeTooLarge(uint256 botFirst, uint256 volume);
    /// @dev poco stores prices packed: a price or worker stake must fit 64 bits (1.8e10 RLC per
    /// task, 200 times RLC's total supply).
    error PriceTooLarge(uint256 price);
    /// @dev poco stores trust packed: trust must fit 32 bits (consensus among fresh workers needs
    /// 32 agreeing votes at that level).
    error TrustTooLarge(uint256 trust);
    /// @dev 6.1 `assertDatasetDealCompatibility`, kept with its selector 0x0afd9382.
    error IncompatibleDatasetOrder(string reason);

    /*//////////////////////////////////////////////////////////////
                               SIGNATURES
    //////////////////////////////////////////////////////////////*/

    /// @dev An EOA signature is neither 65 bytes nor 64 bytes (EIP-2098) long.
    error InvalidSignatureFormat(uint256 length);
    /// @dev `manage*Order`: the sender is not the order's owner and the operation is not signed by it.
    error InvalidSenderOrSignature(address sender, address owner);

    /*//////////////////////////////////////////////////////////////
                                 TASKS
    //////////////////////////////////////////////////////////////*/

    /// @dev No deal with this id.
    error DealNotFound(bytes32 dealid);
    /// @dev The index is outside the deal's bag of tasks `[botFirst, botFirst + botSize)`.
    error TaskIndexOutOfRange(bytes32 dealid, uint256 idx, uint256 botFirst, uint256 botSize);
    /// @dev The task is not in a status that allows this call.
    error TaskStatusInvalid(bytes32 taskid, TaskStatusEnum status);
    /// @dev The contribution deadline of the task has passed.
    error ContributionDeadlineReached(bytes32 taskid, uint256 deadline);
    /// @dev The reveal deadline of the task has passed.
    error RevealDeadlineReached(bytes32 taskid, uint256 deadline);
    /// @dev `reopen`: the reveal deadline has not passed yet.
    error RevealDeadlineNotReached(bytes32 taskid, uint256 deadline);
    /// @dev The final deadline of the task has passed.
    error FinalDeadlineReached(bytes32 taskid, uint256 deadline);
    /// @dev `claim`: the final deadline has not passed yet.
    error FinalDeadlineNotReached(bytes32 taskid, uint256 deadline);
    /// @dev The worker's contribution is not in a status that allows this call.
    error ContributionStatusInvalid(bytes32 taskid, address worker, ContributionStatusEnum status);
    /// @dev A vote for the zero hash can never be revealed (no digest hashes to it).
    error ZeroResultHash(bytes32 taskid);
    /// @dev The deal is a TEE deal (tag bit 0) and no enclave challenge was given.
    error EnclaveChallengeRequired(bytes32 taskid);
    /// @dev The worker's authorization is not signed by the scheduler (or the TEE broker).
    error InvalidAuthorization(bytes32 taskid, address worker, address expectedSigner);
    /// @dev The enclave did not sign the result.
    error InvalidEnclaveSignature(bytes32 taskid, address enclaveChallenge);
    /// @dev `reveal`: the worker voted for another result than the consensus.
    error NotConsensusVote(bytes32 taskid, address worker);
    /// @dev `reveal`: the digest does not match the worker's result hash or seal.
    error RevealMismatch(bytes32 taskid, address worker, bytes32 resultDigest);
    /// @dev `reopen`/`finalize`: only the deal's scheduler (workerpool owner at match time) may call.
    error NotScheduler(bytes32 taskid, address caller, address scheduler);
    /// @dev `reopen`: somebody already revealed.
    error AlreadyRevealed(bytes32 taskid, uint256 revealCounter);
    /// @dev `finalize`: winners are still expected to reveal.
    error RevealsPending(bytes32 taskid, uint256 revealCounter, uint256 winnerCounter);
    /// @dev `finalize`: the callback data does not hash to the result digest.
    error CallbackDataMismatch(bytes32 taskid);
    /// @dev `contributeAndFinalize`: the deal's trust is not 1.
    error TrustNotOne(bytes32 taskid, uint256 trust);
    /// @dev `contributeAndFinalize`: the task already has contributions.
    error TaskHasContributions(bytes32 taskid, uint256 contributors);
    /// @dev The callback consumer was left less gas than the protocol guarantees it.
    error CallbackGasStarved(bytes32 taskid, uint256 gasLeft, uint256 callbackGas);
    /// @dev A long deal params or result value could not be stored (its data contract exists).
    error BlobCreationFailed(bytes32 salt);
    /// @dev `resultFor`: the task is not completed.
    error TaskPending(bytes32 taskid);

    /*//////////////////////////////////////////////////////////////
                                 ESCROW
    //////////////////////////////////////////////////////////////*/

    /// @dev Two arrays of one call have different lengths.
    error ArrayLengthMismatch(uint256 left, uint256 right);
    /// @dev `receiveApproval` was called for another token than the hub's base token.
    error WrongToken(address token, address expected);
    /// @dev `approveAndCall`: the spender did not accept the approval.
    error ApprovalRefused(address spender);
    /// @dev The escrow total supply would exceed the packed 112-bit range (5e24 RLC).
    error AmountTooLarge(uint256 amount);
    /// @dev The hub accepts no ether and routes no unknown function.
    error UnknownFunction(bytes4 selector);

    /*//////////////////////////////////////////////////////////////
                             CONFIGURATION
    //////////////////////////////////////////////////////////////*/

    /// @dev `configure`: the hub is configured at construction.
    error AlreadyConfigured();
    /// @dev `importScore`: this worker's score was already imported.
    error ScoreAlreadyImported(address worker);
    /// @dev `importScore`: no legacy hub is configured.
    error NoLegacyHub();
    /// @dev A required address argument is zero.
    error ZeroAddress();
    /// @dev Only the protocol owner may do this (same error as OpenZeppelin's Ownable).
    error OwnableUnauthorizedAccount(address account);
    /// @dev The new owner is not valid (same error as OpenZeppelin's Ownable).
    error OwnableInvalidOwner(address owner);
    /// @dev `decreaseAllowance` below zero.
    error ERC20FailedDecreaseAllowance(
        address spender, uint256 currentAllowance, uint256 requestedDecrease
    );
    /// @dev A category's time reference must fit 32 bits (136 years).
    error TimeRefTooLarge(uint256 workClockTimeRef);
}
