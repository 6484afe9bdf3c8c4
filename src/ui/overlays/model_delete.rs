//! "Delete model X from HOST?": names the model, its path, the host and the bytes it frees,
//! and asks for the model's name to be typed; the input line and its verdict stay visible
//! however small the screen.

use super::super::style;
use super::{centered, dialog};
use crate::app::State;
use crate::app::models::{ConfirmModelDelete, bytes};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub fn render(frame: &mut Frame, area: Rect, state: &State, c: &ConfirmModelDelete) {
    let th = &state.theme;
    let shared = c.size_bytes.saturating_sub(c.unique_bytes);
    let frees = if shared > 0 {
        format!(
            "Frees {} of its {} ({} of blobs other models use stays).",
            bytes(c.unique_bytes),
            bytes(c.size_bytes),
            bytes(shared)
        )
    } else {
        format!("Frees {}.", bytes(c.unique_bytes))
    };
    // Small screens get the name, the host and the bytes first; the path may wrap.
    let lines = vec![
        Line::styled(
            format!("Delete {} from {}?", c.model, c.host),
            style::title(th),
        ),
        Line::raw(frees),
        Line::raw(format!("path: {}", c.path)),
        Line::styled(
            "The files are removed from disk; this cannot be undone.",
            style::warn(th),
        ),
        Line::styled(
            format!("Type the model's name ({}) and press enter:", c.model),
            style::muted(th),
        ),
    ];
    let rect = centered(area, 92, 12);
    let inner = dialog(frame, rect, state, format!("Delete model on '{}'", c.name));
    let [body, input_row, verdict_row] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), body);
    let prompt = "> ";
    let value_w = (input_row.width as usize)
        .saturating_sub(prompt.len() + 1)
        .max(1);
    let scroll = c.input.visual_scroll(value_w);
    let shown: String = c.input.value().chars().skip(scroll).take(value_w).collect();
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(prompt, style::accent(th)),
            Span::styled(shown, style::base(th)),
        ])),
        input_row,
    );
    let col = c.input.visual_cursor().saturating_sub(scroll).min(value_w) + prompt.len();
    if (col as u16) < input_row.width && input_row.height > 0 {
        frame.set_cursor_position(Position::new(input_row.x + col as u16, input_row.y));
    }
    let narrow = verdict_row.width < 60;
    let verdict = if c.matches() {
        let text = if narrow {
            "✓ matches: enter deletes"
        } else {
            "✓ name matches: enter deletes · esc cancels"
        };
        Line::styled(text, style::crit(th))
    } else if c.mismatch {
        Line::styled(format!("✖ not the name: type {}", c.model), style::crit(th))
    } else if narrow {
        Line::styled(format!("type {} exactly", c.model), style::muted(th))
    } else {
        Line::styled(
            "enter does nothing until the name matches · esc cancels",
            style::muted(th),
        )
    };
    frame.render_widget(Paragraph::new(verdict), verdict_row);
}
