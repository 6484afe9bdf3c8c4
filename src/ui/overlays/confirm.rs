//! "Delete connection X?": names the target, starts on Cancel.

use super::super::style;
use super::{buttons, centered, dialog, with_buttons};
use crate::app::State;
use crate::app::overlay::ConfirmDelete;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

pub fn render(frame: &mut Frame, area: Rect, state: &State, c: &ConfirmDelete) {
    let th = &state.theme;
    let tunnels = match c.tunnels {
        0 => "It has no saved tunnels.".to_string(),
        1 => "Its saved tunnel is deleted with it.".to_string(),
        n => format!("Its {n} saved tunnels are deleted with it."),
    };
    let lines = vec![
        Line::styled(
            format!("Delete the saved connection '{}' ({})?", c.name, c.address),
            style::title(th),
        ),
        Line::raw(tunnels),
        Line::styled(
            "~/.ssh/config and known_hosts are not touched.",
            style::muted(th),
        ),
    ];
    let rect = centered(area, 62, 8);
    let inner = dialog(frame, rect, state, format!("Delete '{}'", c.name));
    let (body, row) = with_buttons(inner);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), body);
    let chosen = usize::from(c.delete_chosen);
    frame.render_widget(buttons(state, &["Cancel", "Delete"], chosen), row);
}
