//! `journalctl -o json` lines → text for the log viewer; journal permission hints.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::model::{SourceKind, SourceProblem};

/// A group name in journalctl's hint: `Users in groups 'adm', 'systemd-journal' can see all
/// messages.` (older: `Users in the 'systemd-journal' group can see all messages.`).
static QUOTED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"'([^']+)'").expect("quoted pattern compiles"));

/// Shown for a `MESSAGE` journalctl replaced by `null`: it leaves out fields over its size
/// limit unless run with `--all`.
pub const OVERSIZED_MESSAGE: &str =
    "[message left out by journalctl: over its size limit; --all shows it]";

/// One journal entry, the fields the log viewer uses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JournalEntry {
    /// `__REALTIME_TIMESTAMP`: µs since the Unix epoch.
    pub realtime_us: Option<u64>,
    /// syslog priority, 0 (emerg) … 7 (debug).
    pub priority: Option<u8>,
    /// `SYSLOG_IDENTIFIER`, else `_COMM`.
    pub identifier: Option<String>,
    /// `_PID`, else `SYSLOG_PID`.
    pub pid: Option<u32>,
    /// Decoded, ANSI escapes removed; a multi-line message keeps its `\n`s.
    pub message: String,
}

impl JournalEntry {
    /// `2026-11-22 10:00:01 ollama[1234]: message` (UTC), leaving out what is unknown.
    pub fn line(&self) -> String {
        let mut out = String::new();
        if let Some(ts) = self.realtime_us.and_then(utc_seconds) {
            out.push_str(&ts);
            out.push(' ');
        }
        match (&self.identifier, self.pid) {
            (Some(id), Some(pid)) => out.push_str(&format!("{id}[{pid}]: ")),
            (Some(id), None) => out.push_str(&format!("{id}: ")),
            (None, Some(pid)) => out.push_str(&format!("[{pid}]: ")),
            (None, None) => {}
        }
        out.push_str(&self.message);
        out
    }

    /// `line()` cut at the message's newlines, continuation lines indented under the
    /// message as journalctl does, for a viewer that shows one line per row.
    pub fn lines(&self) -> Vec<String> {
        let full = self.line();
        let prefix_chars = full.chars().count() - self.message.chars().count();
        let indent = " ".repeat(prefix_chars);
        full.split('\n')
            .enumerate()
            .map(|(i, l)| {
                if i == 0 {
                    l.to_string()
                } else {
                    format!("{indent}{l}")
                }
            })
            .collect()
    }
}

/// A `journalctl -o json` line; None for a line that is not a journal entry (not a JSON
/// object, or one with neither `MESSAGE` nor `__REALTIME_TIMESTAMP`).
pub fn parse_entry(json_line: &str) -> Option<JournalEntry> {
    let Ok(Value::Object(o)) = serde_json::from_str::<Value>(json_line.trim()) else {
        return None;
    };
    if !o.contains_key("MESSAGE") && !o.contains_key("__REALTIME_TIMESTAMP") {
        return None;
    }
    let message = match o.get("MESSAGE") {
        Some(Value::Null) => OVERSIZED_MESSAGE.to_string(),
        Some(v) => strip_ansi(value_text(v).unwrap_or_default().trim_end()),
        None => String::new(),
    };
    Some(JournalEntry {
        realtime_us: number(&o, "__REALTIME_TIMESTAMP"),
        priority: number(&o, "PRIORITY"),
        identifier: field(&o, "SYSLOG_IDENTIFIER").or_else(|| field(&o, "_COMM")),
        pid: number(&o, "_PID").or_else(|| number(&o, "SYSLOG_PID")),
        message,
    })
}

/// `2026-11-22 10:00:01 ollama[1234]: message` from one JSON entry (local time of the
/// entry's `__REALTIME_TIMESTAMP` in UTC, byte-array values decoded); None for a line that
/// is not a journal entry.
pub fn format_entry(json_line: &str) -> Option<String> {
    parse_entry(json_line).map(|e| e.line())
}

/// A text field, without ANSI escapes; None when absent, null or empty.
fn field(o: &Map<String, Value>, key: &str) -> Option<String> {
    let text = strip_ansi(&value_text(o.get(key)?)?);
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// Every journal value is a string, even numbers; parse it.
fn number<T: std::str::FromStr>(o: &Map<String, Value>, key: &str) -> Option<T> {
    match o.get(key)? {
        Value::Number(n) => n.to_string().parse().ok(),
        v => value_text(v)?.trim().parse().ok(),
    }
}

/// A journal value as text: a string; an array of byte numbers (values that are not
/// printable UTF-8, e.g. with colour codes) decoded; a multi-valued field (an array of
/// those) joined by newlines; None for `null`.
fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_number) => {
            let bytes: Option<Vec<u8>> = items
                .iter()
                .map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
                .collect();
            Some(String::from_utf8_lossy(&bytes?).into_owned())
        }
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(value_text).collect();
            (!parts.is_empty()).then(|| parts.join("\n"))
        }
        Value::Null | Value::Object(_) => None,
    }
}

fn utc_seconds(us: u64) -> Option<String> {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000).ok()?;
    at.format(format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second]"
    ))
    .ok()
}

/// Removes ANSI escape sequences: CSI (`ESC [` … final byte), OSC and other strings
/// (`ESC ]` … BEL or `ESC \`), and two-character escapes. uvicorn and vLLM colour their
/// log levels, which is why journald stored those lines as bytes.
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                for c in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&c) {
                        break;
                    }
                }
            }
            Some(']' | 'P' | '_' | '^' | 'X') => {
                while let Some(c) = chars.next() {
                    if c == '\u{7}' {
                        break;
                    }
                    if c == '\u{1b}' && chars.peek() == Some(&'\\') {
                        chars.next();
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// journalctl exits 0 without permission and says so on stderr: which group to join.
pub fn permission_problem(stderr: &str) -> Option<SourceProblem> {
    let lower = stderr.to_ascii_lowercase();
    let denied = lower.contains("not seeing messages from other users and the system")
        || lower.contains("insufficient permissions");
    if !denied {
        return None;
    }
    let mut groups: Vec<String> = stderr
        .lines()
        .find(|l| l.to_ascii_lowercase().contains("can see all messages"))
        .map(|l| QUOTED.captures_iter(l).map(|g| g[1].to_string()).collect())
        .unwrap_or_default();
    if groups.is_empty() {
        groups = vec!["adm".into(), "systemd-journal".into()];
    }
    // systemd-journal grants exactly journal reading; adm carries more, so prefer the former.
    let join = groups
        .iter()
        .find(|g| *g == "systemd-journal")
        .unwrap_or(&groups[0])
        .clone();
    Some(SourceProblem {
        source: SourceKind::Journal,
        message: format!(
            "no permission to read the system journal (only members of group {} see the \
             logs of system services)",
            groups.join(" or ")
        ),
        fix: Some(format!("sudo usermod -aG {join} $USER, then log in again")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_values_and_fallbacks() {
        let line = r#"{"__REALTIME_TIMESTAMP":"1795345972285606","PRIORITY":"5","_COMM":"ollama","_PID":"1234","MESSAGE":"listening"}"#;
        assert_eq!(
            format_entry(line).unwrap(),
            "2026-11-22 11:12:52 ollama[1234]: listening"
        );
        let e = parse_entry(line).unwrap();
        assert_eq!(e.priority, Some(5));
        let line = r#"{"__REALTIME_TIMESTAMP":"0","SYSLOG_IDENTIFIER":"sshd","SYSLOG_PID":"77","_COMM":"sshd-session","MESSAGE":"hi"}"#;
        assert_eq!(
            format_entry(line).unwrap(),
            "1970-01-01 00:00:00 sshd[77]: hi"
        );
        assert_eq!(format_entry(r#"{"MESSAGE":"bare"}"#).unwrap(), "bare");
    }

    #[test]
    fn byte_arrays_are_decoded_and_ansi_stripped() {
        let bytes: Vec<String> = "\u{1b}[32mINFO\u{1b}[0m: up"
            .bytes()
            .map(|b| b.to_string())
            .collect();
        let line = format!(
            r#"{{"SYSLOG_IDENTIFIER":[118,108,108,109],"MESSAGE":[{}]}}"#,
            bytes.join(",")
        );
        assert_eq!(format_entry(&line).unwrap(), "vllm: INFO: up");
        // Bytes that are not UTF-8 still show, as replacement characters.
        assert_eq!(
            format_entry(r#"{"MESSAGE":[104,255,105]}"#).unwrap(),
            "h\u{fffd}i"
        );
        // Out-of-range numbers are not bytes.
        assert_eq!(format_entry(r#"{"MESSAGE":[104,256]}"#).unwrap(), "");
    }

    #[test]
    fn null_and_multi_valued_messages() {
        assert_eq!(
            format_entry(r#"{"__REALTIME_TIMESTAMP":"1","MESSAGE":null}"#).unwrap(),
            format!("1970-01-01 00:00:00 {OVERSIZED_MESSAGE}")
        );
        assert_eq!(format_entry(r#"{"MESSAGE":["a",[98]]}"#).unwrap(), "a\nb");
    }

    #[test]
    fn multi_line_messages_split_with_indent() {
        let e = parse_entry(r#"{"__REALTIME_TIMESTAMP":"0","_COMM":"py","_PID":"7","MESSAGE":"Traceback:\n  File x\n"}"#)
            .unwrap();
        assert_eq!(e.message, "Traceback:\n  File x");
        assert_eq!(
            e.lines(),
            [
                "1970-01-01 00:00:00 py[7]: Traceback:",
                "                             File x"
            ]
        );
        assert_eq!(
            parse_entry(r#"{"MESSAGE":"one"}"#).unwrap().lines(),
            ["one"]
        );
    }

    #[test]
    fn not_entries() {
        for line in [
            "",
            "-- No entries --",
            "[1,2]",
            r#"{"other":1}"#,
            "{",
            "null",
        ] {
            assert_eq!(format_entry(line), None, "{line}");
        }
    }

    #[test]
    fn odd_timestamps_and_pids_are_left_out() {
        assert_eq!(
            format_entry(
                r#"{"__REALTIME_TIMESTAMP":"soon","_PID":"-1","_COMM":"x","MESSAGE":"m"}"#
            )
            .unwrap(),
            "x: m"
        );
        assert_eq!(
            format_entry(r#"{"__REALTIME_TIMESTAMP":"18446744073709551615","MESSAGE":"m"}"#)
                .unwrap(),
            "m"
        );
    }

    #[test]
    fn ansi_sequences() {
        assert_eq!(strip_ansi("\u{1b}[1;31mERR\u{1b}[0m x"), "ERR x");
        assert_eq!(strip_ansi("\u{1b}]0;title\u{7}text"), "text");
        assert_eq!(strip_ansi("\u{1b}]8;;http://x\u{1b}\\link"), "link");
        assert_eq!(strip_ansi("a\u{1b}"), "a");
        assert_eq!(strip_ansi("\u{1b}[38;5;"), "");
    }

    #[test]
    fn permission_hint_names_groups_and_fix() {
        let stderr = "Hint: You are currently not seeing messages from other users and the system.\n      Users in groups 'adm', 'systemd-journal' can see all messages.\n      Pass -q to turn off this notice.\n";
        let p = permission_problem(stderr).unwrap();
        assert_eq!(p.source, SourceKind::Journal);
        assert!(
            p.message.contains("group adm or systemd-journal"),
            "{}",
            p.message
        );
        assert_eq!(
            p.fix.as_deref(),
            Some("sudo usermod -aG systemd-journal $USER, then log in again")
        );
        let p = permission_problem(
            "Hint: You are currently not seeing messages from other users and the system.\n      Users in groups 'wheel' can see all messages.\n",
        )
        .unwrap();
        assert_eq!(
            p.fix.as_deref(),
            Some("sudo usermod -aG wheel $USER, then log in again")
        );
        assert_eq!(permission_problem("-- No entries --\n"), None);
        assert_eq!(permission_problem(""), None);
    }
}
