//! `/v1/models` of an OpenAI-compatible server (vLLM, SGLang, llama.cpp, Ollama).

use serde_json::Value;

use crate::model::ServedModel;

/// The served models (`owned_by` tells vLLM, SGLang and llama.cpp apart on a shared port);
/// an error body (`{"error": …}`, FastAPI's `{"detail": …}`) is an error with its message.
pub fn parse_models(body: &str) -> Result<Vec<ServedModel>, String> {
    let v: Value = serde_json::from_str(body.trim()).map_err(|e| {
        format!("/v1/models did not answer JSON ({e}); is this an OpenAI-compatible server?")
    })?;
    let Some(o) = v.as_object() else {
        return Err("/v1/models answered JSON that is not an object".to_string());
    };
    if let Some(err) = o.get("error").filter(|e| !e.is_null()) {
        return Err(format!("/v1/models answered an error: {}", error_text(err)));
    }
    // FastAPI's own 404 / 405 body.
    if let Some(detail) = o.get("detail").and_then(Value::as_str) {
        return Err(format!("/v1/models answered an error: {detail}"));
    }
    let data =
        match o.get("data") {
            Some(Value::Array(items)) => items,
            Some(Value::Null) => return Ok(Vec::new()),
            _ => return Err(
                "/v1/models answered without a \"data\" list; is this an OpenAI-compatible server?"
                    .to_string(),
            ),
        };
    Ok(data
        .iter()
        .filter_map(Value::as_object)
        .filter_map(|m| {
            let id = m.get("id")?.as_str()?.trim();
            if id.is_empty() {
                return None;
            }
            Some(ServedModel {
                id: id.to_string(),
                owned_by: m
                    .get("owned_by")
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
                max_model_len: m.get("max_model_len").and_then(Value::as_u64),
            })
        })
        .collect())
}

/// `{"message": …}` (OpenAI, SGLang) or a plain string.
fn error_text(err: &Value) -> String {
    match err {
        Value::String(s) => s.clone(),
        Value::Object(o) => o
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| err.to_string()),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vllm_model_card() {
        let body = r#"{"object":"list","data":[{"id":"deepseek-ai/DeepSeek-OCR","object":"model","created":1763800000,"owned_by":"vllm","root":"deepseek-ai/DeepSeek-OCR","parent":null,"max_model_len":8192,"permission":[{"id":"modelperm-1","object":"model_permission"}]}]}"#;
        assert_eq!(
            parse_models(body).unwrap(),
            [ServedModel {
                id: "deepseek-ai/DeepSeek-OCR".into(),
                owned_by: Some("vllm".into()),
                max_model_len: Some(8192),
            }]
        );
    }

    #[test]
    fn other_servers() {
        let sglang = r#"{"object":"list","data":[{"id":"Qwen/Qwen3-8B","object":"model","created":1,"owned_by":"sglang","root":"Qwen/Qwen3-8B","max_model_len":40960}]}"#;
        assert_eq!(
            parse_models(sglang).unwrap()[0].owned_by.as_deref(),
            Some("sglang")
        );
        // llama.cpp has no max_model_len; Ollama says "library".
        let llama = r#"{"object":"list","data":[{"id":"gpt-oss-20b.gguf","object":"model","created":1,"owned_by":"llamacpp","meta":{"n_ctx_train":131072}}]}"#;
        let m = &parse_models(llama).unwrap()[0];
        assert_eq!(
            (m.owned_by.as_deref(), m.max_model_len),
            (Some("llamacpp"), None)
        );
        let ollama = r#"{"object":"list","data":[{"id":"llama3.2:latest","object":"model","created":1,"owned_by":"library"}]}"#;
        assert_eq!(parse_models(ollama).unwrap()[0].id, "llama3.2:latest");
        assert_eq!(parse_models(r#"{"object":"list","data":[]}"#).unwrap(), []);
    }

    #[test]
    fn errors() {
        assert_eq!(
            parse_models(r#"{"error":{"message":"model not loaded","type":"x"}}"#).unwrap_err(),
            "/v1/models answered an error: model not loaded"
        );
        assert_eq!(
            parse_models(r#"{"detail":"Not Found"}"#).unwrap_err(),
            "/v1/models answered an error: Not Found"
        );
        assert!(parse_models("").is_err());
        assert!(
            parse_models(r#"{"models":[]}"#)
                .unwrap_err()
                .contains("\"data\"")
        );
    }

    #[test]
    fn entries_without_id_are_skipped() {
        let m = parse_models(
            r#"{"data":[{"id":""},{"owned_by":"x"},7,{"id":"a","max_model_len":"4096"}]}"#,
        )
        .unwrap();
        assert_eq!(
            m,
            [ServedModel {
                id: "a".into(),
                owned_by: None,
                max_model_len: None
            }]
        );
    }
}
