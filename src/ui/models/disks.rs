//! One gauge per filesystem holding a store: used share as a bar with the level's word
//! (the GPU tab's gauges and thresholds style), free and total bytes, and the share the
//! models take. The fullest filesystem comes first, so a small screen still shows it.

use super::super::gpu::gauge::{bar, level_style};
use super::super::style;
use super::super::text::fit;
use crate::app::State;
use crate::app::models::bytes;
use crate::metrics::{Level, Thresholds};
use crate::model::Filesystem;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

pub fn level(state: &State, fs: &Filesystem) -> Level {
    let s = &state.models.settings;
    Thresholds::new(s.disk_warn_pct, s.disk_crit_pct, 0.0).classify(fs.used_pct())
}

/// `/data  ████████··  93 % CRIT  120 GiB free of 1.8 TiB · models 820 GiB (45 %)`, fitted
/// to `width`: the tail shortens first, then the bar goes.
pub fn line(state: &State, fs: &Filesystem, label_w: usize, width: usize) -> Line<'static> {
    let th = &state.theme;
    let lv = level(state, fs);
    let pct = fs
        .used_pct()
        .map_or_else(|| "n/a".to_string(), |p| format!("{p:.0} %"));
    let value = format!("{pct:>5} {:<4}", lv.label());
    let share = if fs.size_bytes > 0 {
        format!(
            " ({:.0} %)",
            fs.models_bytes as f64 * 100.0 / fs.size_bytes as f64
        )
    } else {
        String::new()
    };
    let tails = [
        format!(
            "{} free of {} · models {}{share}",
            bytes(fs.avail_bytes),
            bytes(fs.size_bytes),
            bytes(fs.models_bytes)
        ),
        format!(
            "{} free · models {}",
            bytes(fs.avail_bytes),
            bytes(fs.models_bytes)
        ),
        format!("{} free", bytes(fs.avail_bytes)),
    ];
    let label_w = label_w.min(width / 3).max(1);
    let label = format!("{:<label_w$} ", fit(&fs.mount, label_w));
    let fixed = label.chars().count() + value.chars().count() + 1;
    // The longest tail that leaves a bar of 10 cells, else the shortest with what is left.
    let tail = tails
        .iter()
        .find(|t| fixed + t.chars().count() + 11 <= width)
        .unwrap_or(&tails[2])
        .clone();
    let bar_w = width
        .saturating_sub(fixed + tail.chars().count() + 2)
        .min(30);
    let mut spans = vec![Span::styled(label, style::muted(th))];
    if bar_w >= 4 {
        let ratio = fs.used_pct().map(|p| p / 100.0);
        spans.push(Span::styled(bar(ratio, bar_w), level_style(th, lv)));
        spans.push(Span::raw(" "));
    }
    spans.push(Span::styled(value, level_style(th, lv)));
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    let room = width.saturating_sub(used + 1);
    if room >= 4 {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(fit(&tail, room), style::base(th)));
    }
    Line::from(spans)
}

pub fn render(frame: &mut Frame, area: Rect, boxed: bool, state: &State) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let th = &state.theme;
    let Some(report) = state.models_report() else {
        return;
    };
    let mut fss: Vec<&Filesystem> = report.filesystems.iter().collect();
    fss.sort_by(|a, b| {
        b.used_pct()
            .unwrap_or(-1.0)
            .total_cmp(&a.used_pct().unwrap_or(-1.0))
            .then_with(|| a.mount.cmp(&b.mount))
    });
    let inner = if boxed {
        let block = Block::bordered()
            .border_style(style::border(th))
            .title(Line::styled(" Disks ", style::title(th)));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        inner
    } else {
        area
    };
    let w = inner.width as usize;
    let rows = inner.height as usize;
    let mut lines: Vec<Line> = Vec::new();
    if fss.is_empty() {
        lines.push(Line::styled(
            fit("no filesystem known (df gave nothing for the stores)", w),
            style::muted(th),
        ));
    }
    let label_w = fss
        .iter()
        .map(|f| f.mount.chars().count())
        .max()
        .unwrap_or(1);
    let hidden = fss.len().saturating_sub(rows);
    for (i, fs) in fss.iter().enumerate().take(rows) {
        if hidden > 0 && i + 1 == rows {
            lines.push(Line::styled(
                fit(&format!("+{} more filesystems", hidden + 1), w),
                style::muted(th),
            ));
            break;
        }
        lines.push(line(state, fs, label_w, w));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
