//! Versioned schema. `PRAGMA user_version` holds the number of migrations applied; each one
//! runs in its own transaction together with the version bump, so a crash mid-way leaves the
//! file at the previous version rather than half-migrated.

use rusqlite::Connection;
use std::path::Path;

use super::error::{Result, StoreError};
use super::sql_error;

/// `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`. Append only: a shipped
/// migration is never edited, because existing files have already run it.
const MIGRATIONS: &[&str] = &[V1];

/// The schema version this build writes.
pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

// gpu_history layout, chosen by measurement on this project's 2-core dev box (scratch files;
// sizes from `dbstat` on the bundled SQLite, scan times with the system SQLite 3.40):
// * One row per (host, GPU, window) with min/avg/max columns for every metric, not one row per
//   metric: the per-metric layout repeats host, gpu_uuid and both times for each of the five
//   metrics and needs five index entries per window: 648 bytes per window against 133.
//   A GPU that cannot report a metric (GB10 has no framebuffer) stores NULLs, one header byte
//   each. Values are INTEGER in the unit the column names (SQLite packs small integers into
//   1-3 bytes; a REAL always takes 8); averages are rounded, far below what a chart shows.
// * Samples are persisted every 20 s (DESIGN §3). A month of 20 s windows is 129,600 rows per
//   GPU (17 MB), over the 5 MB budget, and a 24 h chart would scan 34,560 rows for 8 GPUs
//   (12 ms of pure SQLite scan, before any decoding). So history is kept in resolution tiers,
//   distinguished by `window_s` (= window_end - window_start): 20 s windows for the last hours
//   (1 h / 6 h charts) and 300 s windows, written alongside, for 24 h / 7 d charts and
//   retention. 20 s kept 48 h plus 300 s kept 30 days measured 1.97 MB per GPU-month; a 7 d
//   query over 8 GPUs reads 16,128 rows in 5.6 ms of SQLite time, a 24 h one 2,304 in 0.7 ms.
// * WITHOUT ROWID with the key (host, window_s, window_start, gpu_index): the table is itself
//   the (host, window_start) index, one chart is one contiguous range read, and no separate
//   index doubles the storage. `store::history_budget` tests the size and the query plan.
const V1: &str = "
CREATE TABLE connections (
    id                INTEGER PRIMARY KEY,
    name              TEXT    NOT NULL UNIQUE,
    host              TEXT    NOT NULL,
    port              INTEGER NOT NULL,
    user              TEXT,
    key_path          TEXT,
    jump              TEXT,
    read_only         INTEGER NOT NULL DEFAULT 0 CHECK (read_only IN (0, 1)),
    color             TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    last_connected_at INTEGER
);

CREATE TABLE tunnels (
    id            INTEGER PRIMARY KEY,
    connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    local_port    INTEGER NOT NULL,
    remote_host   TEXT    NOT NULL,
    remote_port   INTEGER NOT NULL,
    UNIQUE (connection_id, local_port)
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE gpu_history (
    host              TEXT    NOT NULL,
    window_s          INTEGER NOT NULL,
    window_start      INTEGER NOT NULL,
    gpu_index         INTEGER NOT NULL,
    gpu_uuid          TEXT,
    window_end        INTEGER NOT NULL,
    util_pct_min      INTEGER,
    util_pct_avg      INTEGER,
    util_pct_max      INTEGER,
    mem_used_mib_min  INTEGER,
    mem_used_mib_avg  INTEGER,
    mem_used_mib_max  INTEGER,
    temp_c_min        INTEGER,
    temp_c_avg        INTEGER,
    temp_c_max        INTEGER,
    power_mw_min      INTEGER,
    power_mw_avg      INTEGER,
    power_mw_max      INTEGER,
    clock_gr_mhz_min  INTEGER,
    clock_gr_mhz_avg  INTEGER,
    clock_gr_mhz_max  INTEGER,
    CHECK (window_end = window_start + window_s),
    PRIMARY KEY (host, window_s, window_start, gpu_index)
) WITHOUT ROWID;

CREATE TABLE audit (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    host    TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    target  TEXT    NOT NULL,
    outcome TEXT    NOT NULL,
    detail  TEXT
);
CREATE INDEX audit_at ON audit (at);

CREATE TABLE alerts (
    id         INTEGER PRIMARY KEY,
    host       TEXT    NOT NULL,
    gpu_index  INTEGER,
    metric     TEXT    NOT NULL,
    raised_at  INTEGER NOT NULL,
    cleared_at INTEGER,
    peak       REAL,
    message    TEXT    NOT NULL
);
CREATE INDEX alerts_host_raised ON alerts (host, raised_at);
";

pub(crate) fn user_version(conn: &Connection, path: &Path) -> Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|e| sql_error(path, "read its schema version", e))
}

/// Brings the schema up to `LATEST_VERSION`. A file written by a newer sparkdeck is refused
/// rather than touched, since this build cannot know what the newer schema means.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let current = user_version(conn, path)?;
    if current > LATEST_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: current,
            supported: LATEST_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
        let version = index as i64 + 1;
        let tx = conn
            .transaction()
            .map_err(|e| sql_error(path, "start a migration", e))?;
        tx.execute_batch(sql)
            .map_err(|e| sql_error(path, "apply a schema migration", e))?;
        tx.pragma_update(None, "user_version", version)
            .map_err(|e| sql_error(path, "record its schema version", e))?;
        tx.commit()
            .map_err(|e| sql_error(path, "commit a schema migration", e))?;
    }
    Ok(())
}
