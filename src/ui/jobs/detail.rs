//! The detail pane of the selected job: every field and timestamp, the requeue verdict,
//! the triage hint, the full error and the `debug` JSON pretty-printed; it scrolls.

use super::super::style;
use super::super::text::fit;
use super::table::status_style;
use super::wrap_keeping_lines;
use crate::app::action::Action;
use crate::app::jobs::{parse_ts, short_id};
use crate::app::{State, ago};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

pub fn render(frame: &mut Frame, area: Rect, state: &State, now: i64) {
    let th = &state.theme;
    let Some(job) = state.jobs_selected() else {
        return;
    };
    let inner_w = area.width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    let field = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("{k:<9}"), style::muted(th)),
            Span::styled(v, style::base(th)),
        ])
    };
    lines.push(field("id", job.id.clone()));
    lines.push(Line::from(vec![
        Span::styled(format!("{:<9}", "status"), style::muted(th)),
        Span::styled(job.status.clone(), status_style(th, &job.status)),
    ]));
    lines.push(field(
        "type",
        job.job_type.clone().unwrap_or_else(|| "-".into()),
    ));
    lines.push(field(
        "attempts",
        job.attempts.map_or_else(|| "-".into(), |a| a.to_string()),
    ));
    if let Some(a) = &job.account_id {
        lines.push(field("account", a.clone()));
    }
    for (k, ts) in [
        ("created", &job.created_at),
        ("started", &job.started_at),
        ("finished", &job.finished_at),
    ] {
        let v = match ts.as_deref() {
            Some(t) => match parse_ts(t) {
                Some(u) => format!("{t} ({} ago)", ago::short(u, now)),
                None => t.to_string(),
            },
            None => "-".into(),
        };
        lines.push(field(k, v));
    }
    let requeue = match state.jobs.not_requeueable_reason(job) {
        None if state.read_only_now() => "read-only: requeue is turned off".to_string(),
        None => format!(
            "can be requeued ({})",
            super::super::hints::key_label(state, Action::Requeue)
        ),
        Some(why) => why,
    };
    lines.push(field("requeue", requeue));
    if let Some(hint) = state.jobs_triage().and_then(|t| t.hints.get(&job.id)) {
        lines.push(Line::raw(""));
        lines.push(Line::styled("hint", style::warn(th)));
        for l in wrap_keeping_lines(hint, inner_w.max(1)) {
            lines.push(Line::styled(l, style::warn(th)));
        }
    }
    if let Some(e) = job.error.as_deref().filter(|e| !e.trim().is_empty()) {
        lines.push(Line::raw(""));
        lines.push(Line::styled("error", style::title(th)));
        for l in wrap_keeping_lines(e, inner_w.max(1)) {
            lines.push(Line::styled(l, style::crit(th)));
        }
    }
    if let Some(d) = &job.debug {
        lines.push(Line::raw(""));
        lines.push(Line::styled("debug", style::title(th)));
        let pretty = serde_json::to_string_pretty(d).unwrap_or_else(|_| d.to_string());
        // JSON keeps its indentation; long lines are cut rather than re-wrapped.
        for l in pretty.lines() {
            lines.push(Line::styled(fit(l, inner_w), style::base(th)));
        }
    }
    let inner_h = area.height.saturating_sub(2);
    let max_scroll = (lines.len() as u16).saturating_sub(inner_h);
    let scroll = state.jobs.detail_scroll.min(max_scroll);
    let more = if max_scroll > 0 {
        format!(" {}/{} ", scroll + 1, max_scroll + 1)
    } else {
        String::new()
    };
    let title = format!(" Job {} ", short_id(&job.id));
    let block = Block::bordered()
        .border_style(style::accent(th))
        .title(Line::styled(
            fit(&title, inner_w.saturating_sub(more.chars().count())),
            style::title(th),
        ))
        .title(Line::styled(more, style::muted(th)).right_aligned());
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), area);
}
