//! GPU cards (gauges and sparklines) and the one-line-per-GPU table for many GPUs.

use super::super::style;
use super::super::text::fit;
use super::gauge::{self, gib, level_style, line, pct, spark};
use crate::app::State;
use crate::app::gpu::{GpuMetric, GpuTrack, GpuView};
use crate::metrics::{Level, MemoryView};
use crate::model::{GpuSample, MemoryKind};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Padding, Paragraph};

fn level(track: Option<&GpuTrack>, m: GpuMetric) -> Level {
    track.map_or(Level::Unknown, |t| t.level(m))
}

fn title(sample: &GpuSample, marker: Option<(usize, usize)>) -> String {
    let name = sample.name.as_deref().unwrap_or("unknown GPU");
    let mut t = format!(" GPU {} · {name}", sample.index);
    if let Some(p) = &sample.pstate {
        t.push_str(&format!(" · {p}"));
    }
    if let Some((i, n)) = marker {
        t.push_str(&format!(" · {}/{n}", i + 1));
    }
    t.push(' ');
    t
}

fn memory_line(state: &State, mem: &MemoryView, lvl: Level, width: usize) -> Line<'static> {
    let th = &state.theme;
    match mem.kind {
        MemoryKind::Dedicated => {
            let value = match (mem.used_bytes, mem.total_bytes) {
                (Some(u), Some(t)) => format!("{} / {} {}", gib(u), gib(t), pct(mem.used_pct())),
                (Some(u), None) => gib(u),
                _ => "n/a".into(),
            };
            line(
                th,
                "mem",
                mem.used_pct().map(|p| p / 100.0),
                value,
                Some(lvl),
                width,
            )
        }
        MemoryKind::Unified => {
            // No framebuffer: what the GPU holds and what can still be allocated, not a bar.
            let resident = mem.gpu_resident_bytes.map_or("n/a".into(), gib);
            let headroom = mem.headroom_bytes.map_or("n/a".into(), gib);
            let psi = mem
                .pressure_pct
                .map_or("n/a".into(), |p| format!("{p:.1} %"));
            let text = format!("resident {resident} · free {headroom} · PSI {psi}");
            Line::from(vec![
                Span::styled("mem   ", style::muted(th)),
                Span::styled("unified ", style::accent(th)),
                Span::styled(fit(&text, width.saturating_sub(14)), style::base(th)),
            ])
        }
    }
}

fn clocks(sample: &GpuSample) -> String {
    let sm = sample.clock_sm_mhz.or(sample.clock_graphics_mhz);
    format!(
        "SM {} · mem {}",
        gauge::opt(sm, " MHz"),
        gauge::opt(sample.clock_memory_mhz, " MHz")
    )
}

/// One GPU as a card. `sparks` adds the utilisation, memory and power sparklines.
pub fn card(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    view: &GpuView,
    pos: usize,
    marker: bool,
    sparks: bool,
) {
    let th = &state.theme;
    let Some(sample) = view.samples.get(pos) else {
        return;
    };
    let n = view.samples.len();
    let selected = marker || (n > 1 && pos == state.gpu_selected());
    let block = Block::bordered()
        .border_style(if selected && n > 1 {
            style::accent(th)
        } else {
            style::border(th)
        })
        .padding(Padding::horizontal(1))
        .title(Line::styled(
            fit(
                &title(sample, marker.then_some((pos, n))),
                area.width.saturating_sub(2) as usize,
            ),
            style::title(th),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let track = view.tracks.get(&sample.index);
    let mem = view.memory(sample);
    let limit = view.power_limit(sample);
    let mut lines = vec![
        line(
            th,
            "util",
            sample.utilization_pct.map(|u| u / 100.0),
            pct(sample.utilization_pct),
            Some(level(track, GpuMetric::Utilization)),
            w,
        ),
        memory_line(state, &mem, level(track, GpuMetric::Memory), w),
        line(
            th,
            "temp",
            sample.temperature_c.map(|t| t / 100.0),
            gauge::opt(sample.temperature_c.map(|t| format!("{t:.0}")), " °C"),
            Some(level(track, GpuMetric::Temperature)),
            w,
        ),
        line(
            th,
            "power",
            sample.power_w.zip(limit).map(|(p, l)| p / l),
            gauge::power(sample.power_w, limit),
            None,
            w,
        ),
        Line::from(vec![
            Span::styled("clock ", style::muted(th)),
            Span::styled(fit(&clocks(sample), w.saturating_sub(6)), style::base(th)),
        ]),
    ];
    if sparks && let Some(t) = track {
        let sw = w.saturating_sub(6);
        let values = |r: &crate::app::gpu::Ring| r.values().collect::<Vec<_>>();
        let mem_vals = values(&t.memory);
        let mem_max = match mem.kind {
            MemoryKind::Dedicated => 100.0,
            MemoryKind::Unified => mem_vals.iter().flatten().copied().fold(0.0, f64::max),
        };
        let pw = values(&t.power);
        let p_max = limit.unwrap_or_else(|| pw.iter().flatten().copied().fold(0.0, f64::max));
        for (label, vals, max, lvl) in [
            (
                "util",
                values(&t.utilization),
                100.0,
                t.level(GpuMetric::Utilization),
            ),
            ("mem", mem_vals, mem_max, t.level(GpuMetric::Memory)),
            ("power", pw, p_max, Level::Unknown),
        ] {
            let st = if lvl == Level::Unknown {
                ratatui::style::Style::new().fg(th.power)
            } else {
                level_style(th, lvl)
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{label:<5} "), style::muted(th)),
                Span::styled(spark(&vals, max, sw), st),
            ]));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Every GPU on one line each, the selected one marked; for boxes with many GPUs.
pub fn rows(frame: &mut Frame, area: Rect, state: &State, view: &GpuView) {
    let th = &state.theme;
    let sel = state.gpu_selected();
    let block = Block::bordered()
        .border_style(style::border(th))
        .title(Line::styled(
            format!(
                " GPUs ({}) · GPU {}/{} ",
                view.samples.len(),
                sel + 1,
                view.samples.len()
            ),
            style::title(th),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    let mut lines = vec![Line::styled(
        fit(
            "  #  name                    util        mem             temp        power         clocks SM / mem",
            w,
        ),
        style::muted(th),
    )];
    for (pos, s) in view.samples.iter().enumerate() {
        let track = view.tracks.get(&s.index);
        let mem = view.memory(s);
        let cell = |text: String, lvl: Level, wid: usize| {
            vec![
                Span::styled(format!("{text:>wid$} "), style::base(th)),
                Span::styled(format!("{:<5}", lvl.label()), level_style(th, lvl)),
            ]
        };
        let mem_text = match mem.kind {
            MemoryKind::Dedicated => match mem.used_pct() {
                Some(p) => format!("{} {p:.0}%", mem.used_bytes.map_or("n/a".into(), gib)),
                None => "n/a".into(),
            },
            MemoryKind::Unified => format!(
                "unified {}",
                mem.gpu_resident_bytes.map_or("n/a".into(), gib)
            ),
        };
        let name = s.name.as_deref().unwrap_or("unknown GPU");
        let mark = if pos == sel { "▶" } else { " " };
        let mut spans = vec![
            Span::styled(format!("{mark}{:>2}  ", s.index), style::accent(th)),
            Span::styled(format!("{:<22}  ", fit(name, 22)), style::base(th)),
        ];
        spans.extend(cell(
            pct(s.utilization_pct),
            level(track, GpuMetric::Utilization),
            5,
        ));
        spans.extend(cell(mem_text, level(track, GpuMetric::Memory), 14));
        spans.extend(cell(
            gauge::opt(s.temperature_c.map(|t| format!("{t:.0}")), " °C"),
            level(track, GpuMetric::Temperature),
            5,
        ));
        spans.push(Span::styled(
            format!("{:>13}  ", gauge::power(s.power_w, view.power_limit(s))),
            style::base(th),
        ));
        spans.push(Span::styled(
            format!(
                "{} / {}",
                gauge::opt(s.clock_sm_mhz.or(s.clock_graphics_mhz), ""),
                gauge::opt(s.clock_memory_mhz, " MHz")
            ),
            style::muted(th),
        ));
        let mut l = Line::from(spans);
        if pos == sel {
            l = l.patch_style(ratatui::style::Modifier::BOLD);
        }
        lines.push(l);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
