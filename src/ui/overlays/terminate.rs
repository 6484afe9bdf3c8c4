//! "Send SIGTERM to pid N (command) on HOST?": names all three, starts on Cancel; the
//! SIGKILL variant says so in its title and button.

use super::super::style;
use super::{buttons, centered, dialog, with_buttons};
use crate::app::State;
use crate::app::overlay::ConfirmTerminate;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

pub fn render(frame: &mut Frame, area: Rect, state: &State, c: &ConfirmTerminate) {
    let th = &state.theme;
    let (signal, button, title) = if c.force {
        ("SIGKILL", "Kill", "Kill process")
    } else {
        ("SIGTERM", "Terminate", "Terminate process")
    };
    let mut lines = vec![
        Line::styled(
            format!("Send {signal} to pid {} on {}?", c.pid, c.host),
            style::title(th),
        ),
        Line::raw(format!("command: {}", c.command)),
    ];
    if c.force {
        lines.push(Line::styled(
            "SIGKILL cannot be caught: unsaved work in it is lost.",
            style::crit(th),
        ));
    } else {
        lines.push(Line::styled(
            "Press K again for SIGKILL if it ignores SIGTERM.",
            style::muted(th),
        ));
    }
    let rect = centered(area, 64, 9);
    let inner = dialog(frame, rect, state, format!("{title} on '{}'", c.name));
    let (body, row) = with_buttons(inner);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), body);
    let chosen = usize::from(c.terminate_chosen);
    frame.render_widget(buttons(state, &["Cancel", button], chosen), row);
}
