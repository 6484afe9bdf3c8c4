//! Saved connections, tunnels and the state a connection can be in.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Row id of a saved connection in SQLite.
pub type ConnId = i64;

/// What the user typed into the connection form; everything needed to reach a Spark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionSpec {
    /// Unique, human name ("spark-lab"). Also the key the UI selects by.
    pub name: String,
    /// Host name or address (or an `~/.ssh/config` alias).
    pub host: String,
    pub port: u16,
    /// `None` means "whatever ssh config / $USER says".
    pub user: Option<String>,
    pub key_path: Option<PathBuf>,
    /// ProxyJump, `[user@]host[:port]`.
    pub jump: Option<String>,
    pub read_only: bool,
    /// Colour tag shown in the header (a theme colour name or `#rrggbb`).
    pub color: Option<String>,
}

impl ConnectionSpec {
    pub fn new(name: impl Into<String>, host: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            host: host.into(),
            port: 22,
            user: None,
            key_path: None,
            jump: None,
            read_only: false,
            color: None,
        }
    }
}

/// A connection as stored in SQLite. Times are Unix seconds (UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedConnection {
    pub id: ConnId,
    pub spec: ConnectionSpec,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_connected_at: Option<i64>,
}

/// Where an entry of the Connections tab comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConnOrigin {
    /// The local machine (run on the Spark itself).
    Local,
    /// Saved in sparkdeck's SQLite store.
    Saved,
    /// A `Host` alias found in `~/.ssh/config` (read-only in the form; "save" copies it).
    SshConfig,
}

/// A local port forward `local_port → remote_host:remote_port` over a connection.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TunnelSpec {
    pub local_port: u16,
    pub remote_host: String,
    pub remote_port: u16,
}

impl TunnelSpec {
    /// The Ollama tunnel every connection gets by default (seed 004: 11435 → 11434).
    pub fn ollama_default() -> Self {
        Self {
            local_port: 11435,
            remote_host: "localhost".into(),
            remote_port: 11434,
        }
    }
}

/// A tunnel saved for one connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedTunnel {
    pub id: i64,
    pub connection_id: ConnId,
    pub spec: TunnelSpec,
}

/// What a tunnel is doing right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TunnelState {
    Opening,
    Listening,
    /// Failed with a reason a user can act on ("local port 11435 in use; 11436 is free").
    Failed(String),
    Closed,
}

/// The state of one connection, as shown by the status dot.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnState {
    Disconnected,
    /// `attempt` counts from 1.
    Connecting {
        attempt: u32,
    },
    /// `since` is Unix seconds.
    Connected {
        since: i64,
    },
    /// Lost and retrying; `retry_at` is Unix seconds of the next try.
    Reconnecting {
        attempt: u32,
        retry_at: i64,
        reason: String,
    },
    Error {
        reason: String,
    },
}

impl ConnState {
    pub fn label(&self) -> &'static str {
        match self {
            ConnState::Disconnected => "disconnected",
            ConnState::Connecting { .. } => "connecting",
            ConnState::Connected { .. } => "connected",
            ConnState::Reconnecting { .. } => "reconnecting",
            ConnState::Error { .. } => "error",
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            ConnState::Reconnecting { reason, .. } | ConnState::Error { reason } => Some(reason),
            _ => None,
        }
    }

    pub fn is_connected(&self) -> bool {
        matches!(self, ConnState::Connected { .. })
    }
}

/// The user's answer to "the host key of X is not known".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HostKeyDecision {
    /// Accept for this connection only; nothing is written.
    TrustOnce,
    /// Accept and append the key to known_hosts.
    TrustAlways,
    Cancel,
}

/// A `Host` entry from `~/.ssh/config`, as listed in the Connections tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SshConfigEntry {
    pub alias: String,
    pub hostname: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub identity_file: Option<PathBuf>,
    pub proxy_jump: Option<String>,
}
