//! The Services engine end to end through a real sshd on 127.0.0.1: real `ss` and
//! `/proc/net/tcp`, real loopback HTTP listeners (in this process, and `perl` ones started
//! over SSH so that the remote user's `ss -p` sees their owner), fake `docker`,
//! `systemctl` and `sudo` first on the remote PATH printing captured output or errors
//! and recording their argv. Probes must go through the session's port forwards.

mod support;

use sparkdeck::config::ServicesSettings;
use sparkdeck::host::{Host, SshHost, StreamEvent};
use sparkdeck::model::{
    CatalogEntry, DetailKind, ListenerSource, LogWindow, ProbeKind, ServiceDetail, ServiceKind,
    ServiceRow, ServiceState, ServiceTarget, ServiceVerb, SourceKind,
};
use sparkdeck::services::{ServicesEngine, actions, logs};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use support::http_stub::{Stub, free_port};
use support::remote_http::perl_server;
use support::sshd::Sshd;

const LIMIT: Duration = Duration::from_secs(30);
const DOCKER_PS: &str = include_str!("fixtures/services/ps-format-json.docker-cli-docs.jsonl");
const OLLAMA_PS: &str = include_str!("fixtures/services/api_ps.ollama-docs.json");
const OLLAMA_TAGS: &str = include_str!("fixtures/services/api_tags.ollama-docs.json");
const OLLAMA_VERSION: &str = include_str!("fixtures/services/api_version.ollama-docs.json");

const DOCKER_DENIED_STDERR: &str =
    include_str!("fixtures/services/docker-ps.permission-denied.docker-28.2.2.stderr");
const JOURNAL: &str = include_str!("fixtures/services/journal-json.test-machine.jsonl");

/// A fake docker that fails as docker 28.2.2 does without access to the socket.
fn docker_denied() -> String {
    format!("#!/bin/sh\ncat >&2 <<'ERR'\n{DOCKER_DENIED_STDERR}ERR\nexit 1\n")
}

async fn connect(sshd: &Sshd) -> Arc<dyn Host> {
    let host = tokio::time::timeout(LIMIT, SshHost::connect(&sshd.target(), sshd.options()))
        .await
        .expect("connect in time")
        .expect("connect");
    Arc::new(host)
}

fn entry(name: &str, port: u16, kind: ServiceKind) -> CatalogEntry {
    CatalogEntry {
        name: name.to_string(),
        ports: vec![port],
        any_port: false,
        kind,
        unit: String::new(),
        container: String::new(),
        matches: Vec::new(),
        family: String::new(),
        required: true,
        probe: ProbeKind::Http,
        probe_path: "/".into(),
        expect_status: None,
        expect_body: String::new(),
        detail: DetailKind::None,
    }
}

/// `systemctl show` blocks in systemd's own property order (research/domain.md §4.2);
/// every other verb is recorded and succeeds.
fn systemctl_script(log: &Path) -> String {
    let show = "MainPID=4242\nResult=success\nNRestarts=0\n\
                ExecMainStartTimestamp=Thu 2026-09-10 13:29:58 +01\nId=deepseek-ocr-vllm.service\n\
                LoadState=loaded\nActiveState=active\nSubState=running\n\n\
                MainPID=0\nResult=exit-code\nNRestarts=4\nExecMainStartTimestamp=\n\
                Id=ollama.service\nLoadState=loaded\nActiveState=failed\nSubState=failed\n";
    format!(
        "#!/bin/sh\necho \"$*\" >> {log}\nif [ \"$1\" = show ]; then\ncat <<'SHOW'\n{show}SHOW\nfi\nexit 0\n",
        log = log.display()
    )
}

/// `docker ps` prints the docker CLI docs' capture; other verbs are recorded.
fn docker_script(log: &Path) -> String {
    format!(
        "#!/bin/sh\necho \"$*\" >> {log}\nif [ \"$1\" = ps ]; then\ncat <<'PS'\n{DOCKER_PS}PS\nfi\nexit 0\n",
        log = log.display()
    )
}

fn read_log(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

fn row<'a>(rows: &'a [ServiceRow], id: &str) -> &'a ServiceRow {
    rows.iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no row {id} in {rows:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_merged_picture_through_ssh_with_probes_through_forwards() {
    let sshd = Sshd::start();
    let systemctl_log = sshd.shared_dir().join("systemctl.log");
    let docker_log = sshd.shared_dir().join("docker.log");
    sshd.install_remote_tool("systemctl", &systemctl_script(&systemctl_log));
    sshd.install_remote_tool("docker", &docker_script(&docker_log));
    let host = connect(&sshd).await;

    let ollama = Stub::start(&[
        ("/", 200, "Ollama is running"),
        ("/api/version", 200, OLLAMA_VERSION),
        ("/api/ps", 200, OLLAMA_PS),
        ("/api/tags", 200, OLLAMA_TAGS),
    ])
    .await;
    let sick = Stub::start(&[("/health", 503, "engine dead\n")]).await;
    let slow = Stub::silent().await;
    let stray = Stub::start(&[]).await;
    // Owned by the remote user, so its `ss -p` names them.
    let (squatter, _p1) = perl_server(host.as_ref(), "perl").await;
    let (echo, _p2) = perl_server(host.as_ref(), "perl").await;
    let (echo_twin, _p3) = perl_server(host.as_ref(), "perl").await;
    let nginx_port = free_port();
    let ollama_unit_port = free_port();

    let catalog = vec![
        // No identity: whoever holds the port is accepted (this test process).
        CatalogEntry {
            expect_body: "Ollama is running".into(),
            detail: DetailKind::Ollama,
            ..entry("Ollama API", ollama.port, ServiceKind::Process)
        },
        // perl holds the port the unit should have: a conflict.
        CatalogEntry {
            unit: "deepseek-ocr-vllm".into(),
            matches: vec!["vllm".into()],
            family: "vllm".into(),
            probe_path: "/health".into(),
            ..entry("vLLM", squatter, ServiceKind::Systemd)
        },
        // Not listening: the fake systemctl says it failed.
        CatalogEntry {
            unit: "ollama".into(),
            matches: vec!["ollama".into()],
            ..entry("Ollama", ollama_unit_port, ServiceKind::Systemd)
        },
        // The captured container runs, but publishes nothing on this port.
        CatalogEntry {
            container: "boring_keldysh".into(),
            ..entry("nginx", nginx_port, ServiceKind::Docker)
        },
        CatalogEntry {
            matches: vec!["perl".into()],
            probe: ProbeKind::Tcp,
            ..entry("Echo", echo, ServiceKind::Process)
        },
        CatalogEntry {
            probe_path: "/health".into(),
            ..entry("Sick", sick.port, ServiceKind::Process)
        },
        entry("Slow", slow.port, ServiceKind::Process),
    ];
    let settings = ServicesSettings {
        replace_catalog: true,
        catalog,
        probe_timeout_ms: 700,
        ..ServicesSettings::default()
    };
    let mut engine = ServicesEngine::new(host.clone(), &settings);
    let report = tokio::time::timeout(LIMIT, engine.refresh())
        .await
        .expect("refresh in time");
    let rows = &report.rows;
    assert_eq!(report.listeners_from, ListenerSource::Ss);
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    assert!(report.at > 1_700_000_000);
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids[..7],
        [
            "svc:Ollama API",
            "svc:vLLM",
            "svc:Ollama",
            "svc:nginx",
            "svc:Echo",
            "svc:Sick",
            "svc:Slow"
        ]
    );

    let r = row(rows, "svc:Ollama API");
    assert_eq!(r.state, Some(ServiceState::Up), "{r:#?}");
    assert_eq!(r.bind.as_deref(), Some("127.0.0.1"));
    let h = r.health.as_ref().expect("probed");
    assert!(h.ok, "{h:?}");
    assert_eq!(h.detail, "HTTP 200");
    assert!(h.latency_ms.is_some());
    match &r.detail {
        ServiceDetail::Ollama {
            version,
            loaded,
            installed,
        } => {
            assert_eq!(version.as_deref(), Some("0.5.1"));
            assert_eq!(loaded.len(), 1);
            assert_eq!(loaded[0].name, "mistral:latest");
            assert!(!installed.is_empty());
        }
        other => panic!("no Ollama detail: {other:?}"),
    }
    let mut asked = ollama.paths();
    asked.sort();
    assert_eq!(asked, ["/", "/api/ps", "/api/tags", "/api/version"]);

    let r = row(rows, "svc:vLLM");
    assert_eq!(r.state, Some(ServiceState::Conflict), "{r:#?}");
    assert_eq!(r.owner.process.as_deref(), Some("perl"));
    let pid = r.owner.pid.expect("the remote user's ss shows the pid");
    let notes = r.notes.join(" | ");
    assert!(
        notes.contains(&format!("held by perl (pid {pid})")),
        "{notes}"
    );
    assert!(
        notes.contains("expected deepseek-ocr-vllm.service"),
        "{notes}"
    );
    assert_eq!(
        r.unit.as_ref().map(|u| (u.id.as_str(), u.main_pid)),
        Some(("deepseek-ocr-vllm.service", Some(4242)))
    );

    let r = row(rows, "svc:Ollama");
    assert_eq!(r.state, Some(ServiceState::Down));
    assert!(r.health.is_none());
    let notes = r.notes.join(" | ");
    assert!(
        notes.contains("ollama.service failed (Result=exit-code, NRestarts=4)"),
        "{notes}"
    );

    let r = row(rows, "svc:nginx");
    assert_eq!(r.state, Some(ServiceState::Down));
    assert_eq!(
        r.container.as_ref().map(|c| c.image.as_str()),
        Some("nginx")
    );
    let notes = r.notes.join(" | ");
    assert!(
        notes.contains("container boring_keldysh is running (Up 3 seconds)"),
        "{notes}"
    );

    let r = row(rows, "svc:Echo");
    assert_eq!(r.state, Some(ServiceState::Up), "{r:#?}");
    assert_eq!(r.owner.process.as_deref(), Some("perl"));
    assert_eq!(
        r.health.as_ref().map(|h| (h.ok, h.detail.as_str())),
        Some((true, "TCP connect ok"))
    );

    let dup = row(rows, &format!("port:{echo_twin}"));
    assert_eq!(dup.state, Some(ServiceState::Duplicate), "{dup:#?}");
    assert_eq!(dup.name, "Echo");
    assert!(
        dup.notes.join(" ").contains("a second Echo"),
        "{:?}",
        dup.notes
    );

    let h = row(rows, "svc:Sick").health.as_ref().unwrap();
    assert!(!h.ok);
    assert_eq!(h.detail, "HTTP 503: engine dead");
    let h = row(rows, "svc:Slow").health.as_ref().unwrap();
    assert!(!h.ok);
    assert_eq!(h.detail, "timed out after 700 ms");

    let r = row(rows, &format!("port:{}", stray.port));
    assert_eq!(r.state, Some(ServiceState::Unexpected));
    assert!(!r.expected);

    // Every probe went through a forward of the session, one per (address, port):
    // Ollama API, vLLM, Echo, the duplicate, Sick, Slow.
    assert_eq!(engine.prober.forwards_opened(), 6);
    assert_eq!(engine.prober.forwards_held(), 6);
    // ONE systemctl for all units; docker ps in the JSON format.
    assert_eq!(
        read_log(&systemctl_log),
        [
            "show deepseek-ocr-vllm.service ollama.service -p Id,LoadState,ActiveState,SubState,MainPID,NRestarts,ExecMainStartTimestamp,Result"
        ]
    );
    assert_eq!(
        read_log(&docker_log),
        ["ps --all --no-trunc --format {{json .}}"]
    );

    // The next refresh reuses the forwards; a port that stops listening loses its own.
    ollama.stop();
    let report = tokio::time::timeout(LIMIT, engine.refresh()).await.unwrap();
    assert_eq!(
        row(&report.rows, "svc:Ollama API").state,
        Some(ServiceState::Down)
    );
    assert_eq!(engine.prober.forwards_opened(), 6);
    assert_eq!(engine.prober.forwards_held(), 5);
    assert!(row(&report.rows, "svc:Echo").health.as_ref().unwrap().ok);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docker_permission_denied_and_a_host_without_ss() {
    let sshd = Sshd::start();
    sshd.install_remote_tool("docker", &docker_denied());
    // As on a host without iproute2: the remote shell's "not found" status.
    sshd.install_remote_tool(
        "ss",
        "#!/bin/sh\necho 'sh: 1: ss: not found' >&2\nexit 127\n",
    );
    let host = connect(&sshd).await;
    let up = Stub::start(&[("/", 200, "ok")]).await;
    let settings = ServicesSettings {
        replace_catalog: true,
        catalog: vec![
            CatalogEntry {
                container: "open-webui".into(),
                ..entry("Open WebUI", free_port(), ServiceKind::Docker)
            },
            entry("Up", up.port, ServiceKind::Process),
        ],
        ..ServicesSettings::default()
    };
    let mut engine = ServicesEngine::new(host, &settings);
    let report = tokio::time::timeout(LIMIT, engine.refresh()).await.unwrap();

    let docker = report
        .problems
        .iter()
        .find(|p| p.source == SourceKind::Docker)
        .unwrap_or_else(|| panic!("{:#?}", report.problems));
    assert!(docker.message.contains("permission denied"), "{docker:?}");
    assert!(
        docker
            .fix
            .as_deref()
            .unwrap_or("")
            .contains("sudo usermod -aG docker $USER"),
        "{docker:?}"
    );
    let sockets = report
        .problems
        .iter()
        .find(|p| p.source == SourceKind::Sockets)
        .unwrap_or_else(|| panic!("{:#?}", report.problems));
    assert!(
        sockets.message.contains("process names are unavailable"),
        "{sockets:?}"
    );
    assert_eq!(report.listeners_from, ListenerSource::ProcNet);

    let webui = row(&report.rows, "svc:Open WebUI");
    assert_eq!(webui.state, Some(ServiceState::Down));
    assert!(
        webui.notes.join(" ").contains("docker is not readable"),
        "{:?}",
        webui.notes
    );
    // /proc/net/tcp still shows the listener, without its owner.
    let r = row(&report.rows, "svc:Up");
    assert_eq!(r.state, Some(ServiceState::Up));
    assert_eq!(r.owner.pid, None);
    assert!(r.health.as_ref().unwrap().ok);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_run_the_exact_commands_and_explain_sudo() {
    let sshd = Sshd::start();
    let sudo_log = sshd.shared_dir().join("sudo.log");
    let systemctl_log = sshd.shared_dir().join("systemctl.log");
    let docker_log = sshd.shared_dir().join("docker.log");
    sshd.install_remote_tool(
        "sudo",
        &format!(
            "#!/bin/sh\necho \"$*\" >> {}\nshift\nexec \"$@\"\n",
            sudo_log.display()
        ),
    );
    sshd.install_remote_tool("systemctl", &systemctl_script(&systemctl_log));
    sshd.install_remote_tool("docker", &docker_script(&docker_log));
    let host = connect(&sshd).await;
    let settings = ServicesSettings::default();
    let unit = ServiceTarget::Unit("ollama.service".into());

    let ok = actions::run(host.as_ref(), &settings, &unit, ServiceVerb::Restart).await;
    assert_eq!(ok, Ok("restarted ollama.service on test-spark".to_string()));
    assert_eq!(read_log(&sudo_log), ["-n systemctl restart ollama.service"]);
    assert_eq!(read_log(&systemctl_log), ["restart ollama.service"]);

    let c = ServiceTarget::Container("open-webui".into());
    let ok = actions::run(host.as_ref(), &settings, &c, ServiceVerb::Stop).await;
    assert_eq!(ok, Ok("stopped open-webui on test-spark".to_string()));
    assert_eq!(read_log(&docker_log), ["stop open-webui"]);

    // A root login on a box without sudo: systemctl runs directly.
    sshd.install_remote_tool(
        "sudo",
        "#!/bin/sh\necho 'sh: 1: sudo: not found' >&2\nexit 127\n",
    );
    let ok = actions::run(host.as_ref(), &settings, &unit, ServiceVerb::Start).await;
    assert_eq!(ok, Ok("started ollama.service on test-spark".to_string()));
    assert_eq!(
        read_log(&systemctl_log),
        ["restart ollama.service", "start ollama.service"]
    );

    // sudo = false: never through sudo.
    let direct = ServicesSettings {
        sudo: false,
        ..ServicesSettings::default()
    };
    let ok = actions::run(host.as_ref(), &direct, &unit, ServiceVerb::Stop).await;
    assert_eq!(ok, Ok("stopped ollama.service on test-spark".to_string()));
    assert_eq!(
        read_log(&systemctl_log).last().map(String::as_str),
        Some("stop ollama.service")
    );
    assert_eq!(read_log(&sudo_log).len(), 1);

    sshd.install_remote_tool(
        "sudo",
        "#!/bin/sh\necho 'sudo: a password is required' >&2\nexit 1\n",
    );
    let err = actions::run(host.as_ref(), &settings, &unit, ServiceVerb::Restart)
        .await
        .unwrap_err();
    assert_eq!(err.message, "sudo needs a password on test-spark");
    assert_eq!(
        err.fix.as_deref(),
        Some("run on the host: sudo systemctl restart ollama.service")
    );

    sshd.install_remote_tool("docker", &docker_denied());
    let err = actions::run(host.as_ref(), &settings, &c, ServiceVerb::Start)
        .await
        .unwrap_err();
    assert!(err.message.contains("permission denied"), "{err:?}");
    assert!(err.fix.unwrap().contains("usermod -aG docker"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_follow_over_ssh_with_the_window_and_are_rendered() {
    let sshd = Sshd::start();
    let log = sshd.shared_dir().join("journalctl.log");
    sshd.install_remote_tool(
        "journalctl",
        &format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > {}\ncat <<'JOURNAL'\n{JOURNAL}JOURNAL\n",
            log.display()
        ),
    );
    let host = connect(&sshd).await;
    let settings = ServicesSettings::default();
    let unit = ServiceTarget::Unit("ollama.service".into());
    let argv = logs::argv(&settings, &unit, LogWindow::LastHour, 0);
    let refs: Vec<&str> = argv.iter().map(String::as_str).collect();
    let mut stream = host.stream_lines(&refs).await.expect("journalctl runs");
    let mut shown = Vec::new();
    loop {
        match tokio::time::timeout(LIMIT, stream.next())
            .await
            .expect("lines in time")
        {
            Some(StreamEvent::Stdout(l)) => shown.push(logs::render(&unit, &l)),
            Some(StreamEvent::Stderr(l)) => panic!("stderr: {l}"),
            Some(StreamEvent::Exit(_)) | None => break,
        }
    }
    // Each argument arrived as one word, as given.
    assert_eq!(read_log(&log), argv[1..]);
    assert_eq!(shown.len(), JOURNAL.lines().count());
    assert!(
        shown
            .iter()
            .any(|l| l.contains("ollama[21259]: time=2026-11-22T11:15:00Z level=INFO")),
        "{shown:#?}"
    );
    assert!(shown.iter().all(|l| !l.starts_with('{')), "{shown:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wildcard_v6_listener_is_probed_on_loopback_through_the_forward() {
    let sshd = Sshd::start();
    let host = connect(&sshd).await;
    // Dual-stack `::` (ss prints `*:PORT`), like Ollama with OLLAMA_HOST=0.0.0.0.
    let any = Stub::start_at("[::]:0", &[("/", 200, "Ollama is running")]).await;
    let settings = ServicesSettings {
        replace_catalog: true,
        catalog: vec![CatalogEntry {
            expect_body: "Ollama is running".into(),
            ..entry("Ollama", any.port, ServiceKind::Process)
        }],
        show_unexpected: false,
        ..ServicesSettings::default()
    };
    let mut engine = ServicesEngine::new(host, &settings);
    let report = tokio::time::timeout(LIMIT, engine.refresh()).await.unwrap();
    let r = row(&report.rows, "svc:Ollama");
    assert_eq!(r.bind.as_deref(), Some("::"));
    let h = r.health.as_ref().expect("probed");
    assert!(h.ok, "{h:?}");
    assert_eq!(any.paths(), ["/"]);
    assert_eq!(engine.prober.forwards_opened(), 1);
}
