//! The confirmed delete on real stores in temp dirs, locally and through the real test
//! sshd (the remote is this machine, so the same dirs serve both).

mod support;

use sparkdeck::config::ModelsSettings;
use sparkdeck::host::{Host, LocalHost, SshHost};
use sparkdeck::model::{ModelEntry, ModelFormat, ModelsReport, StoreKind, StoreScan, StoreSpec};
use sparkdeck::models::ModelsEngine;
use sparkdeck::models::delete::{self, DeleteError};
use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;
use support::sshd::Sshd;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(30);

fn hex(c: char) -> String {
    c.to_string().repeat(64)
}

fn p(path: &Path) -> String {
    path.to_str().unwrap().to_string()
}

fn spec(path: &str, kind: StoreKind) -> StoreSpec {
    StoreSpec {
        path: path.into(),
        kind,
        origin: "config".into(),
    }
}

fn scan(path: &str, kind: StoreKind, models: Vec<ModelEntry>) -> StoreScan {
    StoreScan {
        spec: spec(path, kind),
        total_bytes: 0,
        files: 0,
        models,
        error: None,
        mount: None,
        scanned_at: 0,
    }
}

/// Writes blob `c` of `size` bytes into an Ollama store.
fn blob(store: &Path, c: char, size: usize) {
    fs::create_dir_all(store.join("blobs")).unwrap();
    fs::write(
        store.join("blobs").join(format!("sha256-{}", hex(c))),
        vec![b'x'; size],
    )
    .unwrap();
}

/// Writes a manifest `name:tag` naming config `digests[0]` and layers `digests[1..]`, and
/// returns the model as the scan would report it.
fn manifest(store: &Path, name: &str, tag: &str, digests: &[(char, u64)]) -> ModelEntry {
    let dir = store
        .join("manifests/registry.ollama.ai/library")
        .join(name);
    fs::create_dir_all(&dir).unwrap();
    let layers: Vec<String> = digests[1..]
        .iter()
        .map(|(c, s)| {
            format!(
                r#"{{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:{}","size":{s}}}"#,
                hex(*c)
            )
        })
        .collect();
    // Pretty-printed over several lines, as Ollama may write it.
    let text = format!(
        "{{\n  \"schemaVersion\": 2,\n  \"config\": {{\"digest\": \"sha256:{}\", \"size\": {}}},\n  \"layers\": [\n{}\n  ]\n}}\n",
        hex(digests[0].0),
        digests[0].1,
        layers.join(",\n")
    );
    fs::write(dir.join(tag), text).unwrap();
    let size = digests.iter().map(|d| d.1).sum();
    let store = p(store);
    ModelEntry {
        id: format!("{store}#{name}:{tag}"),
        name: format!("{name}:{tag}"),
        path: p(&dir.join(tag)),
        store,
        store_kind: StoreKind::Ollama,
        format: ModelFormat::Ollama,
        size_bytes: size,
        unique_bytes: size,
        digests: digests
            .iter()
            .map(|(c, _)| format!("sha256:{}", hex(*c)))
            .collect(),
        ..ModelEntry::default()
    }
}

fn entry(store: &Path, kind: StoreKind, name: &str, path: &Path, size: u64) -> ModelEntry {
    ModelEntry {
        id: format!("{}#{name}", p(store)),
        name: name.into(),
        store: p(store),
        store_kind: kind,
        path: p(path),
        format: ModelFormat::Safetensors,
        size_bytes: size,
        unique_bytes: size,
        ..ModelEntry::default()
    }
}

/// Lets the remote test user (not root) remove what root created here.
fn open_up(dir: &Path) {
    let ok = Command::new("chmod")
        .args(["-R", "a+rwX"])
        .arg(dir)
        .status()
        .unwrap();
    assert!(ok.success());
}

fn blob_path(store: &Path, c: char) -> String {
    p(&store.join("blobs").join(format!("sha256-{}", hex(c))))
}

/// Two tags sharing config `a` and layer `b`; `latest` alone has `c`, `8b` alone has `d`.
async fn ollama_shared_layers(host: &dyn Host, base: &Path) {
    let store = base.join("ollama");
    for (c, n) in [('a', 10), ('b', 1000), ('c', 300), ('d', 70)] {
        blob(&store, c, n);
    }
    let latest = manifest(
        &store,
        "llama3",
        "latest",
        &[('a', 10), ('b', 1000), ('c', 300)],
    );
    let eight = manifest(&store, "llama3", "8b", &[('a', 10), ('b', 1000), ('d', 70)]);
    open_up(base);

    let plan = delete::plan_fresh(host, &latest).await.unwrap();
    assert_eq!(
        plan.remove,
        vec![latest.path.clone(), blob_path(&store, 'c')]
    );
    assert_eq!(
        plan.kept_shared,
        vec![blob_path(&store, 'a'), blob_path(&store, 'b')]
    );
    assert_eq!(plan.freed_bytes, 300);
    let out = delete::run(host, &latest, &plan).await.unwrap();
    assert_eq!(out.model, "llama3:latest");
    assert_eq!(
        out.removed, plan.remove,
        "the tag folder stays while 8b is in it"
    );
    assert_eq!(out.kept_shared, plan.kept_shared);
    assert_eq!(out.freed_bytes, 300);
    assert!(!Path::new(&latest.path).exists());
    assert!(!Path::new(&blob_path(&store, 'c')).exists());
    for c in ['a', 'b', 'd'] {
        assert!(Path::new(&blob_path(&store, c)).exists(), "blob {c} kept");
    }
    assert!(Path::new(&eight.path).exists());

    let plan = delete::plan_fresh(host, &eight).await.unwrap();
    assert!(plan.kept_shared.is_empty());
    assert_eq!(plan.freed_bytes, 1080);
    let out = delete::run(host, &eight, &plan).await.unwrap();
    let model_dir = p(&store.join("manifests/registry.ollama.ai/library/llama3"));
    assert_eq!(
        out.removed,
        vec![
            eight.path.clone(),
            blob_path(&store, 'a'),
            blob_path(&store, 'b'),
            blob_path(&store, 'd'),
            model_dir.clone(),
        ]
    );
    assert!(!Path::new(&model_dir).exists());
    assert!(store.join("manifests/registry.ollama.ai/library").exists());
    assert_eq!(fs::read_dir(store.join("blobs")).unwrap().count(), 0);
}

/// An HF repo with a symlinked snapshot, and a sibling repo that must survive.
async fn hf_repo(host: &dyn Host, base: &Path) {
    let hub = base.join("hub");
    let mut models = Vec::new();
    for name in ["BAAI--bge-m3", "Qwen--Qwen3-32B"] {
        let repo = hub.join(format!("models--{name}"));
        fs::create_dir_all(repo.join("blobs")).unwrap();
        fs::create_dir_all(repo.join("snapshots/0123abcd")).unwrap();
        fs::create_dir_all(repo.join("refs")).unwrap();
        fs::write(repo.join("blobs").join(hex('e')), vec![b'w'; 4096]).unwrap();
        fs::write(repo.join("refs/main"), "0123abcd").unwrap();
        symlink(
            format!("../../blobs/{}", hex('e')),
            repo.join("snapshots/0123abcd/model.safetensors"),
        )
        .unwrap();
        models.push(entry(
            &hub,
            StoreKind::HfCache,
            &name.replace("--", "/"),
            &repo,
            4096,
        ));
    }
    open_up(base);
    let store = scan(&p(&hub), StoreKind::HfCache, models);
    let plan = delete::plan(&store.models[0], &store);
    let out = delete::run(host, &store.models[0], &plan).await.unwrap();
    assert_eq!(out.removed, vec![p(&hub.join("models--BAAI--bge-m3"))]);
    assert_eq!(out.freed_bytes, 4096);
    assert!(!hub.join("models--BAAI--bge-m3").exists());
    assert!(
        hub.join("models--Qwen--Qwen3-32B/snapshots/0123abcd/model.safetensors")
            .exists()
    );
}

/// A folder whose name has spaces and a `'`, and a loose GGUF file; the quoting must hand
/// each path to `rm` as one argument.
async fn folder_and_loose_file(host: &dyn Host, base: &Path) {
    let root = base.join("ai models");
    let odd = root.join("it's a model; rm -rf $HOME");
    fs::create_dir_all(&odd).unwrap();
    fs::write(odd.join("model.safetensors"), vec![b'z'; 512]).unwrap();
    // Would be removed by a split "it's" "a" "model;" … argv.
    fs::create_dir_all(root.join("it's")).unwrap();
    fs::create_dir_all(root.join("a")).unwrap();
    let gguf = root.join("tiny q4.gguf");
    fs::write(&gguf, vec![b'g'; 64]).unwrap();
    open_up(base);
    let models = vec![
        entry(
            &root,
            StoreKind::Folder,
            "it's a model; rm -rf $HOME",
            &odd,
            512,
        ),
        entry(&root, StoreKind::Folder, "tiny q4.gguf", &gguf, 64),
    ];
    let store = scan(&p(&root), StoreKind::Folder, models);
    for m in &store.models {
        let plan = delete::plan(m, &store);
        let out = delete::run(host, m, &plan).await.unwrap();
        assert_eq!(out.removed, vec![m.path.clone()]);
        assert!(!Path::new(&m.path).exists());
    }
    assert_eq!(
        delete::plan(&store.models[0], &store).freed_bytes,
        512,
        "freed bytes are the model's size"
    );
    assert!(root.join("it's").exists());
    assert!(root.join("a").exists());
}

async fn refusals(host: &dyn Host, base: &Path) {
    let root = base.join("models");
    let model_dir = root.join("busy");
    fs::create_dir_all(&model_dir).unwrap();
    let outside = base.join("precious");
    fs::create_dir_all(&outside).unwrap();
    open_up(base);
    let mut m = entry(&root, StoreKind::Folder, "busy", &model_dir, 1);
    let store = scan(&p(&root), StoreKind::Folder, vec![m.clone()]);
    let plan = delete::plan(&m, &store);

    m.in_use = Some("served by vLLM on :8000".into());
    match delete::run(host, &m, &plan).await {
        Err(DeleteError::Refused(msg)) => {
            assert!(msg.contains("served by vLLM on :8000"), "{msg}")
        }
        other => panic!("in use must be refused: {other:?}"),
    }
    m.in_use = None;

    for bad in [
        p(&outside),
        format!("{}/../precious", p(&root)),
        p(&root),
        "relative/busy".to_string(),
    ] {
        let plan = delete::DeletePlan {
            remove: vec![p(&model_dir), bad.clone()],
            ..Default::default()
        };
        match delete::run(host, &m, &plan).await {
            Err(DeleteError::Refused(msg)) => assert!(msg.contains("not deleting busy"), "{msg}"),
            other => panic!("{bad} must be refused: {other:?}"),
        }
    }
    // A folder in the store linking outside it: the string check passes, the host-side
    // resolution refuses.
    let victim = outside.join("victim");
    fs::create_dir_all(&victim).unwrap();
    symlink(&outside, root.join("link")).unwrap();
    let via_link = format!("{}/link/victim", p(&root));
    assert_eq!(delete::outside_store(&p(&root), &via_link), None);
    let plan = delete::DeletePlan {
        remove: vec![via_link],
        ..Default::default()
    };
    match delete::run(host, &m, &plan).await {
        Err(DeleteError::Refused(msg)) => assert!(msg.contains("outside the store"), "{msg}"),
        other => panic!("a path through a symlink out of the store is refused: {other:?}"),
    }
    assert!(victim.exists());
    let mut gone = m.clone();
    gone.store = p(&base.join("no such store"));
    let plan = delete::DeletePlan {
        remove: vec![format!("{}/x", gone.store)],
        ..Default::default()
    };
    assert!(matches!(
        delete::run(host, &gone, &plan).await,
        Err(DeleteError::Refused(msg)) if msg.contains("is not on")
    ));
    assert!(
        matches!(
            delete::run(host, &m, &delete::DeletePlan::default()).await,
            Err(DeleteError::Refused(_))
        ),
        "an empty plan is refused"
    );
    assert!(
        model_dir.exists(),
        "nothing was removed by a refused delete"
    );
    assert!(outside.exists());
}

async fn connect(sshd: &Sshd) -> SshHost {
    timeout(LIMIT, SshHost::connect(&sshd.target(), sshd.options()))
        .await
        .expect("connect in time")
        .expect("connect")
}

fn temp() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("sparkdeck-models-")
        .tempdir()
        .unwrap()
}

#[tokio::test]
async fn ollama_tags_sharing_layers_locally() {
    let dir = temp();
    ollama_shared_layers(&LocalHost::new(), dir.path()).await;
}

#[tokio::test]
async fn ollama_tags_sharing_layers_over_ssh() {
    let sshd = Sshd::start();
    let host = connect(&sshd).await;
    ollama_shared_layers(&host, &sshd.shared_dir()).await;
}

#[tokio::test]
async fn hf_repo_locally_and_over_ssh() {
    let dir = temp();
    hf_repo(&LocalHost::new(), dir.path()).await;
    let sshd = Sshd::start();
    let host = connect(&sshd).await;
    hf_repo(&host, &sshd.shared_dir()).await;
}

#[tokio::test]
async fn odd_names_locally_and_over_ssh() {
    let dir = temp();
    folder_and_loose_file(&LocalHost::new(), dir.path()).await;
    let sshd = Sshd::start();
    let host = connect(&sshd).await;
    folder_and_loose_file(&host, &sshd.shared_dir()).await;
}

#[tokio::test]
async fn refusals_locally_and_over_ssh() {
    let dir = temp();
    refusals(&LocalHost::new(), dir.path()).await;
    let sshd = Sshd::start();
    let host = connect(&sshd).await;
    refusals(&host, &sshd.shared_dir()).await;
}

#[tokio::test]
async fn a_failed_rm_is_reported_with_what_is_left() {
    // Over SSH the remote user cannot remove what root keeps to itself.
    let sshd = Sshd::start();
    let host = connect(&sshd).await;
    let base = sshd.shared_dir().join("locked");
    let root = base.join("models");
    let model_dir = root.join("m");
    fs::create_dir_all(model_dir.join("inner")).unwrap();
    open_up(&sshd.shared_dir());
    let is_root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    if !is_root {
        // Same user on both sides: a read-only parent keeps the folder instead.
        fs::set_permissions(&root, std::os::unix::fs::PermissionsExt::from_mode(0o555)).unwrap();
    } else {
        fs::set_permissions(&root, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    let m = entry(&root, StoreKind::Folder, "m", &model_dir, 1);
    let store = scan(&p(&root), StoreKind::Folder, vec![m.clone()]);
    let res = delete::run(&host, &m, &delete::plan(&m, &store)).await;
    fs::set_permissions(&root, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    match res {
        Err(DeleteError::Failed(msg)) => {
            assert!(msg.contains(&p(&model_dir)), "{msg}");
            assert!(msg.contains("test-spark"), "{msg}");
        }
        other => panic!("expected a failure: {other:?}"),
    }
    assert!(model_dir.exists());
}

fn engine_with(host: Arc<dyn Host>, stores: Vec<StoreScan>) -> ModelsEngine {
    let mut e = ModelsEngine::new(host, &ModelsSettings::default());
    e.last = Some(ModelsReport {
        stores,
        ..ModelsReport::default()
    });
    e
}

#[tokio::test]
async fn engine_delete_checks_path_and_use_then_forgets_the_model() {
    let dir = temp();
    let root = dir.path().join("models");
    let a = root.join("a");
    let b = root.join("b");
    for d in [&a, &b] {
        fs::create_dir_all(d).unwrap();
        fs::write(d.join("w.safetensors"), b"weights").unwrap();
    }
    let ma = entry(&root, StoreKind::Folder, "a", &a, 7);
    let mb = entry(&root, StoreKind::Folder, "b", &b, 7);
    let store = scan(&p(&root), StoreKind::Folder, vec![ma.clone(), mb.clone()]);
    let mut engine = engine_with(Arc::new(LocalHost::new()), vec![store]);

    match engine.delete(&ma.id, &p(&b)).await {
        Err(DeleteError::Refused(msg)) => assert!(msg.contains("confirm again"), "{msg}"),
        other => panic!("a path other than the confirmed one is refused: {other:?}"),
    }
    assert!(matches!(
        engine.delete("nope#x", "/x").await,
        Err(DeleteError::Refused(_))
    ));

    // The scan says free, but a process holds a file open now: the re-check refuses.
    let mut holder = Command::new("sh")
        .arg("-c")
        .arg("exec 3<\"$1\"; echo ready; exec sleep 30")
        .arg("sh")
        .arg(b.join("w.safetensors"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(holder.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let res = engine.delete(&mb.id, &mb.path).await;
    holder.kill().unwrap();
    holder.wait().unwrap();
    match res {
        Err(DeleteError::Refused(msg)) => assert!(
            msg.contains(&format!("open by pid {} sleep", holder.id())),
            "{msg}"
        ),
        other => panic!("a file held open is refused: {other:?}"),
    }
    assert!(b.exists());

    let out = engine.delete(&ma.id, &ma.path).await.unwrap();
    assert_eq!(out.removed, vec![ma.path.clone()]);
    assert!(!a.exists());
    let left: Vec<&str> = engine.last.as_ref().unwrap().stores[0]
        .models
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(left, vec!["b"]);
    assert!(matches!(
        engine.delete(&ma.id, &ma.path).await,
        Err(DeleteError::Refused(_))
    ));
}

#[tokio::test]
async fn engine_delete_of_an_ollama_tag_reads_the_store_again() {
    let dir = temp();
    let store = dir.path().join("ollama");
    for (c, n) in [('a', 10), ('b', 1000), ('c', 300)] {
        blob(&store, c, n);
    }
    let latest = manifest(&store, "qwen3", "latest", &[('a', 10), ('b', 1000)]);
    // The scan saw only `latest`; `32b` was pulled since and shares blob b.
    let scanned = scan(&p(&store), StoreKind::Ollama, vec![latest.clone()]);
    manifest(&store, "qwen3", "32b", &[('c', 300), ('b', 1000)]);
    let mut engine = engine_with(Arc::new(LocalHost::new()), vec![scanned]);
    let out = engine.delete(&latest.id, &latest.path).await.unwrap();
    assert_eq!(out.kept_shared, vec![blob_path(&store, 'b')]);
    assert_eq!(
        out.removed,
        vec![latest.path.clone(), blob_path(&store, 'a')]
    );
    assert_eq!(out.freed_bytes, 10);
    assert!(Path::new(&blob_path(&store, 'b')).exists());
}
