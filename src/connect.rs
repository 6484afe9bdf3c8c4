//! Opening a `Host` by connection name: the one path the TUI, `snapshot` and later headless
//! commands share, so that they resolve names, read ssh config and check host keys alike.

use crate::config::Config;
use crate::host::ssh::{HostKeyPolicy, SshHost, SshOptions};
use crate::host::ssh_config::resolve_target;
use crate::host::{Host, HostError, LocalHost};
use crate::model::ConnectionSpec;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The name of the always-present entry for the machine sparkdeck runs on.
pub const LOCAL: &str = "local";

/// The ssh config file named in the config, else `~/.ssh/config` when it exists. A missing
/// default is `None` rather than its path: `ssh -G -F MISSING` fails, and a user without
/// `~/.ssh/config` must still reach hosts by name or saved connection.
pub fn ssh_config_path(config: &Config) -> Option<PathBuf> {
    config
        .ssh
        .config_file
        .clone()
        .or_else(|| home().map(|h| h.join(".ssh/config")).filter(|p| p.exists()))
}

/// `~/.ssh/known_hosts` unless the config names another file.
pub fn known_hosts_path(config: &Config) -> PathBuf {
    config.ssh.known_hosts.clone().unwrap_or_else(|| {
        home()
            .unwrap_or_else(|| PathBuf::from("."))
            .join(".ssh/known_hosts")
    })
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

pub fn ssh_options(config: &Config, policy: HostKeyPolicy) -> SshOptions {
    SshOptions {
        known_hosts: known_hosts_path(config),
        connect_timeout: Duration::from_secs(config.ssh.connect_timeout_s),
        keepalive_interval: Duration::from_secs(config.ssh.keepalive_interval_s),
        keepalive_max: config.ssh.keepalive_max as usize,
        max_channels: config.ssh.max_channels as usize,
        policy,
        agent_socket: None,
    }
}

/// Opens `spec` (the local machine when its name is [`LOCAL`]).
pub async fn open(
    spec: &ConnectionSpec,
    config: &Config,
    policy: HostKeyPolicy,
) -> Result<Arc<dyn Host>, HostError> {
    if spec.name == LOCAL {
        return Ok(Arc::new(LocalHost::new()));
    }
    let target = resolve_target(spec, ssh_config_path(config).as_deref())?;
    let host = SshHost::connect(&target, ssh_options(config, policy)).await?;
    Ok(Arc::new(host))
}
