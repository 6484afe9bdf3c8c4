//! The problems bar at the right of the tab line: counts per level (a symbol and a word, so
//! colour is never the only cue), the worst finding, and the key that opens the list. On
//! a narrow line the message goes first, then the words, never the counts.

use super::style;
use super::text::fit;
use crate::app::State;
use crate::app::findings::{BAR_MESSAGE_MIN, Bar, CLEAN, NO_DATA, Severity, list_key};
use crate::config::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn severity_style(th: &Theme, s: Severity) -> Style {
    match s {
        Severity::Crit => style::crit(th),
        Severity::Warn => style::warn(th),
        Severity::Info => Style::new().fg(th.info),
    }
}

fn width(spans: &[Span]) -> usize {
    spans.iter().map(|s| s.content.chars().count()).sum()
}

fn counts<'a>(th: &Theme, parts: Vec<(Severity, String)>) -> Vec<Span<'a>> {
    let mut out = Vec::new();
    for (i, (sev, text)) in parts.into_iter().enumerate() {
        if i > 0 {
            out.push(Span::raw(" "));
        }
        out.push(Span::styled(text, severity_style(th, sev)));
    }
    out
}

/// The most the bar can say in `w` columns.
pub fn line<'a>(state: &State, bar: &Bar, w: usize) -> Line<'a> {
    let th = &state.theme;
    let key = list_key(state);
    let spans: Vec<Span> = match bar {
        Bar::Empty => Vec::new(),
        Bar::NoData => vec![Span::styled(fit(NO_DATA, w), style::muted(th))],
        Bar::Clean { info } => {
            let mut v = vec![Span::styled(CLEAN, style::muted(th))];
            if *info > 0 {
                v.push(Span::styled(" · ", style::muted(th)));
                v.push(Span::styled(
                    format!("ℹ {info} info"),
                    severity_style(th, Severity::Info),
                ));
            }
            if width(&v) > w {
                v = vec![Span::styled("✓", style::muted(th))];
            }
            v
        }
        Bar::Problems { counts: c, worst } => {
            let long = counts(th, Bar::counts_text(*c, true));
            let short = counts(th, Bar::counts_text(*c, false));
            let key_long = vec![
                Span::styled(key.clone(), style::accent(th)),
                Span::styled(" list", style::muted(th)),
            ];
            let key_short = vec![Span::styled(key.clone(), style::accent(th))];
            let join = |parts: Vec<Vec<Span<'a>>>, gap: &'a str| {
                let mut v: Vec<Span<'a>> = Vec::new();
                for (i, p) in parts.into_iter().enumerate() {
                    if i > 0 {
                        v.push(Span::raw(gap));
                    }
                    v.extend(p);
                }
                v
            };
            let room = w.saturating_sub(width(&long) + width(&key_long) + 4);
            let candidates = [
                (room >= BAR_MESSAGE_MIN).then(|| {
                    let msg = vec![Span::styled(fit(worst, room), style::base(th))];
                    join(vec![long.clone(), msg, key_long.clone()], "  ")
                }),
                Some(join(vec![long.clone(), key_long], "  ")),
                Some(join(vec![long, key_short.clone()], " ")),
                Some(join(vec![short.clone(), key_short], " ")),
                Some(short),
            ];
            candidates
                .into_iter()
                .flatten()
                .find(|c| width(c) <= w)
                .unwrap_or_default()
        }
    };
    Line::from(spans).right_aligned()
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, bar: &Bar) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let l = line(state, bar, area.width as usize);
    frame.render_widget(Paragraph::new(l), area);
}
