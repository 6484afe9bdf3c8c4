//! Alerts: a metric that stayed red long enough, from the moment it was raised until it
//! cleared. The decision to raise or clear is the caller's (thresholds with hysteresis); this
//! module keeps the record.

use rusqlite::params;
use serde::Serialize;

use super::Store;
use super::error::{Result, StoreError};

/// One stored alert. Times are Unix seconds (UTC).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub id: i64,
    /// The connection name.
    pub host: String,
    /// `None` for an alert about the host rather than one GPU.
    pub gpu_index: Option<u32>,
    /// `store::Metric::name()` for GPU metrics (`temperature`, `utilization`, …).
    pub metric: String,
    pub raised_at: i64,
    /// `None` while the alert is open.
    pub cleared_at: Option<i64>,
    /// Worst value seen while open, in the metric's unit.
    pub peak: Option<f64>,
    pub message: String,
}

const COLUMNS: &str = "id, host, gpu_index, metric, raised_at, cleared_at, peak, message";

fn alert(row: &rusqlite::Row<'_>) -> rusqlite::Result<Alert> {
    Ok(Alert {
        id: row.get(0)?,
        host: row.get(1)?,
        gpu_index: row.get(2)?,
        metric: row.get(3)?,
        raised_at: row.get(4)?,
        cleared_at: row.get(5)?,
        peak: row.get(6)?,
        message: row.get(7)?,
    })
}

/// NaN cannot be stored meaningfully (SQLite turns it into NULL anyway); say so explicitly.
fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite())
}

impl Store {
    /// Records a newly raised alert and returns its id.
    pub fn raise_alert(
        &self,
        host: &str,
        gpu_index: Option<u32>,
        metric: &str,
        raised_at: i64,
        peak: Option<f64>,
        message: &str,
    ) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO alerts (host, gpu_index, metric, raised_at, peak, message) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![host, gpu_index, metric, raised_at, finite(peak), message],
            )
            .map_err(self.err("record an alert"))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Marks alert `id` cleared. Clearing an alert twice keeps the first time.
    pub fn clear_alert(&self, id: i64, cleared_at: i64) -> Result<()> {
        let n = self
            .conn
            .execute(
                "UPDATE alerts SET cleared_at = coalesce(cleared_at, ?2) WHERE id = ?1",
                params![id, cleared_at],
            )
            .map_err(self.err("clear an alert"))?;
        if n == 0 {
            return Err(StoreError::NotFound { what: "alert", id });
        }
        Ok(())
    }

    /// Raises the stored peak of alert `id` to `peak` if that is higher (a peak never falls).
    pub fn update_peak(&self, id: i64, peak: f64) -> Result<()> {
        let n = self
            .conn
            .execute(
                "UPDATE alerts SET peak = CASE WHEN ?2 IS NULL THEN peak \
                 WHEN peak IS NULL OR peak < ?2 THEN ?2 ELSE peak END WHERE id = ?1",
                params![id, finite(Some(peak))],
            )
            .map_err(self.err("update an alert's peak"))?;
        if n == 0 {
            return Err(StoreError::NotFound { what: "alert", id });
        }
        Ok(())
    }

    /// Alerts of `host` that have not cleared, oldest first (to restore them after a
    /// restart).
    pub fn open_alerts(&self, host: &str) -> Result<Vec<Alert>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM alerts WHERE host = ?1 AND cleared_at IS NULL \
                 ORDER BY raised_at, id"
            ))
            .map_err(self.err("read open alerts"))?;
        let rows = stmt
            .query_map([host], alert)
            .map_err(self.err("read open alerts"))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err("read an alert"))
    }

    /// The `limit` most recently raised alerts of every host, newest first.
    pub fn recent_alerts(&self, limit: usize) -> Result<Vec<Alert>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM alerts ORDER BY raised_at DESC, id DESC LIMIT ?1"
            ))
            .map_err(self.err("read recent alerts"))?;
        let rows = stmt
            .query_map([limit], alert)
            .map_err(self.err("read recent alerts"))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err("read an alert"))
    }
}
