//! The Services tab of the real binary in tmux, connected to the real test sshd: a
//! catalogued port held by the wrong process (a `perl` server the remote user runs, so
//! `ss -p` shows it), a required service that is down, the unit's journal in the log
//! viewer, and a confirmed restart through a fake `sudo` that records its argv, audited in
//! SQLite.

mod support;

use sparkdeck::host::SshHost;
use std::time::Duration;
use support::env::{TestEnv, free_port};
use support::remote_http::perl_server;
use support::sshd::Sshd;
use support::tmux::Tmux;

const JOURNAL: &str = include_str!("fixtures/services/journal-json.test-machine.jsonl");

fn audit_rows(env: &TestEnv) -> Vec<(String, String, String, String)> {
    let Ok(db) = rusqlite::Connection::open(env.db_path()) else {
        return Vec::new();
    };
    let Ok(mut st) = db.prepare("SELECT host, action, target, outcome FROM audit ORDER BY id")
    else {
        return Vec::new();
    };
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn services_tab_flags_a_conflict_and_a_down_service_shows_the_journal_and_restarts_audited() {
    let sshd = Sshd::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let host = rt
        .block_on(SshHost::connect(&sshd.target(), sshd.options()))
        .expect("connect to the test sshd");
    let (held, _perl) = rt.block_on(perl_server(&host, "perl"));
    let down = free_port();

    let shared = sshd.shared_dir();
    let sudo_log = shared.join("sudo.argv");
    sshd.install_remote_tool(
        "sudo",
        &format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\n",
            sudo_log.display()
        ),
    );
    sshd.install_remote_tool(
        "systemctl",
        "#!/bin/sh\nprintf 'Id=ollama.service\\nLoadState=loaded\\nActiveState=active\\nSubState=running\\nMainPID=999999\\nNRestarts=2\\nExecMainStartTimestamp=Sun 2026-11-22 08:00:00 UTC\\nResult=success\\n'\n",
    );
    sshd.install_remote_tool(
        "journalctl",
        &format!("#!/bin/sh\ncat <<'JOURNAL'\n{JOURNAL}JOURNAL\nsleep 60\n"),
    );
    sshd.install_remote_tool("docker", "#!/bin/sh\nexit 0\n");

    let env = TestEnv::new();
    env.ssh_alias("testspark", &sshd);
    env.trust(&sshd);
    env.write(
        "config/sparkdeck/config.toml",
        &format!(
            "[ssh]\nconnect_timeout_s = 5\n\n[tunnels]\nollama = false\n\n\
             [services]\nrefresh_s = 1\nshow_unexpected = false\nreplace_catalog = true\n\n\
             [[services.catalog]]\nname = \"Ollama\"\nports = [{held}]\nkind = \"systemd\"\n\
             unit = \"ollama\"\nmatches = [\"ollama\"]\nprobe = \"http\"\nprobe_path = \"/\"\n\n\
             [[services.catalog]]\nname = \"Whisper\"\nports = [{down}]\nprobe = \"tcp\"\n"
        ),
    );

    let tmux = Tmux::start(&env, "services", 140, 45);
    tmux.run_app(&["--host", "testspark"]);
    tmux.wait_for("connected");
    tmux.send(&["4"]);

    // The catalogued Ollama port is held by perl: a conflict naming the holder; Whisper
    // does not listen: down.
    let screen = tmux.wait_screen("the merged rows", |s| {
        s.contains("conflict") && s.contains("down")
    });
    let ollama = screen
        .lines()
        .find(|l| l.contains("Ollama"))
        .unwrap_or_else(|| panic!("no Ollama row:\n{screen}"));
    assert!(
        ollama.contains("conflict") && ollama.contains(&held.to_string()),
        "{screen}"
    );
    assert!(screen.contains("perl"), "the holder is named:\n{screen}");
    let whisper = screen.lines().find(|l| l.contains("Whisper")).unwrap();
    assert!(whisper.contains("down"), "{screen}");

    // The Ollama row acts on its unit: the journal opens in the log viewer.
    tmux.send(&["g", "l"]);
    let log = tmux.wait_for("Journal started");
    assert!(log.contains("ollama.service"), "{log}");
    tmux.send(&["Escape"]);
    tmux.wait_until("the viewer to close", |t| {
        !t.capture().contains("Journal started")
    });

    // Restart: the dialog names the unit and the host and starts on Cancel.
    tmux.send(&["R"]);
    let dialog = tmux.wait_for("testspark");
    assert!(dialog.contains("ollama.service"), "{dialog}");
    tmux.send(&["Enter"]);
    std::thread::sleep(Duration::from_millis(800));
    assert!(!sudo_log.exists(), "Cancel ran nothing");
    assert!(audit_rows(&env).is_empty());

    tmux.send(&["R"]);
    tmux.wait_for("testspark");
    tmux.send(&["Tab", "Enter"]);
    tmux.wait_until("sudo to run", |_| sudo_log.exists());
    let argv = std::fs::read_to_string(&sudo_log).unwrap();
    assert_eq!(
        argv.lines().collect::<Vec<_>>(),
        ["-n", "systemctl", "restart", "ollama.service"]
    );
    tmux.wait_until("the audit row", |_| !audit_rows(&env).is_empty());
    assert_eq!(
        audit_rows(&env),
        [(
            "testspark".to_string(),
            "restart-unit".to_string(),
            "ollama.service".to_string(),
            "ok".to_string()
        )]
    );
    tmux.send(&["q"]);
    tmux.assert_restored();
}
