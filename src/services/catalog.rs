//! The default catalogue (DESIGN §5, research/domain.md §5) and the config merge.

use crate::config::ServicesSettings;
use crate::model::{CatalogEntry, DetailKind, ProbeKind, ServiceKind};

/// A catalogue entry with the fields every default shares; the defaults below adjust it.
fn entry(name: &str, port: u16, kind: ServiceKind) -> CatalogEntry {
    CatalogEntry {
        name: name.to_string(),
        ports: vec![port],
        any_port: false,
        kind,
        unit: String::new(),
        container: String::new(),
        matches: Vec::new(),
        family: String::new(),
        required: true,
        probe: ProbeKind::Http,
        probe_path: "/".to_string(),
        expect_status: None,
        expect_body: String::new(),
        detail: DetailKind::None,
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// What a DGX Spark running the seed's data plane should show. Required are the services
/// that setup runs (Ollama, ArangoDB, txt2kg, Whisper, Open WebUI, the DeepSeek-OCR vLLM
/// unit, cloudflared, the preinstalled DGX Dashboard); playbook extras are optional, so a
/// box without them is not red.
pub fn defaults() -> Vec<CatalogEntry> {
    use ServiceKind::{Docker, Process, Systemd};
    vec![
        // Preinstalled; its process name is not documented, so any owner is accepted.
        CatalogEntry {
            family: "dgx-dashboard".into(),
            ..entry("DGX Dashboard", 11000, Process)
        },
        CatalogEntry {
            unit: "ollama".into(),
            matches: strings(&["ollama"]),
            expect_body: "Ollama is running".into(),
            detail: DetailKind::Ollama,
            ..entry("Ollama", 11434, Systemd)
        },
        CatalogEntry {
            unit: "deepseek-ocr-vllm".into(),
            matches: strings(&["vllm"]),
            family: "vllm".into(),
            probe_path: "/health".into(),
            detail: DetailKind::Openai,
            ..entry("vLLM / DeepSeek-OCR", 8000, Systemd)
        },
        // txt2kg's `--vllm` mode; most setups use the shared vLLM on 8000 instead.
        CatalogEntry {
            container: "vllm-service".into(),
            matches: strings(&["vllm"]),
            family: "vllm".into(),
            required: false,
            probe_path: "/health".into(),
            detail: DetailKind::Openai,
            ..entry("txt2kg vLLM", 8001, Docker)
        },
        CatalogEntry {
            matches: strings(&["sglang"]),
            family: "sglang".into(),
            required: false,
            probe_path: "/health".into(),
            detail: DetailKind::Openai,
            ..entry("SGLang", 30000, Process)
        },
        CatalogEntry {
            container: "arangodb".into(),
            matches: strings(&["arangod", "arangodb"]),
            family: "arangodb".into(),
            probe_path: "/_api/version".into(),
            ..entry("ArangoDB", 8529, Docker)
        },
        CatalogEntry {
            container: "txt2kg-app".into(),
            matches: strings(&["txt2kg"]),
            ..entry("txt2kg", 3001, Docker)
        },
        // whisper-asr-webservice has no health route; /docs answers once the model loaded.
        CatalogEntry {
            container: "whisper".into(),
            matches: strings(&["whisper"]),
            probe_path: "/docs".into(),
            ..entry("Whisper", 9000, Docker)
        },
        CatalogEntry {
            container: "open-webui".into(),
            matches: strings(&["open-webui"]),
            probe_path: "/health".into(),
            ..entry("Open WebUI", 8080, Docker)
        },
        // Runs as `python main.py`, so no process name identifies it.
        CatalogEntry {
            family: "comfyui".into(),
            required: false,
            ..entry("ComfyUI", 8188, Process)
        },
        // The metrics server takes the first free port of 20241-20245.
        CatalogEntry {
            ports: (20241..=20245).collect(),
            any_port: true,
            unit: "cloudflared".into(),
            matches: strings(&["cloudflared"]),
            probe_path: "/ready".into(),
            detail: DetailKind::Cloudflared,
            ..entry("cloudflared", 20241, Systemd)
        },
    ]
}

/// Defaults with `[[services.catalog]]` applied (same name replaces, new names append;
/// `replace_catalog` drops the defaults).
pub fn effective(settings: &ServicesSettings) -> Vec<CatalogEntry> {
    let mut catalog = if settings.replace_catalog {
        Vec::new()
    } else {
        defaults()
    };
    for entry in &settings.catalog {
        // Names compare as the user sees them, so "ollama" replaces the default "Ollama".
        match catalog
            .iter_mut()
            .find(|c| c.name.eq_ignore_ascii_case(&entry.name))
        {
            Some(existing) => *existing = entry.clone(),
            None => catalog.push(entry.clone()),
        }
    }
    catalog
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_have_unique_names_and_ports_and_identities() {
        let d = defaults();
        let mut names: Vec<_> = d.iter().map(|e| e.name.to_lowercase()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), d.len());
        let mut ports: Vec<u16> = d.iter().flat_map(|e| e.ports.clone()).collect();
        ports.sort_unstable();
        let n = ports.len();
        ports.dedup();
        assert_eq!(ports.len(), n, "one service per port");
        for e in &d {
            match e.kind {
                ServiceKind::Docker => assert!(!e.container.is_empty(), "{}", e.name),
                ServiceKind::Systemd => assert!(e.unit_name().is_some(), "{}", e.name),
                ServiceKind::Process => {}
            }
            assert!(e.probe_path.starts_with('/'), "{}", e.name);
        }
        let ollama = d.iter().find(|e| e.name == "Ollama").unwrap();
        assert_eq!(ollama.unit_name().as_deref(), Some("ollama.service"));
        assert_eq!(ollama.expect_body, "Ollama is running");
        let cf = d.iter().find(|e| e.name == "cloudflared").unwrap();
        assert!(cf.any_port);
        assert_eq!(cf.ports, vec![20241, 20242, 20243, 20244, 20245]);
        assert!(!d.iter().find(|e| e.name == "SGLang").unwrap().required);
    }

    #[test]
    fn config_entries_replace_by_name_and_append_the_rest() {
        let mut own = defaults()[1].clone();
        own.name = "ollama".into();
        own.ports = vec![11435];
        let mut extra = defaults()[0].clone();
        extra.name = "Qdrant".into();
        extra.ports = vec![6333];
        let settings = ServicesSettings {
            catalog: vec![own.clone(), extra.clone()],
            ..ServicesSettings::default()
        };
        let eff = effective(&settings);
        assert_eq!(eff.len(), defaults().len() + 1);
        assert_eq!(
            eff[1], own,
            "replaced in place, keeping the catalogue order"
        );
        assert_eq!(eff.last(), Some(&extra));

        let only = effective(&ServicesSettings {
            replace_catalog: true,
            ..settings
        });
        assert_eq!(only, vec![own, extra]);
    }
}
