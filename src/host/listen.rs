//! Binding the local end of a port forward, with a usable answer when the port is taken.

use super::HostError;
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// How far above a taken port to look for a free one to suggest.
const SUGGESTION_RANGE: u16 = 100;

/// Binds `local` and returns the listener with the address it got (port 0 picks one).
/// When the port is in use, fails with `LocalPortInUse` naming a free port above it so the
/// user has something to type instead.
pub async fn bind_local(local: SocketAddr) -> Result<(TcpListener, SocketAddr), HostError> {
    let listener = bind(local).await?;
    let addr = listener.local_addr().map_err(|source| HostError::Io {
        context: format!("cannot read the address of the listener on {local}"),
        source,
    })?;
    Ok((listener, addr))
}

async fn bind(local: SocketAddr) -> Result<TcpListener, HostError> {
    match TcpListener::bind(local).await {
        Ok(l) => Ok(l),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => Err(HostError::LocalPortInUse {
            port: local.port(),
            suggestion: free_port_above(local).await,
        }),
        Err(e) => Err(HostError::Io {
            context: format!("cannot listen on {local}"),
            source: e,
        }),
    }
}

async fn free_port_above(local: SocketAddr) -> Option<u16> {
    let first = local.port().checked_add(1)?;
    let last = local.port().saturating_add(SUGGESTION_RANGE);
    for port in first..=last {
        let mut addr = local;
        addr.set_port(port);
        // Dropping the listener frees the port again; it only proves the port was free.
        if TcpListener::bind(addr).await.is_ok() {
            return Some(port);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn taken_port_is_reported_with_a_free_suggestion() {
        let held = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = held.local_addr().unwrap();
        match bind_local(addr).await {
            Err(HostError::LocalPortInUse { port, suggestion }) => {
                assert_eq!(port, addr.port());
                let s = suggestion.expect("a free port above");
                assert!(s > port);
                let mut free = addr;
                free.set_port(s);
                TcpListener::bind(free)
                    .await
                    .expect("suggested port is bindable");
            }
            other => panic!("expected LocalPortInUse, got {other:?}"),
        }
    }
}
