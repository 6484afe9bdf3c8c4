//! A Spark reached over SSH (russh): one TCP connection, many channels.

mod auth;
mod channel;
mod handler;
mod options;

pub use options::{HostKeyPolicy, HostKeyQuestion, SshOptions, SshTarget};

use super::listen::bind_local;
use super::quote::join_argv;
use super::{ExecOutput, Forward, Host, HostError, HostKind, LineStream};
use async_trait::async_trait;
use handler::{ClientHandler, HandlerShared};
use russh::client;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::sync::{Semaphore, watch};
use tokio_util::sync::CancellationToken;

/// An authenticated SSH session implementing `Host`. Commands run through the login shell
/// with every argument quoted, so a missing program is exit status 127 with the shell's
/// message on stderr. Execs and streams share `max_channels` session channels; streams never
/// take the last one.
pub struct SshHost {
    name: String,
    /// `user@host:port`, for messages.
    label: String,
    handle: Arc<client::Handle<ClientHandler>>,
    channels: Arc<Semaphore>,
    /// Long-running streams may take all slots but one, so an exec can always run.
    streams: Arc<Semaphore>,
    closed_rx: watch::Receiver<Option<String>>,
    shared: Arc<HandlerShared>,
    /// Keeps the jump host's session alive for as long as this one uses it.
    jump: Option<Box<SshHost>>,
}

impl std::fmt::Debug for SshHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SshHost")
            .field("name", &self.name)
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

impl SshHost {
    /// Connects (through the jump chain, if any), checks the host key and authenticates.
    pub async fn connect(target: &SshTarget, opts: SshOptions) -> Result<SshHost, HostError> {
        let jump = match &target.jump {
            Some(j) => Some(Box::new(Box::pin(SshHost::connect(j, opts.clone())).await?)),
            None => None,
        };
        let config = Arc::new(client::Config {
            keepalive_interval: Some(opts.keepalive_interval),
            keepalive_max: opts.keepalive_max,
            inactivity_timeout: None,
            nodelay: true,
            ..Default::default()
        });
        let (closed_tx, closed_rx) = watch::channel(None);
        let shared = Arc::new(HandlerShared::new(closed_tx));
        let handler = ClientHandler::new(target, &opts, shared.clone());
        let connecting = async {
            match &jump {
                Some(j) => {
                    let ch = j
                        .handle
                        .channel_open_direct_tcpip(
                            target.host.clone(),
                            u32::from(target.port),
                            "127.0.0.1",
                            0,
                        )
                        .await
                        .map_err(|e| HostError::Connect {
                            host: target.host.clone(),
                            port: target.port,
                            reason: format!("jump host {} could not open a tunnel: {e}", j.label),
                        })?;
                    Ok(client::connect_stream(config, ch.into_stream(), handler).await)
                }
                None => {
                    let tcp = tokio::net::TcpStream::connect((target.host.as_str(), target.port))
                        .await
                        .map_err(|e| HostError::Connect {
                            host: target.host.clone(),
                            port: target.port,
                            reason: e.to_string(),
                        })?;
                    let _ = tcp.set_nodelay(true);
                    Ok(client::connect_stream(config, tcp, handler).await)
                }
            }
        };
        let result = with_timeout_unless_asking(&shared, opts.connect_timeout, connecting)
            .await
            .ok_or_else(|| HostError::Connect {
                host: target.host.clone(),
                port: target.port,
                reason: format!(
                    "no SSH handshake within {}s; check the address and that sshd is running",
                    opts.connect_timeout.as_secs_f32()
                ),
            })??;
        let mut handle = match result {
            Ok(h) => h,
            Err(e) => {
                return Err(shared.take_verdict().unwrap_or_else(|| HostError::Connect {
                    host: target.host.clone(),
                    port: target.port,
                    reason: e.to_string(),
                }));
            }
        };
        let authenticated = tokio::time::timeout(
            opts.connect_timeout,
            auth::authenticate(&mut handle, target, opts.agent_path()),
        )
        .await
        .map_err(|_| HostError::Connect {
            host: target.host.clone(),
            port: target.port,
            reason: format!(
                "authentication got no answer within {}s",
                opts.connect_timeout.as_secs_f32()
            ),
        })?;
        // A server that ends the connection after too many attempts (MaxAuthTries) still
        // means "these keys are not accepted", so failures stay authentication errors.
        authenticated?;
        Ok(SshHost {
            name: target.name.clone(),
            label: format!("{}@{}:{}", target.user, target.host, target.port),
            handle: Arc::new(handle),
            channels: Arc::new(Semaphore::new(opts.max_channels.max(1))),
            streams: Arc::new(Semaphore::new(opts.max_channels.saturating_sub(1).max(1))),
            closed_rx,
            shared,
            jump,
        })
    }

    /// True once the session has ended (server gone, keepalive timeout, or `disconnect`).
    pub fn is_closed(&self) -> bool {
        self.handle.is_closed() || self.closed_rx.borrow().is_some()
    }

    /// Resolves when the session ends, with the reason.
    pub async fn closed(&self) -> String {
        let mut rx = self.closed_rx.clone();
        match rx.wait_for(|r| r.is_some()).await {
            Ok(reason) => reason.clone().unwrap_or_default(),
            Err(_) => "the SSH session ended".into(),
        }
    }

    /// Ends the session politely; running streams and forwards end with it.
    pub async fn disconnect(&self) {
        self.shared.user_disconnected.store(true, Ordering::SeqCst);
        let _ = self
            .handle
            .disconnect(
                russh::Disconnect::ByApplication,
                "sparkdeck disconnected",
                "en",
            )
            .await;
        if let Some(j) = &self.jump {
            Box::pin(j.disconnect()).await;
        }
    }

    fn disconnected_error(&self) -> HostError {
        HostError::Disconnected {
            host: self.label.clone(),
        }
    }
}

/// Runs `fut` under `limit`, except while the user is being asked about a host key: a
/// person reading a fingerprint must not be cut off by a network timeout.
async fn with_timeout_unless_asking<T>(
    shared: &HandlerShared,
    limit: Duration,
    fut: impl std::future::Future<Output = T>,
) -> Option<T> {
    tokio::pin!(fut);
    loop {
        tokio::select! {
            out = &mut fut => return Some(out),
            _ = tokio::time::sleep(limit) => {
                if !shared.asking.load(Ordering::SeqCst) {
                    return None;
                }
            }
        }
    }
}

#[async_trait]
impl Host for SshHost {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> HostKind {
        HostKind::Ssh
    }

    async fn exec(&self, argv: &[&str]) -> Result<ExecOutput, HostError> {
        let permit = self
            .channels
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| self.disconnected_error())?;
        let ch = self.open_exec(argv).await?;
        let out = channel::collect(ch).await;
        drop(permit);
        out.ok_or_else(|| {
            if self.is_closed() {
                self.disconnected_error()
            } else {
                HostError::Channel {
                    host: self.label.clone(),
                    reason: format!("`{}` ended without an exit status", argv.join(" ")),
                }
            }
        })
    }

    async fn stream_lines(&self, argv: &[&str]) -> Result<LineStream, HostError> {
        // A stream holds its channel slot until it ends, like sshd counts it.
        let stream_slot = self
            .streams
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| self.disconnected_error())?;
        let channel_slot = self
            .channels
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| self.disconnected_error())?;
        let ch = self.open_exec(argv).await?;
        Ok(channel::stream(ch, [stream_slot, channel_slot]))
    }

    async fn read_file(&self, path: &str) -> Result<Vec<u8>, HostError> {
        let out = self.exec(&["cat", "--", path]).await?;
        if out.success() {
            return Ok(out.stdout);
        }
        let stderr = out.stderr_str();
        let kind = if stderr.contains("No such file") {
            std::io::ErrorKind::NotFound
        } else if stderr.contains("Permission denied") {
            std::io::ErrorKind::PermissionDenied
        } else {
            std::io::ErrorKind::Other
        };
        Err(HostError::Io {
            context: format!("cannot read {path} on {}", self.label),
            source: std::io::Error::new(kind, stderr.trim().to_string()),
        })
    }

    async fn forward_port(
        &self,
        local: SocketAddr,
        remote_host: &str,
        remote_port: u16,
    ) -> Result<Forward, HostError> {
        let (listener, local_addr) = bind_local(local).await?;
        let cancel = CancellationToken::new();
        channel::spawn_forward(
            listener,
            self.handle.clone(),
            self.closed_rx.clone(),
            remote_host.to_string(),
            remote_port,
            cancel.clone(),
        );
        Ok(Forward::new(local_addr, cancel))
    }
}

impl SshHost {
    async fn open_exec(&self, argv: &[&str]) -> Result<russh::Channel<client::Msg>, HostError> {
        if argv.is_empty() {
            return Err(HostError::Channel {
                host: self.label.clone(),
                reason: "empty command".into(),
            });
        }
        if self.is_closed() {
            return Err(self.disconnected_error());
        }
        let ch = self.open_session().await?;
        ch.exec(true, join_argv(argv))
            .await
            .map_err(|e| HostError::Channel {
                host: self.label.clone(),
                reason: format!("cannot start `{}`: {e}", argv.join(" ")),
            })?;
        Ok(ch)
    }
}

/// Retries for a refused session channel. sshd frees a closed session's slot only after it
/// has processed the packets already queued, so an open right behind a close can still
/// count against MaxSessions for a moment.
const OPEN_RETRIES: u32 = 8;

impl SshHost {
    async fn open_session(&self) -> Result<russh::Channel<client::Msg>, HostError> {
        let mut delay = Duration::from_millis(10);
        let mut attempt = 0;
        loop {
            match self.handle.channel_open_session().await {
                Ok(ch) => return Ok(ch),
                Err(_) if self.is_closed() => return Err(self.disconnected_error()),
                Err(russh::Error::ChannelOpenFailure(russh::ChannelOpenFailure::ConnectFailed))
                    if attempt < OPEN_RETRIES =>
                {
                    attempt += 1;
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_millis(200));
                }
                Err(e) => {
                    return Err(HostError::Channel {
                        host: self.label.clone(),
                        reason: format!(
                            "cannot open a session channel: {e}; the server may allow fewer sessions (MaxSessions) than max_channels"
                        ),
                    });
                }
            }
        }
    }
}
