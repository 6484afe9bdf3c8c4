//! Whether the configured default models (extraction, embeddings, planning) are present.

use crate::model::{DefaultRole, StoreScan};
use std::collections::BTreeMap;

pub fn check(_roles: &BTreeMap<String, String>, _stores: &[StoreScan]) -> Vec<DefaultRole> {
    todo!("models analysis helper")
}
