//! Health probes and service detail over HTTP/TCP, locally or through the SSH session
//! (a cached local forward per remote port, then reqwest).

use crate::host::Host;
use crate::model::{CatalogEntry, ServiceRow};

pub struct Prober {
    pub timeout_ms: u64,
}

impl Prober {
    pub fn new(timeout_ms: u64) -> Self {
        Self { timeout_ms }
    }

    /// Fills `health` and `detail` of the rows that listen.
    pub async fn probe_rows(
        &mut self,
        _host: &dyn Host,
        _catalog: &[CatalogEntry],
        _rows: &mut [ServiceRow],
    ) {
        todo!("engine helper")
    }
}
