//! LocalHost: the same Host seam, as child processes of the test.

mod support;

use sparkdeck::host::{Host, HostError, HostKind, LocalHost, StreamEvent};
use std::time::Duration;
use support::sshd::process_alive;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn exec_collects_output_and_status() {
    let host = LocalHost::new();
    assert_eq!(host.kind(), HostKind::Local);
    assert_eq!(host.name(), "local");
    let out = host
        .exec(&["sh", "-c", "echo out; echo err >&2; exit 5"])
        .await
        .unwrap();
    assert_eq!(
        (
            out.stdout_str().as_str(),
            out.stderr_str().as_str(),
            out.status
        ),
        ("out\n", "err\n", Some(5))
    );
    // argv is passed as is: no shell sees it.
    let out = host
        .exec(&["printf", "%s|", "a b", "$(id)", "'"])
        .await
        .unwrap();
    assert_eq!(out.stdout_str(), "a b|$(id)|'|");
}

#[tokio::test]
async fn missing_program_is_a_spawn_error() {
    let host = LocalHost::new();
    match host.exec(&["sparkdeck-no-such-program"]).await {
        Err(HostError::Spawn { program, source }) => {
            assert_eq!(program, "sparkdeck-no-such-program");
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("expected Spawn, got {other:?}"),
    }
    assert!(matches!(host.exec(&[]).await, Err(HostError::Spawn { .. })));
}

#[tokio::test]
async fn stream_joins_partial_lines_and_reports_exit() {
    let host = LocalHost::new();
    let mut s = host
        .stream_lines(&[
            "sh",
            "-c",
            "printf 'par'; sleep 0.2; printf 'tial\\nnext\\n'; echo e >&2; printf end; exit 2",
        ])
        .await
        .unwrap();
    let mut events = Vec::new();
    while let Some(ev) = timeout(LIMIT, s.next()).await.unwrap() {
        events.push(ev);
    }
    let stdout: Vec<_> = events
        .iter()
        .filter(|e| matches!(e, StreamEvent::Stdout(_)))
        .cloned()
        .collect();
    assert_eq!(
        stdout,
        vec![
            StreamEvent::Stdout("partial".into()),
            StreamEvent::Stdout("next".into()),
            StreamEvent::Stdout("end".into())
        ]
    );
    assert!(events.contains(&StreamEvent::Stderr("e".into())));
    assert_eq!(events.last(), Some(&StreamEvent::Exit(Some(2))));
}

#[tokio::test]
async fn dropping_a_stream_kills_the_process() {
    let host = LocalHost::new();
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("pid");
    let script = format!(
        "echo $$ > {}; while :; do echo x; sleep 0.1; done",
        pidfile.display()
    );
    let mut s = host.stream_lines(&["sh", "-c", &script]).await.unwrap();
    assert_eq!(
        timeout(LIMIT, s.next()).await.unwrap(),
        Some(StreamEvent::Stdout("x".into()))
    );
    let pid: u32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    drop(s);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while process_alive(pid) {
        assert!(
            std::time::Instant::now() < deadline,
            "process {pid} survived the dropped stream"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn read_file_and_missing_file() {
    let host = LocalHost::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("meminfo");
    std::fs::write(&path, "MemTotal: 1 kB\n").unwrap();
    assert_eq!(
        host.read_file(path.to_str().unwrap()).await.unwrap(),
        b"MemTotal: 1 kB\n"
    );
    match host.read_file("/no/such/file").await {
        Err(HostError::Io { context, source }) => {
            assert!(context.contains("/no/such/file"));
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("expected Io, got {other:?}"),
    }
}

#[tokio::test]
async fn forward_relays_tcp_and_reports_a_taken_port() {
    let server = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server_port = server.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = server.accept().await {
            let mut buf = [0u8; 64];
            let n = sock.read(&mut buf).await.unwrap_or(0);
            let _ = sock.write_all(&[b"echo:", &buf[..n]].concat()).await;
        }
    });
    let host = LocalHost::new();
    let fwd = host
        .forward_port("127.0.0.1:0".parse().unwrap(), "127.0.0.1", server_port)
        .await
        .unwrap();
    let mut c = TcpStream::connect(fwd.local_addr).await.unwrap();
    c.write_all(b"ping").await.unwrap();
    let mut reply = vec![0u8; 9];
    timeout(LIMIT, c.read_exact(&mut reply))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reply, b"echo:ping");

    let Err(err) = host
        .forward_port(fwd.local_addr, "127.0.0.1", server_port)
        .await
    else {
        panic!("a second forward on the same port succeeded");
    };
    match err {
        HostError::LocalPortInUse { port, suggestion } => {
            assert_eq!(port, fwd.local_addr.port());
            assert!(suggestion.is_some_and(|s| s > port));
        }
        other => panic!("expected LocalPortInUse, got {other:?}"),
    }
}
