//! Ollama store → models: manifests name the blobs (research/domain.md §2).

use super::listing::FileEntry;
use crate::model::{ModelEntry, StoreSpec};

/// The digests and sizes a manifest names (config first, then layers).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Manifest {
    pub blobs: Vec<(String, u64)>,
}

pub fn parse_manifest(_json: &str) -> Result<Manifest, String> {
    todo!("models scan helper")
}

/// `manifests` = (path relative to the store, its parsed manifest).
pub fn ollama_models(
    _store: &StoreSpec,
    _files: &[FileEntry],
    _manifests: &[(String, Manifest)],
) -> Vec<ModelEntry> {
    todo!("models scan helper")
}
