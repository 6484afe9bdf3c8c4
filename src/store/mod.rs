//! sparkdeck's SQLite store: saved connections and tunnels, settings, the audit log, and the
//! tables later features fill (GPU history, alerts).
//!
//! A `Store` owns one rusqlite `Connection`, which is `!Sync`; the app reaches it through
//! `writer::StoreHandle`, which keeps the store on a thread of its own.

mod alerts;
mod audit;
mod connections;
pub mod error;
pub mod history;
pub mod migrations;
mod settings;
mod tunnels;
pub mod writer;

#[cfg(test)]
mod history_budget;

pub use alerts::Alert;
pub use audit::AuditEntry;
pub use error::StoreError;
pub use history::{ExportRow, HistoryPoint, Metric};
pub use settings::ACTIVE_CONNECTION;
pub use writer::StoreHandle;

use error::Result;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a statement waits for a lock held by another process (a second sparkdeck, or
/// `sqlite3` opened by hand) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The name a store without a file reports as its path.
const IN_MEMORY: &str = ":memory:";

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating it and its parent directories if needed) the database at `path`, turns
    /// on WAL and foreign keys, and migrates it to the current schema.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::Unwritable {
                path: path.to_path_buf(),
                reason: format!("cannot create directory {}: {e}", parent.display()),
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)
            .map_err(|e| sql_error(path, "be opened", e))?;
        Self::prepare(conn, path.to_path_buf(), true)
    }

    /// A store that lives only in memory: the app keeps working, but nothing survives exit.
    pub fn in_memory() -> Result<Store> {
        let path = PathBuf::from(IN_MEMORY);
        let conn = Connection::open_in_memory().map_err(|e| sql_error(&path, "be opened", e))?;
        Self::prepare(conn, path, false)
    }

    fn prepare(mut conn: Connection, path: PathBuf, wal: bool) -> Result<Store> {
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| sql_error(&path, "set its busy timeout", e))?;
        // Reading the version first is what detects a garbage file (SQLITE_NOTADB), and a
        // newer schema must be refused before anything (even the journal mode) is changed.
        let version = migrations::user_version(&conn, &path)?;
        if version > migrations::LATEST_VERSION {
            return Err(StoreError::TooNew {
                path,
                found: version,
                supported: migrations::LATEST_VERSION,
            });
        }
        if wal {
            let mode: String = conn
                .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
                .map_err(|e| sql_error(&path, "switch to WAL journaling", e))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Unwritable {
                    reason: format!("SQLite kept journal mode {mode:?} instead of WAL"),
                    path,
                });
            }
        }
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(|e| sql_error(&path, "enable foreign keys", e))?;
        migrations::migrate(&mut conn, &path)?;
        Ok(Store { conn, path })
    }

    /// The file this store lives in (`:memory:` for the in-memory fallback).
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn is_in_memory(&self) -> bool {
        self.path.as_os_str() == IN_MEMORY
    }

    /// The schema version recorded in the file.
    pub fn schema_version(&self) -> Result<i64> {
        migrations::user_version(&self.conn, &self.path)
    }

    fn err(&self, action: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError + '_ {
        move |e| sql_error(&self.path, action, e)
    }
}

/// Opens the store at `path`; if that fails, returns an in-memory store and a one-line warning
/// for the flash line, so a broken history file never stops the dashboard.
pub fn open_or_fallback(path: &Path) -> (Store, Option<String>) {
    match Store::open(path) {
        Ok(store) => (store, None),
        Err(err) => {
            tracing::warn!(error = %err, "history database unavailable, using memory");
            // An in-memory database fails to open only when memory allocation fails, and then
            // there is nothing sensible left to run.
            let store = Store::in_memory().expect("in-memory SQLite database could not be opened");
            (
                store,
                Some(format!("history is not saved this session: {err}")),
            )
        }
    }
}

/// Turns a rusqlite error into a `StoreError`, recognising the cases a user can fix.
pub(crate) fn sql_error(path: &Path, action: &'static str, e: rusqlite::Error) -> StoreError {
    let reason = e.to_string();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
            path: path.to_path_buf(),
            reason,
        },
        Some(
            ErrorCode::CannotOpen
            | ErrorCode::ReadOnly
            | ErrorCode::PermissionDenied
            | ErrorCode::DiskFull,
        ) => StoreError::Unwritable {
            path: path.to_path_buf(),
            reason,
        },
        _ => StoreError::Sqlite {
            path: path.to_path_buf(),
            action,
            source: e,
        },
    }
}

/// True when `e` is a UNIQUE or PRIMARY KEY violation on `table.column`.
fn is_unique_violation(e: &rusqlite::Error, table_column: &str) -> bool {
    match e {
        rusqlite::Error::SqliteFailure(err, Some(msg)) => {
            err.code == ErrorCode::ConstraintViolation
                && msg.starts_with("UNIQUE constraint failed")
                && msg.contains(table_column)
        }
        _ => false,
    }
}

/// True when `e` is a FOREIGN KEY violation.
fn is_foreign_key_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(err, _)
            if err.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY
    )
}
