//! GPU tab state: the latest data of every connection (so switching is instant and a lost
//! connection keeps its last figures), sparkline rings, threshold levels with hysteresis,
//! alerts, the process selection and the history view. `update` drives it through
//! `gpu_events` (data) and `gpu_keys` (the tab's actions).

use super::alerts::{AlertRow, AlertTracker};
use super::state::State;
use crate::config::GpuSettings;
use crate::metrics::{Level, MemoryView, memory_view};
use crate::model::{GpuProcess, GpuSample, GpuSourceState, GpuStatic, HostMemory, MemoryKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use tui_input::Input;

/// A metric the tab colours, alerts on and charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GpuMetric {
    Utilization,
    Memory,
    Temperature,
    Power,
}

impl GpuMetric {
    pub const ALL: [GpuMetric; 4] = [
        GpuMetric::Utilization,
        GpuMetric::Memory,
        GpuMetric::Temperature,
        GpuMetric::Power,
    ];
    /// The metrics with thresholds, in the order of `GpuTrack::levels`.
    pub const ALERTING: [GpuMetric; 3] = [
        GpuMetric::Utilization,
        GpuMetric::Memory,
        GpuMetric::Temperature,
    ];

    /// The name the store and `snapshot` use.
    pub fn as_str(self) -> &'static str {
        match self {
            GpuMetric::Utilization => "utilization",
            GpuMetric::Memory => "memory",
            GpuMetric::Temperature => "temperature",
            GpuMetric::Power => "power",
        }
    }

    pub fn from_name(s: &str) -> Option<GpuMetric> {
        GpuMetric::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn unit(self) -> &'static str {
        match self {
            GpuMetric::Utilization | GpuMetric::Memory => "%",
            GpuMetric::Temperature => "°C",
            GpuMetric::Power => "W",
        }
    }

    /// The unit of the history chart. History stores memory as bytes used (GPU-resident on
    /// a unified GPU, where a share of host RAM would mislead), shown in GiB.
    pub fn history_unit(self) -> &'static str {
        match self {
            GpuMetric::Memory => "GiB",
            other => other.unit(),
        }
    }

    pub fn next(self) -> GpuMetric {
        let i = GpuMetric::ALL.iter().position(|m| *m == self).unwrap_or(0);
        GpuMetric::ALL[(i + 1) % GpuMetric::ALL.len()]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HistoryRange {
    Hour,
    SixHours,
    Day,
    Week,
}

impl HistoryRange {
    pub const ALL: [HistoryRange; 4] = [
        HistoryRange::Hour,
        HistoryRange::SixHours,
        HistoryRange::Day,
        HistoryRange::Week,
    ];

    pub fn secs(self) -> i64 {
        match self {
            HistoryRange::Hour => 3600,
            HistoryRange::SixHours => 6 * 3600,
            HistoryRange::Day => 86_400,
            HistoryRange::Week => 7 * 86_400,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            HistoryRange::Hour => "1 h",
            HistoryRange::SixHours => "6 h",
            HistoryRange::Day => "24 h",
            HistoryRange::Week => "7 d",
        }
    }

    pub fn next(self) -> HistoryRange {
        let i = HistoryRange::ALL
            .iter()
            .position(|r| *r == self)
            .unwrap_or(0);
        HistoryRange::ALL[(i + 1) % HistoryRange::ALL.len()]
    }
}

/// One downsampled bucket of history, as the store returns it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HistoryPoint {
    /// Unix seconds at the start of the bucket.
    pub t: i64,
    pub min: Option<f64>,
    pub avg: Option<f64>,
    pub max: Option<f64>,
}

/// The last `cap` values of one metric; `None` keeps a gap where a sample had no value.
#[derive(Debug, Clone, PartialEq)]
pub struct Ring {
    cap: usize,
    values: VecDeque<Option<f64>>,
}

impl Ring {
    pub fn new(cap: usize) -> Ring {
        Ring {
            cap: cap.max(1),
            values: VecDeque::with_capacity(cap.max(1)),
        }
    }
    pub fn push(&mut self, v: Option<f64>) {
        if self.values.len() == self.cap {
            self.values.pop_front();
        }
        self.values.push_back(v);
    }
    pub fn len(&self) -> usize {
        self.values.len()
    }
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
    pub fn capacity(&self) -> usize {
        self.cap
    }
    pub fn values(&self) -> impl Iterator<Item = Option<f64>> + '_ {
        self.values.iter().copied()
    }
}

/// Per-GPU memory of past samples: sparklines, the level shown (for hysteresis) and alerts.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuTrack {
    pub utilization: Ring,
    /// Used percent on a dedicated GPU; GPU-resident GiB on a unified one.
    pub memory: Ring,
    pub power: Ring,
    /// Levels of `GpuMetric::ALERTING`, in that order.
    pub levels: [Level; 3],
    pub alerts: [AlertTracker; 3],
}

impl GpuTrack {
    pub fn new(cap: usize) -> GpuTrack {
        GpuTrack {
            utilization: Ring::new(cap),
            memory: Ring::new(cap),
            power: Ring::new(cap),
            levels: [Level::Unknown; 3],
            alerts: [AlertTracker::default(); 3],
        }
    }

    pub fn level(&self, m: GpuMetric) -> Level {
        match GpuMetric::ALERTING.iter().position(|x| *x == m) {
            Some(i) => self.levels[i],
            None => Level::Unknown,
        }
    }
}

/// Everything known about the GPUs of one connection.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GpuView {
    pub source: Option<GpuSourceState>,
    pub statics: Vec<GpuStatic>,
    pub samples: Vec<GpuSample>,
    /// When `samples` were taken, Unix seconds.
    pub sampled_at: Option<f64>,
    pub processes: Vec<GpuProcess>,
    pub host_memory: Option<HostMemory>,
    pub tracks: BTreeMap<u32, GpuTrack>,
}

impl GpuView {
    pub fn memory(&self, sample: &GpuSample) -> MemoryView {
        memory_view(
            sample,
            &self.processes,
            self.samples.len(),
            self.host_memory.as_ref(),
        )
    }

    /// The memory figure thresholds apply to: the used share of a framebuffer. A unified
    /// pool has no such share (host RAM is not VRAM), so it stays unknown there.
    pub fn memory_pct(&self, sample: &GpuSample) -> Option<f64> {
        let v = self.memory(sample);
        match v.kind {
            MemoryKind::Dedicated => v.used_pct(),
            MemoryKind::Unified => None,
        }
    }

    pub fn static_of(&self, sample: &GpuSample) -> Option<&GpuStatic> {
        self.statics
            .iter()
            .find(|s| s.uuid.is_some() && s.uuid == sample.uuid)
            .or_else(|| self.statics.iter().find(|s| s.index == sample.index))
    }

    /// The power limit from the sample, else from the static facts.
    pub fn power_limit(&self, sample: &GpuSample) -> Option<f64> {
        sample
            .power_limit_w
            .or_else(|| self.static_of(sample).and_then(|s| s.power_limit_w))
            .filter(|w| *w > 0.0)
    }
}

/// The history chart: which series it shows and what the store answered.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryView {
    pub name: String,
    pub gpu_index: u32,
    pub metric: GpuMetric,
    pub range: HistoryRange,
    pub since: i64,
    pub until: i64,
    /// `None` until the store answers.
    pub points: Option<Vec<HistoryPoint>>,
}

/// The GPU tab's own state inside `State`.
#[derive(Debug, Clone)]
pub struct GpuTab {
    pub settings: GpuSettings,
    pub views: BTreeMap<String, GpuView>,
    pub generations: BTreeMap<String, u64>,
    /// Position of the shown / highlighted GPU among the active connection's samples.
    pub selected_gpu: usize,
    /// The selected process, by pid: stable when the table re-sorts.
    pub selected_pid: Option<u32>,
    pub filter: Input,
    pub history: Option<HistoryView>,
    pub show_alerts: bool,
    /// Newest first.
    pub alerts: Vec<AlertRow>,
    /// SIGTERM went to this (connection, pid): the next terminate offers SIGKILL.
    pub sigterm_sent: Option<(String, u32)>,
    /// Signals sent and not yet answered: (connection, pid) → SIGKILL?
    pub pending: BTreeMap<(String, u32), bool>,
}

impl GpuTab {
    pub fn new(settings: GpuSettings) -> GpuTab {
        GpuTab {
            settings,
            views: BTreeMap::new(),
            generations: BTreeMap::new(),
            selected_gpu: 0,
            selected_pid: None,
            filter: Input::default(),
            history: None,
            show_alerts: false,
            alerts: Vec::new(),
            sigterm_sent: None,
            pending: BTreeMap::new(),
        }
    }

    /// Samples kept for the sparklines: `sparkline_s` worth at `interval_ms`.
    pub fn ring_capacity(&self) -> usize {
        let ms = self.settings.interval_ms.max(1);
        (self.settings.sparkline_s.saturating_mul(1000) / ms).max(1) as usize
    }
}

/// Does `p` match the `/` filter? Name, command, user, container and pid.
pub fn process_matches(p: &GpuProcess, query: &str) -> bool {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return true;
    }
    let pid = p.pid.to_string();
    [
        p.name.as_str(),
        p.command.as_deref().unwrap_or(""),
        p.user.as_deref().unwrap_or(""),
        p.container.as_deref().unwrap_or(""),
        pid.as_str(),
    ]
    .iter()
    .any(|f| f.to_lowercase().contains(&q))
}

/// The process table of a view: filtered, one row per (pid, GPU), largest memory first
/// (unknown memory last), pid breaking ties so the order is stable.
pub fn visible_processes(view: &GpuView, query: &str) -> Vec<GpuProcess> {
    let mut rows: Vec<GpuProcess> = Vec::new();
    for p in view.processes.iter().filter(|p| process_matches(p, query)) {
        // A pid listed as compute and graphics on the same GPU is one row.
        let dup = rows
            .iter_mut()
            .find(|r| r.pid == p.pid && r.gpu_uuid == p.gpu_uuid && r.gpu_index == p.gpu_index);
        match dup {
            Some(r) => r.used_memory_bytes = r.used_memory_bytes.max(p.used_memory_bytes),
            None => rows.push(p.clone()),
        }
    }
    rows.sort_by(|a, b| {
        b.used_memory_bytes
            .cmp(&a.used_memory_bytes)
            .then(a.pid.cmp(&b.pid))
    });
    rows
}

impl State {
    /// The active connection's GPU data, if any arrived.
    pub fn gpu_view(&self) -> Option<&GpuView> {
        self.gpu.views.get(self.active.as_deref()?)
    }

    pub fn gpu_processes(&self) -> Vec<GpuProcess> {
        self.gpu_view()
            .map(|v| visible_processes(v, self.gpu.filter.value()))
            .unwrap_or_default()
    }

    /// Index of the selected process among `rows` (the first when the pid is gone).
    pub fn gpu_selected_index(&self, rows: &[GpuProcess]) -> Option<usize> {
        if rows.is_empty() {
            return None;
        }
        let by_pid = self
            .gpu
            .selected_pid
            .and_then(|pid| rows.iter().position(|p| p.pid == pid));
        Some(by_pid.unwrap_or(0))
    }

    pub fn gpu_selected_process(&self) -> Option<GpuProcess> {
        let rows = self.gpu_processes();
        let i = self.gpu_selected_index(&rows)?;
        rows.into_iter().nth(i)
    }

    /// Position of the shown GPU, clamped to what the active connection has.
    pub fn gpu_selected(&self) -> usize {
        let n = self.gpu_view().map_or(0, |v| v.samples.len());
        self.gpu.selected_gpu.min(n.saturating_sub(1))
    }

    /// Seconds since the active connection's last sample when that connection is no longer
    /// up; `None` while the data is live.
    pub fn gpu_stale_age(&self, now: i64) -> Option<i64> {
        use crate::model::ConnState;
        let name = self.active.as_deref()?;
        let at = self.gpu.views.get(name)?.sampled_at?;
        let live = match self.conn_states.get(name) {
            Some(ConnState::Connected { .. }) => true,
            // The local host has no SSH connection; its data is live while it arrives.
            None => name == super::entries::LOCAL_NAME,
            Some(_) => false,
        };
        (!live).then(|| (now - at as i64).max(0))
    }

    /// When data of `name` last arrived (host facts or a GPU sample), Unix seconds: the
    /// header's "refreshed … ago" and its STALE age.
    pub fn last_data_at(&self, name: &str) -> Option<i64> {
        let facts = self.host_info.get(name).map(|(_, at)| *at);
        let gpu = self
            .gpu
            .views
            .get(name)
            .and_then(|v| v.sampled_at)
            .map(|at| at as i64);
        facts.max(gpu)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proc_(pid: u32, gpu: u32, mib: Option<u64>, name: &str) -> GpuProcess {
        GpuProcess {
            pid,
            gpu_index: Some(gpu),
            name: name.into(),
            used_memory_bytes: mib.map(|m| m << 20),
            ..Default::default()
        }
    }

    #[test]
    fn ring_drops_the_oldest_value() {
        let mut r = Ring::new(3);
        for v in [Some(1.0), None, Some(3.0), Some(4.0)] {
            r.push(v);
        }
        assert_eq!(
            r.values().collect::<Vec<_>>(),
            vec![None, Some(3.0), Some(4.0)]
        );
        assert_eq!(Ring::new(0).capacity(), 1);
    }

    #[test]
    fn ring_capacity_follows_the_settings() {
        let mut t = GpuTab::new(GpuSettings::default());
        assert_eq!(t.ring_capacity(), 60);
        t.settings.interval_ms = 500;
        t.settings.sparkline_s = 30;
        assert_eq!(t.ring_capacity(), 60);
        t.settings.interval_ms = 0;
        assert_eq!(t.ring_capacity(), 30_000);
    }

    #[test]
    fn processes_merge_duplicate_pids_and_sort_unknown_memory_last() {
        let view = GpuView {
            processes: vec![
                proc_(10, 0, None, "idle"),
                proc_(20, 0, Some(100), "python3"),
                proc_(30, 0, Some(500), "vllm"),
                // Compute and graphics listing of one pid on one GPU: one row, larger figure.
                proc_(20, 0, Some(120), "python3"),
                proc_(20, 1, Some(50), "python3"),
            ],
            ..Default::default()
        };
        let rows = visible_processes(&view, "");
        let got: Vec<(u32, Option<u32>, Option<u64>)> = rows
            .iter()
            .map(|p| (p.pid, p.gpu_index, p.used_memory_bytes.map(|b| b >> 20)))
            .collect();
        assert_eq!(
            got,
            vec![
                (30, Some(0), Some(500)),
                (20, Some(0), Some(120)),
                (20, Some(1), Some(50)),
                (10, Some(0), None)
            ]
        );
        assert_eq!(visible_processes(&view, "VLL").len(), 1);
        assert_eq!(visible_processes(&view, "20").len(), 2);
        assert_eq!(visible_processes(&view, "nothing").len(), 0);
    }

    #[test]
    fn metric_and_range_cycle_through_all() {
        let mut m = GpuMetric::Utilization;
        let mut r = HistoryRange::Hour;
        for _ in 0..4 {
            m = m.next();
            r = r.next();
        }
        assert_eq!((m, r), (GpuMetric::Utilization, HistoryRange::Hour));
        assert_eq!(
            GpuMetric::from_name("temperature"),
            Some(GpuMetric::Temperature)
        );
        assert_eq!(HistoryRange::Week.secs(), 604_800);
    }
}
