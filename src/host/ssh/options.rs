//! What an SSH connection needs: the resolved target and the client options.

use crate::model::HostKeyDecision;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Everything needed to open one SSH session, after `~/.ssh/config` was applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshTarget {
    /// The connection name shown to the user.
    pub name: String,
    pub host: String,
    pub port: u16,
    pub user: String,
    /// Tried in order after the agent; empty means the default keys in `~/.ssh`.
    pub identity_files: Vec<PathBuf>,
    /// ProxyJump: the host to go through first (itself possibly behind another jump).
    pub jump: Option<Box<SshTarget>>,
}

/// What to do with a host key that known_hosts does not list.
#[derive(Debug, Clone)]
pub enum HostKeyPolicy {
    /// Refuse (headless mode without `--accept-new-host-key`).
    Strict,
    /// Trust on first use and record it in known_hosts.
    AcceptNew,
    /// Ask the UI and wait for its answer.
    Ask(mpsc::Sender<HostKeyQuestion>),
}

/// "The host key of X is not known: trust it?", sent to the UI under `HostKeyPolicy::Ask`.
#[derive(Debug)]
pub struct HostKeyQuestion {
    /// The host name or address as connected to (without the port).
    pub host: String,
    pub port: u16,
    /// e.g. `ssh-ed25519`.
    pub key_type: String,
    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    pub known_hosts: PathBuf,
    /// Keys of *other* algorithms already recorded for this host. Non-zero means the host
    /// is known but now shows a key type never seen before: that deserves a loud warning,
    /// because it is how a changed host can look.
    pub other_known_keys: usize,
    pub reply: oneshot::Sender<HostKeyDecision>,
}

impl HostKeyQuestion {
    /// The warning to show above the question; empty when the host was never seen before.
    pub fn warning(&self) -> String {
        if self.other_known_keys == 0 {
            String::new()
        } else {
            format!(
                "WARNING: {}:{} already has {} key(s) of another type in {}, but now offers a {} key. \
                 This can mean the host was replaced or someone is intercepting the connection. \
                 Trust it only if you know why the key type changed.",
                self.host,
                self.port,
                self.other_known_keys,
                self.known_hosts.display(),
                self.key_type
            )
        }
    }
}

#[derive(Debug, Clone)]
pub struct SshOptions {
    pub known_hosts: PathBuf,
    pub connect_timeout: Duration,
    pub keepalive_interval: Duration,
    /// Unanswered keepalives before the session counts as lost.
    pub keepalive_max: usize,
    /// Concurrent session channels; stays below sshd's MaxSessions (10 by default).
    pub max_channels: usize,
    pub policy: HostKeyPolicy,
    /// `None`: `$SSH_AUTH_SOCK`; an empty path means "no agent".
    pub agent_socket: Option<PathBuf>,
}

impl SshOptions {
    /// Defaults that suit an interactive dashboard, checking keys against `known_hosts`.
    pub fn new(known_hosts: PathBuf, policy: HostKeyPolicy) -> Self {
        Self {
            known_hosts,
            connect_timeout: Duration::from_secs(10),
            keepalive_interval: Duration::from_secs(5),
            keepalive_max: 3,
            max_channels: 8,
            policy,
            agent_socket: None,
        }
    }

    pub(super) fn agent_path(&self) -> Option<PathBuf> {
        let path = match &self.agent_socket {
            Some(p) => p.clone(),
            None => PathBuf::from(std::env::var_os("SSH_AUTH_SOCK")?),
        };
        // An empty SSH_AUTH_SOCK is common in scripts and means "no agent", not an error.
        (!path.as_os_str().is_empty()).then_some(path)
    }
}
