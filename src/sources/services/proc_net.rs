//! `/proc/net/tcp` and `/proc/net/tcp6`: the fallback when `ss` is missing.

use crate::model::Listener;

/// Sockets in state 0A (LISTEN), with the owner uid and no process names.
pub fn parse_proc_net_tcp(_text: &str, _v6: bool) -> Vec<Listener> {
    todo!("parsers helper")
}
