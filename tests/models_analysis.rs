//! Duplicates across stores, default roles and the delete plan, from hand-built scans.

use sparkdeck::model::{DuplicateReason, ModelEntry, ModelFormat, StoreKind, StoreScan, StoreSpec};
use sparkdeck::models::{defaults, delete, dup};
use std::collections::BTreeMap;

const GIB: u64 = 1 << 30;

fn digest(c: char) -> String {
    format!("sha256:{}", c.to_string().repeat(64))
}

fn model(store: &str, kind: StoreKind, name: &str, path: &str, size: u64) -> ModelEntry {
    ModelEntry {
        id: format!("{store}#{name}"),
        name: name.into(),
        store: store.into(),
        store_kind: kind,
        path: format!("{store}/{path}"),
        format: match kind {
            StoreKind::Ollama => ModelFormat::Ollama,
            _ => ModelFormat::Safetensors,
        },
        size_bytes: size,
        unique_bytes: size,
        ..ModelEntry::default()
    }
}

fn with_digests(mut m: ModelEntry, d: &[char]) -> ModelEntry {
    m.digests = d.iter().map(|&c| digest(c)).collect();
    m
}

fn store(path: &str, kind: StoreKind, models: Vec<ModelEntry>) -> StoreScan {
    StoreScan {
        spec: StoreSpec {
            path: path.into(),
            kind,
            origin: "config".into(),
        },
        total_bytes: models.iter().map(|m| m.size_bytes).sum(),
        files: 0,
        models,
        error: None,
        mount: Some("/".into()),
        scanned_at: 0,
    }
}

fn hf(store_path: &str, name: &str, size: u64) -> ModelEntry {
    let dir = format!("models--{}", name.replace('/', "--"));
    model(store_path, StoreKind::HfCache, name, &dir, size)
}

fn folder(store_path: &str, name: &str, size: u64) -> ModelEntry {
    model(store_path, StoreKind::Folder, name, name, size)
}

fn ollama(store_path: &str, name: &str, size: u64) -> ModelEntry {
    let (m, tag) = name.split_once(':').unwrap_or((name, "latest"));
    let path = format!("manifests/registry.ollama.ai/library/{m}/{tag}");
    model(store_path, StoreKind::Ollama, name, &path, size)
}

#[test]
fn repo_names_normalise_across_layouts() {
    assert_eq!(
        dup::repo_parts("Qwen/Qwen3-32B"),
        (Some("qwen".into()), "qwen3-32b".into())
    );
    assert_eq!(
        dup::repo_parts("models--Qwen--Qwen3-32B"),
        (Some("qwen".into()), "qwen3-32b".into())
    );
    assert_eq!(
        dup::repo_parts("Qwen--Qwen3-32B"),
        (Some("qwen".into()), "qwen3-32b".into())
    );
    assert_eq!(dup::repo_parts("Qwen3-32B"), (None, "qwen3-32b".into()));
    assert!(dup::same_repo("Qwen/Qwen3-32B", "qwen3-32b"));
    assert!(dup::same_repo("Qwen/Qwen3-32B", "QWEN--qwen3-32B"));
    assert!(!dup::same_repo("Qwen/Qwen3-32B", "other--Qwen3-32B"));
    assert!(!dup::same_repo("Qwen/Qwen3-32B", "Qwen/Qwen3-30B"));
    assert_eq!(dup::ollama_key("Llama3"), "llama3:latest");
    assert_eq!(dup::ollama_key("llama3:8b"), "llama3:8b");
    assert_eq!(
        dup::ollama_key("hf.co/bartowski/Qwen3-GGUF"),
        "hf.co/bartowski/qwen3-gguf:latest"
    );
    // Garbage never panics.
    for s in ["", "/", "--", "models--", "a/", "/b", ":", "::/:"] {
        let _ = dup::repo_parts(s);
        let _ = dup::ollama_key(s);
        let _ = dup::same_repo(s, s);
    }
}

#[test]
fn same_repo_in_hf_cache_and_model_root() {
    let stores = vec![
        store(
            "/home/u/.cache/huggingface/hub",
            StoreKind::HfCache,
            vec![
                hf("/home/u/.cache/huggingface/hub", "Qwen/Qwen3-32B", 65 * GIB),
                hf("/home/u/.cache/huggingface/hub", "BAAI/bge-m3", 2 * GIB),
            ],
        ),
        store(
            "/home/u/ai/models",
            StoreKind::Folder,
            vec![
                folder("/home/u/ai/models", "Qwen3-32B", 64 * GIB),
                folder("/home/u/ai/models", "deepseek-ai--DeepSeek-V3", 700 * GIB),
            ],
        ),
    ];
    let d = dup::find_duplicates(&stores);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].name, "Qwen/Qwen3-32B");
    assert_eq!(d[0].reason, DuplicateReason::SameName);
    assert_eq!(
        d[0].models,
        vec![
            "/home/u/.cache/huggingface/hub#Qwen/Qwen3-32B",
            "/home/u/ai/models#Qwen3-32B"
        ]
    );
    assert_eq!(
        d[0].paths,
        vec![
            "/home/u/.cache/huggingface/hub/models--Qwen--Qwen3-32B",
            "/home/u/ai/models/Qwen3-32B"
        ]
    );
    assert_eq!(d[0].reclaimable_bytes, 64 * GIB);
}

#[test]
fn three_copies_reclaim_all_but_the_largest_and_sort_by_bytes() {
    let stores = vec![
        store(
            "/a",
            StoreKind::HfCache,
            vec![hf("/a", "org/big", 100), hf("/a", "org/small", 10)],
        ),
        store(
            "/b",
            StoreKind::HfCache,
            vec![hf("/b", "org/big", 100), hf("/b", "org/small", 12)],
        ),
        store(
            "/c",
            StoreKind::Folder,
            vec![folder("/c", "org--big", 90), folder("/c", "small", 11)],
        ),
    ];
    let d = dup::find_duplicates(&stores);
    assert_eq!(d.len(), 2, "{d:#?}");
    assert_eq!(d[0].name, "org/big");
    assert_eq!(d[0].reclaimable_bytes, 100 + 90);
    assert_eq!(d[0].models.len(), 3);
    assert_eq!(d[1].name, "org/small");
    assert_eq!(d[1].reclaimable_bytes, 10 + 11);
}

#[test]
fn a_folder_without_org_stays_out_when_two_orgs_have_that_name() {
    let stores = vec![
        store(
            "/a",
            StoreKind::HfCache,
            vec![hf("/a", "one/model-x", 5), hf("/a", "two/model-x", 6)],
        ),
        store("/b", StoreKind::Folder, vec![folder("/b", "model-x", 7)]),
    ];
    assert!(dup::find_duplicates(&stores).is_empty());
}

#[test]
fn different_orgs_are_different_models() {
    let stores = vec![
        store(
            "/a",
            StoreKind::HfCache,
            vec![hf("/a", "Qwen/Qwen3-32B", 5)],
        ),
        store(
            "/b",
            StoreKind::Folder,
            vec![folder("/b", "someone--Qwen3-32B", 5)],
        ),
    ];
    assert!(dup::find_duplicates(&stores).is_empty());
}

#[test]
fn ollama_tags_in_one_store_are_not_duplicates() {
    let s = "/home/u/.ollama/models";
    let stores = vec![store(
        s,
        StoreKind::Ollama,
        vec![
            with_digests(ollama(s, "llama3:latest", 4_700), &['a', 'b']),
            with_digests(ollama(s, "llama3:8b", 4_700), &['a', 'b']),
        ],
    )];
    assert!(dup::find_duplicates(&stores).is_empty());
}

#[test]
fn same_blob_in_two_ollama_stores_counts_each_store_once() {
    let user = "/home/u/.ollama/models";
    let svc = "/usr/share/ollama/.ollama/models";
    let stores = vec![
        store(
            user,
            StoreKind::Ollama,
            vec![
                with_digests(ollama(user, "llama3:latest", 4_000), &['a', 'b']),
                with_digests(ollama(user, "llama3:8b", 4_000), &['a', 'b']),
            ],
        ),
        store(
            svc,
            StoreKind::Ollama,
            vec![
                with_digests(ollama(svc, "copied/llama3:q4", 4_100), &['b', 'a']),
                // Shares the license blob `a` only: another model.
                with_digests(ollama(svc, "mistral:7b", 9_000), &['a', 'z']),
            ],
        ),
    ];
    let d = dup::find_duplicates(&stores);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].reason, DuplicateReason::SameBlob);
    assert_eq!(d[0].name, "copied/llama3:q4");
    assert_eq!(d[0].models.len(), 3);
    // The user store's copy is 4 000 bytes however many tags name it.
    assert_eq!(d[0].reclaimable_bytes, 4_000);
}

#[test]
fn same_ollama_name_in_two_stores_and_implicit_latest() {
    let stores = vec![
        store(
            "/x",
            StoreKind::Ollama,
            vec![with_digests(ollama("/x", "bge-m3", 1_200), &['a'])],
        ),
        store(
            "/y",
            StoreKind::Ollama,
            vec![with_digests(ollama("/y", "BGE-M3:latest", 1_000), &['b'])],
        ),
    ];
    let d = dup::find_duplicates(&stores);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].reason, DuplicateReason::SameName);
    assert_eq!(d[0].name, "bge-m3");
    assert_eq!(d[0].reclaimable_bytes, 1_000);
}

#[test]
fn ollama_name_is_not_an_hf_repo_unless_a_digest_matches() {
    let by_name = vec![
        store(
            "/o",
            StoreKind::Ollama,
            vec![with_digests(ollama("/o", "qwen3-32b", 10), &['a'])],
        ),
        store("/r", StoreKind::Folder, vec![folder("/r", "qwen3-32b", 10)]),
    ];
    assert!(dup::find_duplicates(&by_name).is_empty());

    let gguf = vec![
        store(
            "/o",
            StoreKind::Ollama,
            vec![with_digests(ollama("/o", "qwen3:32b-q4", 20), &['e', 'f'])],
        ),
        store(
            "/h",
            StoreKind::HfCache,
            vec![with_digests(hf("/h", "Qwen/Qwen3-32B-GGUF", 30), &['e'])],
        ),
    ];
    let d = dup::find_duplicates(&gguf);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].reason, DuplicateReason::SameBlob);
    assert_eq!(d[0].name, "Qwen/Qwen3-32B-GGUF");
    assert_eq!(d[0].reclaimable_bytes, 20);
}

#[test]
fn hf_repos_sharing_one_lfs_file_are_not_one_model() {
    let stores = vec![
        store(
            "/a",
            StoreKind::HfCache,
            vec![with_digests(hf("/a", "org/base", 50), &['t', 'w'])],
        ),
        store(
            "/b",
            StoreKind::HfCache,
            vec![
                with_digests(hf("/b", "other/finetune", 50), &['t', 'x']),
                // An older revision of the same weights under another name: a subset.
                with_digests(hf("/b", "mirror/base-copy", 40), &['w']),
            ],
        ),
    ];
    let d = dup::find_duplicates(&stores);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].models, vec!["/a#org/base", "/b#mirror/base-copy"]);
    assert_eq!(d[0].reason, DuplicateReason::SameBlob);
    assert_eq!(d[0].reclaimable_bytes, 40);
}

#[test]
fn no_stores_no_models_no_duplicates() {
    assert!(dup::find_duplicates(&[]).is_empty());
    assert!(dup::find_duplicates(&[store("/a", StoreKind::Folder, vec![])]).is_empty());
}

fn roles() -> BTreeMap<String, String> {
    sparkdeck::config::ModelsSettings::default().defaults
}

#[test]
fn default_roles_match_across_layouts_in_role_order() {
    let h = "/h";
    let o = "/o";
    let r = "/r";
    let stores = vec![
        store(
            h,
            StoreKind::HfCache,
            vec![
                hf(h, "Qwen/Qwen3-32B-NVFP4", 20),
                hf(h, "meta-llama/Llama-4-Scout-17B-16E-Instruct", 200),
                hf(h, "Qwen/Qwen3-30B-A3B", 60),
            ],
        ),
        store(
            o,
            StoreKind::Ollama,
            vec![ollama(o, "qwen3:32b-nvfp4", 20), ollama(o, "qwen3:32b", 20)],
        ),
        store(
            r,
            StoreKind::Folder,
            vec![folder(r, "qwen3_32b.nvfp4-v2", 20)],
        ),
    ];
    let d = defaults::check(&roles(), &stores);
    let summary: Vec<(&str, &str, Vec<&str>)> = d
        .iter()
        .map(|r| {
            (
                r.role.as_str(),
                r.wanted.as_str(),
                r.found.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("embeddings", "bge-m3", vec![]),
            (
                "extraction",
                "qwen3-32b-nvfp4",
                vec![
                    "/h#Qwen/Qwen3-32B-NVFP4",
                    "/o#qwen3:32b-nvfp4",
                    "/r#qwen3_32b.nvfp4-v2"
                ]
            ),
            (
                "planning",
                "llama4-scout-17b",
                vec!["/h#meta-llama/Llama-4-Scout-17B-16E-Instruct"]
            ),
        ]
    );
}

#[test]
fn default_squash_rule() {
    assert_eq!(
        defaults::squash("Qwen/Qwen3-32B-NVFP4"),
        "qwenqwen332bnvfp4"
    );
    assert_eq!(defaults::squash("qwen3:32b-nvfp4"), "qwen332bnvfp4");
    assert_eq!(defaults::squash(" -_.:/ "), "");
    let mut only_punct = BTreeMap::new();
    only_punct.insert("x".to_string(), "--".to_string());
    let stores = vec![store("/r", StoreKind::Folder, vec![folder("/r", "a", 1)])];
    assert_eq!(
        defaults::check(&only_punct, &stores)[0].found,
        Vec::<String>::new()
    );
    assert!(defaults::check(&BTreeMap::new(), &stores).is_empty());
}

#[test]
fn plan_for_hf_and_folder_is_the_one_path() {
    let h = store(
        "/h",
        StoreKind::HfCache,
        vec![hf("/h", "BAAI/bge-m3", 2_271)],
    );
    let p = delete::plan(&h.models[0], &h);
    assert_eq!(p.remove, vec!["/h/models--BAAI--bge-m3"]);
    assert!(p.kept_shared.is_empty());
    assert_eq!(p.freed_bytes, 2_271);

    let f = store("/r", StoreKind::Folder, vec![folder("/r", "x.gguf", 9)]);
    let p = delete::plan(&f.models[0], &f);
    assert_eq!(p.remove, vec!["/r/x.gguf"]);
    assert_eq!(p.freed_bytes, 9);
}

#[test]
fn plan_for_ollama_keeps_blobs_another_tag_names() {
    let s = "/o";
    let mut latest = with_digests(ollama(s, "llama3:latest", 300), &['a', 'b', 'c']);
    latest.unique_bytes = 100;
    let eight_b = with_digests(ollama(s, "llama3:8b", 250), &['a', 'b', 'd']);
    let mut bad = ollama(s, "weird:x", 1);
    bad.digests = vec!["sha256:../../etc".into(), "md5:abc".into()];
    let st = store(s, StoreKind::Ollama, vec![latest, eight_b, bad]);
    let p = delete::plan(&st.models[0], &st);
    assert_eq!(
        p.remove,
        vec![
            "/o/manifests/registry.ollama.ai/library/llama3/latest".to_string(),
            format!("/o/blobs/sha256-{}", "c".repeat(64)),
        ]
    );
    assert_eq!(
        p.kept_shared,
        vec![
            format!("/o/blobs/sha256-{}", "a".repeat(64)),
            format!("/o/blobs/sha256-{}", "b".repeat(64)),
        ]
    );
    assert_eq!(p.freed_bytes, 100);
    // A digest that is not sha256 hex never becomes a path.
    let p = delete::plan(&st.models[2], &st);
    assert_eq!(
        p.remove,
        vec!["/o/manifests/registry.ollama.ai/library/weird/x"]
    );
}

#[test]
fn plan_from_disk_reads_every_manifest() {
    let s = "/o";
    let m = ollama(s, "llama3:latest", 0);
    let manifest = |ds: &[char]| {
        let layers: Vec<String> = ds[1..]
            .iter()
            .map(|&c| format!(r#"{{"mediaType":"x","digest":"{}","size":1}}"#, digest(c)))
            .collect();
        format!(
            r#"{{"schemaVersion":2,"config":{{"digest":"{}","size":1}},"layers":[{}]}}"#,
            digest(ds[0]),
            layers.join(",")
        )
    };
    let manifests = vec![
        (m.path.clone(), manifest(&['a', 'b', 'c', 'e'])),
        (
            "/o/manifests/registry.ollama.ai/library/llama3/8b".to_string(),
            manifest(&['d', 'b']),
        ),
    ];
    let mut blobs: std::collections::HashMap<String, u64> =
        [('a', 10), ('b', 1000), ('c', 5), ('d', 7)]
            .into_iter()
            .map(|(c, n)| (format!("sha256-{}", c.to_string().repeat(64)), n))
            .collect();
    // `e` never finished downloading; `b` is being pulled again by the other tag.
    let e = format!("sha256-{}", "e".repeat(64));
    blobs.insert(format!("{e}-partial"), 3);
    blobs.insert(format!("{e}-partial-0"), 2);
    blobs.insert(format!("sha256-{}-partial", "b".repeat(64)), 4);
    blobs.insert(format!("{e}x"), 99);
    let p = delete::plan_from_disk(&m, &manifests, &blobs).unwrap();
    let blob = |c: char| format!("/o/blobs/sha256-{}", c.to_string().repeat(64));
    assert_eq!(
        p.remove,
        vec![
            m.path.clone(),
            blob('a'),
            blob('c'),
            format!("/o/blobs/{e}-partial"),
            format!("/o/blobs/{e}-partial-0"),
        ]
    );
    assert_eq!(
        p.kept_shared,
        vec![blob('b'), format!("{}-partial", blob('b'))]
    );
    assert_eq!(p.freed_bytes, 20);

    let broken = vec![
        manifests[0].clone(),
        ("/o/manifests/x/y/z/t".into(), "{".into()),
    ];
    assert!(matches!(
        delete::plan_from_disk(&m, &broken, &blobs),
        Err(delete::DeleteError::Refused(msg)) if msg.contains("/o/manifests/x/y/z/t")
    ));
    assert!(matches!(
        delete::plan_from_disk(&m, &manifests[1..], &blobs),
        Err(delete::DeleteError::Refused(_))
    ));
}

#[test]
fn grep_z_output_groups_lines_per_file() {
    let text = "/o/m/a\0{\n/o/m/a\0 \"x\": 1\n/o/m/a\0}\n/o/m/b c\0{}\ngarbage\n";
    assert_eq!(
        delete::parse_grep_z(text),
        vec![
            ("/o/m/a".to_string(), "{\n \"x\": 1\n}".to_string()),
            ("/o/m/b c".to_string(), "{}".to_string()),
        ]
    );
    assert!(delete::manifest_digests("{\"layers\":[]}").is_err());
    assert!(delete::manifest_digests("\u{0}").is_err());
}

#[test]
fn paths_must_be_strictly_inside_the_store() {
    assert_eq!(delete::outside_store("/s", "/s/a"), None);
    assert_eq!(delete::outside_store("/s/", "/s/a b/c'd"), None);
    for bad in [
        "/s",
        "/s/",
        "/sx/a",
        "/s/../etc",
        "/s/./a",
        "/s//a",
        "s/a",
        "/other",
        "",
    ] {
        assert!(delete::outside_store("/s", bad).is_some(), "{bad}");
    }
    assert!(delete::outside_store("relative", "relative/a").is_some());
    assert!(delete::outside_store("/", "/etc").is_some());
}

mod garbage {
    use super::*;
    use proptest::prelude::*;
    use sparkdeck::models::inuse;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn parsers_and_names_never_panic(s in "\\PC{0,80}", t in "[/a-z0-9:\\- .\\x00\\n()]{0,60}") {
            let _ = dup::repo_parts(&s);
            let _ = dup::ollama_key(&s);
            let _ = dup::same_repo(&s, &t);
            let _ = defaults::squash(&s);
            let _ = delete::manifest_digests(&s);
            let _ = delete::parse_grep_z(&t);
            let _ = delete::outside_store(&t, &s);
            let _ = delete::blob_path(&t, &s);
            let _ = inuse::parse_fd_lines(&t);
            let _ = inuse::parse_maps_lines(&t);
            let _ = inuse::parse_maps_lines(&format!("/proc/1/maps:{s}"));
            let m = model("/s", StoreKind::Folder, &s, &t, 1);
            let _ = inuse::serves(&t, &m);
        }

        #[test]
        fn grouping_never_panics_and_counts_each_model_once(
            names in proptest::collection::vec(("[a-c]{1,2}(/[a-c]{1,2})?", 0usize..3, 0u64..100, proptest::option::of(0u8..3)), 0..12)
        ) {
            let kinds = [StoreKind::HfCache, StoreKind::Folder, StoreKind::Ollama];
            let stores: Vec<StoreScan> = (0..3)
                .map(|s| {
                    let path = format!("/s{s}");
                    let models = names
                        .iter()
                        .filter(|n| n.1 == s)
                        .enumerate()
                        .map(|(i, (n, _, size, d))| {
                            let mut m = model(&path, kinds[s], n, &format!("m{i}"), *size);
                            m.id = format!("{path}#{i}");
                            m.digests = d.iter().map(|c| digest((b'a' + c) as char)).collect();
                            m
                        })
                        .collect();
                    store(&path, kinds[s], models)
                })
                .collect();
            let d = dup::find_duplicates(&stores);
            let mut seen = std::collections::BTreeSet::new();
            for g in &d {
                prop_assert!(g.models.len() >= 2);
                let total: u64 = stores.iter().flat_map(|s| &s.models).filter(|m| g.models.contains(&m.id)).map(|m| m.size_bytes).sum();
                prop_assert!(g.reclaimable_bytes <= total);
                for id in &g.models {
                    prop_assert!(seen.insert(id.clone()), "{id} in two groups");
                }
            }
        }
    }
}
