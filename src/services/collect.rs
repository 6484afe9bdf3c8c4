//! Runs the observation commands on a host: `ss -H -ltnp` (or `/proc/net/tcp{,6}`),
//! `docker ps --all`, `systemctl show` for the catalogued units.

use crate::config::ServicesSettings;
use crate::host::{ExecOutput, Host, HostError};
use crate::model::{
    CatalogEntry, Container, Listener, ListenerSource, Observation, ServiceKind, SourceKind,
    SourceProblem, UnitStatus,
};
use crate::sources::services::{docker, proc_net, ss, systemd};

/// The shell's "command not found" status: over SSH a missing program is not a spawn error.
const NOT_FOUND: i32 = 127;

/// How a command that should print data ended.
enum Ran {
    Ok(String),
    Missing,
    Failed(ExecOutput),
}

async fn run(host: &dyn Host, argv: &[&str]) -> Ran {
    match host.exec(argv).await {
        Ok(out) if out.success() => Ran::Ok(out.stdout_str()),
        Ok(out) if out.status == Some(NOT_FOUND) => Ran::Missing,
        Ok(out) => Ran::Failed(out),
        Err(HostError::Spawn { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            Ran::Missing
        }
        Err(e) => Ran::Failed(ExecOutput {
            status: None,
            stdout: Vec::new(),
            stderr: e.to_string().into_bytes(),
        }),
    }
}

/// The first non-empty stderr line, for a message; commands can be chatty.
fn first_line(out: &ExecOutput) -> String {
    let err = out.stderr_str();
    let line = err.lines().map(str::trim).find(|l| !l.is_empty());
    match (line, out.status) {
        (Some(l), _) => l.to_string(),
        (None, Some(code)) => format!("exit status {code}"),
        (None, None) => "killed by a signal".to_string(),
    }
}

async fn listeners(host: &dyn Host) -> (Vec<Listener>, ListenerSource, Vec<SourceProblem>) {
    let why = match run(host, &["ss", "-H", "-ltnp"]).await {
        Ran::Ok(text) => return (ss::parse_ss(&text), ListenerSource::Ss, Vec::new()),
        Ran::Missing => "ss is not installed".to_string(),
        Ran::Failed(out) => format!("ss failed ({})", first_line(&out)),
    };
    let mut found = Vec::new();
    let mut unreadable = Vec::new();
    for (path, v6) in [("/proc/net/tcp", false), ("/proc/net/tcp6", true)] {
        match host.read_file(path).await {
            Ok(bytes) => found.extend(proc_net::parse_proc_net_tcp(
                &String::from_utf8_lossy(&bytes),
                v6,
            )),
            Err(e) => unreadable.push(format!("{path}: {e}")),
        }
    }
    let mut message = format!(
        "{why} on {}; listeners come from /proc/net/tcp, so process names are unavailable",
        host.name()
    );
    if !unreadable.is_empty() {
        message.push_str(&format!(" (could not read {})", unreadable.join("; ")));
    }
    let problem = SourceProblem {
        source: SourceKind::Sockets,
        message,
        fix: Some("install iproute2 on the host (sudo apt install iproute2)".to_string()),
    };
    (found, ListenerSource::ProcNet, vec![problem])
}

async fn containers(
    host: &dyn Host,
    settings: &ServicesSettings,
    catalog: &[CatalogEntry],
) -> (Option<Vec<Container>>, Vec<SourceProblem>) {
    let cli = settings.docker.as_str();
    let argv = [cli, "ps", "--all", "--no-trunc", "--format", "{{json .}}"];
    let out = match run(host, &argv).await {
        Ran::Ok(text) => {
            let (found, bad) = docker::parse_ps(&text);
            let problems = if bad.is_empty() {
                Vec::new()
            } else {
                vec![SourceProblem {
                    source: SourceKind::Docker,
                    message: format!(
                        "{} line(s) of `{cli} ps` on {} were not understood and are left out",
                        bad.len(),
                        host.name()
                    ),
                    fix: None,
                }]
            };
            return (Some(found), problems);
        }
        Ran::Missing => {
            // A box without docker is fine unless the catalogue expects containers.
            let wanted = catalog.iter().any(|e| e.kind == ServiceKind::Docker);
            let problems = wanted
                .then(|| SourceProblem {
                    source: SourceKind::Docker,
                    message: format!(
                        "{cli} is not installed on {}; the catalogue's containers cannot be checked",
                        host.name()
                    ),
                    fix: Some(
                        "install docker, or set [services] docker to the CLI you use (podman)"
                            .to_string(),
                    ),
                })
                .into_iter()
                .collect();
            return (None, problems);
        }
        Ran::Failed(out) => out,
    };
    let problem = docker::classify_error(&out.stderr_str()).unwrap_or_else(|| SourceProblem {
        source: SourceKind::Docker,
        message: format!("`{cli} ps` failed on {}: {}", host.name(), first_line(&out)),
        fix: None,
    });
    (None, vec![problem])
}

async fn units(host: &dyn Host, catalog: &[CatalogEntry]) -> (Vec<UnitStatus>, Vec<SourceProblem>) {
    let mut names: Vec<String> = Vec::new();
    for name in catalog.iter().filter_map(CatalogEntry::unit_name) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if names.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let mut argv: Vec<&str> = vec!["systemctl", "show"];
    argv.extend(names.iter().map(String::as_str));
    argv.extend(["-p", systemd::SHOW_PROPERTIES]);
    let message = match run(host, &argv).await {
        Ran::Ok(text) => return (systemd::parse_show(&text), Vec::new()),
        Ran::Missing => format!(
            "systemctl is not available on {}; unit states are unknown",
            host.name()
        ),
        Ran::Failed(out) => format!(
            "`systemctl show` failed on {}: {}",
            host.name(),
            first_line(&out)
        ),
    };
    let problem = SourceProblem {
        source: SourceKind::Systemd,
        message,
        fix: None,
    };
    (Vec::new(), vec![problem])
}

pub async fn observe(
    host: &dyn Host,
    settings: &ServicesSettings,
    catalog: &[CatalogEntry],
) -> Observation {
    let ((listeners, from, p1), (containers, p2), (units, p3)) = tokio::join!(
        listeners(host),
        containers(host, settings, catalog),
        units(host, catalog)
    );
    Observation {
        listeners,
        listeners_from: from,
        containers,
        units,
        problems: p1.into_iter().chain(p2).chain(p3).collect(),
    }
}
