//! Prometheus text from vLLM (old and new metric names) and SGLang `/metrics`.

use crate::model::EngineLoad;

/// Engine load summed over engines / ranks; None when no known metric is present.
pub fn parse_engine_load(_text: &str) -> Option<EngineLoad> {
    todo!("parsers helper")
}
