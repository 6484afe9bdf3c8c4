//! Unknown host key: what the server presented, a loud warning when other keys for that
//! host are already known, and trust once / trust always / cancel (default cancel).

use super::super::style;
use super::{buttons, centered, dialog, with_buttons};
use crate::app::State;
use crate::app::overlay::HostKeyPrompt;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub fn render(frame: &mut Frame, area: Rect, state: &State, h: &HostKeyPrompt) {
    let th = &state.theme;
    let mut lines = Vec::new();
    if h.other_known_keys > 0 {
        let keys = if h.other_known_keys == 1 {
            "another key".to_string()
        } else {
            format!("{} other keys", h.other_known_keys)
        };
        // First, so that it shows even on the smallest screen.
        lines.push(Line::styled(
            format!("WARNING: known_hosts already holds {keys} for this host!"),
            style::crit(th).add_modifier(Modifier::REVERSED),
        ));
    }
    lines.extend([
        Line::raw(format!(
            "The authenticity of '{}' ({}) can't be established.",
            h.name, h.host
        )),
        Line::from(vec![
            Span::styled("key type     ", style::muted(th)),
            Span::raw(h.key_type.clone()),
        ]),
        Line::from(vec![
            Span::styled("fingerprint  ", style::muted(th)),
            Span::styled(h.fingerprint.clone(), style::title(th)),
        ]),
    ]);
    if h.other_known_keys > 0 {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "Unless its keys were just changed on purpose, someone may be intercepting the \
             connection. Cancel and check with the box's admin.",
            style::crit(th),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Trust always adds the key to known_hosts; trust once remembers nothing.",
        style::muted(th),
    ));
    // Short labels when the full ones would not fit on one row.
    let labels: Vec<&str> = if area.width < 48 {
        vec!["Once", "Always", "Cancel"]
    } else {
        HostKeyPrompt::CHOICES.iter().map(|(_, l)| *l).collect()
    };
    let height = if h.other_known_keys > 0 { 15 } else { 11 };
    let rect = centered(area, 74, height);
    let inner = dialog(frame, rect, state, "Unknown host key".into());
    let (body, row) = with_buttons(inner);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), body);
    frame.render_widget(buttons(state, &labels, h.choice), row);
}
