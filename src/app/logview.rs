//! The log viewer's state and pure key handling. It knows nothing about jobs: the Jobs tab
//! feeds it the worker log, the Services tab journalctl and docker logs.
//!
//! Lines are numbered by a sequence that keeps counting when the ring drops old lines, so
//! the scroll position and search matches stay on the same text while new lines arrive.

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::collections::VecDeque;
use std::ops::Range;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

mod text;

pub use text::{find_ranges, sanitize};

/// Lines kept when the caller does not choose.
pub const DEFAULT_CAP: usize = 10_000;
pub use text::MAX_LINE_CHARS;

/// What the caller should do after a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogViewOutcome {
    /// The viewer handled the key (or ignored it on purpose); nothing else to do.
    None,
    /// Esc: the user wants the viewer closed.
    Close,
    /// Not a viewer key; the caller may treat it as a global key.
    Unhandled,
}

#[derive(Debug, Clone, Default)]
struct Search {
    /// As typed; matching is case-insensitive.
    query: String,
    /// Sequence numbers of matching lines, ascending.
    hits: Vec<u64>,
    /// Index into `hits` of the match the view is on.
    current: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct LogView {
    lines: VecDeque<String>,
    cap: usize,
    /// Sequence number of `lines[0]`.
    first_seq: u64,
    follow: bool,
    wrap: bool,
    /// First shown line while paused.
    top_seq: u64,
    /// Columns skipped on the left when not wrapping.
    h_offset: usize,
    /// Rows the body had at the last layout; PgUp/PgDn move by this.
    page: usize,
    /// Lines that arrived while paused.
    unseen: u64,
    search: Option<Search>,
    prompt: Option<Input>,
    notice: Option<String>,
}

impl Default for LogView {
    fn default() -> Self {
        Self::new(DEFAULT_CAP)
    }
}

impl LogView {
    /// An empty viewer keeping at most `cap` lines (at least one), following.
    pub fn new(cap: usize) -> Self {
        Self {
            lines: VecDeque::new(),
            cap: cap.max(1),
            first_seq: 0,
            follow: true,
            wrap: false,
            top_seq: 0,
            h_offset: 0,
            page: 20,
            unseen: 0,
            search: None,
            prompt: None,
            notice: None,
        }
    }

    /// Appends lines, cleaned for the terminal (ANSI escapes stripped, tabs expanded), and
    /// drops the oldest beyond the cap.
    pub fn push_lines(&mut self, lines: &[String]) {
        for raw in lines {
            let line = sanitize(raw);
            let seq = self.first_seq + self.lines.len() as u64;
            if let Some(s) = &mut self.search
                && !find_ranges(&line, &s.query).is_empty()
            {
                s.hits.push(seq);
            }
            self.lines.push_back(line);
            if !self.follow {
                self.unseen += 1;
            }
        }
        let excess = self.lines.len().saturating_sub(self.cap);
        if excess > 0 {
            self.lines.drain(..excess);
            self.first_seq += excess as u64;
            self.top_seq = self.top_seq.max(self.first_seq);
            if let Some(s) = &mut self.search {
                let gone = s.hits.partition_point(|&h| h < self.first_seq);
                s.hits.drain(..gone);
                s.current = match s.current {
                    _ if s.hits.is_empty() => None,
                    Some(c) => Some(c.saturating_sub(gone)),
                    None => None,
                };
            }
        }
    }

    pub fn clear(&mut self) {
        self.first_seq += self.lines.len() as u64;
        self.lines.clear();
        self.top_seq = self.first_seq;
        self.unseen = 0;
        if let Some(s) = &mut self.search {
            s.hits.clear();
            s.current = None;
        }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn cap(&self) -> usize {
        self.cap
    }

    /// The `i`-th kept line (0 = oldest), as displayed.
    pub fn line(&self, i: usize) -> Option<&str> {
        self.lines.get(i).map(String::as_str)
    }

    /// Tells the viewer how many rows its body has, for paging and keeping matches in view.
    pub fn set_viewport(&mut self, rows: u16) {
        self.page = usize::from(rows).max(1);
    }

    /// Rows `ui::logview::render` gives the lines when drawn in `area` (borders, notice and
    /// prompt taken off), for `set_viewport` after a resize.
    pub fn body_rows(&self, area: ratatui::layout::Rect) -> u16 {
        let inner = area.height.saturating_sub(2);
        let notice = u16::from(self.notice.is_some());
        let prompt = u16::from(self.prompt.is_some());
        inner.saturating_sub(notice + prompt)
    }

    /// A message about the source (e.g. "file does not exist yet"), shown above the lines.
    pub fn set_notice(&mut self, notice: Option<String>) {
        self.notice = notice;
    }

    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    pub fn following(&self) -> bool {
        self.follow
    }

    /// Follow resumes at the bottom; pausing keeps the lines now on screen.
    pub fn set_follow(&mut self, on: bool) {
        if on {
            self.follow = true;
            self.unseen = 0;
        } else if self.follow {
            self.follow = false;
            self.top_seq = self.first_seq + self.bottom_top() as u64;
        }
    }

    pub fn wrap(&self) -> bool {
        self.wrap
    }

    pub fn set_wrap(&mut self, on: bool) {
        self.wrap = on;
        self.h_offset = 0;
    }

    pub fn h_offset(&self) -> usize {
        self.h_offset
    }

    /// Lines that arrived since follow was paused.
    pub fn unseen(&self) -> u64 {
        self.unseen
    }

    /// Index of the first line to show while paused; `None` while following (the view is
    /// anchored at the bottom).
    pub fn top(&self) -> Option<usize> {
        (!self.follow).then(|| self.top_seq.saturating_sub(self.first_seq) as usize)
    }

    /// The top index that shows the last page.
    fn bottom_top(&self) -> usize {
        self.lines.len().saturating_sub(self.page)
    }

    fn scroll_to(&mut self, index: usize) {
        if self.follow {
            self.follow = false;
        }
        let index = index.min(self.bottom_top());
        self.top_seq = self.first_seq + index as u64;
    }

    /// Scrolls by `delta` lines (negative is up), pausing follow; for mouse wheels.
    pub fn scroll_by(&mut self, delta: isize) {
        let from = self.top().unwrap_or_else(|| self.bottom_top());
        self.scroll_to(from.saturating_add_signed(delta));
    }

    /// Searches case-insensitively and moves to the newest match; an empty query clears the
    /// search. Returns how many lines match.
    pub fn search(&mut self, query: &str) -> usize {
        if query.is_empty() {
            self.search = None;
            return 0;
        }
        let hits: Vec<u64> = self
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| !find_ranges(l, query).is_empty())
            .map(|(i, _)| self.first_seq + i as u64)
            .collect();
        let n = hits.len();
        self.search = Some(Search {
            query: query.to_string(),
            current: n.checked_sub(1),
            hits,
        });
        self.show_current();
        n
    }

    /// Searches for `needle` (a job id, a container name…) and shows its newest occurrence
    /// highlighted. False when it is not in the kept lines.
    pub fn jump_to(&mut self, needle: &str) -> bool {
        self.search(needle) > 0
    }

    pub fn query(&self) -> Option<&str> {
        self.search.as_ref().map(|s| s.query.as_str())
    }

    /// (current, total) for the "3/17" counter; current is 1-based and 0 when nothing matches.
    pub fn match_counter(&self) -> Option<(usize, usize)> {
        self.search
            .as_ref()
            .map(|s| (s.current.map_or(0, |c| c + 1), s.hits.len()))
    }

    /// Byte ranges of the search query in `line`, for highlighting.
    pub fn match_ranges(&self, line: &str) -> Vec<Range<usize>> {
        self.search
            .as_ref()
            .map(|s| find_ranges(line, &s.query))
            .unwrap_or_default()
    }

    /// Whether kept line `i` is the match the counter points at.
    pub fn is_current_match(&self, i: usize) -> bool {
        self.search.as_ref().is_some_and(|s| {
            s.current
                .and_then(|c| s.hits.get(c))
                .is_some_and(|&h| h == self.first_seq + i as u64)
        })
    }

    pub fn next_match(&mut self) {
        self.step_match(true);
    }

    pub fn prev_match(&mut self) {
        self.step_match(false);
    }

    /// Moves to the next or previous match, wrapping around at the ends.
    fn step_match(&mut self, forward: bool) {
        let Some(s) = &mut self.search else { return };
        let n = s.hits.len();
        if n == 0 {
            return;
        }
        s.current = Some(match s.current {
            Some(c) if forward => (c + 1) % n,
            Some(c) => (c + n - 1) % n,
            None if forward => 0,
            None => n - 1,
        });
        self.show_current();
    }

    /// Pauses with the current match about a third down the page.
    fn show_current(&mut self) {
        let Some(seq) = self
            .search
            .as_ref()
            .and_then(|s| s.current.and_then(|c| s.hits.get(c)).copied())
        else {
            return;
        };
        let i = seq.saturating_sub(self.first_seq) as usize;
        self.scroll_to(i.saturating_sub(self.page / 3));
    }

    /// The open search prompt, if any.
    pub fn prompt(&self) -> Option<&Input> {
        self.prompt.as_ref()
    }
}

/// Keys of the viewer. While the search prompt is open every key goes to it: Enter searches,
/// Esc closes the prompt only.
pub fn handle_key(v: &mut LogView, k: KeyEvent) -> LogViewOutcome {
    if k.kind == KeyEventKind::Release {
        return LogViewOutcome::None;
    }
    if let Some(input) = &mut v.prompt {
        match k.code {
            KeyCode::Enter => {
                let q = input.value().to_string();
                v.prompt = None;
                v.search(&q);
            }
            KeyCode::Esc => v.prompt = None,
            _ => {
                input.handle_event(&Event::Key(k));
            }
        }
        return LogViewOutcome::None;
    }
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    let page = v.page.max(1) as isize;
    match k.code {
        KeyCode::Esc => return LogViewOutcome::Close,
        KeyCode::Char('c') if ctrl => return LogViewOutcome::Unhandled,
        KeyCode::Up | KeyCode::Char('k') => v.scroll_by(-1),
        KeyCode::Down | KeyCode::Char('j') => v.scroll_by(1),
        KeyCode::PageUp | KeyCode::Char('b') if k.code == KeyCode::PageUp || ctrl => {
            v.scroll_by(-page)
        }
        KeyCode::PageDown | KeyCode::Char('f') if k.code == KeyCode::PageDown || ctrl => {
            v.scroll_by(page)
        }
        KeyCode::Home | KeyCode::Char('g') => v.scroll_to(0),
        KeyCode::End | KeyCode::Char('G') | KeyCode::Char('F') => v.set_follow(true),
        KeyCode::Left | KeyCode::Char('h') if !v.wrap => {
            v.h_offset = v.h_offset.saturating_sub(8);
        }
        KeyCode::Right | KeyCode::Char('l') if !v.wrap => {
            v.h_offset = (v.h_offset + 8).min(MAX_LINE_CHARS);
        }
        KeyCode::Char('w') => v.set_wrap(!v.wrap),
        KeyCode::Char('/') => {
            let current = v.query().unwrap_or_default().to_string();
            v.prompt = Some(Input::new(current));
        }
        KeyCode::Char('n') => v.next_match(),
        KeyCode::Char('N') => v.prev_match(),
        _ => return LogViewOutcome::Unhandled,
    }
    LogViewOutcome::None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn lines(range: Range<usize>) -> Vec<String> {
        range.map(|i| format!("line {i}")).collect()
    }

    #[test]
    fn ring_keeps_the_newest_lines_and_their_matches() {
        let mut v = LogView::new(5);
        v.push_lines(&lines(0..3));
        v.search("line 1");
        assert_eq!(v.match_counter(), Some((1, 1)));
        v.push_lines(&lines(3..12));
        assert_eq!(v.len(), 5);
        assert_eq!(v.line(0), Some("line 7"));
        // "line 10" and "line 11" arrived and match "line 1"; the original "line 1" is gone.
        assert_eq!(v.match_counter(), Some((1, 2)));
        assert!(v.is_current_match(3));
    }

    #[test]
    fn scrolling_up_pauses_follow_and_end_resumes() {
        let mut v = LogView::new(100);
        v.set_viewport(10);
        v.push_lines(&lines(0..50));
        assert_eq!(v.top(), None);
        assert_eq!(handle_key(&mut v, press(KeyCode::Up)), LogViewOutcome::None);
        assert_eq!(v.top(), Some(39));
        v.push_lines(&lines(50..53));
        assert_eq!(v.top(), Some(39), "paused view stays on its lines");
        assert_eq!(v.unseen(), 3);
        handle_key(&mut v, press(KeyCode::PageUp));
        assert_eq!(v.top(), Some(29));
        handle_key(&mut v, press(KeyCode::Char('g')));
        assert_eq!(v.top(), Some(0));
        handle_key(&mut v, press(KeyCode::PageDown));
        assert_eq!(v.top(), Some(10));
        handle_key(&mut v, press(KeyCode::Char('F')));
        assert!(v.following());
        assert_eq!(v.unseen(), 0);
        handle_key(&mut v, press(KeyCode::Char('k')));
        handle_key(&mut v, press(KeyCode::End));
        assert_eq!(v.top(), None);
    }

    #[test]
    fn paused_top_moves_with_the_ring() {
        let mut v = LogView::new(10);
        v.set_viewport(3);
        v.push_lines(&lines(0..10));
        v.scroll_to(0);
        v.push_lines(&lines(10..14));
        assert_eq!(v.top(), Some(0));
        assert_eq!(v.line(0), Some("line 4"));
    }

    #[test]
    fn search_prompt_n_and_shift_n() {
        let mut v = LogView::new(100);
        v.set_viewport(4);
        v.push_lines(&[
            "job A ok".into(),
            "job b FAILED".into(),
            "noise".into(),
            "job c failed".into(),
            "tail".into(),
        ]);
        handle_key(&mut v, press(KeyCode::Char('/')));
        assert!(v.prompt().is_some());
        for c in "failed".chars() {
            handle_key(&mut v, press(KeyCode::Char(c)));
        }
        assert!(v.following(), "typing in the prompt does not scroll");
        handle_key(&mut v, press(KeyCode::Enter));
        assert!(v.prompt().is_none());
        assert_eq!(v.query(), Some("failed"));
        assert_eq!(
            v.match_counter(),
            Some((2, 2)),
            "starts at the newest match"
        );
        assert!(v.is_current_match(3));
        handle_key(&mut v, press(KeyCode::Char('n')));
        assert_eq!(v.match_counter(), Some((1, 2)), "wraps around");
        assert!(v.is_current_match(1));
        assert_eq!(v.top(), Some(0));
        handle_key(&mut v, press(KeyCode::Char('N')));
        assert_eq!(v.match_counter(), Some((2, 2)));
        assert_eq!(v.match_ranges("x FaIlEd"), vec![2..8]);
        // Esc in the prompt closes only the prompt; the next Esc closes the viewer.
        handle_key(&mut v, press(KeyCode::Char('/')));
        assert_eq!(
            handle_key(&mut v, press(KeyCode::Esc)),
            LogViewOutcome::None
        );
        assert_eq!(v.query(), Some("failed"));
        assert_eq!(
            handle_key(&mut v, press(KeyCode::Esc)),
            LogViewOutcome::Close
        );
    }

    #[test]
    fn empty_query_clears_and_missing_needle_says_so() {
        let mut v = LogView::new(100);
        v.push_lines(&lines(0..5));
        assert!(v.jump_to("line 3"));
        assert!(!v.following());
        assert!(!v.jump_to("7f3a9c"));
        assert_eq!(v.match_counter(), Some((0, 0)));
        handle_key(&mut v, press(KeyCode::Char('n')));
        assert_eq!(v.search(""), 0);
        assert_eq!(v.match_counter(), None);
    }

    #[test]
    fn wrap_toggle_and_horizontal_scroll() {
        let mut v = LogView::default();
        assert_eq!(v.cap(), DEFAULT_CAP);
        handle_key(&mut v, press(KeyCode::Right));
        assert_eq!(v.h_offset(), 8);
        handle_key(&mut v, press(KeyCode::Char('w')));
        assert!(v.wrap());
        assert_eq!(v.h_offset(), 0);
        handle_key(&mut v, press(KeyCode::Right));
        assert_eq!(v.h_offset(), 0, "no sideways scroll while wrapping");
        assert_eq!(
            handle_key(&mut v, press(KeyCode::Char('z'))),
            LogViewOutcome::Unhandled
        );
        let release = KeyEvent {
            kind: KeyEventKind::Release,
            ..press(KeyCode::Esc)
        };
        assert_eq!(handle_key(&mut v, release), LogViewOutcome::None);
    }

    #[test]
    fn garbage_never_panics() {
        let mut v = LogView::new(3);
        v.set_viewport(0);
        for k in [
            KeyCode::Up,
            KeyCode::PageDown,
            KeyCode::Char('n'),
            KeyCode::Char('G'),
        ] {
            handle_key(&mut v, press(k));
        }
        v.push_lines(&[
            "\u{1b}[".into(),
            "\u{0}\u{1b}]".into(),
            String::new(),
            "é\té".into(),
        ]);
        v.search("\u{1b}");
        v.clear();
        assert!(v.is_empty());
        handle_key(&mut v, press(KeyCode::Char('g')));
    }
}
