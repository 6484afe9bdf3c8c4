//! `:`: type to find an action that is valid right now, enter runs it.

use super::super::hints::key_label;
use super::super::style;
use super::super::text::fit;
use super::dialog;
use crate::app::State;
use crate::app::overlay::Palette;
use crate::app::update::palette_matches;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(frame: &mut Frame, area: Rect, state: &State, p: &Palette) {
    let th = &state.theme;
    let matches = palette_matches(state, p.input.value());
    let w = area.width.min(60);
    let top = u16::from(area.height > 10);
    let h = (matches.len() as u16 + 3).min(area.height - top);
    let rect = Rect::new(area.x + (area.width - w) / 2, area.y + top, w, h);
    let inner = dialog(frame, rect, state, "Command palette".into());
    let mut lines = vec![Line::from(vec![
        Span::styled(": ", style::accent(th)),
        Span::raw(p.input.value().to_string()),
    ])];
    if matches.is_empty() {
        lines.push(Line::styled("no action matches", style::muted(th)));
    }
    let shown = inner.height.saturating_sub(1) as usize;
    let first = p.selected.saturating_sub(shown.saturating_sub(1));
    for (i, a) in matches.iter().enumerate().skip(first).take(shown) {
        let key = key_label(state, *a);
        let room = (inner.width as usize).saturating_sub(key.chars().count() + 2);
        let mark = if i == p.selected { "▶" } else { " " };
        let text = fit(&format!("{mark}{:<14} {}", a.name(), a.description()), room);
        let pad =
            (inner.width as usize).saturating_sub(text.chars().count() + key.chars().count() + 1);
        let line = Line::from(vec![
            Span::raw(text),
            Span::raw(" ".repeat(pad)),
            Span::styled(key, style::accent(th)),
        ]);
        lines.push(if i == p.selected {
            line.style(style::selected(th))
        } else {
            line
        });
    }
    frame.render_widget(Paragraph::new(lines), inner);
    let x = inner.x + 2 + p.input.visual_cursor() as u16;
    if x < inner.right() && inner.height > 0 {
        frame.set_cursor_position(Position::new(x, inner.y));
    }
}
