//! In-use marking: Ollama `/api/ps` and `/v1/models` from local stub servers on ephemeral
//! ports, and files held open by real processes, locally and through the real test sshd.

mod support;

use sparkdeck::host::{Host, LocalHost, SshHost, StreamEvent};
use sparkdeck::model::{ModelEntry, ModelFormat, StoreKind, StoreScan, StoreSpec};
use sparkdeck::models::inuse::{self, PARTIAL_NOTE};
use std::fs;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;
use support::sshd::Sshd;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(30);

/// Recorded shape of Ollama 0.5 `/api/ps` (research/domain.md §2).
const PS: &str = r#"{"models":[{"name":"llama3:8b","model":"llama3:8b","size":13869461504,"digest":"365c0bd3c000a25d28ddbf732fe1c6add414de7275464c4e4d1c3b5fcb5d8ad1","details":{"parent_model":"","format":"gguf","family":"llama","families":["llama"],"parameter_size":"8.0B","quantization_level":"Q4_0"},"expires_at":"2026-11-22T12:05:11.123456+01:00","size_vram":13207024435,"context_length":8192}]}"#;

/// vLLM `/v1/models` (ModelCard) serving an HF repo.
const VLLM: &str = r#"{"object":"list","data":[{"id":"Qwen/Qwen3-32B","object":"model","created":1763800000,"owned_by":"vllm","root":"Qwen/Qwen3-32B","parent":null,"max_model_len":32768,"permission":[]}]}"#;

/// A minimal HTTP server answering `path` with `body` (404 otherwise).
async fn stub(path: &'static str, body: String) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]).to_string();
                let ok = req.starts_with(&format!("GET {path} "));
                let (status, body) = if ok {
                    ("200 OK", body)
                } else {
                    ("404 Not Found", String::new())
                };
                let reply = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(reply.as_bytes()).await;
            });
        }
    });
    addr
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn scan(path: &str, kind: StoreKind, models: Vec<ModelEntry>) -> StoreScan {
    StoreScan {
        spec: StoreSpec {
            path: path.into(),
            kind,
            origin: "config".into(),
        },
        total_bytes: 0,
        files: 0,
        models,
        error: None,
        mount: None,
        scanned_at: 0,
    }
}

fn entry(store: &str, kind: StoreKind, name: &str, path: &str) -> ModelEntry {
    ModelEntry {
        id: format!("{store}#{name}"),
        name: name.into(),
        store: store.into(),
        store_kind: kind,
        path: path.into(),
        format: ModelFormat::Safetensors,
        ..ModelEntry::default()
    }
}

fn in_use(stores: &[StoreScan]) -> Vec<(String, Option<String>)> {
    stores
        .iter()
        .flat_map(|s| &s.models)
        .map(|m| (m.name.clone(), m.in_use.clone()))
        .collect()
}

/// Stores that exist only on paper: the HTTP checks need no files.
fn paper_stores() -> Vec<StoreScan> {
    let o = "/nonexistent/ollama";
    let h = "/nonexistent/hub";
    let r = "/nonexistent/models";
    let mut stale = entry(r, StoreKind::Folder, "old", &format!("{r}/old"));
    stale.in_use = Some("open by pid 1 init".into());
    vec![
        scan(
            o,
            StoreKind::Ollama,
            vec![
                entry(
                    o,
                    StoreKind::Ollama,
                    "llama3:8b",
                    &format!("{o}/manifests/x/8b"),
                ),
                entry(
                    o,
                    StoreKind::Ollama,
                    "llama3",
                    &format!("{o}/manifests/x/latest"),
                ),
            ],
        ),
        scan(
            h,
            StoreKind::HfCache,
            vec![
                entry(
                    h,
                    StoreKind::HfCache,
                    "Qwen/Qwen3-32B",
                    &format!("{h}/models--Qwen--Qwen3-32B"),
                ),
                entry(
                    h,
                    StoreKind::HfCache,
                    "BAAI/bge-m3",
                    &format!("{h}/models--BAAI--bge-m3"),
                ),
            ],
        ),
        scan(
            r,
            StoreKind::Folder,
            vec![
                entry(
                    r,
                    StoreKind::Folder,
                    "DeepSeek-OCR",
                    &format!("{r}/DeepSeek-OCR"),
                ),
                stale,
            ],
        ),
    ]
}

async fn http_checks(host: &dyn Host) {
    let ollama = stub("/api/ps", PS.to_string()).await;
    let vllm = stub("/v1/models", VLLM.to_string()).await;
    // SGLang started with a local folder path: the id is that path.
    let sglang_body = r#"{"object":"list","data":[{"id":"/nonexistent/models/DeepSeek-OCR/","object":"model","owned_by":"sglang","root":"/nonexistent/models/DeepSeek-OCR/"}]}"#;
    let sglang = stub("/v1/models", sglang_body.to_string()).await;
    let mut stores = paper_stores();
    let notes = timeout(
        LIMIT,
        inuse::mark_with(
            host,
            &mut stores,
            ollama.port(),
            &[vllm.port(), closed_port(), sglang.port()],
        ),
    )
    .await
    .unwrap();
    assert!(!notes.iter().any(|n| n.contains("failed")), "{notes:?}");
    let s = |x: &str| Some(x.to_string());
    assert_eq!(
        in_use(&stores),
        vec![
            ("llama3:8b".into(), s("loaded in Ollama (12.3 GiB VRAM)")),
            ("llama3".into(), None),
            (
                "Qwen/Qwen3-32B".into(),
                Some(format!("served by vLLM on :{}", vllm.port()))
            ),
            ("BAAI/bge-m3".into(), None),
            (
                "DeepSeek-OCR".into(),
                Some(format!("served by SGLang on :{}", sglang.port()))
            ),
            ("old".into(), None),
        ]
    );
}

#[tokio::test]
async fn ollama_ps_and_openai_servers_locally() {
    http_checks(&LocalHost::new()).await;
}

#[tokio::test]
async fn ollama_ps_and_openai_servers_through_forwards() {
    let sshd = Sshd::start();
    let host = timeout(LIMIT, SshHost::connect(&sshd.target(), sshd.options()))
        .await
        .unwrap()
        .unwrap();
    http_checks(&host).await;
}

#[tokio::test]
async fn nothing_listening_is_not_an_error() {
    let mut stores = paper_stores();
    let notes = inuse::mark_with(
        &LocalHost::new(),
        &mut stores,
        closed_port(),
        &[closed_port()],
    )
    .await;
    assert!(in_use(&stores).iter().all(|(_, u)| u.is_none()));
    assert!(!notes.iter().any(|n| n.contains("failed")), "{notes:?}");
}

#[test]
fn served_ids_match_repos_and_paths() {
    let m = entry(
        "/h",
        StoreKind::HfCache,
        "Qwen/Qwen3-32B",
        "/h/models--Qwen--Qwen3-32B",
    );
    assert!(inuse::serves("qwen/qwen3-32b", &m));
    assert!(inuse::serves("Qwen3-32B", &m));
    assert!(inuse::serves(
        "/h/models--Qwen--Qwen3-32B/snapshots/abc",
        &m
    ));
    assert!(!inuse::serves("/h/models--Qwen--Qwen3-32B-AWQ", &m));
    assert!(!inuse::serves("other/Qwen3-32B", &m));
    assert!(!inuse::serves("", &m));
    let garbage =
        serde_json::json!({"data": [1, {"id": 2}, {"id": "x", "owned_by": null}], "models": "no"});
    assert_eq!(
        inuse::openai_served(&garbage),
        vec![(
            vec!["x".to_string()],
            "an OpenAI-compatible server".to_string()
        )]
    );
    assert!(inuse::ollama_loaded(&garbage).is_empty());
    assert_eq!(
        inuse::parse_fd_lines("/proc/12/fd /a/b (deleted)\n/proc/x/fd /a\njunk\n/proc/3/fd /a b\n"),
        vec![(3, "/a b".to_string()), (12, "/a/b".to_string())]
    );
}

fn digest(c: char) -> String {
    format!("sha256:{}", c.to_string().repeat(64))
}

/// An Ollama store with two tags sharing blob `a`, an HF repo and a folder model, under
/// `base`; returns the scans (with `store_alias` as the configured path of the Ollama
/// store, a symlink to it).
fn file_stores(base: &Path, store_alias: &Path) -> Vec<StoreScan> {
    let ollama = base.join("ollama");
    fs::create_dir_all(ollama.join("blobs")).unwrap();
    fs::write(
        ollama.join(format!("blobs/sha256-{}", "a".repeat(64))),
        b"gguf",
    )
    .unwrap();
    std::os::unix::fs::symlink(&ollama, store_alias).unwrap();
    let o = store_alias.to_str().unwrap().to_string();
    let mut tags = Vec::new();
    for (tag, ds) in [
        ("latest", vec![digest('a')]),
        ("8b", vec![digest('a')]),
        ("other", vec![digest('b')]),
    ] {
        let mut m = entry(
            &o,
            StoreKind::Ollama,
            &format!("m:{tag}"),
            &format!("{o}/manifests/r/l/m/{tag}"),
        );
        m.digests = ds;
        tags.push(m);
    }
    let hub = base.join("hub");
    let repo = hub.join("models--BAAI--bge-m3");
    fs::create_dir_all(repo.join("blobs")).unwrap();
    fs::write(repo.join("blobs").join("e".repeat(64)), b"w").unwrap();
    let h = hub.to_str().unwrap().to_string();
    let root = base.join("my models");
    fs::create_dir_all(root.join("free")).unwrap();
    let r = root.to_str().unwrap().to_string();
    Command::new("chmod")
        .args(["-R", "a+rwX"])
        .arg(base)
        .status()
        .unwrap();
    vec![
        scan(&o, StoreKind::Ollama, tags),
        scan(
            &h,
            StoreKind::HfCache,
            vec![entry(
                &h,
                StoreKind::HfCache,
                "BAAI/bge-m3",
                repo.to_str().unwrap(),
            )],
        ),
        scan(
            &r,
            StoreKind::Folder,
            vec![entry(
                &r,
                StoreKind::Folder,
                "free",
                root.join("free").to_str().unwrap(),
            )],
        ),
    ]
}

fn open_marks(stores: &[StoreScan], pid: u32, comm: &str) {
    let want = Some(format!("open by pid {pid} {comm}"));
    assert_eq!(
        in_use(stores),
        vec![
            ("m:latest".into(), want.clone()),
            ("m:8b".into(), want.clone()),
            ("m:other".into(), None),
            ("BAAI/bge-m3".into(), want),
            ("free".into(), None),
        ]
    );
}

const HOLD: &str = r#"exec 3<"$1" 4<"$2"; echo $$; exec sleep 30"#;

#[tokio::test]
async fn files_held_open_locally() {
    let dir = tempfile::Builder::new()
        .prefix("sparkdeck-inuse-")
        .tempdir()
        .unwrap();
    let alias = dir.path().join("alias");
    let mut stores = file_stores(dir.path(), &alias);
    // The process opens the real path; the store is configured through a symlink.
    let mut holder = Command::new("sh")
        .args(["-c", HOLD, "sh"])
        .arg(
            dir.path()
                .join(format!("ollama/blobs/sha256-{}", "a".repeat(64))),
        )
        .arg(
            dir.path()
                .join(format!("hub/models--BAAI--bge-m3/blobs/{}", "e".repeat(64))),
        )
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(holder.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let notes = inuse::mark_with(&LocalHost::new(), &mut stores, closed_port(), &[]).await;
    holder.kill().unwrap();
    holder.wait().unwrap();
    open_marks(&stores, holder.id(), "sleep");
    // Even root may lack CAP_SYS_PTRACE for some processes (containers): at most one note.
    assert!(
        notes.iter().all(|n| n == PARTIAL_NOTE) && notes.len() <= 1,
        "said once: {notes:?}"
    );
}

#[tokio::test]
async fn files_held_open_over_ssh_and_the_partial_note() {
    let sshd = Sshd::start();
    let host = timeout(LIMIT, SshHost::connect(&sshd.target(), sshd.options()))
        .await
        .unwrap()
        .unwrap();
    let base = sshd.shared_dir();
    let alias = base.join("alias");
    let mut stores = file_stores(&base, &alias);
    let blob = base.join(format!("ollama/blobs/sha256-{}", "a".repeat(64)));
    let hf_blob = base.join(format!("hub/models--BAAI--bge-m3/blobs/{}", "e".repeat(64)));
    let mut held = host
        .stream_lines(&[
            "sh",
            "-c",
            HOLD,
            "sh",
            blob.to_str().unwrap(),
            hf_blob.to_str().unwrap(),
        ])
        .await
        .unwrap();
    let pid: u32 = match timeout(LIMIT, held.next()).await.unwrap() {
        Some(StreamEvent::Stdout(l)) => l.trim().parse().unwrap(),
        other => panic!("holder did not start: {other:?}"),
    };
    let notes = inuse::mark_with(&host, &mut stores, closed_port(), &[]).await;
    held.stop();
    open_marks(&stores, pid, "sleep");
    let root = Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    if root {
        // The remote user (sshtest) cannot see root's processes' descriptors.
        assert_eq!(notes, vec![PARTIAL_NOTE.to_string()]);
    }
}

#[test]
fn maps_lines_parse() {
    let text = "/proc/7/maps:7f3c00000000-7f3c80000000 r--s 00000000 08:01 1234                       /s/blobs/sha256-aa\n\
                /proc/7/maps:7f3c80000000-7f3c90000000 r--p 00000000 08:01 99   /s/my model/w.gguf (deleted)\n\
                /proc/8/maps:7ffd0000-7ffd1000 rw-p 00000000 00:00 0   [stack]\n\
                /proc/9/maps:short line\n";
    assert_eq!(
        inuse::parse_maps_lines(text),
        vec![
            (7, "/s/blobs/sha256-aa".to_string()),
            (7, "/s/my model/w.gguf".to_string()),
        ]
    );
}

#[tokio::test]
async fn mapped_without_a_descriptor_locally() {
    let dir = tempfile::Builder::new()
        .prefix("sparkdeck-inuse-")
        .tempdir()
        .unwrap();
    let alias = dir.path().join("alias");
    let mut stores = file_stores(dir.path(), &alias);
    // A running executable is mapped but holds no descriptor on itself, like weights that
    // a runner mmapped before closing the file.
    let blob = dir
        .path()
        .join(format!("ollama/blobs/sha256-{}", "a".repeat(64)));
    fs::copy("/bin/sleep", &blob).unwrap();
    let mut runner = Command::new(&blob).arg("30").spawn().unwrap();
    // Wait until the kernel shows the mapping.
    let maps = format!("/proc/{}/maps", runner.id());
    for _ in 0..100 {
        if fs::read_to_string(&maps).is_ok_and(|m| m.contains("sha256-aaaa")) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    inuse::mark_with(&LocalHost::new(), &mut stores, closed_port(), &[]).await;
    runner.kill().unwrap();
    runner.wait().unwrap();
    let want = Some(format!("open by pid {} sha256-aaaaaaaa", runner.id()));
    assert_eq!(
        in_use(&stores),
        vec![
            ("m:latest".into(), want.clone()),
            ("m:8b".into(), want),
            ("m:other".into(), None),
            ("BAAI/bge-m3".into(), None),
            ("free".into(), None),
        ]
    );
}
