//! The machine sparkdeck runs on (the Spark itself): plain child processes.

use super::lines::LineSplitter;
use super::listen::bind_local;
use super::{ExecOutput, Forward, Host, HostError, HostKind, LineStream, StreamEvent};
use async_trait::async_trait;
use std::net::SocketAddr;
use std::process::Stdio;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Events buffered per stream before a slow reader makes the pipe readers wait.
const STREAM_BUFFER: usize = 256;

/// Runs commands as child processes of sparkdeck. argv goes straight to `execve` (no shell),
/// so a program that does not exist is `HostError::Spawn`, where over SSH the remote shell
/// reports it as exit status 127.
#[derive(Debug, Clone)]
pub struct LocalHost {
    name: String,
}

impl LocalHost {
    pub fn new() -> Self {
        Self {
            name: "local".into(),
        }
    }
}

impl Default for LocalHost {
    fn default() -> Self {
        Self::new()
    }
}

fn spawn(argv: &[&str]) -> Result<Child, HostError> {
    let (program, args) = argv.split_first().ok_or_else(|| HostError::Spawn {
        program: String::new(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "empty command"),
    })?;
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // A dropped future or stream must not leave the process running.
        .kill_on_drop(true)
        .spawn()
        .map_err(|source| HostError::Spawn {
            program: (*program).to_string(),
            source,
        })
}

async fn pump_lines<R: AsyncRead + Unpin>(
    mut pipe: R,
    tx: mpsc::Sender<StreamEvent>,
    wrap: fn(String) -> StreamEvent,
) {
    let mut splitter = LineSplitter::new();
    let mut buf = vec![0u8; 8192];
    loop {
        let n = match pipe.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        for line in splitter.push(&buf[..n]) {
            if tx.send(wrap(line)).await.is_err() {
                return;
            }
        }
    }
    if let Some(line) = splitter.finish() {
        let _ = tx.send(wrap(line)).await;
    }
}

#[async_trait]
impl Host for LocalHost {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> HostKind {
        HostKind::Local
    }

    async fn exec(&self, argv: &[&str]) -> Result<ExecOutput, HostError> {
        let child = spawn(argv)?;
        let out = child
            .wait_with_output()
            .await
            .map_err(|source| HostError::Io {
                context: format!("waiting for `{}`", argv.join(" ")),
                source,
            })?;
        Ok(ExecOutput {
            status: out.status.code(),
            stdout: out.stdout,
            stderr: out.stderr,
        })
    }

    async fn stream_lines(&self, argv: &[&str]) -> Result<LineStream, HostError> {
        let mut child = spawn(argv)?;
        let (tx, rx) = mpsc::channel(STREAM_BUFFER);
        let cancel = CancellationToken::new();
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let token = cancel.clone();
        tokio::spawn(async move {
            let pumps = async {
                tokio::join!(
                    pump_lines(stdout, tx.clone(), StreamEvent::Stdout),
                    pump_lines(stderr, tx.clone(), StreamEvent::Stderr)
                );
                child.wait().await.ok().and_then(|s| s.code())
            };
            tokio::select! {
                status = pumps => {
                    let _ = tx.send(StreamEvent::Exit(status)).await;
                }
                _ = token.cancelled() => {
                    // `child` is dropped here with kill_on_drop, ending the process.
                }
            }
        });
        Ok(LineStream::new(rx, cancel))
    }

    async fn read_file(&self, path: &str) -> Result<Vec<u8>, HostError> {
        tokio::fs::read(path).await.map_err(|source| HostError::Io {
            context: format!("cannot read {path}"),
            source,
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
        let token = cancel.clone();
        let target = format!("{remote_host}:{remote_port}");
        tokio::spawn(async move {
            loop {
                let (mut inbound, _) = tokio::select! {
                    _ = token.cancelled() => break,
                    accepted = listener.accept() => match accepted {
                        Ok(a) => a,
                        Err(e) => {
                            tracing::warn!("forward {local_addr}: accept failed: {e}");
                            continue;
                        }
                    },
                };
                let target = target.clone();
                let token = token.clone();
                tokio::spawn(async move {
                    let mut outbound = match TcpStream::connect(&target).await {
                        Ok(s) => s,
                        Err(e) => {
                            tracing::warn!("forward {local_addr} → {target}: {e}");
                            return;
                        }
                    };
                    tokio::select! {
                        _ = token.cancelled() => {}
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                    }
                });
            }
        });
        Ok(Forward::new(local_addr, cancel))
    }
}
