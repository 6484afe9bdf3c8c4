//! The Services parsers against `tests/fixtures/services/` (byte-for-byte copies of the
//! shared captures, plus `ss` and `/proc/net/tcp{,6}` captured on the test machine; see
//! `tests/fixtures/SOURCES.md`), and "never panics" properties on arbitrary input.

use std::fs;
use std::path::Path;

use proptest::prelude::*;
use sparkdeck::model::{Listener, OllamaInstalled, OllamaLoaded, SourceKind};
use sparkdeck::sources::services::{
    cloudflared, docker, journal, metrics, ollama, openai, proc_net, ss, systemd,
};

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/services")
        .join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn summary(l: &Listener) -> (String, u16, bool, Vec<(String, u32)>) {
    (
        l.addr.clone(),
        l.port,
        l.v6,
        l.owners
            .iter()
            .map(|o| (o.process.clone(), o.pid))
            .collect(),
    )
}

fn owned(
    addr: &str,
    port: u16,
    v6: bool,
    owners: &[(&str, u32)],
) -> (String, u16, bool, Vec<(String, u32)>) {
    (
        addr.to_string(),
        port,
        v6,
        owners
            .iter()
            .map(|(p, pid)| (p.to_string(), *pid))
            .collect(),
    )
}

#[test]
fn ss_capture_from_the_test_machine() {
    let all = ss::parse_ss(&fixture("ss-ltnp.test-machine.out"));
    let got: Vec<_> = all.iter().map(summary).collect();
    assert_eq!(
        got,
        [
            owned("0.0.0.0", 18558, false, &[("python3", 10704)]),
            // A listener whose process ss does not show (another pid namespace).
            owned("0.0.0.0", 2024, false, &[]),
            owned("127.0.0.1", 18555, false, &[("python3", 10537)]),
            owned("::", 18556, true, &[("python3", 10539)]),
            owned("::1", 18557, true, &[("python3", 10702)]),
        ]
    );
    assert!(all.iter().all(|l| l.uid.is_none()));
}

#[test]
fn ss_as_an_unprivileged_user_shows_only_its_own_processes() {
    let all = ss::parse_ss(&fixture("ss-ltnp.as-nobody.test-machine.out"));
    let got: Vec<_> = all.iter().map(summary).collect();
    assert_eq!(
        got,
        [
            owned("0.0.0.0", 2024, false, &[]),
            // root's listener: ss -p cannot name it for `nobody`.
            owned("127.0.0.1", 18555, false, &[]),
            owned("::", 18559, true, &[("python3", 7635)]),
        ]
    );
}

#[test]
fn ss_with_its_header_line() {
    // iproute2 6.1 glues the last two captions: `Peer Address:PortProcess`.
    let all = ss::parse_ss(&fixture("ss-ltnp-with-header.test-machine.out"));
    let got: Vec<_> = all.iter().map(summary).collect();
    assert_eq!(
        got,
        [
            owned("0.0.0.0", 2024, false, &[]),
            owned("127.0.0.1", 18555, false, &[("python3", 7623)]),
            owned("::", 18559, true, &[("python3", 7635)]),
        ]
    );
}

#[test]
fn ss_tulpen_capture_keeps_tcp_listeners_only() {
    let all = ss::parse_ss(&fixture("ss-tulpen.jc-ubuntu-18.04.out"));
    assert_eq!(all.len(), 58);
    let first = &all[0];
    assert_eq!(
        summary(first),
        owned("0.0.0.0", 9187, false, &[("prometheus-post", 1671)])
    );
    assert_eq!(first.uid, Some(128));
    let resolver = all
        .iter()
        .find(|l| l.port == 53 && l.is_loopback())
        .unwrap();
    assert_eq!(
        summary(resolver),
        owned("127.0.0.53", 53, false, &[("systemd-resolve", 1117)])
    );
    assert_eq!(resolver.uid, Some(101));
    let apache = all.iter().find(|l| l.port == 80).unwrap();
    let pids: Vec<u32> = apache.owners.iter().map(|o| o.pid).collect();
    assert_eq!(pids, [24795, 2157, 2156, 2155, 2154, 2153, 2079]);
    assert!(apache.owners.iter().all(|o| o.process == "/usr/sbin/apach"));
    assert_eq!(apache.uid, None);
    let zabbix = all.iter().find(|l| l.port == 10050).unwrap();
    assert_eq!(
        summary(zabbix),
        owned("192.168.178.5", 10050, false, &[("zabbix_agent2", 6359)])
    );
    // UDP sockets of the same capture (dnsmasq on 67, avahi on 5353) are not listeners.
    assert!(!all.iter().any(|l| l.port == 67 || l.port == 5353));
}

#[test]
fn ss_without_numeric_ports_yields_only_numeric_lines() {
    // `ss -a` prints service names (`ssh`, `domain`) where `-n` would print numbers.
    let all = ss::parse_ss(&fixture("ss-a.jc-ubuntu-18.04.out"));
    let got: Vec<_> = all.iter().map(summary).collect();
    assert_eq!(got, [owned("127.0.0.1", 35485, false, &[])]);
}

#[test]
fn proc_net_tcp_capture_from_the_test_machine() {
    let all = proc_net::parse_proc_net_tcp(&fixture("proc-net-tcp.test-machine.txt"), false);
    let got: Vec<(&str, u16, Option<u32>)> = all
        .iter()
        .map(|l| (l.addr.as_str(), l.port, l.uid))
        .collect();
    // The two established connections (state 01) of the capture are left out.
    assert_eq!(
        got,
        [("0.0.0.0", 2024, Some(0)), ("127.0.0.1", 18555, Some(0))]
    );
    assert!(all.iter().all(|l| !l.v6 && l.owners.is_empty()));
}

#[test]
fn proc_net_tcp6_capture_from_the_test_machine() {
    let all = proc_net::parse_proc_net_tcp(&fixture("proc-net-tcp6.test-machine.txt"), true);
    let got: Vec<(&str, u16, bool)> = all
        .iter()
        .map(|l| (l.addr.as_str(), l.port, l.v6))
        .collect();
    assert_eq!(got, [("::", 18556, true)]);
}

#[test]
fn docker_ps_docs_example() {
    let (cs, bad) = docker::parse_ps(&fixture("ps-format-json.docker-cli-docs.jsonl"));
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(cs.len(), 1);
    let c = &cs[0];
    assert_eq!(c.id, "a762a2b37a1d");
    assert_eq!(c.name, "boring_keldysh");
    assert_eq!(c.image, "nginx");
    assert_eq!(c.state, "running");
    assert_eq!(c.status, "Up 3 seconds");
    assert_eq!(c.health, None);
    // `80/tcp` is exposed, not published: nothing listens on the host for it.
    assert!(c.ports.is_empty());
}

#[test]
fn docker_errors_captured_from_the_real_cli() {
    let p = docker::classify_error(&fixture("docker-ps.permission-denied.docker-28.2.2.stderr"))
        .expect("permission denied is recognised");
    assert_eq!(p.source, SourceKind::Docker);
    assert_eq!(
        p.message,
        "permission denied on the docker socket (/tmp/svcp-docker.sock)"
    );
    assert_eq!(
        p.fix.as_deref(),
        Some("sudo usermod -aG docker $USER, then log in again (or newgrp docker)")
    );
    let p = docker::classify_error(&fixture("docker-ps.daemon-down.docker-28.2.2.stderr")).unwrap();
    assert_eq!(
        p.message,
        "the docker daemon is not running (nothing answers on /var/run/docker.sock)"
    );
    for f in [
        "docker-ps.not-installed.bash.stderr",
        "docker-ps.not-installed.dash.stderr",
    ] {
        let p = docker::classify_error(&fixture(f)).unwrap();
        assert_eq!(
            p.message, "docker is not installed on this host (docker: command not found)",
            "{f}"
        );
    }
}

#[test]
fn journal_json_captured_from_the_test_machine() {
    let lines: Vec<String> = fixture("journal-json.test-machine.jsonl")
        .lines()
        .map(|l| journal::format_entry(l).expect("every line is an entry"))
        .collect();
    assert_eq!(
        lines,
        [
            "2026-11-22 11:12:48 systemd-journald[21237]: Journal started".to_string(),
            "2026-11-22 11:12:48 systemd-journald[21237]: Runtime Journal \
             (/run/log/journal/3d1219c7c4c5404aaa1f6d2a48adfda4) is 8.0M, max 4.0G, 3.9G free."
                .to_string(),
            // Stored as a byte array because of its colour codes.
            "2026-11-22 11:12:52 vllm[21257]: INFO:     Uvicorn running on http://0.0.0.0:8000 \
             (Press CTRL+C to quit)"
                .to_string(),
            "2026-11-22 11:12:52 ollama[21259]: time=2026-11-22T11:15:00Z level=INFO \
             msg=\"Listening on 127.0.0.1:11434\""
                .to_string(),
            "2026-11-22 11:12:52 worker[21260]: Traceback: boom".to_string(),
            "2026-11-22 11:12:52 worker[21260]: line one".to_string(),
            "2026-11-22 11:12:52 worker[21260]: line two".to_string(),
            // 5000 characters, over journalctl's field limit without --all.
            format!(
                "2026-11-22 11:12:57 bigline[21280]: {}",
                journal::OVERSIZED_MESSAGE
            ),
        ]
    );
    let priorities: Vec<Option<u8>> = fixture("journal-json.test-machine.jsonl")
        .lines()
        .map(|l| journal::parse_entry(l).unwrap().priority)
        .collect();
    assert_eq!(
        priorities,
        [
            Some(6),
            Some(6),
            Some(6),
            Some(5),
            Some(3),
            Some(3),
            Some(3),
            Some(4)
        ]
    );
}

#[test]
fn journal_docs_example() {
    // The doc's example is one pretty-printed object: a multi-valued field, a byte array
    // and a null, but no timestamp or identifier.
    let e = journal::parse_entry(&fixture("json-format-example.systemd-docs.json")).unwrap();
    assert_eq!(e.message, "Hello World");
    assert_eq!((e.realtime_us, e.identifier, e.pid), (None, None, None));
    // The export format is not JSON.
    for line in fixture("export-format-two-entries.systemd-docs.txt").lines() {
        assert_eq!(journal::format_entry(line), None, "{line}");
    }
}

#[test]
fn journal_without_permission_captured_from_the_test_machine() {
    let p = journal::permission_problem(&fixture("journal-json.no-permission.systemd-252.stderr"))
        .expect("recognised");
    assert_eq!(p.source, SourceKind::Journal);
    assert_eq!(
        p.message,
        "no permission to read the system journal (only members of group adm or \
         systemd-journal see the logs of system services)"
    );
    assert_eq!(
        p.fix.as_deref(),
        Some("sudo usermod -aG systemd-journal $USER, then log in again")
    );
}

#[test]
fn ollama_ps_captures() {
    assert_eq!(
        ollama::parse_ps(&fixture("api_ps.ollama-docs.json")).unwrap(),
        [OllamaLoaded {
            name: "mistral:latest".into(),
            size_bytes: 5_137_025_024,
            vram_bytes: 5_137_025_024,
            expires_at: Some("2024-06-04T14:38:31.83753-07:00".into()),
        }]
    );
    assert_eq!(
        ollama::parse_ps(&fixture("api_ps.two-models.attogram.json")).unwrap(),
        [
            OllamaLoaded {
                name: "granite3.3:2b".into(),
                size_bytes: 2_629_206_853,
                vram_bytes: 2_629_206_853,
                expires_at: Some("2025-08-23T15:38:39.2249446+02:00".into()),
            },
            OllamaLoaded {
                name: "smollm2:1.7b".into(),
                size_bytes: 3_501_615_104,
                vram_bytes: 3_501_615_104,
                expires_at: Some("2025-08-23T15:38:16.054006+02:00".into()),
            },
        ]
    );
    assert_eq!(
        ollama::parse_ps(&fixture("error.ollama-docs.json")).unwrap_err(),
        "Ollama /api/ps answered an error: the model failed to generate a response"
    );
}

#[test]
fn ollama_tags_captures() {
    let tags = ollama::parse_tags(&fixture("api_tags.ollama-docs.json")).unwrap();
    assert_eq!(
        tags,
        [
            OllamaInstalled {
                name: "deepseek-r1:latest".into(),
                size_bytes: 4_683_075_271,
                digest: "0a8c266910232fd3291e71e5ba1e058cc5af9d411192cf88b6d30e92b6e73163".into(),
                parameter_size: Some("7.6B".into()),
                quantization: Some("Q4_K_M".into()),
                modified_at: Some("2025-05-10T08:06:48.639712648-07:00".into()),
            },
            OllamaInstalled {
                name: "llama3.2:latest".into(),
                size_bytes: 2_019_393_189,
                digest: "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72".into(),
                parameter_size: Some("3.2B".into()),
                quantization: Some("Q4_K_M".into()),
                modified_at: Some("2025-05-04T17:37:44.706015396-07:00".into()),
            },
        ]
    );
    // A cloud host: empty detail strings and `"families": null`.
    let cloud =
        ollama::parse_tags(&fixture("api_tags.cloud-host-empty-details.attogram.json")).unwrap();
    let got: Vec<(&str, u64, &str)> = cloud
        .iter()
        .map(|m| (m.name.as_str(), m.size_bytes, m.digest.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("deepseek-v3.1:671b", 688_586_727_753, "e1c8a9725f49"),
            ("gpt-oss:120b", 65_290_180_781, "d98fe6ba01e6"),
            ("gpt-oss:20b", 13_780_162_412, "05afbac4bad6"),
        ]
    );
    assert!(
        cloud
            .iter()
            .all(|m| m.parameter_size.is_none() && m.quantization.is_none())
    );
    assert_eq!(
        cloud[0].modified_at.as_deref(),
        Some("2025-08-21T00:00:00Z")
    );
}

#[test]
fn ollama_version_capture() {
    assert_eq!(
        ollama::parse_version(&fixture("api_version.ollama-docs.json")).as_deref(),
        Some("0.5.1")
    );
}

#[test]
fn vllm_metrics_capture_with_old_and_new_names() {
    let l = metrics::parse_engine_load(&fixture("metrics.datadog-integrations-core.txt")).unwrap();
    assert_eq!(l.running, Some(0.0));
    assert_eq!(l.waiting, Some(0.0));
    assert_eq!(l.kv_cache_pct, Some(0.0));
    assert_eq!(l.generation_tokens_total, Some(7.0));
    assert_eq!(l.prompt_tokens_total, Some(5.0));
}

#[test]
fn other_commands_output_is_not_mistaken() {
    // `systemctl list-units` (a table with `LOAD   = …` legend lines) is not `show` output.
    assert_eq!(
        systemd::parse_show(&fixture("systemctl-list-units-all.jc-ubuntu-18.04.out")),
        []
    );
    // `docker stats` lines are JSON objects but not containers.
    let stats = fixture("stats-no-stream-json.docker-cli-docs.jsonl");
    let (cs, bad) = docker::parse_ps(&stats);
    assert!(cs.is_empty());
    assert_eq!(bad, [stats.trim_end()]);
    // A streamed generate answer is not a model list.
    assert!(ollama::parse_ps(&fixture("error-mid-stream.ollama-docs.ndjson")).is_err());
}

proptest! {
    #[test]
    fn http_parsers_never_panic(text in "\\PC*") {
        let _ = ollama::parse_ps(&text);
        let _ = ollama::parse_tags(&text);
        let _ = ollama::parse_version(&text);
        let _ = openai::parse_models(&text);
        let _ = cloudflared::parse_ready(&text);
        let _ = metrics::parse_engine_load(&text);
    }

    #[test]
    fn metrics_never_panic_on_near_misses(
        lines in prop::collection::vec(
            "(vllm:num_requests_running|vllm:kv_cache_usage_perc|sglang:token_usage|[a-z:_]{0,8})(\\{[a-z_=\"}\\\\ ,]{0,16}\\}?)? ?[-+0-9.eNaInf]{0,8}( [0-9]{0,4})?",
            0..12,
        ),
    ) {
        if let Some(l) = metrics::parse_engine_load(&lines.join("\n")) {
            for v in [l.running, l.waiting, l.kv_cache_pct, l.generation_tokens_total, l.prompt_tokens_total].into_iter().flatten() {
                prop_assert!(v.is_finite());
            }
        }
    }

    #[test]
    fn json_parsers_never_panic_on_json_near_misses(
        name in "[a-z:.0-9]{0,10}",
        size in prop_oneof![any::<i64>().prop_map(|n| serde_json::json!(n)), any::<f64>().prop_map(|n| serde_json::json!(n)), "[0-9]{0,5}".prop_map(|s| serde_json::json!(s))],
        null_details in any::<bool>(),
    ) {
        let details = if null_details { serde_json::Value::Null } else { serde_json::json!({"parameter_size": name, "families": null}) };
        let body = serde_json::json!({"models": [{"name": name, "size": size, "size_vram": size, "details": details}]}).to_string();
        let _ = ollama::parse_ps(&body);
        let _ = ollama::parse_tags(&body);
        let body = serde_json::json!({"data": [{"id": name, "max_model_len": size, "owned_by": size}]}).to_string();
        let _ = openai::parse_models(&body);
        let body = serde_json::json!({"status": 200, "readyConnections": size}).to_string();
        let _ = cloudflared::parse_ready(&body);
    }

    #[test]
    fn journal_never_panics(text in "\\PC*") {
        let _ = journal::format_entry(&text);
        let _ = journal::permission_problem(&text);
        let _ = journal::strip_ansi(&text);
    }

    #[test]
    fn journal_never_panics_on_json_near_misses(
        ts in prop_oneof![any::<u64>().prop_map(|n| n.to_string()), "[0-9a-z-]{0,25}"],
        bytes in prop::collection::vec(any::<i64>(), 0..20),
        ident in "[\\x1b\\[a-z0-9;]{0,10}",
        pid in "-?[0-9]{0,12}",
    ) {
        let line = serde_json::json!({
            "__REALTIME_TIMESTAMP": ts, "MESSAGE": bytes, "SYSLOG_IDENTIFIER": ident, "_PID": pid,
        })
        .to_string();
        let e = journal::parse_entry(&line).expect("an object with a timestamp is an entry");
        prop_assert_eq!(e.lines().len(), e.message.split('\n').count());
    }

    #[test]
    fn systemd_never_panics(text in "\\PC*") {
        let _ = systemd::parse_show(&text);
    }

    #[test]
    fn systemd_never_panics_on_near_misses(
        lines in prop::collection::vec(
            "(Id|LoadState|ActiveState|SubState|MainPID|NRestarts|ExecMainStartTimestamp|Result|[A-Za-z]{0,4})=?[0-9a-z\\[\\] .-]{0,12}|",
            0..20,
        ),
    ) {
        for u in systemd::parse_show(&lines.join("\n")) {
            prop_assert_ne!(u.main_pid, Some(0));
        }
    }

    #[test]
    fn docker_never_panics(text in "\\PC*") {
        let _ = docker::parse_ps(&text);
        let _ = docker::parse_ports(&text);
        let _ = docker::classify_error(&text);
    }

    #[test]
    fn docker_ports_never_panic_on_near_misses(
        entries in prop::collection::vec(
            "(\\[?[0-9:.a-f]{0,8}\\]?:)?[0-9]{0,6}(-[0-9]{0,6})?(->[0-9]{0,6}(-[0-9]{0,6})?)?(/[a-z]{0,4})?",
            0..5,
        ),
    ) {
        for p in docker::parse_ports(&entries.join(", ")) {
            prop_assert!(!p.host_ip.is_empty());
        }
    }

    #[test]
    fn docker_ps_never_panics_on_json_near_misses(
        id in "[0-9a-f]{0,12}",
        names in "[a-z,_]{0,10}",
        status in "(Up|Exited|Created)? ?[0-9a-z ()(:]{0,24}",
        ports in "[0-9.:\\[\\]>/a-z, -]{0,40}",
    ) {
        let line = serde_json::json!({"ID": id, "Names": names, "Status": status, "Ports": ports}).to_string();
        let (cs, bad) = docker::parse_ps(&line);
        prop_assert_eq!(cs.len() + bad.len(), 1);
    }

    #[test]
    fn ss_round_trips_what_ss_prints(
        ip in any::<std::net::IpAddr>(),
        star in any::<bool>(),
        port in any::<u16>(),
        owners in prop::collection::vec(("[a-zA-Z0-9_./: -]{1,15}", 1u32..4_194_304), 0..4),
        netid in any::<bool>(),
    ) {
        let local = match ip {
            _ if star => format!("*:{port}"),
            std::net::IpAddr::V4(v4) => format!("{v4}:{port}"),
            std::net::IpAddr::V6(v6) => format!("[{v6}]:{port}"),
        };
        let users: Vec<String> = owners
            .iter()
            .enumerate()
            .map(|(fd, (name, pid))| format!("(\"{name}\",pid={pid},fd={})", fd + 3))
            .collect();
        let process = if users.is_empty() { String::new() } else { format!("users:({})", users.join(",")) };
        let line = format!("{}LISTEN 0 4096 {local} 0.0.0.0:* {process}", if netid { "tcp " } else { "" });
        let got = ss::parse_ss(&line);
        prop_assert_eq!(got.len(), 1);
        let l = &got[0];
        prop_assert_eq!(l.port, port);
        if star {
            prop_assert_eq!((l.addr.as_str(), l.v6), ("::", true));
        } else {
            prop_assert_eq!(&l.addr, &ip.to_string());
            prop_assert_eq!(l.v6, ip.is_ipv6());
        }
        let mut want: Vec<(String, u32)> = Vec::new();
        for (name, pid) in &owners {
            if !want.iter().any(|(_, p)| p == pid) {
                want.push((name.clone(), *pid));
            }
        }
        let seen: Vec<(String, u32)> = l.owners.iter().map(|o| (o.process.clone(), o.pid)).collect();
        prop_assert_eq!(seen, want);
    }

    #[test]
    fn docker_ports_round_trip_ranges(
        ip in prop_oneof![Just("0.0.0.0".to_string()), Just("[::]".to_string()), Just("::".to_string()), any::<std::net::Ipv4Addr>().prop_map(|i| i.to_string())],
        host in 1u16..60000,
        container in 1u16..60000,
        len in 0u16..5,
        proto in prop_oneof![Just("tcp"), Just("udp"), Just("sctp")],
    ) {
        let range = |start: u16| if len == 0 { start.to_string() } else { format!("{start}-{}", start + len) };
        let entry = format!("{ip}:{}->{}/{proto}", range(host), range(container));
        let got = docker::parse_ports(&format!("{entry}, {container}/tcp"));
        let want_ip = ip.trim_start_matches('[').trim_end_matches(']');
        prop_assert_eq!(got.len(), usize::from(len) + 1);
        for (i, p) in got.iter().enumerate() {
            let i = u16::try_from(i).unwrap();
            prop_assert_eq!(p.host_ip.as_str(), want_ip);
            prop_assert_eq!((p.host_port, p.container_port), (host + i, container + i));
            prop_assert_eq!(p.proto.as_str(), proto);
        }
    }

    #[test]
    fn metrics_sum_over_engines(
        engines in prop::collection::vec((0u32..500, 0u32..500, 0.0f64..=1.0, 0u64..1_000_000), 1..6),
        legacy in any::<bool>(),
        sglang in any::<bool>(),
    ) {
        let (running, waiting, kv, gen_tokens) = if sglang {
            ("sglang:num_running_reqs", "sglang:num_queue_reqs", "sglang:token_usage", "sglang:generation_tokens_total")
        } else if legacy {
            ("vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:gpu_cache_usage_perc", "vllm:generation_tokens_total")
        } else {
            ("vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc", "vllm:generation_tokens_total")
        };
        let mut text = String::new();
        for (i, (r, w, k, g)) in engines.iter().enumerate() {
            let labels = format!("{{engine=\"{i}\",model_name=\"org/m {{x}}\"}}");
            text.push_str(&format!("# TYPE {running} gauge\n{running}{labels} {r}.0\n{waiting}{labels} {w}\n"));
            text.push_str(&format!("{kv}{labels} {k:e}\n{gen_tokens}{labels} {g}\n"));
            text.push_str(&format!("{}{labels} 1.7e9\n", gen_tokens.replace("_total", "_created")));
        }
        let l = metrics::parse_engine_load(&text).expect("known metrics");
        let sum = |f: fn(&(u32, u32, f64, u64)) -> f64| engines.iter().map(f).sum::<f64>();
        prop_assert_eq!(l.running, Some(sum(|e| f64::from(e.0))));
        prop_assert_eq!(l.waiting, Some(sum(|e| f64::from(e.1))));
        prop_assert_eq!(l.generation_tokens_total, Some(sum(|e| e.3 as f64)));
        let mean_pct = sum(|e| e.2) / engines.len() as f64 * 100.0;
        prop_assert!((l.kv_cache_pct.unwrap() - mean_pct).abs() < 1e-9);
        prop_assert_eq!(l.prompt_tokens_total, None);
    }

    #[test]
    fn systemd_round_trips_in_any_property_order(
        units in prop::collection::vec(
            (
                "[a-z][a-z0-9-]{0,12}\\.(service|socket)",
                prop_oneof![Just("loaded"), Just("not-found"), Just("masked")],
                prop_oneof![Just("active"), Just("inactive"), Just("failed"), Just("activating")],
                "[a-z-]{1,10}",
                0u32..5_000_000,
                prop::option::of(0u32..100),
                prop::option::of(Just("Thu 2026-09-10 13:29:58 +01")),
                prop::option::of(prop_oneof![Just("success"), Just("exit-code"), Just("signal")]),
            ),
            1..5,
        ),
        seed in any::<u64>(),
    ) {
        let mut text = String::new();
        for (n, (id, load, active, sub, pid, restarts, started, result)) in units.iter().enumerate() {
            let mut props = [
                format!("Id={id}"),
                format!("LoadState={load}"),
                format!("ActiveState={active}"),
                format!("SubState={sub}"),
                format!("MainPID={pid}"),
                format!("NRestarts={}", restarts.map_or("[not set]".to_string(), |r| r.to_string())),
                format!("ExecMainStartTimestamp={}", started.unwrap_or("")),
                format!("Result={}", result.unwrap_or("")),
            ];
            // systemd prints its own property order; any order must do.
            props.rotate_left((seed as usize).wrapping_add(n) % 8);
            if n > 0 {
                text.push('\n');
            }
            text.push_str(&props.join("\n"));
            text.push('\n');
        }
        let got = systemd::parse_show(&text);
        prop_assert_eq!(got.len(), units.len());
        for (u, (id, load, active, sub, pid, restarts, started, result)) in got.iter().zip(&units) {
            prop_assert_eq!(&u.id, id);
            prop_assert_eq!(&u.load_state, load);
            prop_assert_eq!(&u.active_state, active);
            prop_assert_eq!(&u.sub_state, sub);
            prop_assert_eq!(u.main_pid, (*pid != 0).then_some(*pid));
            prop_assert_eq!(u.n_restarts, *restarts);
            prop_assert_eq!(u.started.as_deref(), *started);
            prop_assert_eq!(u.result.as_deref(), *result);
        }
    }

    #[test]
    fn ss_never_panics(text in "\\PC*") {
        let _ = ss::parse_ss(&text);
    }

    #[test]
    fn ss_never_panics_on_near_misses(
        state in "(LISTEN|tcp LISTEN|udp UNCONN|[A-Z]{0,6})",
        addr in "(\\[[0-9a-f:%a-z]{0,12}\\]|[0-9.*%a-z]{0,16}):[0-9a-z]{0,6}",
        users in "users:\\(\\(\"[^\"]{0,8}\",pid=[0-9]{0,12},fd=[0-9]{0,3}\\)\\)|uid:[0-9]{0,12}|.{0,20}",
    ) {
        let line = format!("{state} 0 128 {addr} 0.0.0.0:* {users}");
        for l in ss::parse_ss(&line) {
            prop_assert!(!l.addr.is_empty());
        }
    }

    #[test]
    fn proc_net_never_panics(text in "\\PC*", v6 in any::<bool>()) {
        let _ = proc_net::parse_proc_net_tcp(&text, v6);
    }

    #[test]
    fn proc_net_never_panics_on_near_misses(
        addr in "[0-9A-Fa-fé]{0,33}",
        port in "[0-9A-Fa-f]{0,5}",
        st in "(0A|01|..)",
        v6 in any::<bool>(),
    ) {
        let line = format!("0: {addr}:{port} 00000000:0000 {st} 0:0 0:0 0 1000 0 1");
        let _ = proc_net::parse_proc_net_tcp(&line, v6);
    }
}
