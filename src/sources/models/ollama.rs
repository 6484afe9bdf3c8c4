//! Ollama store → models: manifests name the blobs (research/domain.md §2).
//!
//! A model's size is the blobs its manifest names that are on disk (`blobs/sha256-<hex>`),
//! each once; `unique_bytes` leaves out blobs another manifest of the same store names,
//! because deleting this tag keeps those. A blob still downloading (`sha256-<hex>-partial`,
//! `…-partial-N`) counts as `partial_bytes` of the models naming it. Ollama writes the
//! manifest only when a pull finishes, so a first pull in progress belongs to no model
//! yet: its bytes show in the store's total only.

use super::listing::{FileEntry, join_path};
use crate::model::{ModelEntry, ModelFormat, StoreKind, StoreSpec};
use std::collections::{BTreeSet, HashMap};

/// The digests and sizes a manifest names (config first, then layers).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Manifest {
    pub blobs: Vec<(String, u64)>,
}

pub fn parse_manifest(json: &str) -> Result<Manifest, String> {
    let v: serde_json::Value = serde_json::from_str(json).map_err(|e| format!("not JSON ({e})"))?;
    let obj = v
        .as_object()
        .ok_or_else(|| "not a JSON object".to_string())?;
    let mut blobs = Vec::new();
    let mut push = |d: &serde_json::Value, what: &str| -> Result<(), String> {
        let digest = d
            .get("digest")
            .and_then(|x| x.as_str())
            .ok_or_else(|| format!("{what} has no digest"))?;
        if !valid_digest(digest) {
            return Err(format!("{what} digest {digest:?} is not sha256:<64 hex>"));
        }
        let size = d.get("size").and_then(|x| x.as_u64()).unwrap_or(0);
        blobs.push((digest.to_ascii_lowercase(), size));
        Ok(())
    };
    if let Some(config) = obj.get("config").filter(|c| !c.is_null()) {
        push(config, "config")?;
    }
    if let Some(layers) = obj.get("layers").filter(|l| !l.is_null()) {
        let layers = layers
            .as_array()
            .ok_or_else(|| "layers is not a list".to_string())?;
        for l in layers {
            push(l, "a layer")?;
        }
    }
    if blobs.is_empty() {
        return Err("names no config and no layers".into());
    }
    Ok(Manifest { blobs })
}

fn valid_digest(d: &str) -> bool {
    d.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `manifests/<host>/<ns>/<model>/<tag>` → `model:tag`, `ns/model:tag` outside `library`,
/// `host/ns/model:tag` outside the default registry; None for other paths.
pub fn model_name(manifest_rel: &str) -> Option<String> {
    let rest = manifest_rel.strip_prefix("manifests/")?;
    let parts: Vec<&str> = rest.split('/').collect();
    if parts.len() != 4 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let (host, ns, model, tag) = (parts[0], parts[1], parts[2], parts[3]);
    Some(match (host == "registry.ollama.ai", ns == "library") {
        (true, true) => format!("{model}:{tag}"),
        (true, false) => format!("{ns}/{model}:{tag}"),
        (false, _) => format!("{host}/{ns}/{model}:{tag}"),
    })
}

/// `sha256:<hex>` → the blob's path relative to the store.
pub fn blob_rel(digest: &str) -> String {
    format!("blobs/{}", digest.replacen(':', "-", 1))
}

/// `manifests` = (path relative to the store, its parsed manifest).
pub fn ollama_models(
    store: &StoreSpec,
    files: &[FileEntry],
    manifests: &[(String, Manifest)],
) -> Vec<ModelEntry> {
    let by_rel: HashMap<&str, &FileEntry> = files.iter().map(|e| (e.rel.as_str(), e)).collect();
    // Partial downloads by the blob they will become.
    let mut partial: HashMap<&str, u64> = HashMap::new();
    for e in files.iter().filter(|e| e.is_file()) {
        if let Some(i) = e.rel.find("-partial")
            && e.rel.starts_with("blobs/sha256-")
        {
            *partial.entry(&e.rel[..i]).or_default() += e.size;
        }
    }
    let mut users: HashMap<&str, usize> = HashMap::new();
    for (_, m) in manifests {
        let distinct: BTreeSet<&str> = m.blobs.iter().map(|(d, _)| d.as_str()).collect();
        for d in distinct {
            *users.entry(d).or_default() += 1;
        }
    }
    let mut models = Vec::new();
    for (rel, m) in manifests {
        let Some(name) = model_name(rel) else {
            continue;
        };
        let mut size = 0u64;
        let mut unique = 0u64;
        let mut partial_bytes = 0u64;
        let mut modified = by_rel.get(rel.as_str()).map(|e| e.mtime);
        let mut seen_inodes = BTreeSet::new();
        let distinct: BTreeSet<&str> = m.blobs.iter().map(|(d, _)| d.as_str()).collect();
        for d in &distinct {
            let brel = blob_rel(d);
            if let Some(b) = by_rel.get(brel.as_str()).filter(|b| b.is_file()) {
                if seen_inodes.insert(b.inode) {
                    size = size.saturating_add(b.size);
                    if users.get(d).copied().unwrap_or(0) <= 1 {
                        unique = unique.saturating_add(b.size);
                    }
                }
                modified = Some(modified.map_or(b.mtime, |t| t.max(b.mtime)));
            }
            partial_bytes =
                partial_bytes.saturating_add(partial.get(brel.as_str()).copied().unwrap_or(0));
        }
        models.push(ModelEntry {
            id: format!("{}#{}", store.path, name),
            name,
            store: store.path.clone(),
            store_kind: StoreKind::Ollama,
            path: join_path(&store.path, rel),
            format: ModelFormat::Ollama,
            size_bytes: size,
            unique_bytes: unique,
            modified,
            partial_bytes,
            digests: distinct.iter().map(|d| d.to_string()).collect(),
            in_use: None,
        });
    }
    models.sort_by(|a, b| a.name.cmp(&b.name));
    models
}

#[cfg(test)]
mod tests {
    use super::*;

    const H1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    #[test]
    fn parses_a_manifest() {
        let json = format!(
            r#"{{"schemaVersion":2,"config":{{"digest":"{H1}","size":485}},"layers":[{{"mediaType":"m","digest":"{H1}","size":7}}]}}"#
        );
        let m = parse_manifest(&json).unwrap();
        assert_eq!(m.blobs, vec![(H1.to_string(), 485), (H1.to_string(), 7)]);
    }

    #[test]
    fn refuses_bad_manifests_with_a_reason() {
        assert!(parse_manifest("").unwrap_err().contains("not JSON"));
        assert!(parse_manifest("[]").unwrap_err().contains("object"));
        assert!(parse_manifest("{}").unwrap_err().contains("no config"));
        assert!(
            parse_manifest(r#"{"config":{"digest":"md5:x"}}"#)
                .unwrap_err()
                .contains("sha256")
        );
        assert!(
            parse_manifest(r#"{"layers":{}}"#)
                .unwrap_err()
                .contains("list")
        );
    }

    #[test]
    fn names_from_manifest_paths() {
        let n = |p: &str| model_name(p);
        assert_eq!(
            n("manifests/registry.ollama.ai/library/llama3/8b").as_deref(),
            Some("llama3:8b")
        );
        assert_eq!(
            n("manifests/registry.ollama.ai/jmorgan/x/latest").as_deref(),
            Some("jmorgan/x:latest")
        );
        assert_eq!(
            n("manifests/hf.co/bartowski/Q-GGUF/Q4_K_M").as_deref(),
            Some("hf.co/bartowski/Q-GGUF:Q4_K_M")
        );
        assert_eq!(n("manifests/registry.ollama.ai/library/llama3"), None);
        assert_eq!(n("blobs/sha256-x"), None);
    }
}
