//! The GPU effects that touch the store: history charts and alerts. Called from the run
//! loop; each answers with the `Msg` the GPU tab expects.

use crate::app::alerts::AlertRow;
use crate::app::gpu::{GpuMetric, HistoryPoint, HistoryRange};
use crate::app::msg::{FlashLevel, Msg};
use crate::store::{Alert, Metric, StoreHandle};

/// How many recent alerts the alert list shows.
const ALERT_LIST: usize = 100;

pub fn store_metric(m: GpuMetric) -> Metric {
    match m {
        GpuMetric::Utilization => Metric::Utilization,
        GpuMetric::Memory => Metric::MemoryUsed,
        GpuMetric::Temperature => Metric::Temperature,
        GpuMetric::Power => Metric::Power,
    }
}

fn gpu_metric(name: &str) -> Option<GpuMetric> {
    match Metric::from_name(name)? {
        Metric::Utilization => Some(GpuMetric::Utilization),
        Metric::MemoryUsed => Some(GpuMetric::Memory),
        Metric::Temperature => Some(GpuMetric::Temperature),
        Metric::Power => Some(GpuMetric::Power),
        Metric::Clock => None,
    }
}

const GIB: f64 = (1u64 << 30) as f64;

pub async fn load_history(
    store: &StoreHandle,
    name: String,
    gpu_index: u32,
    metric: GpuMetric,
    since: i64,
    until: i64,
    points: usize,
) -> Msg {
    let Some(range) = HistoryRange::ALL
        .into_iter()
        .find(|r| r.secs() == until - since)
    else {
        return Msg::Flash {
            level: FlashLevel::Error,
            text: format!("history: no chart range spans {} s", until - since),
        };
    };
    match store
        .history(&name, gpu_index, store_metric(metric), since, until, points)
        .await
    {
        Ok(rows) => {
            // Memory is stored in bytes; the chart's unit is GiB.
            let scale = if metric == GpuMetric::Memory {
                GIB
            } else {
                1.0
            };
            let points = rows
                .into_iter()
                .map(|p| HistoryPoint {
                    t: p.t,
                    min: Some(p.min / scale),
                    avg: Some(p.avg / scale),
                    max: Some(p.max / scale),
                })
                .collect();
            Msg::GpuHistory {
                name,
                gpu_index,
                metric,
                range,
                points,
            }
        }
        Err(e) => Msg::Flash {
            level: FlashLevel::Error,
            text: format!("reading GPU history failed: {e}"),
        },
    }
}

fn row(a: Alert) -> Option<AlertRow> {
    Some(AlertRow {
        name: a.host,
        gpu_index: a.gpu_index?,
        metric: gpu_metric(&a.metric)?,
        raised_at: a.raised_at,
        cleared_at: a.cleared_at,
        peak: a.peak.unwrap_or(f64::NAN),
        message: a.message,
    })
}

/// The alert list as stored (newest first).
pub async fn load_alerts(store: &StoreHandle) -> Option<Msg> {
    match store.recent_alerts(ALERT_LIST).await {
        Ok(alerts) => Some(Msg::GpuAlerts(alerts.into_iter().filter_map(row).collect())),
        Err(e) => {
            tracing::warn!("reading alerts failed: {e}");
            None
        }
    }
}

pub async fn raise(
    store: &StoreHandle,
    name: &str,
    gpu_index: u32,
    metric: GpuMetric,
    peak: f64,
    message: &str,
    at: i64,
) -> Result<(), String> {
    store
        .raise_alert(
            name,
            Some(gpu_index),
            store_metric(metric).name(),
            at,
            Some(peak),
            message,
        )
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Clears every open alert of this GPU and metric (there is one unless a crash left more).
pub async fn clear(
    store: &StoreHandle,
    name: &str,
    gpu_index: u32,
    metric: GpuMetric,
    at: i64,
) -> Result<(), String> {
    let open = store.open_alerts(name).await.map_err(|e| e.to_string())?;
    let metric_name = store_metric(metric).name();
    for a in open
        .into_iter()
        .filter(|a| a.gpu_index == Some(gpu_index) && a.metric == metric_name)
    {
        store
            .clear_alert(a.id, at)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
