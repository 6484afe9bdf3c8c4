//! The Models scan on real stores built in a temp dir, on the local host: exact sizes,
//! names, partial downloads, the cache, discovery and df.

mod support;

use sparkdeck::config::ModelsSettings;
use sparkdeck::host::{Host, LocalHost};
use sparkdeck::model::{ScanProgress, StoreKind};
use sparkdeck::models::scan::{ScanCache, scan_store};
use sparkdeck::models::{discover, disk};
use std::sync::Mutex;
use support::model_stores::*;

#[tokio::test]
async fn hf_cache_sizes_count_shared_blobs_once() {
    let st = ModelStores::build();
    check_hf(&LocalHost::new(), &st).await;
}

#[tokio::test]
async fn ollama_tags_share_layers() {
    let st = ModelStores::build();
    check_ollama(&LocalHost::new(), &st).await;
}

#[tokio::test]
async fn plain_folder_models() {
    let st = ModelStores::build();
    check_folder(&LocalHost::new(), &st).await;
}

#[tokio::test]
async fn a_missing_store_says_so() {
    let st = ModelStores::build();
    let gone = st.dir.path().join("gone");
    let scan = scan_store(&LocalHost::new(), &spec(&gone, StoreKind::Folder), &quiet).await;
    let err = scan.error.expect("an error");
    assert!(err.contains("does not exist"), "{err}");
    assert!(scan.models.is_empty());
}

#[tokio::test]
async fn a_broken_manifest_is_reported_and_the_others_still_count() {
    let st = ModelStores::build();
    let bad = st
        .ollama
        .join("manifests/registry.ollama.ai/library/broken/latest");
    std::fs::create_dir_all(bad.parent().unwrap()).unwrap();
    std::fs::write(&bad, "{not json").unwrap();
    let scan = scan_store(
        &LocalHost::new(),
        &spec(&st.ollama, StoreKind::Ollama),
        &quiet,
    )
    .await;
    let err = scan.error.expect("the broken manifest is named");
    assert!(
        err.contains("broken/latest") && err.contains("not JSON"),
        "{err}"
    );
    assert_eq!(scan.models.len(), 3);
}

#[tokio::test]
async fn progress_is_reported_while_walking() {
    let st = ModelStores::build();
    let many = st.folder.join("many");
    for i in 0..4500 {
        let p = many.join(format!("d{}", i / 500)).join(format!("f{i}"));
        write(&p, 1);
    }
    let seen = Mutex::new(Vec::new());
    let record = |p: ScanProgress| seen.lock().unwrap().push(p);
    let scan = scan_store(
        &LocalHost::new(),
        &spec(&st.folder, StoreKind::Folder),
        &record,
    )
    .await;
    let seen = seen.into_inner().unwrap();
    // Two reports at 2000 and 4000 entries, then the final one.
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0].files <= w[1].files));
    let last = seen.last().unwrap();
    assert_eq!(last.files, scan.files);
    assert_eq!(last.bytes, scan.total_bytes);
    assert_eq!(last.store, ModelStores::s(&st.folder));
}

#[tokio::test]
async fn the_cache_walks_again_only_after_a_change() {
    let st = ModelStores::build();
    let host = LocalHost::new();
    let mut cache = ScanCache::default();
    let walks = Mutex::new(0u32);
    // The final progress report comes once per walk, so it counts walks.
    let count = |p: ScanProgress| {
        if p.files > 0 {
            *walks.lock().unwrap() += 1;
        }
    };
    let s = spec(&st.ollama, StoreKind::Ollama);
    let first = cache.scan(&host, &s, false, &count).await;
    let again = cache.scan(&host, &s, false, &count).await;
    assert_eq!(first, again);
    assert_eq!(*walks.lock().unwrap(), 1, "unchanged store is not walked");
    cache.scan(&host, &s, true, &count).await;
    assert_eq!(*walks.lock().unwrap(), 2, "force walks");

    // A new tag of an existing model (`ollama cp`) only adds a manifest deep down.
    let tag = st
        .ollama
        .join("manifests/registry.ollama.ai/library/llama3/copy");
    std::fs::write(&tag, manifest((C1, 50), &[(L1, 1000)])).unwrap();
    let changed = cache.scan(&host, &s, false, &count).await;
    assert_eq!(*walks.lock().unwrap(), 3);
    assert_eq!(changed.models.len(), 4);
    assert_eq!(
        changed
            .models
            .iter()
            .find(|m| m.name == "llama3:copy")
            .unwrap()
            .unique_bytes,
        0
    );
    // A new blob in an HF repo changes the repo's blobs/ folder.
    let h = spec(&st.hf, StoreKind::HfCache);
    cache.scan(&host, &h, false, &count).await;
    write(&st.hf.join("models--BAAI--bge-m3/blobs").join(HF_A), 5);
    let grown = cache.scan(&host, &h, false, &count).await;
    assert_eq!(*walks.lock().unwrap(), 5);
    assert_eq!(
        grown
            .models
            .iter()
            .find(|m| m.name == "BAAI/bge-m3")
            .unwrap()
            .size_bytes,
        705
    );
    cache.retain(std::slice::from_ref(&h));
    assert_eq!(cache.entries.len(), 1);
}

fn settings(st: &ModelStores) -> ModelsSettings {
    ModelsSettings {
        root: ModelStores::s(&st.folder),
        hf_cache: ModelStores::s(&st.hf),
        ollama_stores: vec![
            ModelStores::s(&st.ollama),
            "/usr/share/ollama/.ollama/models-sparkdeck-test-absent".into(),
            // A default that is absent is no problem: not every box runs Ollama.
            "/usr/share/ollama/.ollama/models".into(),
        ],
        extra: vec![ModelStores::s(&st.dir.path().join("extra gone"))],
        docker_volumes: false,
        ..ModelsSettings::default()
    }
}

#[tokio::test]
async fn discovery_lists_stores_and_explains_missing_ones() {
    let st = ModelStores::build();
    let d = discover::probe(&LocalHost::new(), &settings(&st)).await;
    let got: Vec<(String, StoreKind, String)> = d
        .stores
        .iter()
        .map(|s| (s.path.clone(), s.kind, s.origin.clone()))
        .collect();
    let mut want = vec![
        (
            ModelStores::s(&st.folder),
            StoreKind::Folder,
            "model root".to_string(),
        ),
        (
            ModelStores::s(&st.hf),
            StoreKind::HfCache,
            "config".to_string(),
        ),
    ];
    if let Ok(p) = std::env::var("OLLAMA_MODELS")
        && std::path::Path::new(&p).is_dir()
    {
        want.push((p, StoreKind::Ollama, "OLLAMA_MODELS".to_string()));
    }
    want.push((
        ModelStores::s(&st.ollama),
        StoreKind::Ollama,
        "ollama_stores".to_string(),
    ));
    assert_eq!(got, want);
    let why: Vec<(&str, &str)> = d
        .problems
        .iter()
        .map(|(s, w)| (s.origin.as_str(), w.as_str()))
        .collect();
    assert_eq!(why.len(), 2, "{why:?}");
    assert_eq!(why[0].0, "extra");
    assert!(
        why[0].1.contains("extra gone") && why[0].1.contains("does not exist"),
        "{why:?}"
    );
    assert!(
        why[0].1.contains("[models] extra"),
        "says how to fix it: {why:?}"
    );
    assert_eq!(why[1].0, "ollama_stores");
    assert!(why[1].1.contains("models-sparkdeck-test-absent"), "{why:?}");
    let (_, notes) = discover::stores(&LocalHost::new(), &settings(&st)).await;
    assert_eq!(notes.len(), 2);
}

#[tokio::test]
async fn discovery_expands_home_and_reads_the_hf_env() {
    let st = ModelStores::build();
    let home = st.dir.path();
    let hf_home = st.hf.parent().unwrap();
    // The discovery script itself is exercised with a relative root under $HOME.
    let s = ModelsSettings {
        root: "~/ai models".into(),
        hf_cache: String::new(),
        ollama_stores: vec!["ollama store/models".into()],
        extra: Vec::new(),
        docker_volumes: false,
        ..ModelsSettings::default()
    };
    let host = EnvHost {
        inner: LocalHost::new(),
        env: vec![
            format!("HOME={}", home.display()),
            format!("HF_HOME={}", hf_home.display()),
        ],
    };
    let d = discover::probe(&host, &s).await;
    let got: Vec<(&str, &str)> = d
        .stores
        .iter()
        .map(|s| (s.path.as_str(), s.origin.as_str()))
        .collect();
    let hub = format!("{}/hub", hf_home.display());
    assert_eq!(
        got,
        [
            (ModelStores::s(&st.folder).as_str(), "model root"),
            (hub.as_str(), "HF_HOME"),
            (ModelStores::s(&st.ollama).as_str(), "ollama_stores"),
        ]
    );
    assert!(d.problems.is_empty(), "{:?}", d.problems);
}

#[tokio::test]
async fn df_names_the_filesystem_of_each_store() {
    let st = ModelStores::build();
    let host = LocalHost::new();
    let mut scans = vec![
        scan_store(&host, &spec(&st.hf, StoreKind::HfCache), &quiet).await,
        scan_store(&host, &spec(&st.folder, StoreKind::Folder), &quiet).await,
    ];
    let fss = disk::filesystems(&host, &mut scans).await.unwrap();
    assert_eq!(fss.len(), 1, "both stores are on one filesystem: {fss:?}");
    let fs = &fss[0];
    assert!(fs.size_bytes > 0 && fs.avail_bytes <= fs.size_bytes);
    assert_eq!(scans[0].mount.as_deref(), Some(fs.mount.as_str()));
    assert_eq!(scans[1].mount.as_deref(), Some(fs.mount.as_str()));
    assert_eq!(fs.models_bytes, 1840 + 700 + 1050 + 333);
    assert!(st.hf.starts_with(&fs.mount));
}

/// The local host with extra environment for the commands it runs, to play a host whose
/// login environment differs from this process's.
struct EnvHost {
    inner: LocalHost,
    env: Vec<String>,
}

#[async_trait::async_trait]
impl Host for EnvHost {
    fn name(&self) -> &str {
        "env-host"
    }
    fn kind(&self) -> sparkdeck::host::HostKind {
        self.inner.kind()
    }
    async fn exec(
        &self,
        argv: &[&str],
    ) -> Result<sparkdeck::host::ExecOutput, sparkdeck::host::HostError> {
        let mut full: Vec<&str> = vec!["env", "-u", "HF_HUB_CACHE", "-u", "OLLAMA_MODELS"];
        full.extend(self.env.iter().map(String::as_str));
        full.extend_from_slice(argv);
        self.inner.exec(&full).await
    }
    async fn stream_lines(
        &self,
        argv: &[&str],
    ) -> Result<sparkdeck::host::LineStream, sparkdeck::host::HostError> {
        self.inner.stream_lines(argv).await
    }
    async fn read_file(&self, path: &str) -> Result<Vec<u8>, sparkdeck::host::HostError> {
        self.inner.read_file(path).await
    }
    async fn forward_port(
        &self,
        local: std::net::SocketAddr,
        remote_host: &str,
        remote_port: u16,
    ) -> Result<sparkdeck::host::Forward, sparkdeck::host::HostError> {
        self.inner
            .forward_port(local, remote_host, remote_port)
            .await
    }
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Root reads everything, so this runs only as another user; through the test sshd (whose
/// login user is never root) `models_ssh` covers it in every case.
#[tokio::test]
async fn an_unreadable_store_says_why() {
    if is_root() {
        eprintln!("skipped: root can read a mode-000 folder");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let st = ModelStores::build();
    let locked = st.dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let s = spec(&locked, StoreKind::Folder);
    let scan = scan_store(&LocalHost::new(), &s, &quiet).await;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = scan.error.expect("an error");
    assert!(err.contains("not readable"), "{err}");
}

#[tokio::test]
async fn refresh_reports_every_store_disk_duplicates_and_defaults() {
    use sparkdeck::model::DuplicateReason;
    use sparkdeck::models::ModelsEngine;
    let st = ModelStores::build();
    let mut engine = ModelsEngine::new(std::sync::Arc::new(LocalHost::new()), &settings(&st));
    let report = engine.refresh(false, &quiet).await;
    let stores: Vec<(&str, bool)> = report
        .stores
        .iter()
        .map(|s| (s.spec.origin.as_str(), s.error.is_none()))
        .collect();
    assert_eq!(
        stores,
        [
            ("model root", true),
            ("config", true),
            ("ollama_stores", true),
            ("extra", false),
            ("ollama_stores", false),
        ]
    );
    assert_eq!(report.filesystems.len(), 1);
    let fs = &report.filesystems[0];
    let ollama_total = report.stores[2].total_bytes;
    assert_eq!(fs.models_bytes, 1050 + 333 + 1840 + 700 + ollama_total);
    assert!(
        report.stores[..3]
            .iter()
            .all(|s| s.mount.as_deref() == Some(fs.mount.as_str()))
    );
    assert_eq!(report.stores[3].mount, None);

    // HF_C is also Ollama's bge-m3 layer: the same bytes in two stores.
    let qwen = format!("{}#Qwen/Qwen3-0.6B", ModelStores::s(&st.hf));
    let bge = format!("{}#bge-m3:latest", ModelStores::s(&st.ollama));
    assert!(
        report
            .duplicates
            .iter()
            .any(|d| d.reason == DuplicateReason::SameBlob
                && d.models.contains(&qwen)
                && d.models.contains(&bge)),
        "{:#?}",
        report.duplicates
    );
    let role = |r: &str| report.defaults.iter().find(|d| d.role == r).unwrap();
    assert_eq!(
        role("extraction").found,
        [format!("{}#qwen3-32b-nvfp4", ModelStores::s(&st.folder))]
    );
    assert_eq!(
        role("planning").found,
        [format!(
            "{}#llama4-scout-17b-Q4_K_M.gguf",
            ModelStores::s(&st.folder)
        )]
    );
    assert_eq!(
        role("embeddings").found.len(),
        2,
        "HF BAAI/bge-m3 and Ollama bge-m3"
    );
    assert_eq!(engine.last.as_ref(), Some(&report));
    assert!(report.at > 0);
    // A second refresh of unchanged stores comes from the cache and says the same.
    let again = engine.refresh(false, &quiet).await;
    assert_eq!(again.stores, report.stores);
}

#[tokio::test]
async fn after_a_delete_the_next_refresh_sees_the_store_as_it_is() {
    use sparkdeck::models::ModelsEngine;
    let st = ModelStores::build();
    let mut engine = ModelsEngine::new(std::sync::Arc::new(LocalHost::new()), &settings(&st));
    let before = engine.refresh(false, &quiet).await;
    let instruct = before.stores[2]
        .models
        .iter()
        .find(|m| m.name == "llama3:instruct")
        .unwrap()
        .clone();
    let manifest_len = file_len(std::path::Path::new(&instruct.path));
    let out = engine.delete(&instruct.id, &instruct.path).await.unwrap();
    assert_eq!(out.freed_bytes, 400);
    let after = engine.refresh(false, &quiet).await;
    let ollama = &after.stores[2];
    assert_eq!(names(ollama), ["bge-m3:latest", "llama3:latest"]);
    let latest = model(ollama, "llama3:latest");
    assert_eq!(latest.size_bytes, 1050);
    assert_eq!(
        latest.unique_bytes, 1050,
        "the layers it shared are its own now"
    );
    assert_eq!(
        ollama.total_bytes,
        before.stores[2].total_bytes - 400 - manifest_len
    );
}
