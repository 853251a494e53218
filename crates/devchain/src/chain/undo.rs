//! Older states without copies: each block keeps what its changes overwrote (an [`Undo`]), and
//! a view of block `n` reads the head state through the undo records of blocks `n + 1` to the
//! head, oldest first; the first record that knows a value has the one of block `n`.
//!
//! ```text
//!  head state ◀─ pending (dev edits since the head) ◀─ U(head) ◀─ … ◀─ U(n+1)   = state after n
//! ```
//!
//! Mining changes the head state in place: nothing is copied per block, whatever the size of the
//! state (a full copy per block cost time in proportion to every account and slot ever written).

use alloy::primitives::{Address, U256};
use revm::{
    DatabaseRef,
    primitives::{AddressMap, StorageKeyMap},
    state::AccountInfo,
};

use super::evm::StateDb;

/// What some changes overwrote: account infos and storage slots as they were before the first of
/// them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Undo {
    /// Account info before (`None`: there was no account).
    accounts: AddressMap<Option<AccountInfo>>,
    /// Slot values before, per account (slots changed before any wipe of the account).
    slots: AddressMap<StorageKeyMap<U256>>,
    /// The whole storage of an account before it was cleared (created or self-destructed):
    /// every slot not in `slots` had its value here (absent: zero).
    wiped: AddressMap<StorageKeyMap<U256>>,
}

impl Undo {
    /// Records the info of `address` in `state` unless an earlier value is recorded.
    pub(crate) fn record_account(&mut self, state: &StateDb, address: Address) {
        self.accounts
            .entry(address)
            .or_insert_with(|| state.basic_ref(address).unwrap_or_else(|never| match never {}));
    }

    /// Records slot `slot` of `address` in `state` unless an earlier value is recorded.
    pub(crate) fn record_slot(&mut self, state: &StateDb, address: Address, slot: U256) {
        if self.wiped.contains_key(&address) {
            // The wiped storage holds the earlier value.
            return;
        }
        self.slots.entry(address).or_default().entry(slot).or_insert_with(|| {
            state.storage_ref(address, slot).unwrap_or_else(|never| match never {})
        });
    }

    /// Records the whole storage of `address` in `state`, about to be cleared.
    pub(crate) fn record_wipe(&mut self, state: &StateDb, address: Address) {
        self.wiped.entry(address).or_insert_with(|| {
            state
                .cache
                .accounts
                .get(&address)
                .map(|account| account.storage.clone())
                .unwrap_or_default()
        });
    }

    /// The recorded info of `address`, if any (`Some(None)`: there was no account).
    pub(crate) fn account(&self, address: Address) -> Option<Option<AccountInfo>> {
        self.accounts.get(&address).cloned()
    }

    /// The recorded value of `slot` of `address`, if any.
    pub(crate) fn slot(&self, address: Address, slot: U256) -> Option<U256> {
        if let Some(value) = self.slots.get(&address).and_then(|slots| slots.get(&slot)) {
            return Some(*value);
        }
        self.wiped.get(&address).map(|storage| storage.get(&slot).copied().unwrap_or_default())
    }
}
