//! `docker ps --all --format '{{json .}}'` and the docker CLI's errors.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};

use crate::model::{Container, PublishedPort, SourceKind, SourceProblem};

/// The socket when the error names none.
const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

/// The daemon endpoint in the CLI's connection errors, e.g. `unix:///var/run/docker.sock`.
static ENDPOINT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:unix|tcp|ssh|npipe)://[^\s;,]+").expect("endpoint pattern compiles")
});

/// One container per JSON line; the second list holds the lines that did not parse.
pub fn parse_ps(text: &str) -> (Vec<Container>, Vec<String>) {
    let mut containers = Vec::new();
    let mut bad = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(trimmed) {
            Ok(Value::Object(o)) => match container(&o) {
                Some(c) => containers.push(c),
                None => bad.push(line.to_string()),
            },
            // `--format json` on some CLI versions prints one array instead of lines.
            Ok(Value::Array(items)) if items.iter().all(Value::is_object) => {
                let parsed: Option<Vec<Container>> = items
                    .iter()
                    .map(|v| v.as_object().and_then(container))
                    .collect();
                match parsed {
                    Some(mut cs) => containers.append(&mut cs),
                    None => bad.push(line.to_string()),
                }
            }
            _ => bad.push(line.to_string()),
        }
    }
    (containers, bad)
}

/// A `docker ps` object; None without an `ID` or a name (not a container line).
fn container(o: &Map<String, Value>) -> Option<Container> {
    let id = text(o, "ID")?;
    let names = text(o, "Names")?;
    let name = names
        .split(',')
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    if id.is_empty() || name.is_empty() {
        return None;
    }
    let status = text(o, "Status").unwrap_or_default();
    let state = match text(o, "State") {
        Some(s) if !s.is_empty() => s.to_ascii_lowercase(),
        _ => state_from_status(&status).to_string(),
    };
    let health = match text(o, "HealthStatus") {
        // v29.5+: the key is there, and empty when the image has no health check.
        Some(h) => Some(h.to_ascii_lowercase()).filter(|h| !h.is_empty()),
        None => health_from_status(&status),
    };
    Some(Container {
        id,
        name,
        image: text(o, "Image").unwrap_or_default(),
        state,
        status,
        health,
        ports: parse_ports(&text(o, "Ports").unwrap_or_default()),
    })
}

fn text(o: &Map<String, Value>, key: &str) -> Option<String> {
    o.get(key).and_then(Value::as_str).map(str::to_string)
}

/// Old CLIs have no `State` key; their `Status` starts with the state in words.
fn state_from_status(status: &str) -> &'static str {
    let s = status.trim_start();
    if s.contains("(Paused)") {
        "paused"
    } else if s.starts_with("Up") {
        "running"
    } else if s.starts_with("Exited") {
        "exited"
    } else if s.starts_with("Restarting") {
        "restarting"
    } else if s.starts_with("Created") {
        "created"
    } else if s.starts_with("Removal") {
        "removing"
    } else if s.starts_with("Dead") {
        "dead"
    } else {
        ""
    }
}

/// Before v29.5 health is only in `Status`: `Up 5 minutes (healthy)`.
fn health_from_status(status: &str) -> Option<String> {
    let s = status.to_ascii_lowercase();
    if s.contains("(unhealthy)") {
        Some("unhealthy".into())
    } else if s.contains("(healthy)") {
        Some("healthy".into())
    } else if s.contains("(health: starting)") {
        Some("starting".into())
    } else {
        None
    }
}

/// The `Ports` column: `0.0.0.0:8080->8080/tcp, [::]:8080->8080/tcp, 9000/tcp`.
pub fn parse_ports(text: &str) -> Vec<PublishedPort> {
    text.split(',').flat_map(parse_port_entry).collect()
}

/// One entry; exposed-only ports (`9000/tcp`, nothing on the host) yield nothing, and a
/// range (`0.0.0.0:8000-8001->8000-8001/tcp`) one port per member.
fn parse_port_entry(entry: &str) -> Vec<PublishedPort> {
    let entry = entry.trim();
    let Some((host, container)) = entry.split_once("->") else {
        return Vec::new();
    };
    let (container, proto) = container.split_once('/').unwrap_or((container, "tcp"));
    // Old daemons print the IPv6 wildcard unbracketed (`:::8080`), newer ones `[::]:8080`:
    // the port is after the last colon either way.
    let Some((ip, host_ports)) = host.rsplit_once(':') else {
        return Vec::new();
    };
    let ip = ip
        .strip_prefix('[')
        .and_then(|i| i.strip_suffix(']'))
        .unwrap_or(ip);
    let (Some(hosts), Some(containers)) = (port_range(host_ports), port_range(container)) else {
        return Vec::new();
    };
    if ip.is_empty() || hosts.len() != containers.len() {
        return Vec::new();
    }
    hosts
        .zip(containers)
        .map(|(host_port, container_port)| PublishedPort {
            host_ip: ip.to_string(),
            host_port,
            container_port,
            proto: proto.trim().to_ascii_lowercase(),
        })
        .collect()
}

/// `8080` or `8000-8001`.
fn port_range(text: &str) -> Option<std::ops::RangeInclusive<u16>> {
    let text = text.trim();
    let (lo, hi) = text.split_once('-').unwrap_or((text, text));
    let (lo, hi): (u16, u16) = (lo.parse().ok()?, hi.parse().ok()?);
    (lo <= hi).then_some(lo..=hi)
}

/// A failed docker command's stderr → what went wrong and the fix (permission denied on
/// the socket, daemon down, not installed); None when nothing known matches.
pub fn classify_error(stderr: &str) -> Option<SourceProblem> {
    let lower = stderr.to_ascii_lowercase();
    let endpoint = ENDPOINT
        .find(stderr)
        .map(|m| m.as_str().trim_end_matches(['.', ':']).to_string());
    let socket = endpoint
        .as_deref()
        .map(|e| e.strip_prefix("unix://").unwrap_or(e).to_string())
        .unwrap_or_else(|| DEFAULT_SOCKET.to_string());
    // Every CLI since 1.x words it "permission denied while trying to connect to the
    // Docker daemon socket" (≤ v28) or "… to the docker API" (v29+).
    if lower.contains("permission denied while trying to connect to the") {
        return Some(problem(
            format!("permission denied on the docker socket ({socket})"),
            "sudo usermod -aG docker $USER, then log in again (or newgrp docker)",
        ));
    }
    if lower.contains("cannot connect to the docker daemon")
        || lower.contains("failed to connect to the docker api")
        || lower.contains("is the docker daemon running")
    {
        return Some(problem(
            format!("the docker daemon is not running (nothing answers on {socket})"),
            "sudo systemctl start docker (and sudo systemctl enable docker to keep it on at boot)",
        ));
    }
    let missing = lower.lines().any(|l| {
        // The daemon's own errors name files inside containers, not the CLI.
        !l.contains("error response from daemon")
            && l.contains("docker")
            && (l.contains("command not found")
                || l.contains(": not found")
                || l.contains("executable file not found")
                || l.contains("no such file or directory"))
    });
    if missing {
        return Some(problem(
            "docker is not installed on this host (docker: command not found)".to_string(),
            "install Docker Engine (the DGX OS image ships it), or take the docker services out of [[services.catalog]]",
        ));
    }
    None
}

fn problem(message: String, fix: &str) -> SourceProblem {
    SourceProblem {
        source: SourceKind::Docker,
        message,
        fix: Some(fix.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn port(ip: &str, host: u16, container: u16, proto: &str) -> PublishedPort {
        PublishedPort {
            host_ip: ip.into(),
            host_port: host,
            container_port: container,
            proto: proto.into(),
        }
    }

    #[test]
    fn port_forms() {
        assert_eq!(
            parse_ports("0.0.0.0:8080->8080/tcp, [::]:8080->8080/tcp, 9000/tcp"),
            [
                port("0.0.0.0", 8080, 8080, "tcp"),
                port("::", 8080, 8080, "tcp")
            ]
        );
        assert_eq!(
            parse_ports("0.0.0.0:12000->8080/tcp, :::12000->8080/tcp"),
            [
                port("0.0.0.0", 12000, 8080, "tcp"),
                port("::", 12000, 8080, "tcp")
            ]
        );
        assert_eq!(
            parse_ports("127.0.0.1:3001->3000/tcp"),
            [port("127.0.0.1", 3001, 3000, "tcp")]
        );
        assert_eq!(
            parse_ports("0.0.0.0:5353->5353/udp"),
            [port("0.0.0.0", 5353, 5353, "udp")]
        );
        assert!(parse_ports("").is_empty());
        assert!(parse_ports("80/tcp, 443/tcp").is_empty());
    }

    #[test]
    fn port_ranges_expand() {
        assert_eq!(
            parse_ports("0.0.0.0:8000-8001->8000-8001/tcp"),
            [
                port("0.0.0.0", 8000, 8000, "tcp"),
                port("0.0.0.0", 8001, 8001, "tcp")
            ]
        );
        assert_eq!(
            parse_ports("[::]:7000-7002->9000-9002/tcp"),
            [
                port("::", 7000, 9000, "tcp"),
                port("::", 7001, 9001, "tcp"),
                port("::", 7002, 9002, "tcp")
            ]
        );
        // Mismatched or reversed ranges are not something docker prints.
        assert!(parse_ports("0.0.0.0:8000-8002->8000-8001/tcp").is_empty());
        assert!(parse_ports("0.0.0.0:8001-8000->8001-8000/tcp").is_empty());
    }

    #[test]
    fn health_from_health_status_or_status() {
        let line = |extra: &str, status: &str| {
            format!(
                r#"{{"ID":"abc","Names":"web","Image":"img","State":"running","Status":"{status}"{extra}}}"#
            )
        };
        let health = |l: String| parse_ps(&l).0.remove(0).health;
        assert_eq!(
            health(line("", "Up 5 minutes (healthy)")).as_deref(),
            Some("healthy")
        );
        assert_eq!(
            health(line("", "Up 1 minute (unhealthy)")).as_deref(),
            Some("unhealthy")
        );
        assert_eq!(
            health(line("", "Up 2 seconds (health: starting)")).as_deref(),
            Some("starting")
        );
        assert_eq!(health(line("", "Up 3 seconds")), None);
        assert_eq!(
            health(line(
                r#","HealthStatus":"unhealthy""#,
                "Up 1 minute (unhealthy)"
            ))
            .as_deref(),
            Some("unhealthy")
        );
        assert_eq!(health(line(r#","HealthStatus":"""#, "Up 3 seconds")), None);
    }

    #[test]
    fn old_cli_without_state_key() {
        let text = "{\"ID\":\"1\",\"Names\":\"a,b\",\"Status\":\"Exited (1) 2 hours ago\"}\n\
                    {\"ID\":\"2\",\"Names\":\"c\",\"Status\":\"Up 2 hours (Paused)\"}\n\
                    {\"ID\":\"3\",\"Names\":\"d\",\"Status\":\"Up 2 hours\"}\n";
        let (cs, bad) = parse_ps(text);
        assert!(bad.is_empty());
        let states: Vec<(&str, &str)> = cs
            .iter()
            .map(|c| (c.name.as_str(), c.state.as_str()))
            .collect();
        assert_eq!(states, [("a", "exited"), ("c", "paused"), ("d", "running")]);
        assert!(cs[2].running());
    }

    #[test]
    fn bad_lines_are_returned() {
        let text = "WARNING: Error loading config file\n{\"ID\":\"1\"}\n[1,2]\n\n{\"ID\":\"9\",\"Names\":\"ok\",\"State\":\"running\",\"Status\":\"Up\"}\n";
        let (cs, bad) = parse_ps(text);
        assert_eq!(cs.len(), 1);
        assert_eq!(
            bad,
            [
                "WARNING: Error loading config file",
                "{\"ID\":\"1\"}",
                "[1,2]"
            ]
        );
    }

    #[test]
    fn array_form() {
        let (cs, bad) = parse_ps(
            r#"[{"ID":"1","Names":"a","State":"running","Status":"Up"},{"ID":"2","Names":"b","State":"exited","Status":"Exited (0)"}]"#,
        );
        assert!(bad.is_empty());
        assert_eq!(cs.len(), 2);
    }

    #[test]
    fn permission_denied_old_and_new_wording() {
        for stderr in [
            "Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get \"http://%2Fvar%2Frun%2Fdocker.sock/v1.40/containers/json\": dial unix /var/run/docker.sock: connect: permission denied",
            "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get \"http://%2Fvar%2Frun%2Fdocker.sock/v1.47/containers/json?all=1\": dial unix /var/run/docker.sock: connect: permission denied",
            "permission denied while trying to connect to the docker API at unix:///var/run/docker.sock",
        ] {
            let p = classify_error(stderr).unwrap();
            assert_eq!(p.source, SourceKind::Docker);
            assert_eq!(
                p.message,
                "permission denied on the docker socket (/var/run/docker.sock)"
            );
            assert_eq!(
                p.fix.as_deref(),
                Some("sudo usermod -aG docker $USER, then log in again (or newgrp docker)")
            );
        }
        let p = classify_error("permission denied while trying to connect to the docker API at unix:///run/user/1000/docker.sock").unwrap();
        assert_eq!(
            p.message,
            "permission denied on the docker socket (/run/user/1000/docker.sock)"
        );
    }

    #[test]
    fn daemon_down_old_and_new_wording() {
        for stderr in [
            "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
            "failed to connect to the docker API at unix:///var/run/docker.sock; check if the path is correct and if the daemon is running: dial unix /var/run/docker.sock: connect: no such file or directory",
        ] {
            let p = classify_error(stderr).unwrap();
            assert_eq!(
                p.message,
                "the docker daemon is not running (nothing answers on /var/run/docker.sock)",
                "{stderr}"
            );
            assert!(p.fix.unwrap().starts_with("sudo systemctl start docker"));
        }
    }

    #[test]
    fn not_installed() {
        for stderr in [
            "bash: line 1: docker: command not found",
            "sh: 1: docker: not found",
            "zsh:1: command not found: docker",
            "bash: /usr/bin/docker: No such file or directory",
            "exec: \"docker\": executable file not found in $PATH",
        ] {
            let p = classify_error(stderr).unwrap();
            assert!(p.message.starts_with("docker is not installed"), "{stderr}");
        }
    }

    #[test]
    fn unknown_errors_are_none() {
        assert_eq!(
            classify_error("Error response from daemon: No such container: x"),
            None
        );
        assert_eq!(
            classify_error(
                "Error response from daemon: open /var/lib/docker/x: no such file or directory"
            ),
            None
        );
        assert_eq!(classify_error(""), None);
    }
}
