//! The GPU tab: where the figures come from, one card (or row) per GPU, and below them the
//! process table, the history chart or the alert list. Always the active connection's data.

mod alerts;
mod cards;
pub(in crate::ui) mod gauge;
mod history;
mod processes;

use super::style;
use super::text::fit;
use crate::app::State;
use crate::app::gpu::GpuView;
use crate::app::layout::{self, GpuMode};
use crate::model::GpuSourceState;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Padding, Paragraph, Wrap};

pub fn render(frame: &mut Frame, area: Rect, state: &State, now: i64) {
    let Some(name) = state.active.as_deref() else {
        return message(
            frame,
            area,
            state,
            vec!["No active connection: pick one on the Connections tab (enter).".into()],
        );
    };
    let Some(view) = state.gpu.views.get(name) else {
        return message(
            frame,
            area,
            state,
            vec![format!(
                "Waiting for GPU data from '{name}' ({}).",
                conn_word(state, name)
            )],
        );
    };
    if let Some(GpuSourceState::NoGpu {
        nvml_error,
        smi_error,
    }) = &view.source
    {
        let nvml = nvml_error.as_deref().unwrap_or("not tried (remote host)");
        return message(
            frame,
            area,
            state,
            vec![
                format!("no NVIDIA GPU found on '{name}' — NVML: {nvml}; nvidia-smi: {smi_error}"),
                String::new(),
                "Nothing is shown rather than made-up figures. Check the driver (nvidia-smi on \
                 that host) and refresh."
                    .into(),
            ],
        );
    }
    let (l, mode) = layout::gpu(area, view.samples.len());
    source_lines(frame, l.source, state, view, now);
    if view.samples.is_empty() {
        message(
            frame,
            l.gpus.union(l.lower),
            state,
            vec![format!("Waiting for the first GPU sample from '{name}'.")],
        );
        return;
    }
    match mode {
        GpuMode::Cards { columns } => {
            let n = view.samples.len();
            let rows = n.div_ceil(columns as usize);
            let row_areas =
                Layout::vertical(vec![Constraint::Length(layout::GPU_CARD_HEIGHT); rows])
                    .split(l.gpus);
            for (r, row) in row_areas.iter().enumerate() {
                let cols =
                    Layout::horizontal(vec![Constraint::Fill(1); columns as usize]).split(*row);
                for (c, cell) in cols.iter().enumerate() {
                    let pos = r * columns as usize + c;
                    if pos < n {
                        cards::card(frame, *cell, state, view, pos, false, true);
                    }
                }
            }
        }
        GpuMode::Rows => cards::rows(frame, l.gpus, state, view),
        GpuMode::One => {
            let sparks = l.gpus.height >= layout::GPU_CARD_HEIGHT;
            let marker = view.samples.len() > 1;
            cards::card(
                frame,
                l.gpus,
                state,
                view,
                state.gpu_selected(),
                marker,
                sparks,
            );
        }
    }
    if l.lower.height < 3 {
        return;
    }
    match &state.gpu.history {
        Some(h) => history::render(frame, l.lower, state, h),
        None if state.gpu.show_alerts => alerts::render(frame, l.lower, state, now),
        None => processes::render(frame, l.lower, state),
    }
}

fn conn_word(state: &State, name: &str) -> &'static str {
    use crate::model::ConnState;
    match state.conn_states.get(name) {
        Some(ConnState::Connected { .. }) => "connected",
        Some(ConnState::Connecting { .. }) => "connecting",
        Some(ConnState::Reconnecting { .. }) => "reconnecting",
        Some(ConnState::Error { .. }) => "connection failed",
        Some(ConnState::Disconnected) => "not connected",
        None => "local",
    }
}

fn source_text(view: &GpuView, narrow: bool) -> (String, bool) {
    match &view.source {
        None => ("source: starting".into(), false),
        Some(GpuSourceState::Nvml) => ("source: NVML".into(), false),
        Some(GpuSourceState::NvidiaSmiLocal { nvml_error }) => {
            (format!("source: nvidia-smi (NVML: {nvml_error})"), false)
        }
        Some(GpuSourceState::NvidiaSmiStream) => ("source: nvidia-smi stream".into(), false),
        Some(GpuSourceState::Restarting { reason, attempt }) if narrow => {
            (format!("stream restart #{attempt}: {reason}"), true)
        }
        Some(GpuSourceState::Restarting { reason, attempt }) => (
            format!("restarting nvidia-smi stream (attempt {attempt}): {reason}"),
            true,
        ),
        Some(GpuSourceState::NoGpu { smi_error, .. }) => {
            (format!("no NVIDIA GPU found: {smi_error}"), true)
        }
    }
}

fn facts(view: &GpuView) -> String {
    let Some(s) = view.statics.first() else {
        return String::new();
    };
    let mut parts = Vec::new();
    if let Some(d) = &s.driver_version {
        parts.push(format!("driver {d}"));
    }
    if let Some(c) = &s.cuda_version {
        parts.push(format!("CUDA {c}"));
    }
    if let Some(a) = &s.architecture {
        parts.push(a.clone());
    }
    if let Some(p) = s.persistence_mode {
        parts.push(format!("persistence {}", if p { "on" } else { "off" }));
    }
    if let Some(m) = &s.addressing_mode {
        parts.push(format!("addressing {m}"));
    }
    if s.mig_enabled == Some(true) {
        parts.push("MIG on".into());
    }
    parts.join(" · ")
}

fn source_lines(frame: &mut Frame, area: Rect, state: &State, view: &GpuView, now: i64) {
    let th = &state.theme;
    let (src, bad) = source_text(view, area.width < 60);
    let mut spans = Vec::new();
    // First, so a narrow screen never cuts it: these figures are not live.
    if let Some(age) = state.gpu_stale_age(now) {
        spans.push(Span::styled(
            format!(
                "STALE: last sample {} ago, connection lost · ",
                crate::app::ago::short(now - age, now)
            ),
            style::warn(th),
        ));
    }
    spans.push(Span::styled(
        src,
        if bad {
            style::warn(th)
        } else {
            style::muted(th)
        },
    ));
    let facts = facts(view);
    let mut lines = vec![Line::from(spans)];
    if !facts.is_empty() {
        if area.height >= 2 {
            lines.push(Line::styled(
                fit(&facts, area.width as usize),
                style::muted(th),
            ));
        } else {
            lines[0]
                .spans
                .push(Span::styled(format!(" · {facts}"), style::muted(th)));
        }
    }
    let p = Paragraph::new(lines);
    frame.render_widget(
        p,
        Rect {
            x: area.x + 1,
            width: area.width.saturating_sub(1),
            ..area
        },
    );
}

fn message(frame: &mut Frame, area: Rect, state: &State, text: Vec<String>) {
    let th = &state.theme;
    let block = Block::bordered()
        .border_style(style::border(th))
        .padding(Padding::horizontal(1))
        .title(Line::styled(" GPU ", style::title(th)));
    let lines: Vec<Line> = text
        .into_iter()
        .map(|t| Line::styled(t, style::base(th)))
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        area,
    );
}
