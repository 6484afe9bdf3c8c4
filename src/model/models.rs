//! Model storage (issue 6, DESIGN §1/§7): stores, the models found in them, the
//! filesystems holding them, duplicates across stores and the configured default roles.
//! Plain data; the scanner is `models::`, parsers in `sources::models`.

use serde::{Deserialize, Serialize};

/// How a store is laid out, which decides how its files become models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreKind {
    #[default]
    /// The model root (`~/ai/models`) or an extra folder: each sub-folder holding
    /// weights (safetensors / gguf / bin) is a model; a loose `.gguf` file is one too.
    Folder,
    /// A Hugging Face hub cache: `models--org--name/{blobs,snapshots,refs}`.
    HfCache,
    /// An Ollama store: `manifests/<host>/<ns>/<model>/<tag>` + `blobs/sha256-…`.
    Ollama,
}

impl StoreKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StoreKind::Folder => "folder",
            StoreKind::HfCache => "hf_cache",
            StoreKind::Ollama => "ollama",
        }
    }
}

/// A store to scan and why it is in the list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StoreSpec {
    /// Absolute path on the host (`~` expanded on that host).
    pub path: String,
    pub kind: StoreKind,
    /// `model root`, `HF_HUB_CACHE`, `default`, `config`, `container ollama-compose`…
    pub origin: String,
}

/// What the weights are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelFormat {
    Safetensors,
    Gguf,
    /// PyTorch `.bin` / `.pt` / `.pth`.
    Pytorch,
    Ollama,
    #[default]
    Other,
}

/// One model in one store.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ModelEntry {
    /// Stable across scans: `<store path>#<name>`; the selection follows it.
    pub id: String,
    /// `Qwen/Qwen3-32B` (HF), `llama3:8b` (Ollama, `library/` and the default registry
    /// left out), the folder or file name (Folder).
    pub name: String,
    pub store: String,
    pub store_kind: StoreKind,
    /// What a delete removes: the repo folder (HF), the manifest file (Ollama; blobs no
    /// other manifest uses go with it), the folder or file (Folder).
    pub path: String,
    pub format: ModelFormat,
    /// Bytes on disk, each file counted once (HF snapshots share blobs).
    pub size_bytes: u64,
    /// Bytes deleting this model frees: `size_bytes` minus blobs other models of the
    /// same store keep (Ollama tags sharing layers).
    pub unique_bytes: u64,
    /// Newest mtime of its files, Unix seconds.
    pub modified: Option<i64>,
    /// Unfinished downloads (`*.incomplete` in HF blobs, `*-partial` in Ollama blobs).
    pub partial_bytes: u64,
    /// Content digests (`sha256:<hex>`) of its large files, for duplicate detection
    /// across stores.
    pub digests: Vec<String>,
    /// Why it is in use, when it is (`loaded in Ollama (12.3 GiB VRAM)`, `served by vLLM
    /// on :8000`, `open by pid 4242 python3`); None when nothing shows it in use.
    pub in_use: Option<String>,
}

impl ModelEntry {
    pub fn partial(&self) -> bool {
        self.partial_bytes > 0
    }
}

/// One store after a scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreScan {
    pub spec: StoreSpec,
    /// Every byte under the store, models or not, each inode once.
    pub total_bytes: u64,
    pub files: u64,
    pub models: Vec<ModelEntry>,
    /// Why the store could not be read (missing, permission), or a partial read.
    pub error: Option<String>,
    /// The mount point of the filesystem holding it.
    pub mount: Option<String>,
    /// Unix seconds the walk finished.
    pub scanned_at: i64,
}

/// A filesystem holding at least one store (`df -B1`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Filesystem {
    pub mount: String,
    pub source: String,
    pub fstype: String,
    pub size_bytes: u64,
    pub used_bytes: u64,
    pub avail_bytes: u64,
    /// Bytes of models on it (sum of `size_bytes` of its stores' models).
    pub models_bytes: u64,
}

impl Filesystem {
    /// Used share, 0–100; None for a zero-size filesystem.
    pub fn used_pct(&self) -> Option<f64> {
        (self.size_bytes > 0).then(|| self.used_bytes as f64 * 100.0 / self.size_bytes as f64)
    }
}

/// Why two copies count as one model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    /// Same HF repo / Ollama name / folder name in two stores.
    SameName,
    /// Same content digest in two stores.
    SameBlob,
}

/// The same model in two or more places.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    pub name: String,
    pub reason: DuplicateReason,
    /// Ids of the copies (`ModelEntry::id`).
    pub models: Vec<String>,
    pub paths: Vec<String>,
    /// Bytes freed by keeping one copy (all but the largest).
    pub reclaimable_bytes: u64,
}

/// A configured default role and whether a model matching it is present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultRole {
    /// `extraction`, `embeddings`, `planning`.
    pub role: String,
    /// As configured: `qwen3-32b-nvfp4`.
    pub wanted: String,
    /// Ids of models whose normalised name contains the wanted name.
    pub found: Vec<String>,
}

/// Progress of a scan still running, for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanProgress {
    pub store: String,
    pub files: u64,
    pub bytes: u64,
}

/// Everything the Models tab and `snapshot` show.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ModelsReport {
    pub stores: Vec<StoreScan>,
    pub filesystems: Vec<Filesystem>,
    pub duplicates: Vec<Duplicate>,
    pub defaults: Vec<DefaultRole>,
    /// Unix seconds.
    pub at: i64,
    /// Problems that belong to no store (docker socket not readable, discovery failed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The outcome of a confirmed delete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteOutcome {
    pub model: String,
    /// Paths removed, in order.
    pub removed: Vec<String>,
    /// Shared blobs kept because another model still needs them.
    pub kept_shared: Vec<String>,
    pub freed_bytes: u64,
}
