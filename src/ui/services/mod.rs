//! The Services tab: the problems banner (docker permission, journal, ss fallback), a
//! status line (counts, filter, listener source, freshness), the merged table and the
//! detail pane or a one-line summary of the selected row; without data, a line that says
//! why and what to do.

mod detail;
mod table;

use super::style;
use super::tab_message::{self, conn_word};
use super::text::fit;
use crate::app::action::Action;
use crate::app::services::Counts;
use crate::app::{State, ago};
use crate::model::{ConnState, ListenerSource, ServiceRow, SourceKind};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(frame: &mut Frame, area: Rect, state: &State, now: i64) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let key = |a: Action| super::hints::key_label(state, a);
    let Some(name) = state.active.as_deref() else {
        tab_message::render(
            frame,
            area,
            state,
            "Services",
            vec![format!(
                "No active connection. Pick the host whose services to show on the \
                 Connections tab ({}).",
                key(Action::Tab1)
            )],
        );
        return;
    };
    if state.services_report().is_none() {
        let host = state
            .active_host_label()
            .unwrap_or_else(|| name.to_string());
        let lines = match state.conn_state(name) {
            ConnState::Connected { .. } => vec![
                format!("Reading services on {host}…"),
                String::new(),
                "Listening sockets (ss), docker containers, systemd units and the health \
                 probes of the catalogue; the first refresh can take a few seconds."
                    .to_string(),
            ],
            other => vec![
                format!("'{name}' is not connected ({}).", conn_word(&other)),
                String::new(),
                format!(
                    "Connect it on the Connections tab ({}, then {}) to see its services.",
                    key(Action::Tab1),
                    key(Action::Connect)
                ),
            ],
        };
        tab_message::render(frame, area, state, "Services", lines);
        return;
    }
    // The area given, not `state.size`: the frame is what is drawn on.
    let l = crate::app::services::layout(
        area,
        state.services_banner_lines(),
        state.services_rows().len(),
        state.services.detail,
    );
    banner(frame, l.banner, state);
    status_line(frame, l.status, state, now);
    if l.table.height > 0 {
        table::render(frame, l.table, state);
    }
    if let Some(d) = l.detail {
        detail::render(frame, d, state);
    }
    summary(frame, l.summary, state);
}

fn source_word(s: SourceKind) -> &'static str {
    match s {
        SourceKind::Sockets => "sockets",
        SourceKind::Docker => "docker",
        SourceKind::Systemd => "systemd",
        SourceKind::Journal => "journal",
        SourceKind::Sudo => "sudo",
    }
}

/// Every source that could not be read, with its fix on the next line.
fn banner(frame: &mut Frame, area: Rect, state: &State) {
    if area.height == 0 {
        return;
    }
    let th = &state.theme;
    let Some(report) = state.services_report() else {
        return;
    };
    let w = area.width as usize;
    let mut lines = Vec::new();
    for p in &report.problems {
        lines.push(Line::from(vec![
            Span::styled(format!("⚠ {}: ", source_word(p.source)), style::warn(th)),
            Span::styled(
                fit(
                    &p.message,
                    w.saturating_sub(source_word(p.source).len() + 4),
                ),
                style::base(th),
            ),
        ]));
        if let Some(fix) = &p.fix {
            lines.push(Line::from(vec![
                Span::styled("  fix: ", style::muted(th)),
                Span::styled(fit(fix, w.saturating_sub(7)), style::accent(th)),
            ]));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn status_line(frame: &mut Frame, area: Rect, state: &State, now: i64) {
    if area.height == 0 {
        return;
    }
    let th = &state.theme;
    let Some(view) = state.services_view() else {
        return;
    };
    let Some(report) = &view.report else {
        return;
    };
    let w = area.width as usize;
    let compact = w < 60;
    let short = w < 100;
    let counts = Counts::of(&report.rows);
    let mut parts: Vec<(String, Style)> = Vec::new();
    let at = if report.at > 0 {
        report.at
    } else {
        view.received_at.unwrap_or(now)
    };
    if state.services_stale() {
        // Narrow screens get the state's word; the header carries the reason.
        let word = state
            .active
            .as_deref()
            .map(|n| {
                let cs = state.conn_state(n);
                if short {
                    cs.label().to_string()
                } else {
                    conn_word(&cs)
                }
            })
            .unwrap_or_default();
        parts.push((
            format!("STALE {} old · {word}", ago::short(at, now)),
            style::crit(th),
        ));
    }
    let count_style = if counts.problems > 0 {
        style::crit(th)
    } else {
        style::ok(th)
    };
    let summary_at = parts.len();
    if state.services.filter != crate::app::services::RowFilter::All {
        parts.push((
            format!("filter: {}", state.services.filter.label()),
            style::accent(th),
        ));
    }
    match report.listeners_from {
        ListenerSource::Ss if !short => parts.push(("via ss".into(), style::muted(th))),
        ListenerSource::Ss => {}
        ListenerSource::ProcNet => parts.push((
            if compact {
                "⚠ no process names".into()
            } else {
                "⚠ via /proc/net: no process names".into()
            },
            style::warn(th),
        )),
    }
    if !state.services_stale() {
        let age = ago::short(at, now);
        let text = if view.in_flight.is_some() {
            format!("refreshing… ({age} old)")
        } else if short {
            format!("{age} ago")
        } else {
            format!("updated {age} ago")
        };
        parts.push((text, style::muted(th)));
    }
    // The counts in full when they fit with the rest of the line, else the short form.
    let others: usize = parts.iter().map(|(t, _)| t.chars().count() + 3).sum();
    let full = counts.summary();
    let summary = if compact || full.chars().count() + others > w {
        let up = format!("{}/{} up", counts.up, report.rows.len());
        match counts.problems {
            0 => up,
            1 => format!("1 problem · {up}"),
            n => format!("{n} problems · {up}"),
        }
    } else {
        full
    };
    parts.insert(summary_at, (summary, count_style));
    let mut spans = Vec::new();
    let mut used = 0;
    for (i, (t, st)) in parts.into_iter().enumerate() {
        let sep = if i == 0 { "" } else { " · " };
        let room = w.saturating_sub(used + sep.chars().count());
        if room == 0 {
            break;
        }
        let t = fit(&t, room);
        used += sep.chars().count() + t.chars().count();
        if !sep.is_empty() {
            spans.push(Span::styled(sep, style::muted(th)));
        }
        spans.push(Span::styled(t, st));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The selected row in one line, for when the detail pane is closed: what the narrow
/// table leaves out (owner, health, the first note).
fn summary(frame: &mut Frame, area: Rect, state: &State) {
    if area.height == 0 {
        return;
    }
    let th = &state.theme;
    let Some(row) = state.services_selected() else {
        return;
    };
    let mut spans = vec![Span::styled(format!("▸ {}", row.name), style::title(th))];
    let owner = table::owner_text(row);
    if owner != "-" {
        spans.push(Span::styled(format!(" · {owner}"), style::base(th)));
    }
    if let Some((text, st)) = table::health_text(th, row) {
        spans.push(Span::styled(" · ", style::muted(th)));
        spans.push(Span::styled(text, st));
    }
    if let Some(n) = row.notes.first() {
        spans.push(Span::styled(format!(" · {n}"), note_style(state, row)));
    }
    let w = area.width as usize;
    let mut used = 0;
    let mut fitted = Vec::new();
    for s in spans {
        let room = w.saturating_sub(used);
        if room == 0 {
            break;
        }
        let text = fit(&s.content, room);
        used += text.chars().count();
        fitted.push(Span::styled(text, s.style));
    }
    frame.render_widget(Paragraph::new(Line::from(fitted)), area);
}

pub(super) fn note_style(state: &State, row: &ServiceRow) -> Style {
    if row.is_problem() {
        style::warn(&state.theme)
    } else {
        style::muted(&state.theme)
    }
}
