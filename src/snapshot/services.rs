//! The `services` section of the snapshot (DESIGN §7) and the `problems` the Services
//! engine found, from the same engine the TUI uses.

use super::Snapshot;
use crate::config::ServicesSettings;
use crate::host::Host;
use crate::model::{ServiceRow, ServicesReport, SourceKind};
use crate::services::ServicesEngine;
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

/// Problems a report shows: the sources that could not be read, then every row that is
/// red on the tab (`ServiceRow::is_problem`).
pub fn problems(report: &ServicesReport) -> Vec<Problem> {
    let mut out: Vec<Problem> = report
        .problems
        .iter()
        .map(|p| Problem {
            // Without docker or the journal a whole source is blind; the ss fallback and
            // sudo only lose detail.
            severity: match p.source {
                SourceKind::Docker | SourceKind::Journal => "warn",
                SourceKind::Sockets | SourceKind::Systemd | SourceKind::Sudo => "info",
            }
            .to_string(),
            area: "services".to_string(),
            message: p.message.clone(),
            fix: p.fix.clone(),
            row: None,
        })
        .collect();
    for row in report.rows.iter().filter(|r| r.is_problem()) {
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
        out.push(Problem {
            severity: "crit".to_string(),
            area: "services".to_string(),
            message,
            fix: None,
            row: Some(row.id.clone()),
        });
    }
    out
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
    snapshot
        .problems
        .get_or_insert_with(Vec::new)
        .extend(problems(&report));
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

/// One line per problem, after every section.
pub fn problems_text(snapshot: &Snapshot) -> String {
    let mut text = String::new();
    for p in snapshot.problems.iter().flatten() {
        text.push_str(&format!("{:<5} {}", p.severity, p.message));
        if let Some(fix) = &p.fix {
            text.push_str(&format!(" — fix: {fix}"));
        }
        text.push('\n');
    }
    text
}
