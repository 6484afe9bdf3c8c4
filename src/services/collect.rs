//! Runs the observation commands on a host: `ss -H -ltnp` (or `/proc/net/tcp{,6}`),
//! `docker ps --all`, `systemctl show` for the catalogued units.

use crate::config::ServicesSettings;
use crate::host::Host;
use crate::model::{CatalogEntry, Observation};

pub async fn observe(
    _host: &dyn Host,
    _settings: &ServicesSettings,
    _catalog: &[CatalogEntry],
) -> Observation {
    todo!("engine helper")
}
