//! jobs_triage checks on real hosts: `worker_alive` through systemctl/pgrep (fake tools on
//! the test sshd, the real pgrep locally) and `log_freshness` on real files.

mod support;

use sparkdeck::host::{LocalHost, SshHost};
use sparkdeck::jobs_triage::checks::{log_freshness, log_freshness_within, worker_alive};
use std::time::Duration;
use support::sshd::Sshd;

const LIMIT: Duration = Duration::from_secs(20);

async fn connect(sshd: &Sshd) -> SshHost {
    tokio::time::timeout(LIMIT, SshHost::connect(&sshd.target(), sshd.options()))
        .await
        .expect("connect in time")
        .expect("connect")
}

fn mtime(p: &std::path::Path) -> i64 {
    std::fs::metadata(p)
        .unwrap()
        .modified()
        .unwrap()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn local_pgrep_finds_a_running_worker_and_not_a_missing_one() {
    let host = LocalHost::new();
    let mut child = tokio::process::Command::new("sleep")
        .arg("271.828")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    let c = worker_alive(&host, "", "sleep 271.828").await;
    assert!(c.ok, "{c:?}");
    assert!(c.detail.contains(&format!("{pid}: sleep 271.828")), "{c:?}");
    child.kill().await.unwrap();
    // sparkdeck's own tail of the worker log names the worker's directory; it is no worker.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("sd-fake-worker-9d1c.log");
    std::fs::write(&log, "x\n").unwrap();
    let tail = sparkdeck::sources::logtail::tail(&host, log.to_str().unwrap(), 1)
        .await
        .unwrap();
    let c = worker_alive(&host, "", "sd-fake-worker-9d1c").await;
    assert!(!c.ok, "{c:?}");
    assert!(
        c.detail.contains("only sparkdeck's own log reader"),
        "{c:?}"
    );
    drop(tail);
    let c = worker_alive(&host, " ", "sparkdeck-no-such-worker-4f2e").await;
    assert!(!c.ok);
    assert!(c.detail.contains("not running"), "{c:?}");
    let c = worker_alive(&host, "", "").await;
    assert!(!c.ok && c.detail.contains("worker_unit"), "{c:?}");
}

#[tokio::test]
async fn local_log_freshness() {
    let dir = tempfile::tempdir().unwrap();
    let host = LocalHost::new();
    let p = dir.path().join("worker.log");
    let ps = p.to_str().unwrap();
    let c = log_freshness(&host, ps, 0).await;
    assert!(
        !c.ok && c.detail.contains("does not exist on local"),
        "{c:?}"
    );
    std::fs::write(&p, "x\n").unwrap();
    let t = mtime(&p);
    let c = log_freshness(&host, ps, t + 30).await;
    assert!(c.ok, "{c:?}");
    assert!(c.detail.contains("last written 30s ago"), "{c:?}");
    let c = log_freshness_within(&host, ps, t + 2 * 3600, 600).await;
    assert!(!c.ok, "{c:?}");
    assert!(c.detail.contains("2h 0m ago"), "{c:?}");
}

#[tokio::test]
async fn ssh_systemctl_and_pgrep_via_fake_tools() {
    let sshd = Sshd::start();
    let host = connect(&sshd).await;
    let args = sshd.shared_dir().join("systemctl.args");
    // Records each call's argv; answers by the last argument (the unit) and `--user`.
    sshd.install_remote_tool(
        "systemctl",
        &format!(
            "#!/bin/sh\nprintf '%s|' \"$@\" >> '{}'\necho >> '{}'\nfor u; do :; done\n\
             if [ \"$1\" = --user ]; then\n  [ \"$u\" = mine.service ] && {{ echo active; exit 0; }}\n  \
             echo 'Failed to connect to bus: No medium found' >&2; exit 1\nfi\n\
             case \"$u\" in\n  hd-worker.service) echo active; exit 0;;\n  \
             crashed.service) echo failed; exit 3;;\n  mine.service) echo inactive; exit 3;;\n  \
             *) echo 'Failed to connect to bus' >&2; exit 1;;\nesac\n",
            args.display(),
            args.display()
        ),
    );
    let c = worker_alive(&host, "hd-worker.service", "ignored").await;
    assert!(c.ok, "{c:?}");
    assert_eq!(c.detail, "active on test-spark");
    assert_eq!(
        std::fs::read_to_string(&args).unwrap(),
        "is-active|--|hd-worker.service|\n"
    );
    std::fs::remove_file(&args).unwrap();

    let c = worker_alive(&host, "crashed.service", "").await;
    assert!(!c.ok);
    assert!(c.detail.starts_with("failed on test-spark"), "{c:?}");
    assert!(c.detail.contains("journalctl -u crashed.service"), "{c:?}");
    assert_eq!(
        std::fs::read_to_string(&args).unwrap(),
        "is-active|--|crashed.service|\n--user|is-active|--|crashed.service|\n",
        "the user manager is asked too"
    );

    let c = worker_alive(&host, "mine.service", "").await;
    assert!(c.ok, "{c:?}");
    assert_eq!(c.detail, "active (user unit) on test-spark");

    let c = worker_alive(&host, "x.service", "").await;
    assert!(!c.ok);
    assert!(c.detail.contains("Failed to connect to bus"), "{c:?}");

    sshd.install_remote_tool(
        "pgrep",
        "#!/bin/sh\n[ \"$1 $2 $3\" = '-a -f --' ] || { echo \"bad argv $*\" >&2; exit 2; }\n\
         case \"$4\" in 'python3 worker.py') echo '4242 python3 worker.py'; echo '4243 python3 worker.py --child'; exit 0;; *) exit 1;; esac\n",
    );
    let c = worker_alive(&host, "", "python3 worker.py").await;
    assert!(c.ok, "{c:?}");
    assert_eq!(
        c.detail,
        "running on test-spark (pid 4242: python3 worker.py, 4243: python3 worker.py --child)"
    );
    let c = worker_alive(&host, "", "other; rm -rf /").await;
    assert!(!c.ok && c.detail.contains("not running"), "{c:?}");
}

#[tokio::test]
async fn ssh_log_freshness() {
    let sshd = Sshd::start();
    let host = connect(&sshd).await;
    let p = sshd.shared_dir().join("worker.log");
    let ps = p.to_str().unwrap();
    let c = log_freshness(&host, ps, 0).await;
    assert!(
        !c.ok && c.detail.contains("does not exist on test-spark"),
        "{c:?}"
    );
    std::fs::write(&p, "x\n").unwrap();
    let t = mtime(&p);
    let c = log_freshness(&host, ps, t + 90).await;
    assert!(c.ok && c.detail.contains("1m ago on test-spark"), "{c:?}");
    let c = log_freshness(&host, ps, t + 3 * 86_400).await;
    assert!(!c.ok && c.detail.contains("not logging"), "{c:?}");
}

#[tokio::test]
async fn host_checks_run_both_over_ssh() {
    let sshd = Sshd::start();
    let host = connect(&sshd).await;
    sshd.install_remote_tool(
        "pgrep",
        "#!/bin/sh\n[ \"$4\" = hd_worker ] && { echo '77 hd_worker --poll'; exit 0; }\nexit 1\n",
    );
    let log = sshd.shared_dir().join("worker.log");
    std::fs::write(&log, "x\n").unwrap();
    let cfg = sparkdeck::config::JobsSettings {
        worker_unit: String::new(),
        worker_process: "hd_worker".into(),
        worker_log: log.to_str().unwrap().into(),
        ..Default::default()
    };
    let checks = sparkdeck::jobs_triage::host_checks(&host, &cfg, mtime(&log) + 5).await;
    let got: Vec<(bool, &str)> = checks.iter().map(|c| (c.ok, c.detail.as_str())).collect();
    assert_eq!(
        got,
        [
            (true, "running on test-spark (pid 77: hd_worker --poll)"),
            (
                true,
                format!("{} last written 5s ago on test-spark", log.display()).as_str()
            )
        ]
    );
}
