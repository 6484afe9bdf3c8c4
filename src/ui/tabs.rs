//! The tab bar. Labels and their columns come from `app::layout::tab_spans`, which mouse
//! clicks are matched against too.

use super::style;
use crate::app::State;
use crate::app::layout::tab_spans;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let th = &state.theme;
    let spans: Vec<Span> = tab_spans(area)
        .into_iter()
        .map(|s| {
            if s.tab == state.tab {
                // Brackets mark the active tab without relying on colour.
                Span::styled(format!("[{}]", s.label), style::selected(th))
            } else {
                Span::styled(format!(" {} ", s.label), style::muted(th))
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
