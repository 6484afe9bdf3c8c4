//! `sparkdeck history export`: durations as people type them (`30m`, `24h`, `7d`) and the
//! CSV / JSON renderings of stored history windows (columns in docs/history.md).

use crate::store::history::{EXPORT_COLUMNS, ExportRow};
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum DurationError {
    #[error(
        "{0:?} is not a duration; write a whole number and a unit: s, m, h, d or w (e.g. 30m, 24h, 7d)"
    )]
    Malformed(String),
    #[error("{0:?} is longer than sparkdeck can count back; use a shorter duration")]
    TooLong(String),
}

/// Seconds in `text`: a positive whole number followed by `s`, `m`, `h`, `d` or `w`.
pub fn parse_duration(text: &str) -> Result<i64, DurationError> {
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| DurationError::Malformed(text.to_string()))?;
    let (digits, unit) = t.split_at(split);
    let unit_s: i64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(DurationError::Malformed(text.to_string())),
    };
    if digits.is_empty() {
        return Err(DurationError::Malformed(text.to_string()));
    }
    let n: i64 = digits
        .parse()
        .map_err(|_| DurationError::TooLong(text.to_string()))?;
    if n == 0 {
        return Err(DurationError::Malformed(text.to_string()));
    }
    n.checked_mul(unit_s)
        .ok_or_else(|| DurationError::TooLong(text.to_string()))
}

fn field(v: Option<i64>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

/// RFC 4180: quote a field holding a separator, quote or line break; double inner quotes.
fn text_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// CSV with a header line (`EXPORT_COLUMNS`); an unknown value is an empty field.
pub fn to_csv(rows: &[ExportRow]) -> String {
    let mut out = EXPORT_COLUMNS.join(",");
    out.push('\n');
    for r in rows {
        let values = [
            text_field(&r.host),
            r.gpu_index.to_string(),
            r.gpu_uuid.as_deref().map(text_field).unwrap_or_default(),
            r.window_start.to_string(),
            r.window_end.to_string(),
            r.window_s.to_string(),
            field(r.util_pct_min),
            field(r.util_pct_avg),
            field(r.util_pct_max),
            field(r.mem_used_mib_min),
            field(r.mem_used_mib_avg),
            field(r.mem_used_mib_max),
            field(r.temp_c_min),
            field(r.temp_c_avg),
            field(r.temp_c_max),
            field(r.power_mw_min),
            field(r.power_mw_avg),
            field(r.power_mw_max),
            field(r.clock_gr_mhz_min),
            field(r.clock_gr_mhz_avg),
            field(r.clock_gr_mhz_max),
        ];
        out.push_str(&values.join(","));
        out.push('\n');
    }
    out
}

/// A JSON array of objects keyed like the CSV columns; unknown values are `null`.
pub fn to_json(rows: &[ExportRow]) -> String {
    // Serialising plain structs of strings and integers cannot fail.
    let mut out = serde_json::to_string_pretty(rows).unwrap_or_else(|_| "[]".into());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30m"), Ok(1800));
        assert_eq!(parse_duration("24h"), Ok(86_400));
        assert_eq!(parse_duration(" 7d "), Ok(604_800));
        assert_eq!(parse_duration("2w"), Ok(1_209_600));
        assert_eq!(parse_duration("45s"), Ok(45));
        for bad in [
            "", "h", "24", "24x", "-1h", "1.5h", "0h", "24 h", "1h30m", "ü",
        ] {
            assert!(
                matches!(parse_duration(bad), Err(DurationError::Malformed(_))),
                "{bad:?}"
            );
        }
        assert!(matches!(
            parse_duration("99999999999999999999d"),
            Err(DurationError::TooLong(_))
        ));
        assert!(matches!(
            parse_duration("999999999999999w"),
            Err(DurationError::TooLong(_))
        ));
    }

    fn row(host: &str) -> ExportRow {
        ExportRow {
            host: host.into(),
            gpu_index: 1,
            gpu_uuid: None,
            window_start: 100,
            window_end: 120,
            window_s: 20,
            util_pct_min: Some(3),
            util_pct_avg: None,
            util_pct_max: Some(97),
            mem_used_mib_min: None,
            mem_used_mib_avg: None,
            mem_used_mib_max: None,
            temp_c_min: Some(40),
            temp_c_avg: Some(41),
            temp_c_max: Some(42),
            power_mw_min: Some(11_170),
            power_mw_avg: Some(20_000),
            power_mw_max: Some(98_000),
            clock_gr_mhz_min: None,
            clock_gr_mhz_avg: None,
            clock_gr_mhz_max: None,
        }
    }

    #[test]
    fn csv_quotes_odd_host_names_and_leaves_unknown_empty() {
        let csv = to_csv(&[row("a,\"b\"")]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0].split(',').count(), EXPORT_COLUMNS.len());
        assert_eq!(
            lines[1],
            "\"a,\"\"b\"\"\",1,,100,120,20,3,,97,,,,40,41,42,11170,20000,98000,,,"
        );
    }

    #[test]
    fn json_has_nulls() {
        let v: serde_json::Value = serde_json::from_str(&to_json(&[row("h")])).unwrap();
        assert_eq!(v[0]["util_pct_avg"], serde_json::Value::Null);
        assert_eq!(v[0]["power_mw_max"], 98_000);
        assert_eq!(v[0].as_object().unwrap().len(), EXPORT_COLUMNS.len());
    }
}
