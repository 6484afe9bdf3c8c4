//! The requeue confirmation (names every job, its status and the host; starts on Cancel)
//! and the per-job result list that follows it.

use super::super::overlays::{buttons, centered, dialog, with_buttons};
use super::super::style;
use super::super::text::wrap;
use crate::app::State;
use crate::app::jobs::short_id;
use crate::app::overlay::{ConfirmRequeue, RequeueResults};
use crate::model::RequeueOutcome;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// Dialog height for `lines` wrapped into a box at most `max_w` wide: borders, the text,
/// a blank line and the buttons; never more than 20 rows (the rest scrolls).
fn height_for(lines: &[Line], area: Rect, max_w: u16) -> u16 {
    let inner = max_w.min(area.width).saturating_sub(2).max(1) as usize;
    let rows: usize = lines
        .iter()
        .map(|l| {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            wrap(&text, inner).len().max(1)
        })
        .sum();
    (rows as u16).saturating_add(4).min(20)
}

pub fn confirm(frame: &mut Frame, area: Rect, state: &State, c: &ConfirmRequeue) {
    let th = &state.theme;
    let to = &state.jobs.settings.requeue_to;
    let mut lines = Vec::new();
    if let [(id, status)] = c.jobs.as_slice() {
        lines.push(Line::styled(
            format!("Requeue job {id} ({status}) on {}?", c.host),
            style::title(th),
        ));
    } else {
        lines.push(Line::styled(
            format!("Requeue these {} jobs on {}?", c.jobs.len(), c.host),
            style::title(th),
        ));
        for (id, status) in &c.jobs {
            lines.push(Line::from(vec![
                Span::raw(format!("  {id} ")),
                Span::styled(format!("({status})"), style::muted(th)),
            ]));
        }
    }
    lines.push(Line::styled(
        format!("Each job is set to '{to}' only if it is still in that status."),
        style::muted(th),
    ));
    let rect = centered(area, 72, height_for(&lines, area, 72));
    let inner = dialog(frame, rect, state, format!("Requeue on '{}'", c.name));
    let (body, row) = with_buttons(inner);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((c.scroll, 0)),
        body,
    );
    let chosen = usize::from(c.requeue_chosen);
    frame.render_widget(buttons(state, &["Cancel", "Requeue"], chosen), row);
}

pub fn results(frame: &mut Frame, area: Rect, state: &State, r: &RequeueResults) {
    let th = &state.theme;
    let done = r.rows.iter().filter(|(_, o)| o.is_requeued()).count();
    let mut lines = vec![Line::styled(
        format!("{done} of {} job(s) requeued", r.rows.len()),
        style::title(th),
    )];
    for (id, o) in &r.rows {
        let (mark, st, text) = match o {
            RequeueOutcome::Requeued(j) => {
                ("✔", style::ok(th), format!("requeued (now {})", j.status))
            }
            RequeueOutcome::NotChanged { reason } => {
                ("–", style::warn(th), format!("not changed: {reason}"))
            }
            RequeueOutcome::Failed { error } => ("✖", style::crit(th), format!("failed: {error}")),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} "), st),
            Span::raw(format!("{} ", short_id(id))),
            Span::styled(text, st),
        ]));
    }
    let rect = centered(area, 76, height_for(&lines, area, 76));
    let inner = dialog(
        frame,
        rect,
        state,
        format!("Requeue results on '{}'", r.name),
    );
    let (body, row) = with_buttons(inner);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((r.scroll, 0)),
        body,
    );
    frame.render_widget(buttons(state, &["Close"], 0), row);
}
