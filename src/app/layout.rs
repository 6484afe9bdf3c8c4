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

/// Full titles when they fit, short ones when not, bare numbers as a last resort. Each
/// label is padded by one column on either side (the active one draws brackets there).
pub fn tab_spans(area: Rect) -> Vec<TabSpan> {
    let labels = |f: fn(Tab) -> String| Tab::ALL.iter().map(|t| (*t, f(*t))).collect::<Vec<_>>();
    let candidates = [
        labels(|t| format!("{} {}", t.index() + 1, t.title())),
        labels(|t| format!("{} {}", t.index() + 1, t.short_title())),
        labels(|t| format!("{}", t.index() + 1)),
    ];
    let fits = |ls: &Vec<(Tab, String)>| {
        ls.iter().map(|(_, l)| l.chars().count() + 2).sum::<usize>() <= area.width as usize
    };
    let chosen = candidates
        .iter()
        .find(|c| fits(c))
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
