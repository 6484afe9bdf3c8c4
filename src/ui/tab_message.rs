//! What a tab shows instead of its data (no connection, not connected, first load): a
//! titled box of wrapped lines, and the connection state in words.

use super::style;
use crate::app::State;
use crate::model::ConnState;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Padding, Paragraph, Wrap};

/// A bordered box titled `title` holding `lines`, wrapped.
pub fn render(frame: &mut Frame, area: Rect, state: &State, title: &str, lines: Vec<String>) {
    let th = &state.theme;
    let block = Block::bordered()
        .border_style(style::border(th))
        .padding(Padding::horizontal(1))
        .title(Line::styled(format!(" {title} "), style::title(th)));
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|l| Line::styled(l, style::base(th)))
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        area,
    );
}

/// `connected`, `connecting…`, `reconnecting: <why>`, `error: <why>`, `disconnected`.
pub fn conn_word(s: &ConnState) -> String {
    match s {
        ConnState::Connected { .. } => "connected".into(),
        ConnState::Connecting { .. } => "connecting…".into(),
        ConnState::Reconnecting { reason, .. } => format!("reconnecting: {reason}"),
        ConnState::Error { reason } => format!("error: {reason}"),
        ConnState::Disconnected => "disconnected".into(),
    }
}
