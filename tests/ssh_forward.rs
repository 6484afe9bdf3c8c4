//! Local port forwards through a real sshd.

mod support;

use sparkdeck::host::{Host, HostError, SshHost};
use std::net::SocketAddr;
use std::time::Duration;
use support::sshd::Sshd;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(20);

/// A minimal HTTP server answering every request with `body`.
async fn http_server(body: &'static str) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 1024];
                let _ = sock.read(&mut buf).await;
                let reply = format!(
                    "HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(reply.as_bytes()).await;
            });
        }
    });
    addr
}

async fn get(addr: SocketAddr) -> std::io::Result<String> {
    let mut sock = TcpStream::connect(addr).await?;
    sock.write_all(b"GET / HTTP/1.0\r\n\r\n").await?;
    let mut reply = String::new();
    sock.read_to_string(&mut reply).await?;
    Ok(reply)
}

#[tokio::test]
async fn http_through_the_tunnel() {
    let sshd = Sshd::start();
    let server = http_server("hello through ssh").await;
    let host = SshHost::connect(&sshd.target(), sshd.options())
        .await
        .unwrap();
    let fwd = host
        .forward_port("127.0.0.1:0".parse().unwrap(), "127.0.0.1", server.port())
        .await
        .unwrap();
    assert_ne!(fwd.local_addr.port(), server.port());
    for _ in 0..3 {
        let reply = timeout(LIMIT, get(fwd.local_addr)).await.unwrap().unwrap();
        assert!(reply.starts_with("HTTP/1.0 200 OK"), "{reply}");
        assert!(reply.ends_with("hello through ssh"), "{reply}");
    }
    let addr = fwd.local_addr;
    drop(fwd);
    // The listener goes away with the forward.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while TcpStream::connect(addr).await.is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "forward still listening after drop"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn tunnel_traffic_really_goes_over_ssh() {
    let mut sshd = Sshd::start();
    let server = http_server("via sshd").await;
    let host = SshHost::connect(&sshd.target(), sshd.options())
        .await
        .unwrap();
    let fwd = host
        .forward_port("127.0.0.1:0".parse().unwrap(), "127.0.0.1", server.port())
        .await
        .unwrap();
    assert!(
        timeout(LIMIT, get(fwd.local_addr))
            .await
            .unwrap()
            .unwrap()
            .ends_with("via sshd")
    );
    // With sshd gone, the HTTP server is still up but the tunnel can no longer reach it.
    sshd.stop();
    let after = timeout(LIMIT, get(fwd.local_addr)).await.unwrap();
    assert!(
        !after.as_deref().unwrap_or("").contains("via sshd"),
        "{after:?}"
    );
}

#[tokio::test]
async fn local_port_in_use_suggests_a_free_one() {
    let sshd = Sshd::start();
    let host = SshHost::connect(&sshd.target(), sshd.options())
        .await
        .unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = taken.local_addr().unwrap().port();
    let Err(err) = host
        .forward_port(taken.local_addr().unwrap(), "localhost", 11434)
        .await
    else {
        panic!("forwarding from a taken port succeeded");
    };
    match &err {
        HostError::LocalPortInUse {
            port: p,
            suggestion: Some(s),
        } => {
            assert_eq!(*p, port);
            TcpListener::bind(("127.0.0.1", *s))
                .await
                .expect("suggestion is free");
            assert!(err.to_string().contains(&format!("{s} is free")), "{err}");
        }
        other => panic!("expected LocalPortInUse with a suggestion, got {other:?}"),
    }
}

#[tokio::test]
async fn forward_closes_when_the_session_ends() {
    let sshd = Sshd::start();
    let server = http_server("x").await;
    let host = SshHost::connect(&sshd.target(), sshd.options())
        .await
        .unwrap();
    let fwd = host
        .forward_port("127.0.0.1:0".parse().unwrap(), "127.0.0.1", server.port())
        .await
        .unwrap();
    assert!(!fwd.is_closed());
    host.disconnect().await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !fwd.is_closed() {
        assert!(
            std::time::Instant::now() < deadline,
            "forward not closed after disconnect"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
