//! "Restart unit ollama.service (Ollama) on spark-1?": names the verb, the target and the
//! host, starts on Cancel.

use super::super::style;
use super::{buttons, centered, dialog, with_buttons};
use crate::app::State;
use crate::app::services::ConfirmService;
use crate::model::{ServiceTarget, ServiceVerb};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

pub fn render(frame: &mut Frame, area: Rect, state: &State, c: &ConfirmService) {
    let th = &state.theme;
    let settings = &state.services.settings;
    let (kind, how) = match &c.target {
        ServiceTarget::Unit(_) if settings.sudo => ("unit", "sudo -n systemctl".to_string()),
        ServiceTarget::Unit(_) => ("unit", "systemctl".to_string()),
        ServiceTarget::Container(_) => ("container", settings.docker.clone()),
    };
    let button = match c.verb {
        ServiceVerb::Start => "Start",
        ServiceVerb::Stop => "Stop",
        ServiceVerb::Restart => "Restart",
    };
    let mut lines = vec![
        Line::styled(
            format!(
                "{button} {kind} {} ({}) on {}?",
                c.target.name(),
                c.service,
                c.host
            ),
            style::title(th),
        ),
        Line::raw(format!(
            "runs: {how} {} {}",
            c.verb.as_str(),
            c.target.name()
        )),
    ];
    if c.verb != ServiceVerb::Start {
        lines.push(Line::styled(
            "Its clients lose their connections.",
            style::warn(th),
        ));
    }
    let rect = centered(area, 66, 9);
    let inner = dialog(
        frame,
        rect,
        state,
        format!("{button} {kind} on '{}'", c.name),
    );
    let (body, row) = with_buttons(inner);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), body);
    let chosen = usize::from(c.act_chosen);
    frame.render_widget(buttons(state, &["Cancel", button], chosen), row);
}
