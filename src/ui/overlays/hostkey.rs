//! Unknown host key: what the server presented, a loud warning when other keys for that
//! host are already known, and trust once / trust always / cancel (default cancel).

use super::super::style;
use super::{buttons, centered, dialog};
use crate::app::State;
use crate::app::overlay::HostKeyPrompt;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub fn render(frame: &mut Frame, area: Rect, state: &State, h: &HostKeyPrompt) {
    let th = &state.theme;
    let mut lines = vec![
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
    ];
    if h.other_known_keys > 0 {
        let keys = if h.other_known_keys == 1 {
            "another key".to_string()
        } else {
            format!("{} other keys", h.other_known_keys)
        };
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!(
                "WARNING: known_hosts already holds {keys} for this host. Unless its keys \
                 were just changed on purpose, someone may be intercepting the connection. \
                 Cancel and check with the box's admin."
            ),
            style::crit(th).add_modifier(Modifier::REVERSED),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Trust always adds the key to known_hosts; trust once remembers nothing.",
        style::muted(th),
    ));
    lines.push(Line::raw(""));
    let labels: Vec<&str> = HostKeyPrompt::CHOICES.iter().map(|(_, l)| *l).collect();
    lines.push(buttons(state, &labels, h.choice));
    let height = if h.other_known_keys > 0 { 16 } else { 12 };
    let rect = centered(area, 72, height);
    let inner = dialog(frame, rect, state, "Unknown host key".into());
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}
