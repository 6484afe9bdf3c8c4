//! Styles from the theme's semantic roles. With `theme.color == false` every colour is
//! `Reset`, and the cues that matter are carried by text and modifiers instead.

use crate::app::FlashLevel;
use crate::config::Theme;
use crate::model::{ConnState, TunnelState};
use ratatui::style::{Color, Modifier, Style};

pub fn base(th: &Theme) -> Style {
    Style::new().fg(th.fg).bg(th.bg)
}

pub fn muted(th: &Theme) -> Style {
    Style::new().fg(th.muted)
}

pub fn accent(th: &Theme) -> Style {
    Style::new().fg(th.accent).add_modifier(Modifier::BOLD)
}

pub fn border(th: &Theme) -> Style {
    Style::new().fg(th.border)
}

pub fn title(th: &Theme) -> Style {
    Style::new().fg(th.fg).add_modifier(Modifier::BOLD)
}

/// The selected row or button: colours when we have them, reverse video when not.
pub fn selected(th: &Theme) -> Style {
    if th.color {
        Style::new()
            .fg(th.selection_fg)
            .bg(th.selection_bg)
            .add_modifier(Modifier::BOLD)
    } else {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }
}

pub fn ok(th: &Theme) -> Style {
    Style::new().fg(th.ok)
}

pub fn warn(th: &Theme) -> Style {
    Style::new().fg(th.warn)
}

pub fn crit(th: &Theme) -> Style {
    Style::new().fg(th.crit).add_modifier(Modifier::BOLD)
}

/// A status dot whose shape, not only its colour, tells the state apart.
pub fn conn_dot(th: &Theme, s: &ConnState) -> (&'static str, Style) {
    match s {
        ConnState::Connected { .. } => ("●", ok(th)),
        ConnState::Connecting { .. } => ("◐", Style::new().fg(th.info)),
        ConnState::Reconnecting { .. } => ("◑", warn(th)),
        ConnState::Error { .. } => ("✖", crit(th)),
        ConnState::Disconnected => ("○", muted(th)),
    }
}

pub fn tunnel(th: &Theme, s: Option<&TunnelState>) -> (String, Style) {
    match s {
        Some(TunnelState::Listening) => ("● listening".into(), ok(th)),
        Some(TunnelState::Opening) => ("◐ opening".into(), Style::new().fg(th.info)),
        Some(TunnelState::Failed(r)) => (format!("✖ failed: {r}"), crit(th)),
        Some(TunnelState::Closed) => ("○ closed".into(), muted(th)),
        None => ("○ not open".into(), muted(th)),
    }
}

pub fn flash(th: &Theme, level: FlashLevel) -> Style {
    match level {
        FlashLevel::Info => Style::new().fg(th.info),
        FlashLevel::Warn => warn(th),
        FlashLevel::Error => crit(th),
    }
}

/// The colour of a connection's tag, only when the theme allows colour.
pub fn tag(th: &Theme, tag: &str) -> Style {
    match crate::app::form::tag_colour(tag) {
        Some(c) if th.color => Style::new().fg(c),
        _ => Style::new().fg(Color::Reset),
    }
}
