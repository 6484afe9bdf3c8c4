//! The detail of the selected model: where it is, what deleting it frees, why it is in
//! use, which default roles it fills and which duplicate group it belongs to, with the
//! other copies' paths; it scrolls.

use super::super::style;
use super::super::text::wrap;
use super::table::{flags, format_word};
use crate::app::models::{abbreviate, bytes, kind_short};
use crate::app::{State, ago};
use crate::config::Theme;
use crate::model::DuplicateReason;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

const LABEL: usize = 13;

struct Lines<'t> {
    th: &'t Theme,
    width: usize,
    out: Vec<Line<'static>>,
}

impl Lines<'_> {
    /// `label value`, the value wrapped under itself (paths are long).
    fn field(&mut self, label: &str, value: &str, st: Style) {
        let narrow = self.width < LABEL + 16;
        if narrow {
            self.out
                .push(Line::styled(label.to_string(), style::muted(self.th)));
            for part in wrap(value, self.width.saturating_sub(2).max(1)) {
                self.out.push(Line::styled(format!("  {part}"), st));
            }
            return;
        }
        let value_w = self.width.saturating_sub(LABEL).max(1);
        for (i, part) in wrap(value, value_w).into_iter().enumerate() {
            let l = if i == 0 { label } else { "" };
            self.out.push(Line::from(vec![
                Span::styled(format!("{l:<LABEL$}"), style::muted(self.th)),
                Span::styled(part, st),
            ]));
        }
    }
}

/// `2026-11-20 14:03 UTC (2d ago)`.
fn when(t: i64, now: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    let date = time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| d.format(&fmt).ok())
        .unwrap_or_else(|| t.to_string());
    format!("{date} ({} ago)", ago::short(t, now))
}

pub fn lines(state: &State, width: usize, now: i64) -> Vec<Line<'static>> {
    let th = &state.theme;
    let mut l = Lines {
        th,
        width,
        out: Vec::new(),
    };
    let Some(m) = state.models_selected() else {
        return l.out;
    };
    let user = state.models_user();
    let base = style::base(th);
    let mut head = vec![Span::styled(m.name.clone(), style::title(th))];
    for (full, _, st) in flags(state, m) {
        head.push(Span::raw(" "));
        head.push(Span::styled(full, st));
    }
    l.out.push(Line::from(head));
    l.field("path", &m.path, base);
    l.field(
        "size",
        &format!("{} {}", bytes(m.size_bytes), format_word(m.format)),
        base,
    );
    let shared = m.size_bytes.saturating_sub(m.unique_bytes);
    let frees = if shared > 0 {
        format!(
            "{} ({} shared with other models stays)",
            bytes(m.unique_bytes),
            bytes(shared)
        )
    } else {
        bytes(m.unique_bytes)
    };
    l.field("delete frees", &frees, base);
    if m.partial() {
        l.field(
            "partial",
            &format!("{} of unfinished downloads", bytes(m.partial_bytes)),
            style::warn(th),
        );
    }
    match &m.in_use {
        Some(why) => l.field("in use", why, style::accent(th)),
        None => l.field(
            "in use",
            "no (nothing shows it loaded or open)",
            style::muted(th),
        ),
    }
    let roles = state.model_roles(&m.id);
    if !roles.is_empty() {
        let text: Vec<String> = roles
            .iter()
            .map(|r| format!("{} (wanted: {})", r.role, r.wanted))
            .collect();
        l.field("default for", &text.join(", "), style::ok(th));
    }
    match state.model_duplicate(&m.id) {
        Some(d) => {
            let why = match d.reason {
                DuplicateReason::SameName => "same name",
                DuplicateReason::SameBlob => "same content digest",
            };
            l.field(
                "duplicate",
                &format!(
                    "{} in {} places ({why}); keeping one frees {}",
                    d.name,
                    d.models.len(),
                    bytes(d.reclaimable_bytes)
                ),
                style::warn(th),
            );
            let others: Vec<&String> = d
                .models
                .iter()
                .zip(&d.paths)
                .filter(|(id, p)| *id != &m.id && *p != &m.path)
                .map(|(_, p)| p)
                .collect();
            for (i, p) in others.into_iter().enumerate() {
                let label = if i == 0 { "other copy" } else { "" };
                l.field(label, p, base);
            }
        }
        None => l.field("duplicate", "none", style::muted(th)),
    }
    l.field(
        "store",
        &format!(
            "{} {}",
            kind_short(m.store_kind),
            abbreviate(&m.store, user.as_deref())
        ),
        base,
    );
    let modified = m
        .modified
        .map_or_else(|| "unknown".into(), |t| when(t, now));
    l.field("modified", &modified, base);
    l.field("digests", &m.digests.len().to_string(), base);
    l.field("id", &m.id, style::muted(th));
    l.out
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, now: i64) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let th = &state.theme;
    let block = Block::bordered()
        .border_style(if state.models.detail {
            style::accent(th)
        } else {
            style::border(th)
        })
        .title(Line::styled(" Model detail ", style::title(th)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let content = lines(state, inner.width as usize, now);
    let max = (content.len() as u16).saturating_sub(inner.height);
    let scroll = state.models.detail_scroll.min(max);
    frame.render_widget(Paragraph::new(content).scroll((scroll, 0)), inner);
}
