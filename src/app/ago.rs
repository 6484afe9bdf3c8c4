//! Human ages ("12s ago", "2 hours ago"): pure functions of two timestamps.

/// A compact age for tight columns and the header: `12s`, `4m`, `3h`, `2d`.
pub fn short(then: i64, now: i64) -> String {
    let d = now.saturating_sub(then).max(0);
    match d {
        0..=59 => format!("{d}s"),
        60..=3599 => format!("{}m", d / 60),
        3600..=86_399 => format!("{}h", d / 3600),
        _ => format!("{}d", d / 86_400),
    }
}

/// A spoken age for "last connected": `just now`, `5 minutes ago`, `2 hours ago`, `never`.
pub fn long(then: Option<i64>, now: i64) -> String {
    let Some(then) = then else {
        return "never".into();
    };
    let d = now.saturating_sub(then);
    if d < 0 {
        // A clock that went backwards must not print "-3 minutes ago".
        return "just now".into();
    }
    let (n, unit) = match d {
        0..=59 => return "just now".into(),
        60..=3599 => (d / 60, "minute"),
        3600..=86_399 => (d / 3600, "hour"),
        86_400..=2_591_999 => (d / 86_400, "day"),
        2_592_000..=31_535_999 => (d / 2_592_000, "month"),
        _ => (d / 31_536_000, "year"),
    };
    let s = if n == 1 { "" } else { "s" };
    format!("{n} {unit}{s} ago")
}

/// A duration such as an uptime: `3d 4h`, `5h 12m`, `7m`.
pub fn duration(secs: u64) -> String {
    let (d, h, m) = (secs / 86_400, (secs % 86_400) / 3600, (secs % 3600) / 60);
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else {
        format!("{m}m")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_ages_read_naturally() {
        assert_eq!(long(None, 100), "never");
        assert_eq!(long(Some(100), 130), "just now");
        assert_eq!(long(Some(0), 60), "1 minute ago");
        assert_eq!(long(Some(0), 7200), "2 hours ago");
        assert_eq!(long(Some(0), 86_400 * 3), "3 days ago");
        assert_eq!(long(Some(500), 100), "just now");
    }

    #[test]
    fn short_ages_and_durations() {
        assert_eq!(short(0, 12), "12s");
        assert_eq!(short(0, 240), "4m");
        assert_eq!(short(0, 3 * 3600), "3h");
        assert_eq!(short(10, 0), "0s");
        assert_eq!(duration(3 * 86_400 + 4 * 3600), "3d 4h");
        assert_eq!(duration(5 * 3600 + 12 * 60), "5h 12m");
        assert_eq!(duration(420), "7m");
    }
}
