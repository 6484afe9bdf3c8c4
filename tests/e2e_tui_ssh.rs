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

/// How the Connections list shows the test server: `user@127.0.0.1:PORT`.
fn row_addr(sshd: &Sshd) -> String {
    format!("{}@127.0.0.1:{}", sshd.user, sshd.port)
}

/// Whether the row naming `name` says "connected" (not "disconnected").
fn row_connected(screen: &str, name: &str) -> bool {
    line_with(screen, name).is_some_and(|l| l.split_whitespace().any(|w| w == "connected"))
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
        header.contains("testspark") && row_connected(header, "testspark"),
        "the header names the active connection:\n{screen}"
    );
    let row = line_with(&screen, &row_addr(&sshd)).expect("testspark is listed");
    assert!(row_connected(row, "testspark"), "{screen}");
    let reply = http_get(local).expect("the tunnel accepts connections");
    assert!(reply.starts_with("HTTP/1.0 200 OK"), "{reply}");
    assert!(reply.ends_with(BODY), "the upstream answered: {reply}");

    // The host goes down: the app stays, says why it is reconnecting, and closes the tunnel.
    sshd.stop();
    let screen = tmux.wait_screen("reconnecting with a reason", |s| {
        line_with(s, &row_addr(&sshd)).is_some_and(|l| l.contains("reconnecting"))
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
        row_connected(s, &row_addr(&sshd))
            && !s.contains("reconnecting")
            && line_with(s, &tunnel_row).is_some_and(|l| l.contains("listening"))
    });
    let reply = http_get(local).expect("the tunnel is back");
    assert!(reply.ends_with(BODY), "{reply}");

    tmux.send(&["q"]);
    tmux.assert_restored();
    assert!(http_get(local).is_err(), "the tunnel closes on exit");

    // What happened went to the log file, not the terminal; key material never does.
    let log = std::fs::read_to_string(env.root().join("state/sparkdeck/sparkdeck.log"))
        .expect("a log file under XDG_STATE_HOME");
    assert!(log.contains("connection lost"), "{log}");
    assert!(log.contains("tunnel listening"), "{log}");
    let key = std::fs::read_to_string(&sshd.client_key).unwrap();
    let secret_line = key.lines().nth(1).unwrap();
    assert!(!log.contains(secret_line) && !log.contains("PRIVATE KEY"));
}

fn fingerprint(sshd: &Sshd) -> String {
    let out = std::process::Command::new("ssh-keygen")
        .args(["-l", "-E", "sha256", "-f"])
        .arg(sshd.path("host_ed25519.pub"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .nth(1)
        .expect("ssh-keygen -l prints a fingerprint")
        .to_string()
}

#[test]
fn unknown_host_key_asks_and_trust_always_writes_known_hosts() {
    let sshd = Sshd::start();
    let env = TestEnv::new();
    env.ssh_alias("testspark", &sshd);
    // No tunnel: this test is about the key only.
    env.write(
        "config/sparkdeck/config.toml",
        "[tunnels]\nollama = false\n",
    );
    assert!(!env.known_hosts().exists());

    let tmux = Tmux::start(&env, "hostkey", 120, 40);
    tmux.run_app(&["--host", "testspark"]);
    let screen = tmux.wait_for("Unknown host key");
    let fp = fingerprint(&sshd);
    assert!(
        screen.contains(&fp),
        "the dialog shows the server's fingerprint {fp}:\n{screen}"
    );
    assert!(screen.contains("testspark"), "{screen}");
    assert!(
        !row_connected(&screen, &row_addr(&sshd)),
        "not connected before the user answers:\n{screen}"
    );

    // The dialog starts on Cancel; one step left is "Trust always".
    tmux.send(&["Left"]);
    tmux.send(&["Enter"]);
    tmux.wait_screen("connected after trusting", |s| {
        !s.contains("Unknown host key") && row_connected(s, &row_addr(&sshd))
    });
    let known = std::fs::read_to_string(env.known_hosts()).expect("known_hosts written");
    assert!(
        known.contains(&format!("[127.0.0.1]:{}", sshd.port)) && known.contains(&sshd.host_key),
        "{known}"
    );
    tmux.send(&["q"]);
    tmux.assert_restored();

    // Trusted for good: the next start connects without asking.
    tmux.run_app(&["--host", "testspark"]);
    let screen = tmux.wait_screen("connected without a question", |s| {
        row_connected(s, &row_addr(&sshd))
    });
    assert!(!screen.contains("Unknown host key"), "{screen}");
    tmux.send(&["q"]);
    tmux.assert_restored();
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    let sshd = Sshd::start();
    let env = TestEnv::new();
    env.ssh_alias("testspark", &sshd);
    env.trust(&sshd);
    let local = free_port();
    write_config(&env, local, http_upstream());
    let tmux = Tmux::start(&env, "signals", 100, 30);
    for signal in ["TERM", "HUP"] {
        tmux.run_app(&["--host", "testspark"]);
        tmux.wait_screen("connected with the tunnel open", |s| {
            line_with(s, &format!("{local} →")).is_some_and(|l| l.contains("listening"))
        });
        let pid = tmux.app_pid();
        Tmux::kill(pid, signal);
        tmux.assert_restored();
        assert!(
            !support::sshd::process_alive(pid),
            "SIG{signal}: the process exits"
        );
        assert!(
            http_get(local).is_err(),
            "SIG{signal}: the tunnel is closed"
        );
    }
}

#[test]
fn added_connection_and_active_choice_survive_a_restart() {
    let sshd = Sshd::start();
    let env = TestEnv::new();
    env.trust(&sshd);
    env.write(
        "config/sparkdeck/config.toml",
        "[tunnels]\nollama = false\n",
    );
    let tmux = Tmux::start(&env, "form", 120, 40);
    tmux.run_app(&[]);
    tmux.wait_for("this host");

    tmux.send(&["a"]);
    tmux.wait_for("spark-lab");
    tmux.type_text("lab");
    tmux.send(&["Tab"]);
    tmux.type_text("127.0.0.1");
    tmux.send(&["Tab", "BSpace", "BSpace"]);
    tmux.type_text(&sshd.port.to_string());
    tmux.send(&["Tab"]);
    tmux.type_text(&sshd.user);
    tmux.send(&["Tab"]);
    tmux.type_text(&sshd.client_key.display().to_string());
    tmux.send(&["Enter"]);
    let address = format!("{}@127.0.0.1:{}", sshd.user, sshd.port);
    tmux.wait_screen("the new connection listed", |s| {
        !s.contains("spark-lab") && line_with(s, &address).is_some()
    });

    // Pick it (filter to it) and connect: it becomes the active connection.
    tmux.send(&["/"]);
    tmux.type_text("lab");
    tmux.send(&["Enter"]);
    tmux.send(&["c"]);
    let screen = tmux.wait_screen("lab connected", |s| row_connected(s, &address));
    assert!(
        screen.lines().next().unwrap_or_default().contains("lab"),
        "the header shows the active connection:\n{screen}"
    );
    tmux.send(&["q"]);
    tmux.assert_restored();

    // A fresh start lists it and brings it back as the active connection, connected.
    tmux.run_app(&[]);
    let screen = tmux.wait_screen("lab back and connected", |s| row_connected(s, &address));
    let header = screen.lines().next().unwrap_or_default();
    assert!(
        header.contains("lab") && row_connected(header, "lab"),
        "{screen}"
    );
    assert!(
        line_with(&screen, &address).is_some_and(|l| l.contains("lab")),
        "{screen}"
    );
    tmux.send(&["q"]);
    tmux.assert_restored();
}

#[test]
fn tunnels_report_a_busy_port_open_on_request_persist_and_close_on_disconnect() {
    let sshd = Sshd::start();
    let env = TestEnv::new();
    env.trust(&sshd);
    {
        let store = sparkdeck::store::Store::open(&env.db_path()).unwrap();
        let mut spec = sparkdeck::model::ConnectionSpec::new("lab", "127.0.0.1");
        spec.port = sshd.port;
        spec.user = Some(sshd.user.clone());
        spec.key_path = Some(sshd.client_key.clone());
        store.add_connection(&spec, 1_700_000_000).unwrap();
    }
    let upstream = http_upstream();
    // Something else already holds the Ollama tunnel's local port.
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let busy_port = busy.local_addr().unwrap().port();
    write_config(&env, busy_port, upstream);

    // Wide enough that tunnel reasons do not wrap.
    let tmux = Tmux::start(&env, "tunnels", 200, 40);
    tmux.run_app(&["--host", "lab"]);
    let screen = tmux.wait_screen("the busy tunnel to fail", |s| {
        line_with(s, &format!("{busy_port} →")).is_some_and(|l| l.contains("failed"))
    });
    assert!(
        screen.contains(&format!("local port {busy_port} is already in use")),
        "the reason names the port:\n{screen}"
    );
    assert!(
        screen.contains("is free"),
        "a free port is suggested:\n{screen}"
    );
    assert!(row_connected(&screen, &row_addr(&sshd)), "{screen}");
    assert!(
        line_with(&screen, &row_addr(&sshd)).is_some_and(|l| l.contains("just now")),
        "last connected is updated on connect:\n{screen}"
    );

    // A tunnel added by hand opens at once and carries traffic.
    let extra = free_port();
    tmux.send(&["t"]);
    tmux.wait_for("localhost");
    tmux.type_text(&extra.to_string());
    tmux.send(&["Tab", "Tab"]);
    tmux.type_text(&upstream.to_string());
    tmux.send(&["Enter"]);
    let row = format!("{extra} → localhost:{upstream}");
    tmux.wait_screen("the new tunnel listening", |s| {
        line_with(s, &row).is_some_and(|l| l.contains("listening"))
    });
    assert!(http_get(extra).unwrap().ends_with(BODY));

    // Disconnect closes it.
    tmux.send(&["x"]);
    tmux.wait_screen("disconnected", |s| {
        line_with(s, &row_addr(&sshd)).is_some_and(|l| l.contains("disconnected"))
    });
    tmux.wait_screen("the tunnel closed", |s| {
        line_with(s, &row).is_some_and(|l| !l.contains("listening"))
    });
    assert!(http_get(extra).is_err(), "a disconnected tunnel refuses");
    tmux.send(&["q"]);
    tmux.assert_restored();

    // Saved with the connection: the next start opens it again.
    drop(busy);
    tmux.run_app(&["--host", "lab"]);
    tmux.wait_screen("both tunnels listening", |s| {
        line_with(s, &row).is_some_and(|l| l.contains("listening"))
            && line_with(s, &format!("{busy_port} →")).is_some_and(|l| l.contains("listening"))
    });
    assert!(http_get(extra).unwrap().ends_with(BODY));
    assert!(http_get(busy_port).unwrap().ends_with(BODY));

    // Removing it closes it and forgets it; the default tunnel stays.
    tmux.send(&["T"]);
    tmux.wait_for("Remove a tunnel of 'lab'");
    tmux.send(&["Enter"]);
    tmux.wait_screen("the tunnel removed", |s| {
        !s.contains("Remove a tunnel") && line_with(s, &row).is_none()
    });
    tmux.wait_until("its port to close", |_| http_get(extra).is_err());
    assert!(http_get(busy_port).unwrap().ends_with(BODY));
    tmux.send(&["q"]);
    tmux.assert_restored();
    let store = sparkdeck::store::Store::open(&env.db_path()).unwrap();
    let lab = store.get_connection_by_name("lab").unwrap().unwrap();
    assert!(store.list_tunnels(lab.id).unwrap().is_empty());
}

#[test]
fn a_corrupt_store_and_read_only_mode_still_give_a_working_app() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.db_path().parent().unwrap()).unwrap();
    let garbage = b"not a database at all\n".repeat(300);
    std::fs::write(env.db_path(), &garbage).unwrap();
    let tmux = Tmux::start(&env, "corrupt", 120, 40);
    tmux.run_app(&["--read-only"]);
    let screen = tmux.wait_screen("the local machine connected", |s| {
        row_connected(s, "root@") || row_connected(s, "this host")
    });
    assert!(
        screen.contains("RO"),
        "the read-only badge shows:\n{screen}"
    );
    let flash = tmux.wait_for("sparkdeck.db");
    assert!(
        flash.to_lowercase().contains("history"),
        "the store problem is explained:\n{flash}"
    );
    tmux.send(&["2"]);
    tmux.wait_for("no NVIDIA GPU found");
    tmux.send(&["q"]);
    tmux.assert_restored();
    assert_eq!(
        std::fs::read(env.db_path()).unwrap(),
        garbage,
        "a corrupt store is left as it was for the user to inspect"
    );
}

#[test]
fn an_unreachable_spark_keeps_retrying_with_the_reason_shown() {
    let env = TestEnv::new();
    let port = free_port();
    env.write(
        "home/.ssh/config",
        &format!("Host downspark\n    HostName 127.0.0.1\n    Port {port}\n"),
    );
    write_config(&env, free_port(), free_port());
    let tmux = Tmux::start(&env, "down", 120, 40);
    tmux.run_app(&["--host", "downspark"]);
    let addr = format!("127.0.0.1:{port}");
    let screen = tmux.wait_screen("a retry with the reason", |s| {
        s.lines()
            .find(|l| l.contains("downspark") && l.contains(&addr))
            .is_some_and(|l| l.contains("reconnecting"))
            && line_with(s, "reason").is_some_and(|l| l.contains(&addr))
            && s.contains("refused")
    });
    // Still retrying a few seconds later, never giving up or exiting.
    let first = screen
        .lines()
        .find(|l| l.contains("attempt"))
        .unwrap_or_default()
        .to_string();
    tmux.wait_screen("a later attempt", |s| {
        s.lines()
            .find(|l| l.contains("attempt"))
            .is_some_and(|l| l != first && !l.contains("attempt 1,"))
    });
    assert_eq!(tmux.format("#{alternate_on}"), "1");
    tmux.send(&["q"]);
    tmux.assert_restored();
}

#[test]
fn host_key_cancel_refuses_and_trust_once_remembers_nothing() {
    let sshd = Sshd::start();
    let env = TestEnv::new();
    env.ssh_alias("testspark", &sshd);
    env.write(
        "config/sparkdeck/config.toml",
        "[tunnels]\nollama = false\n",
    );
    let tmux = Tmux::start(&env, "hostkey-once", 120, 40);

    // The dialog starts on Cancel: Enter refuses, and the refusal is final (no retry loop
    // popping the question up again).
    tmux.run_app(&["--host", "testspark"]);
    tmux.wait_for("Unknown host key");
    tmux.send(&["Enter"]);
    let screen = tmux.wait_screen("the refusal shown", |s| {
        line_with(s, &row_addr(&sshd)).is_some_and(|l| l.contains("error"))
    });
    assert!(screen.contains("rejected"), "{screen}");
    std::thread::sleep(Duration::from_millis(2500));
    let screen = tmux.capture();
    assert!(
        !screen.contains("Unknown host key"),
        "not asked again after a refusal:\n{screen}"
    );
    tmux.send(&["q"]);
    tmux.assert_restored();

    // Trust once: connected, but known_hosts is not written.
    tmux.run_app(&["--host", "testspark"]);
    tmux.wait_for("Unknown host key");
    tmux.send(&["Right", "Enter"]);
    tmux.wait_screen("connected once", |s| row_connected(s, &row_addr(&sshd)));
    tmux.send(&["q"]);
    tmux.assert_restored();
    assert!(
        !env.known_hosts().exists()
            || !std::fs::read_to_string(env.known_hosts())
                .unwrap()
                .contains(&sshd.host_key),
        "trust once writes nothing"
    );
}

#[test]
fn deleting_the_active_connection_closes_it_and_it_stays_gone() {
    let sshd = Sshd::start();
    let env = TestEnv::new();
    env.trust(&sshd);
    env.write(
        "config/sparkdeck/config.toml",
        "[tunnels]\nollama = false\n",
    );
    let upstream = http_upstream();
    let tunnel_port = free_port();
    {
        let store = sparkdeck::store::Store::open(&env.db_path()).unwrap();
        let mut spec = sparkdeck::model::ConnectionSpec::new("lab", "127.0.0.1");
        spec.port = sshd.port;
        spec.user = Some(sshd.user.clone());
        spec.key_path = Some(sshd.client_key.clone());
        let saved = store.add_connection(&spec, 1_700_000_000).unwrap();
        store
            .add_tunnel(
                saved.id,
                &sparkdeck::model::TunnelSpec {
                    local_port: tunnel_port,
                    remote_host: "localhost".into(),
                    remote_port: upstream,
                },
            )
            .unwrap();
        store
            .set_setting(sparkdeck::store::ACTIVE_CONNECTION, "lab")
            .unwrap();
    }
    let tmux = Tmux::start(&env, "delete", 120, 40);
    // No --host: the remembered active connection comes back with its saved tunnel.
    tmux.run_app(&[]);
    let screen = tmux.wait_screen("lab connected with its tunnel", |s| {
        row_connected(s, &row_addr(&sshd))
            && line_with(s, &format!("{tunnel_port} →")).is_some_and(|l| l.contains("listening"))
    });
    assert!(screen.lines().next().unwrap().contains("lab"), "{screen}");
    assert!(http_get(tunnel_port).unwrap().ends_with(BODY));

    tmux.send(&["D"]);
    tmux.wait_for("Its saved tunnel is deleted with it");
    tmux.send(&["Right", "Enter"]);
    tmux.wait_screen("lab gone", |s| line_with(s, &row_addr(&sshd)).is_none());
    tmux.wait_until("the tunnel to close", |_| http_get(tunnel_port).is_err());
    tmux.send(&["q"]);
    tmux.assert_restored();

    tmux.run_app(&[]);
    let screen = tmux.wait_for("this host");
    assert!(line_with(&screen, &row_addr(&sshd)).is_none(), "{screen}");
    assert!(
        !screen.lines().next().unwrap().contains("lab"),
        "the deleted connection is no longer active:\n{screen}"
    );
    tmux.send(&["q"]);
    tmux.assert_restored();
    let store = sparkdeck::store::Store::open(&env.db_path()).unwrap();
    assert!(store.list_connections().unwrap().is_empty());
}
