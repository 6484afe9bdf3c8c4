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
    // The position goes first so a narrow title never cuts it off.
    let mut t = match marker {
        Some((i, n)) => format!(" GPU {} ({}/{n}) · {name}", sample.index, i + 1),
        None => format!(" GPU {} · {name}", sample.index),
    };
    if let Some(p) = &sample.pstate {
        t.push_str(&format!(" · {p}"));
    }
    t.push(' ');
    t
}

/// The memory line(s) of a card: a gauge on a dedicated GPU; on a unified one the
/// GPU-resident sum, the allocatable headroom and the pressure, on two lines when narrow.
fn memory_lines(state: &State, mem: &MemoryView, lvl: Level, width: usize) -> Vec<Line<'static>> {
    let th = &state.theme;
    match mem.kind {
        MemoryKind::Dedicated => {
            let value = match (mem.used_bytes, mem.total_bytes) {
                (Some(u), Some(t)) => format!("{} / {} {}", gib(u), gib(t), pct(mem.used_pct())),
                (Some(u), None) => gib(u),
                _ => "n/a".into(),
            };
            vec![line(
                th,
                "mem",
                mem.used_pct().map(|p| p / 100.0),
                value,
                Some(lvl),
                width,
            )]
        }
        MemoryKind::Unified => {
            // No framebuffer: what the GPU holds and what can still be allocated, not a bar.
            let resident = mem.gpu_resident_bytes.map_or("n/a".into(), gib);
            let headroom = mem.headroom_bytes.map_or("n/a".into(), gib);
            let psi = mem
                .pressure_pct
                .map_or("n/a".into(), |p| format!("{p:.1} %"));
            let first = format!("GPU-resident {resident}");
            let second = format!("headroom {headroom} · pressure {psi}");
            let short = format!("headroom {headroom} · PSI {psi}");
            let room = width.saturating_sub(14);
            let head = |text: String| {
                Line::from(vec![
                    Span::styled("mem   ", style::muted(th)),
                    Span::styled("unified ", style::accent(th)),
                    Span::styled(fit(&text, room), style::base(th)),
                ])
            };
            let one = format!("{first} · {second}");
            if one.chars().count() <= room {
                vec![head(one)]
            } else {
                vec![
                    head(first),
                    Line::styled(fit(&format!("      {short}"), width), style::base(th)),
                ]
            }
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
                &format!(
                    "{}{}",
                    // A shape as well as the border colour marks the selected card.
                    if selected && n > 1 && !marker {
                        "▶"
                    } else {
                        ""
                    },
                    title(sample, marker.then_some((pos, n)))
                ),
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
    let mut lines = vec![line(
        th,
        "util",
        sample.utilization_pct.map(|u| u / 100.0),
        pct(sample.utilization_pct),
        Some(level(track, GpuMetric::Utilization)),
        w,
    )];
    lines.extend(memory_lines(
        state,
        &mem,
        level(track, GpuMetric::Memory),
        w,
    ));
    lines.extend([
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
    ]);
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

/// A column of the GPU table, in the order columns are given up when narrow.
struct Col {
    title: &'static str,
    width: usize,
    /// Display order, left to right.
    order: u8,
}

/// Every GPU on one line each, the selected one marked; for boxes with many GPUs.
pub fn rows(frame: &mut Frame, area: Rect, state: &State, view: &GpuView) {
    let th = &state.theme;
    let sel = state.gpu_selected();
    let n = view.samples.len();
    let block = Block::bordered()
        .border_style(style::border(th))
        .title(Line::styled(
            format!(" GPUs ({n}) · selected {}/{n} ", sel + 1),
            style::title(th),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = inner.width as usize;
    // Most important first: what is dropped on a narrow screen comes last.
    let wanted = [
        Col {
            title: "#",
            width: 4,
            order: 0,
        },
        Col {
            title: "util",
            width: 11,
            order: 2,
        },
        Col {
            title: "mem",
            width: 14,
            order: 3,
        },
        Col {
            title: "temp",
            width: 12,
            order: 4,
        },
        Col {
            title: "power",
            width: 15,
            order: 5,
        },
        Col {
            title: "name",
            width: 22,
            order: 1,
        },
        Col {
            title: "clocks SM / mem",
            width: 17,
            order: 6,
        },
    ];
    let mut used = 0;
    let mut cols: Vec<&Col> = Vec::new();
    for c in &wanted {
        if used + c.width <= w {
            used += c.width;
            cols.push(c);
        }
    }
    cols.sort_by_key(|c| c.order);
    let pad = |t: &str, width: usize| format!("{:<width$}", fit(t, width.saturating_sub(1)));
    let header: String = cols.iter().map(|c| pad(c.title, c.width)).collect();
    let mut lines = vec![Line::styled(header, style::muted(th))];
    for (pos, s) in view.samples.iter().enumerate() {
        let track = view.tracks.get(&s.index);
        let mem = view.memory(s);
        let mut spans = Vec::new();
        for c in &cols {
            let cued = |text: String, lvl: Level| {
                let tw = c.width.saturating_sub(6);
                vec![
                    Span::styled(format!("{:>tw$} ", fit(&text, tw)), style::base(th)),
                    Span::styled(format!("{:<5}", lvl.label()), level_style(th, lvl)),
                ]
            };
            match c.title {
                "#" => spans.push(Span::styled(
                    format!("{}{:<3}", if pos == sel { "▶" } else { " " }, s.index),
                    style::accent(th),
                )),
                "name" => spans.push(Span::styled(
                    pad(s.name.as_deref().unwrap_or("unknown GPU"), c.width),
                    style::base(th),
                )),
                "util" => spans.extend(cued(
                    pct(s.utilization_pct),
                    level(track, GpuMetric::Utilization),
                )),
                "mem" => {
                    let text = match mem.kind {
                        MemoryKind::Dedicated => pct(mem.used_pct()),
                        MemoryKind::Unified => {
                            format!("U {}", mem.gpu_resident_bytes.map_or("n/a".into(), gib))
                        }
                    };
                    spans.extend(cued(text, level(track, GpuMetric::Memory)));
                }
                "temp" => spans.extend(cued(
                    gauge::opt(s.temperature_c.map(|t| format!("{t:.0}")), " °C"),
                    level(track, GpuMetric::Temperature),
                )),
                "power" => spans.push(Span::styled(
                    format!(
                        "{:>w$} ",
                        gauge::power(s.power_w, view.power_limit(s)),
                        w = c.width - 1
                    ),
                    style::base(th),
                )),
                _ => spans.push(Span::styled(
                    format!(
                        " {} / {}",
                        gauge::opt(s.clock_sm_mhz.or(s.clock_graphics_mhz), ""),
                        gauge::opt(s.clock_memory_mhz, " MHz")
                    ),
                    style::muted(th),
                )),
            }
        }
        let mut l = Line::from(spans);
        if pos == sel {
            l = l.patch_style(ratatui::style::Modifier::BOLD);
        }
        lines.push(l);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
