//! The add / edit connection form and the add-tunnel form: one line per field, its error
//! right under it, the store's error on top. The focused field is always scrolled into view.

use super::super::style;
use super::super::text::wrap;
use super::{centered, dialog};
use crate::app::State;
use crate::app::form::{ConnForm, Field, TunnelField, TunnelForm};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_input::Input;

const LABEL_W: usize = 12;

/// One form row being laid out; `cursor` is set on the focused text field.
struct Rows<'a> {
    lines: Vec<Line<'a>>,
    focus_line: usize,
    focus_end: usize,
    cursor: Option<(usize, u16)>,
}

impl<'a> Rows<'a> {
    fn new() -> Self {
        Rows {
            lines: Vec::new(),
            focus_line: 0,
            focus_end: 0,
            cursor: None,
        }
    }

    fn message(&mut self, text: &str, st: ratatui::style::Style, width: u16) {
        for l in wrap(text, width as usize) {
            self.lines.push(Line::styled(l, st));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn text(
        &mut self,
        state: &State,
        label: &str,
        input: &Input,
        placeholder: &str,
        focused: bool,
        error: Option<&str>,
        width: u16,
    ) {
        let th = &state.theme;
        let value_w = (width as usize).saturating_sub(LABEL_W + 2).max(1);
        let scroll = input.visual_scroll(value_w);
        let shown: String = input.value().chars().skip(scroll).take(value_w).collect();
        let value = if input.value().is_empty() {
            Span::styled(placeholder.to_string(), style::muted(th))
        } else {
            Span::raw(shown)
        };
        let start = self.lines.len();
        self.lines.push(Line::from(vec![
            marker(state, focused),
            label_span(state, label, focused),
            value,
        ]));
        if focused {
            let col = (input.visual_cursor().saturating_sub(scroll)).min(value_w) + LABEL_W + 2;
            self.cursor = Some((start, col as u16));
        }
        self.error(state, error, width);
        if focused {
            self.focus_line = start;
            self.focus_end = self.lines.len();
        }
    }

    fn toggle(&mut self, state: &State, label: &str, on: bool, focused: bool) {
        let text = if on { "[x] yes" } else { "[ ] no" };
        let start = self.lines.len();
        self.lines.push(Line::from(vec![
            marker(state, focused),
            label_span(state, label, focused),
            Span::raw(text),
        ]));
        if focused {
            self.focus_line = start;
            self.focus_end = self.lines.len();
        }
    }

    /// The error under its field, indented to the value column when there is room.
    fn error(&mut self, state: &State, error: Option<&str>, width: u16) {
        let Some(e) = error else {
            return;
        };
        let indent = if width >= 50 { LABEL_W + 2 } else { 4 };
        let w = (width as usize).saturating_sub(indent + 2);
        for (i, l) in wrap(e, w).into_iter().enumerate() {
            let mark = if i == 0 { "✖ " } else { "  " };
            self.lines.push(Line::styled(
                format!("{:indent$}{mark}{l}", ""),
                style::crit(&state.theme),
            ));
        }
    }

    /// Draws the rows into `inner`, scrolled so the focused field shows.
    fn draw(self, frame: &mut Frame, inner: Rect) {
        let h = inner.height as usize;
        let top = self.focus_end.saturating_sub(h).min(self.focus_line);
        if let Some((line, col)) = self.cursor
            && line >= top
            && line < top + h
            && col < inner.width
        {
            frame.set_cursor_position(Position::new(inner.x + col, inner.y + (line - top) as u16));
        }
        frame.render_widget(Paragraph::new(self.lines).scroll((top as u16, 0)), inner);
    }
}

fn marker(state: &State, focused: bool) -> Span<'static> {
    if focused {
        Span::styled("▶ ", style::accent(&state.theme))
    } else {
        Span::raw("  ")
    }
}

fn label_span(state: &State, label: &str, focused: bool) -> Span<'static> {
    let th = &state.theme;
    let st = if focused {
        style::title(th)
    } else {
        style::muted(th)
    };
    Span::styled(format!("{label:<w$}", w = LABEL_W), st)
}

fn store_lines(rows: &mut Rows<'_>, state: &State, error: Option<&str>, saving: bool, width: u16) {
    let th = &state.theme;
    if let Some(e) = error {
        rows.message(&format!("✖ not saved: {e}"), style::crit(th), width);
        rows.message(
            "what you typed is kept; fix it or press enter to retry",
            style::muted(th),
            width,
        );
    }
    if saving {
        rows.message("saving…", style::muted(th), width);
    }
}

pub fn render_conn(frame: &mut Frame, area: Rect, state: &State, f: &ConnForm) {
    let title = match (&f.original_name, &f.from_ssh_config) {
        (Some(n), _) => format!("Edit connection '{n}'"),
        (None, Some(alias)) => format!("Save ssh-config host '{alias}'"),
        (None, None) => "Add connection".to_string(),
    };
    let lines_needed =
        2 + Field::ALL.len() + f.errors.len() + if f.store_error.is_some() { 2 } else { 0 };
    let rect = centered(area, 72, lines_needed as u16 + 1);
    let inner = dialog(frame, rect, state, title);
    let mut rows = Rows::new();
    store_lines(
        &mut rows,
        state,
        f.store_error.as_deref(),
        f.saving,
        inner.width,
    );
    for field in Field::ALL {
        let focused = f.focused() == field;
        match f.input(field) {
            Some(input) => rows.text(
                state,
                field.label(),
                input,
                field.placeholder(),
                focused,
                f.error(field),
                inner.width,
            ),
            None => rows.toggle(state, field.label(), f.read_only, focused),
        }
    }
    rows.draw(frame, inner);
}

pub fn render_tunnel(frame: &mut Frame, area: Rect, state: &State, f: &TunnelForm) {
    let th = &state.theme;
    let store = 2 * u16::from(f.store_error.is_some());
    let rect = centered(area, 64, 10 + f.errors.len() as u16 + store);
    let inner = dialog(frame, rect, state, format!("Add tunnel to '{}'", f.name));
    let mut rows = Rows::new();
    store_lines(
        &mut rows,
        state,
        f.store_error.as_deref(),
        f.saving,
        inner.width,
    );
    rows.message(
        &format!(
            "listens on 127.0.0.1:<local port> here and forwards to <remote host>:<remote port> \
             as seen from '{}'",
            f.name
        ),
        style::muted(th),
        inner.width,
    );
    let placeholders = ["e.g. 8081", "localhost", "e.g. 8000"];
    for (field, ph) in TunnelField::ALL.into_iter().zip(placeholders) {
        rows.text(
            state,
            field.label(),
            f.input(field),
            ph,
            f.focused() == field,
            f.error(field),
            inner.width,
        );
    }
    rows.draw(frame, inner);
}
