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

// gpu_history layout: one row per (host, GPU, window) holding min/avg/max of every metric,
// not one row per metric. The per-metric layout repeats host, gpu_uuid and both timestamps
// (~60 bytes) for each of the five metrics and needs five index entries per window; the wide
// row pays that once, and a GPU that cannot report a metric (GB10: no framebuffer) stores
// NULLs that cost one header byte each. A chart reads one contiguous index range and gets every
// metric at once. Values are INTEGER in the unit named by the column (SQLite packs small
// integers into 1-3 bytes; a REAL always takes 8), averages rounded, which is far below what a
// terminal chart can show. `window_end` lets retention merge old 20 s windows into coarser
// ones (min of mins, max of maxes, duration-weighted avg) so a month of history stays small;
// `store::tests::gpu_history_month_fits_budget` measures the file size of such a month.
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
    gpu_index         INTEGER NOT NULL,
    gpu_uuid          TEXT,
    window_start      INTEGER NOT NULL,
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
    clock_gr_mhz_max  INTEGER
);
CREATE INDEX gpu_history_host_start ON gpu_history (host, window_start);

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
