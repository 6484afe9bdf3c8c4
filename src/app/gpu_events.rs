//! How collector events, store answers and signal results change the GPU tab: samples feed
//! the rings, levels and alert trackers; an alert that changes leaves as an effect.

use super::alerts::{AlertChange, AlertRow};
use super::effect::Effect;
use super::gpu::{GpuMetric, GpuTrack, HistoryPoint, HistoryRange};
use super::msg::FlashLevel;
use super::state::State;
use crate::model::{GpuEvent, GpuSample, MemoryKind};

/// Apply one collector event for connection `name`. Stale generations are dropped.
pub fn on_event(state: &mut State, name: String, generation: u64, event: GpuEvent) -> Vec<Effect> {
    let newest = state.gpu.generations.get(&name).copied().unwrap_or(0);
    if generation < newest {
        return Vec::new();
    }
    state.gpu.generations.insert(name.clone(), generation);
    state.dirty = true;
    let view = state.gpu.views.entry(name.clone()).or_default();
    match event {
        GpuEvent::Source(s) => view.source = Some(s),
        GpuEvent::Static(s) => view.statics = s,
        GpuEvent::Processes(p) => view.processes = p,
        GpuEvent::HostMemory(h) => view.host_memory = Some(h),
        GpuEvent::Samples { at, samples } => return on_samples(state, name, at, samples),
    }
    Vec::new()
}

fn on_samples(state: &mut State, name: String, at: f64, samples: Vec<GpuSample>) -> Vec<Effect> {
    let cap = state.gpu.ring_capacity();
    let settings = state.gpu.settings.clone();
    let thresholds = [
        settings.utilization(),
        settings.memory(),
        settings.temperature(),
    ];
    let Some(view) = state.gpu.views.get_mut(&name) else {
        return Vec::new();
    };
    view.samples = samples;
    view.sampled_at = Some(at);
    let mut changes = Vec::new();
    for sample in &view.samples {
        let mem = view.memory(sample);
        let mem_pct = view.memory_pct(sample);
        let values = [sample.utilization_pct, mem_pct, sample.temperature_c];
        let track = view
            .tracks
            .entry(sample.index)
            .or_insert_with(|| GpuTrack::new(cap));
        track.utilization.push(sample.utilization_pct);
        track.memory.push(match mem.kind {
            MemoryKind::Dedicated => mem_pct,
            MemoryKind::Unified => mem.gpu_resident_bytes.map(|b| b as f64 / GIB),
        });
        track.power.push(sample.power_w);
        for (i, t) in thresholds.iter().enumerate() {
            track.levels[i] = t.level(values[i], track.levels[i]);
            if let Some(c) =
                track.alerts[i].observe(track.levels[i], values[i], settings.alert_after_samples)
            {
                changes.push((sample.index, GpuMetric::ALERTING[i], c, t.crit));
            }
        }
    }
    let mut fx = Vec::new();
    for (gpu_index, metric, change, crit) in changes {
        fx.push(alert_effect(
            state, &name, gpu_index, metric, change, crit, at as i64,
        ));
    }
    fx
}

const GIB: f64 = (1u64 << 30) as f64;

fn alert_effect(
    state: &mut State,
    name: &str,
    gpu_index: u32,
    metric: GpuMetric,
    change: AlertChange,
    crit: f64,
    at: i64,
) -> Effect {
    let after = state.gpu.settings.alert_after_samples;
    match change {
        AlertChange::Raised { peak } => {
            let message = format!(
                "{name} GPU {gpu_index}: {} above {crit} {} for {after} samples (peak {peak:.0} {})",
                metric.as_str(),
                metric.unit(),
                metric.unit()
            );
            state.gpu.alerts.insert(
                0,
                AlertRow {
                    name: name.to_string(),
                    gpu_index,
                    metric,
                    raised_at: at,
                    cleared_at: None,
                    peak,
                    message: message.clone(),
                },
            );
            state.flash(FlashLevel::Warn, format!("alert: {message}"));
            Effect::AlertRaised {
                name: name.to_string(),
                gpu_index,
                metric,
                peak,
                message,
            }
        }
        AlertChange::Cleared => {
            if let Some(row) = state.gpu.alerts.iter_mut().find(|r| {
                r.name == name
                    && r.gpu_index == gpu_index
                    && r.metric == metric
                    && r.cleared_at.is_none()
            }) {
                row.cleared_at = Some(at);
            }
            state.flash(
                FlashLevel::Info,
                format!(
                    "cleared: {name} GPU {gpu_index} {} is back below {crit} {}",
                    metric.as_str(),
                    metric.unit()
                ),
            );
            Effect::AlertCleared {
                name: name.to_string(),
                gpu_index,
                metric,
            }
        }
    }
}

/// The alert list from the store replaces the one on screen, keeping alerts raised in this
/// session that the store has not written back yet.
pub fn on_alerts(state: &mut State, rows: Vec<AlertRow>) {
    let mut merged = rows;
    for local in &state.gpu.alerts {
        let known = merged.iter().any(|r| {
            r.name == local.name
                && r.gpu_index == local.gpu_index
                && r.metric == local.metric
                && r.raised_at == local.raised_at
        });
        if !known {
            merged.push(local.clone());
        }
    }
    merged.sort_by_key(|r| std::cmp::Reverse(r.raised_at));
    state.gpu.alerts = merged;
    state.dirty = true;
}

/// Store the answer to `LoadGpuHistory` if it is for the chart on screen.
pub fn on_history(
    state: &mut State,
    name: String,
    gpu_index: u32,
    metric: GpuMetric,
    range: HistoryRange,
    points: Vec<HistoryPoint>,
) {
    if let Some(h) = &mut state.gpu.history
        && h.name == name
        && h.gpu_index == gpu_index
        && h.metric == metric
        && h.range == range
    {
        h.points = Some(points);
        state.dirty = true;
    }
}

pub fn on_terminated(state: &mut State, name: String, pid: u32, result: Result<(), String>) {
    let force = state
        .gpu
        .pending
        .remove(&(name.clone(), pid))
        .unwrap_or(false);
    let signal = if force { "SIGKILL" } else { "SIGTERM" };
    match result {
        Ok(()) if force => {
            state.gpu.sigterm_sent = None;
            state.flash(
                FlashLevel::Info,
                format!("sent {signal} to pid {pid} on {name}"),
            );
        }
        Ok(()) => state.flash(
            FlashLevel::Info,
            format!(
                "sent {signal} to pid {pid} on {name}; if it does not exit, terminate again for SIGKILL"
            ),
        ),
        Err(e) => {
            if !force {
                state.gpu.sigterm_sent = None;
            }
            state.flash(
                FlashLevel::Error,
                format!("could not send {signal} to pid {pid} on {name}: {e}"),
            );
        }
    }
}
