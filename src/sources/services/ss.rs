//! `ss -H -ltnp` (IPv4 and IPv6).

use crate::model::Listener;

/// LISTEN lines of `ss -H -ltnp` (also tolerates a header line and `-e` extras); lines that
/// do not parse are skipped.
pub fn parse_ss(_text: &str) -> Vec<Listener> {
    todo!("parsers helper")
}
