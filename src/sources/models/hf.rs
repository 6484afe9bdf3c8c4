//! Hugging Face hub cache → models (research/domain.md §4.5).

use super::listing::FileEntry;
use crate::model::{ModelEntry, StoreSpec};

pub fn hf_models(_store: &StoreSpec, _files: &[FileEntry]) -> Vec<ModelEntry> {
    todo!("models scan helper")
}
