//! Ollama's `/api/ps`, `/api/tags` and `/api/version`.

use crate::model::{OllamaInstalled, OllamaLoaded};

pub fn parse_ps(_body: &str) -> Result<Vec<OllamaLoaded>, String> {
    todo!("parsers helper")
}

pub fn parse_tags(_body: &str) -> Result<Vec<OllamaInstalled>, String> {
    todo!("parsers helper")
}

pub fn parse_version(_body: &str) -> Option<String> {
    todo!("parsers helper")
}
