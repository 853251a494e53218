//! States of older blocks read through undo records, against what each block showed when it
//! was the head: balances, nonces, contract storage (RLC balances by `eth_call`), dev edits,
//! snapshots and reverts, and the history limit.

use alloy::{
    consensus::{SignableTransaction, TxEip1559, TxEnvelope},
    eips::{BlockId, BlockNumberOrTag},
    primitives::{Address, B256, TxKind, U256},
    rpc::types::TransactionRequest,
    signers::SignerSync,
    sol_types::SolCall,
};
use poco_contracts::{Deployment, bindings::RLC};

use super::{Chain, ChainSpec, error::ChainError};
use crate::{
    accounts::{self, DevAccount},
    config::DEFAULT_MNEMONIC,
    genesis,
};

/// An address with no account, whose storage the test edits directly.
const EDITED: Address = Address::repeat_byte(0xee);

fn new_chain(state_history: usize) -> (Chain, Vec<DevAccount>, Deployment) {
    let accounts = accounts::derive(DEFAULT_MNEMONIC, 3).unwrap();
    let alloc: Vec<_> =
        accounts.iter().map(|account| (account.address, U256::from(10u128.pow(24)))).collect();
    let spec = ChainSpec { chain_id: 31337, gas_limit: 30_000_000, state_history, automine: true };
    let (chain, deployment) =
        Chain::genesis(spec, 1_000_000_000, 1_700_000_000, &alloc, |builder| {
            genesis::deploy(builder, &accounts, U256::from(1_000_000u64))
        })
        .unwrap();
    (chain, accounts, deployment)
}

/// `from` sends `RLC.transfer(to, value)`; automine mines it.
fn transfer(chain: &mut Chain, from: &DevAccount, rlc: Address, to: Address, value: u64) {
    let tx = TxEip1559 {
        chain_id: 31337,
        nonce: chain.pending_nonce(from.address),
        gas_limit: 100_000,
        max_fee_per_gas: 10_000_000_000,
        max_priority_fee_per_gas: 1,
        to: TxKind::Call(rlc),
        value: U256::ZERO,
        access_list: Default::default(),
        input: RLC::transferCall { to, value: U256::from(value) }.abi_encode().into(),
    };
    let signature = from.signer.sign_hash_sync(&tx.signature_hash()).unwrap();
    chain.submit(TxEnvelope::from(tx.into_signed(signature))).unwrap();
}

/// What the test compares at each block.
#[derive(Debug, PartialEq)]
struct Seen {
    eth: Vec<U256>,
    nonces: Vec<u64>,
    rlc: Vec<U256>,
    edited_slot: B256,
    edited_balance: U256,
}

fn seen(chain: &Chain, watched: &[Address], rlc: Address, number: u64) -> Result<Seen, ChainError> {
    let at = BlockId::Number(BlockNumberOrTag::Number(number));
    let mut rlc_balances = Vec::new();
    for who in watched {
        let request = TransactionRequest {
            to: Some(TxKind::Call(rlc)),
            input: RLC::balanceOfCall { account: *who }.abi_encode().into(),
            ..Default::default()
        };
        let out = chain.call(&request, Some(at))?;
        rlc_balances.push(RLC::balanceOfCall::abi_decode_returns(&out).unwrap());
    }
    Ok(Seen {
        eth: watched.iter().map(|who| chain.balance(*who, at)).collect::<Result<_, _>>()?,
        nonces: watched.iter().map(|who| chain.nonce(*who, at)).collect::<Result<_, _>>()?,
        rlc: rlc_balances,
        edited_slot: chain.storage(EDITED, U256::from(7), at)?,
        edited_balance: chain.balance(EDITED, at)?,
    })
}

#[test]
fn older_blocks_read_as_they_were_mined_through_edits_snapshots_and_reverts() {
    let (mut chain, accounts, deployment) = new_chain(128);
    let rlc = deployment.rlc;
    let fresh = |i: u64| Address::left_padding_from(&i.to_be_bytes());
    let watched: Vec<Address> = accounts
        .iter()
        .map(|account| account.address)
        .chain((1..=8).map(fresh))
        .chain([EDITED])
        .collect();
    let mut records = vec![seen(&chain, &watched, rlc, 0).unwrap()];
    let mut snapshot = None;
    for i in 1..=8u64 {
        transfer(&mut chain, &accounts[1 + (i as usize % 2)], rlc, fresh(i), 100 * i);
        assert_eq!(chain.block_number(), i);
        records.push(seen(&chain, &watched, rlc, i).unwrap());
        if i == 4 {
            snapshot = Some(chain.snapshot());
        }
        // Dev edits between blocks: they belong to the head until the next block.
        chain.set_balance(EDITED, U256::from(i * 1_000));
        chain.set_storage(EDITED, U256::from(7), U256::from(i));
        if i % 3 == 0 {
            chain.set_nonce(accounts[0].address, chain.pending_nonce(accounts[0].address) + 1);
        }
        let head = seen(&chain, &watched, rlc, i).unwrap();
        assert_eq!(head.edited_slot, B256::from(U256::from(i)));
        assert_eq!(head.edited_balance, U256::from(i * 1_000));
    }
    // Every block before the head (the head shows the edits made since it was mined).
    for (number, record) in records.iter().enumerate().take(records.len() - 1) {
        assert_eq!(&seen(&chain, &watched, rlc, number as u64).unwrap(), record, "block {number}");
    }

    // Back to block 4 as it was mined (the snapshot came before its edits).
    assert!(chain.revert(snapshot.unwrap()));
    assert_eq!(chain.block_number(), 4);
    records.truncate(5);
    for i in 5..=7u64 {
        transfer(&mut chain, &accounts[1], rlc, fresh(100 + i), 7);
        records.push(seen(&chain, &watched, rlc, i).unwrap());
        chain.set_storage(EDITED, U256::from(7), U256::from(100 + i));
    }
    // Every block before the head (the head shows the edits made since it was mined).
    for (number, record) in records.iter().enumerate().take(records.len() - 1) {
        assert_eq!(&seen(&chain, &watched, rlc, number as u64).unwrap(), record, "block {number}");
    }
}

#[test]
fn only_the_last_state_history_blocks_are_kept() {
    let (mut chain, accounts, deployment) = new_chain(3);
    for i in 1..=6u64 {
        transfer(&mut chain, &accounts[1], deployment.rlc, Address::repeat_byte(i as u8), 1);
    }
    let at = |number| BlockId::Number(BlockNumberOrTag::Number(number));
    let sender = accounts[1].address;
    for number in 4..=6 {
        let nonce = chain.nonce(sender, at(number)).unwrap();
        assert_eq!(nonce, number, "block {number}");
    }
    assert!(matches!(
        chain.nonce(sender, at(3)),
        Err(ChainError::StateUnavailable { number: 3, kept: 3 })
    ));

    let (mut chain, accounts, deployment) = new_chain(0);
    transfer(&mut chain, &accounts[1], deployment.rlc, Address::repeat_byte(1), 1);
    assert_eq!(chain.nonce(accounts[1].address, at(1)).unwrap(), 1);
    assert!(chain.nonce(accounts[1].address, at(0)).is_err());
}
