//! Real model stores in a temp dir, with sizes the tests know exactly: an HF cache (two
//! snapshots sharing blobs through relative symlinks, an `.incomplete` blob, a repo written
//! without symlinks, a dataset), an Ollama store (two tags sharing layers, a third model
//! with a partial blob) and a plain model folder (safetensors with a hard link, a loose
//! gguf, a nested HF cache and Ollama store that must not count).
//!
//! Everything is world-readable, so the test sshd's non-root login user can walk it.

use sparkdeck::host::Host;
use sparkdeck::model::{ModelEntry, ModelFormat, ScanProgress, StoreKind, StoreScan, StoreSpec};
use sparkdeck::models::scan::scan_store;
use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

pub const HF_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
pub const HF_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
pub const HF_C: &str = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
pub const HF_D: &str = "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd";
pub const COMMIT1: &str = "1111111111111111111111111111111111111111";
pub const COMMIT2: &str = "2222222222222222222222222222222222222222";

/// Ollama digests; `L3` is also an HF blob name, so the same content sits in two stores.
pub const L1: &str = "0101010101010101010101010101010101010101010101010101010101010101";
pub const L2: &str = "0202020202020202020202020202020202020202020202020202020202020202";
pub const L3: &str = HF_C;
pub const L4: &str = "0404040404040404040404040404040404040404040404040404040404040404";
pub const C1: &str = "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c01";
pub const C3: &str = "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c03";

pub struct ModelStores {
    pub dir: TempDir,
    pub hf: PathBuf,
    pub ollama: PathBuf,
    pub folder: PathBuf,
}

pub fn write(path: &Path, len: usize) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, vec![b'x'; len]).unwrap();
}

fn link(target: &str, at: &Path) {
    fs::create_dir_all(at.parent().unwrap()).unwrap();
    symlink(target, at).unwrap();
}

/// Opens every folder for reading by others (the test sshd logs in as another user).
pub fn open_up(path: &Path) {
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

pub fn manifest(config: (&str, u64), layers: &[(&str, u64)]) -> String {
    let layers: Vec<String> = layers
        .iter()
        .map(|(d, s)| {
            format!(
                r#"{{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:{d}","size":{s}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"sha256:{}","size":{}}},"layers":[{}]}}"#,
        config.0,
        config.1,
        layers.join(",")
    )
}

impl ModelStores {
    pub fn build() -> ModelStores {
        let dir = tempfile::Builder::new()
            .prefix("sparkdeck-models-")
            .tempdir()
            .unwrap();
        open_up(dir.path());
        // A space in every store path: the walk, df and discovery must survive it.
        let hf = dir.path().join("hf cache/hub");
        let ollama = dir.path().join("ollama store/models");
        let folder = dir.path().join("ai models");

        let q = hf.join("models--Qwen--Qwen3-0.6B");
        write(&q.join("blobs").join(HF_A), 1000);
        write(&q.join("blobs").join(HF_B), 300);
        write(&q.join("blobs").join(HF_C), 500);
        write(&q.join("blobs").join(format!("{HF_D}.incomplete")), 200);
        write(&q.join("refs/main"), 40);
        let s1 = q.join("snapshots").join(COMMIT1);
        let s2 = q.join("snapshots").join(COMMIT2);
        link(
            &format!("../../blobs/{HF_A}"),
            &s1.join("model.safetensors"),
        );
        link(&format!("../../blobs/{HF_B}"), &s1.join("config.json"));
        link(
            &format!("../../blobs/{HF_C}"),
            &s2.join("model.safetensors"),
        );
        link(&format!("../../blobs/{HF_B}"), &s2.join("config.json"));
        // HF_HUB_DISABLE_SYMLINKS: the snapshot holds a copy, no blobs.
        let b = hf.join("models--BAAI--bge-m3");
        write(&b.join("snapshots").join(COMMIT1).join("model.gguf"), 700);
        write(&hf.join("datasets--org--set/blobs").join(HF_D), 100);

        let blobs = ollama.join("blobs");
        write(&blobs.join(format!("sha256-{L1}")), 1000);
        write(&blobs.join(format!("sha256-{C1}")), 50);
        write(&blobs.join(format!("sha256-{L2}")), 400);
        write(&blobs.join(format!("sha256-{L3}")), 500);
        write(&blobs.join(format!("sha256-{C3}")), 30);
        write(&blobs.join(format!("sha256-{L4}-partial")), 77);
        let lib = ollama.join("manifests/registry.ollama.ai/library");
        for (rel, text) in [
            ("llama3/latest", manifest((C1, 50), &[(L1, 1000)])),
            (
                "llama3/instruct",
                manifest((C1, 50), &[(L1, 1000), (L2, 400)]),
            ),
            ("bge-m3/latest", manifest((C3, 30), &[(L3, 500), (L4, 900)])),
        ] {
            let p = lib.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }

        let qf = folder.join("qwen3-32b-nvfp4");
        write(&qf.join("model-00001-of-00001.safetensors"), 900);
        write(&qf.join("config.json"), 100);
        write(&qf.join("sub/extra.bin"), 50);
        fs::hard_link(
            qf.join("model-00001-of-00001.safetensors"),
            qf.join("hardlinked.safetensors"),
        )
        .unwrap();
        write(&folder.join("llama4-scout-17b-Q4_K_M.gguf"), 333);
        write(&folder.join("notes/readme.txt"), 10);
        write(&folder.join("README.md"), 5);
        write(
            &folder.join("hub/models--x--y/snapshots/c/model.safetensors"),
            4000,
        );
        write(&folder.join("ollama-copy/blobs/sha256-x"), 2000);
        write(&folder.join("ollama-copy/manifests/x"), 20);
        ModelStores {
            dir,
            hf,
            ollama,
            folder,
        }
    }

    pub fn s(p: &Path) -> String {
        p.to_string_lossy().into_owned()
    }
}

// What the stores above must scan to, on any host that can see them.

pub fn spec(path: &std::path::Path, kind: StoreKind) -> StoreSpec {
    StoreSpec {
        path: ModelStores::s(path),
        kind,
        origin: "config".into(),
    }
}

pub fn quiet(_: ScanProgress) {}

pub fn model<'a>(scan: &'a StoreScan, name: &str) -> &'a ModelEntry {
    scan.models
        .iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("{name} not in {:#?}", scan.models))
}

pub fn names(scan: &StoreScan) -> Vec<&str> {
    scan.models.iter().map(|m| m.name.as_str()).collect()
}

pub fn sha(h: &str) -> String {
    format!("sha256:{h}")
}

pub async fn check_hf(host: &dyn Host, st: &ModelStores) {
    let scan = scan_store(host, &spec(&st.hf, StoreKind::HfCache), &quiet).await;
    assert_eq!(scan.error, None);
    assert_eq!(names(&scan), ["BAAI/bge-m3", "Qwen/Qwen3-0.6B"]);
    let q = model(&scan, "Qwen/Qwen3-0.6B");
    // Three blobs shared by two snapshots, each once, plus refs/main; not the download.
    assert_eq!(q.size_bytes, 1000 + 300 + 500 + 40);
    assert_eq!(q.unique_bytes, q.size_bytes);
    assert_eq!(q.partial_bytes, 200);
    assert!(q.partial());
    assert_eq!(q.format, ModelFormat::Safetensors);
    assert_eq!(q.digests, [sha(HF_A), sha(HF_B), sha(HF_C)]);
    let repo = st.hf.join("models--Qwen--Qwen3-0.6B");
    assert_eq!(q.path, ModelStores::s(&repo));
    assert_eq!(q.id, format!("{}#Qwen/Qwen3-0.6B", ModelStores::s(&st.hf)));
    assert_eq!(q.store_kind, StoreKind::HfCache);
    assert!(q.modified.is_some());
    let b = model(&scan, "BAAI/bge-m3");
    assert_eq!(
        b.size_bytes, 700,
        "copies in snapshots/ count without symlinks"
    );
    assert_eq!(b.format, ModelFormat::Gguf);
    assert_eq!(scan.total_bytes, 1840 + 200 + 700 + 100);
    assert_eq!(scan.files, 7);
    assert!(scan.scanned_at > 0);
}

pub fn file_len(p: &std::path::Path) -> u64 {
    std::fs::metadata(p).unwrap().len()
}

pub async fn check_ollama(host: &dyn Host, st: &ModelStores) {
    let scan = scan_store(host, &spec(&st.ollama, StoreKind::Ollama), &quiet).await;
    assert_eq!(scan.error, None);
    assert_eq!(
        names(&scan),
        ["bge-m3:latest", "llama3:instruct", "llama3:latest"]
    );
    let latest = model(&scan, "llama3:latest");
    assert_eq!(latest.size_bytes, 1050);
    assert_eq!(
        latest.unique_bytes, 0,
        "both blobs are shared with :instruct"
    );
    let instruct = model(&scan, "llama3:instruct");
    assert_eq!(instruct.size_bytes, 1450);
    assert_eq!(instruct.unique_bytes, 400);
    assert_eq!(instruct.digests, [sha(L1), sha(L2), sha(C1)]);
    let bge = model(&scan, "bge-m3:latest");
    assert_eq!(
        bge.size_bytes, 530,
        "the layer still downloading is not there"
    );
    assert_eq!(bge.unique_bytes, 530);
    assert_eq!(bge.partial_bytes, 77);
    assert_eq!(bge.format, ModelFormat::Ollama);
    let mpath = st
        .ollama
        .join("manifests/registry.ollama.ai/library/bge-m3/latest");
    assert_eq!(bge.path, ModelStores::s(&mpath));
    let manifests: u64 = ["llama3/latest", "llama3/instruct", "bge-m3/latest"]
        .iter()
        .map(|r| {
            file_len(
                &st.ollama
                    .join("manifests/registry.ollama.ai/library")
                    .join(r),
            )
        })
        .sum();
    assert_eq!(
        scan.total_bytes,
        1000 + 50 + 400 + 500 + 30 + 77 + manifests
    );
    assert_eq!(scan.files, 9);
}

pub async fn check_folder(host: &dyn Host, st: &ModelStores) {
    let scan = scan_store(host, &spec(&st.folder, StoreKind::Folder), &quiet).await;
    assert_eq!(scan.error, None);
    assert_eq!(
        names(&scan),
        ["llama4-scout-17b-Q4_K_M.gguf", "qwen3-32b-nvfp4"],
        "the nested HF cache and Ollama store are not models of the folder"
    );
    let q = model(&scan, "qwen3-32b-nvfp4");
    assert_eq!(q.size_bytes, 900 + 100 + 50, "the hard link counts once");
    assert_eq!(q.format, ModelFormat::Safetensors);
    assert_eq!(q.path, ModelStores::s(&st.folder.join("qwen3-32b-nvfp4")));
    let g = model(&scan, "llama4-scout-17b-Q4_K_M.gguf");
    assert_eq!(g.size_bytes, 333);
    assert_eq!(g.format, ModelFormat::Gguf);
    assert_eq!(
        scan.total_bytes,
        900 + 100 + 50 + 333 + 10 + 5 + 4000 + 2000 + 20
    );
    assert_eq!(scan.files, 10);
}
