//! A realistic Models report of a Spark whose disk is filling up (seed 000's mess: DeepSeek-V3
//! half downloaded, bge-m3 twice, a planning model missing), built by hand from the model
//! types; and a state on the Models tab of `spark-lab` with it loaded.
#![allow(dead_code)]

use super::ui_fixtures::*;
use sparkdeck::app::{Effect, Msg, State, update};
use sparkdeck::model::*;

pub const LAB: &str = "spark-lab";
pub const ROOT: &str = "/home/dgx/ai/models";
pub const HF: &str = "/home/dgx/.cache/huggingface/hub";
pub const OLLAMA_SYS: &str = "/usr/share/ollama/.ollama/models";
pub const OLLAMA_USER: &str = "/home/dgx/.ollama/models";

pub const QWEN_NVFP4: &str = "/home/dgx/ai/models#qwen3-32b-nvfp4";
pub const DEEPSEEK_GGUF: &str = "/home/dgx/ai/models#DeepSeek-V3-Q4_K_M.gguf";
pub const BGE_ROOT: &str = "/home/dgx/ai/models#bge-m3";
pub const QWEN_HF: &str = "/home/dgx/.cache/huggingface/hub#Qwen/Qwen3-32B";
pub const DEEPSEEK_HF: &str = "/home/dgx/.cache/huggingface/hub#deepseek-ai/DeepSeek-V3";
pub const BGE_HF: &str = "/home/dgx/.cache/huggingface/hub#BAAI/bge-m3";
pub const LLAMA70: &str = "/usr/share/ollama/.ollama/models#llama3.1:70b";
pub const QWENVL: &str = "/usr/share/ollama/.ollama/models#qwen2.5vl:7b";
pub const NOMIC: &str = "/usr/share/ollama/.ollama/models#nomic-embed-text:latest";

pub const GB: u64 = 1_000_000_000;
const DAY: i64 = 86_400;

#[allow(clippy::too_many_arguments)]
fn entry(
    store: &str,
    kind: StoreKind,
    name: &str,
    path: &str,
    format: ModelFormat,
    size: u64,
    unique: u64,
    age_days: i64,
) -> ModelEntry {
    ModelEntry {
        id: format!("{store}#{name}"),
        name: name.into(),
        store: store.into(),
        store_kind: kind,
        path: path.into(),
        format,
        size_bytes: size,
        unique_bytes: unique,
        modified: Some(NOW - age_days * DAY),
        partial_bytes: 0,
        digests: Vec::new(),
        in_use: None,
    }
}

fn spec(path: &str, kind: StoreKind, origin: &str) -> StoreSpec {
    StoreSpec {
        path: path.into(),
        kind,
        origin: origin.into(),
    }
}

pub fn stores() -> Vec<StoreScan> {
    use ModelFormat::{Gguf, Safetensors};
    use StoreKind::{Folder, HfCache};
    let mut qwen = entry(
        ROOT,
        Folder,
        "qwen3-32b-nvfp4",
        "/home/dgx/ai/models/qwen3-32b-nvfp4",
        Safetensors,
        19_800_000_000,
        19_800_000_000,
        3,
    );
    qwen.in_use = Some("served by vLLM on :8000".into());
    qwen.digests = vec![
        "sha256:aa01".into(),
        "sha256:aa02".into(),
        "sha256:aa03".into(),
    ];
    let gguf = entry(
        ROOT,
        Folder,
        "DeepSeek-V3-Q4_K_M.gguf",
        "/home/dgx/ai/models/DeepSeek-V3-Q4_K_M.gguf",
        Gguf,
        404 * GB,
        404 * GB,
        41,
    );
    let mut bge = entry(
        ROOT,
        Folder,
        "bge-m3",
        "/home/dgx/ai/models/bge-m3",
        Safetensors,
        2_270_000_000,
        2_270_000_000,
        60,
    );
    bge.digests = vec!["sha256:bb01".into()];
    let root = StoreScan {
        spec: spec(ROOT, Folder, "model root"),
        total_bytes: 426_100_000_000,
        files: 61,
        models: vec![qwen, gguf, bge],
        error: None,
        mount: Some("/home".into()),
        scanned_at: NOW - 12,
    };
    let qwen_hf = entry(
        HF,
        HfCache,
        "Qwen/Qwen3-32B",
        "/home/dgx/.cache/huggingface/hub/models--Qwen--Qwen3-32B",
        Safetensors,
        65_500_000_000,
        65_500_000_000,
        12,
    );
    let mut deepseek = entry(
        HF,
        HfCache,
        "deepseek-ai/DeepSeek-V3",
        "/home/dgx/.cache/huggingface/hub/models--deepseek-ai--DeepSeek-V3",
        Safetensors,
        412 * GB,
        412 * GB,
        0,
    );
    deepseek.modified = Some(NOW - 400);
    deepseek.partial_bytes = 4_800_000_000;
    let mut bge_hf = entry(
        HF,
        HfCache,
        "BAAI/bge-m3",
        "/home/dgx/.cache/huggingface/hub/models--BAAI--bge-m3",
        Safetensors,
        2_270_000_000,
        2_270_000_000,
        90,
    );
    bge_hf.digests = vec!["sha256:bb01".into()];
    let hf = StoreScan {
        spec: spec(HF, HfCache, "default"),
        total_bytes: 479_900_000_000,
        files: 12_840,
        models: vec![qwen_hf, deepseek, bge_hf],
        error: None,
        mount: Some("/home".into()),
        scanned_at: NOW - 12,
    };
    let mut llama = entry(
        OLLAMA_SYS,
        StoreKind::Ollama,
        "llama3.1:70b",
        "/usr/share/ollama/.ollama/models/manifests/registry.ollama.ai/library/llama3.1/70b",
        ModelFormat::Ollama,
        42_520_413_916,
        42_520_413_916,
        20,
    );
    llama.in_use = Some("loaded in Ollama (33.5 GiB VRAM)".into());
    let qwenvl = entry(
        OLLAMA_SYS,
        StoreKind::Ollama,
        "qwen2.5vl:7b",
        "/usr/share/ollama/.ollama/models/manifests/registry.ollama.ai/library/qwen2.5vl/7b",
        ModelFormat::Ollama,
        5_969_245_856,
        5_100_000_000,
        8,
    );
    let nomic = entry(
        OLLAMA_SYS,
        StoreKind::Ollama,
        "nomic-embed-text:latest",
        "/usr/share/ollama/.ollama/models/manifests/registry.ollama.ai/library/nomic-embed-text/latest",
        ModelFormat::Ollama,
        274_302_450,
        274_302_450,
        200,
    );
    let ollama = StoreScan {
        spec: spec(OLLAMA_SYS, StoreKind::Ollama, "default"),
        total_bytes: 48_770_000_000,
        files: 23,
        models: vec![llama, qwenvl, nomic],
        error: None,
        mount: Some("/".into()),
        scanned_at: NOW - 12,
    };
    let missing = StoreScan {
        spec: spec(OLLAMA_USER, StoreKind::Ollama, "default"),
        total_bytes: 0,
        files: 0,
        models: Vec::new(),
        error: Some("not there (No such file or directory)".into()),
        mount: None,
        scanned_at: NOW - 12,
    };
    vec![root, hf, ollama, missing]
}

pub fn filesystems() -> Vec<Filesystem> {
    vec![
        Filesystem {
            mount: "/".into(),
            source: "/dev/nvme0n1p2".into(),
            fstype: "ext4".into(),
            size_bytes: 500 * GB,
            used_bytes: 470 * GB,
            avail_bytes: 30 * GB,
            models_bytes: 48_763_961_222,
        },
        Filesystem {
            mount: "/home".into(),
            source: "/dev/nvme1n1p1".into(),
            fstype: "ext4".into(),
            size_bytes: 3_840 * GB,
            used_bytes: 2_380 * GB,
            avail_bytes: 1_460 * GB,
            models_bytes: 905_640_000_000,
        },
    ]
}

pub fn report(at: i64) -> ModelsReport {
    ModelsReport {
        notes: Vec::new(),
        stores: stores(),
        filesystems: filesystems(),
        duplicates: vec![Duplicate {
            name: "bge-m3".into(),
            reason: DuplicateReason::SameBlob,
            models: vec![BGE_ROOT.into(), BGE_HF.into()],
            paths: vec![
                "/home/dgx/ai/models/bge-m3".into(),
                "/home/dgx/.cache/huggingface/hub/models--BAAI--bge-m3".into(),
            ],
            reclaimable_bytes: 2_270_000_000,
        }],
        defaults: vec![
            DefaultRole {
                role: "embeddings".into(),
                wanted: "bge-m3".into(),
                found: vec![BGE_ROOT.into(), BGE_HF.into()],
            },
            DefaultRole {
                role: "extraction".into(),
                wanted: "qwen3-32b-nvfp4".into(),
                found: vec![QWEN_NVFP4.into()],
            },
            DefaultRole {
                role: "planning".into(),
                wanted: "llama4-scout-17b".into(),
                found: Vec::new(),
            },
        ],
        at,
    }
}

/// The effects that ask for a scan.
pub fn loads(fx: &[Effect]) -> usize {
    fx.iter()
        .filter(|e| matches!(e, Effect::LoadModels { .. }))
        .count()
}

pub fn answer(s: &mut State, report: ModelsReport) -> Vec<Effect> {
    update(
        s,
        Msg::Models {
            name: LAB.into(),
            report,
        },
    )
}

/// `full_state` on the Models tab with the rich report.
pub fn models_state_sized(w: u16, h: u16) -> State {
    let mut s = full_state();
    update(
        &mut s,
        Msg::Resize {
            width: w,
            height: h,
        },
    );
    let fx = update(&mut s, key('5'));
    assert_eq!(
        fx,
        vec![Effect::LoadModels {
            name: LAB.into(),
            force: false
        }],
        "opening the tab asks for a scan"
    );
    answer(&mut s, report(NOW - 12));
    s
}

pub fn models_state() -> State {
    models_state_sized(120, 40)
}

pub fn selected_id(s: &State) -> String {
    s.models_selected()
        .map(|m| m.id.clone())
        .unwrap_or_default()
}

pub fn select(s: &mut State, id: &str) {
    update(s, key('g'));
    for _ in 0..20 {
        if selected_id(s) == id {
            return;
        }
        update(s, key('j'));
    }
    panic!("{id} not reachable");
}

pub fn flash_text(s: &State) -> String {
    s.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default()
}
