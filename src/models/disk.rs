//! Free and used space of the filesystems holding the stores: one `df` for all of them.

use crate::host::Host;
use crate::model::{Filesystem, StoreKind, StoreScan};
use crate::sources::models::df::{df_argv, parse_df};

const DF_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// The filesystems under `stores` (each once, with the bytes models take on it), and each
/// store's `mount` filled in. Err is a note for the report: df could not run.
pub async fn filesystems(
    host: &dyn Host,
    stores: &mut [StoreScan],
) -> Result<Vec<Filesystem>, String> {
    let idx: Vec<usize> = (0..stores.len())
        .filter(|&i| stores[i].error.is_none() || stores[i].files > 0)
        .collect();
    if idx.is_empty() {
        return Ok(Vec::new());
    }
    let paths: Vec<&str> = idx.iter().map(|&i| stores[i].spec.path.as_str()).collect();
    let argv = df_argv(&paths);
    let args: Vec<&str> = argv.iter().map(String::as_str).collect();
    // A hung network mount blocks df forever; the rest of the report must still come.
    let out = tokio::time::timeout(DF_TIMEOUT, host.exec(&args))
        .await
        .map_err(|_| {
            format!(
                "df on {} did not answer within {} s (a hung network mount?); free space unknown",
                host.name(),
                DF_TIMEOUT.as_secs()
            )
        })?
        .map_err(|e| format!("cannot read free disk space on {}: {e}", host.name()))?;
    let lines = parse_df(&out.stdout_str());
    if lines.is_empty() {
        return Err(format!(
            "cannot read free disk space on {}: df exited with {:?}: {}",
            host.name(),
            out.status,
            out.stderr_str().lines().next().unwrap_or("").trim()
        ));
    }
    // df prints one line per argument in order; when one failed (a store vanished since
    // the walk) the order no longer tells, and the longest mount prefix decides.
    let in_order = lines.len() == idx.len();
    for (k, &i) in idx.iter().enumerate() {
        let mount = if in_order {
            Some(lines[k].mount.clone())
        } else {
            longest_prefix(&lines, &stores[i].spec.path)
        };
        stores[i].mount = mount;
    }
    let mut fss: Vec<Filesystem> = Vec::new();
    for fs in lines {
        if !fss.iter().any(|f| f.mount == fs.mount) {
            fss.push(fs);
        }
    }
    for fs in &mut fss {
        fs.models_bytes = stores
            .iter()
            .filter(|s| s.mount.as_deref() == Some(fs.mount.as_str()))
            .fold(0u64, |acc, s| acc.saturating_add(model_bytes(s)));
    }
    Ok(fss)
}

/// Bytes a store's models take on disk. Ollama tags share blobs, so the sum of their
/// sizes would count a shared layer once per tag; everything in an Ollama store is model
/// data, so its total is the figure. HF repos and folders share nothing with each other.
pub fn model_bytes(store: &StoreScan) -> u64 {
    match store.spec.kind {
        StoreKind::Ollama => store.total_bytes,
        _ => store
            .models
            .iter()
            .fold(0u64, |acc, m| acc.saturating_add(m.size_bytes)),
    }
}

fn longest_prefix(fss: &[Filesystem], path: &str) -> Option<String> {
    fss.iter()
        .filter(|f| {
            let m = f.mount.trim_end_matches('/');
            path == m || path.starts_with(&format!("{m}/")) || f.mount == "/"
        })
        .max_by_key(|f| f.mount.len())
        .map(|f| f.mount.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_mount_wins() {
        let fs = |m: &str| Filesystem {
            mount: m.into(),
            ..Default::default()
        };
        let all = [fs("/"), fs("/data"), fs("/data/models x")];
        assert_eq!(
            longest_prefix(&all, "/data/models x/hub").as_deref(),
            Some("/data/models x")
        );
        assert_eq!(longest_prefix(&all, "/datax").as_deref(), Some("/"));
        assert_eq!(longest_prefix(&all[1..], "/home"), None);
    }
}
