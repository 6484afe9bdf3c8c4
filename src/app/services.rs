//! Services tab state: the last report of every connection (kept when the connection
//! drops, marked stale), the refresh bookkeeping, the row filter, the selection by row id
//! and the detail pane; plus what an action, a log, a tunnel or a URL would act on.
//! `services_keys` drives it from keys, `services_events` from the runtime's messages.

use super::entries::LOCAL_NAME;
use super::state::State;
use crate::config::ServicesSettings;
use crate::model::{
    ServiceRow, ServiceState, ServiceTarget, ServiceVerb, ServicesReport, TunnelState,
};
pub use crate::services::actions::target_of;
use ratatui::layout::{Constraint, Layout, Rect};
use std::collections::BTreeMap;

/// Which rows the table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RowFilter {
    #[default]
    All,
    /// `ServiceRow::is_problem`: what needs fixing.
    Problems,
    /// Catalogued services only, without unexpected listeners.
    Catalogue,
}

impl RowFilter {
    pub fn next(self) -> RowFilter {
        match self {
            RowFilter::All => RowFilter::Problems,
            RowFilter::Problems => RowFilter::Catalogue,
            RowFilter::Catalogue => RowFilter::All,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RowFilter::All => "all",
            RowFilter::Problems => "problems only",
            RowFilter::Catalogue => "catalogue only",
        }
    }

    pub fn keeps(self, row: &ServiceRow) -> bool {
        match self {
            RowFilter::All => true,
            RowFilter::Problems => row.is_problem(),
            RowFilter::Catalogue => row.expected,
        }
    }
}

/// What the tab knows about one connection's services.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServicesView {
    /// The last report that arrived; kept while the connection is down.
    pub report: Option<ServicesReport>,
    /// When it arrived (Unix seconds, the UI clock).
    pub received_at: Option<i64>,
    /// A refresh is out since then; the tick waits for it.
    pub in_flight: Option<i64>,
    /// When the last refresh was sent; the tick counts from it.
    pub last_sent: Option<i64>,
    /// An action was answered while a refresh was out: that refresh may predate the
    /// action, so another follows as soon as it is in.
    pub again: bool,
}

#[derive(Debug, Clone)]
pub struct ServicesTab {
    pub settings: ServicesSettings,
    pub views: BTreeMap<String, ServicesView>,
    pub filter: RowFilter,
    /// The selected row, by `ServiceRow::id`: stable when a refresh reorders rows.
    pub selected: Option<String>,
    /// The detail pane is open.
    pub detail: bool,
    pub detail_scroll: u16,
}

impl ServicesTab {
    pub fn new(settings: ServicesSettings) -> ServicesTab {
        ServicesTab {
            settings,
            views: BTreeMap::new(),
            filter: RowFilter::All,
            selected: None,
            detail: false,
            detail_scroll: 0,
        }
    }
}

/// Rows per state, for the header line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub up: usize,
    pub down: usize,
    pub conflict: usize,
    pub duplicate: usize,
    pub unexpected: usize,
    pub problems: usize,
}

impl Counts {
    pub fn of(rows: &[ServiceRow]) -> Counts {
        let mut c = Counts::default();
        for r in rows {
            match r.state() {
                ServiceState::Up => c.up += 1,
                ServiceState::Down => c.down += 1,
                ServiceState::Conflict => c.conflict += 1,
                ServiceState::Duplicate => c.duplicate += 1,
                ServiceState::Unexpected => c.unexpected += 1,
            }
            if r.is_problem() {
                c.problems += 1;
            }
        }
        c
    }

    /// `3 up · 1 down · 1 conflict · 2 unexpected`: states with no row are left out.
    pub fn summary(&self) -> String {
        let parts: Vec<String> = [
            (self.up, "up"),
            (self.down, "down"),
            (self.conflict, "conflict"),
            (self.duplicate, "duplicate"),
            (self.unexpected, "unexpected"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} {w}"))
        .collect();
        if parts.is_empty() {
            "nothing listed".into()
        } else {
            parts.join(" · ")
        }
    }
}

/// What a service-log pane follows, so a time-window switch can reopen it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceLog {
    pub target: ServiceTarget,
    pub window: crate::model::LogWindow,
    /// The connection's name, for the title.
    pub host: String,
}

impl ServiceLog {
    /// For narrow screens: the unit or container (the window is on the bottom border).
    pub fn short_title(&self) -> String {
        self.target.name().to_string()
    }

    pub fn title(&self) -> String {
        let source = match &self.target {
            ServiceTarget::Unit(_) => "journal",
            ServiceTarget::Container(_) => "docker logs",
        };
        format!(
            "{source}: {} @ {} · {}",
            self.target.name(),
            self.host,
            self.window.label()
        )
    }
}

/// "Restart unit ollama.service on spark-1?" — named, starts on Cancel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmService {
    /// Connection whose host it is; the effect goes to it and no other.
    pub name: String,
    pub host: String,
    /// The row's service name, for the question.
    pub service: String,
    pub target: ServiceTarget,
    pub verb: ServiceVerb,
    pub act_chosen: bool,
}

/// Where the Services tab's parts go; `update` pages with the same rectangles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServicesLayout {
    /// Source problems (docker permission…); zero height when there are none.
    pub banner: Rect,
    /// Counts, filter, listener source, freshness.
    pub status: Rect,
    /// The bordered table; zero height when the detail pane needs the whole body.
    pub table: Rect,
    /// The detail pane when open.
    pub detail: Option<Rect>,
    /// One line about the selected row when the detail pane is closed.
    pub summary: Rect,
}

/// Wide enough to put the detail beside the table rather than under it.
const SIDE_BY_SIDE: u16 = 140;
/// Lines a detail pane needs to be worth showing without being asked for.
const AUTO_DETAIL: u16 = 12;

/// Splits the tab body. `banner_lines` is what the problems banner wants (never more than a
/// third of the body), `rows` the table rows. With the detail closed, a body with room to
/// spare below the table shows the pane there anyway; otherwise one summary line.
pub fn layout(body: Rect, banner_lines: u16, rows: usize, detail: bool) -> ServicesLayout {
    let banner_h = banner_lines.min(body.height / 3);
    let [banner, status, rest] = Layout::vertical([
        Constraint::Length(banner_h),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(body);
    let none = Rect { height: 0, ..rest };
    if !detail {
        let table_h = (rows as u16).saturating_add(3).max(4);
        if rest.width >= 60 && rest.height >= table_h.saturating_add(AUTO_DETAIL) {
            let [t, d] =
                Layout::vertical([Constraint::Length(table_h), Constraint::Min(0)]).areas(rest);
            return ServicesLayout {
                banner,
                status,
                table: t,
                detail: Some(d),
                summary: none,
            };
        }
        let summary_h = u16::from(rest.height >= 5);
        let [t, summary] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(summary_h)]).areas(rest);
        return ServicesLayout {
            banner,
            status,
            table: t,
            detail: None,
            summary,
        };
    }
    let (table, pane) = if rest.width >= SIDE_BY_SIDE {
        let [t, d] =
            Layout::horizontal([Constraint::Percentage(58), Constraint::Min(0)]).areas(rest);
        (t, d)
    } else if rest.height >= 18 {
        let table_h = (rows as u16)
            .saturating_add(3)
            .clamp(4, rest.height * 2 / 5);
        let [t, d] =
            Layout::vertical([Constraint::Length(table_h), Constraint::Min(0)]).areas(rest);
        (t, d)
    } else {
        (none, rest)
    };
    ServicesLayout {
        banner,
        status,
        table,
        detail: Some(pane),
        summary: none,
    }
}

impl State {
    /// The active connection's view, if a refresh was sent or answered for it.
    pub fn services_view(&self) -> Option<&ServicesView> {
        self.services.views.get(self.active.as_ref()?)
    }

    pub fn services_report(&self) -> Option<&ServicesReport> {
        self.services_view()?.report.as_ref()
    }

    /// The active connection is up, so a refresh can be asked for.
    /// The report on screen is from a connection that is not up any more.
    pub fn services_stale(&self) -> bool {
        self.services_report().is_some() && !self.active_connected()
    }

    /// Lines the problems banner wants: each problem, and its fix on a line of its own.
    pub fn services_banner_lines(&self) -> u16 {
        self.services_report().map_or(0, |r| {
            r.problems
                .iter()
                .map(|p| 1 + u16::from(p.fix.is_some()))
                .sum()
        })
    }

    pub fn services_layout(&self) -> ServicesLayout {
        let body = super::layout::frame(Rect::new(0, 0, self.size.0, self.size.1)).body;
        let rows = self.services_rows().len();
        layout(
            body,
            self.services_banner_lines(),
            rows,
            self.services.detail,
        )
    }

    /// Rows the filter lets through, in report order.
    pub fn services_rows(&self) -> Vec<&ServiceRow> {
        let f = self.services.filter;
        self.services_report()
            .map(|r| r.rows.iter().filter(|row| f.keeps(row)).collect())
            .unwrap_or_default()
    }

    /// Index of the selected row among `rows`: the one with the selected id, or the first
    /// row when it is gone or filtered out.
    pub fn services_selected_index(&self, rows: &[&ServiceRow]) -> Option<usize> {
        if rows.is_empty() {
            return None;
        }
        let by_id = self
            .services
            .selected
            .as_ref()
            .and_then(|id| rows.iter().position(|r| &r.id == id));
        Some(by_id.unwrap_or(0))
    }

    pub fn services_selected(&self) -> Option<&ServiceRow> {
        let rows = self.services_rows();
        let i = self.services_selected_index(&rows)?;
        rows.get(i).copied()
    }

    pub fn services_local(&self) -> bool {
        self.active.as_deref() == Some(LOCAL_NAME)
    }

    /// The local end of a listening tunnel to `port` on the active connection's host.
    pub fn services_tunnel_port(&self, port: u16) -> Option<u16> {
        let name = self.active.as_ref()?;
        self.tunnel_states
            .iter()
            .find(|(n, spec, st)| {
                n == name
                    && spec.remote_port == port
                    && matches!(spec.remote_host.as_str(), "localhost" | "127.0.0.1" | "::1")
                    && *st == TunnelState::Listening
            })
            .map(|(_, spec, _)| spec.local_port)
    }

    /// The URL the selected service is reachable at from where sparkdeck runs, or why
    /// there is none.
    pub fn service_url(&self, row: &ServiceRow) -> Result<String, String> {
        let Some(port) = row.port else {
            return Err(format!("{} has no port", row.name));
        };
        if self.services_local() {
            return Ok(format!("http://127.0.0.1:{port}"));
        }
        if let Some(local) = self.services_tunnel_port(port) {
            return Ok(format!("http://127.0.0.1:{local}"));
        }
        let bind = row.bind.as_deref().unwrap_or("");
        if bind == "::1" || bind.starts_with("127.") {
            let k = super::action::Action::ServiceTunnel;
            let key = self
                .keymap
                .keys_for(k)
                .first()
                .map_or_else(|| k.name().to_string(), |b| b.to_string());
            return Err(format!(
                "{} listens on {bind} only: open a tunnel first ({key})",
                row.name
            ));
        }
        let host = match bind {
            "" | "0.0.0.0" | "::" | "*" => self
                .active_entry()
                .map(|e| e.host)
                .unwrap_or_else(|| self.active.clone().unwrap_or_default()),
            b if b.contains(':') => format!("[{b}]"),
            b => b.to_string(),
        };
        Ok(format!("http://{host}:{port}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Container, Owner, ServiceKind, UnitStatus};

    fn row(kind: ServiceKind) -> ServiceRow {
        ServiceRow {
            id: "svc:x".into(),
            name: "x".into(),
            port: Some(8000),
            kind,
            state: Some(ServiceState::Up),
            ..ServiceRow::default()
        }
    }

    #[test]
    fn systemd_rows_act_on_their_unit_and_docker_rows_on_their_container() {
        let mut r = row(ServiceKind::Systemd);
        r.unit = Some(UnitStatus {
            id: "ollama.service".into(),
            load_state: "loaded".into(),
            ..UnitStatus::default()
        });
        assert_eq!(
            target_of(&r),
            Ok(ServiceTarget::Unit("ollama.service".into()))
        );
        let mut d = row(ServiceKind::Docker);
        d.container = Some(Container {
            name: "open-webui".into(),
            ..Container::default()
        });
        assert_eq!(
            target_of(&d),
            Ok(ServiceTarget::Container("open-webui".into()))
        );
    }

    #[test]
    fn a_port_owned_by_a_container_acts_on_it_and_a_bare_process_on_nothing() {
        let mut r = row(ServiceKind::Process);
        r.owner = Owner {
            pid: Some(4242),
            process: Some("docker-proxy".into()),
            container: Some("arangodb-txt2kg".into()),
            unit: None,
        };
        assert_eq!(
            target_of(&r),
            Ok(ServiceTarget::Container("arangodb-txt2kg".into()))
        );
        r.owner.container = None;
        let why = target_of(&r).unwrap_err();
        assert!(why.contains("docker-proxy (pid 4242)"), "{why}");
        // A unit that does not exist is not a target.
        let mut s = row(ServiceKind::Systemd);
        s.unit = Some(UnitStatus {
            id: "ollama.service".into(),
            load_state: "not-found".into(),
            ..UnitStatus::default()
        });
        assert!(target_of(&s).is_err());
    }

    #[test]
    fn counts_leave_out_empty_states() {
        let mut rows = vec![row(ServiceKind::Process); 3];
        rows[1].state = Some(ServiceState::Conflict);
        rows[2].state = Some(ServiceState::Unexpected);
        let c = Counts::of(&rows);
        assert_eq!(c.summary(), "1 up · 1 conflict · 1 unexpected");
        assert_eq!(c.problems, 1);
        assert_eq!(Counts::of(&[]).summary(), "nothing listed");
    }

    #[test]
    fn layout_parts_stay_inside_the_body() {
        for (w, h) in [(0, 0), (1, 1), (40, 10), (80, 19), (120, 35), (200, 60)] {
            let b = Rect::new(0, 3, w, h);
            for (lines, rows, detail) in [
                (0, 0, false),
                (3, 10, false),
                (3, 10, true),
                (40, 300, true),
                (0, 300, false),
            ] {
                let l = layout(b, lines, rows, detail);
                let mut parts = vec![l.banner, l.status, l.table, l.summary];
                parts.extend(l.detail);
                for r in parts {
                    assert!(r.bottom() <= b.bottom() && r.right() <= b.right());
                }
                assert!(l.banner.height <= b.height / 3);
            }
        }
    }
}
