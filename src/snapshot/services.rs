//! The `services` section of the snapshot (DESIGN §7) and the `problems` the Services
//! engine found, from the same engine the TUI uses.

use super::Snapshot;
use crate::config::ServicesSettings;
use crate::host::Host;
use crate::model::{
    ServiceKind, ServiceRow, ServiceState, ServiceTarget, ServicesReport, SourceKind, SourceProblem,
};
use crate::services::ServicesEngine;
use crate::services::actions::target_of;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// One row of `services`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceEntry {
    pub name: String,
    pub port: Option<u16>,
    /// The bound address when listening (`0.0.0.0`, `127.0.0.1`, `::`).
    pub bind: Option<String>,
    pub expected: bool,
    pub required: bool,
    /// `up`, `down`, `conflict`, `unexpected` or `duplicate`.
    pub state: String,
    pub owner: OwnerEntry,
    /// Absent (null) when no probe ran: not listening, or no probe configured.
    pub health: Option<HealthEntry>,
    /// Why the state is what it is, and what to do.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerEntry {
    pub pid: Option<u32>,
    pub process: Option<String>,
    pub container: Option<String>,
    pub unit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthEntry {
    pub ok: bool,
    pub latency_ms: Option<u64>,
    pub detail: String,
}

/// One entry of `problems`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// `info`, `warn` or `crit`.
    pub severity: String,
    pub area: String,
    pub message: String,
    pub fix: Option<String>,
    /// The stable id of the row it concerns on its tab (`ServiceRow::id`, `ModelEntry::id`,
    /// a job id, a GPU index), so the dashboard can jump there. Not part of the document.
    #[serde(skip)]
    pub row: Option<String>,
}

pub fn service_entry(row: &ServiceRow) -> ServiceEntry {
    ServiceEntry {
        name: row.name.clone(),
        port: row.port,
        bind: row.bind.clone(),
        expected: row.expected,
        required: row.required,
        state: row.state().as_str().to_string(),
        owner: OwnerEntry {
            pid: row.owner.pid,
            process: row.owner.process.clone(),
            container: row.owner.container.clone(),
            unit: row.owner.unit.clone(),
        },
        health: row.health.as_ref().map(|h| HealthEntry {
            ok: h.ok,
            latency_ms: h.latency_ms,
            detail: h.detail.clone(),
        }),
        notes: row.notes.clone(),
    }
}

/// The problem of a source that could not be read.
pub fn source_problem(p: &SourceProblem) -> Problem {
    Problem {
        // Without docker or the journal a whole source is blind; the ss fallback and sudo
        // only lose detail.
        severity: match p.source {
            SourceKind::Docker | SourceKind::Journal => "warn",
            SourceKind::Sockets | SourceKind::Systemd | SourceKind::Sudo => "info",
        }
        .to_string(),
        area: "services".to_string(),
        message: p.message.clone(),
        fix: p.fix.clone(),
        row: None,
    }
}

/// The problem of a row that is red on the tab (`ServiceRow::is_problem`), with the fix its
/// state calls for; None for a row that is fine. `docker_read`: whether `docker ps` was
/// read in the same refresh (otherwise a catalogued container cannot have been found).
pub fn row_problem(row: &ServiceRow, docker_read: bool) -> Option<Problem> {
    if !row.is_problem() {
        return None;
    }
    let port = row.port.map(|p| format!(" (port {p})")).unwrap_or_default();
    let mut why: Vec<String> = Vec::new();
    if let Some(h) = row.health.as_ref().filter(|h| !h.ok) {
        why.push(format!("health check failing: {}", h.detail));
    }
    why.extend(row.notes.iter().cloned());
    let mut message = format!("{}{port} is {}", row.name, row.state().as_str());
    if !why.is_empty() {
        message.push_str(": ");
        message.push_str(&why.join("; "));
    }
    Some(Problem {
        severity: "crit".to_string(),
        area: "services".to_string(),
        message,
        fix: Some(row_fix(row, docker_read)),
        row: Some(row.id.clone()),
    })
}

/// Problems a report shows: the sources that could not be read, then every row that is
/// red on the tab.
pub fn problems(report: &ServicesReport) -> Vec<Problem> {
    let docker_read = docker_read(report);
    report
        .problems
        .iter()
        .map(source_problem)
        .chain(
            report
                .rows
                .iter()
                .filter_map(|r| row_problem(r, docker_read)),
        )
        .collect()
}

/// Whether `docker ps` answered in this refresh (no docker source problem).
pub fn docker_read(report: &ServicesReport) -> bool {
    !report
        .problems
        .iter()
        .any(|p| p.source == SourceKind::Docker)
}

/// The unit or container that owns the row's port, as the command that stops it.
fn owner_stop(row: &ServiceRow) -> Option<String> {
    let o = &row.owner;
    if let Some(c) = o.container.as_deref().filter(|c| !c.is_empty()) {
        return Some(format!("container {c} (docker stop {c})"));
    }
    if let Some(u) = o.unit.as_deref().filter(|u| !u.is_empty()) {
        return Some(format!("{u} (sudo systemctl stop {u})"));
    }
    match (&o.process, o.pid) {
        (Some(p), Some(pid)) => Some(format!("{p} (pid {pid}; kill {pid})")),
        (None, Some(pid)) => Some(format!("pid {pid} (kill {pid})")),
        _ => None,
    }
}

/// Whether the Services tab's stop/start keys act on the port's owner (not on the
/// catalogued unit or container, which a conflicting row also names).
fn keys_act_on_owner(row: &ServiceRow) -> bool {
    let owner = [&row.owner.container, &row.owner.unit]
        .into_iter()
        .flatten()
        .find(|n| !n.is_empty());
    match (target_of(row), owner) {
        (Ok(t), Some(o)) => t.name() == o,
        _ => false,
    }
}

/// What to do about a red row, by its state. The keys named are the Services tab's
/// defaults (s start, S stop, R restart, l log).
fn row_fix(row: &ServiceRow, docker_read: bool) -> String {
    let port = row
        .port
        .map_or("its port".to_string(), |p| format!("port {p}"));
    match row.state() {
        ServiceState::Conflict => {
            let key = if keys_act_on_owner(row) {
                " (Services tab: S on this row)"
            } else {
                ""
            };
            match owner_stop(row) {
                Some(owner) => format!(
                    "free {port}: stop {owner}{key} or move it to another port, then start {}",
                    row.name
                ),
                None => format!(
                    "free {port}: find its holder with sudo ss -ltnp 'sport = :{}' (other \
                     users' processes need root), stop it, then start {}",
                    row.port.unwrap_or_default(),
                    row.name
                ),
            }
        }
        ServiceState::Duplicate => {
            let key = if keys_act_on_owner(row) {
                " (Services tab: S on this row)"
            } else {
                ""
            };
            let what = owner_stop(row).unwrap_or_else(|| format!("whatever listens on {port}"));
            format!(
                "stop the extra instance, {what}{key}, and point its users at the catalogued {}",
                row.name
            )
        }
        ServiceState::Down => down_fix(row, &port, docker_read),
        // Up with a failing probe: its log says why it answers badly.
        ServiceState::Up | ServiceState::Unexpected => match target_of(row) {
            Ok(t @ ServiceTarget::Unit(_)) => format!(
                "read its log (Services tab: l, or journalctl -u {} -n 100), then restart it (R)",
                t.name()
            ),
            Ok(t @ ServiceTarget::Container(_)) => format!(
                "read its log (Services tab: l, or docker logs --tail 100 {}), then restart it \
                 (R)",
                t.name()
            ),
            Err(_) => format!(
                "read the log of {} (what runs it: {}) and restart it",
                row.name,
                owner_stop(row).unwrap_or_else(|| "not visible without root".into())
            ),
        },
    }
}

/// A required service that is down: start its unit or container, or say what is missing.
fn down_fix(row: &ServiceRow, port: &str, docker_read: bool) -> String {
    match (row.kind, &row.unit, &row.container) {
        (ServiceKind::Systemd, Some(u), _) if !u.exists() => {
            format!("install {} or correct its unit in [services.catalog]", u.id)
        }
        (ServiceKind::Systemd, Some(u), _) if u.active_state == "failed" => format!(
            "read why it failed (Services tab: l, or journalctl -u {0} -n 100), then sudo \
             systemctl restart {0} (R)",
            u.id
        ),
        (ServiceKind::Systemd, Some(u), _)
            if u.active_state == "active" || u.active_state == "activating" =>
        {
            format!(
                "{} runs but does not listen on {port}: wait for it to load, else read its log \
                 (Services tab: l)",
                u.id
            )
        }
        (ServiceKind::Systemd, Some(u), _) => {
            format!("start it: sudo systemctl start {} (Services tab: s)", u.id)
        }
        (ServiceKind::Docker, _, Some(c)) if c.running() => format!(
            "container {0} runs but {port} is not published: check docker port {0} and its \
             log (Services tab: l)",
            c.name
        ),
        (ServiceKind::Docker, _, Some(c)) => {
            format!("start it: docker start {} (Services tab: s)", c.name)
        }
        (ServiceKind::Docker, _, None) if !docker_read => format!(
            "fix docker first (see its problem), then start {}'s container (Services tab: s)",
            row.name
        ),
        (ServiceKind::Systemd, None, _) => format!(
            "start {}'s unit (the message names it) with sudo systemctl start, so that it \
             listens on {port}; systemctl could not be asked here",
            row.name
        ),
        (ServiceKind::Docker, _, None) => format!(
            "create and start its container (docker ps --all lists none for {}), or correct \
             [services.catalog] container",
            row.name
        ),
        _ => format!("start {} so that it listens on {port}", row.name),
    }
}

/// Fills `services` and adds the services problems to `problems`.
pub async fn add_services(
    snapshot: &mut Snapshot,
    host: Arc<dyn Host>,
    settings: &ServicesSettings,
) {
    let mut engine = ServicesEngine::new(host, settings);
    let report = engine.refresh().await;
    snapshot.services = Some(report.rows.iter().map(service_entry).collect());
    snapshot.problems.extend(problems(&report));
}

/// Whether the docker CLI `cli` exists on the host; None when that cannot be asked.
pub async fn docker_installed(host: &dyn Host, cli: &str) -> Option<bool> {
    let out = host
        .exec(&["sh", "-c", "command -v \"$0\" >/dev/null", cli])
        .await
        .ok()?;
    Some(out.success())
}

/// The text lines of the services section: one per row that is not merely unexpected.
pub fn services_text(snapshot: &Snapshot) -> String {
    let Some(services) = &snapshot.services else {
        return String::new();
    };
    let mut text = String::new();
    let unexpected = services.iter().filter(|s| s.state == "unexpected").count();
    for s in services.iter().filter(|s| s.state != "unexpected") {
        let port = s.port.map_or("-".to_string(), |p| p.to_string());
        let owner = [
            s.owner.unit.clone(),
            s.owner.container.clone(),
            s.owner.process.as_ref().map(|p| {
                format!(
                    "{p}{}",
                    s.owner
                        .pid
                        .map(|pid| format!("[{pid}]"))
                        .unwrap_or_default()
                )
            }),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        let health = match &s.health {
            Some(h) if h.ok => format!(
                "ok{}",
                h.latency_ms
                    .map(|ms| format!(" {ms} ms"))
                    .unwrap_or_default()
            ),
            Some(h) => format!("FAIL {}", h.detail),
            None => "-".to_string(),
        };
        let mut line = format!("svc   {:<10} {:<22} {:>5}  {health}", s.state, s.name, port);
        if !owner.is_empty() {
            line.push_str(&format!("  by {owner}"));
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    if unexpected > 0 {
        text.push_str(&format!(
            "svc   {unexpected} other listener(s) not in the catalogue (see --json)\n"
        ));
    }
    text
}

/// One line per problem, after every section: severity, area, message and fix.
pub fn problems_text(snapshot: &Snapshot) -> String {
    let mut text = String::new();
    for p in &snapshot.problems {
        text.push_str(&format!("{:<5} {:<8} {}", p.severity, p.area, p.message));
        if let Some(fix) = &p.fix {
            text.push_str(&format!(" — fix: {fix}"));
        }
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Container, Health, Owner, UnitStatus};

    fn row(state: ServiceState) -> ServiceRow {
        ServiceRow {
            id: "svc:ArangoDB".into(),
            name: "ArangoDB".into(),
            port: Some(8529),
            expected: true,
            required: true,
            state: Some(state),
            ..ServiceRow::default()
        }
    }

    fn fix(r: &ServiceRow) -> String {
        let p = row_problem(r, true).expect("a problem");
        assert_eq!(p.row.as_deref(), Some(r.id.as_str()));
        assert_eq!(p.severity, "crit");
        p.fix.expect("a fix")
    }

    #[test]
    fn a_conflict_names_the_holder() {
        let mut r = row(ServiceState::Conflict);
        r.kind = ServiceKind::Docker;
        r.owner = Owner {
            pid: Some(4242),
            process: Some("perl".into()),
            ..Owner::default()
        };
        assert_eq!(
            fix(&r),
            "free port 8529: stop perl (pid 4242; kill 4242) or move it to another port, then \
             start ArangoDB"
        );
        // The port's holder is a container and the row has no container of its own: S on
        // the row stops the holder.
        r.owner = Owner {
            container: Some("other-db".into()),
            ..Owner::default()
        };
        assert!(
            fix(&r).starts_with(
                "free port 8529: stop container other-db (docker stop other-db) (Services \
                 tab: S on this row)"
            ),
            "{}",
            fix(&r)
        );
        // With the catalogued container found, S would stop that one: no key promised.
        r.container = Some(Container {
            name: "arangodb".into(),
            state: "exited".into(),
            ..Container::default()
        });
        assert!(!fix(&r).contains("S on this row"), "{}", fix(&r));
        r.owner = Owner::default();
        assert!(
            fix(&r).contains("sudo ss -ltnp 'sport = :8529'"),
            "{}",
            fix(&r)
        );
    }

    #[test]
    fn a_duplicate_is_stopped() {
        let mut r = row(ServiceState::Duplicate);
        r.id = "port:11435".into();
        r.name = "Ollama".into();
        r.port = Some(11435);
        r.required = false;
        r.owner.container = Some("ollama2".into());
        assert_eq!(
            fix(&r),
            "stop the extra instance, container ollama2 (docker stop ollama2) (Services tab: S \
             on this row), and point its users at the catalogued Ollama"
        );
    }

    #[test]
    fn a_required_service_down_is_started_by_its_unit_or_container() {
        let mut r = row(ServiceState::Down);
        r.kind = ServiceKind::Systemd;
        let unit = |active: &str| UnitStatus {
            id: "ollama.service".into(),
            load_state: "loaded".into(),
            active_state: active.into(),
            ..UnitStatus::default()
        };
        r.unit = Some(unit("inactive"));
        assert_eq!(
            fix(&r),
            "start it: sudo systemctl start ollama.service (Services tab: s)"
        );
        r.unit = Some(unit("failed"));
        assert!(
            fix(&r).contains("journalctl -u ollama.service"),
            "{}",
            fix(&r)
        );
        r.unit = Some(UnitStatus {
            load_state: "not-found".into(),
            ..unit("inactive")
        });
        assert!(fix(&r).starts_with("install ollama.service"), "{}", fix(&r));

        r.kind = ServiceKind::Docker;
        r.unit = None;
        r.container = Some(Container {
            name: "arangodb".into(),
            state: "exited".into(),
            ..Container::default()
        });
        assert_eq!(fix(&r), "start it: docker start arangodb (Services tab: s)");
        r.container = None;
        assert!(fix(&r).starts_with("create and start its container"));
        r.kind = ServiceKind::Systemd;
        assert!(fix(&r).starts_with("start ArangoDB's unit (the message names it)"));
        r.kind = ServiceKind::Docker;
        // Without docker ps the container was not looked for, so it is not "missing".
        let blind = row_problem(&r, false).unwrap().fix.unwrap();
        assert_eq!(
            blind,
            "fix docker first (see its problem), then start ArangoDB's container (Services \
             tab: s)"
        );

        // Optional and down is fine.
        r.required = false;
        assert!(row_problem(&r, true).is_none());
    }

    #[test]
    fn failing_health_points_at_the_log() {
        let mut r = row(ServiceState::Up);
        r.kind = ServiceKind::Systemd;
        r.unit = Some(UnitStatus {
            id: "arangodb.service".into(),
            load_state: "loaded".into(),
            active_state: "active".into(),
            ..UnitStatus::default()
        });
        r.health = Some(Health {
            ok: false,
            latency_ms: Some(3),
            detail: "HTTP 503".into(),
        });
        let p = row_problem(&r, true).unwrap();
        assert_eq!(
            p.message,
            "ArangoDB (port 8529) is up: health check failing: HTTP 503"
        );
        assert_eq!(
            p.fix.as_deref(),
            Some(
                "read its log (Services tab: l, or journalctl -u arangodb.service -n 100), then \
                 restart it (R)"
            )
        );
        r.health.as_mut().unwrap().ok = true;
        assert!(row_problem(&r, true).is_none());
    }

    #[test]
    fn source_problems_keep_their_fix_and_severity() {
        let denied = SourceProblem {
            source: SourceKind::Docker,
            message: "permission denied on the docker socket".into(),
            fix: Some("usermod".into()),
        };
        let p = source_problem(&denied);
        assert_eq!(
            (p.severity.as_str(), p.fix.as_deref()),
            ("warn", Some("usermod"))
        );
        assert!(p.row.is_none());
        let ss = SourceProblem {
            source: SourceKind::Sockets,
            ..denied
        };
        assert_eq!(source_problem(&ss).severity, "info");
    }
}
