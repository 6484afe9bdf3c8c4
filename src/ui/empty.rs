//! Tabs whose data arrives with later issues: say plainly what will be there. (The
//! Services tab draws its own empty states: not connected, first load, nothing listed.)

use super::style;
use crate::app::{State, Tab};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Padding, Paragraph, Wrap};

fn what_will_appear(tab: Tab) -> &'static str {
    match tab {
        Tab::Models => {
            "Models: model stores (configured folders, Hugging Face cache, Ollama), sizes, \
             duplicates, free disk and the configured default models will appear here once \
             the Models tab lands (issue #6)."
        }
        Tab::Connections | Tab::Gpu | Tab::Jobs | Tab::Services => "",
    }
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, tab: Tab) {
    let th = &state.theme;
    let block = Block::bordered()
        .border_style(style::border(th))
        .padding(Padding::horizontal(1))
        .title(Line::styled(format!(" {} ", tab.title()), style::title(th)));
    let lines = vec![
        Line::styled(what_will_appear(tab), style::base(th)),
        Line::raw(""),
        Line::styled(
            "Nothing is collected for this tab yet, so nothing is shown.",
            style::muted(th),
        ),
    ];
    let p = Paragraph::new(lines).block(block).wrap(Wrap { trim: true });
    frame.render_widget(p, area);
}
