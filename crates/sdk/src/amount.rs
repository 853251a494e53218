//! Token amounts: parsing what users type (`5RLC`, `1.5 RLC`, `100` or `100nRLC`, `0.1ETH`) and
//! formatting base units for people. Amounts are always [`U256`] in base units (nRLC, wei).

use crate::error::{Error, Result};
use alloy::primitives::U256;

/// Decimals of RLC: 1 RLC = 10^9 nRLC.
pub const RLC_DECIMALS: u8 = 9;

/// Parses an RLC amount into nRLC. A bare number counts nRLC (as the reference SDK does);
/// `RLC` and `nRLC` suffixes (any case, with or without a space) choose the unit explicitly.
pub fn parse_rlc(input: &str) -> Result<U256> {
    let trimmed = input.trim();
    let lower = trimmed.to_ascii_lowercase();
    let (number, decimals) = if let Some(number) = lower.strip_suffix("nrlc") {
        (number, 0)
    } else if let Some(number) = lower.strip_suffix("rlc") {
        (number, RLC_DECIMALS)
    } else {
        (lower.as_str(), 0)
    };
    parse_decimal(number.trim(), decimals)
        .map_err(|reason| Error::InvalidAmount { input: input.to_owned(), reason })
}

/// Parses a non-negative decimal number with at most `decimals` fractional digits, scaled by
/// 10^`decimals`.
fn parse_decimal(number: &str, decimals: u8) -> std::result::Result<U256, &'static str> {
    if number.is_empty() {
        return Err("no number");
    }
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() {
        return Err("no digits");
    }
    if !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit()) {
        return Err("expected digits, an optional fraction and a unit (RLC or nRLC)");
    }
    if fraction.len() > usize::from(decimals) {
        return Err("more fractional digits than the unit has (RLC has 9)");
    }
    let digits = format!("{whole}{fraction:0<width$}", width = usize::from(decimals));
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Ok(U256::ZERO);
    }
    U256::from_str_radix(digits, 10).map_err(|_| "too large")
}

/// Formats base units with `decimals` decimals and a unit: `1.5 RLC`, `0 RLC`, `12 ETH`.
pub fn format_amount(amount: U256, decimals: u8, unit: &str) -> String {
    let scale = U256::from(10u64).pow(U256::from(decimals));
    let whole = amount / scale;
    let fraction = amount % scale;
    if fraction.is_zero() {
        return format!("{whole} {unit}");
    }
    let fraction = format!("{fraction:0>width$}", width = usize::from(decimals));
    format!("{whole}.{} {unit}", fraction.trim_end_matches('0'))
}

/// Formats nRLC as RLC: `1.5 RLC`.
pub fn format_rlc(amount: U256) -> String {
    format_amount(amount, RLC_DECIMALS, "RLC")
}

/// Formats wei as ether: `0.25 ETH`.
pub fn format_eth(amount: U256) -> String {
    format_amount(amount, 18, "ETH")
}

/// Serializes an amount as a decimal string of base units (JSON numbers lose precision above
/// 2^53, and hex is unreadable): `"1500000000"`.
pub fn serialize_decimal<S: serde::Serializer>(
    amount: &U256,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    serializer.serialize_str(&amount.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        let table = [
            ("100", 100u64),
            ("100nRLC", 100),
            ("100 nrlc", 100),
            ("5RLC", 5_000_000_000),
            ("1.5 RLC", 1_500_000_000),
            ("0.000000001RLC", 1),
            (".5RLC", 500_000_000),
            ("0", 0),
        ];
        for (input, expected) in table {
            assert_eq!(parse_rlc(input).ok(), Some(U256::from(expected)), "{input}");
        }
        for bad in ["", "RLC", "-1", "1.5", "1e9", "0.0000000001RLC", "1,5RLC", "12 ETH"] {
            assert!(parse_rlc(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn formats() {
        assert_eq!(format_rlc(U256::from(1_500_000_000u64)), "1.5 RLC");
        assert_eq!(format_rlc(U256::ZERO), "0 RLC");
        assert_eq!(format_rlc(U256::from(1u64)), "0.000000001 RLC");
        assert_eq!(format_eth(U256::from(10u64).pow(U256::from(18u64))), "1 ETH");
    }
}
