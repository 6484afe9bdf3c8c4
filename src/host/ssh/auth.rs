//! User authentication: ssh-agent identities, then key files, as OpenSSH orders them.

use super::SshTarget;
use super::handler::ClientHandler;
use crate::host::HostError;
use russh::client::Handle;
use russh::keys::agent::client::AgentClient;
use russh::keys::{HashAlg, PrivateKeyWithHashAlg, load_secret_key};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Key files OpenSSH tries when none is configured, in its order of preference.
const DEFAULT_KEYS: [&str; 3] = ["id_ed25519", "id_ecdsa", "id_rsa"];

fn default_key_files() -> Vec<PathBuf> {
    match std::env::home_dir() {
        Some(home) => DEFAULT_KEYS
            .iter()
            .map(|k| home.join(".ssh").join(k))
            .collect(),
        None => Vec::new(),
    }
}

async fn rsa_hash(handle: &Handle<ClientHandler>, is_rsa: bool) -> Option<HashAlg> {
    if !is_rsa {
        return None;
    }
    // Servers that do not announce rsa-sha2-* get SHA-256, which every OpenSSH since 7.2 takes.
    handle
        .best_supported_rsa_hash()
        .await
        .ok()
        .flatten()
        .unwrap_or(Some(HashAlg::Sha256))
}

/// Tries every available identity until one is accepted. Notes what was tried so a failure
/// says what to fix; never records key material or passphrases.
pub(super) async fn authenticate(
    handle: &mut Handle<ClientHandler>,
    target: &SshTarget,
    agent_socket: Option<PathBuf>,
) -> Result<(), HostError> {
    let user = target.user.clone();
    let mut tried: Vec<String> = Vec::new();
    let mut encrypted: Option<PathBuf> = None;

    if let Some(sock) = agent_socket {
        match try_agent(handle, &user, &sock).await {
            Ok(true) => return Ok(()),
            Ok(false) => tried.push(format!("ssh-agent at {}", sock.display())),
            Err(why) => tried.push(format!("ssh-agent at {} ({why})", sock.display())),
        }
    }

    let files = if target.identity_files.is_empty() {
        default_key_files()
    } else {
        target.identity_files.clone()
    };
    for path in files {
        match try_key_file(handle, &user, &path).await {
            KeyAttempt::Accepted => return Ok(()),
            KeyAttempt::Missing => {}
            KeyAttempt::Encrypted => {
                encrypted.get_or_insert(path.clone());
                tried.push(format!("{} (needs a passphrase)", path.display()));
            }
            KeyAttempt::Rejected => tried.push(path.display().to_string()),
            KeyAttempt::Unusable(why) => tried.push(format!("{} ({why})", path.display())),
        }
    }

    if let Some(path) = encrypted {
        return Err(HostError::KeyNeedsPassphrase { path });
    }
    let reason = if tried.is_empty() {
        "no ssh-agent and no key file found; set a key path or add a key to ssh-agent".to_string()
    } else {
        format!("the server accepted none of: {}", tried.join(", "))
    };
    Err(HostError::Auth {
        user,
        host: target.host.clone(),
        reason,
    })
}

async fn try_agent(
    handle: &mut Handle<ClientHandler>,
    user: &str,
    sock: &Path,
) -> Result<bool, String> {
    let mut agent = AgentClient::connect_uds(sock)
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let identities = agent
        .request_identities()
        .await
        .map_err(|e| format!("cannot list keys: {e}"))?;
    for id in identities {
        let key = id.public_key().into_owned();
        let hash = rsa_hash(handle, key.algorithm().is_rsa()).await;
        match handle
            .authenticate_publickey_with(user, key, hash, &mut agent)
            .await
        {
            Ok(r) if r.success() => return Ok(true),
            Ok(_) => {}
            Err(e) => tracing::debug!("agent key refused to sign: {e:?}"),
        }
    }
    Ok(false)
}

enum KeyAttempt {
    Accepted,
    Missing,
    Encrypted,
    Rejected,
    Unusable(String),
}

async fn try_key_file(handle: &mut Handle<ClientHandler>, user: &str, path: &Path) -> KeyAttempt {
    if !path.exists() {
        return KeyAttempt::Missing;
    }
    let key = match load_secret_key(path, None) {
        Ok(k) => k,
        Err(russh::keys::Error::KeyIsEncrypted) => return KeyAttempt::Encrypted,
        Err(e) => return KeyAttempt::Unusable(e.to_string()),
    };
    let hash = rsa_hash(handle, key.algorithm().is_rsa()).await;
    match handle
        .authenticate_publickey(user, PrivateKeyWithHashAlg::new(Arc::new(key), hash))
        .await
    {
        Ok(r) if r.success() => KeyAttempt::Accepted,
        Ok(_) => KeyAttempt::Rejected,
        Err(e) => KeyAttempt::Unusable(e.to_string()),
    }
}
