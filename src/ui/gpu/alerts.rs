//! The alert list (`a`): open alerts first in red, cleared ones muted, newest first.

use super::super::style;
use super::super::text::fit;
use crate::app::State;
use crate::app::ago;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

pub fn render(frame: &mut Frame, area: Rect, state: &State, now: i64) {
    let th = &state.theme;
    let alerts = &state.gpu.alerts;
    let open = alerts.iter().filter(|a| a.cleared_at.is_none()).count();
    let block = Block::bordered()
        .border_style(style::border(th))
        .title(Line::styled(
            format!(" Alerts ({open} open, {} in all) ", alerts.len()),
            style::title(th),
        ));
    let w = area.width.saturating_sub(2) as usize;
    let mut lines = Vec::new();
    if alerts.is_empty() {
        lines.push(Line::styled(
            format!(
                "no alerts: one is raised when a metric stays red for {} samples",
                state.gpu.settings.alert_after_samples
            ),
            style::muted(th),
        ));
    }
    let mut sorted: Vec<_> = alerts.iter().collect();
    sorted.sort_by_key(|a| (a.cleared_at.is_some(), -a.raised_at));
    for a in sorted {
        let (tag, st) = match a.cleared_at {
            None => ("● OPEN   ".to_string(), style::crit(th)),
            Some(c) => (
                format!("○ cleared {} ago, ", ago::short(c, now)),
                style::muted(th),
            ),
        };
        let text = format!("{tag}{} ago  {}", ago::short(a.raised_at, now), a.message);
        lines.push(Line::styled(fit(&text, w), st));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
