//! One value as nvidia-smi prints it, in any of its output formats.
//!
//! nvidia-smi reports a missing figure in many spellings (`[N/A]` in CSV, `N/A` in XML and the
//! table, `[Not Supported]`, `ERR!`, `[Unknown Error]`, …), pads columns with spaces, appends
//! units unless `nounits` is given, and truncates wide table cells with `...`. Every one of
//! these must read as "unknown" (`None`), never as zero and never as a panic.

/// Spellings nvidia-smi uses for "no value" when it does not wrap them in brackets.
const UNKNOWN_MARKERS: &[&str] = &[
    "n/a",
    "not supported",
    "err!",
    "unknown error",
    "insufficient permissions",
    "gpu is lost",
    "requested functionality has been deprecated",
    "not available",
    "not found",
];

/// Longest unit suffix accepted (`MiB`, `MHz`, `KiB/s`); anything longer is not a unit but a
/// sign the cell holds something other than a number.
const MAX_UNIT_LEN: usize = 6;

/// The trimmed cell, or `None` when it is empty, a status marker, or truncated.
fn present(s: &str) -> Option<&str> {
    let t = s.trim();
    if t.is_empty() || t.ends_with("...") || t.ends_with('…') {
        return None;
    }
    // Every bracketed CSV value is a status message, never a figure.
    if t.starts_with('[') && t.ends_with(']') {
        return None;
    }
    if UNKNOWN_MARKERS.iter().any(|m| t.eq_ignore_ascii_case(m)) {
        return None;
    }
    Some(t)
}

/// Splits `"11.17 W"` / `"61383MiB"` / `"35"` into the number text and its unit.
fn split_unit(t: &str) -> Option<(&str, &str)> {
    let end = t
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && (c == '-' || c == '+'))))
        .map_or(t.len(), |(i, _)| i);
    let (num, rest) = t.split_at(end);
    let unit = rest.trim_start();
    let unit_ok = unit.len() <= MAX_UNIT_LEN
        && unit
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == '%' || c == '/');
    if num.is_empty() || !unit_ok {
        return None;
    }
    Some((num, unit))
}

/// A number with or without its unit: `" 35 "`, `"11.17 W"`, `"0 %"`, `"-5 C"`.
pub fn parse_f64(s: &str) -> Option<f64> {
    let (num, _) = split_unit(present(s)?)?;
    num.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A non-negative whole number with or without its unit: `"1965 MHz"`, `"2804"`.
pub fn parse_u64(s: &str) -> Option<u64> {
    let (num, _) = split_unit(present(s)?)?;
    num.strip_prefix('+').unwrap_or(num).parse::<u64>().ok()
}

/// Like [`parse_u64`], for fields the model keeps as `u32` (clocks, pids, indices).
pub fn parse_u32(s: &str) -> Option<u32> {
    parse_u64(s).and_then(|v| u32::try_from(v).ok())
}

/// A memory figure in MiB (nvidia-smi's unit for memory, with `nounits` too) as bytes.
/// `KiB` and `GiB` are converted; any other unit is not a memory figure and gives `None`.
pub fn parse_mib_bytes(s: &str) -> Option<u64> {
    let (num, unit) = split_unit(present(s)?)?;
    let per_unit: u64 = match unit {
        "" | "MiB" => 1 << 20,
        "KiB" => 1 << 10,
        "GiB" => 1 << 30,
        _ => return None,
    };
    let value = num.strip_prefix('+').unwrap_or(num).parse::<u64>().ok()?;
    value.checked_mul(per_unit)
}

/// A text value (name, UUID, pstate), trimmed; `None` when it is a status marker.
/// Truncated text (`NVIDIA GeForce RTX 2080 ...`) is kept: a shortened name still tells the
/// operator which card it is, unlike a shortened number.
pub fn parse_text(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() || (t.starts_with('[') && t.ends_with(']')) {
        return None;
    }
    if UNKNOWN_MARKERS.iter().any(|m| t.eq_ignore_ascii_case(m)) {
        return None;
    }
    Some(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_unknown() {
        for s in [
            "[N/A]",
            "[Not Supported]",
            "N/A",
            "ERR!",
            "[Unknown Error]",
            "Not Supported",
            "",
            "   ",
            "Requested functionality has been deprecated",
        ] {
            assert_eq!(parse_f64(s), None, "{s:?}");
            assert_eq!(parse_u64(s), None, "{s:?}");
            assert_eq!(parse_mib_bytes(s), None, "{s:?}");
            assert_eq!(parse_text(s), None, "{s:?}");
        }
    }

    #[test]
    fn numbers_with_and_without_units() {
        assert_eq!(parse_f64(" 35 "), Some(35.0));
        assert_eq!(parse_f64("11.17 W"), Some(11.17));
        assert_eq!(parse_f64("0 %"), Some(0.0));
        assert_eq!(parse_f64("38%"), Some(38.0));
        assert_eq!(parse_f64("-5 C"), Some(-5.0));
        assert_eq!(parse_u64("1965 MHz"), Some(1965));
        assert_eq!(parse_u64("44C"), Some(44));
        assert_eq!(parse_u64("1.5"), None);
        assert_eq!(parse_u64("-3"), None);
        assert_eq!(parse_u32("4294967296"), None);
        assert_eq!(parse_mib_bytes("61383MiB"), Some(61383 * 1024 * 1024));
        assert_eq!(parse_mib_bytes("179"), Some(179 << 20));
        assert_eq!(parse_mib_bytes("2 GiB"), Some(2 << 30));
        assert_eq!(parse_mib_bytes("5 W"), None);
    }

    #[test]
    fn truncated_and_garbage_numbers_are_unknown() {
        assert_eq!(parse_mib_bytes("10794..."), None);
        assert_eq!(parse_u64("10794..."), None);
        assert_eq!(parse_u64("0x233010DE"), None);
        assert_eq!(parse_f64("12abc3"), None);
        assert_eq!(parse_f64("."), None);
        assert_eq!(parse_f64("W"), None);
        assert_eq!(parse_mib_bytes("99999999999999999999"), None);
        assert_eq!(parse_mib_bytes("18446744073709551615"), None);
    }

    #[test]
    fn text_is_trimmed() {
        assert_eq!(parse_text("  NVIDIA GB10 ").as_deref(), Some("NVIDIA GB10"));
        assert_eq!(parse_text("P0").as_deref(), Some("P0"));
    }
}
