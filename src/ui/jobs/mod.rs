//! The Jobs tab: triage banner, a status line (query, page, freshness or error), the job
//! table and the detail pane; or, without data, a line that says why and what to do.

mod detail;
pub mod dialogs;
mod table;

use super::style;
use super::text::{fit, wrap};
use crate::app::action::Action;
use crate::app::jobs::JobsView;
use crate::app::{State, ago, layout};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Padding, Paragraph, Wrap};

pub fn render(frame: &mut Frame, area: Rect, state: &State, now: i64) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let Some(name) = state.active.as_deref() else {
        let k = super::hints::key_label(state, Action::Tab1);
        message(
            frame,
            area,
            state,
            vec![format!(
                "No active connection. Pick the host whose job queue to show on the \
                 Connections tab ({k})."
            )],
        );
        return;
    };
    let view = state.jobs_view();
    if let Some(looked_in) = view.and_then(|v| v.no_credentials.as_deref()) {
        let host = state
            .active_host_label()
            .unwrap_or_else(|| name.to_string());
        message(
            frame,
            area,
            state,
            vec![
                format!("No Supabase credentials for '{name}'."),
                String::new(),
                format!(
                    "Set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY in sparkdeck's environment, \
                     or in {looked_in} on {host} ([jobs] env_file)."
                ),
            ],
        );
        return;
    }
    let l = layout::jobs(area, state.jobs_banner_lines(), state.jobs.detail);
    banner(frame, l.banner, state);
    status_line(frame, l.status, state, view, now);
    if l.table.height > 0 {
        table::render(frame, l.table, state, now);
    }
    if let Some(d) = l.detail {
        detail::render(frame, d, state, now);
    }
}

fn message(frame: &mut Frame, area: Rect, state: &State, lines: Vec<String>) {
    let th = &state.theme;
    let block = Block::bordered()
        .border_style(style::border(th))
        .padding(Padding::horizontal(1))
        .title(Line::styled(" Jobs ", style::title(th)));
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|l| Line::styled(l, style::base(th)))
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        area,
    );
}

fn banner(frame: &mut Frame, area: Rect, state: &State) {
    if area.height == 0 {
        return;
    }
    let th = &state.theme;
    let Some(t) = state.jobs_triage() else {
        return;
    };
    let Some(text) = &t.banner else {
        return;
    };
    let w = area.width as usize;
    let mut lines = vec![Line::styled(
        fit(&format!("⚠ STUCK: {text}"), w),
        style::crit(th),
    )];
    for (ok, label, detail) in &t.checks {
        let (mark, st) = if *ok {
            ("✔", style::ok(th))
        } else {
            ("✖", style::crit(th))
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {mark} "), st),
            Span::styled(
                fit(&format!("{label}: {detail}"), w.saturating_sub(4)),
                style::base(th),
            ),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// "1 234": thousands apart, as the issue shows totals.
pub fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// "51-100 of 1 234" for the page on screen.
pub fn page_position(offset: u64, shown: usize, total: Option<u64>) -> String {
    let range = if shown == 0 {
        "0".to_string()
    } else {
        format!("{}-{}", grouped(offset + 1), grouped(offset + shown as u64))
    };
    match total {
        Some(t) => format!("{range} of {}", grouped(t)),
        None => range,
    }
}

fn status_line(frame: &mut Frame, area: Rect, state: &State, view: Option<&JobsView>, now: i64) {
    if area.height == 0 {
        return;
    }
    let th = &state.theme;
    let j = &state.jobs;
    let w = area.width as usize;
    // Narrow screens drop the labels and the sort (the header arrow still shows it).
    let compact = w < 60;
    let arrow = if j.desc { "▼" } else { "▲" };
    let status = j.status().unwrap_or("all");
    let mut parts: Vec<(String, Style)> = vec![(
        if compact {
            status.to_string()
        } else {
            format!("status: {status}")
        },
        style::accent(th),
    )];
    if !compact {
        parts.push((
            format!("sort: {} {arrow}", j.sort.column(&j.settings)),
            style::muted(th),
        ));
    }
    if let Some(p) = view.and_then(|v| v.page.as_ref()) {
        parts.push((
            page_position(p.offset, p.jobs.len(), p.total),
            style::base(th),
        ));
    }
    if !j.marks.is_empty() {
        parts.push((format!("{} marked", j.marks.len()), style::warn(th)));
    }
    match view {
        Some(v) if v.error.is_some() => {
            let (e, at) = v
                .error
                .as_ref()
                .map(|(e, at)| (e.as_str(), *at))
                .unwrap_or_default();
            let age = v
                .fetched_at
                .map(|f| format!("STALE {} · ", ago::short(f, now)))
                .unwrap_or_default();
            // The error goes first: it is what the user must read.
            parts.insert(
                0,
                (
                    format!("{age}error {} ago: {}", ago::short(at, now), first_line(e)),
                    style::crit(th),
                ),
            );
        }
        Some(v) if v.fetched_at.is_some() => {
            let f = v.fetched_at.unwrap_or(now);
            let text = if compact {
                format!("{} ago", ago::short(f, now))
            } else {
                format!("updated {} ago", ago::short(f, now))
            };
            parts.push((text, style::muted(th)));
        }
        _ => parts.push(("loading…".into(), style::muted(th))),
    }
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

pub use crate::app::jobs::first_line;

/// Word-wrapped lines of `s`, keeping its own line breaks.
pub fn wrap_keeping_lines(s: &str, width: usize) -> Vec<String> {
    s.lines()
        .flat_map(|l| {
            let w = wrap(l, width);
            if w.is_empty() { vec![String::new()] } else { w }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1234), "1 234");
        assert_eq!(grouped(1_234_567), "1 234 567");
        assert_eq!(page_position(50, 50, Some(1234)), "51-100 of 1 234");
        assert_eq!(page_position(0, 0, Some(0)), "0 of 0");
        assert_eq!(page_position(0, 3, None), "1-3");
    }
}
