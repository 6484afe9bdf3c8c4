//! One walk per store (streamed, with progress), turned into models by the layout parser.
//!
//! The walk is a single `find` whose output is parsed line by line as it arrives, so a
//! store of millions of files costs one process and constant memory per entry. The cache
//! keeps each store's last scan with a fingerprint from a shallow `find` (the root and two
//! levels below; Ollama's manifest tree in full): a new or removed HF repo, blob or
//! snapshot, a new model folder or a new Ollama tag changes it, and only then is the store
//! walked again.

use crate::host::{Host, StreamEvent};
use crate::model::{ScanProgress, StoreKind, StoreScan, StoreSpec};
use crate::sources::models::listing::{
    FileEntry, InodeSum, Joiner, join_path, shallow_argv, walk_argv,
};
use crate::sources::models::ollama::{Manifest, parse_manifest};
use crate::sources::models::{folder, hf, ollama};
use futures::StreamExt;
use std::collections::HashMap;

/// Entries between two progress reports.
pub const PROGRESS_EVERY: u64 = 2000;
/// Manifests read at the same time (each is one exec over SSH; stays below max_channels).
const MANIFEST_READS: usize = 4;
/// Lines of stderr quoted in an error; the rest are counted.
const STDERR_QUOTED: usize = 2;

/// Last scan per store with the mtimes that decide whether it changed.
#[derive(Debug, Default)]
pub struct ScanCache {
    pub entries: HashMap<StoreSpec, (Vec<(String, i64)>, StoreScan)>,
}

impl ScanCache {
    /// The cached scan when the store's fingerprint is unchanged (and `force` is off),
    /// otherwise a fresh walk, cached when it read the store without error.
    pub async fn scan(
        &mut self,
        host: &dyn Host,
        spec: &StoreSpec,
        force: bool,
        progress: &(dyn Fn(ScanProgress) + Send + Sync),
    ) -> StoreScan {
        let print = fingerprint(host, spec).await;
        if !force
            && let (Some(now), Some((then, scan))) = (&print, self.entries.get(spec))
            && now == then
        {
            return scan.clone();
        }
        let scan = scan_store(host, spec, progress).await;
        match print {
            Some(p) if scan.error.is_none() => {
                self.entries.insert(spec.clone(), (p, scan.clone()));
            }
            _ => {
                self.entries.remove(spec);
            }
        }
        scan
    }

    /// Forgets stores no longer discovered, so the cache cannot grow without bound.
    pub fn retain(&mut self, specs: &[StoreSpec]) {
        self.entries.retain(|k, _| specs.contains(k));
    }
}

/// (path, mtime) of the store's root and the entries that change when models come and
/// go; None when the shallow walk failed (the store is then always walked).
pub async fn fingerprint(host: &dyn Host, spec: &StoreSpec) -> Option<Vec<(String, i64)>> {
    // manifests/<host>/<ns>/<model>/<tag> sits five levels down; a new tag only changes
    // its model folder's mtime.
    let depth = if spec.kind == StoreKind::Ollama { 5 } else { 2 };
    let argv = shallow_argv(&spec.path, depth);
    let args: Vec<&str> = argv.iter().map(String::as_str).collect();
    let out = host.exec(&args).await.ok()?;
    if !out.success() {
        return None;
    }
    let mut joiner = Joiner::default();
    let mut print: Vec<(String, i64)> = out
        .stdout_str()
        .lines()
        .filter_map(|l| joiner.push(l))
        .filter(|e| spec.kind != StoreKind::Ollama || keeps_ollama(&e.rel))
        .map(|e| (format!("{}\u{0}{}", e.rel, e.size), e.mtime))
        .collect();
    print.sort();
    Some(print)
}

/// In an Ollama store only the top, `blobs/` itself and the manifest tree matter; listing
/// every blob would only make the fingerprint longer.
fn keeps_ollama(rel: &str) -> bool {
    !rel.starts_with("blobs/")
}

pub async fn scan_store(
    host: &dyn Host,
    spec: &StoreSpec,
    progress: &(dyn Fn(ScanProgress) + Send + Sync),
) -> StoreScan {
    let mut scan = StoreScan {
        spec: spec.clone(),
        total_bytes: 0,
        files: 0,
        models: Vec::new(),
        error: None,
        mount: None,
        scanned_at: 0,
    };
    let walk = match walk(host, spec, progress).await {
        Ok(w) => w,
        Err(e) => {
            scan.error = Some(e);
            scan.scanned_at = now();
            return scan;
        }
    };
    scan.total_bytes = walk.total_bytes;
    scan.files = walk.files;
    let mut problems: Vec<String> = walk.problem.into_iter().collect();
    scan.models = match spec.kind {
        StoreKind::HfCache => hf::hf_models(spec, &walk.entries),
        StoreKind::Folder => folder::folder_models(spec, &walk.entries),
        StoreKind::Ollama => {
            let (manifests, bad) = read_manifests(host, spec, &walk.entries).await;
            problems.extend(bad);
            ollama::ollama_models(spec, &walk.entries, &manifests)
        }
    };
    if !problems.is_empty() {
        scan.error = Some(problems.join("; "));
    }
    scan.scanned_at = now();
    scan
}

struct Walk {
    entries: Vec<FileEntry>,
    total_bytes: u64,
    files: u64,
    /// A partial read: the walk went on but some folders could not be read.
    problem: Option<String>,
}

async fn walk(
    host: &dyn Host,
    spec: &StoreSpec,
    progress: &(dyn Fn(ScanProgress) + Send + Sync),
) -> Result<Walk, String> {
    let argv = walk_argv(&spec.path);
    let args: Vec<&str> = argv.iter().map(String::as_str).collect();
    let mut stream = host
        .stream_lines(&args)
        .await
        .map_err(|e| format!("cannot walk {} on {}: {e}", spec.path, host.name()))?;
    let mut joiner = Joiner::default();
    let mut entries = Vec::new();
    let mut seen = 0u64;
    let mut sum = InodeSum::default();
    let mut files = 0u64;
    let mut stderr = Vec::new();
    let mut status = None;
    while let Some(ev) = stream.next().await {
        match ev {
            StreamEvent::Stdout(line) => {
                let Some(e) = joiner.push(&line) else {
                    continue;
                };
                if e.is_file() {
                    files += 1;
                    sum.add(&e);
                }
                seen += 1;
                if needed(spec.kind, &e.rel) {
                    entries.push(e);
                }
                if seen.is_multiple_of(PROGRESS_EVERY) {
                    progress(ScanProgress {
                        store: spec.path.clone(),
                        files,
                        bytes: sum.bytes,
                    });
                }
            }
            StreamEvent::Stderr(line) => stderr.push(line),
            StreamEvent::Exit(code) => {
                status = code;
                break;
            }
        }
    }
    progress(ScanProgress {
        store: spec.path.clone(),
        files,
        bytes: sum.bytes,
    });
    let where_ = format!("{} on {}", spec.path, host.name());
    // An unreadable root still lists itself, and nothing else.
    if seen <= 1 && status != Some(0) {
        return Err(walk_failure(&where_, status, &stderr));
    }
    let problem = (status != Some(0)).then(|| partial_read(&where_, status, &stderr));
    Ok(Walk {
        entries,
        total_bytes: sum.bytes,
        files,
        problem,
    })
}

/// Whether the layout parser needs this entry; the rest only counts toward the totals,
/// so a cache full of datasets does not hold their listing in memory.
fn needed(kind: StoreKind, rel: &str) -> bool {
    let top = rel.split('/').next().unwrap_or("");
    match kind {
        StoreKind::Folder => true,
        // Repos, and the cache-wide `blobs/` that Xet links point into.
        StoreKind::HfCache => !rel.contains('/') || top.starts_with("models--") || top == "blobs",
        StoreKind::Ollama => !rel.contains('/') || top == "blobs" || top == "manifests",
    }
}

/// Why nothing could be listed, with what to do about it.
fn walk_failure(where_: &str, status: Option<i32>, stderr: &[String]) -> String {
    let text = stderr.join("\n");
    if status == Some(127) || text.contains("find: not found") {
        return format!(
            "cannot walk {where_}: `find` is not installed; install GNU findutils (apt install findutils)"
        );
    }
    if text.contains("No such file or directory") {
        return format!("{where_} does not exist (any more); fix the path or create it");
    }
    if text.contains("Permission denied") {
        return format!(
            "{where_} is not readable: permission denied; run as a user that can read it (or give read access: chmod -R o+rX)"
        );
    }
    if text.contains("unknown predicate") || text.contains("-printf") {
        return format!(
            "cannot walk {where_}: this `find` is not GNU find (no -printf); install GNU findutils"
        );
    }
    format!(
        "cannot walk {where_}: find exited with {}{}",
        status.map_or("a signal".to_string(), |s| format!("status {s}")),
        quote(stderr)
    )
}

fn partial_read(where_: &str, status: Option<i32>, stderr: &[String]) -> String {
    let denied = stderr
        .iter()
        .filter(|l| l.contains("Permission denied"))
        .count();
    if denied > 0 {
        format!(
            "partial read of {where_}: {denied} entr{} not readable (permission denied), sizes are too low{}; run as a user that can read them",
            if denied == 1 { "y" } else { "ies" },
            quote(stderr)
        )
    } else {
        format!(
            "partial read of {where_}: find exited with {}{}",
            status.map_or("a signal".to_string(), |s| format!("status {s}")),
            quote(stderr)
        )
    }
}

/// The first stderr lines, then how many more there were.
fn quote(stderr: &[String]) -> String {
    if stderr.is_empty() {
        return String::new();
    }
    let shown: Vec<&str> = stderr
        .iter()
        .take(STDERR_QUOTED)
        .map(|l| l.trim())
        .collect();
    let more = stderr.len().saturating_sub(STDERR_QUOTED);
    let tail = if more > 0 {
        format!(" (+{more} more)")
    } else {
        String::new()
    };
    format!(": {}{tail}", shown.join(" | "))
}

/// Reads and parses every manifest file; returns the good ones and why others failed.
async fn read_manifests(
    host: &dyn Host,
    spec: &StoreSpec,
    entries: &[FileEntry],
) -> (Vec<(String, Manifest)>, Vec<String>) {
    // Owned paths: a closure over `&str` makes the future generic over that borrow's
    // lifetime, which a spawned task (the TUI worker) cannot prove `Send` for.
    let rels: Vec<String> = entries
        .iter()
        .filter(|e| e.is_file() && e.rel.starts_with("manifests/"))
        .map(|e| e.rel.clone())
        .collect();
    let results: Vec<(String, Result<Manifest, String>)> = futures::stream::iter(rels)
        .map(|rel: String| async move {
            let path = join_path(&spec.path, &rel);
            let parsed = match host.read_file(&path).await {
                Ok(bytes) => parse_manifest(&String::from_utf8_lossy(&bytes)),
                Err(e) => Err(e.to_string()),
            };
            (rel, parsed)
        })
        .buffered(MANIFEST_READS)
        .collect()
        .await;
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for (rel, r) in results {
        match r {
            Ok(m) => good.push((rel, m)),
            Err(e) => bad.push(format!(
                "manifest {} unusable: {e}",
                join_path(&spec.path, &rel)
            )),
        }
    }
    (good, bad)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
