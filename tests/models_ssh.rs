//! The Models scan through the real test sshd: the "remote Spark" is this machine, so the
//! stores built in a temp dir are walked by a remote `find`, read by remote `cat` and
//! discovered by the remote shell. The login user there is never root, so unreadable
//! folders really are unreadable.

mod support;

use sparkdeck::config::ModelsSettings;
use sparkdeck::host::SshHost;
use sparkdeck::model::StoreKind;
use sparkdeck::models::scan::scan_store;
use sparkdeck::models::{discover, disk};
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;
use support::model_stores::*;
use support::sshd::Sshd;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(30);

async fn connect(sshd: &Sshd) -> SshHost {
    timeout(LIMIT, SshHost::connect(&sshd.target(), sshd.options()))
        .await
        .expect("connect in time")
        .expect("connect")
}

/// A `find` first on the remote PATH that records its argv, then runs the real one.
fn log_remote_find(sshd: &Sshd) -> std::path::PathBuf {
    let log = sshd.shared_dir().join("find.log");
    sshd.install_remote_tool(
        "find",
        &format!(
            "#!/bin/sh\nprintf '%s|' \"$@\" >> '{}'\necho >> '{}'\nexec /usr/bin/find \"$@\"\n",
            log.display(),
            log.display()
        ),
    );
    log
}

#[tokio::test]
async fn stores_scan_to_the_same_sizes_over_ssh() {
    let sshd = Sshd::start();
    let log = log_remote_find(&sshd);
    let host = connect(&sshd).await;
    let st = ModelStores::build();
    timeout(LIMIT, check_hf(&host, &st)).await.expect("in time");
    timeout(LIMIT, check_ollama(&host, &st))
        .await
        .expect("in time");
    timeout(LIMIT, check_folder(&host, &st))
        .await
        .expect("in time");
    let calls = std::fs::read_to_string(&log).expect("the remote find ran");
    // The store paths hold spaces; they reached the remote find as one argument each.
    assert!(
        calls.contains(&format!("-H|{}|-xdev|", ModelStores::s(&st.hf))),
        "{calls}"
    );
    assert_eq!(calls.lines().count(), 3, "{calls}");
}

#[tokio::test]
async fn discovery_and_df_over_ssh() {
    let sshd = Sshd::start();
    let host = connect(&sshd).await;
    let st = ModelStores::build();
    let locked = st.dir.path().join("locked store");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let settings = ModelsSettings {
        root: ModelStores::s(&st.folder),
        hf_cache: ModelStores::s(&st.hf),
        ollama_stores: vec![ModelStores::s(&st.ollama)],
        extra: vec![ModelStores::s(&locked), "~/sparkdeck-no-such-dir".into()],
        docker_volumes: false,
        ..ModelsSettings::default()
    };
    let d = timeout(LIMIT, discover::probe(&host, &settings))
        .await
        .expect("in time");
    let kinds: Vec<StoreKind> = d.stores.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [StoreKind::Folder, StoreKind::HfCache, StoreKind::Ollama]
    );
    assert_eq!(d.problems.len(), 2, "{:?}", d.problems);
    let locked_why = &d.problems[0].1;
    assert!(
        locked_why.contains("locked store") && locked_why.contains("not readable"),
        "{locked_why}"
    );
    assert!(
        locked_why.contains("test-spark"),
        "names the host: {locked_why}"
    );
    // `~` is the remote user's home, not this process's.
    let missing = &d.problems[1].0.path;
    assert!(
        missing.ends_with("/sparkdeck-no-such-dir") && !missing.starts_with('~'),
        "{missing}"
    );

    let mut scans = Vec::new();
    for spec in &d.stores {
        scans.push(scan_store(&host, spec, &quiet).await);
    }
    let fss = timeout(LIMIT, disk::filesystems(&host, &mut scans))
        .await
        .expect("in time")
        .expect("df ran");
    assert_eq!(fss.len(), 1, "{fss:?}");
    assert!(
        scans
            .iter()
            .all(|s| s.mount.as_deref() == Some(fss[0].mount.as_str()))
    );
    let ollama = scans
        .iter()
        .find(|s| s.spec.kind == StoreKind::Ollama)
        .unwrap();
    assert_eq!(
        fss[0].models_bytes,
        1840 + 700 + 1050 + 333 + ollama.total_bytes,
        "shared Ollama layers once"
    );
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[tokio::test]
async fn unreadable_parts_of_a_store_make_a_partial_read() {
    let sshd = Sshd::start();
    let host = connect(&sshd).await;
    let st = ModelStores::build();
    let hidden = st.folder.join("private");
    write(&hidden.join("secret.safetensors"), 10);
    std::fs::set_permissions(&hidden, std::fs::Permissions::from_mode(0o000)).unwrap();
    let scan = timeout(
        LIMIT,
        scan_store(&host, &spec(&st.folder, StoreKind::Folder), &quiet),
    )
    .await
    .expect("in time");
    std::fs::set_permissions(&hidden, std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = scan.error.clone().expect("a partial read is reported");
    assert!(
        err.contains("partial read")
            && err.contains("permission denied")
            && err.contains("private"),
        "{err}"
    );
    // What could be read still counts.
    assert_eq!(
        names(&scan),
        ["llama4-scout-17b-Q4_K_M.gguf", "qwen3-32b-nvfp4"]
    );

    std::fs::set_permissions(&hidden, std::fs::Permissions::from_mode(0o000)).unwrap();
    let locked = timeout(
        LIMIT,
        scan_store(&host, &spec(&hidden, StoreKind::Folder), &quiet),
    )
    .await
    .expect("in time");
    std::fs::set_permissions(&hidden, std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = locked.error.expect("unreadable store");
    assert!(err.contains("not readable"), "{err}");
}

#[tokio::test]
async fn engine_refresh_over_ssh() {
    use sparkdeck::models::ModelsEngine;
    let sshd = Sshd::start();
    let host = connect(&sshd).await;
    let st = ModelStores::build();
    let settings = ModelsSettings {
        root: ModelStores::s(&st.folder),
        hf_cache: ModelStores::s(&st.hf),
        ollama_stores: vec![ModelStores::s(&st.ollama)],
        extra: vec!["/sparkdeck/not/here".into()],
        docker_volumes: false,
        ..ModelsSettings::default()
    };
    let mut engine = ModelsEngine::new(std::sync::Arc::new(host), &settings);
    let report = timeout(LIMIT, engine.refresh(true, &quiet))
        .await
        .expect("in time");
    let models: usize = report.stores.iter().map(|s| s.models.len()).sum();
    assert_eq!(models, 2 + 3 + 2);
    assert_eq!(report.stores.len(), 4);
    let err = report.stores[3].error.as_deref().unwrap_or("");
    assert!(
        err.contains("/sparkdeck/not/here") && err.contains("test-spark"),
        "{err}"
    );
    assert_eq!(report.filesystems.len(), 1);
    let embeddings = report
        .defaults
        .iter()
        .find(|d| d.role == "embeddings")
        .unwrap();
    assert_eq!(embeddings.found.len(), 2);
    assert!(!report.duplicates.is_empty());
}

#[tokio::test]
async fn ollama_container_volumes_are_found_through_docker() {
    let sshd = Sshd::start();
    let st = ModelStores::build();
    let locked = st.dir.path().join("root-only volume");
    std::fs::create_dir_all(locked.join("models")).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
    let volume = st.ollama.parent().unwrap();
    // docker's answers, as `docker inspect --format` prints them for three containers.
    let inspect = format!(
        "/txt2kg-ollama-1\\t/root/.ollama\\t{}\\n/web\\t/app/backend/data\\t/var/lib/docker/volumes/w/_data\\n/open-webui-ollama\\t/root/.ollama\\t{}\\n",
        volume.display(),
        locked.display()
    );
    sshd.install_remote_tool(
        "docker",
        &format!(
            "#!/bin/sh\ncase $1 in\n  ps) printf 'aaa\\nbbb\\nccc\\n' ;;\n  inspect) printf '{inspect}' ;;\n  *) exit 2 ;;\nesac\n"
        ),
    );
    let host = connect(&sshd).await;
    let settings = ModelsSettings {
        root: ModelStores::s(&st.folder),
        hf_cache: ModelStores::s(&st.hf),
        ollama_stores: Vec::new(),
        docker_volumes: true,
        ..ModelsSettings::default()
    };
    let d = timeout(LIMIT, discover::probe(&host, &settings))
        .await
        .expect("in time");
    let ollama: Vec<(&str, &str)> = d
        .stores
        .iter()
        .filter(|s| s.kind == StoreKind::Ollama)
        .map(|s| (s.path.as_str(), s.origin.as_str()))
        .collect();
    let path = ModelStores::s(&st.ollama);
    assert_eq!(ollama, [(path.as_str(), "container txt2kg-ollama-1")]);
    assert_eq!(d.problems.len(), 1, "{:?}", d.problems);
    let why = &d.problems[0].1;
    assert!(
        why.contains("Ollama volume of open-webui-ollama") && why.contains("not readable"),
        "{why}"
    );
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();

    // No access to the docker socket: a note with the fix, and the other stores still come.
    sshd.install_remote_tool(
        "docker",
        "#!/bin/sh\necho 'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get \"http://%2Fvar%2Frun%2Fdocker.sock/v1.47/containers/json\": dial unix /var/run/docker.sock: connect: permission denied' >&2\nexit 1\n",
    );
    let d = timeout(LIMIT, discover::probe(&host, &settings))
        .await
        .expect("in time");
    assert_eq!(d.stores.len(), 2);
    assert_eq!(d.notes.len(), 1, "{:?}", d.notes);
    assert!(d.notes[0].contains("usermod -aG docker"), "{}", d.notes[0]);
}
