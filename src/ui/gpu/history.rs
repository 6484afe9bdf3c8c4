//! The history chart (`h`): min / avg / max of one metric of one GPU over 1 h to 7 d.

use super::super::style;
use super::super::text::fit;
use crate::app::State;
use crate::app::gpu::{GpuMetric, HistoryRange, HistoryView};
use crate::app::layout::HISTORY_Y_LABELS;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Paragraph};

/// The title: every metric and range with the chosen ones bracketed (so it reads without
/// colour); only the chosen ones when the pane is narrow.
fn selector(state: &State, h: &HistoryView, width: u16) -> Line<'static> {
    let th = &state.theme;
    if width < 84 {
        return Line::styled(
            format!(
                " History · GPU {} · {} · {} ",
                h.gpu_index,
                h.metric.as_str(),
                h.range.label()
            ),
            style::title(th),
        );
    }
    let mut spans = vec![Span::styled(
        format!(" History · GPU {} · ", h.gpu_index),
        style::title(th),
    )];
    let mark = |on: bool, t: &str| {
        if on { format!("[{t}]") } else { t.to_string() }
    };
    for m in GpuMetric::ALL {
        let st = if m == h.metric {
            style::selected(th)
        } else {
            style::muted(th)
        };
        spans.push(Span::styled(mark(m == h.metric, m.as_str()), st));
        spans.push(Span::raw(" "));
    }
    spans.push(Span::raw("· "));
    for r in HistoryRange::ALL {
        let st = if r == h.range {
            style::selected(th)
        } else {
            style::muted(th)
        };
        spans.push(Span::styled(mark(r == h.range, r.label()), st));
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}

pub fn render(frame: &mut Frame, area: Rect, state: &State, h: &HistoryView) {
    let th = &state.theme;
    let block = Block::bordered()
        .border_style(style::border(th))
        .title(selector(state, h, area.width));
    let points = match &h.points {
        None => {
            let p = Paragraph::new(Line::styled("loading history…", style::muted(th)));
            frame.render_widget(p.block(block), area);
            return;
        }
        Some(p) => p,
    };
    let series = |f: fn(&crate::app::gpu::HistoryPoint) -> Option<f64>| -> Vec<(f64, f64)> {
        points
            .iter()
            .filter_map(|p| f(p).map(|v| ((p.t - h.since) as f64, v)))
            .collect()
    };
    let (min, avg, max) = (series(|p| p.min), series(|p| p.avg), series(|p| p.max));
    if avg.is_empty() && max.is_empty() {
        let p = Paragraph::new(Line::styled(
            format!(
                "no history yet (GPU {} {}, last {})",
                h.gpu_index,
                h.metric.as_str(),
                h.range.label()
            ),
            style::muted(th),
        ));
        frame.render_widget(p.block(block), area);
        return;
    }
    let top = max
        .iter()
        .chain(&avg)
        .map(|(_, v)| *v)
        .fold(0.0_f64, f64::max);
    let y_max = match h.metric {
        GpuMetric::Utilization => 100.0,
        _ => (top * 1.1).max(1.0),
    };
    let unit = h.metric.history_unit();
    let y_label = |v: f64| fit(&format!("{v:.0} {unit}"), HISTORY_Y_LABELS as usize - 1);
    let span = (h.until - h.since).max(1) as f64;
    let datasets = vec![
        Dataset::default()
            .name("max")
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(style::crit(th))
            .data(&max),
        Dataset::default()
            .name("avg")
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(style::accent(th))
            .data(&avg),
        Dataset::default()
            .name("min")
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(style::ok(th))
            .data(&min),
    ];
    // The key sits on the bottom border, not in the plot: the default top-right legend
    // covered the newest points of any metric scaled to its own maximum (they plot at 91 %
    // height, right under it), so a steady temperature or power line looked like no data.
    let key = Line::from(vec![
        Span::raw(" "),
        Span::styled("max", style::crit(th)),
        Span::raw(" · "),
        Span::styled("avg", style::accent(th)),
        Span::raw(" · "),
        Span::styled("min", style::ok(th)),
        Span::raw(" "),
    ]);
    let chart = Chart::new(datasets)
        .block(block.title_bottom(key))
        .legend_position(None)
        .x_axis(
            Axis::default()
                .bounds([0.0, span])
                .labels([format!("-{}", h.range.label()), "now".to_string()])
                .style(style::muted(th)),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, y_max])
                .labels([y_label(0.0), y_label(y_max)])
                .style(style::muted(th)),
        );
    frame.render_widget(chart, area);
}
