//! The real TUI in tmux against a real sshd on 127.0.0.1: connect at start through an ssh
//! config alias, the Ollama tunnel carrying real HTTP, losing and regaining the server, the
//! host-key dialog, signals, and connections that persist across restarts.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;
use support::env::{TestEnv, free_port};
use support::sshd::Sshd;
use support::tmux::Tmux;

const BODY: &str = "sparkdeck-e2e-upstream";

/// A tiny HTTP/1.0 server on 127.0.0.1 standing in for Ollama on the Spark; returns its port.
fn http_upstream() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            let mut buf = [0u8; 1024];
            let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = conn.read(&mut buf);
            let _ = write!(
                conn,
                "HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n{BODY}",
                BODY.len()
            );
        }
    });
    port
}

fn http_get(port: u16) -> std::io::Result<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    s.write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    Ok(out)
}

/// Fast reconnects and keepalives, the Ollama tunnel pointed at `upstream`.
fn write_config(env: &TestEnv, local: u16, upstream: u16) {
    env.write(
        "config/sparkdeck/config.toml",
        &format!(
            "[ssh]\nreconnect_initial_s = 1\nreconnect_max_s = 2\nkeepalive_interval_s = 1\n\
             keepalive_max = 2\nconnect_timeout_s = 5\n\n\
             [tunnels]\nollama_local_port = {local}\nollama_remote_port = {upstream}\n"
        ),
    );
}

/// The row of the connection list (or any line) naming `name`.
fn line_with<'a>(screen: &'a str, name: &str) -> Option<&'a str> {
    screen.lines().find(|l| l.contains(name))
}

#[test]
fn tunnel_carries_http_and_the_app_survives_losing_the_server() {
    let mut sshd = Sshd::start();
    let env = TestEnv::new();
    env.ssh_alias("testspark", &sshd);
    env.trust(&sshd);
    let upstream = http_upstream();
    let local = free_port();
    write_config(&env, local, upstream);

    let tmux = Tmux::start(&env, "tunnel", 120, 40);
    tmux.run_app(&["--host", "testspark"]);
    let tunnel_row = format!("{local} → localhost:{upstream}");
    let screen = tmux.wait_screen("testspark connected with its tunnel listening", |s| {
        line_with(s, &tunnel_row).is_some_and(|l| l.contains("listening"))
    });
    let header = screen.lines().next().unwrap_or_default();
    assert!(
        header.contains("testspark") && header.contains("connected"),
        "the header names the active connection:\n{screen}"
    );
    let row = line_with(&screen, "sshtest@127.0.0.1").expect("testspark is listed");
    assert!(row.contains("connected"), "{screen}");
    let reply = http_get(local).expect("the tunnel accepts connections");
    assert!(reply.starts_with("HTTP/1.0 200 OK"), "{reply}");
    assert!(reply.ends_with(BODY), "the upstream answered: {reply}");

    // The host goes down: the app stays, says why it is reconnecting, and closes the tunnel.
    sshd.stop();
    let screen = tmux.wait_screen("reconnecting with a reason", |s| {
        line_with(s, "sshtest@127.0.0.1").is_some_and(|l| l.contains("reconnecting"))
            && line_with(s, "reason").is_some()
    });
    assert_eq!(
        tmux.format("#{alternate_on}"),
        "1",
        "still running:\n{screen}"
    );
    tmux.wait_screen("the tunnel to close", |s| {
        line_with(s, &tunnel_row).is_some_and(|l| !l.contains("listening"))
    });
    assert!(
        http_get(local).is_err(),
        "the local port is released while disconnected"
    );

    // Back up: reconnected within the backoff window (max 2 s), tunnel working again.
    sshd.restart();
    tmux.wait_screen("connected again", |s| {
        line_with(s, "sshtest@127.0.0.1").is_some_and(|l| l.contains("connected"))
            && !s.contains("reconnecting")
            && line_with(s, &tunnel_row).is_some_and(|l| l.contains("listening"))
    });
    let reply = http_get(local).expect("the tunnel is back");
    assert!(reply.ends_with(BODY), "{reply}");

    tmux.send(&["q"]);
    tmux.assert_restored();
    assert!(http_get(local).is_err(), "the tunnel closes on exit");
}
