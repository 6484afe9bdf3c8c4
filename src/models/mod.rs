//! The Models tab's engine (issue 6): which stores exist on a host (`discover`), one walk
//! per store cached by mtime (`scan`), duplicates across stores (`dup`), default roles
//! (`defaults`), what is in use (`inuse`) and the confirmed delete (`delete`). The same
//! code serves the TUI worker and `snapshot`.

pub mod defaults;
pub mod delete;
pub mod discover;
pub mod dup;
pub mod inuse;
pub mod scan;

use crate::config::ModelsSettings;
use crate::host::Host;
use crate::model::{DeleteOutcome, ModelsReport, ScanProgress};
use std::sync::Arc;

/// One host's model stores; keeps the last scan of each store so an unchanged store is
/// not walked again.
pub struct ModelsEngine {
    pub host: Arc<dyn Host>,
    pub settings: ModelsSettings,
    pub cache: scan::ScanCache,
    /// The last report, which `delete` checks the model against.
    pub last: Option<ModelsReport>,
}

impl ModelsEngine {
    pub fn new(host: Arc<dyn Host>, settings: &ModelsSettings) -> Self {
        Self {
            host,
            settings: settings.clone(),
            cache: scan::ScanCache::default(),
            last: None,
        }
    }

    /// Discover, scan (walking only stores that changed; `force` walks all), df, in-use,
    /// duplicates and defaults. `progress` is called while a walk runs.
    pub async fn refresh(
        &mut self,
        _force: bool,
        _progress: &(dyn Fn(ScanProgress) + Send + Sync),
    ) -> ModelsReport {
        todo!("models scan helper")
    }

    /// Deletes the model with this id from the last report after re-checking that it
    /// still exists at `path` and is not in use.
    pub async fn delete(
        &mut self,
        _id: &str,
        _path: &str,
    ) -> Result<DeleteOutcome, delete::DeleteError> {
        todo!("models analysis helper")
    }
}
