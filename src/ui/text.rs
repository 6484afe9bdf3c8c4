//! Small text helpers shared by the widgets.

use ratatui::text::{Line, Span};

/// Cuts `s` to at most `w` columns, marking the cut with `…`.
pub fn fit(s: &str, w: usize) -> String {
    let n = s.chars().count();
    if n <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(w - 1).collect();
    out.push('…');
    out
}

/// Keeps whole spans (separated by `gap`) while they fit in `width`; the rest is dropped
/// rather than cut mid-word, so a hint bar never shows half a key.
pub fn fit_spans<'a>(items: Vec<Vec<Span<'a>>>, gap: &'a str, width: usize) -> Line<'a> {
    let mut used = 0;
    let mut spans = Vec::new();
    for item in items {
        let w: usize = item.iter().map(|s| s.content.chars().count()).sum();
        let extra = if spans.is_empty() {
            0
        } else {
            gap.chars().count()
        };
        if used + extra + w > width {
            break;
        }
        if extra > 0 {
            spans.push(Span::raw(gap));
        }
        used += extra + w;
        spans.extend(item);
    }
    Line::from(spans)
}
