//! Saved connections (the Connections tab's own entries).

use rusqlite::{OptionalExtension, Row, params};
use std::path::PathBuf;

use super::error::{Result, StoreError};
use super::{Store, is_unique_violation};
use crate::model::{ConnId, ConnectionSpec, SavedConnection};

const COLUMNS: &str = "id, name, host, port, user, key_path, jump, read_only, color, \
                       created_at, updated_at, last_connected_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<SavedConnection> {
    Ok(SavedConnection {
        id: row.get(0)?,
        spec: ConnectionSpec {
            name: row.get(1)?,
            host: row.get(2)?,
            port: row.get(3)?,
            user: row.get(4)?,
            key_path: row.get::<_, Option<String>>(5)?.map(PathBuf::from),
            jump: row.get(6)?,
            read_only: row.get(7)?,
            color: row.get(8)?,
        },
        created_at: row.get(9)?,
        updated_at: row.get(10)?,
        last_connected_at: row.get(11)?,
    })
}

fn key_path_text(spec: &ConnectionSpec) -> Result<Option<&str>> {
    spec.key_path
        .as_deref()
        .map(|p| {
            p.to_str().ok_or_else(|| StoreError::NotUtf8Path {
                path: p.to_path_buf(),
            })
        })
        .transpose()
}

impl Store {
    /// Every saved connection, ordered by name.
    pub fn list_connections(&self) -> Result<Vec<SavedConnection>> {
        let sql = format!("SELECT {COLUMNS} FROM connections ORDER BY name");
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .map_err(self.err("list connections"))?;
        let rows = stmt
            .query_map([], from_row)
            .map_err(self.err("list connections"))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err("read a saved connection"))
    }

    pub fn get_connection_by_name(&self, name: &str) -> Result<Option<SavedConnection>> {
        let sql = format!("SELECT {COLUMNS} FROM connections WHERE name = ?1");
        self.conn
            .query_row(&sql, [name], from_row)
            .optional()
            .map_err(self.err("look up a connection by name"))
    }

    pub fn get_connection(&self, id: ConnId) -> Result<Option<SavedConnection>> {
        let sql = format!("SELECT {COLUMNS} FROM connections WHERE id = ?1");
        self.conn
            .query_row(&sql, [id], from_row)
            .optional()
            .map_err(self.err("look up a connection"))
    }

    /// Saves a new connection; a name already in use gives `StoreError::DuplicateName`.
    pub fn add_connection(&self, spec: &ConnectionSpec, now: i64) -> Result<SavedConnection> {
        let sql = format!(
            "INSERT INTO connections (name, host, port, user, key_path, jump, read_only, color, \
             created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) \
             RETURNING {COLUMNS}"
        );
        self.conn
            .query_row(
                &sql,
                params![
                    spec.name,
                    spec.host,
                    spec.port,
                    spec.user,
                    key_path_text(spec)?,
                    spec.jump,
                    spec.read_only,
                    spec.color,
                    now
                ],
                from_row,
            )
            .map_err(|e| self.name_error(e, spec, "save a connection"))
    }

    /// Replaces the fields of connection `id`. Renaming onto another connection's name gives
    /// `DuplicateName`; an id that is gone gives `NotFound`.
    pub fn update_connection(
        &self,
        id: ConnId,
        spec: &ConnectionSpec,
        now: i64,
    ) -> Result<SavedConnection> {
        let sql = format!(
            "UPDATE connections SET name = ?2, host = ?3, port = ?4, user = ?5, key_path = ?6, \
             jump = ?7, read_only = ?8, color = ?9, updated_at = ?10 WHERE id = ?1 \
             RETURNING {COLUMNS}"
        );
        self.conn
            .query_row(
                &sql,
                params![
                    id,
                    spec.name,
                    spec.host,
                    spec.port,
                    spec.user,
                    key_path_text(spec)?,
                    spec.jump,
                    spec.read_only,
                    spec.color,
                    now
                ],
                from_row,
            )
            .optional()
            .map_err(|e| self.name_error(e, spec, "update a connection"))?
            .ok_or(StoreError::NotFound {
                what: "connection",
                id,
            })
    }

    /// Deletes connection `id` and, through the foreign key, its tunnels.
    pub fn delete_connection(&self, id: ConnId) -> Result<()> {
        let n = self
            .conn
            .execute("DELETE FROM connections WHERE id = ?1", [id])
            .map_err(self.err("delete a connection"))?;
        found(n, "connection", id)
    }

    /// Records a successful connect for the "last connected" column.
    pub fn mark_connected(&self, id: ConnId, now: i64) -> Result<()> {
        let n = self
            .conn
            .execute(
                "UPDATE connections SET last_connected_at = ?2 WHERE id = ?1",
                params![id, now],
            )
            .map_err(self.err("record the connect time"))?;
        found(n, "connection", id)
    }

    fn name_error(
        &self,
        e: rusqlite::Error,
        spec: &ConnectionSpec,
        action: &'static str,
    ) -> StoreError {
        if is_unique_violation(&e, "connections.name") {
            StoreError::DuplicateName(spec.name.clone())
        } else {
            (self.err(action))(e)
        }
    }
}

pub(super) fn found(changed: usize, what: &'static str, id: i64) -> Result<()> {
    if changed == 0 {
        Err(StoreError::NotFound { what, id })
    } else {
        Ok(())
    }
}
