//! Small key/value settings that must survive restarts.

use rusqlite::{OptionalExtension, params};

use super::Store;
use super::error::Result;

/// Setting that holds the name of the connection that was active at exit.
pub const ACTIVE_CONNECTION: &str = "active_connection";

impl Store {
    pub fn get_setting(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()
            .map_err(self.err("read a setting"))
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map_err(self.err("save a setting"))?;
        Ok(())
    }

    /// Removes `key`; removing a key that is not set is not an error.
    pub fn delete_setting(&self, key: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM settings WHERE key = ?1", [key])
            .map_err(self.err("delete a setting"))?;
        Ok(())
    }
}
