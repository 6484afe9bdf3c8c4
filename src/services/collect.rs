//! Runs the observation commands on a host: `ss -H -ltnp` (or `/proc/net/tcp{,6}`),
//! `docker ps --all`, `systemctl show` for the catalogued units.

use crate::config::ServicesSettings;
use crate::host::{ExecOutput, Host, HostError};
use crate::model::{
    CatalogEntry, Container, Listener, ListenerSource, Observation, ServiceKind, SourceKind,
    SourceProblem, UnitStatus,
};
use crate::sources::proc::container_from_cgroup;
use crate::sources::services::{docker, proc_net, ss, systemd};

/// docker's userland proxy: its sockets belong to the publishing container already.
const DOCKER_PROXY: &str = "docker-proxy";

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
    let pid_containers = host_network_pids(host, &listeners, containers.as_deref()).await;
    Observation {
        listeners,
        listeners_from: from,
        containers,
        units,
        problems: p1.into_iter().chain(p2).chain(p3).collect(),
        pid_containers,
    }
}

/// Which listening processes run inside a container. Only asked when a running container
/// publishes no TCP port (so may use the host's network) — otherwise docker's `Ports`
/// already says who holds what — and in ONE command for all pids. A process that ended in
/// between just has no cgroup file; that is not a problem worth reporting.
async fn host_network_pids(
    host: &dyn Host,
    listeners: &[Listener],
    containers: Option<&[Container]>,
) -> Vec<(u32, String)> {
    let Some(containers) = containers else {
        return Vec::new();
    };
    let unpublished = containers
        .iter()
        .any(|c| c.running() && !c.ports.iter().any(|p| p.proto.eq_ignore_ascii_case("tcp")));
    let mut paths: Vec<String> = Vec::new();
    for o in listeners.iter().flat_map(|l| &l.owners) {
        let path = format!("/proc/{}/cgroup", o.pid);
        if o.process != DOCKER_PROXY && !paths.contains(&path) {
            paths.push(path);
        }
    }
    if !unpublished || paths.is_empty() {
        return Vec::new();
    }
    // grep -H prefixes every line with its file, so one exec covers every pid.
    let mut argv = vec!["grep", "-H", ""];
    argv.extend(paths.iter().map(String::as_str));
    let Ok(out) = host.exec(&argv).await else {
        return Vec::new();
    };
    parse_grep_cgroups(&out.stdout_str())
}

/// `grep -H '' /proc/<pid>/cgroup…` → (pid, short container id) for pids in a container.
fn parse_grep_cgroups(text: &str) -> Vec<(u32, String)> {
    let mut per_pid: Vec<(u32, String)> = Vec::new();
    for line in text.lines() {
        let Some((pid, rest)) = line
            .strip_prefix("/proc/")
            .and_then(|l| l.split_once("/cgroup:"))
        else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        match per_pid.iter_mut().find(|(p, _)| *p == pid) {
            Some((_, body)) => {
                body.push_str(rest);
                body.push('\n');
            }
            None => per_pid.push((pid, format!("{rest}\n"))),
        }
    }
    per_pid
        .into_iter()
        .filter_map(|(pid, body)| container_from_cgroup(&body).map(|id| (pid, id)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grep_output_maps_pids_to_containers() {
        let id = "4f7b4c5e3a0d9d7e6b1a2c3d4e5f60718293a4b5c6d7e8f90123456789abcdef";
        let text = format!(
            "/proc/42/cgroup:0::/system.slice/docker-{id}.scope\n\
             /proc/7/cgroup:0::/user.slice/user-1000.slice/session-3.scope\n\
             /proc/9/cgroup:12:memory:/docker/{id}\n\
             /proc/9/cgroup:11:cpu,cpuacct:/docker/{id}\n\
             grep: /proc/11/cgroup: No such file or directory\n\
             garbage\n"
        );
        assert_eq!(
            parse_grep_cgroups(&text),
            [
                (42, "4f7b4c5e3a0d".to_string()),
                (9, "4f7b4c5e3a0d".to_string())
            ]
        );
        assert!(parse_grep_cgroups("").is_empty());
    }
}
