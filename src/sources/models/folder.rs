//! A plain model folder (the model root, extra folders) → models.

use super::listing::FileEntry;
use crate::model::{ModelEntry, StoreSpec};

pub fn folder_models(_store: &StoreSpec, _files: &[FileEntry]) -> Vec<ModelEntry> {
    todo!("models scan helper")
}
