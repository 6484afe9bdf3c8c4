//! Dialogs drawn over the frame: help, palette, confirm, forms, host key, tunnel pick,
//! the typed model delete.

mod confirm;
mod form;
mod help;
mod hostkey;
mod model_delete;
mod palette;
mod pick;
mod problems;
mod service;
mod terminate;

use super::style;
use crate::app::State;
use crate::app::overlay::Overlay;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear};

pub fn render(frame: &mut Frame, area: Rect, state: &State) {
    match &state.overlay {
        None => {}
        Some(Overlay::Help { scroll }) => help::render(frame, area, state, *scroll),
        Some(Overlay::Palette(p)) => palette::render(frame, area, state, p),
        Some(Overlay::ConfirmDelete(c)) => confirm::render(frame, area, state, c),
        Some(Overlay::Form(f)) => form::render_conn(frame, area, state, f),
        Some(Overlay::TunnelForm(f)) => form::render_tunnel(frame, area, state, f),
        Some(Overlay::TunnelPick(p)) => pick::render(frame, area, state, p),
        Some(Overlay::HostKey(h)) => hostkey::render(frame, area, state, h),
        Some(Overlay::ConfirmTerminate(c)) => terminate::render(frame, area, state, c),
        Some(Overlay::ConfirmRequeue(c)) => super::jobs::dialogs::confirm(frame, area, state, c),
        Some(Overlay::RequeueResults(r)) => super::jobs::dialogs::results(frame, area, state, r),
        Some(Overlay::ConfirmService(c)) => service::render(frame, area, state, c),
        Some(Overlay::ConfirmModelDelete(c)) => model_delete::render(frame, area, state, c),
        Some(Overlay::Problems { selected }) => problems::render(frame, area, state, *selected),
        Some(Overlay::Log(p)) => {
            // The viewer covers the whole screen; nothing of the tab may show through.
            let full = frame.area();
            frame.render_widget(ratatui::widgets::Clear, full);
            let windows = p
                .service
                .as_ref()
                .map(|s| super::logview::window_line(&state.theme, s.window, full.width));
            // The follow state on the border leaves a narrow screen little room for a title.
            let title = match &p.service {
                Some(s) if full.width < 60 => s.short_title(),
                _ => p.title.clone(),
            };
            super::logview::render_with(frame, full, &p.view, &state.theme, &title, windows)
        }
    }
}

/// A centred box of at most `w`×`h`, never larger than the screen.
pub(in crate::ui) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Clears `rect` and draws a bordered dialog frame; returns the inside.
pub(in crate::ui) fn dialog(frame: &mut Frame, rect: Rect, state: &State, title: String) -> Rect {
    let th = &state.theme;
    let block = Block::bordered()
        .border_style(style::accent(th))
        .style(style::base(th))
        .title(Line::styled(format!(" {title} "), style::title(th)));
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    inner
}

/// Splits a dialog's inside into a wrapped body and a bottom row that is always visible
/// (the buttons), however small the screen.
pub(in crate::ui) fn with_buttons(inner: Rect) -> (Rect, Rect) {
    let [body, _, buttons] = ratatui::layout::Layout::vertical([
        ratatui::layout::Constraint::Min(0),
        ratatui::layout::Constraint::Length(u16::from(inner.height > 2)),
        ratatui::layout::Constraint::Length(1),
    ])
    .areas(inner);
    (body, buttons)
}

/// A row of buttons; the chosen one is bracketed and highlighted, so it reads without colour.
pub(in crate::ui) fn buttons<'a>(state: &State, labels: &[&'a str], chosen: usize) -> Line<'a> {
    let th = &state.theme;
    let mut spans = Vec::new();
    for (i, l) in labels.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        if i == chosen {
            spans.push(Span::styled(format!("[ {l} ]"), style::selected(th)));
        } else {
            spans.push(Span::styled(format!("  {l}  "), style::muted(th)));
        }
    }
    Line::from(spans).centered()
}
