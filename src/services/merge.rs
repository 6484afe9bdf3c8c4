//! Catalogue + observation → one row per service and per unexpected listener. Pure.

use crate::config::ServicesSettings;
use crate::model::{
    CatalogEntry, Container, Listener, ListenerSource, Observation, Owner, ServiceKind, ServiceRow,
    ServiceState, UnitStatus,
};
use std::collections::{BTreeMap, BTreeSet};

/// docker's userland proxy holds published ports for a container (`ss` truncates names to
/// 15 characters, so the full name fits).
const DOCKER_PROXY: &str = "docker-proxy";

const ONE_PER_PORT: &str = "one service per port: stop the other one or move it to another port, \
                            and change every config that points at it";

/// Every listener of one port (IPv4 and IPv6 of one service are one row) and who holds it.
struct Port<'a> {
    port: u16,
    bind: String,
    /// (process, pid) of every visible owner, without repeats.
    procs: Vec<(String, u32)>,
    /// A running container publishing this host port.
    publisher: Option<&'a Container>,
    /// The container an owning process runs in (`--network host`).
    inside: Option<&'a Container>,
    /// The unit whose MainPID holds it.
    unit: Option<&'a UnitStatus>,
}

impl Port<'_> {
    fn owner(&self) -> Owner {
        Owner {
            pid: self.procs.first().map(|p| p.1),
            process: self.procs.first().map(|p| p.0.clone()),
            // A publisher only owns the port when docker's proxy (or nothing visible) holds
            // it; otherwise the port is clashing, see `publish_clash`.
            container: self
                .publisher
                .filter(|_| self.publish_clash().is_none())
                .or(self.inside)
                .map(|c| c.name.clone()),
            unit: self.unit.map(|u| u.id.clone()),
        }
    }

    fn visible(&self) -> bool {
        !self.procs.is_empty()
    }

    fn via_proxy(&self) -> bool {
        self.procs.iter().any(|(p, _)| p == DOCKER_PROXY)
    }

    /// A running container publishes this port while another (visible) process holds it.
    fn publish_clash(&self) -> Option<String> {
        let c = self.publisher?;
        if !self.visible() || self.via_proxy() || self.inside.is_some_and(|i| i.id == c.id) {
            return None;
        }
        Some(format!(
            "container {} publishes port {}, but {} holds it: {ONE_PER_PORT}",
            c.name,
            self.port,
            self.holder()
        ))
    }

    /// `ollama (pid 42)`, `container open-webui`, or `an invisible process`.
    fn holder(&self) -> String {
        if let Some((p, pid)) = self.procs.iter().find(|(p, _)| p != DOCKER_PROXY) {
            return match self.inside {
                Some(c) => format!("{p} (pid {pid}) in container {}", c.name),
                None => format!("{p} (pid {pid})"),
            };
        }
        if let Some(c) = self.publisher {
            return format!("container {}", c.name);
        }
        match self.procs.first() {
            Some((p, pid)) => format!("{p} (pid {pid})"),
            None => "a process sparkdeck cannot see".to_string(),
        }
    }

    /// The name of an uncatalogued row.
    fn display_name(&self) -> String {
        if let Some(c) = self.inside {
            return c.name.clone();
        }
        if let Some((p, _)) = self.procs.iter().find(|(p, _)| p != DOCKER_PROXY) {
            return p.clone();
        }
        if let Some(c) = self.publisher {
            return c.name.clone();
        }
        match self.procs.first() {
            Some((p, _)) => p.clone(),
            None => format!("port {}", self.port),
        }
    }

    fn kind(&self) -> ServiceKind {
        if self.owner().container.is_some() {
            ServiceKind::Docker
        } else if self.unit.is_some() {
            ServiceKind::Systemd
        } else {
            ServiceKind::Process
        }
    }

    /// Does any identifying text (process, container name or image) contain a fragment?
    fn matches_any(&self, fragments: &[String]) -> bool {
        let mut texts: Vec<String> = self
            .procs
            .iter()
            .filter(|(p, _)| p != DOCKER_PROXY)
            .map(|(p, _)| p.to_lowercase())
            .collect();
        let publisher = self.publisher.filter(|_| self.publish_clash().is_none());
        for c in publisher.into_iter().chain(self.inside) {
            texts.push(c.name.to_lowercase());
            texts.push(c.image.to_lowercase());
        }
        fragments
            .iter()
            .map(|f| f.trim().to_lowercase())
            .filter(|f| !f.is_empty())
            .any(|f| texts.iter().any(|t| t.contains(&f)))
    }
}

/// How a listening port relates to a catalogue entry.
enum Fit {
    Yes,
    /// Listening, but who holds it cannot be checked; the note says why.
    Unknown(String),
    No,
}

/// Container names as compose makes them (`txt2kg-app-1`, `base_arangodb_1`) fit too.
fn container_fits(actual: &str, wanted: &str) -> bool {
    if actual == wanted {
        return true;
    }
    let numbered = |rest: &str| {
        rest.strip_prefix(['-', '_'])
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    if actual.strip_prefix(wanted).is_some_and(numbered) {
        return true;
    }
    // `<project>-<service>-<n>`
    [format!("-{wanted}"), format!("_{wanted}")]
        .iter()
        .any(|infix| {
            actual
                .find(infix.as_str())
                .is_some_and(|i| i > 0 && numbered(&actual[i + infix.len()..]))
        })
}

fn not_visible(from: ListenerSource) -> String {
    match from {
        ListenerSource::Ss => {
            "owner not visible: another user's process (run as root to see it) or another network namespace".to_string()
        }
        ListenerSource::ProcNet => {
            "owner not visible: ss is not available, so process names are unknown".to_string()
        }
    }
}

fn fits(
    entry: &CatalogEntry,
    port: &Port<'_>,
    unit: Option<&UnitStatus>,
    docker_known: bool,
    from: ListenerSource,
) -> Fit {
    if port.publish_clash().is_some() {
        return Fit::No;
    }
    match entry.kind {
        ServiceKind::Docker if !entry.container.is_empty() => {
            if let Some(c) = port.publisher.or(port.inside) {
                return if container_fits(&c.name, &entry.container) {
                    Fit::Yes
                } else {
                    Fit::No
                };
            }
            // `--network host` containers show their own process.
            if port.matches_any(&entry.matches) {
                return Fit::Yes;
            }
            if !docker_known && (port.via_proxy() || !port.visible()) {
                return Fit::Unknown(
                    "owner not verified: docker could not be asked which container publishes it"
                        .into(),
                );
            }
            if !port.visible() {
                return Fit::Unknown(not_visible(from));
            }
            Fit::No
        }
        ServiceKind::Systemd if entry.unit_name().is_some() => {
            // A container on a unit's port is another instance (a playbook's own Ollama),
            // unless the unit runs and wraps that container (`ExecStart=docker run …`).
            if port.owner().container.is_some() {
                let unit_runs = unit.is_some_and(|u| u.active_state == "active");
                return if unit_runs && port.matches_any(&entry.matches) {
                    Fit::Yes
                } else {
                    Fit::No
                };
            }
            let main = unit.and_then(|u| u.main_pid);
            if main.is_some_and(|m| port.procs.iter().any(|(_, pid)| *pid == m))
                || port.matches_any(&entry.matches)
            {
                return Fit::Yes;
            }
            if !port.visible() {
                return Fit::Unknown(not_visible(from));
            }
            Fit::No
        }
        _ if entry.matches.iter().all(|m| m.trim().is_empty()) => Fit::Yes,
        _ => {
            if port.matches_any(&entry.matches) {
                Fit::Yes
            } else if !port.visible() && port.publisher.is_none() {
                Fit::Unknown(not_visible(from))
            } else {
                Fit::No
            }
        }
    }
}

fn expected_owner(entry: &CatalogEntry) -> String {
    match entry.kind {
        ServiceKind::Docker if !entry.container.is_empty() => {
            format!("container {}", entry.container)
        }
        ServiceKind::Systemd if entry.unit_name().is_some() => {
            entry.unit_name().unwrap_or_default()
        }
        _ if !entry.matches.is_empty() => {
            format!("a process named like {}", entry.matches.join("/"))
        }
        _ => entry.name.clone(),
    }
}

/// Why a catalogued service is not listening, from its unit or container.
fn down_notes(
    entry: &CatalogEntry,
    unit: Option<&UnitStatus>,
    container: Option<&Container>,
    docker_known: bool,
    host_port: u16,
) -> Vec<String> {
    let ports = if entry.any_port {
        format!(
            "any of ports {}-{}",
            entry.ports.first().copied().unwrap_or(host_port),
            entry.ports.last().copied().unwrap_or(host_port)
        )
    } else {
        format!("port {host_port}")
    };
    let mut notes = Vec::new();
    match entry.kind {
        ServiceKind::Systemd if entry.unit_name().is_some() => {
            let name = entry.unit_name().unwrap_or_default();
            match unit {
                None => notes.push(format!(
                    "nothing listens on {ports}; the state of {name} is unknown (systemctl could not be asked)"
                )),
                Some(u) if !u.exists() => notes.push(format!(
                    "{name} is not installed (LoadState={}); nothing listens on {ports}",
                    if u.load_state.is_empty() { "unknown" } else { &u.load_state }
                )),
                Some(u) if u.active_state == "failed" => notes.push(format!(
                    "{name} failed (Result={}, NRestarts={}): read its log (l), then restart it: sudo systemctl restart {name}",
                    u.result.as_deref().unwrap_or("unknown"),
                    u.n_restarts.map_or("unknown".to_string(), |n| n.to_string())
                )),
                Some(u) if u.active_state == "active" || u.active_state == "activating" => {
                    notes.push(format!(
                        "{name} is {} but not listening on {ports} yet (still loading a model?); if it stays so, read its log (l)",
                        u.active_state
                    ))
                }
                Some(u) => notes.push(format!(
                    "{name} is {} ({}): start it with sudo systemctl start {name}",
                    if u.active_state.is_empty() { "not running" } else { &u.active_state },
                    if u.sub_state.is_empty() { "dead" } else { &u.sub_state }
                )),
            }
        }
        ServiceKind::Docker if !entry.container.is_empty() => match container {
            _ if !docker_known => notes.push(format!(
                "nothing listens on {ports}; container {} could not be checked (docker is not readable, see problems)",
                entry.container
            )),
            None => notes.push(format!(
                "no container named {} (docker ps --all); nothing listens on {ports}",
                entry.container
            )),
            Some(c) if c.running() => notes.push(format!(
                "container {} is running ({}) but nothing listens on {ports}: does it publish the port (-p {host_port}:…)?",
                c.name, c.status
            )),
            Some(c) => notes.push(format!(
                "container {} is {}: {}; start it with docker start {}",
                c.name,
                if c.state.is_empty() { "not running" } else { &c.state },
                c.status,
                c.name
            )),
        },
        _ => notes.push(format!("nothing listens on {ports}")),
    }
    notes
}

/// A catalogued container by name (compose names fit too).
fn find_container<'a>(containers: &'a [Container], name: &str) -> Option<&'a Container> {
    if name.is_empty() {
        return None;
    }
    containers
        .iter()
        .find(|c| c.name == name)
        .or_else(|| containers.iter().find(|c| container_fits(&c.name, name)))
}

fn find_unit<'a>(units: &'a [UnitStatus], entry: &CatalogEntry) -> Option<&'a UnitStatus> {
    let name = entry.unit_name()?;
    units.iter().find(|u| u.id == name)
}

fn group_ports<'a>(obs: &'a Observation) -> BTreeMap<u16, Port<'a>> {
    let containers: &[Container] = obs.containers.as_deref().unwrap_or(&[]);
    let mut by_port: BTreeMap<u16, Vec<&Listener>> = BTreeMap::new();
    for l in &obs.listeners {
        by_port.entry(l.port).or_default().push(l);
    }
    by_port
        .into_iter()
        .map(|(port, ls)| {
            // The IPv4 address names the service best; a v6-only socket keeps its own.
            let bind = ls
                .iter()
                .find(|l| !l.v6)
                .or(ls.first())
                .map(|l| l.addr.clone())
                .unwrap_or_default();
            let mut procs: Vec<(String, u32)> = Vec::new();
            for o in ls.iter().flat_map(|l| &l.owners) {
                if !procs.iter().any(|(_, pid)| *pid == o.pid) {
                    procs.push((o.process.clone(), o.pid));
                }
            }
            let publisher = containers.iter().find(|c| {
                c.running()
                    && c.ports
                        .iter()
                        .any(|p| p.host_port == port && p.proto.eq_ignore_ascii_case("tcp"))
            });
            let inside = obs
                .pid_containers
                .iter()
                .filter(|(pid, _)| procs.iter().any(|(_, p)| p == pid))
                .find_map(|(_, short)| {
                    containers.iter().find(|c| {
                        !short.is_empty() && c.id.to_lowercase().starts_with(&short.to_lowercase())
                    })
                });
            let unit = obs.units.iter().find(|u| {
                u.main_pid
                    .is_some_and(|m| procs.iter().any(|(_, pid)| *pid == m))
            });
            (
                port,
                Port {
                    port,
                    bind,
                    procs,
                    publisher,
                    inside,
                    unit,
                },
            )
        })
        .collect()
}

fn catalog_row(entry: &CatalogEntry) -> ServiceRow {
    ServiceRow {
        id: format!("svc:{}", entry.name),
        name: entry.name.clone(),
        port: entry.ports.first().copied(),
        expected: true,
        required: entry.required,
        kind: entry.kind,
        ..ServiceRow::default()
    }
}

/// Fills a row from the port it listens on.
fn listening(row: &mut ServiceRow, p: &Port<'_>) {
    row.port = Some(p.port);
    row.bind = Some(p.bind.clone());
    row.owner = p.owner();
    if row.unit.is_none() {
        row.unit = p.unit.cloned();
    }
    if row.container.is_none() {
        row.container = p.publisher.or(p.inside).cloned();
    }
}

pub fn merge(
    catalog: &[CatalogEntry],
    obs: &Observation,
    settings: &ServicesSettings,
) -> Vec<ServiceRow> {
    let ports = group_ports(obs);
    let docker_known = obs.containers.is_some();
    let containers: &[Container] = obs.containers.as_deref().unwrap_or(&[]);
    let mut taken: BTreeSet<u16> = BTreeSet::new();
    let mut rows = Vec::new();

    for entry in catalog {
        let unit = find_unit(&obs.units, entry);
        let own_container = match entry.kind {
            ServiceKind::Docker => find_container(containers, &entry.container),
            _ => None,
        };
        let mut row = catalog_row(entry);
        row.unit = unit.cloned();
        row.container = own_container.cloned();
        let candidates: Vec<u16> = if entry.any_port {
            entry.ports.clone()
        } else {
            entry.ports.first().copied().into_iter().collect()
        };
        let judged: Vec<(&Port<'_>, Fit)> = candidates
            .iter()
            .filter_map(|p| ports.get(p))
            .map(|p| (p, fits(entry, p, unit, docker_known, obs.listeners_from)))
            .collect();
        let up = judged
            .iter()
            .find(|(_, f)| matches!(f, Fit::Yes))
            .or_else(|| judged.iter().find(|(_, f)| matches!(f, Fit::Unknown(_))));
        if let Some((p, fit)) = up {
            listening(&mut row, p);
            row.state = Some(ServiceState::Up);
            if let Fit::Unknown(note) = fit {
                row.notes.push(note.clone());
            }
            taken.insert(p.port);
            // The service's other ports (and for any_port every instance) are its own.
            for other in &entry.ports {
                if let Some(q) = ports.get(other)
                    && matches!(
                        fits(entry, q, unit, docker_known, obs.listeners_from),
                        Fit::Yes
                    )
                {
                    taken.insert(*other);
                }
            }
        } else if let (Some((p, _)), false) = (judged.first(), entry.any_port) {
            listening(&mut row, p);
            row.state = Some(ServiceState::Conflict);
            row.notes.push(p.publish_clash().unwrap_or_else(|| {
                format!(
                    "port {} is held by {}, expected {}: {ONE_PER_PORT}",
                    p.port,
                    p.holder(),
                    expected_owner(entry)
                )
            }));
            taken.insert(p.port);
        } else {
            row.state = Some(ServiceState::Down);
            let port = row.port.unwrap_or_default();
            row.notes = down_notes(entry, unit, own_container, docker_known, port);
            if !row.required {
                row.notes.push("optional: not running is fine".to_string());
            }
        }
        rows.push(row);
    }

    let catalogued: BTreeSet<u16> = catalog.iter().flat_map(|e| e.ports.clone()).collect();
    let any_port_sets: BTreeSet<u16> = catalog
        .iter()
        .filter(|e| e.any_port)
        .flat_map(|e| e.ports.clone())
        .collect();
    let mut rest = Vec::new();
    for (port, p) in &ports {
        if taken.contains(port) {
            continue;
        }
        let mut row = ServiceRow {
            id: format!("port:{port}"),
            name: p.display_name(),
            kind: p.kind(),
            ..ServiceRow::default()
        };
        listening(&mut row, p);
        let twin = (!catalogued.contains(port) && !any_port_sets.contains(port))
            .then(|| {
                catalog
                    .iter()
                    .find(|e| !e.matches.is_empty() && p.matches_any(&e.matches))
            })
            .flatten();
        if let Some(clash) = p.publish_clash() {
            row.state = Some(ServiceState::Conflict);
            row.notes.push(clash);
        } else if let Some(e) = twin {
            row.state = Some(ServiceState::Duplicate);
            // The prober finds the family's probe by this name.
            row.name = e.name.clone();
            let home = e.ports.first().map_or(String::new(), |p| {
                format!(" (the catalogue's is on port {p})")
            });
            row.notes.push(format!(
                "a second {} (family {}) on port {port}{home}: {}, held by {}; one service per port: \
                 point its users at the shared one and stop this one{}",
                e.name,
                e.family(),
                if row.owner.container.is_some() { "a container" } else { "a process" },
                p.holder(),
                row.owner
                    .container
                    .as_ref()
                    .map_or(String::new(), |c| format!(" (docker stop {c})"))
            ));
        } else if settings.show_unexpected && !settings.ignore_ports.contains(port) {
            row.state = Some(ServiceState::Unexpected);
            if !p.visible() && p.publisher.is_none() {
                row.notes.push(not_visible(obs.listeners_from));
            }
        } else {
            continue;
        }
        rest.push(row);
    }
    rows.extend(rest);
    rows
}

#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;
