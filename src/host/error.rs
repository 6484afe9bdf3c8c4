use std::path::PathBuf;
use thiserror::Error;

/// Why something on a host failed, phrased so the user knows what to do next.
#[derive(Debug, Error)]
pub enum HostError {
    #[error("could not start `{program}`: {source}")]
    Spawn {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot reach {host}:{port}: {reason}")]
    Connect {
        host: String,
        port: u16,
        reason: String,
    },
    #[error("authentication as {user}@{host} failed: {reason}")]
    Auth {
        user: String,
        host: String,
        reason: String,
    },
    #[error(
        "key {path} is protected by a passphrase; load it into ssh-agent (ssh-add {path}) and retry"
    )]
    KeyNeedsPassphrase { path: PathBuf },
    #[error(
        "host key for {host} is not known (fingerprint {fingerprint}); connect in the TUI to review it, or pass --accept-new-host-key"
    )]
    HostKeyUnknown { host: String, fingerprint: String },
    #[error(
        "WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED for {host}! Someone could be eavesdropping on you right now (man-in-the-middle attack), or the host key has just been changed. The offending key is in {}:{line}. Remove it (ssh-keygen -R {host}) only if you know why it changed.",
        file.display()
    )]
    HostKeyChanged {
        host: String,
        file: PathBuf,
        line: usize,
    },
    #[error("host key for {host} was rejected by the user")]
    HostKeyRejected { host: String },
    #[error("local port {port} is already in use{}", suggestion.map(|p| format!("; {p} is free")).unwrap_or_default())]
    LocalPortInUse { port: u16, suggestion: Option<u16> },
    #[error("connection to {host} is closed")]
    Disconnected { host: String },
    #[error("ssh channel on {host}: {reason}")]
    Channel { host: String, reason: String },
    #[error("ssh config: {0}")]
    Config(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl HostError {
    /// Whether trying the same connection again later can succeed. Authentication and
    /// host-key problems need the user to act first, so a reconnect loop must stop on them.
    pub fn is_retryable(&self) -> bool {
        match self {
            HostError::Connect { .. }
            | HostError::Disconnected { .. }
            | HostError::Channel { .. }
            | HostError::Io { .. }
            | HostError::Spawn { .. } => true,
            HostError::Auth { .. }
            | HostError::KeyNeedsPassphrase { .. }
            | HostError::HostKeyUnknown { .. }
            | HostError::HostKeyChanged { .. }
            | HostError::HostKeyRejected { .. }
            | HostError::LocalPortInUse { .. }
            | HostError::Config(_) => false,
        }
    }
}
