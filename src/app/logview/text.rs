//! Making log text safe for a terminal, and finding search matches in it.

use std::ops::Range;

/// A longer line is cut here, so one runaway line (a dumped payload) cannot eat the memory
/// or the render time of the whole viewer.
pub const MAX_LINE_CHARS: usize = 8_192;
const TAB_STOP: usize = 8;

/// Terminal-safe text: ANSI escape sequences removed, tabs expanded to stops of 8, a
/// carriage return keeps what was drawn last (progress bars), other control characters
/// shown as `�`, and the length capped at `MAX_LINE_CHARS`.
pub fn sanitize(raw: &str) -> String {
    let raw = raw.rsplit('\r').find(|s| !s.is_empty()).unwrap_or_default();
    let mut out = String::with_capacity(raw.len().min(MAX_LINE_CHARS));
    let mut chars = raw.chars().peekable();
    let mut count = 0usize;
    while let Some(c) = chars.next() {
        if count >= MAX_LINE_CHARS {
            out.push('…');
            break;
        }
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            '\t' => {
                let n = TAB_STOP - count % TAB_STOP;
                out.extend(std::iter::repeat_n(' ', n));
                count += n;
            }
            c if c.is_control() => {
                out.push('\u{fffd}');
                count += 1;
            }
            c => {
                out.push(c);
                count += 1;
            }
        }
    }
    out
}

/// Skips the rest of an escape sequence after ESC: CSI (`[` … final byte), OSC and other
/// strings (`]`, `P`, `_`, `^` … BEL or ESC `\`), or a two-character escape.
fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => {
            for c in chars.by_ref() {
                if ('\u{40}'..='\u{7e}').contains(&c) {
                    break;
                }
            }
        }
        Some(']' | 'P' | '_' | '^') => {
            while let Some(c) = chars.next() {
                if c == '\u{7}' {
                    break;
                }
                if c == '\u{1b}' && chars.peek() == Some(&'\\') {
                    chars.next();
                    break;
                }
            }
        }
        _ => {}
    }
}

/// Case-insensitive, non-overlapping occurrences of `needle` in `hay` as byte ranges.
pub fn find_ranges(hay: &str, needle: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    if needle.is_empty() {
        return out;
    }
    if needle.is_ascii() {
        // ASCII matches only ASCII bytes, so every hit starts and ends on a char boundary.
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        let mut i = 0;
        while i + n.len() <= h.len() {
            if h[i..i + n.len()].eq_ignore_ascii_case(n) {
                out.push(i..i + n.len());
                i += n.len();
            } else {
                i += 1;
            }
        }
        return out;
    }
    let want: Vec<char> = needle.chars().flat_map(char::to_lowercase).collect();
    let mut starts = hay.char_indices().map(|(i, _)| i);
    let mut next_free = 0;
    for start in starts.by_ref() {
        if start < next_free {
            continue;
        }
        let mut got = want.iter();
        let mut end = None;
        for (off, c) in hay[start..].char_indices() {
            let mut all = true;
            for l in c.to_lowercase() {
                if got.next() != Some(&l) {
                    all = false;
                    break;
                }
            }
            if !all {
                break;
            }
            if got.as_slice().is_empty() {
                end = Some(start + off + c.len_utf8());
                break;
            }
        }
        if let Some(e) = end {
            out.push(start..e);
            next_free = e;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::single_range_in_vec_init)]
    use super::*;

    #[test]
    fn sanitize_strips_ansi_expands_tabs_and_controls() {
        assert_eq!(sanitize("\u{1b}[1;31mERROR\u{1b}[0m boom"), "ERROR boom");
        assert_eq!(
            sanitize("\u{1b}]0;title\u{7}x\u{1b}]8;;http://a\u{1b}\\y"),
            "xy"
        );
        assert_eq!(sanitize("a\tb"), "a       b");
        assert_eq!(sanitize("abcdefgh\tc"), "abcdefgh        c");
        assert_eq!(sanitize("10%\r50%\r100%\r"), "100%");
        assert_eq!(sanitize("bell\u{7}nul\u{0}"), "bell\u{fffd}nul\u{fffd}");
        assert_eq!(sanitize("\u{1b}[12;"), "");
        assert_eq!(sanitize("\u{1b}[2Kcleared"), "cleared");
        assert_eq!(sanitize("\u{1b}"), "");
        let long = "x".repeat(MAX_LINE_CHARS * 2);
        assert_eq!(sanitize(&long).chars().count(), MAX_LINE_CHARS + 1);
    }

    #[test]
    fn find_ranges_is_case_insensitive_and_unicode_safe() {
        assert_eq!(
            find_ranges("Error error ERROR", "error"),
            [0..5, 6..11, 12..17]
        );
        assert_eq!(find_ranges("aaaa", "aa"), [0..2, 2..4]);
        assert_eq!(
            find_ranges("grüße GRÜSSE Grüße", "GRÜ"),
            [0..4, 8..12, 16..20]
        );
        assert_eq!(find_ranges("ÄÖÜ x", "x"), vec![7..8]);
        assert!(find_ranges("abc", "").is_empty());
        assert!(find_ranges("ab", "abc").is_empty());
    }
}
