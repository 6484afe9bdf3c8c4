//! The Models scan of a generated HF-like cache of 10 000 blob files (100 repos of 100
//! blobs, each blob reached from a snapshot symlink: 20 402 walk entries), locally and over
//! the real test sshd; plus the cache's check of an unchanged store (one shallow `find`)
//! and the pure HF layout pass alone. Results are in docs/performance.md.
//!
//! Run: `cargo bench --bench models` (needs sshd installed, as the tests do).

#[path = "../tests/support/mod.rs"]
mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use sparkdeck::host::{Host, LocalHost, SshHost};
use sparkdeck::model::{ScanProgress, StoreKind, StoreSpec};
use sparkdeck::models::scan::{ScanCache, scan_store};
use sparkdeck::sources::models::hf::hf_models;
use sparkdeck::sources::models::listing::{Joiner, walk_argv};
use std::fs;
use std::hint::black_box;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use support::sshd::Sshd;

const REPOS: usize = 100;
const BLOBS: usize = 100;

/// 100 repos × 100 blobs (sparse files, so the store costs no disk), one snapshot each
/// linking every blob.
fn generate(root: &Path) {
    for r in 0..REPOS {
        let repo = root.join(format!("models--org{r}--model-{r}"));
        let snap = repo.join("snapshots/0123456789abcdef0123456789abcdef01234567");
        fs::create_dir_all(repo.join("blobs")).unwrap();
        fs::create_dir_all(&snap).unwrap();
        for b in 0..BLOBS {
            let hash = format!("{:064x}", r * BLOBS + b);
            let f = fs::File::create(repo.join("blobs").join(&hash)).unwrap();
            f.set_len(((b + 1) * 1_048_576) as u64).unwrap();
            symlink(
                format!("../../blobs/{hash}"),
                snap.join(format!("model-{b:05}-of-{BLOBS:05}.safetensors")),
            )
            .unwrap();
        }
    }
}

fn quiet(_: ScanProgress) {}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let dir = tempfile::Builder::new()
        .prefix("sparkdeck-bench-models-")
        .tempdir()
        .unwrap();
    support::model_stores::open_up(dir.path());
    let root = dir.path().join("hub");
    generate(&root);
    let spec = StoreSpec {
        path: root.to_string_lossy().into_owned(),
        kind: StoreKind::HfCache,
        origin: "bench".into(),
    };
    let sshd = Sshd::start();
    let ssh: Arc<dyn Host> = Arc::new(
        rt.block_on(SshHost::connect(&sshd.target(), sshd.options()))
            .expect("connect to the test sshd"),
    );
    let local: Arc<dyn Host> = Arc::new(LocalHost::new());
    let first = rt.block_on(scan_store(local.as_ref(), &spec, &quiet));
    assert_eq!(first.error, None);
    assert_eq!(first.models.len(), REPOS);
    assert_eq!(first.files, (REPOS * BLOBS) as u64);

    let mut g = c.benchmark_group("models");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("scan_10k_local", |b| {
        b.iter(|| black_box(rt.block_on(scan_store(local.as_ref(), &spec, &quiet))))
    });
    g.bench_function("scan_10k_over_ssh", |b| {
        b.iter(|| black_box(rt.block_on(scan_store(ssh.as_ref(), &spec, &quiet))))
    });
    let mut cache = ScanCache::default();
    rt.block_on(cache.scan(local.as_ref(), &spec, false, &quiet));
    g.bench_function("unchanged_10k_local", |b| {
        b.iter(|| black_box(rt.block_on(cache.scan(local.as_ref(), &spec, false, &quiet))))
    });
    let mut remote_cache = ScanCache::default();
    rt.block_on(remote_cache.scan(ssh.as_ref(), &spec, false, &quiet));
    g.bench_function("unchanged_10k_over_ssh", |b| {
        b.iter(|| black_box(rt.block_on(remote_cache.scan(ssh.as_ref(), &spec, false, &quiet))))
    });
    // The parse and layout work alone, on the walk's captured output.
    let argv = walk_argv(&spec.path);
    let out = std::process::Command::new(&argv[0])
        .args(&argv[1..])
        .output()
        .expect("find runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    g.bench_function("parse_and_layout_10k", |b| {
        b.iter(|| {
            let mut j = Joiner::default();
            let entries: Vec<_> = text.lines().filter_map(|l| j.push(l)).collect();
            black_box(hf_models(&spec, &entries))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
