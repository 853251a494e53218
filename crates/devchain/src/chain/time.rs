//! Chain time: the wall clock plus an offset that `evm_increaseTime` moves, and the exact
//! timestamp `evm_setNextBlockTimestamp` asks for. Timestamps never go backwards; like anvil, two
//! blocks mined in the same second share it.

use std::time::{SystemTime, UNIX_EPOCH};

/// The wall clock, in seconds since the Unix epoch. The one place the chain reads it.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs())
}

/// Where chain time stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ChainTime {
    /// Seconds added to the wall clock.
    offset: i64,
    /// The timestamp the next block must have.
    next_exact: Option<u64>,
    /// The last block's timestamp.
    last: u64,
}

impl ChainTime {
    /// Time that starts at the genesis timestamp `genesis`, seen at wall-clock `now`.
    pub(crate) fn new(genesis: u64, now: u64) -> Self {
        Self { offset: signed_diff(genesis, now), next_exact: None, last: genesis }
    }

    /// Time after a restart: from the last block's timestamp `last`, or from `now` if later.
    pub(crate) fn resume(last: u64, now: u64) -> Self {
        Self { offset: signed_diff(last, now).max(0), next_exact: None, last }
    }

    /// The timestamp of the next block if mined at wall-clock `now`.
    pub(crate) fn next_timestamp(&self, now: u64) -> u64 {
        self.next_exact.unwrap_or_else(|| shift(now, self.offset)).max(self.last)
    }

    /// Records that a block was mined with `timestamp` at wall-clock `now`.
    pub(crate) fn mined(&mut self, timestamp: u64, now: u64) {
        if self.next_exact.take().is_some() || timestamp > shift(now, self.offset) {
            // Time continues from the block's timestamp.
            self.offset = signed_diff(timestamp, now);
        }
        self.last = timestamp;
    }

    /// Moves time forward by `seconds`; returns the total offset.
    pub(crate) fn increase(&mut self, seconds: u64) -> i64 {
        self.offset = self.offset.saturating_add(i64::try_from(seconds).unwrap_or(i64::MAX));
        self.offset
    }

    /// Fixes the next block's timestamp.
    pub(crate) fn set_next(&mut self, timestamp: u64) -> Result<(), u64> {
        if timestamp < self.last {
            return Err(self.last);
        }
        self.next_exact = Some(timestamp);
        Ok(())
    }

    /// The last block's timestamp.
    pub(crate) const fn last(&self) -> u64 {
        self.last
    }
}

fn signed_diff(a: u64, b: u64) -> i64 {
    i64::try_from(i128::from(a) - i128::from(b)).unwrap_or(0)
}

fn shift(now: u64, offset: i64) -> u64 {
    now.saturating_add_signed(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_wall_clock_and_never_goes_back() {
        let mut time = ChainTime::new(1_000, 1_000);
        assert_eq!(time.next_timestamp(1_005), 1_005);
        time.mined(1_005, 1_005);
        assert_eq!(time.next_timestamp(1_005), 1_005, "same second, same timestamp");
        assert_eq!(time.next_timestamp(900), 1_005, "a clock going back does not move time back");
    }

    #[test]
    fn increase_and_set_next() {
        let mut time = ChainTime::new(1_000, 1_000);
        assert_eq!(time.increase(3_600), 3_600);
        assert_eq!(time.next_timestamp(1_000), 4_600);
        time.set_next(10_000).unwrap();
        assert_eq!(time.next_timestamp(1_001), 10_000);
        time.mined(10_000, 1_001);
        assert_eq!(time.next_timestamp(1_002), 10_001, "time continues from the exact timestamp");
        assert_eq!(time.set_next(5), Err(10_000));
    }
}
