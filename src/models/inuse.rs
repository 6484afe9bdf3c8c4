//! Marks models in use: loaded in Ollama (`/api/ps`), served by an OpenAI-compatible
//! server (`/v1/models`), or held open by a process (`/proc/*/fd`, when visible).

use super::dup::{ollama_key, same_repo};
use crate::host::{Host, HostKind};
use crate::model::{ModelEntry, StoreKind, StoreScan};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// Where Ollama listens on the host.
pub const OLLAMA_PORT: u16 = 11434;
/// vLLM (8000, a second instance on 8001) and SGLang (30000).
pub const OPENAI_PORTS: [u16; 3] = [8000, 8001, 30000];
/// Per HTTP call; a service that is down answers at once, a hung one must not hold the
/// refresh.
const HTTP_TIMEOUT: Duration = Duration::from_secs(1);
/// Said once per check when `/proc/<pid>/fd` of other users' processes cannot be read.
pub const PARTIAL_NOTE: &str =
    "in-use check partial: some processes' open files are not readable (other users' need root)";

/// Sets `in_use` on every model of `stores` from what runs on the host now (cleared first,
/// so an unloaded model is free again). A missing Ollama or vLLM is not an error.
pub async fn mark(host: &dyn Host, stores: &mut [StoreScan]) {
    for note in mark_noted(host, stores).await {
        tracing::info!("models on {}: {note}", host.name());
    }
}

/// `mark`, returning the notes on what could not be checked (at most one
/// [`PARTIAL_NOTE`]) for the caller to show instead of logging them.
pub async fn mark_noted(host: &dyn Host, stores: &mut [StoreScan]) -> Vec<String> {
    mark_with(host, stores, OLLAMA_PORT, &OPENAI_PORTS).await
}

/// `mark` with the ports as parameters; returns notes on what could not be checked
/// (at most one [`PARTIAL_NOTE`]).
pub async fn mark_with(
    host: &dyn Host,
    stores: &mut [StoreScan],
    ollama_port: u16,
    openai_ports: &[u16],
) -> Vec<String> {
    for m in stores.iter_mut().flat_map(|s| s.models.iter_mut()) {
        m.in_use = None;
    }
    let client = match reqwest::Client::builder()
        .timeout(HTTP_TIMEOUT)
        .connect_timeout(HTTP_TIMEOUT)
        .no_proxy()
        .build()
    {
        Ok(c) => Some(c),
        Err(e) => {
            tracing::warn!("in-use check: no HTTP client: {e}");
            None
        }
    };
    let store_paths: Vec<String> = stores.iter().map(|s| s.spec.path.clone()).collect();
    let http = async {
        let Some(client) = &client else {
            return (None, Vec::new());
        };
        let ps = get_json(host, client, ollama_port, "/api/ps");
        let served =
            futures::future::join_all(openai_ports.iter().map(|&port| async move {
                (port, get_json(host, client, port, "/v1/models").await)
            }));
        tokio::join!(ps, served)
    };
    let ((ps, served), (open, notes)) = tokio::join!(http, open_files(host, &store_paths));

    if let Some(ps) = ps {
        // Ollama does not say which store it loaded from, so every Ollama store's copy
        // counts as loaded: deleting the idle copy waits until the model is unloaded.
        for (name, vram) in ollama_loaded(&ps) {
            let why = format!("loaded in Ollama ({} VRAM)", gib(vram));
            for m in models_mut(stores).filter(|m| m.store_kind == StoreKind::Ollama) {
                if ollama_key(&m.name) == ollama_key(&name) {
                    set(m, &why);
                }
            }
        }
    }
    for (port, body) in served {
        let Some(body) = body else { continue };
        for (ids, server) in openai_served(&body) {
            let why = format!("served by {server} on :{port}");
            for m in models_mut(stores).filter(|m| m.store_kind != StoreKind::Ollama) {
                if ids.iter().any(|id| serves(id, m)) {
                    set(m, &why);
                }
            }
        }
    }
    for (si, target, pid, comm) in open {
        let store = &mut stores[si];
        let why = format!("open by pid {pid} {comm}");
        let rel = target
            .strip_prefix(store.spec.path.trim_end_matches('/'))
            .unwrap_or("");
        let blob_digest = rel
            .strip_prefix("/blobs/sha256-")
            .map(|hex| format!("sha256:{hex}"));
        for m in store.models.iter_mut() {
            let holds = match (&blob_digest, m.store_kind) {
                (Some(d), StoreKind::Ollama) => m.digests.contains(d),
                _ => {
                    target == m.path
                        || target
                            .strip_prefix(m.path.as_str())
                            .is_some_and(|r| r.starts_with('/'))
                }
            };
            if holds {
                set(m, &why);
            }
        }
    }
    notes
}

fn models_mut(stores: &mut [StoreScan]) -> impl Iterator<Item = &mut ModelEntry> {
    stores.iter_mut().flat_map(|s| s.models.iter_mut())
}

/// The first reason found is kept: it is the one the user can act on first.
fn set(m: &mut ModelEntry, why: &str) {
    if m.in_use.is_none() {
        m.in_use = Some(why.to_string());
    }
}

fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
}

/// GET `path` on `127.0.0.1:port` of the host (through a forward over SSH); None when
/// nothing answers there or the answer is not JSON.
async fn get_json(
    host: &dyn Host,
    client: &reqwest::Client,
    port: u16,
    path: &str,
) -> Option<serde_json::Value> {
    let (_forward, addr) = match host.kind() {
        HostKind::Local => (None, format!("127.0.0.1:{port}")),
        HostKind::Ssh => {
            let f = host
                .forward_port(([127, 0, 0, 1], 0).into(), "127.0.0.1", port)
                .await
                .map_err(|e| tracing::debug!("in-use check: forward to :{port}: {e}"))
                .ok()?;
            let addr = f.local_addr.to_string();
            (Some(f), addr)
        }
    };
    let resp = client
        .get(format!("http://{addr}{path}"))
        .send()
        .await
        .ok()?;
    if !resp.status().is_success() {
        return None;
    }
    resp.json().await.ok()
}

/// `/api/ps` → (model name, bytes in VRAM) per loaded model.
pub fn ollama_loaded(ps: &serde_json::Value) -> Vec<(String, u64)> {
    ps.get("models")
        .and_then(|m| m.as_array())
        .into_iter()
        .flatten()
        .filter_map(|m| {
            let name = m
                .get("name")
                .or_else(|| m.get("model"))
                .and_then(|n| n.as_str())?;
            let vram = m.get("size_vram").and_then(|v| v.as_u64()).unwrap_or(0);
            Some((name.to_string(), vram))
        })
        .collect()
}

/// `/v1/models` → (the id and root of each served model, the server's name from
/// `owned_by`).
pub fn openai_served(body: &serde_json::Value) -> Vec<(Vec<String>, String)> {
    body.get("data")
        .and_then(|d| d.as_array())
        .into_iter()
        .flatten()
        .filter_map(|card| {
            let id = card.get("id").and_then(|i| i.as_str())?;
            let mut ids = vec![id.to_string()];
            if let Some(root) = card.get("root").and_then(|r| r.as_str())
                && root != id
            {
                ids.push(root.to_string());
            }
            let server = match card.get("owned_by").and_then(|o| o.as_str()) {
                Some("vllm") => "vLLM",
                Some("sglang") => "SGLang",
                Some("llamacpp") => "llama.cpp",
                _ => "an OpenAI-compatible server",
            };
            Some((ids, server.to_string()))
        })
        .collect()
}

/// Whether a served model id (an HF repo, a served name, or a path) is this model: a path
/// at or inside the model's path, or the same repo name (see `dup::same_repo`).
pub fn serves(id: &str, m: &ModelEntry) -> bool {
    if id.starts_with('/') {
        let id = id.trim_end_matches('/');
        return id == m.path
            || id
                .strip_prefix(m.path.as_str())
                .is_some_and(|r| r.starts_with('/'));
    }
    same_repo(id, &m.name)
}

/// Escapes `*?[\` for find's `-lname` pattern.
fn fnmatch_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Prints each argument's canonical path (empty when it has none), NUL-terminated, so the
/// answers line up with the arguments.
const CANON_SCRIPT: &str = r#"for s do printf '%s\0' "$(readlink -f -- "$s" 2>/dev/null)"; done"#;

/// Lists `/proc/<pid>/fd/<n> → target` for targets matching the patterns given as
/// arguments; the patterns are arguments, never part of the script. `LC_ALL=C` keeps
/// "Permission denied" in English for the partial note.
const FD_SCRIPT: &str = r#"n=$#
for p do set -- "$@" -o -lname "$p"; done
shift "$n"; shift
LC_ALL=C exec find /proc/[0-9]*/fd -mindepth 1 -maxdepth 1 \( "$@" \) -printf '%h %l\n'"#;

/// Lists the memory-mapped files under the prefixes given as arguments: llama.cpp and
/// Ollama runners mmap the weights and may close the descriptor, so only `maps` shows
/// them. `-s`: unreadable `maps` of other users' processes are expected (the descriptor
/// check already says so once).
const MAPS_SCRIPT: &str = r#"n=$#
for p do set -- "$@" -e "$p"; done
shift "$n"
LC_ALL=C exec grep -s -F -H "$@" /proc/[0-9]*/maps"#;

/// Files under the stores held open or mapped by a process: (store index, target as a path under the
/// store's configured path, pid, comm), and the notes.
async fn open_files(
    host: &dyn Host,
    stores: &[String],
) -> (Vec<(usize, String, u32, String)>, Vec<String>) {
    if stores.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let given: Vec<&str> = stores.iter().map(|s| s.trim_end_matches('/')).collect();
    let mut argv = vec!["sh", "-c", CANON_SCRIPT, "sh"];
    argv.extend_from_slice(&given);
    let canon: Vec<String> = match host.exec(&argv).await {
        Ok(out) => out
            .stdout_str()
            .split('\0')
            .map(|s| s.trim_end_matches('/').to_string())
            .collect(),
        Err(e) => {
            return (
                Vec::new(),
                vec![format!("in-use check of open files failed: {e}")],
            );
        }
    };
    // (prefix as the kernel shows it, store index): the given path and its canonical one.
    let mut prefixes: Vec<(String, usize)> = Vec::new();
    for (i, g) in given.iter().enumerate() {
        prefixes.push((g.to_string(), i));
        if let Some(c) = canon.get(i).filter(|c| !c.is_empty() && c.as_str() != *g) {
            prefixes.push((c.clone(), i));
        }
    }
    let patterns: Vec<String> = prefixes
        .iter()
        .map(|(p, _)| format!("{}/*", fnmatch_escape(p)))
        .collect();
    let mut argv = vec!["sh", "-c", FD_SCRIPT, "sh"];
    argv.extend(patterns.iter().map(String::as_str));
    let out = match host.exec(&argv).await {
        Ok(out) => out,
        Err(e) => {
            return (
                Vec::new(),
                vec![format!("in-use check of open files failed: {e}")],
            );
        }
    };
    let mut notes = Vec::new();
    if out.stderr_str().contains("Permission denied") {
        notes.push(PARTIAL_NOTE.to_string());
    }
    let mut found = parse_fd_lines(&out.stdout_str());
    let mut argv = vec!["sh", "-c", MAPS_SCRIPT, "sh"];
    let with_slash: Vec<String> = prefixes.iter().map(|(p, _)| format!("{p}/")).collect();
    argv.extend(with_slash.iter().map(String::as_str));
    if let Ok(maps) = host.exec(&argv).await {
        found.extend(parse_maps_lines(&maps.stdout_str()));
        found.sort();
        found.dedup();
    }
    let mut hits: Vec<(usize, String, u32)> = Vec::new();
    for (pid, target) in found {
        // Longest prefix first, so a store nested in another is attributed to itself.
        let best = prefixes
            .iter()
            .filter(|(p, _)| {
                target
                    .strip_prefix(p.as_str())
                    .is_some_and(|r| r.starts_with('/'))
            })
            .max_by_key(|(p, _)| p.len());
        if let Some((p, i)) = best {
            hits.push((*i, format!("{}{}", given[*i], &target[p.len()..]), pid));
        }
    }
    let comms = comms(host, hits.iter().map(|h| h.2).collect()).await;
    let open = hits
        .into_iter()
        .map(|(i, t, pid)| {
            let comm = comms.get(&pid).cloned().unwrap_or_else(|| "?".into());
            (i, t, pid, comm)
        })
        .collect();
    (open, notes)
}

/// `find -printf '%h %l\n'` lines → (pid, link target without ` (deleted)`), sorted by pid.
pub fn parse_fd_lines(text: &str) -> Vec<(u32, String)> {
    let mut out: Vec<(u32, String)> = text
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("/proc/")?;
            let (pid, rest) = rest.split_once('/')?;
            let target = rest.strip_prefix("fd ")?;
            let target = target.strip_suffix(" (deleted)").unwrap_or(target);
            Some((pid.parse().ok()?, target.to_string()))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `grep -H` over `/proc/<pid>/maps` → (pid, mapped file without ` (deleted)`), sorted by
/// pid. A maps line is `address perms offset dev inode   path`.
pub fn parse_maps_lines(text: &str) -> Vec<(u32, String)> {
    let mut out: Vec<(u32, String)> = text
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("/proc/")?;
            let (pid, mut rest) = rest.split_once("/maps:")?;
            for _ in 0..5 {
                rest = rest.trim_start();
                rest = &rest[rest.find(char::is_whitespace)?..];
            }
            let path = rest.trim_start();
            let path = path.strip_suffix(" (deleted)").unwrap_or(path);
            path.starts_with('/')
                .then(|| Some((pid.parse().ok()?, path.to_string())))?
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `comm` of each pid, read in one command (`grep -H '' /proc/N/comm…`).
async fn comms(host: &dyn Host, pids: BTreeSet<u32>) -> BTreeMap<u32, String> {
    if pids.is_empty() {
        return BTreeMap::new();
    }
    let files: Vec<String> = pids.iter().map(|p| format!("/proc/{p}/comm")).collect();
    let mut argv = vec!["grep", "-H", ""];
    argv.extend(files.iter().map(String::as_str));
    let Ok(out) = host.exec(&argv).await else {
        return BTreeMap::new();
    };
    out.stdout_str()
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("/proc/")?;
            let (pid, rest) = rest.split_once('/')?;
            let comm = rest.strip_prefix("comm:")?;
            Some((pid.parse().ok()?, comm.to_string()))
        })
        .collect()
}
