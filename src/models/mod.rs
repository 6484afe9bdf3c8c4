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
        notes.extend(inuse::mark_noted(host, &mut stores).await);
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
        id: &str,
        path: &str,
    ) -> Result<DeleteOutcome, delete::DeleteError> {
        use delete::DeleteError::Refused;
        let last = self.last.as_mut().ok_or_else(|| {
            Refused("no scan of this host yet; wait for the Models tab to load".into())
        })?;
        let (si, mi) = last
            .stores
            .iter()
            .enumerate()
            .find_map(|(si, s)| s.models.iter().position(|m| m.id == id).map(|mi| (si, mi)))
            .ok_or_else(|| Refused(format!("{id} is not in the last scan; refresh first")))?;
        let mut store = last.stores[si].clone();
        if store.models[mi].path != path {
            return Err(Refused(format!(
                "{} is now at {}, not at the confirmed {path}; refresh and confirm again",
                store.models[mi].name, store.models[mi].path
            )));
        }
        // The in-use state shown in the dialog may be minutes old.
        inuse::mark(self.host.as_ref(), std::slice::from_mut(&mut store)).await;
        let model = store.models[mi].clone();
        let plan = match model.store_kind {
            crate::model::StoreKind::Ollama => {
                if model.in_use.is_none() {
                    delete::plan_fresh(self.host.as_ref(), &model).await?
                } else {
                    delete::plan(&model, &store)
                }
            }
            _ => delete::plan(&model, &store),
        };
        let outcome = delete::run(self.host.as_ref(), &model, &plan).await;
        // Even a failed delete may have removed some files: the next refresh walks the store.
        self.cache.entries.remove(&store.spec);
        if outcome.is_ok() {
            last.stores[si].models.retain(|m| m.id != id);
        }
        outcome
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
