//! `[models]` in config.toml: what is accepted and what each mistake says.

use sparkdeck::config::{ConfigError, ModelsSettings, parse};
use std::path::Path;

fn err(text: &str) -> ConfigError {
    match parse(text, Path::new("config.toml")) {
        Ok(c) => panic!("expected an error for {text:?}, got {:?}", c.models),
        Err(e) => e,
    }
}

fn line(e: &ConfigError) -> usize {
    e.location().expect("located error").line
}

#[test]
fn a_full_models_section_is_read_as_written() {
    let text = r#"
[models]
root = "/srv/models"
hf_cache = "~/hf"
ollama_stores = ["/data/ollama"]
extra = ["~/old models"]
docker_volumes = false
refresh_s = 60
disk_warn_pct = 70
disk_crit_pct = 95.5

[models.defaults]
embeddings = "bge-m3"
"#;
    let m = parse(text, Path::new("c.toml")).unwrap().models;
    assert_eq!(
        m,
        ModelsSettings {
            root: "/srv/models".into(),
            hf_cache: "~/hf".into(),
            ollama_stores: vec!["/data/ollama".into()],
            extra: vec!["~/old models".into()],
            docker_volumes: false,
            refresh_s: 60,
            disk_warn_pct: 70.0,
            disk_crit_pct: 95.5,
            defaults: [("embeddings".to_string(), "bge-m3".to_string())].into(),
        },
        "paths stay as written: ~ is expanded on the host, not here"
    );
}

#[test]
fn out_of_range_and_crossed_thresholds_are_refused() {
    let e = err("[models]\nrefresh_s = 1\n");
    assert_eq!(line(&e), 2);
    assert!(e.to_string().contains("5..=86400"), "{e}");
    let e = err("[models]\ndisk_crit_pct = 101\n");
    assert!(e.to_string().contains("disk_crit_pct"), "{e}");
    let e = err("[models]\ndisk_warn_pct = 95\n");
    assert_eq!(line(&e), 2);
    assert!(e.to_string().contains("at most disk_crit_pct (90)"), "{e}");
}

#[test]
fn empty_paths_and_unmatchable_defaults_are_refused() {
    let e = err("[models]\nroot = \" \"\n");
    assert!(e.to_string().contains("~/ai/models"), "{e}");
    let e = err("[models]\n\nextra = [\"/a\", \"\"]\n");
    assert_eq!(line(&e), 3);
    assert!(
        e.to_string().contains("extra") && e.to_string().contains("empty"),
        "{e}"
    );
    let e = err("[models]\nollama_stores = [\"\"]\n");
    assert!(e.to_string().contains("ollama_stores"), "{e}");
    let e = err("[models.defaults]\nplanning = \"--\"\n");
    assert!(
        e.to_string().contains("planning") && e.to_string().contains("never"),
        "{e}"
    );
    let e = err("[models]\nroots = \"/x\"\n");
    assert!(
        e.to_string().contains("unknown key \"roots\" in [models]"),
        "{e}"
    );
}
