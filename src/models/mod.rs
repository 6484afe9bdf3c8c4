//! The Models tab's engine (issue 6): which stores exist on a host (`discover`), one walk
//! per store cached by mtime (`scan`), duplicates across stores (`dup`), default roles
//! (`defaults`), what is in use (`inuse`) and the confirmed delete (`delete`). The same
//! code serves the TUI worker and `snapshot`.

pub mod defaults;
pub mod delete;
pub mod discover;
pub mod disk;
pub mod dup;
pub mod inuse;
pub mod scan;

use crate::config::ModelsSettings;
use crate::host::Host;
use crate::model::{DeleteOutcome, ModelsReport, ScanProgress, StoreScan};
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
        force: bool,
        progress: &(dyn Fn(ScanProgress) + Send + Sync),
    ) -> ModelsReport {
        let host = self.host.as_ref();
        let found = discover::probe(host, &self.settings).await;
        self.cache.retain(&found.stores);
        let mut stores = Vec::with_capacity(found.stores.len() + found.problems.len());
        for spec in &found.stores {
            stores.push(self.cache.scan(host, spec, force, progress).await);
        }
        let now = now();
        stores.extend(found.problems.into_iter().map(|(spec, why)| StoreScan {
            spec,
            total_bytes: 0,
            files: 0,
            models: Vec::new(),
            error: Some(why),
            mount: None,
            scanned_at: now,
        }));
        let mut notes = found.notes;
        let filesystems = match disk::filesystems(host, &mut stores).await {
            Ok(fs) => fs,
            Err(note) => {
                notes.push(note);
                Vec::new()
            }
        };
        inuse::mark(host, &mut stores).await;
        let duplicates = dup::find_duplicates(&stores);
        let defaults = defaults::check(&self.settings.defaults, &stores);
        let report = ModelsReport {
            stores,
            filesystems,
            duplicates,
            defaults,
            at: now,
            notes,
        };
        self.last = Some(report.clone());
        report
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

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
