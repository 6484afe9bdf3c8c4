//! The merged table: a problem marker, the state (glyph and word, coloured), service,
//! port, bind, owner, health and the first note; columns drop from the right of the
//! importance order as the screen narrows.

use super::super::style;
use super::super::text::fit;
use crate::app::{State, layout};
use crate::config::Theme;
use crate::model::{ServiceRow, ServiceState};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table};

/// The state as glyph and word, so no cue depends on colour; problems in the crit colour,
/// listeners nobody catalogued dimmed.
pub fn state_cell(th: &Theme, row: &ServiceRow) -> (String, Style) {
    let (glyph, word) = match row.state() {
        ServiceState::Up => ("●", "up"),
        ServiceState::Down => ("○", "down"),
        ServiceState::Conflict => ("✖", "conflict"),
        ServiceState::Duplicate => ("◆", "duplicate"),
        ServiceState::Unexpected => ("?", "unexpected"),
    };
    let st = if row.is_problem() {
        style::crit(th)
    } else {
        match row.state() {
            ServiceState::Up => style::ok(th),
            ServiceState::Unexpected => style::muted(th).add_modifier(Modifier::DIM),
            _ => style::muted(th),
        }
    };
    (format!("{glyph} {word}"), st)
}

/// `docker open-webui`, `ollama.service`, `python3/4242`; `-` when nobody holds the port
/// or the owner is not visible.
pub fn owner_text(row: &ServiceRow) -> String {
    let o = &row.owner;
    if let Some(c) = o.container.as_deref().filter(|c| !c.is_empty()) {
        return format!("docker {c}");
    }
    if let Some(u) = o.unit.as_deref().filter(|u| !u.is_empty()) {
        return u.to_string();
    }
    match (&o.process, o.pid) {
        (Some(p), Some(pid)) => format!("{p}/{pid}"),
        (Some(p), None) => p.clone(),
        (None, Some(pid)) => format!("pid {pid}"),
        (None, None) => "-".into(),
    }
}

/// `ok 12 ms`, `FAIL HTTP 503: …`; `None` when nothing was probed.
pub fn health_text(th: &Theme, row: &ServiceRow) -> Option<(String, Style)> {
    let h = row.health.as_ref()?;
    if h.ok {
        let text = match h.latency_ms {
            Some(ms) => format!("ok {ms} ms"),
            None => "ok".into(),
        };
        Some((text, style::ok(th)))
    } else {
        Some((format!("FAIL {}", h.detail), style::crit(th)))
    }
}

pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let th = &state.theme;
    let rows = state.services_rows();
    let total = state.services_report().map_or(0, |r| r.rows.len());
    let title = if rows.len() == total {
        format!(" Services ({total}) ")
    } else {
        format!(
            " Services ({}/{total}, {}) ",
            rows.len(),
            state.services.filter.label()
        )
    };
    let block = Block::bordered()
        .border_style(if state.services.detail {
            style::muted(th)
        } else {
            style::border(th)
        })
        .title(Line::styled(
            fit(&title, area.width.saturating_sub(2) as usize),
            style::title(th),
        ));
    if rows.is_empty() {
        let host = state.active_host_label().unwrap_or_default();
        let text = if total == 0 {
            format!(
                "nothing catalogued and nothing listening on {host}: add services under \
                 [[services.catalog]] in the config"
            )
        } else {
            format!(
                "no row is {} ({} hidden by the filter)",
                match state.services.filter {
                    crate::app::services::RowFilter::Problems => "a problem",
                    _ => "catalogued",
                },
                total
            )
        };
        frame.render_widget(
            Paragraph::new(Line::styled(text, style::muted(th)))
                .wrap(ratatui::widgets::Wrap { trim: true })
                .block(block),
            area,
        );
        return;
    }
    let w = area.width.saturating_sub(2);
    let wide = w >= 100;
    let mid = w >= 60;
    let sel = state.services_selected_index(&rows).unwrap_or(0);
    let visible = layout::visible_rows(area);
    let offset = layout::list_offset(sel, visible);
    // Cells are cut with `…` to their column's width, so a cut is visible as one.
    let service_w: usize = if wide {
        18
    } else if mid {
        15
    } else {
        usize::from(w).saturating_sub(1 + 12 + 5 + 3).max(6)
    };
    let bind_w = 11;
    let health_w = if wide { 15 } else { 14 };
    let fixed = 1 + 12 + service_w + 5 + health_w + if wide { bind_w + 22 } else { 0 };
    let columns = if wide { 8 } else { 6 };
    let flex_w = usize::from(w).saturating_sub(fixed + columns - 1).max(4);
    let owner_w = if wide { 22 } else { flex_w };
    let note_w = flex_w;
    let mut header = vec!["", "STATE", "SERVICE", "PORT"];
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(12),
        if mid {
            Constraint::Length(service_w as u16)
        } else {
            Constraint::Min(6)
        },
        Constraint::Length(5),
    ];
    if wide {
        header.push("BIND");
        widths.push(Constraint::Length(bind_w as u16));
    }
    if mid {
        header.extend(["OWNER", "HEALTH"]);
        widths.push(if wide {
            Constraint::Length(22)
        } else {
            Constraint::Min(10)
        });
        widths.push(Constraint::Length(health_w as u16));
    }
    if wide {
        header.push("NOTE");
        widths.push(Constraint::Min(6));
    }
    let body: Vec<Row> = rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(visible)
        .map(|(i, r)| {
            let (st_text, st_style) = state_cell(th, r);
            let dim = r.state() == ServiceState::Unexpected;
            let text_style = if dim {
                style::muted(th)
            } else {
                style::base(th)
            };
            let mut cells = vec![
                Cell::from(if r.is_problem() { "!" } else { " " }).style(style::crit(th)),
                Cell::from(st_text).style(st_style),
                Cell::from(fit(&r.name, service_w)).style(text_style),
                Cell::from(r.port.map_or_else(|| "-".into(), |p| p.to_string())).style(text_style),
            ];
            if wide {
                cells.push(
                    Cell::from(r.bind.clone().unwrap_or_else(|| "-".into())).style(
                        if r.bind.as_deref().is_some_and(is_loopback) {
                            style::muted(th)
                        } else {
                            text_style
                        },
                    ),
                );
            }
            if mid {
                cells.push(Cell::from(fit(&owner_text(r), owner_w)).style(text_style));
                let (h, hs) = health_text(th, r).unwrap_or_else(|| ("-".into(), style::muted(th)));
                cells.push(Cell::from(fit(&h, health_w)).style(hs));
            }
            if wide {
                let note = r.notes.first().map_or("", String::as_str);
                cells.push(Cell::from(fit(note, note_w)).style(super::note_style(state, r)));
            }
            let row = Row::new(cells);
            if i == sel {
                row.style(style::selected(th))
            } else {
                row
            }
        })
        .collect();
    let table = Table::new(body, widths)
        .block(block)
        .column_spacing(1)
        .header(Row::new(header).style(style::muted(th)));
    frame.render_widget(table, area);
}

fn is_loopback(addr: &str) -> bool {
    addr == "::1" || addr.starts_with("127.")
}
