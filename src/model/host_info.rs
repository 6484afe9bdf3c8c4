//! The `host` section of `sparkdeck snapshot` (DESIGN §7).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostInfo {
    /// The connection name ("local" when running on the box itself).
    pub name: String,
    pub hostname: Option<String>,
    /// "local" or "ssh".
    pub source: String,
    pub user: Option<String>,
    pub groups: Vec<String>,
    pub kernel: Option<String>,
    pub arch: Option<String>,
    pub uptime_s: Option<u64>,
}
