//! The tab line: the tab labels on the left, the problems bar on the right. Where each
//! goes comes from `app::findings::tab_line` and `app::layout::tab_spans`, which mouse
//! clicks are matched against too.

use super::problems_bar;
use super::style;
use crate::app::State;
use crate::app::findings::tab_line;
use crate::app::layout::tab_spans;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    let th = &state.theme;
    let (line, bar) = tab_line(state, area);
    let spans: Vec<Span> = tab_spans(line.tabs)
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
    frame.render_widget(Paragraph::new(Line::from(spans)), line.tabs);
    problems_bar::render(frame, line.bar, state, &bar);
}
