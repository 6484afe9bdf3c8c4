//! The confirmed delete: exactly one model's files (shared Ollama blobs kept while another
//! manifest names them), built from quoted arguments.

use crate::host::Host;
use crate::model::{DeleteOutcome, ModelEntry, StoreKind, StoreScan};
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeleteError {
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Failed(String),
}

/// What deleting `model` removes and keeps, from its store's last scan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeletePlan {
    pub remove: Vec<String>,
    pub kept_shared: Vec<String>,
    pub freed_bytes: u64,
}

/// `sha256:<64 hex>` → `<store>/blobs/sha256-<hex>`; None for anything else, so a digest
/// read from a manifest can never name a path outside `blobs/`.
pub fn blob_path(store: &str, digest: &str) -> Option<String> {
    let hex = digest.strip_prefix("sha256:")?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("{}/blobs/sha256-{hex}", store.trim_end_matches('/')))
}

/// From the scan: HF → the repo folder, Folder → the folder or loose file, Ollama → the
/// manifest plus the blobs of its digests that no other manifest of the same store names
/// (those go to `kept_shared`). `freed_bytes` is the model's `unique_bytes` for Ollama
/// (what the scan found only this manifest uses), its `size_bytes` otherwise.
pub fn plan(model: &ModelEntry, store: &StoreScan) -> DeletePlan {
    match model.store_kind {
        StoreKind::HfCache | StoreKind::Folder => DeletePlan {
            remove: vec![model.path.clone()],
            kept_shared: Vec::new(),
            freed_bytes: model.size_bytes,
        },
        StoreKind::Ollama => {
            let others: BTreeSet<&str> = store
                .models
                .iter()
                .filter(|m| m.id != model.id && m.path != model.path)
                .flat_map(|m| m.digests.iter().map(String::as_str))
                .collect();
            let mut plan = DeletePlan {
                remove: vec![model.path.clone()],
                kept_shared: Vec::new(),
                freed_bytes: model.unique_bytes,
            };
            let mut seen = BTreeSet::new();
            for d in &model.digests {
                let Some(path) = blob_path(&model.store, d) else {
                    continue;
                };
                if !seen.insert(path.clone()) {
                    continue;
                }
                if others.contains(d.as_str()) {
                    plan.kept_shared.push(path);
                } else {
                    plan.remove.push(path);
                }
            }
            plan
        }
    }
}

/// The digests a manifest names: its config and every layer.
pub fn manifest_digests(json: &str) -> Result<Vec<String>, String> {
    let v: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    if let Some(d) = v.pointer("/config/digest").and_then(|d| d.as_str()) {
        out.push(d.to_string());
    }
    for layer in v
        .get("layers")
        .and_then(|l| l.as_array())
        .into_iter()
        .flatten()
    {
        if let Some(d) = layer.get("digest").and_then(|d| d.as_str()) {
            out.push(d.to_string());
        }
    }
    if out.is_empty() {
        return Err("names no config or layer digest".into());
    }
    Ok(out)
}

/// An Ollama plan from the manifests and blobs as they are on disk now (not as the last
/// scan saw them): `manifests` maps each manifest path to its text, `blobs` each blob file
/// name (`sha256-<hex>`) to its size. Only blobs that exist are removed or kept, with the
/// `-partial` leftovers of an interrupted pull of the same digest; another
/// manifest that cannot be parsed refuses the plan, since the blobs it needs are unknown.
pub fn plan_from_disk(
    model: &ModelEntry,
    manifests: &[(String, String)],
    blobs: &HashMap<String, u64>,
) -> Result<DeletePlan, DeleteError> {
    let own = manifests
        .iter()
        .find(|(p, _)| *p == model.path)
        .ok_or_else(|| {
            DeleteError::Refused(format!(
                "{} no longer has a manifest at {}; refresh the Models tab",
                model.name, model.path
            ))
        })?;
    let own_digests = manifest_digests(&own.1).map_err(|e| {
        DeleteError::Refused(format!(
            "cannot read the manifest {}: {e}; delete it by hand or with `ollama rm`",
            own.0
        ))
    })?;
    let mut others = BTreeSet::new();
    for (path, text) in manifests.iter().filter(|(p, _)| *p != model.path) {
        let digests = manifest_digests(text).map_err(|e| {
            DeleteError::Refused(format!(
                "cannot read the manifest {path}: {e}; its blobs are unknown, so none are \
                 deleted. Fix or remove that manifest first"
            ))
        })?;
        others.extend(digests);
    }
    let mut plan = DeletePlan {
        remove: vec![model.path.clone()],
        ..DeletePlan::default()
    };
    let mut seen = BTreeSet::new();
    let blobs_dir = format!("{}/blobs", model.store.trim_end_matches('/'));
    for d in &own_digests {
        let Some(path) = blob_path(&model.store, d) else {
            continue;
        };
        if !seen.insert(path.clone()) {
            continue;
        }
        let name = path.rsplit('/').next().unwrap_or_default();
        // An interrupted pull leaves `sha256-<hex>-partial…` files next to the blob.
        let mut files: Vec<(&String, u64)> = blobs
            .iter()
            .filter(|(n, _)| {
                *n == name
                    || n.strip_prefix(name)
                        .is_some_and(|rest| rest.starts_with("-partial"))
            })
            .map(|(n, &size)| (n, size))
            .collect();
        files.sort();
        for (file, size) in files {
            let path = format!("{blobs_dir}/{file}");
            if others.contains(d) {
                plan.kept_shared.push(path);
            } else {
                plan.freed_bytes += size;
                plan.remove.push(path);
            }
        }
    }
    Ok(plan)
}

/// Reads an Ollama store's manifests and blob sizes on the host and plans from them, so
/// a tag pulled since the last scan keeps the blobs it shares.
pub async fn plan_fresh(host: &dyn Host, model: &ModelEntry) -> Result<DeletePlan, DeleteError> {
    let store = model.store.trim_end_matches('/');
    let manifests_dir = format!("{store}/manifests");
    let blobs_dir = format!("{store}/blobs");
    let failed = |what: &str, e: String| {
        DeleteError::Failed(format!(
            "cannot read {what} on {}: {e}; nothing was deleted",
            host.name()
        ))
    };
    // `-Z` ends each file name with NUL, so names with `:` or spaces survive.
    let out = host
        .exec(&["grep", "-rZ", "--", "", &manifests_dir])
        .await
        .map_err(|e| failed(&manifests_dir, e.to_string()))?;
    if !matches!(out.status, Some(0) | Some(1)) {
        return Err(failed(&manifests_dir, out.stderr_str().trim().to_string()));
    }
    let manifests = parse_grep_z(&out.stdout_str());
    let out = host
        .exec(&[
            "find",
            &blobs_dir,
            "-maxdepth",
            "1",
            "-type",
            "f",
            "-printf",
            "%f\\t%s\\n",
        ])
        .await
        .map_err(|e| failed(&blobs_dir, e.to_string()))?;
    if !out.success() {
        return Err(failed(&blobs_dir, out.stderr_str().trim().to_string()));
    }
    let blobs = out
        .stdout_str()
        .lines()
        .filter_map(|l| {
            let (name, size) = l.split_once('\t')?;
            Some((name.to_string(), size.trim().parse().ok()?))
        })
        .collect();
    plan_from_disk(model, &manifests, &blobs)
}

/// `grep -rZ '' DIR` output → (file, its text), in first-seen order.
pub fn parse_grep_z(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let Some((path, content)) = line.split_once('\0') else {
            continue;
        };
        match out.last_mut() {
            Some((p, t)) if p == path => {
                t.push('\n');
                t.push_str(content);
            }
            _ => out.push((path.to_string(), content.to_string())),
        }
    }
    out
}

/// Why `path` may not be deleted as part of a model of `store`, if it may not: it must be
/// absolute, strictly inside the store, and free of `.`/`..`/empty components.
pub fn outside_store(store: &str, path: &str) -> Option<String> {
    let store = store.trim_end_matches('/');
    let bad_component = |p: &str| p.split('/').skip(1).any(|c| matches!(c, "" | "." | ".."));
    if !store.starts_with('/') || bad_component(store) {
        return Some(format!(
            "the store path {store:?} is not a clean absolute path"
        ));
    }
    if !path.starts_with('/') || bad_component(path) {
        return Some(format!("{path:?} is not a clean absolute path"));
    }
    match path.strip_prefix(store) {
        Some(rest) if rest.starts_with('/') && rest.len() > 1 => None,
        _ => Some(format!("{path} is not inside the store {store}")),
    }
}

/// Prints the store's canonical path, then each argument's parent folder's, each
/// NUL-terminated (empty when it cannot be resolved).
const CANON_PARENTS: &str = r#"printf '%s\0' "$(readlink -e -- "$1")"; shift
for p do printf '%s\0' "$(readlink -e -- "$(dirname -- "$p")")"; done"#;

/// The string check cannot see symlinks: a folder inside the store that links elsewhere
/// would let `rm` reach outside it. So the parents are resolved on the host and must lie
/// in the resolved store (`rm -rf` on a symlink itself removes only the link).
async fn resolved_inside(
    host: &dyn Host,
    model: &ModelEntry,
    paths: &[&str],
) -> Result<(), DeleteError> {
    let mut argv = vec!["sh", "-c", CANON_PARENTS, "sh", &model.store];
    argv.extend_from_slice(paths);
    let out = host.exec(&argv).await.map_err(|e| {
        DeleteError::Failed(format!(
            "cannot resolve the paths of {} on {}: {e}; nothing was deleted",
            model.name,
            host.name()
        ))
    })?;
    let text = out.stdout_str();
    let mut resolved: Vec<&str> = text.split('\0').collect();
    // Every path must have its answer; a short reply refuses them all.
    resolved.resize(paths.len() + 1, "");
    let store = resolved[0];
    if store.is_empty() {
        return Err(DeleteError::Refused(format!(
            "the store {} is not on {}; refresh the Models tab",
            model.store,
            host.name()
        )));
    }
    for (path, &parent) in paths.iter().zip(&resolved[1..]) {
        let inside = parent == store
            || parent
                .strip_prefix(store)
                .is_some_and(|r| r.starts_with('/'));
        if !inside {
            return Err(DeleteError::Refused(format!(
                "not deleting {}: {path} resolves to {}, outside the store {store}",
                model.name,
                if parent.is_empty() { "nothing" } else { parent }
            )));
        }
    }
    Ok(())
}

/// Paths of `paths` that still exist on the host (a dangling symlink counts).
async fn still_there(host: &dyn Host, paths: &[&str]) -> Result<Vec<String>, DeleteError> {
    let script = r#"for p do if [ -e "$p" ] || [ -L "$p" ]; then printf '%s\0' "$p"; fi; done"#;
    let mut argv = vec!["sh", "-c", script, "sh"];
    argv.extend_from_slice(paths);
    let out = host.exec(&argv).await.map_err(|e| {
        DeleteError::Failed(format!(
            "cannot check what is left on {}: {e}; look at the paths by hand",
            host.name()
        ))
    })?;
    Ok(out
        .stdout_str()
        .split('\0')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect())
}

/// Removes exactly the plan's paths with `rm -rf -- PATH…` (each path one argument, quoted
/// by the host), then checks that they are gone. Refused while the model is in use, for an
/// empty plan, or when any path is not strictly inside the model's store. For Ollama the
/// model's manifest folder (`manifests/…/<model>/`) goes too once its last tag is gone.
pub async fn run(
    host: &dyn Host,
    model: &ModelEntry,
    plan: &DeletePlan,
) -> Result<DeleteOutcome, DeleteError> {
    if let Some(why) = &model.in_use {
        return Err(DeleteError::Refused(format!(
            "{} is in use ({why}); stop it first",
            model.name
        )));
    }
    if plan.remove.is_empty() {
        return Err(DeleteError::Refused(format!(
            "nothing to delete for {}",
            model.name
        )));
    }
    for p in plan.remove.iter().chain(&plan.kept_shared) {
        if let Some(why) = outside_store(&model.store, p) {
            return Err(DeleteError::Refused(format!(
                "not deleting {}: {why}",
                model.name
            )));
        }
    }
    let paths: Vec<&str> = plan.remove.iter().map(String::as_str).collect();
    resolved_inside(host, model, &paths).await?;
    let mut argv = vec!["rm", "-rf", "--"];
    argv.extend_from_slice(&paths);
    let out = host.exec(&argv).await.map_err(|e| {
        DeleteError::Failed(format!(
            "deleting {} on {} failed: {e}; check what is left with a refresh",
            model.name,
            host.name()
        ))
    })?;
    let left = still_there(host, &paths).await?;
    if !left.is_empty() {
        let stderr = out.stderr_str();
        return Err(DeleteError::Failed(format!(
            "deleting {} on {} left {}: {}; check permissions (the store may belong to \
             another user)",
            model.name,
            host.name(),
            left.join(", "),
            stderr.trim()
        )));
    }
    let mut removed = plan.remove.clone();
    if let Some(dir) = empty_manifest_dir(model) {
        // Only an empty folder goes: a sibling tag keeps it. Failure leaves a harmless empty
        // folder, so it is not an error.
        let _ = host
            .exec(&["rmdir", "--ignore-fail-on-non-empty", "--", &dir])
            .await;
        if still_there(host, &[&dir]).await.is_ok_and(|l| l.is_empty()) {
            removed.push(dir);
        }
    }
    Ok(DeleteOutcome {
        model: model.name.clone(),
        removed,
        kept_shared: plan.kept_shared.clone(),
        freed_bytes: plan.freed_bytes,
    })
}

/// The `<model>` folder holding an Ollama manifest, when it is at least
/// `manifests/<host>/<ns>/<model>` deep inside the store.
fn empty_manifest_dir(model: &ModelEntry) -> Option<String> {
    if model.store_kind != StoreKind::Ollama {
        return None;
    }
    let store = model.store.trim_end_matches('/');
    let rel = model
        .path
        .strip_prefix(store)?
        .strip_prefix("/manifests/")?;
    let (dir, _tag) = rel.rsplit_once('/')?;
    (dir.split('/').count() >= 2).then(|| format!("{store}/manifests/{dir}"))
}
