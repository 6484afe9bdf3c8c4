//! The russh client handler: host-key verification and noticing the end of a session.

use super::{HostKeyPolicy, HostKeyQuestion, SshOptions, SshTarget};
use crate::host::HostError;
use crate::model::HostKeyDecision;
use russh::client::{self, DisconnectReason};
use russh::keys::{HashAlg, PublicKey, PublicKeyOrCertificate, known_hosts};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::{oneshot, watch};

/// State the handler shares with `SshHost`, since russh owns the handler itself.
pub(super) struct HandlerShared {
    /// Why the host key was refused; russh itself only reports "unknown server key".
    verdict: Mutex<Option<HostError>>,
    /// Set while the user is looking at a host-key question (pauses the connect timeout).
    pub(super) asking: AtomicBool,
    pub(super) user_disconnected: AtomicBool,
    closed_tx: watch::Sender<Option<String>>,
}

impl HandlerShared {
    pub(super) fn new(closed_tx: watch::Sender<Option<String>>) -> Self {
        Self {
            verdict: Mutex::new(None),
            asking: AtomicBool::new(false),
            user_disconnected: AtomicBool::new(false),
            closed_tx,
        }
    }

    pub(super) fn take_verdict(&self) -> Option<HostError> {
        self.verdict.lock().ok()?.take()
    }

    fn refuse(&self, err: HostError) -> Result<bool, russh::Error> {
        if let Ok(mut v) = self.verdict.lock() {
            *v = Some(err);
        }
        Ok(false)
    }
}

pub(super) struct ClientHandler {
    host: String,
    port: u16,
    known_hosts: PathBuf,
    policy: HostKeyPolicy,
    shared: std::sync::Arc<HandlerShared>,
}

impl ClientHandler {
    pub(super) fn new(
        target: &SshTarget,
        opts: &SshOptions,
        shared: std::sync::Arc<HandlerShared>,
    ) -> Self {
        Self {
            host: target.host.clone(),
            port: target.port,
            known_hosts: opts.known_hosts.clone(),
            policy: opts.policy.clone(),
            shared,
        }
    }

    /// The host as known_hosts and `ssh-keygen -R` spell it.
    fn host_entry(&self) -> String {
        if self.port == 22 {
            self.host.clone()
        } else {
            format!("[{}]:{}", self.host, self.port)
        }
    }

    fn learn(&self, key: &PublicKey) -> Result<bool, russh::Error> {
        match known_hosts::learn_known_hosts_path(&self.host, self.port, key, &self.known_hosts) {
            Ok(()) => Ok(true),
            Err(e) => self.shared.refuse(HostError::Io {
                context: format!(
                    "cannot record the host key of {} in {}",
                    self.host_entry(),
                    self.known_hosts.display()
                ),
                source: std::io::Error::other(e.to_string()),
            }),
        }
    }

    async fn ask(
        &self,
        tx: &tokio::sync::mpsc::Sender<HostKeyQuestion>,
        key: &PublicKey,
    ) -> HostKeyDecision {
        let other_known_keys =
            known_hosts::known_host_keys_path(&self.host, self.port, &self.known_hosts)
                .map(|k| k.len())
                .unwrap_or(0);
        let (reply, answer) = oneshot::channel();
        let question = HostKeyQuestion {
            host: self.host.clone(),
            port: self.port,
            key_type: key.algorithm().as_str().to_string(),
            fingerprint: key.fingerprint(HashAlg::Sha256).to_string(),
            known_hosts: self.known_hosts.clone(),
            other_known_keys,
            reply,
        };
        self.shared.asking.store(true, Ordering::SeqCst);
        // Nobody listening, or the question dropped unanswered, counts as "cancel".
        let decision = match tx.send(question).await {
            Ok(()) => answer.await.unwrap_or(HostKeyDecision::Cancel),
            Err(_) => HostKeyDecision::Cancel,
        };
        self.shared.asking.store(false, Ordering::SeqCst);
        decision
    }
}

/// russh numbers known_hosts entries without counting `#` comment lines; the user needs
/// the line as an editor shows it.
fn file_line(path: &std::path::Path, entry: usize) -> usize {
    let Ok(text) = std::fs::read_to_string(path) else {
        return entry;
    };
    text.split_inclusive('\n')
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#'))
        .nth(entry.saturating_sub(1))
        .map_or(entry, |(i, _)| i + 1)
}

impl client::Handler for ClientHandler {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        server_key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let key = match server_key {
            PublicKeyOrCertificate::PublicKey { key, .. } => key.clone(),
            // Host certificates need @cert-authority support, which known_hosts checking
            // here lacks; the certified key itself is still checked like a plain key.
            PublicKeyOrCertificate::Certificate(cert) => {
                PublicKey::new(cert.public_key().clone(), "")
            }
        };
        match known_hosts::check_known_hosts_path(&self.host, self.port, &key, &self.known_hosts) {
            Ok(true) => Ok(true),
            Err(russh::keys::Error::KeyChanged { line }) => {
                self.shared.refuse(HostError::HostKeyChanged {
                    host: self.host_entry(),
                    file: self.known_hosts.clone(),
                    line: file_line(&self.known_hosts, line),
                })
            }
            Err(e) => self.shared.refuse(HostError::Io {
                context: format!(
                    "cannot check known hosts file {}",
                    self.known_hosts.display()
                ),
                source: std::io::Error::other(e.to_string()),
            }),
            Ok(false) => match self.policy.clone() {
                HostKeyPolicy::Strict => self.shared.refuse(HostError::HostKeyUnknown {
                    host: self.host_entry(),
                    fingerprint: key.fingerprint(HashAlg::Sha256).to_string(),
                }),
                HostKeyPolicy::AcceptNew => self.learn(&key),
                HostKeyPolicy::Ask(tx) => match self.ask(&tx, &key).await {
                    HostKeyDecision::TrustOnce => Ok(true),
                    HostKeyDecision::TrustAlways => self.learn(&key),
                    HostKeyDecision::Cancel => self.shared.refuse(HostError::HostKeyRejected {
                        host: self.host_entry(),
                    }),
                },
            },
        }
    }

    async fn disconnected(
        &mut self,
        reason: DisconnectReason<Self::Error>,
    ) -> Result<(), Self::Error> {
        let why = if self.shared.user_disconnected.load(Ordering::SeqCst) {
            "disconnected by the user".to_string()
        } else {
            match &reason {
                DisconnectReason::ReceivedDisconnect(info) => {
                    format!(
                        "the server closed the connection ({:?}: {})",
                        info.reason_code, info.message
                    )
                }
                DisconnectReason::Error(russh::Error::KeepaliveTimeout) => {
                    "no answer to keepalives; the host or network is down".to_string()
                }
                DisconnectReason::Error(e) => format!("connection lost: {e}"),
            }
        };
        tracing::info!("ssh session to {} ended: {why}", self.host_entry());
        self.shared.closed_tx.send_replace(Some(why));
        // The reason is delivered through `closed()`; re-raising it would only surface as a
        // join error nobody reads.
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::file_line;

    #[test]
    fn entry_numbers_become_file_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("known_hosts");
        std::fs::write(&path, "# a\nhost1 k\n# b\n# c\nhost2 k\n\nhost3 k\n").unwrap();
        assert_eq!(file_line(&path, 1), 2);
        assert_eq!(file_line(&path, 2), 5);
        assert_eq!(file_line(&path, 4), 7);
        assert_eq!(file_line(&path, 9), 9);
        assert_eq!(file_line(&dir.path().join("missing"), 3), 3);
    }
}
