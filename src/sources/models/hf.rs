//! Hugging Face hub cache → models (research/domain.md §4.5).
//!
//! A repo's size is every regular file under `models--org--name/`, each inode once: the
//! blobs, plus the copies in `snapshots/` when the cache was written without symlinks
//! (`HF_HUB_DISABLE_SYMLINKS`), plus the few bytes of `refs/`. That is exactly what
//! deleting the repo folder frees. Snapshot symlinks add nothing. `*.incomplete` blobs
//! are unfinished downloads: they count as `partial_bytes`, not as model size. A blob that
//! is itself a symlink (Xet files shared across repos at the cache's top `blobs/`) is
//! counted with the size of the file it points to inside the store.

use super::listing::{FileEntry, InodeSum, best_format, join_path, weight_format};
use crate::model::{ModelEntry, ModelFormat, StoreKind, StoreSpec};
use std::collections::{BTreeMap, HashMap};

const PREFIX: &str = "models--";

/// `models--org--name` → `org/name`; None for datasets, spaces and other folders.
pub fn repo_name(dir: &str) -> Option<String> {
    let rest = dir.strip_prefix(PREFIX)?;
    if rest.is_empty() {
        return None;
    }
    // Hub repo ids cannot contain `--`, so the first one is the org separator.
    Some(rest.replacen("--", "/", 1))
}

pub fn hf_models(store: &StoreSpec, files: &[FileEntry]) -> Vec<ModelEntry> {
    let by_rel: HashMap<&str, &FileEntry> = files.iter().map(|e| (e.rel.as_str(), e)).collect();
    let mut repos: BTreeMap<&str, Vec<&FileEntry>> = BTreeMap::new();
    for e in files {
        let top = e.rel.split('/').next().unwrap_or("");
        if top.starts_with(PREFIX) && e.rel.len() > top.len() {
            repos.entry(top).or_default().push(e);
        }
    }
    let mut models = Vec::new();
    for e in files {
        if e.is_dir() && !e.rel.contains('/') && repo_name(&e.rel).is_some() {
            let entries = repos.remove(e.rel.as_str()).unwrap_or_default();
            models.push(repo_model(store, e, &entries, &by_rel));
        }
    }
    models.sort_by(|a, b| a.name.cmp(&b.name));
    models
}

fn repo_model(
    store: &StoreSpec,
    dir: &FileEntry,
    entries: &[&FileEntry],
    by_rel: &HashMap<&str, &FileEntry>,
) -> ModelEntry {
    let name = repo_name(&dir.rel).unwrap_or_default();
    let blobs_prefix = format!("{}/blobs/", dir.rel);
    let snaps_prefix = format!("{}/snapshots/", dir.rel);
    let mut sum = InodeSum::default();
    let mut partial = 0u64;
    let mut digests = Vec::new();
    let mut formats = Vec::new();
    let mut modified = None::<i64>;
    for e in entries {
        if !e.is_dir() {
            modified = Some(modified.map_or(e.mtime, |m| m.max(e.mtime)));
        }
        if let Some(snap_rel) = e.rel.strip_prefix(&snaps_prefix) {
            // snapshots/<commit>/<file>: the file names say what the weights are.
            if !e.is_dir() && snap_rel.contains('/') {
                formats.extend(weight_format(e.name()));
            }
        }
        let blob = e.rel.strip_prefix(&blobs_prefix);
        if e.is_file() {
            if e.name().ends_with(".incomplete") {
                partial = partial.saturating_add(e.size);
                continue;
            }
            sum.add(e);
        } else if e.is_link()
            && blob.is_some()
            && let Some(target) = resolve(&e.rel, e.link_target.as_deref().unwrap_or(""))
            && let Some(t) = by_rel.get(target.as_str())
            && t.is_file()
        {
            sum.add(t);
        }
        if let Some(b) = blob
            && !b.contains('/')
            && is_sha256(b)
        {
            digests.push(format!("sha256:{}", b.to_ascii_lowercase()));
        }
    }
    digests.sort();
    digests.dedup();
    ModelEntry {
        id: format!("{}#{}", store.path, name),
        name,
        store: store.path.clone(),
        store_kind: StoreKind::HfCache,
        path: join_path(&store.path, &dir.rel),
        format: if formats.is_empty() {
            ModelFormat::Other
        } else {
            best_format(formats)
        },
        size_bytes: sum.bytes,
        unique_bytes: sum.bytes,
        modified: modified.or(Some(dir.mtime)),
        partial_bytes: partial,
        digests,
        in_use: None,
    }
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A relative link target resolved against the link's folder, as a store-relative path;
/// None when it leaves the store or is absolute.
pub fn resolve(link_rel: &str, target: &str) -> Option<String> {
    if target.is_empty() || target.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = link_rel.split('/').collect();
    parts.pop();
    for c in target.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_names() {
        assert_eq!(
            repo_name("models--Qwen--Qwen3-32B").as_deref(),
            Some("Qwen/Qwen3-32B")
        );
        assert_eq!(repo_name("models--gpt2").as_deref(), Some("gpt2"));
        assert_eq!(repo_name("datasets--a--b"), None);
        assert_eq!(repo_name("models--"), None);
    }

    #[test]
    fn resolves_relative_links() {
        assert_eq!(
            resolve("m/snapshots/c/f", "../../blobs/x").as_deref(),
            Some("m/blobs/x")
        );
        assert_eq!(
            resolve("m/blobs/e", "../../blobs/ab/x").as_deref(),
            Some("blobs/ab/x")
        );
        assert_eq!(resolve("a/b", "../../../x"), None);
        assert_eq!(resolve("a/b", "/abs"), None);
    }
}

#[cfg(test)]
mod layout_tests {
    use super::*;

    #[test]
    fn a_blob_linked_to_the_shared_xet_store_counts_its_target_once() {
        let hex = "e".repeat(64);
        let f = |kind: char, rel: &str, size: u64, inode: u64, target: Option<&str>| FileEntry {
            kind,
            size,
            mtime: 10,
            inode,
            links: 1,
            rel: rel.into(),
            link_target: target.map(String::from),
        };
        let files = vec![
            f('d', "", 0, 1, None),
            f('d', "blobs", 0, 2, None),
            f('f', "blobs/ab/xethash", 5000, 3, None),
            f('d', "models--a--b", 0, 4, None),
            f(
                'l',
                &format!("models--a--b/blobs/{hex}"),
                30,
                5,
                Some("../../blobs/ab/xethash"),
            ),
            f(
                'l',
                "models--a--b/snapshots/c/model.safetensors",
                40,
                6,
                Some(&format!("../../blobs/{hex}")),
            ),
            f('d', "models--c--d", 0, 7, None),
            f(
                'l',
                &format!("models--c--d/blobs/{hex}"),
                30,
                8,
                Some("../../blobs/ab/xethash"),
            ),
            f(
                'l',
                &format!("models--c--d/blobs/{}", "f".repeat(64)),
                30,
                9,
                Some("../../../../outside"),
            ),
        ];
        let spec = StoreSpec {
            path: "/hub".into(),
            kind: StoreKind::HfCache,
            origin: "default".into(),
        };
        let models = hf_models(&spec, &files);
        assert_eq!(models.len(), 2);
        assert_eq!(models[0].name, "a/b");
        assert_eq!(models[0].size_bytes, 5000);
        assert_eq!(models[0].format, ModelFormat::Safetensors);
        assert_eq!(models[0].digests, [format!("sha256:{hex}")]);
        assert_eq!(
            models[1].size_bytes, 5000,
            "a link leaving the store counts nothing"
        );
        assert_eq!(models[1].format, ModelFormat::Other);
    }
}
