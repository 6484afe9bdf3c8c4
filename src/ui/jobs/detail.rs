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
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

/// Width of the field labels.
const LABEL: usize = 9;

/// `2026-01-19 07:48:20 UTC`: the server's microseconds and offset are noise here.
fn utc(unix: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(unix) else {
        return unix.to_string();
    };
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, now: i64) {
    let th = &state.theme;
    let Some(job) = state.jobs_selected() else {
        return;
    };
    let inner_w = area.width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    // Values wrap under themselves, so a long id or reason stays readable at 40 columns.
    let value_w = inner_w.saturating_sub(LABEL).max(1);
    let field = |lines: &mut Vec<Line>, k: &str, v: String, st: Style| {
        for (i, part) in wrap_keeping_lines(&v, value_w).into_iter().enumerate() {
            let label = if i == 0 { k } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("{label:<LABEL$}"), style::muted(th)),
                Span::styled(part, st),
            ]));
        }
    };
    let base = style::base(th);
    field(&mut lines, "id", job.id.clone(), base);
    field(
        &mut lines,
        "status",
        job.status.clone(),
        status_style(th, &job.status),
    );
    let kind = job.job_type.clone().unwrap_or_else(|| "-".into());
    field(&mut lines, "type", kind, base);
    let attempts = job.attempts.map_or_else(|| "-".into(), |a| a.to_string());
    field(&mut lines, "attempts", attempts, base);
    if let Some(a) = &job.account_id {
        field(&mut lines, "account", a.clone(), base);
    }
    for (k, ts) in [
        ("created", &job.created_at),
        ("started", &job.started_at),
        ("finished", &job.finished_at),
    ] {
        let v = match ts.as_deref() {
            Some(t) => match parse_ts(t) {
                Some(u) => format!("{} ({} ago)", utc(u), ago::short(u, now)),
                None => t.to_string(),
            },
            None => "-".into(),
        };
        field(&mut lines, k, v, base);
    }
    let requeue = match state.jobs.not_requeueable_reason(job) {
        None if state.read_only_now() => "read-only: requeue is turned off".to_string(),
        None => format!(
            "can be requeued ({})",
            super::super::hints::key_label(state, Action::Requeue)
        ),
        Some(why) => why,
    };
    field(&mut lines, "requeue", requeue, base);
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
