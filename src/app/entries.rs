//! The rows of the Connections tab: this machine, saved connections and `~/.ssh/config`
//! hosts merged into one list, keyed by name.

use crate::model::{ConnId, ConnOrigin, SavedConnection, SshConfigEntry};
use std::path::PathBuf;

/// The name of the entry for the machine sparkdeck runs on.
pub const LOCAL_NAME: &str = "local";

/// One row of the Connections tab, whatever its origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub origin: ConnOrigin,
    /// Set for saved connections only.
    pub id: Option<ConnId>,
    pub host: String,
    /// `None`: whatever ssh decides (22 unless the config says otherwise).
    pub port: Option<u16>,
    pub user: Option<String>,
    pub key_path: Option<PathBuf>,
    pub jump: Option<String>,
    pub read_only: bool,
    pub color: Option<String>,
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
    pub last_connected_at: Option<i64>,
}

impl Entry {
    /// `user@host:port`, leaving out what is not known.
    pub fn address(&self) -> String {
        let mut s = String::new();
        if let Some(u) = &self.user {
            s.push_str(u);
            s.push('@');
        }
        s.push_str(&self.host);
        if let Some(p) = self.port {
            s.push_str(&format!(":{p}"));
        }
        s
    }

    /// `user@host` for the header.
    pub fn user_host(&self) -> String {
        match &self.user {
            Some(u) => format!("{u}@{}", self.host),
            None => self.host.clone(),
        }
    }

    pub fn origin_label(&self) -> &'static str {
        match self.origin {
            ConnOrigin::Local => "local",
            ConnOrigin::Saved => "saved",
            ConnOrigin::SshConfig => "ssh-config",
        }
    }

    fn local(hostname: &str, user: Option<String>) -> Self {
        Entry {
            name: LOCAL_NAME.into(),
            origin: ConnOrigin::Local,
            id: None,
            host: hostname.into(),
            port: None,
            user,
            key_path: None,
            jump: None,
            read_only: false,
            color: None,
            created_at: None,
            updated_at: None,
            last_connected_at: None,
        }
    }

    fn saved(c: &SavedConnection) -> Self {
        Entry {
            name: c.spec.name.clone(),
            origin: ConnOrigin::Saved,
            id: Some(c.id),
            host: c.spec.host.clone(),
            port: Some(c.spec.port),
            user: c.spec.user.clone(),
            key_path: c.spec.key_path.clone(),
            jump: c.spec.jump.clone(),
            read_only: c.spec.read_only,
            color: c.spec.color.clone(),
            created_at: Some(c.created_at),
            updated_at: Some(c.updated_at),
            last_connected_at: c.last_connected_at,
        }
    }

    fn ssh_config(e: &SshConfigEntry) -> Self {
        Entry {
            name: e.alias.clone(),
            origin: ConnOrigin::SshConfig,
            id: None,
            // Without HostName, ssh connects to the alias itself.
            host: e.hostname.clone().unwrap_or_else(|| e.alias.clone()),
            port: e.port,
            user: e.user.clone(),
            key_path: e.identity_file.clone(),
            jump: e.proxy_jump.clone(),
            read_only: false,
            color: None,
            created_at: None,
            updated_at: None,
            last_connected_at: None,
        }
    }
}

/// `local` first, then saved connections by name, then ssh-config hosts in file order.
/// A saved connection hides an ssh-config host of the same name; patterns (`Host *`) are
/// not hosts one can connect to and are left out.
pub fn merge(
    local_hostname: &str,
    local_user: Option<String>,
    saved: &[SavedConnection],
    ssh_config: &[SshConfigEntry],
) -> Vec<Entry> {
    let mut out = vec![Entry::local(local_hostname, local_user)];
    let mut saved: Vec<&SavedConnection> =
        saved.iter().filter(|c| c.spec.name != LOCAL_NAME).collect();
    saved.sort_by(|a, b| a.spec.name.cmp(&b.spec.name));
    out.extend(saved.into_iter().map(Entry::saved));
    for e in ssh_config {
        let is_pattern = e.alias.contains(['*', '?', '!']);
        if is_pattern || out.iter().any(|x| x.name == e.alias) {
            continue;
        }
        out.push(Entry::ssh_config(e));
    }
    out
}
