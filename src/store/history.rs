//! GPU history in `gpu_history`: writing finished windows, the 300 s roll-up tier, chart
//! queries downsampled in SQL, retention, and export.
//!
//! Tiers (see the layout comment in migrations.rs): rows whose `window_s` is below
//! `ROLLUP_S` are the fine tier the dashboard writes (20 s by default, `[gpu]
//! history_window_s`), kept `FINE_KEEP_S`; `ROLLUP_S` rows summarise them for long charts and
//! are kept for the whole retention. Stored units are the column names' (MiB, mW, integers);
//! `HistoryPoint` converts back to bytes and watts.

use rusqlite::{OptionalExtension, Transaction, params, params_from_iter};
use serde::Serialize;

use super::Store;
use super::error::Result;
use crate::metrics::{MinAvgMax, WindowStats};

/// Seconds per roll-up window.
pub const ROLLUP_S: i64 = 300;
/// How long fine-tier rows are kept: the 1 h and 6 h charts read them, with margin.
pub const FINE_KEEP_S: i64 = 48 * 3600;
/// Longest chart range served from the fine tier; longer ranges read the roll-ups.
pub const FINE_RANGE_MAX_S: i64 = 6 * 3600;

const MIB: f64 = 1024.0 * 1024.0;

/// A metric with a history, and how its columns are named and scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Percent.
    Utilization,
    /// Bytes (stored as MiB).
    MemoryUsed,
    /// °C.
    Temperature,
    /// Watts (stored as mW).
    Power,
    /// MHz (graphics clock).
    Clock,
}

impl Metric {
    pub const ALL: [Metric; 5] = [
        Metric::Utilization,
        Metric::MemoryUsed,
        Metric::Temperature,
        Metric::Power,
        Metric::Clock,
    ];

    /// The column prefix in `gpu_history` (`<prefix>_min`, `_avg`, `_max`).
    fn column(self) -> &'static str {
        match self {
            Metric::Utilization => "util_pct",
            Metric::MemoryUsed => "mem_used_mib",
            Metric::Temperature => "temp_c",
            Metric::Power => "power_mw",
            Metric::Clock => "clock_gr_mhz",
        }
    }

    /// Stored integer → the unit `HistoryPoint` reports.
    fn scale(self) -> f64 {
        match self {
            Metric::MemoryUsed => MIB,
            Metric::Power => 0.001,
            _ => 1.0,
        }
    }

    /// Name as used in alerts and exports.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Utilization => "utilization",
            Metric::MemoryUsed => "memory_used",
            Metric::Temperature => "temperature",
            Metric::Power => "power",
            Metric::Clock => "clock",
        }
    }

    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// One chart point: the bucket starting at `t` (Unix seconds; the first bucket is clamped to
/// the range start), in the metric's unit (percent, bytes, °C, W, MHz).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HistoryPoint {
    pub t: i64,
    pub min: f64,
    pub avg: f64,
    pub max: f64,
}

/// One stored window as `history export` writes it. Units are the stored ones.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportRow {
    pub host: String,
    pub gpu_index: u32,
    pub gpu_uuid: Option<String>,
    pub window_start: i64,
    pub window_end: i64,
    pub window_s: i64,
    pub util_pct_min: Option<i64>,
    pub util_pct_avg: Option<i64>,
    pub util_pct_max: Option<i64>,
    pub mem_used_mib_min: Option<i64>,
    pub mem_used_mib_avg: Option<i64>,
    pub mem_used_mib_max: Option<i64>,
    pub temp_c_min: Option<i64>,
    pub temp_c_avg: Option<i64>,
    pub temp_c_max: Option<i64>,
    pub power_mw_min: Option<i64>,
    pub power_mw_avg: Option<i64>,
    pub power_mw_max: Option<i64>,
    pub clock_gr_mhz_min: Option<i64>,
    pub clock_gr_mhz_avg: Option<i64>,
    pub clock_gr_mhz_max: Option<i64>,
}

/// The columns of `ExportRow`, in order (also the CSV header).
pub const EXPORT_COLUMNS: &[&str] = &[
    "host",
    "gpu_index",
    "gpu_uuid",
    "window_start",
    "window_end",
    "window_s",
    "util_pct_min",
    "util_pct_avg",
    "util_pct_max",
    "mem_used_mib_min",
    "mem_used_mib_avg",
    "mem_used_mib_max",
    "temp_c_min",
    "temp_c_avg",
    "temp_c_max",
    "power_mw_min",
    "power_mw_avg",
    "power_mw_max",
    "clock_gr_mhz_min",
    "clock_gr_mhz_avg",
    "clock_gr_mhz_max",
];

/// `min/avg/max` scaled to a stored integer; non-finite values (cannot come out of
/// `WindowAccumulator`, but the type allows them) are stored as unknown.
fn stored(v: Option<MinAvgMax>, factor: f64) -> [Option<i64>; 3] {
    let conv = |x: f64| {
        let x = (x * factor).round();
        (x.is_finite() && x.abs() < 9.0e18).then_some(x as i64)
    };
    match v {
        Some(m) => [conv(m.min), conv(m.avg), conv(m.max)],
        None => [None; 3],
    }
}

const VALUE_COLUMNS: &str = "util_pct_min, util_pct_avg, util_pct_max, mem_used_mib_min, \
     mem_used_mib_avg, mem_used_mib_max, temp_c_min, temp_c_avg, temp_c_max, power_mw_min, \
     power_mw_avg, power_mw_max, clock_gr_mhz_min, clock_gr_mhz_avg, clock_gr_mhz_max";

impl Store {
    /// Writes finished windows of `host` and refreshes the roll-up rows they fall into, all
    /// in one transaction. A window already stored (the same window written twice, e.g. a
    /// partial one at shutdown and again after a restart) is merged: peaks of both survive.
    pub fn record_windows(&self, host: &str, windows: &[WindowStats]) -> Result<()> {
        if windows.is_empty() {
            return Ok(());
        }
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(self.err("start writing GPU history"))?;
        let mut rollups: Vec<(i64, i64, u32)> = Vec::new();
        {
            let mut insert = tx
                .prepare_cached(&format!(
                    "INSERT INTO gpu_history (host, window_s, window_start, gpu_index, gpu_uuid, \
                     window_end, {VALUE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, \
                     ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21) \
                     ON CONFLICT (host, window_s, window_start, gpu_index) DO UPDATE SET \
                     gpu_uuid = coalesce(excluded.gpu_uuid, gpu_uuid), {merge}",
                    merge = merge_clause()
                ))
                .map_err(self.err("prepare the GPU history insert"))?;
            for w in windows {
                let mut values: Vec<Option<i64>> = Vec::with_capacity(15);
                values.extend(stored(w.utilization_pct, 1.0));
                values.extend(stored(w.memory_used_bytes, 1.0 / MIB));
                values.extend(stored(w.temperature_c, 1.0));
                values.extend(stored(w.power_w, 1000.0));
                values.extend(stored(w.clock_mhz, 1.0));
                insert
                    .execute(params_from_iter(
                        [
                            &host as &dyn rusqlite::ToSql,
                            &w.window_s,
                            &w.window_start,
                            &w.gpu_index,
                            &w.gpu_uuid,
                            &w.window_end(),
                        ]
                        .into_iter()
                        .chain(values.iter().map(|v| v as &dyn rusqlite::ToSql)),
                    ))
                    .map_err(self.err("write a GPU history window"))?;
                if w.window_s < ROLLUP_S {
                    let bucket = w.window_start - w.window_start.rem_euclid(ROLLUP_S);
                    let key = (w.window_s, bucket, w.gpu_index);
                    if !rollups.contains(&key) {
                        rollups.push(key);
                    }
                }
            }
        }
        for (window_s, bucket, gpu_index) in rollups {
            self.refresh_rollup(&tx, host, window_s, bucket, gpu_index)?;
        }
        tx.commit().map_err(self.err("commit GPU history"))
    }

    /// Recomputes one roll-up row from the fine rows in its span: min of mins, max of maxes,
    /// and the mean of the window averages (time-weighted, since fine windows have equal
    /// length; NULLs are skipped per metric).
    fn refresh_rollup(
        &self,
        tx: &Transaction<'_>,
        host: &str,
        window_s: i64,
        bucket: i64,
        gpu_index: u32,
    ) -> Result<()> {
        let aggregates: Vec<String> = Metric::ALL
            .iter()
            .map(|m| {
                let c = m.column();
                format!("min({c}_min), CAST(round(avg({c}_avg)) AS INTEGER), max({c}_max)")
            })
            .collect();
        let sql = format!(
            "INSERT OR REPLACE INTO gpu_history (host, window_s, window_start, gpu_index, \
             gpu_uuid, window_end, {VALUE_COLUMNS}) \
             SELECT ?1, ?5, ?3, ?4, max(gpu_uuid), ?3 + ?5, {aggs} FROM gpu_history \
             WHERE host = ?1 AND window_s = ?2 AND window_start >= ?3 AND window_start < ?3 + ?5 \
             AND gpu_index = ?4 HAVING count(*) > 0",
            aggs = aggregates.join(", ")
        );
        tx.prepare_cached(&sql)
            .and_then(|mut s| s.execute(params![host, window_s, bucket, gpu_index, ROLLUP_S]))
            .map_err(self.err("update a GPU history roll-up"))?;
        Ok(())
    }

    /// Chart points of one metric of one GPU in `[since, until)`, at most `points` of them,
    /// aggregated in SQL (min of mins, mean of averages, max of maxes per bucket). Ranges up
    /// to 6 h read the fine tier, longer ones the roll-ups. Buckets are aligned to multiples
    /// of their width so a chart does not shift as `since` advances; buckets without data
    /// are absent.
    pub fn history(
        &self,
        host: &str,
        gpu_index: u32,
        metric: Metric,
        since: i64,
        until: i64,
        points: usize,
    ) -> Result<Vec<HistoryPoint>> {
        let mut gpus = self.downsample(host, Some(gpu_index), metric, since, until, points)?;
        Ok(gpus.pop().map(|(_, points)| points).unwrap_or_default())
    }

    /// `history` of every GPU of `host` in one pass over the range, GPUs in index order
    /// (GPUs without data in the range are absent). A chart of 8 GPUs reads the rows once
    /// instead of eight times.
    pub fn history_all_gpus(
        &self,
        host: &str,
        metric: Metric,
        since: i64,
        until: i64,
        points: usize,
    ) -> Result<Vec<(u32, Vec<HistoryPoint>)>> {
        self.downsample(host, None, metric, since, until, points)
    }

    fn downsample(
        &self,
        host: &str,
        gpu_index: Option<u32>,
        metric: Metric,
        since: i64,
        until: i64,
        points: usize,
    ) -> Result<Vec<(u32, Vec<HistoryPoint>)>> {
        if points == 0 || until <= since {
            return Ok(Vec::new());
        }
        let range = until - since;
        let fine = range <= FINE_RANGE_MAX_S;
        let mut tiers = self.tiers(host, fine)?;
        if fine && tiers.is_empty() {
            // `history_window_s` of 300 or more writes no fine tier at all.
            tiers = self.tiers(host, false)?;
        }
        let Some(&coarsest) = tiers.iter().max() else {
            return Ok(Vec::new());
        };
        // Aligned buckets of width w over a range cover at most range/w + 1 of them, hence
        // points - 1 in the divisor; one point is one bucket ending at `until`.
        let width = if points == 1 {
            until.max(1)
        } else {
            let divisor = i64::try_from(points - 1).unwrap_or(i64::MAX);
            (range + divisor - 1) / divisor
        }
        .max(coarsest);
        let sql = chart_sql(metric, tiers.len());
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .map_err(self.err("prepare a GPU history query"))?;
        let head: [&dyn rusqlite::ToSql; 5] = [&host, &since, &until, &width, &gpu_index];
        let scale = metric.scale();
        let rows = stmt
            .query_map(
                params_from_iter(
                    head.into_iter()
                        .chain(tiers.iter().map(|t| t as &dyn rusqlite::ToSql)),
                ),
                |row| {
                    let gpu: u32 = row.get(0)?;
                    let bucket: i64 = row.get(1)?;
                    let min: f64 = row.get(2)?;
                    let avg: f64 = row.get(3)?;
                    let max: f64 = row.get(4)?;
                    let point = HistoryPoint {
                        t: (bucket * width).max(since),
                        min: min * scale,
                        avg: avg * scale,
                        max: max * scale,
                    };
                    Ok((gpu, point))
                },
            )
            .map_err(self.err("read GPU history"))?;
        let mut out: Vec<(u32, Vec<HistoryPoint>)> = Vec::new();
        for row in rows {
            let (gpu, point) = row.map_err(self.err("read a GPU history row"))?;
            match out.last_mut() {
                Some((g, points)) if *g == gpu => points.push(point),
                _ => out.push((gpu, vec![point])),
            }
        }
        Ok(out)
    }

    /// The `window_s` values stored for `host`: the fine ones (below `ROLLUP_S`) or the
    /// coarse ones. Found by primary-key seeks, one per tier, never a scan.
    fn tiers(&self, host: &str, fine: bool) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT min(window_s) FROM gpu_history WHERE host = ?1 AND window_s > ?2",
            )
            .map_err(self.err("list GPU history tiers"))?;
        let mut tiers = Vec::new();
        let mut after = if fine { 0 } else { ROLLUP_S - 1 };
        while let Some(t) = stmt
            .query_row(params![host, after], |r| r.get::<_, Option<i64>>(0))
            .optional()
            .map_err(self.err("list GPU history tiers"))?
            .flatten()
        {
            if fine && t >= ROLLUP_S {
                break;
            }
            tiers.push(t);
            after = t;
        }
        Ok(tiers)
    }

    /// Deletes every history window that ended at or before `older_than` (retention), and
    /// cleared alerts raised before it. Returns the number of rows deleted.
    pub fn prune(&self, older_than: i64) -> Result<usize> {
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(self.err("start pruning history"))?;
        let mut n = tx
            .execute(
                "DELETE FROM gpu_history WHERE window_end <= ?1",
                [older_than],
            )
            .map_err(self.err("prune GPU history"))?;
        n += tx
            .execute(
                "DELETE FROM alerts WHERE cleared_at IS NOT NULL AND raised_at <= ?1",
                [older_than],
            )
            .map_err(self.err("prune old alerts"))?;
        tx.commit().map_err(self.err("commit the history prune"))?;
        Ok(n)
    }

    /// The hourly prune: fine-tier rows older than `FINE_KEEP_S` and everything older than
    /// `retention_days` before `now`. Returns the number of rows deleted.
    pub fn prune_at(&self, now: i64, retention_days: u32) -> Result<usize> {
        let fine = self
            .conn
            .execute(
                "DELETE FROM gpu_history WHERE window_s < ?1 AND window_end <= ?2",
                params![ROLLUP_S, now - FINE_KEEP_S],
            )
            .map_err(self.err("prune fine GPU history"))?;
        Ok(fine + self.prune(now - i64::from(retention_days) * 86_400)?)
    }

    /// Every stored window that started at or after `since`, of one host or all, ordered by
    /// host, tier, time and GPU. Both tiers are included; `window_s` tells them apart.
    pub fn export(&self, host: Option<&str>, since: i64) -> Result<Vec<ExportRow>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT host, gpu_index, gpu_uuid, window_start, window_end, window_s, \
                 {VALUE_COLUMNS} FROM gpu_history \
                 WHERE (?1 IS NULL OR host = ?1) AND window_start >= ?2 \
                 ORDER BY host, window_s, window_start, gpu_index"
            ))
            .map_err(self.err("prepare the history export"))?;
        let rows = stmt
            .query_map(params![host, since], |r| {
                Ok(ExportRow {
                    host: r.get(0)?,
                    gpu_index: r.get(1)?,
                    gpu_uuid: r.get(2)?,
                    window_start: r.get(3)?,
                    window_end: r.get(4)?,
                    window_s: r.get(5)?,
                    util_pct_min: r.get(6)?,
                    util_pct_avg: r.get(7)?,
                    util_pct_max: r.get(8)?,
                    mem_used_mib_min: r.get(9)?,
                    mem_used_mib_avg: r.get(10)?,
                    mem_used_mib_max: r.get(11)?,
                    temp_c_min: r.get(12)?,
                    temp_c_avg: r.get(13)?,
                    temp_c_max: r.get(14)?,
                    power_mw_min: r.get(15)?,
                    power_mw_avg: r.get(16)?,
                    power_mw_max: r.get(17)?,
                    clock_gr_mhz_min: r.get(18)?,
                    clock_gr_mhz_avg: r.get(19)?,
                    clock_gr_mhz_max: r.get(20)?,
                })
            })
            .map_err(self.err("export GPU history"))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err("read a GPU history row"))
    }
}

/// The chart query: ?1 host, ?2 since, ?3 until, ?4 bucket width, ?5 GPU or NULL for all,
/// ?6.. the tiers.
fn chart_sql(metric: Metric, tiers: usize) -> String {
    let c = metric.column();
    // Numbered, since an anonymous `?` would take the number after the highest one seen so
    // far in the text and collide with ?2..?5.
    let placeholders = (6..6 + tiers)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT gpu_index, window_start / ?4 AS bucket, min({c}_min), avg({c}_avg), \
         max({c}_max) FROM gpu_history WHERE host = ?1 AND window_s IN ({placeholders}) \
         AND window_start >= ?2 AND window_start < ?3 AND (?5 IS NULL OR gpu_index = ?5) \
         AND {c}_max IS NOT NULL GROUP BY gpu_index, bucket ORDER BY gpu_index, bucket"
    )
}

/// `ON CONFLICT` merge of a window written twice: NULL-aware min/max, mean of averages.
fn merge_clause() -> String {
    Metric::ALL
        .iter()
        .map(|m| {
            let c = m.column();
            format!(
                "{c}_min = CASE WHEN {c}_min IS NULL THEN excluded.{c}_min \
                 WHEN excluded.{c}_min IS NULL THEN {c}_min ELSE min({c}_min, excluded.{c}_min) END, \
                 {c}_avg = CASE WHEN {c}_avg IS NULL THEN excluded.{c}_avg \
                 WHEN excluded.{c}_avg IS NULL THEN {c}_avg \
                 ELSE CAST(round(({c}_avg + excluded.{c}_avg) / 2.0) AS INTEGER) END, \
                 {c}_max = CASE WHEN {c}_max IS NULL THEN excluded.{c}_max \
                 WHEN excluded.{c}_max IS NULL THEN {c}_max ELSE max({c}_max, excluded.{c}_max) END"
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    // The budget in migrations.rs assumes a chart is one primary-key range read per tier.
    #[test]
    fn chart_query_reads_a_primary_key_range() {
        let store = Store::in_memory().unwrap();
        for tiers in [1, 2] {
            let sql = format!("EXPLAIN QUERY PLAN {}", chart_sql(Metric::Power, tiers));
            let mut stmt = store.conn.prepare(&sql).unwrap();
            let plan: Vec<String> = stmt
                .query_map(
                    params_from_iter(
                        ["h", "0", "100", "20"]
                            .into_iter()
                            .map(|v| Some(v.to_string()))
                            .chain([None])
                            .chain((0..tiers).map(|t| Some((20 + t).to_string()))),
                    ),
                    |r| r.get(3),
                )
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert!(
                plan.iter().any(|p| p.contains(
                    "USING PRIMARY KEY (host=? AND window_s=? AND window_start>? AND window_start<?)"
                )),
                "{plan:?}"
            );
        }
    }
}
