//! Rendering only: a pure function of `State` and `now`. Nothing here does I/O or changes
//! state; `app::layout` decides where things go so mouse hit-testing agrees with the frame.

mod connections;
mod gpu;
mod header;
mod hints;
mod jobs;
pub mod logview;
mod models;
pub(crate) mod overlays;
mod problems_bar;
mod services;
mod style;
mod tab_message;
mod tabs;
mod text;

use crate::app::layout;
use crate::app::{State, Tab};
use ratatui::Frame;
use ratatui::widgets::Block;

/// Draws the whole frame. `now` is Unix seconds, used for every age on screen.
pub fn render(frame: &mut Frame, state: &State, now: i64) {
    let area = frame.area();
    if area.width == 0 || area.height == 0 {
        return;
    }
    let th = &state.theme;
    frame.render_widget(Block::new().style(style::base(th)), area);
    let l = layout::frame(area);
    header::render(frame, l.header, state, now, l.compact);
    tabs::render(frame, l.tabs, state);
    match state.tab {
        Tab::Connections => connections::render(frame, l.body, state, now),
        Tab::Gpu => gpu::render(frame, l.body, state, now),
        Tab::Jobs => jobs::render(frame, l.body, state, now),
        Tab::Services => services::render(frame, l.body, state, now),
        Tab::Models => models::render(frame, l.body, state, now),
    }
    hints::render_flash(frame, l.flash, state);
    hints::render_hints(frame, l.hints, state);
    let above_hints = if area.height > 2 {
        ratatui::layout::Rect {
            height: area.height - 1,
            ..area
        }
    } else {
        area
    };
    overlays::render(frame, above_hints, state);
}
