//! `journalctl -o json` lines → text for the log viewer; journal permission hints.

use crate::model::SourceProblem;

/// `2026-11-22 10:00:01 ollama[1234]: message` from one JSON entry (local time of the
/// entry's `__REALTIME_TIMESTAMP` in UTC, byte-array values decoded); None for a line that
/// is not a journal entry.
pub fn format_entry(_json_line: &str) -> Option<String> {
    todo!("parsers helper")
}

/// journalctl exits 0 without permission and says so on stderr: which group to join.
pub fn permission_problem(_stderr: &str) -> Option<SourceProblem> {
    todo!("parsers helper")
}
