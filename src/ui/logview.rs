//! Draws a `LogView`: the visible slice of lines (wrapped or cut at the right edge), search
//! matches highlighted, the follow state and match counter on the border, and the search
//! prompt. Only the lines that fit are laid out, so a full ring costs no more than a page.

use super::style;
use crate::app::logview::LogView;
use crate::config::Theme;
use crate::model::LogWindow;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use std::ops::Range;

pub fn render(frame: &mut Frame, area: Rect, view: &LogView, th: &Theme, title: &str) {
    render_with(frame, area, view, th, title, None);
}

/// As `render`, with `extra` on the right of the bottom border (a service log's time
/// window presets).
pub fn render_with(
    frame: &mut Frame,
    area: Rect,
    view: &LogView,
    th: &Theme,
    title: &str,
    extra: Option<Line<'static>>,
) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let mut block = Block::new()
        .borders(Borders::ALL)
        .border_style(style::border(th))
        .style(style::base(th))
        .title(Line::styled(format!(" {title} "), style::title(th)))
        .title_top(state_line(view, th).right_aligned())
        .title_bottom(search_line(view, th, area.width));
    if let Some(extra) = extra {
        block = block.title_bottom(extra.right_aligned());
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let mut body = inner;
    if let Some(n) = view.notice() {
        let row = Rect { height: 1, ..body };
        frame.render_widget(
            Paragraph::new(Line::styled(n.to_string(), style::warn(th))),
            row,
        );
        body.y += 1;
        body.height -= 1;
    }
    if let Some(input) = view.prompt()
        && body.height > 0
    {
        body.height -= 1;
        let row = Rect {
            y: body.y + body.height,
            height: 1,
            ..body
        };
        let scroll = input.visual_scroll(usize::from(row.width.saturating_sub(2)));
        let shown: String = input.value().chars().skip(scroll).collect();
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled("/", style::accent(th)),
                Span::raw(shown),
            ])),
            row,
        );
        let col = input.visual_cursor().saturating_sub(scroll) + 1;
        let x = row.x + (col as u16).min(row.width.saturating_sub(1));
        frame.set_cursor_position(Position::new(x, row.y));
    }
    if body.height == 0 {
        return;
    }
    let rows = visible_rows(view, body.width as usize, body.height as usize, th);
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Line::styled("no lines yet", style::muted(th))),
            body,
        );
        return;
    }
    frame.render_widget(Paragraph::new(rows), body);
}

/// `1 tail  2 5 m  3 1 h  4 today` with the current window marked, so it reads without
/// colour; on a narrow screen only the keys and the current window.
pub fn window_line(th: &Theme, current: LogWindow, width: u16) -> Line<'static> {
    let all = [
        LogWindow::Tail,
        LogWindow::Last5m,
        LogWindow::LastHour,
        LogWindow::Today,
    ];
    if width < 60 {
        return Line::from(vec![
            Span::styled(" 1-4 ", style::accent(th)),
            Span::styled(format!("[{}] ", current.label()), style::title(th)),
        ]);
    }
    let mut spans = vec![Span::raw(" ")];
    for (i, w) in all.iter().enumerate() {
        spans.push(Span::styled(format!("{} ", i + 1), style::accent(th)));
        if *w == current {
            spans.push(Span::styled(format!("[{}]", w.label()), style::title(th)));
        } else {
            spans.push(Span::styled(w.label(), style::muted(th)));
        }
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}

fn state_line(view: &LogView, th: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(
        format!(" {} lines · ", view.len()),
        style::muted(th),
    )];
    if view.following() {
        spans.push(Span::styled("FOLLOW", style::ok(th)));
    } else {
        spans.push(Span::styled("PAUSED", style::warn(th)));
        if view.unseen() > 0 {
            spans.push(Span::styled(
                format!(" +{} new", view.unseen()),
                style::warn(th),
            ));
        }
    }
    if view.wrap() {
        spans.push(Span::styled(" · wrap", style::muted(th)));
    }
    spans.push(Span::raw(" "));
    Line::from(spans)
}

fn search_line(view: &LogView, th: &Theme, width: u16) -> Line<'static> {
    let Some((cur, total)) = view.match_counter() else {
        let keys = if width >= 60 {
            " / search · w wrap · F follow · Esc close "
        } else {
            " / search · Esc close "
        };
        return Line::from(Span::styled(keys, style::muted(th)));
    };
    let q = view.query().unwrap_or_default();
    let (count, st) = if total == 0 {
        ("no match".to_string(), style::warn(th))
    } else {
        (format!("{cur}/{total}"), style::accent(th))
    };
    // The counter goes first so a narrow border still shows it; the query is cut instead.
    let room = usize::from(width).saturating_sub(count.chars().count() + 12);
    Line::from(vec![
        Span::raw(" "),
        Span::styled(count, st),
        Span::styled(
            format!(" /{} ", super::text::fit(q, room)),
            style::title(th),
        ),
        Span::styled("· n/N ", style::muted(th)),
    ])
}

fn hit_style(th: &Theme, current: bool) -> Style {
    match (th.color, current) {
        (true, false) => Style::new().fg(th.bg).bg(th.warn),
        (true, true) => Style::new()
            .fg(th.bg)
            .bg(th.accent)
            .add_modifier(Modifier::BOLD),
        (false, false) => Style::new().add_modifier(Modifier::REVERSED),
        (false, true) => {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD | Modifier::UNDERLINED)
        }
    }
}

/// The rows on screen: from the paused top downwards, or while following the last rows.
fn visible_rows(view: &LogView, width: usize, height: usize, th: &Theme) -> Vec<Line<'static>> {
    let layout = |i: usize| {
        let text = view.line(i).unwrap_or_default();
        let ranges = view.match_ranges(text);
        let hit = hit_style(th, view.is_current_match(i));
        line_rows(text, &ranges, hit, width, view.wrap(), view.h_offset())
    };
    match view.top() {
        Some(top) => {
            let mut rows = Vec::with_capacity(height);
            for i in top..view.len() {
                rows.extend(layout(i));
                if rows.len() >= height {
                    break;
                }
            }
            rows.truncate(height);
            rows
        }
        None => {
            let mut chunks = Vec::new();
            let mut count = 0;
            for i in (0..view.len()).rev() {
                let r = layout(i);
                count += r.len();
                chunks.push(r);
                if count >= height {
                    break;
                }
            }
            let mut rows: Vec<Line<'static>> = chunks.into_iter().rev().flatten().collect();
            let skip = rows.len().saturating_sub(height);
            rows.drain(..skip);
            rows
        }
    }
}

fn char_width(c: char) -> usize {
    let mut buf = [0u8; 4];
    Span::raw(&*c.encode_utf8(&mut buf)).width()
}

/// Lays out one line as rows of `width` columns: wrapped, or cut after skipping `h_offset`
/// columns. Bytes inside `ranges` get `hit`.
fn line_rows(
    text: &str,
    ranges: &[Range<usize>],
    hit: Style,
    width: usize,
    wrap: bool,
    h_offset: usize,
) -> Vec<Line<'static>> {
    let width = width.max(1);
    let mut rows: Vec<Line<'static>> = Vec::new();
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut buf = String::new();
    let mut buf_hit = false;
    let mut col = 0usize; // column within the current row
    let mut logical = 0usize; // column within the whole line
    let mut r = 0usize;
    let flush = |spans: &mut Vec<Span<'static>>, buf: &mut String, is_hit: bool| {
        if !buf.is_empty() {
            let s = std::mem::take(buf);
            spans.push(if is_hit {
                Span::styled(s, hit)
            } else {
                Span::raw(s)
            });
        }
    };
    for (i, c) in text.char_indices() {
        while r < ranges.len() && ranges[r].end <= i {
            r += 1;
        }
        let in_hit = r < ranges.len() && ranges[r].contains(&i);
        let w = char_width(c);
        if wrap {
            if col + w > width && col > 0 {
                flush(&mut spans, &mut buf, buf_hit);
                rows.push(Line::from(std::mem::take(&mut spans)));
                col = 0;
            }
        } else {
            let start = logical;
            logical += w;
            if start < h_offset {
                continue;
            }
            if col + w > width {
                break;
            }
        }
        if in_hit != buf_hit {
            flush(&mut spans, &mut buf, buf_hit);
            buf_hit = in_hit;
        }
        buf.push(c);
        col += w;
    }
    flush(&mut spans, &mut buf, buf_hit);
    rows.push(Line::from(spans));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(rows: &[Line]) -> Vec<String> {
        rows.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn wraps_by_columns_and_counts_wide_chars() {
        let rows = line_rows("abcdefgh", &[], Style::new(), 3, true, 0);
        assert_eq!(texts(&rows), ["abc", "def", "gh"]);
        let rows = line_rows("日本語x", &[], Style::new(), 4, true, 0);
        assert_eq!(texts(&rows), ["日本", "語x"]);
        let rows = line_rows("", &[], Style::new(), 4, true, 0);
        assert_eq!(texts(&rows), [""]);
        // A wide char in a one-column body still makes progress.
        assert_eq!(line_rows("日本", &[], Style::new(), 1, true, 0).len(), 2);
    }

    #[test]
    fn cuts_and_scrolls_sideways_without_wrap() {
        let rows = line_rows("0123456789", &[], Style::new(), 4, false, 0);
        assert_eq!(texts(&rows), ["0123"]);
        let rows = line_rows("0123456789", &[], Style::new(), 4, false, 8);
        assert_eq!(texts(&rows), ["89"]);
        let rows = line_rows("01", &[], Style::new(), 4, false, 40);
        assert_eq!(texts(&rows), [""]);
    }

    #[test]
    fn highlights_exactly_the_matched_bytes() {
        let hit = Style::new().add_modifier(Modifier::REVERSED);
        let rows = line_rows("a FAIL b fail", &[2..6, 9..13], hit, 80, false, 0);
        let spans: Vec<(String, bool)> = rows[0]
            .spans
            .iter()
            .map(|s| (s.content.to_string(), s.style == hit))
            .collect();
        assert_eq!(
            spans,
            [
                ("a ".to_string(), false),
                ("FAIL".to_string(), true),
                (" b ".to_string(), false),
                ("fail".to_string(), true)
            ]
        );
    }
}
