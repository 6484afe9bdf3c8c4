//! Ollama's `/api/ps`, `/api/tags` and `/api/version`.

use serde_json::{Map, Value};

use crate::model::{OllamaInstalled, OllamaLoaded};

/// The loaded models, `size` and `size_vram` in bytes (`size_vram < size`: partly on the
/// CPU); an `{"error": …}` body or one that is not Ollama's is an error saying so.
pub fn parse_ps(body: &str) -> Result<Vec<OllamaLoaded>, String> {
    Ok(models(body, "/api/ps")?
        .iter()
        .filter_map(Value::as_object)
        .filter_map(|m| {
            Some(OllamaLoaded {
                name: name(m)?,
                size_bytes: bytes(m, "size"),
                vram_bytes: bytes(m, "size_vram"),
                expires_at: text(m, "expires_at"),
            })
        })
        .collect())
}

/// The installed models; empty detail strings (cloud hosts) become None.
pub fn parse_tags(body: &str) -> Result<Vec<OllamaInstalled>, String> {
    Ok(models(body, "/api/tags")?
        .iter()
        .filter_map(Value::as_object)
        .filter_map(|m| {
            let details = m.get("details").and_then(Value::as_object);
            let detail = |key| details.and_then(|d| text(d, key));
            Some(OllamaInstalled {
                name: name(m)?,
                size_bytes: bytes(m, "size"),
                digest: text(m, "digest").unwrap_or_default(),
                parameter_size: detail("parameter_size"),
                quantization: detail("quantization_level"),
                modified_at: text(m, "modified_at"),
            })
        })
        .collect())
}

/// `{"version":"0.5.1"}` → `0.5.1`.
pub fn parse_version(body: &str) -> Option<String> {
    let v: Value = serde_json::from_str(body.trim()).ok()?;
    text(v.as_object()?, "version")
}

/// The `models` list; `{"error": …}` and other answers are an error naming the endpoint.
fn models(body: &str, endpoint: &str) -> Result<Vec<Value>, String> {
    let v: Value = serde_json::from_str(body.trim()).map_err(|e| {
        format!("Ollama {endpoint} did not answer JSON ({e}); is this port really Ollama?")
    })?;
    let Some(o) = v.as_object() else {
        return Err(format!(
            "Ollama {endpoint} answered JSON that is not an object"
        ));
    };
    if let Some(err) = o.get("error") {
        let msg = err
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| err.to_string());
        return Err(format!("Ollama {endpoint} answered an error: {msg}"));
    }
    match o.get("models") {
        Some(Value::Array(items)) => Ok(items.clone()),
        // Go encodes an empty slice that was never made as null.
        Some(Value::Null) => Ok(Vec::new()),
        _ => Err(format!(
            "Ollama {endpoint} answered without a \"models\" list; is this port really Ollama?"
        )),
    }
}

/// `name`, else `model`; a model without either is skipped.
fn name(m: &Map<String, Value>) -> Option<String> {
    text(m, "name").or_else(|| text(m, "model"))
}

/// A non-empty string field.
fn text(m: &Map<String, Value>, key: &str) -> Option<String> {
    let s = m.get(key)?.as_str()?.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn bytes(m: &Map<String, Value>, key: &str) -> u64 {
    m.get(key).and_then(Value::as_u64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_null_lists() {
        assert_eq!(parse_ps(r#"{"models":[]}"#).unwrap(), []);
        assert_eq!(parse_ps(r#"{"models":null}"#).unwrap(), []);
        assert_eq!(parse_tags(r#"{"models":[]}"#).unwrap(), []);
    }

    #[test]
    fn errors_say_what_answered() {
        assert_eq!(
            parse_ps(r#"{"error":"the model failed to generate a response"}"#).unwrap_err(),
            "Ollama /api/ps answered an error: the model failed to generate a response"
        );
        assert!(
            parse_tags("Ollama is running")
                .unwrap_err()
                .contains("did not answer JSON")
        );
        assert!(parse_tags("[]").unwrap_err().contains("not an object"));
        assert!(
            parse_tags(r#"{"status":true}"#)
                .unwrap_err()
                .contains("without a \"models\" list")
        );
    }

    #[test]
    fn odd_entries() {
        let ps = parse_ps(
            r#"{"models":[{"model":"a:1","size":-5,"size_vram":1.5,"expires_at":""},{"size":1},3]}"#,
        )
        .unwrap();
        assert_eq!(
            ps,
            [OllamaLoaded {
                name: "a:1".into(),
                size_bytes: 0,
                vram_bytes: 0,
                expires_at: None
            }]
        );
        let tags = parse_tags(r#"{"models":[{"name":"b","details":null}]}"#).unwrap();
        assert_eq!(
            (tags[0].parameter_size.clone(), tags[0].quantization.clone()),
            (None, None)
        );
    }

    #[test]
    fn version() {
        assert_eq!(
            parse_version(r#"{"version":"0.12.3"}"#).as_deref(),
            Some("0.12.3")
        );
        assert_eq!(parse_version(r#"{"version":""}"#), None);
        assert_eq!(parse_version("404 page not found"), None);
    }
}
