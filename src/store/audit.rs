//! The audit log of actions sparkdeck took on a host (requeues, restarts, deletes).

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::Store;
use super::error::Result;

/// One action taken on a host. `at` is Unix seconds (UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: i64,
    /// The connection name the action ran on.
    pub host: String,
    /// What was done ("requeue", "restart-unit", "delete-model").
    pub action: String,
    /// What it was done to (job id, unit name, path).
    pub target: String,
    /// "ok", or what went wrong.
    pub outcome: String,
    pub detail: Option<String>,
}

impl Store {
    pub fn audit(&self, entry: &AuditEntry) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO audit (at, host, action, target, outcome, detail) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    entry.at,
                    entry.host,
                    entry.action,
                    entry.target,
                    entry.outcome,
                    entry.detail
                ],
            )
            .map_err(self.err("write an audit entry"))?;
        Ok(())
    }

    /// The `limit` newest entries, newest first.
    pub fn recent_audit(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT at, host, action, target, outcome, detail FROM audit \
                 ORDER BY at DESC, id DESC LIMIT ?1",
            )
            .map_err(self.err("read the audit log"))?;
        let rows = stmt
            .query_map([limit], |row| {
                Ok(AuditEntry {
                    at: row.get(0)?,
                    host: row.get(1)?,
                    action: row.get(2)?,
                    target: row.get(3)?,
                    outcome: row.get(4)?,
                    detail: row.get(5)?,
                })
            })
            .map_err(self.err("read the audit log"))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err("read an audit entry"))
    }
}
