//! Tunnels saved per connection.

use rusqlite::{Row, params};

use super::connections::found;
use super::error::{Result, StoreError};
use super::{Store, is_foreign_key_violation, is_unique_violation};
use crate::model::{ConnId, SavedTunnel, TunnelSpec};

fn from_row(row: &Row<'_>) -> rusqlite::Result<SavedTunnel> {
    Ok(SavedTunnel {
        id: row.get(0)?,
        connection_id: row.get(1)?,
        spec: TunnelSpec {
            local_port: row.get(2)?,
            remote_host: row.get(3)?,
            remote_port: row.get(4)?,
        },
    })
}

impl Store {
    /// The tunnels of connection `conn`, by local port.
    pub fn list_tunnels(&self, conn: ConnId) -> Result<Vec<SavedTunnel>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, connection_id, local_port, remote_host, remote_port FROM tunnels \
                 WHERE connection_id = ?1 ORDER BY local_port",
            )
            .map_err(self.err("list tunnels"))?;
        let rows = stmt
            .query_map([conn], from_row)
            .map_err(self.err("list tunnels"))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(self.err("read a saved tunnel"))
    }

    /// Saves a tunnel. A local port the connection already forwards gives
    /// `DuplicateTunnelPort`; a connection that is gone gives `NotFound`.
    pub fn add_tunnel(&self, conn: ConnId, spec: &TunnelSpec) -> Result<SavedTunnel> {
        self.conn
            .query_row(
                "INSERT INTO tunnels (connection_id, local_port, remote_host, remote_port) \
                 VALUES (?1, ?2, ?3, ?4) \
                 RETURNING id, connection_id, local_port, remote_host, remote_port",
                params![conn, spec.local_port, spec.remote_host, spec.remote_port],
                from_row,
            )
            .map_err(|e| {
                if is_unique_violation(&e, "tunnels.connection_id") {
                    StoreError::DuplicateTunnelPort {
                        connection_id: conn,
                        local_port: spec.local_port,
                    }
                } else if is_foreign_key_violation(&e) {
                    StoreError::NotFound {
                        what: "connection",
                        id: conn,
                    }
                } else {
                    (self.err("save a tunnel"))(e)
                }
            })
    }

    pub fn delete_tunnel(&self, id: i64) -> Result<()> {
        let n = self
            .conn
            .execute("DELETE FROM tunnels WHERE id = ?1", [id])
            .map_err(self.err("delete a tunnel"))?;
        found(n, "tunnel", id)
    }
}
