//! `/proc/meminfo` → the figures of [`HostMemory`] it holds.

use crate::model::HostMemory;

/// `Key:   1234 kB` → bytes. The kernel prints `kB` meaning KiB; lines without a unit are
/// page counts and are not what this reads.
fn kib_value(rest: &str) -> Option<u64> {
    let mut words = rest.split_whitespace();
    let value: u64 = words.next()?.parse().ok()?;
    match (words.next(), words.next()) {
        (Some("kB"), None) => value.checked_mul(1024),
        _ => None,
    }
}

/// `MemTotal`, `MemAvailable` and `SwapFree` in bytes; the pressure fields stay `None`
/// (they come from [`super::parse_pressure`]). A missing or odd line leaves its field unknown.
pub fn parse_meminfo(text: &str) -> HostMemory {
    let mut m = HostMemory::default();
    for line in text.lines() {
        let Some((key, rest)) = line.split_once(':') else {
            continue;
        };
        let slot = match key.trim() {
            "MemTotal" => &mut m.mem_total_bytes,
            "MemAvailable" => &mut m.mem_available_bytes,
            "SwapFree" => &mut m.swap_free_bytes,
            _ => continue,
        };
        *slot = kib_value(rest);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_figures() {
        let m =
            parse_meminfo("MemTotal: 10 kB\nMemFree: 5 kB\nMemAvailable: 7 kB\nSwapFree: 0 kB\n");
        assert_eq!(m.mem_total_bytes, Some(10240));
        assert_eq!(m.mem_available_bytes, Some(7168));
        assert_eq!(m.swap_free_bytes, Some(0));
        assert_eq!(m.pressure_some_avg10, None);
    }

    #[test]
    fn odd_lines_are_unknown() {
        let m = parse_meminfo(
            "MemTotal: lots kB\nMemAvailable: 7 MB\nSwapFree: 99999999999999999999 kB",
        );
        assert_eq!(m, HostMemory::default());
    }
}
