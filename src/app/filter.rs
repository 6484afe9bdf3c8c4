//! The `/` filter of the Connections list: incremental, case-insensitive substring match.

use super::entries::Entry;

/// Does `entry` match `query`? Matches the name, host, user, jump host, origin and colour
/// tag, so "ssh-config" or "ro" narrow the list as well as a host name does.
pub fn matches(entry: &Entry, query: &str) -> bool {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return true;
    }
    let ro = if entry.read_only { "ro" } else { "" };
    [
        entry.name.as_str(),
        entry.host.as_str(),
        entry.user.as_deref().unwrap_or(""),
        entry.jump.as_deref().unwrap_or(""),
        entry.origin_label(),
        entry.color.as_deref().unwrap_or(""),
        ro,
    ]
    .iter()
    .any(|field| field.to_lowercase().contains(&q))
}
