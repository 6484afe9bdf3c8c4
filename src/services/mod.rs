//! The Services tab's engine (DESIGN §5): what should run (`catalog`), what runs
//! (`collect`), the merged picture (`merge`), health probes and service detail (`probe`),
//! confirmed actions (`actions`) and log commands (`logs`). The same code serves the TUI
//! worker and `snapshot`.

pub mod actions;
pub mod catalog;
pub mod collect;
pub mod logs;
pub mod merge;
pub mod probe;

use crate::config::ServicesSettings;
use crate::host::Host;
use crate::model::{CatalogEntry, ServicesReport};
use std::sync::Arc;

/// One host's services: keeps what outlives a refresh (the probe forwards over SSH).
pub struct ServicesEngine {
    pub host: Arc<dyn Host>,
    pub settings: ServicesSettings,
    pub catalog: Vec<CatalogEntry>,
    pub prober: probe::Prober,
}

impl ServicesEngine {
    pub fn new(host: Arc<dyn Host>, settings: &ServicesSettings) -> Self {
        Self {
            catalog: catalog::effective(settings),
            prober: probe::Prober::new(settings.probe_timeout_ms),
            settings: settings.clone(),
            host,
        }
    }

    /// Observe, merge, probe: one full refresh. Never fails as a whole; what could not be
    /// read is in `problems`.
    pub async fn refresh(&mut self) -> ServicesReport {
        let host = self.host.as_ref();
        let obs = collect::observe(host, &self.settings, &self.catalog).await;
        let mut rows = merge::merge(&self.catalog, &obs, &self.settings);
        self.prober.probe_rows(host, &self.catalog, &mut rows).await;
        ServicesReport {
            rows,
            listeners_from: obs.listeners_from,
            problems: obs.problems,
            at: time::OffsetDateTime::now_utc().unix_timestamp(),
        }
    }
}
