//! The header: which box, in which state, how fresh the data is, and the RO badge.

use super::style;
use super::text::fit;
use crate::app::{State, ago};
use crate::model::ConnState;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(frame: &mut Frame, area: Rect, state: &State, now: i64, compact: bool) {
    let th = &state.theme;
    let Some(entry) = state.active_entry() else {
        let key = super::hints::key_label(state, crate::app::action::Action::Connect);
        let text = if compact {
            format!("no active connection ({key} connects)")
        } else {
            format!(" sparkdeck │ no active connection: select one and press {key}")
        };
        let p = Paragraph::new(Line::styled(
            fit(&text, area.width as usize),
            style::title(th),
        ));
        frame.render_widget(p, area);
        return;
    };
    let cs = state.conn_state(&entry.name);
    let (dot, dot_style) = style::conn_dot(th, &cs);
    let data_at = state.last_data_at(&entry.name);
    let fresh = match (&cs, data_at) {
        (ConnState::Connected { .. }, Some(at)) => {
            let word = if compact { "" } else { "refreshed " };
            Span::styled(
                format!("{word}{} ago", ago::short(at, now)),
                style::muted(th),
            )
        }
        (ConnState::Connected { .. }, None) => Span::styled("no data yet", style::muted(th)),
        (_, Some(at)) => {
            let text = if compact {
                format!("STALE {}", ago::short(at, now))
            } else {
                format!("STALE: data {} old", ago::short(at, now))
            };
            Span::styled(text, style::warn(th).add_modifier(Modifier::BOLD))
        }
        (_, None) => Span::styled("no data", style::muted(th)),
    };
    let ro_badge = Span::styled(
        "[RO]",
        style::warn(th).add_modifier(Modifier::BOLD | Modifier::REVERSED),
    );
    let read_only = state.read_only_now();
    let mut spans = Vec::new();
    if compact && read_only {
        // First, where a narrow screen cannot cut it off.
        spans.push(ro_badge.clone());
        spans.push(Span::raw(" "));
    }
    if !compact {
        spans.push(Span::styled(" sparkdeck ", style::accent(th)));
        spans.push(Span::styled("│ ", style::border(th)));
    }
    spans.extend([
        Span::styled(dot, dot_style),
        Span::raw(" "),
        Span::styled(entry.name.clone(), style::title(th)),
        Span::raw(if compact { " " } else { "  " }),
    ]);
    if !compact {
        spans.push(Span::styled(entry.user_host(), style::base(th)));
        spans.push(Span::raw("  "));
    }
    spans.push(Span::styled(cs.label(), dot_style));
    spans.push(Span::styled(" · ", style::muted(th)));
    spans.push(fresh);
    if !compact && read_only {
        spans.push(Span::raw("  "));
        spans.push(ro_badge);
    }
    if let Some(tag) = &entry.color {
        spans.push(Span::raw("  "));
        spans.push(Span::styled("■ ", style::tag(th, tag)));
        spans.push(Span::styled(tag.clone(), style::muted(th)));
    }
    let mut lines = vec![Line::from(spans)];
    if !compact {
        lines.push(facts_line(state, &entry.name, &cs, now));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// Second header line: what the host told us about itself, or why there is nothing.
fn facts_line<'a>(state: &'a State, name: &str, cs: &ConnState, now: i64) -> Line<'a> {
    let th = &state.theme;
    let mut parts: Vec<String> = Vec::new();
    match state.host_info.get(name) {
        Some((info, _)) => {
            if let Some(h) = &info.hostname {
                parts.push(h.clone());
            }
            if let Some(k) = &info.kernel {
                parts.push(format!("kernel {k}"));
            }
            if let Some(a) = &info.arch {
                parts.push(a.clone());
            }
            if let Some(u) = info.uptime_s {
                parts.push(format!("up {}", ago::duration(u)));
            }
            if let Some(u) = &info.user {
                parts.push(format!("as {u}"));
            }
        }
        None => parts.push("host facts arrive after the first refresh".into()),
    }
    let mut spans = vec![Span::styled(
        format!("   {}", parts.join(" · ")),
        style::muted(th),
    )];
    if let Some(reason) = cs.reason() {
        let retry = match cs {
            ConnState::Reconnecting { retry_at, .. } => {
                format!(" (retry in {}s)", (retry_at - now).max(0))
            }
            _ => String::new(),
        };
        spans.push(Span::styled("  ⚠ ", style::warn(th)));
        spans.push(Span::styled(
            format!("{reason}{retry}"),
            Style::new().fg(th.warn),
        ));
    }
    Line::from(spans)
}
