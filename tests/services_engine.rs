//! The `[services]` config (catalogue entries, ranges, located errors) and the engine on
//! the local host: real `ss`, real loopback listeners of this process, direct probes.

mod support;

use sparkdeck::config::{ConfigError, ServicesSettings, parse};
use sparkdeck::host::{Host, LocalHost};
use sparkdeck::model::{
    CatalogEntry, DetailKind, ListenerSource, ProbeKind, ServiceDetail, ServiceKind, ServiceState,
};
use sparkdeck::services::{ServicesEngine, catalog};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use support::http_stub::{Stub, free_port};

fn err(text: &str) -> ConfigError {
    match parse(text, Path::new("config.toml")) {
        Ok(c) => panic!("expected an error for {text:?}, got {:?}", c.services),
        Err(e) => e,
    }
}

#[test]
fn catalogue_entries_replace_and_extend_the_defaults() {
    let text = r#"
[services]
refresh_s = 30
ignore_ports = [22]

[[services.catalog]]
name = "Ollama"
ports = [11435]
kind = "systemd"
unit = "ollama"
matches = ["ollama"]
probe = "http"
probe_path = "/"
expect_body = "Ollama is running"
detail = "ollama"

[[services.catalog]]
name = "Qdrant"
ports = [6333, 6334]
kind = "docker"
container = "qdrant"
required = false
probe = "http"
probe_path = "/healthz"
expect_status = 200
"#;
    let config = parse(text, Path::new("config.toml")).expect("valid");
    let s = &config.services;
    assert_eq!(s.refresh_s, 30);
    assert_eq!(s.ignore_ports, [22]);
    assert_eq!(s.catalog.len(), 2);
    let eff = catalog::effective(s);
    assert_eq!(eff.len(), catalog::defaults().len() + 1);
    let ollama = eff.iter().find(|e| e.name == "Ollama").unwrap();
    assert_eq!(ollama.ports, [11435]);
    assert_eq!(ollama.detail, DetailKind::Ollama);
    let q = eff.last().unwrap();
    assert_eq!(q.name, "Qdrant");
    assert!(!q.required);
    assert_eq!(q.expect_status, Some(200));
    // Defaults of an entry: required, TCP probe.
    let minimal = parse(
        "[[services.catalog]]\nname = \"x\"\nports = [1]\n",
        Path::new("c.toml"),
    )
    .unwrap();
    let e = &minimal.services.catalog[0];
    assert!(e.required);
    assert_eq!(e.probe, ProbeKind::Tcp);
    assert_eq!(e.kind, ServiceKind::Process);
}

#[test]
fn catalogue_mistakes_point_at_the_entry_and_key() {
    let e = err(
        "[[services.catalog]]\nname = \"a\"\nports = [1]\n\n[[services.catalog]]\nname = \"A\"\nports = [2]\n",
    );
    assert_eq!(
        e.to_string(),
        "config.toml:6:8: bad value for catalog[1].name in [services]: \"A\" is already in the catalogue; names must be unique"
    );
    let e = err("[[services.catalog]]\nname = \"a\"\nports = []\n");
    assert_eq!(
        e.to_string(),
        "config.toml:3:9: bad value for catalog[0].ports in [services]: list at least one port, each 1-65535"
    );
    let e = err("[[services.catalog]]\nname = \"w\"\nports = [8080]\nkind = \"docker\"\n");
    assert!(
        e.to_string().contains(
            "catalog[0].container in [services]: kind = \"docker\" needs the container name"
        ),
        "{e}"
    );
    assert!(e.location().is_some());
    let e = err("[[services.catalog]]\nname = \"o\"\nports = [1]\nkind = \"systemd\"\n");
    assert!(e.to_string().contains("catalog[0].unit"), "{e}");
    let e = err(
        "[[services.catalog]]\nname = \"o\"\nports = [1]\nprobe = \"http\"\nprobe_path = \"health\"\n",
    );
    assert_eq!(
        e.to_string(),
        "config.toml:5:14: bad value for catalog[0].probe_path in [services]: \"health\" must start with / (e.g. \"/health\")"
    );
    let e = err("[[services.catalog]]\nname = \"o\"\nports = [1]\nexpect_status = 99\n");
    assert!(e.to_string().contains("100-599"), "{e}");
    let e = err("[[services.catalog]]\nname = \"\"\nports = [1]\n");
    assert!(e.to_string().contains("catalog[0].name"), "{e}");
    let e = err("[[services.catalog]]\nname = \"o\"\nports = [1]\nprobe = \"icmp\"\n");
    assert!(e.to_string().contains("icmp"), "{e}");
    let e = err("[[services.catalog]]\nname = \"o\"\nport = 1\n");
    assert!(e.to_string().contains("port"), "{e}");
    let e = err("[services]\ndocker = \"\"\n");
    assert!(e.to_string().contains("docker"), "{e}");
}

#[test]
fn services_ranges_are_checked() {
    for (line, key, allowed) in [
        ("refresh_s = 0", "refresh_s", "1..=3600"),
        ("refresh_s = 3601", "refresh_s", "1..=3600"),
        ("probe_timeout_ms = 99", "probe_timeout_ms", "100..=60000"),
        (
            "probe_timeout_ms = 60001",
            "probe_timeout_ms",
            "100..=60000",
        ),
        ("log_lines = 0", "log_lines", "1..=100000"),
        ("log_lines = 100001", "log_lines", "1..=100000"),
    ] {
        let e = err(&format!("[services]\n{line}\n"));
        let value = line.split(" = ").nth(1).unwrap();
        assert_eq!(
            e.to_string(),
            format!(
                "config.toml:2:{}: {key} = {value} in [services] is out of range; allowed: {allowed}",
                key.len() + 4
            )
        );
    }
    for line in [
        "refresh_s = 1",
        "probe_timeout_ms = 60000",
        "log_lines = 100000",
    ] {
        parse(&format!("[services]\n{line}\n"), Path::new("c.toml")).expect(line);
    }
}

fn entry(name: &str, port: u16, matches: &[&str]) -> CatalogEntry {
    CatalogEntry {
        name: name.to_string(),
        ports: vec![port],
        any_port: false,
        kind: ServiceKind::Process,
        unit: String::new(),
        container: String::new(),
        matches: matches.iter().map(|m| m.to_string()).collect(),
        family: String::new(),
        required: true,
        probe: ProbeKind::Http,
        probe_path: "/health".into(),
        expect_status: None,
        expect_body: String::new(),
        detail: DetailKind::None,
    }
}

/// This test binary's name as `ss` shows it (the kernel's comm: at most 15 bytes).
fn own_comm() -> String {
    std::fs::read_to_string("/proc/self/comm")
        .unwrap()
        .trim()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_refresh_sees_this_process_and_probes_directly() {
    let comm = own_comm();
    let fragment = comm.to_lowercase();
    let a = Stub::start(&[("/health", 200, "{\"status\":true}")]).await;
    let b = Stub::start(&[("/health", 200, "{\"status\":true}")]).await;
    let c = Stub::start(&[("/health", 200, "ok")]).await;
    let nobody = free_port();
    let settings = ServicesSettings {
        replace_catalog: true,
        catalog: vec![
            entry("Mine", a.port, &[&fragment]),
            // Held by this process, which is not an Ollama.
            entry("Ollama", c.port, &["ollama"]),
            entry("Gone", nobody, &[]),
        ],
        ..ServicesSettings::default()
    };
    let host: Arc<dyn Host> = Arc::new(LocalHost::new());
    let mut engine = ServicesEngine::new(host, &settings);
    let report = tokio::time::timeout(Duration::from_secs(30), engine.refresh())
        .await
        .expect("refresh in time");
    assert_eq!(report.listeners_from, ListenerSource::Ss);
    let row = |id: &str| {
        report
            .rows
            .iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("no {id}: {:#?}", report.rows))
    };
    let mine = row("svc:Mine");
    assert_eq!(mine.state, Some(ServiceState::Up), "{mine:#?}");
    assert_eq!(mine.owner.pid, Some(std::process::id()));
    assert_eq!(mine.owner.process.as_deref(), Some(comm.as_str()));
    let h = mine.health.as_ref().unwrap();
    assert!(h.ok && h.detail == "HTTP 200", "{h:?}");
    assert_eq!(a.paths(), ["/health"]);

    let ollama = row("svc:Ollama");
    assert_eq!(ollama.state, Some(ServiceState::Conflict));
    assert!(
        ollama.notes[0].contains(&format!("held by {comm} (pid {})", std::process::id())),
        "{:?}",
        ollama.notes
    );

    assert_eq!(row("svc:Gone").state, Some(ServiceState::Down));
    let twin = row(&format!("port:{}", b.port));
    assert_eq!(twin.state, Some(ServiceState::Duplicate));
    assert_eq!(twin.name, "Mine");
    assert!(twin.health.as_ref().unwrap().ok);
    // Locally nothing is forwarded.
    assert_eq!(engine.prober.forwards_opened(), 0);
}

const VLLM_METRICS: &str = include_str!("fixtures/services/metrics.datadog-integrations-core.txt");
/// vLLM's ModelCard list (research/domain.md §3.1).
const VLLM_MODELS: &str = r#"{"object":"list","data":[{"id":"deepseek-ai/DeepSeek-OCR","object":"model","created":1795345972,"owned_by":"vllm","root":"deepseek-ai/DeepSeek-OCR","parent":null,"max_model_len":8192,"permission":[]}]}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openai_and_cloudflared_detail_from_their_endpoints() {
    let vllm = Stub::start(&[
        ("/health", 200, ""),
        ("/v1/models", 200, VLLM_MODELS),
        ("/metrics", 200, VLLM_METRICS),
    ])
    .await;
    // SGLang without --enable-metrics: /metrics 404s, the models still show.
    let sglang = Stub::start(&[("/health", 200, ""), ("/v1/models", 200, VLLM_MODELS)]).await;
    let tunnel = Stub::start(&[("/ready", 200, r#"{"status":200,"readyConnections":4}"#)]).await;
    let no_edge = Stub::start(&[("/ready", 503, r#"{"status":503,"readyConnections":0}"#)]).await;
    let openai = |name: &str, port: u16| CatalogEntry {
        detail: DetailKind::Openai,
        ..entry(name, port, &[])
    };
    let cf = |name: &str, port: u16| CatalogEntry {
        probe_path: "/ready".into(),
        detail: DetailKind::Cloudflared,
        ..entry(name, port, &[])
    };
    let settings = ServicesSettings {
        replace_catalog: true,
        catalog: vec![
            openai("vLLM", vllm.port),
            openai("SGLang", sglang.port),
            cf("cloudflared", tunnel.port),
            cf("cloudflared 2", no_edge.port),
        ],
        show_unexpected: false,
        ..ServicesSettings::default()
    };
    let host: Arc<dyn Host> = Arc::new(LocalHost::new());
    let mut engine = ServicesEngine::new(host, &settings);
    let report = tokio::time::timeout(Duration::from_secs(30), engine.refresh())
        .await
        .unwrap();
    let rows = &report.rows;
    assert_eq!(rows.len(), 4, "{rows:#?}");
    match &rows[0].detail {
        ServiceDetail::Openai { models, load } => {
            assert_eq!(models.len(), 1);
            assert_eq!(models[0].id, "deepseek-ai/DeepSeek-OCR");
            assert_eq!(models[0].owned_by.as_deref(), Some("vllm"));
            assert_eq!(models[0].max_model_len, Some(8192));
            let load = load.as_ref().expect("load from /metrics");
            assert_eq!(load.running, Some(0.0));
            assert_eq!(load.waiting, Some(0.0));
        }
        other => panic!("{other:?}"),
    }
    match &rows[1].detail {
        ServiceDetail::Openai { models, load } => {
            assert_eq!(models.len(), 1);
            assert_eq!(load, &None);
        }
        other => panic!("{other:?}"),
    }
    assert!(rows[1].health.as_ref().unwrap().ok);
    assert_eq!(
        rows[2].detail,
        ServiceDetail::Cloudflared {
            ready_connections: Some(4)
        }
    );
    let h = rows[3].health.as_ref().unwrap();
    assert!(!h.ok);
    assert!(h.detail.starts_with("HTTP 503"), "{h:?}");
    assert_eq!(
        rows[3].detail,
        ServiceDetail::Cloudflared {
            ready_connections: Some(0)
        }
    );
}
