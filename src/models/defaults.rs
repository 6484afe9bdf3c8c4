//! Whether the configured default models (extraction, embeddings, planning) are present.

use crate::model::{DefaultRole, StoreScan};
use std::collections::BTreeMap;

/// A name reduced to its lowercase letters and digits: `Qwen/Qwen3-32B-NVFP4`,
/// `qwen3:32b-nvfp4` and `qwen3_32b.nvfp4` all become `qwen332bnvfp4` (the first with its
/// org in front).
pub fn squash(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// One entry per configured role, in role order.
///
/// The rule: a model matches a role when the squashed model name (see [`squash`]: case,
/// `-`, `_`, `.`, `:`, `/` and every other separator dropped) contains the squashed wanted
/// name. So `qwen3-32b-nvfp4` finds `Qwen/Qwen3-32B-NVFP4` (HF), `qwen3:32b-nvfp4` (Ollama)
/// and a folder `Qwen3-32B-NVFP4-v2`, and `llama4-scout-17b` finds
/// `meta-llama/Llama-4-Scout-17B-16E-Instruct`; `qwen3-32b` does not find `qwen3-30b-a3b`.
/// Every store is searched, partial downloads included (the tab shows them as partial).
/// A wanted name with no letter or digit finds nothing.
pub fn check(roles: &BTreeMap<String, String>, stores: &[StoreScan]) -> Vec<DefaultRole> {
    roles
        .iter()
        .map(|(role, wanted)| {
            let needle = squash(wanted);
            let found = if needle.is_empty() {
                Vec::new()
            } else {
                stores
                    .iter()
                    .flat_map(|s| &s.models)
                    .filter(|m| squash(&m.name).contains(&needle))
                    .map(|m| m.id.clone())
                    .collect()
            };
            DefaultRole {
                role: role.clone(),
                wanted: wanted.clone(),
                found,
            }
        })
        .collect()
}
