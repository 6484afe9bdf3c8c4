//! A plain model folder (the model root, extra folders) → models.
//!
//! Each direct sub-folder holding a weight file anywhere below is one model, named after
//! the folder; a weight file lying directly in the root is a model of its own. Sizes count
//! regular files once per inode; symlinks count nothing (their target's store counts it).
//! An HF cache (`models--*`) or an Ollama store (`blobs/` + `manifests/`) found inside is
//! skipped: it is a store of its own when configured, and would otherwise count twice.
//! `*.incomplete` files (HF `local_dir` downloads in progress) are `partial_bytes`.

use super::listing::{FileEntry, InodeSum, best_format, join_path, weight_format};
use crate::model::{ModelEntry, StoreKind, StoreSpec};
use std::collections::{BTreeMap, BTreeSet};

pub fn folder_models(store: &StoreSpec, files: &[FileEntry]) -> Vec<ModelEntry> {
    let skipped = foreign_stores(files);
    let is_skipped = |rel: &str| {
        skipped
            .iter()
            .any(|s| rel == s || (rel.starts_with(s.as_str()) && rel[s.len()..].starts_with('/')))
    };
    let mut groups: BTreeMap<&str, Vec<&FileEntry>> = BTreeMap::new();
    let mut models = Vec::new();
    for e in files {
        if e.rel.is_empty() || is_skipped(&e.rel) {
            continue;
        }
        match e.rel.split_once('/') {
            Some((top, _)) => groups.entry(top).or_default().push(e),
            None if e.is_file() && weight_format(&e.rel).is_some() => {
                models.push(model(store, &e.rel, std::slice::from_ref(&e), e.mtime));
            }
            None => {}
        }
    }
    for dir in files.iter().filter(|e| e.is_dir() && !e.rel.contains('/')) {
        if dir.rel.is_empty() || is_skipped(&dir.rel) {
            continue;
        }
        let entries = groups.remove(dir.rel.as_str()).unwrap_or_default();
        if entries
            .iter()
            .any(|e| e.is_file() && weight_format(e.name()).is_some())
        {
            models.push(model(store, &dir.rel, &entries, dir.mtime));
        }
    }
    models.sort_by(|a, b| a.name.cmp(&b.name));
    models
}

/// Folders inside this store that are HF caches' repos or Ollama stores.
fn foreign_stores(files: &[FileEntry]) -> BTreeSet<String> {
    let dirs: BTreeSet<&str> = files
        .iter()
        .filter(|e| e.is_dir())
        .map(|e| e.rel.as_str())
        .collect();
    let mut out = BTreeSet::new();
    for d in &dirs {
        if d.rsplit('/')
            .next()
            .is_some_and(|n| n.starts_with("models--"))
        {
            out.insert(d.to_string());
        }
        let child = |c: &str| {
            if d.is_empty() {
                c.to_string()
            } else {
                format!("{d}/{c}")
            }
        };
        if dirs.contains(child("blobs").as_str()) && dirs.contains(child("manifests").as_str()) {
            // The store's own root being an Ollama store: only its layout folders go.
            if d.is_empty() {
                out.insert("blobs".into());
                out.insert("manifests".into());
            } else {
                out.insert(d.to_string());
            }
        }
    }
    out
}

fn model(store: &StoreSpec, rel: &str, entries: &[&FileEntry], dir_mtime: i64) -> ModelEntry {
    let mut sum = InodeSum::default();
    let mut partial = 0u64;
    let mut formats = Vec::new();
    let mut modified = None::<i64>;
    for e in entries.iter().filter(|e| e.is_file()) {
        modified = Some(modified.map_or(e.mtime, |m| m.max(e.mtime)));
        if e.name().ends_with(".incomplete") {
            partial = partial.saturating_add(e.size);
            continue;
        }
        formats.extend(weight_format(e.name()));
        sum.add(e);
    }
    ModelEntry {
        id: format!("{}#{}", store.path, rel),
        name: rel.to_string(),
        store: store.path.clone(),
        store_kind: StoreKind::Folder,
        path: join_path(&store.path, rel),
        format: best_format(formats),
        size_bytes: sum.bytes,
        unique_bytes: sum.bytes,
        modified: modified.or(Some(dir_mtime)),
        partial_bytes: partial,
        digests: Vec::new(),
        in_use: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(kind: char, rel: &str, size: u64, inode: u64) -> FileEntry {
        FileEntry {
            kind,
            size,
            mtime: inode as i64,
            inode,
            links: 1,
            rel: rel.into(),
            link_target: None,
        }
    }

    fn store() -> StoreSpec {
        StoreSpec {
            path: "/m/".into(),
            kind: StoreKind::Folder,
            origin: "model root".into(),
        }
    }

    #[test]
    fn a_root_that_is_also_an_ollama_store_keeps_its_folders() {
        let files = [
            e('d', "", 0, 1),
            e('d', "blobs", 0, 2),
            e('f', "blobs/sha256-x.gguf", 100, 3),
            e('d', "manifests", 0, 4),
            e('d', "m", 0, 5),
            e('f', "m/w.pth", 7, 6),
            e('f', "m/w.incomplete", 3, 7),
            e('l', "m/link.safetensors", 9, 8),
        ];
        let models = folder_models(&store(), &files);
        assert_eq!(models.len(), 1, "{models:?}");
        let m = &models[0];
        assert_eq!((m.name.as_str(), m.path.as_str()), ("m", "/m/m"));
        assert_eq!(m.id, "/m/#m");
        assert_eq!(m.size_bytes, 7, "a symlink adds nothing");
        assert_eq!(m.partial_bytes, 3);
        assert_eq!(m.format, crate::model::ModelFormat::Pytorch);
        assert_eq!(m.modified, Some(7));
    }

    #[test]
    fn a_folder_of_only_symlinks_or_no_weights_is_no_model() {
        let files = [
            e('d', "", 0, 1),
            e('d', "links", 0, 2),
            e('l', "links/a.safetensors", 9, 3),
            e('d', "docs", 0, 4),
            e('f', "docs/a.txt", 9, 5),
            e('f', "top.txt", 9, 6),
        ];
        assert!(folder_models(&store(), &files).is_empty());
    }
}
