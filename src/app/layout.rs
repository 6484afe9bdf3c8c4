//! Where things are on screen. Rendering draws into these rectangles and `update` uses the
//! same ones to turn a mouse click into a tab or a row, so the two never disagree.

use super::state::Tab;
use ratatui::layout::{Constraint, Layout, Rect};

/// Below this size the header folds into one line and the detail pane goes.
pub const COMPACT_WIDTH: u16 = 60;
pub const COMPACT_HEIGHT: u16 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameLayout {
    pub header: Rect,
    pub tabs: Rect,
    pub body: Rect,
    pub flash: Rect,
    pub hints: Rect,
    pub compact: bool,
}

pub fn frame(area: Rect) -> FrameLayout {
    let compact = area.width < COMPACT_WIDTH || area.height < COMPACT_HEIGHT;
    let header_h = if compact { 1 } else { 2 };
    let [header, tabs, body, flash, hints] = Layout::vertical([
        Constraint::Length(header_h),
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    FrameLayout {
        header,
        tabs,
        body,
        flash,
        hints,
        compact,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnLayout {
    /// The bordered table: one line of border, one of column titles, then rows.
    pub list: Rect,
    pub detail: Option<Rect>,
}

/// Space the detail pane needs to be worth showing.
const DETAIL_MIN: u16 = 10;

pub fn connections(body: Rect, rows: usize) -> ConnLayout {
    if body.height < DETAIL_MIN + 4 {
        return ConnLayout {
            list: body,
            detail: None,
        };
    }
    let wanted = (rows as u16).saturating_add(3);
    let list_h = wanted.clamp(4, body.height - DETAIL_MIN);
    let [list, detail] =
        Layout::vertical([Constraint::Length(list_h), Constraint::Min(0)]).areas(body);
    ConnLayout {
        list,
        detail: Some(detail),
    }
}

/// How many table rows fit in the list rectangle.
pub fn visible_rows(list: Rect) -> usize {
    list.height.saturating_sub(3) as usize
}

/// The first row drawn, so that the selected row is always on screen.
pub fn list_offset(selected: usize, visible: usize) -> usize {
    if visible == 0 {
        0
    } else {
        selected.saturating_sub(visible - 1)
    }
}

/// The screen row of table row `i` (after `offset`), if it is drawn.
pub fn row_at(list: Rect, offset: usize, y: u16) -> Option<usize> {
    let first = list.y.checked_add(2)?;
    if y < first || y >= list.y + list.height.saturating_sub(1) {
        return None;
    }
    Some(offset + (y - first) as usize)
}

/// A tab's label and the columns it covers in the tab bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TabSpan {
    pub tab: Tab,
    pub label: String,
    pub x0: u16,
    pub x1: u16,
}

/// The label sets, most verbose first: full titles, short ones, bare numbers.
fn label_sets() -> [Vec<(Tab, String)>; 3] {
    let labels = |f: fn(Tab) -> String| Tab::ALL.iter().map(|t| (*t, f(*t))).collect::<Vec<_>>();
    [
        labels(|t| format!("{} {}", t.index() + 1, t.title())),
        labels(|t| format!("{} {}", t.index() + 1, t.short_title())),
        labels(|t| format!("{}", t.index() + 1)),
    ]
}

/// Columns a label set takes, one column of padding on either side of each label.
fn set_width(labels: &[(Tab, String)]) -> usize {
    labels.iter().map(|(_, l)| l.chars().count() + 2).sum()
}

/// Full titles when they fit, short ones when not, bare numbers as a last resort. Each
/// label is padded by one column on either side (the active one draws brackets there).
pub fn tab_spans(area: Rect) -> Vec<TabSpan> {
    let candidates = label_sets();
    let chosen = candidates
        .iter()
        .find(|c| set_width(c) <= area.width as usize)
        .unwrap_or(&candidates[2]);
    let mut x = area.x;
    chosen
        .iter()
        .map(|(tab, label)| {
            let w = label.chars().count() as u16 + 2;
            let span = TabSpan {
                tab: *tab,
                label: label.clone(),
                x0: x,
                x1: x.saturating_add(w),
            };
            x = x.saturating_add(w);
            span
        })
        .collect()
}

/// The tab line: the tab labels on the left, the problems bar on the right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TabLine {
    pub tabs: Rect,
    /// Zero width when the bar has nothing to say or no room.
    pub bar: Rect,
}

/// Splits the tab line. The labels keep the most verbose set that still leaves `bar_min`
/// columns (and a one-column gap) to the bar; the bar gets everything right of them.
pub fn tab_line(area: Rect, bar_min: u16) -> TabLine {
    if bar_min == 0 {
        return TabLine {
            tabs: area,
            bar: Rect { width: 0, ..area },
        };
    }
    let sets = label_sets();
    let room = area.width as usize;
    let tabs_w = sets
        .iter()
        .map(|s| set_width(s))
        .find(|w| w + 1 + bar_min as usize <= room)
        .unwrap_or_else(|| set_width(&sets[2]))
        .min(room) as u16;
    let bar_x = area.x + (tabs_w + 1).min(area.width);
    TabLine {
        tabs: Rect {
            width: tabs_w,
            ..area
        },
        bar: Rect {
            x: bar_x,
            width: area.right().saturating_sub(bar_x),
            ..area
        },
    }
}

/// The GPU tab's parts, top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GpuLayout {
    /// Source and static facts (one or two lines).
    pub source: Rect,
    pub gpus: Rect,
    /// Processes, the history chart or the alert list.
    pub lower: Rect,
}

/// Width of a full GPU card; narrower screens get one card per row.
pub const GPU_CARD_WIDTH: u16 = 56;
/// Height of a full card: border, four gauges, clocks, three sparklines.
pub const GPU_CARD_HEIGHT: u16 = 10;
/// Height of a card without sparklines (small screens).
pub const GPU_CARD_COMPACT_HEIGHT: u16 = 7;

/// Narrower than this, one line per GPU says too little: one card at a time instead.
pub const GPU_ROWS_MIN_WIDTH: u16 = 60;

/// How the GPUs are drawn in `gpus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GpuMode {
    /// Every GPU gets a full card, `columns` per row.
    Cards { columns: u16 },
    /// One line per GPU, all of them.
    Rows,
    /// Only the selected GPU, as a card (`[`/`]` to switch).
    One,
}

/// Splits the GPU tab body for `gpu_count` GPUs and picks the mode.
pub fn gpu(body: Rect, gpu_count: usize) -> (GpuLayout, GpuMode) {
    let n = gpu_count.max(1) as u16;
    let source_h = if body.height >= 20 { 2 } else { 1 };
    let rest = body.height.saturating_sub(source_h);
    let columns = (body.width / GPU_CARD_WIDTH).clamp(1, n);
    let card_rows = n.div_ceil(columns);
    // The lower pane keeps at least this much for the process table.
    let lower_min = if rest >= 20 { 8 } else { 4 };
    let (mode, gpus_h) = if card_rows * GPU_CARD_HEIGHT + lower_min <= rest {
        (GpuMode::Cards { columns }, card_rows * GPU_CARD_HEIGHT)
    } else if gpu_count > 1 && body.width >= GPU_ROWS_MIN_WIDTH && n + 3 + lower_min <= rest {
        (GpuMode::Rows, n + 3)
    } else if GPU_CARD_HEIGHT + lower_min <= rest {
        (GpuMode::One, GPU_CARD_HEIGHT)
    } else {
        (GpuMode::One, GPU_CARD_COMPACT_HEIGHT.min(rest))
    };
    let [source, gpus, lower] = Layout::vertical([
        Constraint::Length(source_h),
        Constraint::Length(gpus_h),
        Constraint::Min(0),
    ])
    .areas(body);
    (
        GpuLayout {
            source,
            gpus,
            lower,
        },
        mode,
    )
}

/// Columns of the history chart's plot (the lower pane less its border and the y-axis
/// labels); `LoadGpuHistory` asks the store for that many points.
pub const HISTORY_Y_LABELS: u16 = 7;

pub fn gpu_history_points(body: Rect, gpu_count: usize) -> usize {
    let (l, _) = gpu(body, gpu_count);
    l.lower.width.saturating_sub(2 + HISTORY_Y_LABELS).max(1) as usize
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobsLayout {
    /// Stuck banner and triage checks; zero height when there is none.
    pub banner: Rect,
    /// One line: filter, sort, page position, freshness or error.
    pub status: Rect,
    /// The bordered table (border, column titles, rows); zero height when the detail
    /// pane needs the whole body of a small screen.
    pub table: Rect,
    pub detail: Option<Rect>,
}

/// Wide enough to put the detail pane beside the table rather than under it.
const JOBS_SIDE_BY_SIDE: u16 = 100;

/// Splits the Jobs tab body. `banner_lines` is what the triage banner wants; it never
/// takes more than a third of the body.
pub fn jobs(body: Rect, banner_lines: u16, detail: bool) -> JobsLayout {
    let banner_h = banner_lines.min(body.height / 3);
    let [banner, status, rest] = Layout::vertical([
        Constraint::Length(banner_h),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(body);
    if !detail {
        return JobsLayout {
            banner,
            status,
            table: rest,
            detail: None,
        };
    }
    let (table, pane) = if rest.width >= JOBS_SIDE_BY_SIDE {
        let [t, d] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Min(0)]).areas(rest);
        (t, d)
    } else if rest.height >= 16 {
        let [t, d] = Layout::vertical([Constraint::Length(7), Constraint::Min(0)]).areas(rest);
        (t, d)
    } else {
        (Rect { height: 0, ..rest }, rest)
    };
    JobsLayout {
        banner,
        status,
        table,
        detail: Some(pane),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(w: u16, h: u16) -> Rect {
        frame(Rect::new(0, 0, w, h)).body
    }

    #[test]
    fn tab_line_gives_up_long_titles_only_for_the_bar() {
        let line = |w: u16, min: u16| tab_line(Rect::new(0, 1, w, 1), min);
        let labels = |r: Rect| {
            tab_spans(r)
                .iter()
                .map(|s| s.label.clone())
                .collect::<Vec<_>>()
                .join(",")
        };
        // Nothing to say: the labels have the whole line, as before the bar existed.
        assert_eq!(line(80, 0).tabs.width, 80);
        assert_eq!(line(80, 0).bar.width, 0);
        // A short "no problems" leaves the full titles on 80 columns.
        let l = line(80, 13);
        assert!(
            labels(l.tabs).starts_with("1 Connections"),
            "{}",
            labels(l.tabs)
        );
        assert_eq!((l.bar.x, l.bar.right()), (l.tabs.right() + 1, 80));
        // A bar with findings takes the short titles, then the numbers.
        assert!(labels(line(80, 40).tabs).starts_with("1 Conn,"));
        assert_eq!(labels(line(40, 20).tabs), "1,2,3,4,5");
        // Hit-testing agrees with the drawing: every span lies left of the bar.
        for (w, min) in [(120, 50), (80, 40), (40, 20), (40, 30)] {
            let l = line(w, min);
            for s in tab_spans(l.tabs) {
                assert!(s.x1 < l.bar.x, "{w} {min}");
            }
        }
        // Too narrow for anything: nothing spills past the screen.
        for (w, min) in [(10, 30), (0, 5), (16, 1)] {
            let l = line(w, min);
            assert!(l.tabs.right() <= w && l.bar.right() <= w, "{w} {min}");
        }
    }

    #[test]
    fn gpu_modes_at_the_three_sizes() {
        assert_eq!(gpu(body(120, 40), 1).1, GpuMode::Cards { columns: 1 });
        assert_eq!(gpu(body(120, 40), 2).1, GpuMode::Cards { columns: 2 });
        assert_eq!(gpu(body(120, 40), 8).1, GpuMode::Rows);
        assert_eq!(gpu(body(80, 24), 1).1, GpuMode::Cards { columns: 1 });
        assert_eq!(gpu(body(80, 24), 2).1, GpuMode::Rows);
        assert_eq!(gpu(body(80, 24), 8).1, GpuMode::Rows);
        for n in [1, 2, 8] {
            assert_eq!(gpu(body(40, 15), n).1, GpuMode::One);
        }
    }

    #[test]
    fn jobs_parts_stay_inside_the_body_at_any_size() {
        for (w, h) in [
            (0, 0),
            (1, 1),
            (10, 3),
            (40, 15),
            (80, 24),
            (120, 40),
            (300, 100),
        ] {
            let b = body(w, h);
            for (lines, detail) in [(0, false), (4, false), (4, true), (30, true)] {
                let l = jobs(b, lines, detail);
                let mut parts = vec![l.banner, l.status, l.table];
                parts.extend(l.detail);
                for r in parts {
                    assert!(
                        r.bottom() <= b.bottom() && r.right() <= b.right(),
                        "{w}x{h} lines={lines} detail={detail}"
                    );
                }
                assert!(l.banner.height <= b.height / 3);
            }
        }
    }

    #[test]
    fn gpu_parts_stay_inside_the_body_at_any_size() {
        for (w, h) in [(0, 0), (1, 1), (10, 3), (40, 15), (200, 8), (300, 100)] {
            let b = body(w, h);
            for n in [0, 1, 3, 16] {
                let (l, _) = gpu(b, n);
                for r in [l.source, l.gpus, l.lower] {
                    assert!(
                        r.bottom() <= b.bottom() && r.right() <= b.right(),
                        "{w}x{h} n={n}"
                    );
                }
            }
        }
    }
}
