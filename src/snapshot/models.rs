//! The `models` section of the snapshot (DESIGN §7) and the problems the Models engine
//! finds (full disks, missing default models, unreadable stores), from the same engine the
//! TUI uses.

use super::{Problem, Snapshot};
use crate::config::ModelsSettings;
use crate::host::Host;
use crate::model::ModelsReport;
use crate::models::ModelsEngine;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelsSection {
    pub stores: Vec<StoreEntry>,
    pub models: Vec<ModelItem>,
    pub duplicates: Vec<DuplicateEntry>,
    pub filesystems: Vec<FilesystemEntry>,
    pub defaults: Vec<DefaultEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreEntry {
    pub path: String,
    /// `folder`, `hf_cache` or `ollama`.
    pub kind: String,
    pub total_bytes: u64,
    pub models: usize,
    /// Why it could not be read (fully or partly); null when it was.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelItem {
    pub name: String,
    pub store: String,
    pub path: String,
    pub format: String,
    pub size_bytes: u64,
    /// What deleting it would free (blobs other models of its store share are kept).
    pub unique_bytes: u64,
    pub partial_bytes: u64,
    /// Newest file's mtime, Unix seconds.
    pub modified_unix: Option<i64>,
    pub in_use: bool,
    /// Why it is in use (`loaded in Ollama …`, `open by pid …`).
    pub in_use_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateEntry {
    pub name: String,
    /// `same_name` or `same_blob`.
    pub reason: String,
    pub paths: Vec<String>,
    pub reclaimable_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilesystemEntry {
    pub mount: String,
    pub size_bytes: u64,
    pub used_bytes: u64,
    pub avail_bytes: u64,
    pub models_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultEntry {
    pub role: String,
    pub wanted: String,
    /// Names of the models that match; empty = missing.
    pub found: Vec<String>,
}

pub fn models_section(report: &ModelsReport) -> ModelsSection {
    let name_of = |id: &str| {
        report
            .stores
            .iter()
            .flat_map(|s| &s.models)
            .find(|m| m.id == id)
            .map_or_else(|| id.to_string(), |m| m.name.clone())
    };
    ModelsSection {
        stores: report
            .stores
            .iter()
            .map(|s| StoreEntry {
                path: s.spec.path.clone(),
                kind: s.spec.kind.as_str().to_string(),
                total_bytes: s.total_bytes,
                models: s.models.len(),
                error: s.error.clone(),
            })
            .collect(),
        models: report
            .stores
            .iter()
            .flat_map(|s| &s.models)
            .map(|m| ModelItem {
                name: m.name.clone(),
                store: m.store.clone(),
                path: m.path.clone(),
                format: serde_json::to_value(m.format)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                size_bytes: m.size_bytes,
                unique_bytes: m.unique_bytes,
                partial_bytes: m.partial_bytes,
                modified_unix: m.modified,
                in_use: m.in_use.is_some(),
                in_use_by: m.in_use.clone(),
            })
            .collect(),
        duplicates: report
            .duplicates
            .iter()
            .map(|d| DuplicateEntry {
                name: d.name.clone(),
                reason: serde_json::to_value(d.reason)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                paths: d.paths.clone(),
                reclaimable_bytes: d.reclaimable_bytes,
            })
            .collect(),
        filesystems: report
            .filesystems
            .iter()
            .map(|f| FilesystemEntry {
                mount: f.mount.clone(),
                size_bytes: f.size_bytes,
                used_bytes: f.used_bytes,
                avail_bytes: f.avail_bytes,
                models_bytes: f.models_bytes,
            })
            .collect(),
        defaults: report
            .defaults
            .iter()
            .map(|d| DefaultEntry {
                role: d.role.clone(),
                wanted: d.wanted.clone(),
                found: d.found.iter().map(|id| name_of(id)).collect(),
            })
            .collect(),
    }
}

fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
}

/// What is red or yellow about model storage.
pub fn problems(report: &ModelsReport, settings: &ModelsSettings) -> Vec<Problem> {
    let problem =
        |severity: &str, message: String, fix: Option<String>, row: Option<String>| Problem {
            severity: severity.to_string(),
            area: "models".to_string(),
            message,
            fix,
            row,
        };
    // The biggest model on a mount is where a user looking at a full disk starts.
    let biggest_on = |mount: &str| {
        report
            .stores
            .iter()
            .filter(|s| s.mount.as_deref() == Some(mount))
            .flat_map(|s| s.models.iter())
            .max_by_key(|m| m.size_bytes)
            .map(|m| m.id.clone())
    };
    let mut out = Vec::new();
    for f in &report.filesystems {
        let Some(pct) = f.used_pct() else { continue };
        let severity = if pct >= settings.disk_crit_pct {
            "crit"
        } else if pct >= settings.disk_warn_pct {
            "warn"
        } else {
            continue;
        };
        let reclaimable: u64 = report.duplicates.iter().map(|d| d.reclaimable_bytes).sum();
        let fix = if reclaimable > 0 {
            format!(
                "delete duplicate models first ({} reclaimable; Models tab, d)",
                gib(reclaimable)
            )
        } else {
            "delete models no longer needed (Models tab, d) or move them to a larger disk"
                .to_string()
        };
        out.push(problem(
            severity,
            format!(
                "filesystem {} is {pct:.0}% full ({} free; models take {})",
                f.mount,
                gib(f.avail_bytes),
                gib(f.models_bytes)
            ),
            Some(fix),
            biggest_on(&f.mount),
        ));
    }
    for s in &report.stores {
        if let Some(e) = &s.error {
            out.push(problem(
                "warn",
                format!("model store {} not fully readable: {e}", s.spec.path),
                None,
                s.models.first().map(|m| m.id.clone()),
            ));
        }
    }
    for note in &report.notes {
        out.push(problem("info", format!("models: {note}"), None, None));
    }
    for d in report.defaults.iter().filter(|d| d.found.is_empty()) {
        out.push(problem(
            "warn",
            format!("default {} model {} is not in any store", d.role, d.wanted),
            Some(format!(
                "download it into {} (or change [models.defaults] {})",
                settings.root, d.role
            )),
            None,
        ));
    }
    for d in &report.duplicates {
        out.push(problem(
            "info",
            format!(
                "{} is stored {} times ({} reclaimable)",
                d.name,
                d.paths.len(),
                gib(d.reclaimable_bytes)
            ),
            Some(format!("keep one copy: {}", d.paths.join(" | "))),
            d.models.first().cloned(),
        ));
    }
    out
}

/// Fills `models` and adds the models problems to `problems`.
pub async fn add_models(snapshot: &mut Snapshot, host: Arc<dyn Host>, settings: &ModelsSettings) {
    let mut engine = ModelsEngine::new(host, settings);
    let report = engine.refresh(true, &|_| {}).await;
    snapshot.models = Some(models_section(&report));
    snapshot.problems.extend(problems(&report, settings));
}

/// The text lines of the models section.
pub fn models_text(snapshot: &Snapshot) -> String {
    let Some(m) = &snapshot.models else {
        return String::new();
    };
    let mut text = String::new();
    for f in &m.filesystems {
        let pct = if f.size_bytes > 0 {
            f.used_bytes as f64 * 100.0 / f.size_bytes as f64
        } else {
            0.0
        };
        text.push_str(&format!(
            "disk  {} {pct:.0}% used, {} free of {}, models {}\n",
            f.mount,
            gib(f.avail_bytes),
            gib(f.size_bytes),
            gib(f.models_bytes)
        ));
    }
    let total: u64 = m.models.iter().map(|x| x.size_bytes).sum();
    text.push_str(&format!(
        "models {} in {} store(s), {}; {} in use; {} duplicate group(s)\n",
        m.models.len(),
        m.stores.len(),
        gib(total),
        m.models.iter().filter(|x| x.in_use).count(),
        m.duplicates.len()
    ));
    for d in &m.defaults {
        let found = if d.found.is_empty() {
            "MISSING".to_string()
        } else {
            d.found.join(", ")
        };
        text.push_str(&format!(
            "models default {} {}: {found}\n",
            d.role, d.wanted
        ));
    }
    text
}
