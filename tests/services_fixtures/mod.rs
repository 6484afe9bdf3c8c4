//! A realistic Services report of a Spark in trouble (seed 000's mess: a second Ollama and
//! ArangoDB from the txt2kg playbook, a failing probe, a loopback-only service, listeners
//! nobody catalogued), built by hand from the model types; and a state on the Services tab
//! of `spark-lab` with it loaded.
#![allow(dead_code)]

use super::ui_fixtures::*;
use sparkdeck::app::{Effect, Msg, State, update};
use sparkdeck::model::*;

pub const LAB: &str = "spark-lab";
pub const OLLAMA: &str = "svc:ollama";
pub const VLLM: &str = "svc:deepseek-ocr-vllm";
pub const ARANGO: &str = "svc:arangodb";
pub const OLLAMA2: &str = "port:11500";
pub const WEBUI: &str = "svc:open-webui";
pub const TXT2KG: &str = "svc:txt2kg";
pub const WHISPER: &str = "svc:whisper";
pub const CLOUDFLARED: &str = "svc:cloudflared";
pub const FLASK: &str = "port:5000";
pub const REDIS: &str = "port:6379";

const GB: u64 = 1_000_000_000;

fn unit(id: &str, active: &str, sub: &str, pid: Option<u32>, restarts: u32) -> UnitStatus {
    UnitStatus {
        id: id.into(),
        load_state: "loaded".into(),
        active_state: active.into(),
        sub_state: sub.into(),
        main_pid: pid,
        n_restarts: Some(restarts),
        started: pid.map(|_| "Thu 2026-11-19 08:12:40 UTC".into()),
        result: Some("success".into()),
    }
}

fn ok(ms: u64) -> Option<Health> {
    Some(Health {
        ok: true,
        latency_ms: Some(ms),
        detail: "HTTP 200".into(),
    })
}

fn port(ip: &str, host: u16, inner: u16) -> PublishedPort {
    PublishedPort {
        host_ip: ip.into(),
        host_port: host,
        container_port: inner,
        proto: "tcp".into(),
    }
}

pub fn rows() -> Vec<ServiceRow> {
    let ollama = ServiceRow {
        id: OLLAMA.into(),
        name: "Ollama".into(),
        port: Some(11434),
        bind: Some("::".into()),
        expected: true,
        required: true,
        kind: ServiceKind::Systemd,
        state: Some(ServiceState::Up),
        owner: Owner {
            pid: Some(1187),
            process: Some("ollama".into()),
            container: None,
            unit: Some("ollama.service".into()),
        },
        unit: Some(unit("ollama.service", "active", "running", Some(1187), 0)),
        container: None,
        health: ok(12),
        notes: vec!["OLLAMA_HOST=0.0.0.0: reachable from the network".into()],
        detail: ServiceDetail::Ollama {
            version: Some("0.12.6".into()),
            loaded: vec![
                OllamaLoaded {
                    name: "qwen2.5vl:7b".into(),
                    size_bytes: 6_400_000_000,
                    vram_bytes: 6_400_000_000,
                    expires_at: Some("2026-11-22T08:17:40+00:00".into()),
                },
                OllamaLoaded {
                    name: "llama3.1:70b".into(),
                    size_bytes: 48 * GB,
                    vram_bytes: 36 * GB,
                    expires_at: None,
                },
            ],
            installed: vec![
                OllamaInstalled {
                    name: "llama3.1:70b".into(),
                    size_bytes: 42_520_413_916,
                    digest: "a1b2".into(),
                    parameter_size: Some("70.6B".into()),
                    quantization: Some("Q4_K_M".into()),
                    modified_at: None,
                },
                OllamaInstalled {
                    name: "qwen2.5vl:7b".into(),
                    size_bytes: 5_969_245_856,
                    digest: "c3d4".into(),
                    parameter_size: Some("8.3B".into()),
                    quantization: Some("Q4_K_M".into()),
                    modified_at: None,
                },
                OllamaInstalled {
                    name: "nomic-embed-text:latest".into(),
                    size_bytes: 274_302_450,
                    digest: "e5f6".into(),
                    parameter_size: Some("137M".into()),
                    quantization: Some("F16".into()),
                    modified_at: None,
                },
            ],
        },
    };
    let vllm = ServiceRow {
        id: VLLM.into(),
        name: "DeepSeek-OCR vLLM".into(),
        port: Some(8000),
        bind: Some("0.0.0.0".into()),
        expected: true,
        required: true,
        kind: ServiceKind::Systemd,
        state: Some(ServiceState::Up),
        owner: Owner {
            pid: Some(2211),
            process: Some("python3".into()),
            container: None,
            unit: Some("deepseek-ocr-vllm.service".into()),
        },
        unit: Some(unit(
            "deepseek-ocr-vllm.service",
            "active",
            "running",
            Some(2211),
            2,
        )),
        health: ok(41),
        notes: Vec::new(),
        detail: ServiceDetail::Openai {
            models: vec![ServedModel {
                id: "deepseek-ai/DeepSeek-OCR".into(),
                owned_by: Some("vllm".into()),
                max_model_len: Some(8192),
            }],
            load: Some(EngineLoad {
                running: Some(2.0),
                waiting: Some(5.0),
                kv_cache_pct: Some(87.4),
                generation_tokens_total: Some(1_843_220.0),
                prompt_tokens_total: Some(9_120_455.0),
            }),
        },
        ..ServiceRow::default()
    };
    let arango = ServiceRow {
        id: ARANGO.into(),
        name: "ArangoDB".into(),
        port: Some(8529),
        bind: Some("0.0.0.0".into()),
        expected: true,
        required: true,
        kind: ServiceKind::Docker,
        state: Some(ServiceState::Conflict),
        owner: Owner {
            pid: Some(5538),
            process: Some("docker-proxy".into()),
            container: Some("txt2kg-arangodb-1".into()),
            unit: None,
        },
        container: Some(Container {
            id: "9f1c2b3a4d5e".into(),
            name: "txt2kg-arangodb-1".into(),
            image: "arangodb:3.12".into(),
            state: "running".into(),
            status: "Up 3 hours".into(),
            health: None,
            ports: vec![port("0.0.0.0", 8529, 8529)],
        }),
        health: ok(3),
        notes: vec![
            "port 8529 is held by container txt2kg-arangodb-1, not arangodb".into(),
            "one service per port: point txt2kg at the shared ArangoDB and remove its own".into(),
        ],
        ..ServiceRow::default()
    };
    let ollama2 = ServiceRow {
        id: OLLAMA2.into(),
        name: "Ollama (2nd)".into(),
        port: Some(11500),
        bind: Some("0.0.0.0".into()),
        expected: false,
        required: false,
        kind: ServiceKind::Docker,
        state: Some(ServiceState::Duplicate),
        owner: Owner {
            pid: Some(5602),
            process: Some("docker-proxy".into()),
            container: Some("ollama-compose".into()),
            unit: None,
        },
        container: Some(Container {
            id: "1a2b3c4d5e6f".into(),
            name: "ollama-compose".into(),
            image: "ollama/ollama:latest".into(),
            state: "running".into(),
            status: "Up 3 hours (healthy)".into(),
            health: Some("healthy".into()),
            ports: vec![port("0.0.0.0", 11500, 11434)],
        }),
        health: ok(9),
        notes: vec![
            "a second Ollama next to the one on 11434: two model stores, twice the VRAM".into(),
        ],
        ..ServiceRow::default()
    };
    let webui = ServiceRow {
        id: WEBUI.into(),
        name: "Open WebUI".into(),
        port: Some(8080),
        bind: Some("127.0.0.1".into()),
        expected: true,
        required: false,
        kind: ServiceKind::Docker,
        state: Some(ServiceState::Up),
        owner: Owner {
            pid: Some(10796),
            process: Some("docker-proxy".into()),
            container: Some("open-webui".into()),
            unit: None,
        },
        container: Some(Container {
            id: "0c9d8e7f6a5b".into(),
            name: "open-webui".into(),
            image: "ghcr.io/open-webui/open-webui:ollama".into(),
            state: "running".into(),
            status: "Up 2 minutes (unhealthy)".into(),
            health: Some("unhealthy".into()),
            ports: vec![port("127.0.0.1", 8080, 8080)],
        }),
        health: Some(Health {
            ok: false,
            latency_ms: Some(8),
            detail: "HTTP 503".into(),
        }),
        notes: vec!["GET /health answered 503: see its log (l)".into()],
        ..ServiceRow::default()
    };
    let txt2kg = ServiceRow {
        id: TXT2KG.into(),
        name: "txt2kg".into(),
        port: Some(3001),
        expected: true,
        required: true,
        kind: ServiceKind::Docker,
        state: Some(ServiceState::Down),
        container: Some(Container {
            id: "7e6d5c4b3a29".into(),
            name: "txt2kg-app-1".into(),
            image: "txt2kg-app:latest".into(),
            state: "exited".into(),
            status: "Exited (1) 2 hours ago".into(),
            health: None,
            ports: Vec::new(),
        }),
        notes: vec!["nothing listens on 3001; container txt2kg-app-1 exited (1)".into()],
        ..ServiceRow::default()
    };
    let whisper = ServiceRow {
        id: WHISPER.into(),
        name: "Whisper".into(),
        port: Some(9000),
        expected: true,
        required: false,
        kind: ServiceKind::Docker,
        state: Some(ServiceState::Down),
        notes: vec!["optional; not running".into()],
        ..ServiceRow::default()
    };
    let cloudflared = ServiceRow {
        id: CLOUDFLARED.into(),
        name: "cloudflared".into(),
        port: Some(20241),
        bind: Some("127.0.0.1".into()),
        expected: true,
        required: true,
        kind: ServiceKind::Systemd,
        state: Some(ServiceState::Up),
        owner: Owner {
            pid: Some(902),
            process: Some("cloudflared".into()),
            container: None,
            unit: Some("cloudflared.service".into()),
        },
        unit: Some(unit(
            "cloudflared.service",
            "active",
            "running",
            Some(902),
            7,
        )),
        health: Some(Health {
            ok: false,
            latency_ms: Some(2),
            detail: "HTTP 503".into(),
        }),
        notes: vec!["no edge connection: the tunnel is down".into()],
        detail: ServiceDetail::Cloudflared {
            ready_connections: Some(0),
        },
        ..ServiceRow::default()
    };
    let flask = ServiceRow {
        id: FLASK.into(),
        name: "python3".into(),
        port: Some(5000),
        bind: Some("0.0.0.0".into()),
        expected: false,
        state: Some(ServiceState::Unexpected),
        owner: Owner {
            pid: Some(9911),
            process: Some("python3".into()),
            container: None,
            unit: None,
        },
        notes: vec!["not in the catalogue".into()],
        ..ServiceRow::default()
    };
    let redis = ServiceRow {
        id: REDIS.into(),
        name: "redis-server".into(),
        port: Some(6379),
        bind: Some("127.0.0.1".into()),
        expected: false,
        state: Some(ServiceState::Unexpected),
        owner: Owner {
            pid: Some(800),
            process: Some("redis-server".into()),
            container: None,
            unit: Some("redis-server.service".into()),
        },
        notes: vec!["not in the catalogue".into()],
        ..ServiceRow::default()
    };
    vec![
        ollama,
        vllm,
        arango,
        ollama2,
        webui,
        txt2kg,
        whisper,
        cloudflared,
        flask,
        redis,
    ]
}

pub fn report(rows: Vec<ServiceRow>, at: i64) -> ServicesReport {
    ServicesReport {
        rows,
        listeners_from: ListenerSource::Ss,
        problems: Vec::new(),
        at,
    }
}

pub fn docker_denied() -> SourceProblem {
    SourceProblem {
        source: SourceKind::Docker,
        message: "permission denied while trying to connect to the Docker daemon socket at \
                  unix:///var/run/docker.sock"
            .into(),
        fix: Some(
            "sudo usermod -aG docker $USER, then log out and in again (or newgrp docker)".into(),
        ),
    }
}

pub fn journal_denied() -> SourceProblem {
    SourceProblem {
        source: SourceKind::Journal,
        message: "journalctl shows only your own messages".into(),
        fix: Some("sudo usermod -aG systemd-journal $USER, then log in again".into()),
    }
}

/// The effects that ask for a refresh.
pub fn loads(fx: &[Effect]) -> usize {
    fx.iter()
        .filter(|e| matches!(e, Effect::LoadServices { .. }))
        .count()
}

pub fn answer(s: &mut State, rows: Vec<ServiceRow>, at: i64) -> Vec<Effect> {
    update(
        s,
        Msg::Services {
            name: LAB.into(),
            report: report(rows, at),
        },
    )
}

/// `full_state` on the Services tab with the rich report, answered 12 s before `NOW`.
pub fn services_state_sized(w: u16, h: u16) -> State {
    let mut s = full_state();
    update(
        &mut s,
        Msg::Resize {
            width: w,
            height: h,
        },
    );
    let fx = update(&mut s, key('4'));
    assert_eq!(
        fx,
        vec![Effect::LoadServices { name: LAB.into() }],
        "opening the tab asks for a refresh"
    );
    answer(&mut s, rows(), NOW - 12);
    s
}

pub fn services_state() -> State {
    services_state_sized(120, 40)
}

pub fn selected_id(s: &State) -> String {
    s.services_selected()
        .map(|r| r.id.clone())
        .unwrap_or_default()
}

pub fn select(s: &mut State, id: &str) {
    update(s, key('g'));
    for _ in 0..20 {
        if selected_id(s) == id {
            return;
        }
        update(s, key('j'));
    }
    panic!("{id} not reachable");
}

pub fn flash_text(s: &State) -> String {
    s.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default()
}
