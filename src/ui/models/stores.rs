//! The stores (kind, path, total, model count, error), the default roles (present, or
//! MISSING in the crit colour with the role's name) and the duplicate groups with the bytes
//! they would give back; one summary line when the screen is small.

use super::super::style;
use super::super::text::fit;
use super::joined;
use crate::app::State;
use crate::app::models::{abbreviate, bytes, kind_short};
use crate::model::{DuplicateReason, ModelsReport};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

/// `extraction ✓ qwen3-32b-nvfp4`, `planning ✗ MISSING llama4-scout-17b`.
fn default_parts(state: &State, r: &ModelsReport) -> Vec<(String, Style)> {
    let th = &state.theme;
    r.defaults
        .iter()
        .map(|d| {
            if d.found.is_empty() {
                (
                    format!("{} ✗ MISSING {}", d.role, d.wanted),
                    style::crit(th),
                )
            } else {
                (format!("{} ✓ {}", d.role, d.wanted), style::ok(th))
            }
        })
        .collect()
}

fn reason_word(r: DuplicateReason) -> &'static str {
    match r {
        DuplicateReason::SameName => "same name",
        DuplicateReason::SameBlob => "same blob",
    }
}

pub fn render(frame: &mut Frame, area: Rect, boxed: bool, state: &State) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let th = &state.theme;
    let Some(r) = state.models_report() else {
        return;
    };
    if !boxed {
        frame.render_widget(Paragraph::new(summary(state, r, area.width as usize)), area);
        return;
    }
    let block = Block::bordered()
        .border_style(style::border(th))
        .title(Line::styled(
            " Stores · defaults · duplicates ",
            style::title(th),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let user = state.models_user();
    let path_w = r
        .stores
        .iter()
        .map(|s| abbreviate(&s.spec.path, user.as_deref()).chars().count())
        .max()
        .unwrap_or(10)
        .min(w / 2);
    let mut lines = Vec::new();
    for s in &r.stores {
        let path = abbreviate(&s.spec.path, user.as_deref());
        let mut spans = vec![
            Span::styled(format!("{:<7}", kind_short(s.spec.kind)), style::muted(th)),
            Span::styled(
                format!("{:<path_w$} ", super::shorten_path(&path, path_w)),
                style::base(th),
            ),
        ];
        let n = s.models.len();
        let info = format!(
            "{:>10}  {n} model{}",
            bytes(s.total_bytes),
            if n == 1 { "" } else { "s" }
        );
        spans.push(Span::styled(info, style::base(th)));
        let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
        if let Some(e) = &s.error {
            spans.push(Span::styled(
                fit(&format!("  ⚠ {e}"), w.saturating_sub(used)),
                style::warn(th),
            ));
        } else if !s.spec.origin.is_empty() {
            spans.push(Span::styled(
                fit(&format!("  ({})", s.spec.origin), w.saturating_sub(used)),
                style::muted(th),
            ));
        }
        lines.push(Line::from(spans));
    }
    if !r.defaults.is_empty() {
        let mut parts = vec![("defaults:".to_string(), style::muted(th))];
        parts.extend(default_parts(state, r));
        lines.push(joined_space(parts, w, style::muted(th)));
    }
    for d in r.duplicates.iter().take(3) {
        lines.push(Line::styled(
            fit(
                &format!(
                    "DUP {} in {} places ({}): {} reclaimable",
                    d.name,
                    d.models.len(),
                    reason_word(d.reason),
                    bytes(d.reclaimable_bytes)
                ),
                w,
            ),
            style::warn(th),
        ));
    }
    // Faults that belong to no store (docker socket, in-use check partial) come last.
    for note in r.notes.iter().take(2) {
        lines.push(Line::styled(fit(&format!("⚠ {note}"), w), style::warn(th)));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The first part as a label, the rest joined with ` · `.
fn joined_space(mut parts: Vec<(String, Style)>, w: usize, sep: Style) -> Line<'static> {
    if parts.is_empty() {
        return Line::raw("");
    }
    let (label, st) = parts.remove(0);
    let rest = joined(parts, w.saturating_sub(label.chars().count() + 1), sep);
    let mut spans = vec![Span::styled(format!("{label} "), st)];
    spans.extend(rest.spans);
    Line::from(spans)
}

/// `4 stores (1 ⚠) · planning MISSING · 1 dup: 61.0 GiB reclaimable`.
fn summary(state: &State, r: &ModelsReport, w: usize) -> Line<'static> {
    let th = &state.theme;
    let errors = r.stores.iter().filter(|s| s.error.is_some()).count();
    let mut parts = Vec::new();
    let n = r.stores.len();
    let stores = format!("{n} store{}", if n == 1 { "" } else { "s" });
    if errors > 0 {
        parts.push((format!("{stores} ({errors} ⚠)"), style::warn(th)));
    } else {
        parts.push((stores, style::muted(th)));
    }
    let missing: Vec<&str> = r
        .defaults
        .iter()
        .filter(|d| d.found.is_empty())
        .map(|d| d.role.as_str())
        .collect();
    if !missing.is_empty() {
        parts.push((format!("{} MISSING", missing.join(", ")), style::crit(th)));
    } else if !r.defaults.is_empty() {
        parts.push(("defaults ✓".into(), style::ok(th)));
    }
    if !r.duplicates.is_empty() {
        let total = r
            .duplicates
            .iter()
            .fold(0u64, |a, d| a.saturating_add(d.reclaimable_bytes));
        parts.push((
            format!("{} DUP: {} reclaimable", r.duplicates.len(), bytes(total)),
            style::warn(th),
        ));
    }
    joined(parts, w, style::muted(th))
}
