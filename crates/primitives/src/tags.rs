//! Tags: the `bytes32` bit-sets orders use to state requirements and capabilities (spec §11.1).
//!
//! Bit 0 is the least significant bit of the last byte. Only bit 0 (TEE) means something to the
//! contracts (an enclave challenge becomes mandatory); the other bits are off-chain conventions
//! of iExec's SDK and middleware. A workerpool order must offer every bit the app, dataset and
//! request orders ask for.
//!
//! Tags print and parse as comma-separated names (`tee,scone`, with `bitN` for bits without a
//! name and `none` for the empty tag); parsing also takes `0x` hex. JSON uses the 32-byte hex.

use std::{fmt, ops, str::FromStr};

use alloy_primitives::{B256, hex};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A named tag bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum TagBit {
    /// Bit 0: a trusted execution environment is required (or, on a workerpool, offered).
    Tee = 0,
    /// Bit 1: the Scone framework (Intel SGX).
    Scone = 1,
    /// Bit 2: the Gramine framework (Intel SGX).
    Gramine = 2,
    /// Bit 3: Intel TDX.
    Tdx = 3,
    /// Bit 8: a GPU.
    Gpu = 8,
}

impl TagBit {
    /// Every named bit, in bit order.
    pub const ALL: [Self; 5] = [Self::Tee, Self::Scone, Self::Gramine, Self::Tdx, Self::Gpu];

    /// The bit's index (0 = least significant).
    pub const fn index(self) -> u8 {
        self as u8
    }

    /// The bit's name, as iExec's SDK spells it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Tee => "tee",
            Self::Scone => "scone",
            Self::Gramine => "gramine",
            Self::Tdx => "tdx",
            Self::Gpu => "gpu",
        }
    }

    /// The named bit at `index`, if it has a name.
    pub fn from_index(index: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|bit| bit.index() == index)
    }
}

impl fmt::Display for TagBit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A tag: a set of 256 bits stored as a `bytes32` (see the [module docs](self)).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Tag(pub B256);

impl Tag {
    /// No requirement.
    pub const NONE: Self = Self(B256::ZERO);
    /// TEE (bit 0) alone: `0x…01`.
    pub const TEE: Self = Self::NONE.with_bit(TagBit::Tee.index());
    /// TEE with the Scone framework: `0x…03`.
    pub const TEE_SCONE: Self = Self::TEE.with_bit(TagBit::Scone.index());
    /// TEE with the Gramine framework: `0x…05`.
    pub const TEE_GRAMINE: Self = Self::TEE.with_bit(TagBit::Gramine.index());
    /// TEE with Intel TDX: `0x…09`.
    pub const TEE_TDX: Self = Self::TEE.with_bit(TagBit::Tdx.index());
    /// GPU (bit 8) alone: `0x…0100`.
    pub const GPU: Self = Self::NONE.with_bit(TagBit::Gpu.index());
    /// The TEE framework bits (1 Scone, 2 Gramine, 3 TDX), which PoCo 6.2 ignores in dataset
    /// orders so SGX-tagged datasets can run on TDX pools.
    pub const TEE_FRAMEWORKS: Self = Self::NONE
        .with_bit(TagBit::Scone.index())
        .with_bit(TagBit::Gramine.index())
        .with_bit(TagBit::Tdx.index());

    /// The tag with exactly these bits.
    pub fn from_bits(bits: impl IntoIterator<Item = TagBit>) -> Self {
        bits.into_iter().fold(Self::NONE, |tag, bit| tag.with_bit(bit.index()))
    }

    /// Whether bit `index` is set.
    pub const fn has_bit(&self, index: u8) -> bool {
        let (byte, mask) = Self::position(index);
        self.0.0[byte] & mask != 0
    }

    /// Whether the named bit is set.
    pub const fn has(&self, bit: TagBit) -> bool {
        self.has_bit(bit.index())
    }

    /// This tag with bit `index` set.
    #[must_use]
    pub const fn with_bit(self, index: u8) -> Self {
        let (byte, mask) = Self::position(index);
        let mut bytes = self.0.0;
        bytes[byte] |= mask;
        Self(B256::new(bytes))
    }

    /// This tag with bit `index` cleared.
    #[must_use]
    pub const fn without_bit(self, index: u8) -> Self {
        let (byte, mask) = Self::position(index);
        let mut bytes = self.0.0;
        bytes[byte] &= !mask;
        Self(B256::new(bytes))
    }

    /// Whether the TEE bit (bit 0, the only one the contracts read) is set.
    pub const fn is_tee(&self) -> bool {
        self.has(TagBit::Tee)
    }

    /// Whether no bit is set.
    pub const fn is_empty(&self) -> bool {
        let mut i = 0;
        while i < 32 {
            if self.0.0[i] != 0 {
                return false;
            }
            i += 1;
        }
        true
    }

    /// Whether every bit of `other` is set in `self`, e.g. whether a workerpool offering `self`
    /// can serve a deal asking for `other`.
    pub fn is_superset_of(&self, other: &Self) -> bool {
        (other.0 & !self.0).is_zero()
    }

    /// The bits set in either tag.
    #[must_use]
    pub fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// The bits set in both tags.
    #[must_use]
    pub fn intersection(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// This tag without the TEE framework bits (what PoCo 6.2 keeps of a dataset order's tag).
    #[must_use]
    pub fn without_tee_frameworks(self) -> Self {
        Self(self.0 & !Self::TEE_FRAMEWORKS.0)
    }

    /// The indexes of the set bits, from the least significant.
    pub fn bits(&self) -> impl Iterator<Item = u8> + '_ {
        (0..=u8::MAX).filter(|&i| self.has_bit(i))
    }

    /// The byte (0 = most significant) and mask of bit `index`.
    const fn position(index: u8) -> (usize, u8) {
        (31 - (index / 8) as usize, 1 << (index % 8))
    }
}

impl From<B256> for Tag {
    fn from(value: B256) -> Self {
        Self(value)
    }
}

impl From<Tag> for B256 {
    fn from(tag: Tag) -> Self {
        tag.0
    }
}

impl From<TagBit> for Tag {
    fn from(bit: TagBit) -> Self {
        Self::NONE.with_bit(bit.index())
    }
}

impl ops::BitOr for Tag {
    type Output = Self;

    fn bitor(self, rhs: Self) -> Self {
        self.union(rhs)
    }
}

impl ops::BitOrAssign for Tag {
    fn bitor_assign(&mut self, rhs: Self) {
        *self = self.union(rhs);
    }
}

impl ops::BitAnd for Tag {
    type Output = Self;

    fn bitand(self, rhs: Self) -> Self {
        self.intersection(rhs)
    }
}

impl ops::Not for Tag {
    type Output = Self;

    fn not(self) -> Self {
        Self(!self.0)
    }
}

/// Comma-separated names (`tee,scone`), `bitN` for unnamed bits, `none` for the empty tag.
impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        for (i, index) in self.bits().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            match TagBit::from_index(index) {
                Some(bit) => f.write_str(bit.name())?,
                None => write!(f, "bit{index}")?,
            }
        }
        Ok(())
    }
}

/// The 32-byte hex (`{:x}` → `000…03`, `{:#x}` → `0x000…03`).
impl fmt::LowerHex for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::LowerHex::fmt(&self.0, f)
    }
}

/// Parses `0x`-prefixed hex (up to 32 bytes, left-padded) or comma-separated, case-insensitive
/// names (`tee`, `scone`, `gramine`, `tdx`, `gpu`, `bitN`, `none`; blanks around names are
/// ignored, an empty string is the empty tag).
impl FromStr for Tag {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        if let Some(digits) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
            return parse_hex(s, digits);
        }
        let mut tag = Self::NONE;
        for name in s.split(',').map(str::trim).filter(|name| !name.is_empty()) {
            let name = name.to_ascii_lowercase();
            if name == "none" {
                continue;
            }
            if let Some(bit) = TagBit::ALL.into_iter().find(|bit| bit.name() == name) {
                tag = tag.with_bit(bit.index());
            } else if let Some(index) = name.strip_prefix("bit") {
                let index =
                    index.parse::<u8>().map_err(|_| Error::TagBitOutOfRange(name.clone()))?;
                tag = tag.with_bit(index);
            } else {
                return Err(Error::UnknownTagName(name));
            }
        }
        Ok(tag)
    }
}

fn parse_hex(input: &str, digits: &str) -> Result<Tag> {
    if digits.len() > 64 {
        return Err(Error::TagTooLong(input.to_owned()));
    }
    let padded = format!("{digits:0>64}");
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(&padded, &mut bytes)
        .map_err(|source| Error::TagHex { input: input.to_owned(), source })?;
    Ok(Tag(B256::new(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::b256;

    /// Whether an error is the one a case expects.
    type IsExpected = fn(&Error) -> bool;

    #[test]
    fn bit_positions() {
        let cases = [
            (Tag::TEE, "0000000000000000000000000000000000000000000000000000000000000001"),
            (Tag::TEE_SCONE, "0000000000000000000000000000000000000000000000000000000000000003"),
            (Tag::TEE_GRAMINE, "0000000000000000000000000000000000000000000000000000000000000005"),
            (Tag::TEE_TDX, "0000000000000000000000000000000000000000000000000000000000000009"),
            (Tag::GPU, "0000000000000000000000000000000000000000000000000000000000000100"),
            (
                Tag::TEE_FRAMEWORKS,
                "000000000000000000000000000000000000000000000000000000000000000e",
            ),
            (
                Tag::NONE.with_bit(255),
                "8000000000000000000000000000000000000000000000000000000000000000",
            ),
        ];
        for (tag, hex) in cases {
            assert_eq!(format!("{tag:x}"), hex, "{tag}");
        }
    }

    #[test]
    fn display_and_parse() {
        // (input, tag, display)
        let cases = [
            ("tee,scone", Tag::TEE_SCONE, "tee,scone"),
            ("scone, TEE", Tag::TEE_SCONE, "tee,scone"),
            ("tee,gramine", Tag::TEE_GRAMINE, "tee,gramine"),
            ("tdx,tee", Tag::TEE_TDX, "tee,tdx"),
            ("gpu", Tag::GPU, "gpu"),
            ("", Tag::NONE, "none"),
            ("none", Tag::NONE, "none"),
            ("0x3", Tag::TEE_SCONE, "tee,scone"),
            ("0x0101", Tag::TEE | Tag::GPU, "tee,gpu"),
            (
                "0x0000000000000000000000000000000000000000000000000000000000000003",
                Tag::TEE_SCONE,
                "tee,scone",
            ),
            ("bit4,bit255", Tag::NONE.with_bit(4).with_bit(255), "bit4,bit255"),
            ("0x10", Tag::NONE.with_bit(4), "bit4"),
        ];
        for (input, tag, display) in cases {
            assert_eq!(input.parse::<Tag>().unwrap(), tag, "{input}");
            assert_eq!(tag.to_string(), display, "{input}");
            assert_eq!(display.parse::<Tag>().unwrap(), tag, "round trip of {input}");
        }
    }

    #[test]
    fn parse_errors() {
        let cases: [(&str, IsExpected); 5] = [
            ("tee,sgx", |e| matches!(e, Error::UnknownTagName(n) if n == "sgx")),
            ("bit256", |e| matches!(e, Error::TagBitOutOfRange(_))),
            ("bitx", |e| matches!(e, Error::TagBitOutOfRange(_))),
            ("0xzz", |e| matches!(e, Error::TagHex { .. })),
            ("0x000000000000000000000000000000000000000000000000000000000000000003", |e| {
                matches!(e, Error::TagTooLong(_))
            }),
        ];
        for (input, is_expected) in cases {
            let err = input.parse::<Tag>().unwrap_err();
            assert!(is_expected(&err), "{input}: {err:?}");
        }
    }

    #[test]
    fn set_operations() {
        // (offered, asked, offered ⊇ asked)
        let cases = [
            (Tag::TEE_SCONE, Tag::TEE, true),
            (Tag::TEE_SCONE, Tag::TEE_SCONE, true),
            (Tag::TEE, Tag::TEE_SCONE, false),
            (Tag::NONE, Tag::NONE, true),
            (Tag::GPU, Tag::TEE, false),
            (Tag::TEE_SCONE | Tag::GPU, Tag::GPU, true),
            (!Tag::NONE, Tag::TEE_TDX, true),
        ];
        for (offered, asked, expected) in cases {
            assert_eq!(offered.is_superset_of(&asked), expected, "{offered} ⊇ {asked}");
        }
        assert_eq!(Tag::TEE.union(Tag::GPU), Tag::from_bits([TagBit::Gpu, TagBit::Tee]));
        assert_eq!(Tag::TEE_SCONE.intersection(Tag::TEE_TDX), Tag::TEE);
        assert_eq!((Tag::TEE_SCONE | Tag::GPU).without_tee_frameworks(), Tag::TEE | Tag::GPU);
        assert_eq!(Tag::TEE_SCONE.without_bit(1), Tag::TEE);
        assert!(Tag::TEE_TDX.is_tee() && !Tag::GPU.is_tee());
        assert!(Tag::TEE_TDX.has(TagBit::Tdx) && !Tag::TEE_TDX.has(TagBit::Scone));
        assert_eq!(Tag::from(TagBit::Gpu), Tag::GPU);
        assert_eq!((Tag::TEE_SCONE | Tag::GPU).bits().collect::<Vec<_>>(), [0, 1, 8]);
    }

    #[test]
    fn serde_is_32_byte_hex() {
        let json = serde_json::to_string(&Tag::TEE_SCONE).unwrap();
        assert_eq!(json, "\"0x0000000000000000000000000000000000000000000000000000000000000003\"");
        assert_eq!(serde_json::from_str::<Tag>(&json).unwrap(), Tag::TEE_SCONE);
        assert_eq!(
            Tag::from(b256!("0000000000000000000000000000000000000000000000000000000000000003")),
            Tag::TEE_SCONE
        );
    }
}
