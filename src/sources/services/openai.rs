//! `/v1/models` of an OpenAI-compatible server (vLLM, SGLang, llama.cpp, Ollama).

use crate::model::ServedModel;

pub fn parse_models(_body: &str) -> Result<Vec<ServedModel>, String> {
    todo!("parsers helper")
}
