//! One full Services refresh (ss, docker ps, systemctl show, HTTP probes with service
//! detail, merge) against the real test sshd, as the TUI's worker runs it every
//! `refresh_s`; plus the same refresh locally and the pure merge alone. Results are in
//! docs/performance.md.
//!
//! Run: `cargo bench --bench services` (needs sshd installed, as the tests do).

#[path = "../tests/support/mod.rs"]
mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use sparkdeck::config::ServicesSettings;
use sparkdeck::host::{Host, LocalHost, SshHost};
use sparkdeck::model::{CatalogEntry, DetailKind, ProbeKind, ServiceKind};
use sparkdeck::services::{ServicesEngine, collect, merge};
use std::hint::black_box;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use support::sshd::Sshd;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/services")
        .join(rel)
}

/// A loopback HTTP server answering every request with `body` (status 200), on its own
/// thread for the life of the bench.
fn http_server(body: &'static str) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().expect("bound").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 2048];
            let _ = s.read(&mut buf);
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(reply.as_bytes());
        }
    });
    port
}

fn entry(name: &str, port: u16, probe_path: &str, detail: DetailKind) -> CatalogEntry {
    CatalogEntry {
        name: name.into(),
        ports: vec![port],
        any_port: false,
        kind: ServiceKind::Process,
        unit: String::new(),
        container: String::new(),
        matches: Vec::new(),
        family: String::new(),
        required: true,
        probe: ProbeKind::Http,
        probe_path: probe_path.into(),
        expect_status: None,
        expect_body: String::new(),
        detail,
    }
}

fn settings() -> ServicesSettings {
    let ollama = http_server(r#"{"models":[]}"#);
    let vllm = http_server(
        r#"{"object":"list","data":[{"id":"deepseek-ai/DeepSeek-OCR","object":"model","owned_by":"vllm","max_model_len":8192}]}"#,
    );
    let web = http_server(r#"{"status":true}"#);
    let mut catalog = vec![
        entry("Ollama", ollama, "/api/tags", DetailKind::Ollama),
        entry("vLLM", vllm, "/v1/models", DetailKind::Openai),
        entry("Open WebUI", web, "/health", DetailKind::None),
    ];
    // Two catalogued services that are down: a refresh also pays for those.
    catalog.push(entry("ArangoDB", 1, "/_api/version", DetailKind::None));
    catalog.push(entry("Whisper", 2, "/docs", DetailKind::None));
    ServicesSettings {
        replace_catalog: true,
        catalog,
        ..ServicesSettings::default()
    }
}

fn fake_tools(sshd: &Sshd) {
    let ps = fixture("ps-format-json.docker-cli-docs.jsonl");
    assert!(ps.is_file(), "{} is missing", ps.display());
    sshd.install_remote_tool("docker", &format!("#!/bin/sh\ncat '{}'\n", ps.display()));
    sshd.install_remote_tool(
        "systemctl",
        "#!/bin/sh\nprintf 'Id=ollama.service\\nLoadState=loaded\\nActiveState=active\\nSubState=running\\nMainPID=4242\\nNRestarts=0\\nExecMainStartTimestamp=Sun 2026-11-22 08:00:00 UTC\\nResult=success\\n'\n",
    );
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let settings = settings();
    let sshd = Sshd::start();
    fake_tools(&sshd);
    let ssh: Arc<dyn Host> = Arc::new(
        rt.block_on(SshHost::connect(&sshd.target(), sshd.options()))
            .expect("connect to the test sshd"),
    );
    let local: Arc<dyn Host> = Arc::new(LocalHost::new());

    let mut g = c.benchmark_group("services");
    g.sample_size(20).measurement_time(Duration::from_secs(15));
    let mut remote = ServicesEngine::new(ssh.clone(), &settings);
    g.bench_function("refresh_over_ssh", |b| {
        b.iter(|| black_box(rt.block_on(remote.refresh())))
    });
    let mut here = ServicesEngine::new(local.clone(), &settings);
    g.bench_function("refresh_local", |b| {
        b.iter(|| black_box(rt.block_on(here.refresh())))
    });
    let catalog = sparkdeck::services::catalog::effective(&settings);
    let obs = rt.block_on(collect::observe(ssh.as_ref(), &settings, &catalog));
    g.bench_function("merge", |b| {
        b.iter(|| black_box(merge::merge(&catalog, &obs, &settings)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
