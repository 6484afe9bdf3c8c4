//! What runs over one SSH channel: a command to completion, a streamed command, a tunnel.

use super::handler::ClientHandler;
use crate::host::lines::LineSplitter;
use crate::host::{ExecOutput, LineStream, StreamEvent};
use russh::client::{Handle, Msg};
use russh::{Channel, ChannelMsg, Sig};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, mpsc, watch};
use tokio_util::sync::CancellationToken;

/// Events buffered per stream before a slow reader applies backpressure to the channel.
const STREAM_BUFFER: usize = 256;
/// How long a stopped command gets to acknowledge the close before the slot is reused.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// Reads a channel until the server closes it. `None` when the channel vanished without a
/// close, i.e. the session died under the command and its output is incomplete.
pub(super) async fn collect(mut ch: Channel<Msg>) -> Option<ExecOutput> {
    let mut out = ExecOutput::default();
    while let Some(msg) = ch.wait().await {
        match msg {
            ChannelMsg::Data { data } => out.stdout.extend_from_slice(&data),
            ChannelMsg::ExtendedData { data, ext: 1 } => out.stderr.extend_from_slice(&data),
            ChannelMsg::ExitStatus { exit_status } => out.status = i32::try_from(exit_status).ok(),
            ChannelMsg::Close => return Some(out),
            _ => {}
        }
    }
    None
}

/// Streams a running command's lines; stopping it sends TERM, EOF and close.
pub(super) fn stream(mut ch: Channel<Msg>, permits: [OwnedSemaphorePermit; 2]) -> LineStream {
    let (tx, rx) = mpsc::channel(STREAM_BUFFER);
    let cancel = CancellationToken::new();
    let token = cancel.clone();
    tokio::spawn(async move {
        let _permits = permits;
        let mut stdout = LineSplitter::new();
        let mut stderr = LineSplitter::new();
        let mut status = None;
        loop {
            let msg = tokio::select! {
                _ = token.cancelled() => break,
                msg = ch.wait() => msg,
            };
            let lines: Vec<StreamEvent> = match msg {
                Some(ChannelMsg::Data { data }) => stdout
                    .push(&data)
                    .into_iter()
                    .map(StreamEvent::Stdout)
                    .collect(),
                Some(ChannelMsg::ExtendedData { data, ext: 1 }) => stderr
                    .push(&data)
                    .into_iter()
                    .map(StreamEvent::Stderr)
                    .collect(),
                Some(ChannelMsg::ExitStatus { exit_status }) => {
                    status = i32::try_from(exit_status).ok();
                    continue;
                }
                Some(ChannelMsg::Close) | None => {
                    let mut tail: Vec<StreamEvent> = stdout
                        .finish()
                        .into_iter()
                        .map(StreamEvent::Stdout)
                        .collect();
                    tail.extend(stderr.finish().map(StreamEvent::Stderr));
                    tail.push(StreamEvent::Exit(status));
                    for ev in tail {
                        let _ = tx.send(ev).await;
                    }
                    return;
                }
                Some(_) => continue,
            };
            for ev in lines {
                if tx.send(ev).await.is_err() {
                    // The reader is gone; the token is cancelled by LineStream's drop too.
                    token.cancel();
                    break;
                }
            }
            if token.is_cancelled() {
                break;
            }
        }
        // Stopped by the reader: ask the command to end. OpenSSH delivers the signal for
        // non-root logins; a command that ignores it still dies on its next write once the
        // channel is closed. Waiting for the server's close first keeps the slot counted
        // until sshd has really let go of the session.
        let _ = ch.signal(Sig::TERM).await;
        let _ = ch.eof().await;
        let closed_by_server = tokio::time::timeout(STOP_GRACE, async {
            while let Some(msg) = ch.wait().await {
                if matches!(msg, ChannelMsg::Close) {
                    return;
                }
            }
        })
        .await
        .is_ok();
        if !closed_by_server {
            let _ = ch.close().await;
        }
    });
    LineStream::new(rx, cancel)
}

/// Accepts on `listener` and carries each connection over its own direct-tcpip channel
/// until `cancel` fires or the session ends (which also marks the forward closed).
pub(super) fn spawn_forward(
    listener: TcpListener,
    handle: Arc<Handle<ClientHandler>>,
    mut closed: watch::Receiver<Option<String>>,
    remote_host: String,
    remote_port: u16,
    cancel: CancellationToken,
) {
    tokio::spawn(async move {
        loop {
            let (mut sock, peer) = tokio::select! {
                _ = cancel.cancelled() => break,
                _ = closed.wait_for(|r| r.is_some()) => {
                    cancel.cancel();
                    break;
                }
                accepted = listener.accept() => match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        tracing::warn!("tunnel to {remote_host}:{remote_port}: accept failed: {e}");
                        continue;
                    }
                },
            };
            let handle = handle.clone();
            let remote_host = remote_host.clone();
            let cancel = cancel.clone();
            tokio::spawn(async move {
                let ch = match handle
                    .channel_open_direct_tcpip(
                        remote_host.clone(),
                        u32::from(remote_port),
                        peer.ip().to_string(),
                        u32::from(peer.port()),
                    )
                    .await
                {
                    Ok(ch) => ch,
                    Err(e) => {
                        tracing::warn!(
                            "tunnel to {remote_host}:{remote_port}: the server refused: {e}"
                        );
                        return;
                    }
                };
                let mut remote = ch.into_stream();
                tokio::select! {
                    _ = cancel.cancelled() => {}
                    r = tokio::io::copy_bidirectional(&mut sock, &mut remote) => {
                        if let Err(e) = r {
                            tracing::debug!("tunnel to {remote_host}:{remote_port} ended: {e}");
                        }
                    }
                }
            });
        }
    });
}
