//! Where commands run: the local machine or a Spark over SSH.
//!
//! Every collector talks to a `dyn Host`, so the same code path serves the TUI, `snapshot`
//! and tests. Commands are given as argv; the SSH side quotes each argument for the remote
//! POSIX shell (see `quote`), so nothing a user types is ever interpreted by that shell.

pub mod error;
mod lines;
mod listen;
pub mod local;
pub mod quote;
pub mod ssh;
pub mod ssh_config;
pub mod state;

pub use error::HostError;
pub use lines::LineSplitter;
pub use local::LocalHost;
pub use ssh::{HostKeyPolicy, HostKeyQuestion, SshHost, SshOptions, SshTarget};
pub use ssh_config::{list_hosts, resolve_target};
pub use state::{Backoff, ConnEffect, ConnEvent, ConnMachine};

use async_trait::async_trait;
use std::net::SocketAddr;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Local or remote, as reported in `snapshot` ("local" | "ssh").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostKind {
    Local,
    Ssh,
}

impl HostKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HostKind::Local => "local",
            HostKind::Ssh => "ssh",
        }
    }
}

/// The result of a command that ran to completion.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecOutput {
    /// `None` when the process was killed by a signal or the remote side sent no status.
    pub status: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl ExecOutput {
    pub fn success(&self) -> bool {
        self.status == Some(0)
    }
    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    pub fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// One event of a streamed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEvent {
    /// A complete stdout line, without the trailing newline.
    Stdout(String),
    /// A complete stderr line, without the trailing newline.
    Stderr(String),
    /// The command ended; no more events follow.
    Exit(Option<i32>),
}

/// A running command whose output arrives line by line. Dropping it stops the command.
pub struct LineStream {
    pub rx: mpsc::Receiver<StreamEvent>,
    cancel: CancellationToken,
}

impl LineStream {
    pub fn new(rx: mpsc::Receiver<StreamEvent>, cancel: CancellationToken) -> Self {
        Self { rx, cancel }
    }
    pub async fn next(&mut self) -> Option<StreamEvent> {
        self.rx.recv().await
    }
    pub fn stop(&self) {
        self.cancel.cancel();
    }
}

impl Drop for LineStream {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// A listening local port forward. Dropping it closes the listener and its connections.
pub struct Forward {
    pub local_addr: SocketAddr,
    cancel: CancellationToken,
}

impl Forward {
    pub fn new(local_addr: SocketAddr, cancel: CancellationToken) -> Self {
        Self { local_addr, cancel }
    }
    pub fn close(&self) {
        self.cancel.cancel();
    }
    pub fn is_closed(&self) -> bool {
        self.cancel.is_cancelled()
    }
}

impl Drop for Forward {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

#[async_trait]
pub trait Host: Send + Sync {
    /// The connection name this host was opened for ("local" for the local machine).
    fn name(&self) -> &str;
    fn kind(&self) -> HostKind;
    /// Runs `argv` to completion (stdin is null) and collects its output.
    async fn exec(&self, argv: &[&str]) -> Result<ExecOutput, HostError>;
    /// Starts `argv` and streams its output lines until it exits or the stream is dropped.
    async fn stream_lines(&self, argv: &[&str]) -> Result<LineStream, HostError>;
    /// Reads a whole file (e.g. `/proc/meminfo`) on the host.
    async fn read_file(&self, path: &str) -> Result<Vec<u8>, HostError>;
    /// Listens on `local` and forwards each connection to `remote_host:remote_port` as seen
    /// from the host.
    async fn forward_port(
        &self,
        local: SocketAddr,
        remote_host: &str,
        remote_port: u16,
    ) -> Result<Forward, HostError>;
}
