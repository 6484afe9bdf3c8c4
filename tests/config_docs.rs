//! The example config and the docs are checked against the code, so they cannot rot.

use sparkdeck::app::action::Action;
use sparkdeck::config::load::{
    GENERAL_KEYS, GPU_KEYS, JOBS_KEYS, MODELS_KEYS, SECTIONS, SERVICES_KEYS, SSH_KEYS, TUNNEL_KEYS,
};
use sparkdeck::config::theme_file::COLOUR_FIELDS;
use sparkdeck::config::{Config, Keymap, parse};
use std::path::Path;

const EXAMPLE: &str = include_str!("../config.example.toml");
const KEYBINDINGS: &str = include_str!("../docs/keybindings.md");
const CONFIG_DOC: &str = include_str!("../docs/config.md");

#[test]
fn example_parses_to_the_defaults() {
    let config = parse(EXAMPLE, Path::new("config.example.toml")).expect("example is valid");
    assert_eq!(config, Config::default());
}

/// The lines of `[section]` in the example, up to the next header.
fn section_lines(section: &str) -> Vec<&'static str> {
    let header = format!("[{section}]");
    let mut lines = EXAMPLE.lines().skip_while(|l| l.trim() != header);
    assert!(lines.next().is_some(), "{header} missing from the example");
    lines.take_while(|l| !l.starts_with('[')).collect()
}

/// Is `key = ...` in those lines, set or commented out?
fn documents(lines: &[&str], key: &str) -> bool {
    lines.iter().any(|l| {
        let l = l.trim_start_matches('#').trim_start();
        l.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    })
}

#[test]
fn example_documents_every_key_of_every_section() {
    let keys: Vec<String> = Action::ALL.iter().map(|a| a.name().to_string()).collect();
    let mut theme_keys: Vec<String> = COLOUR_FIELDS.iter().map(|f| f.to_string()).collect();
    theme_keys.push("color".into());
    let own = |ks: &[&str]| ks.iter().map(|k| k.to_string()).collect::<Vec<_>>();
    let expected = [
        ("general", own(GENERAL_KEYS)),
        ("ssh", own(SSH_KEYS)),
        ("tunnels", own(TUNNEL_KEYS)),
        ("gpu", own(GPU_KEYS)),
        ("jobs", own(JOBS_KEYS)),
        ("services", own(SERVICES_KEYS)),
        ("models", own(MODELS_KEYS)),
        ("keys", keys),
        ("theme", theme_keys),
    ];
    assert_eq!(
        expected.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        SECTIONS,
        "a section was added: document it here and in the example"
    );
    for (section, keys) in &expected {
        let lines = section_lines(section);
        for key in keys {
            // A (list of) tables is documented by its own `[section.key]` / `[[section.key]]`
            // header, commented out when the default list is empty.
            let table_list = format!("[[{section}.{key}]]");
            let table = format!("[{section}.{key}]");
            assert!(
                documents(&lines, key)
                    || EXAMPLE.lines().any(|l| {
                        let l = l.trim().trim_start_matches('#').trim();
                        l == table_list || l == table
                    }),
                "[{section}] {key} is not in config.example.toml"
            );
        }
    }
}

#[test]
fn keybindings_doc_lists_every_action_with_its_default_keys() {
    let keymap = Keymap::default();
    for action in Action::ALL {
        let prefix = format!("| `{}` |", action.name());
        let row = KEYBINDINGS
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("{} missing from docs/keybindings.md", action.name()));
        let keys: Vec<String> = keymap
            .keys_for(*action)
            .iter()
            .map(|k| format!("`{k}`"))
            .collect();
        let cell = row[prefix.len()..].split('|').next().unwrap().trim();
        assert_eq!(
            cell,
            keys.join(", "),
            "keys of {} in docs/keybindings.md",
            action.name()
        );
    }
}

#[test]
fn config_doc_covers_every_section_and_key() {
    for section in SECTIONS {
        assert!(
            CONFIG_DOC.contains(&format!("### [{section}]")),
            "[{section}]"
        );
    }
    for key in GENERAL_KEYS
        .iter()
        .chain(SSH_KEYS)
        .chain(TUNNEL_KEYS)
        .chain(GPU_KEYS)
        .chain(JOBS_KEYS)
        .chain(SERVICES_KEYS)
        .chain(MODELS_KEYS)
        .chain(COLOUR_FIELDS)
    {
        assert!(
            CONFIG_DOC.contains(&format!("`{key}`")),
            "{key} missing from docs/config.md"
        );
    }
}

#[test]
fn jobs_keys_are_the_fields_of_jobs_settings() {
    let fields = toml::Table::try_from(sparkdeck::config::JobsSettings::default()).unwrap();
    let mut from_struct: Vec<&str> = fields.keys().map(String::as_str).collect();
    let mut listed = JOBS_KEYS.to_vec();
    from_struct.sort_unstable();
    listed.sort_unstable();
    assert_eq!(from_struct, listed, "JOBS_KEYS and JobsSettings differ");
}

#[test]
fn every_catalog_entry_key_is_documented_in_the_example_and_the_docs() {
    let entry = sparkdeck::services::catalog::defaults().remove(1);
    let fields = toml::Table::try_from(entry).unwrap();
    let header = EXAMPLE
        .lines()
        .position(|l| l.trim().trim_start_matches('#').trim() == "[[services.catalog]]")
        .expect("a [[services.catalog]] example");
    let example: Vec<&str> = EXAMPLE
        .lines()
        .skip(header + 1)
        .take_while(|l| l.starts_with('#'))
        .collect();
    for key in fields.keys() {
        assert!(
            documents(&example, key),
            "catalog key {key} not in the example"
        );
        assert!(
            CONFIG_DOC.contains(&format!("| `{key}` |")),
            "catalog key {key} not in docs/config.md"
        );
    }
    // The commented example is a valid entry once uncommented.
    let text: String = std::iter::once("[[services.catalog]]")
        .chain(
            example
                .iter()
                .map(|l| l.trim_start_matches('#').trim_start()),
        )
        .collect::<Vec<_>>()
        .join("\n");
    let config = parse(&text, Path::new("example")).expect("the commented entry is valid");
    assert_eq!(config.services.catalog[0].name, "Qdrant");
}

#[test]
fn models_keys_are_the_fields_of_models_settings() {
    let fields = toml::Table::try_from(sparkdeck::config::ModelsSettings::default()).unwrap();
    let mut from_struct: Vec<&str> = fields.keys().map(String::as_str).collect();
    let mut listed = MODELS_KEYS.to_vec();
    from_struct.sort_unstable();
    listed.sort_unstable();
    assert_eq!(from_struct, listed, "MODELS_KEYS and ModelsSettings differ");
}
