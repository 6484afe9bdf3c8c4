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

/// Greedy word wrap to `width` columns; words longer than a line are split.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in s.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let cur_len = cur.chars().count();
            let sep = usize::from(cur_len > 0);
            if cur_len + sep + word.len() <= width {
                if sep == 1 {
                    cur.push(' ');
                }
                cur.extend(word.iter());
                break;
            }
            if cur_len > 0 {
                lines.push(std::mem::take(&mut cur));
                continue;
            }
            let rest = word.split_off(width);
            lines.push(word.into_iter().collect());
            word = rest;
        }
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_on_words_and_splits_long_ones() {
        assert_eq!(wrap("a bb ccc", 4), ["a bb", "ccc"]);
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(wrap("", 5), [""]);
        assert_eq!(wrap("x y", 0), ["x", "y"]);
    }

    #[test]
    fn fit_marks_cuts() {
        assert_eq!(fit("hello", 5), "hello");
        assert_eq!(fit("hello", 4), "hel…");
        assert_eq!(fit("hello", 0), "");
    }
}
