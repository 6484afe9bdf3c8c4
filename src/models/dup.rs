//! The same model in two stores: same name, or the same content digest.
//!
//! Names are compared per layout. Hugging Face repos and plain folders are compared as
//! `org/name` repos: `Qwen/Qwen3-32B` (HF), `Qwen--Qwen3-32B` or `models--Qwen--Qwen3-32B`
//! (a folder named like the hub does) and `Qwen3-32B` (a folder without its org) are the
//! same repo, case-insensitively. Ollama names are only compared with Ollama names
//! (`llama3` is `llama3:latest`): an Ollama model and an HF repo are the same model only
//! when they share a content digest (a GGUF file).

use crate::model::{Duplicate, DuplicateReason, ModelEntry, StoreKind, StoreScan};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// `(org, name)` of a repo-like name, lowercased; `org` is None when the name has none.
pub fn repo_parts(name: &str) -> (Option<String>, String) {
    let lower = name.trim().to_lowercase();
    if let Some((org, base)) = lower.split_once('/')
        && !org.is_empty()
        && !base.is_empty()
    {
        return (Some(org.to_string()), base.to_string());
    }
    let folder = lower.strip_prefix("models--").unwrap_or(&lower);
    match folder.split_once("--") {
        Some((org, base)) if !org.is_empty() && !base.is_empty() => {
            (Some(org.to_string()), base.to_string())
        }
        _ => (None, folder.to_string()),
    }
}

/// An Ollama name with its implicit `:latest` tag, lowercased (`llama3` → `llama3:latest`).
pub fn ollama_key(name: &str) -> String {
    let lower = name.trim().to_lowercase();
    let last = lower.rsplit('/').next().unwrap_or("");
    if last.contains(':') {
        lower
    } else {
        format!("{lower}:latest")
    }
}

/// Whether two repo-like names are the same repo: same name, and the same org when both
/// have one.
pub fn same_repo(a: &str, b: &str) -> bool {
    let (oa, na) = repo_parts(a);
    let (ob, nb) = repo_parts(b);
    na == nb && (oa.is_none() || ob.is_none() || oa == ob)
}

/// Whether two models that share at least one digest hold the same content. Ollama
/// digests name every blob, small ones too (license, template, params are shared by many
/// unrelated models), while HF digests name LFS files only, which are the weights. So:
/// equal digest sets always; an Ollama model and an HF repo sharing any digest (a GGUF
/// file); two HF repos when one's digests are all in the other's (two repos merely
/// sharing an LFS tokenizer are not one model); two Ollama models only when equal. An
/// Ollama model built on the same weights with other parameters is therefore not a
/// duplicate of the original.
fn same_content(a: &ModelEntry, b: &ModelEntry) -> bool {
    let da: BTreeSet<&str> = a.digests.iter().map(String::as_str).collect();
    let db: BTreeSet<&str> = b.digests.iter().map(String::as_str).collect();
    if da.is_empty() || db.is_empty() {
        return false;
    }
    if da == db {
        return true;
    }
    match (a.store_kind, b.store_kind) {
        (StoreKind::Ollama, StoreKind::Ollama) => false,
        (StoreKind::Ollama, _) | (_, StoreKind::Ollama) => !da.is_disjoint(&db),
        _ => da.is_subset(&db) || db.is_subset(&da),
    }
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn find(&mut self, i: usize) -> usize {
        let mut root = i;
        while self.0[root] != root {
            root = self.0[root];
        }
        let mut cur = i;
        while self.0[cur] != root {
            let next = self.0[cur];
            self.0[cur] = root;
            cur = next;
        }
        root
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0[rb.max(ra)] = ra.min(rb);
        }
    }
    fn union_all(&mut self, nodes: &[usize]) {
        for w in nodes.windows(2) {
            self.union(w[0], w[1]);
        }
    }
}

/// Copies of one model in two or more stores, one entry per group.
///
/// A group links models of different stores by name (see the module doc) or by content
/// digests (see `same_content`). A folder without its org joins the repo of that name only when exactly
/// one org has it (`Qwen3-32B` next to both `Qwen/Qwen3-32B` and `other/Qwen3-32B` stays
/// out). The reason is `SameBlob` when any two stores of the group share a digest (the
/// bytes are proven equal), else `SameName`. Models of one store never make a group by
/// themselves: Ollama tags share blobs by design. `reclaimable_bytes` is the sum of the
/// copies but the largest, a copy being the largest member in its store (tags of one
/// store share their blobs). Sorted by reclaimable bytes, largest first.
pub fn find_duplicates(stores: &[StoreScan]) -> Vec<Duplicate> {
    let nodes: Vec<(usize, &ModelEntry)> = stores
        .iter()
        .enumerate()
        .flat_map(|(s, scan)| scan.models.iter().map(move |m| (s, m)))
        .collect();
    let mut uf = UnionFind((0..nodes.len()).collect());

    let mut by_key: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut orgs_of_base: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (i, (_, m)) in nodes.iter().enumerate() {
        let key = match m.store_kind {
            StoreKind::Ollama => format!("ollama:{}", ollama_key(&m.name)),
            StoreKind::HfCache | StoreKind::Folder => match repo_parts(&m.name) {
                (Some(org), base) => {
                    orgs_of_base
                        .entry(base.clone())
                        .or_default()
                        .insert(org.clone());
                    format!("repo:{org}/{base}")
                }
                (None, base) => format!("base:{base}"),
            },
        };
        by_key.entry(key).or_default().push(i);
    }
    for (key, members) in &by_key {
        uf.union_all(members);
        if let Some(base) = key.strip_prefix("base:") {
            let orgs = orgs_of_base.get(base);
            if let Some(org) = orgs.filter(|o| o.len() == 1).and_then(|o| o.first())
                && let Some(with_org) = by_key.get(&format!("repo:{org}/{base}"))
            {
                uf.union(members[0], with_org[0]);
            }
        }
    }

    let mut by_digest: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, (_, m)) in nodes.iter().enumerate() {
        let distinct: BTreeSet<&str> = m.digests.iter().map(String::as_str).collect();
        for d in distinct {
            by_digest.entry(d).or_default().push(i);
        }
    }
    let mut pairs: BTreeSet<(usize, usize)> = BTreeSet::new();
    for members in by_digest.values() {
        for (x, &i) in members.iter().enumerate() {
            for &j in &members[x + 1..] {
                if nodes[i].0 != nodes[j].0 {
                    pairs.insert((i, j));
                }
            }
        }
    }
    let mut blob_linked: Vec<usize> = Vec::new();
    for (i, j) in pairs {
        if same_content(nodes[i].1, nodes[j].1) {
            uf.union(i, j);
            blob_linked.push(i);
        }
    }

    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..nodes.len() {
        let root = uf.find(i);
        groups.entry(root).or_default().push(i);
    }
    let mut blob_roots = BTreeSet::new();
    for i in blob_linked {
        blob_roots.insert(uf.find(i));
    }

    let mut out: Vec<Duplicate> = groups
        .into_iter()
        .filter_map(|(root, members)| {
            let mut per_store: BTreeMap<usize, u64> = BTreeMap::new();
            for &i in &members {
                let (s, m) = nodes[i];
                let e = per_store.entry(s).or_default();
                *e = (*e).max(m.size_bytes);
            }
            if per_store.len() < 2 {
                return None;
            }
            let total: u64 = per_store.values().sum();
            let largest = per_store.values().copied().max().unwrap_or(0);
            let keep = members
                .iter()
                .map(|&i| nodes[i].1)
                .max_by(|a, b| a.size_bytes.cmp(&b.size_bytes).then(b.id.cmp(&a.id)))?;
            Some(Duplicate {
                name: keep.name.clone(),
                reason: if blob_roots.contains(&root) {
                    DuplicateReason::SameBlob
                } else {
                    DuplicateReason::SameName
                },
                models: members.iter().map(|&i| nodes[i].1.id.clone()).collect(),
                paths: members.iter().map(|&i| nodes[i].1.path.clone()).collect(),
                reclaimable_bytes: total - largest,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.reclaimable_bytes
            .cmp(&a.reclaimable_bytes)
            .then_with(|| a.name.cmp(&b.name))
    });
    out
}
