//! Prometheus text from vLLM (old and new metric names) and SGLang `/metrics`.

use crate::model::EngineLoad;

/// Which field a metric feeds, and how its series combine.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Running,
    Waiting,
    KvCache,
    GenerationTokens,
    PromptTokens,
}

/// Known names, by field; within a field an earlier name wins over a later one, so the
/// current vLLM name is used when a server still exposes the deprecated one next to it.
const NAMES: &[(&str, Field)] = &[
    ("vllm:num_requests_running", Field::Running),
    ("sglang:num_running_reqs", Field::Running),
    ("vllm:num_requests_waiting", Field::Waiting),
    ("sglang:num_queue_reqs", Field::Waiting),
    ("vllm:kv_cache_usage_perc", Field::KvCache),
    ("vllm:gpu_cache_usage_perc", Field::KvCache),
    ("sglang:token_usage", Field::KvCache),
    ("vllm:generation_tokens_total", Field::GenerationTokens),
    ("sglang:generation_tokens_total", Field::GenerationTokens),
    ("vllm:prompt_tokens_total", Field::PromptTokens),
    ("sglang:prompt_tokens_total", Field::PromptTokens),
];

/// Sum and count of one name's samples.
#[derive(Default, Clone, Copy)]
struct Acc {
    sum: f64,
    n: u32,
}

/// Engine load summed over engines / ranks; None when no known metric is present.
pub fn parse_engine_load(text: &str) -> Option<EngineLoad> {
    let mut acc = vec![Acc::default(); NAMES.len()];
    for line in text.lines() {
        let Some((name, value)) = sample(line) else {
            continue;
        };
        if let Some(i) = NAMES.iter().position(|(n, _)| *n == name) {
            acc[i].sum += value;
            acc[i].n += 1;
        }
    }
    let pick = |field: Field| {
        NAMES
            .iter()
            .zip(&acc)
            .find(|((_, f), a)| *f == field && a.n > 0)
            .map(|(_, a)| *a)
    };
    let load = EngineLoad {
        running: pick(Field::Running).map(|a| a.sum),
        waiting: pick(Field::Waiting).map(|a| a.sum),
        // Each engine reports the share of its own cache (0–1): the load of the box is
        // their mean, not their sum.
        kv_cache_pct: pick(Field::KvCache).map(|a| a.sum / f64::from(a.n) * 100.0),
        generation_tokens_total: pick(Field::GenerationTokens).map(|a| a.sum),
        prompt_tokens_total: pick(Field::PromptTokens).map(|a| a.sum),
    };
    let any = load.running.is_some()
        || load.waiting.is_some()
        || load.kv_cache_pct.is_some()
        || load.generation_tokens_total.is_some()
        || load.prompt_tokens_total.is_some();
    any.then_some(load)
}

/// `name{labels} value [timestamp]` → (name, value); comments, blank lines, non-finite
/// values and lines that do not parse give None.
fn sample(line: &str) -> Option<(&str, f64)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let name_end = line
        .find(|c: char| c == '{' || c.is_whitespace())
        .unwrap_or(line.len());
    let name = &line[..name_end];
    let mut rest = &line[name_end..];
    if rest.starts_with('{') {
        rest = &rest[labels_end(rest)?..];
    }
    let value: f64 = rest.split_whitespace().next()?.parse().ok()?;
    value.is_finite().then_some((name, value))
}

/// The byte index just past the `}` closing the label set that `text` starts with; label
/// values are quoted and may hold `}`, spaces and `\"`.
fn labels_end(text: &str) -> Option<usize> {
    let mut in_quotes = false;
    let mut escaped = false;
    for (i, c) in text.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            '}' if !in_quotes => return Some(i + 1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vllm_v1_sums_engines_and_averages_cache() {
        let text = r#"
# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="m"} 3.0
vllm:num_requests_running{engine="1",model_name="m"} 2.0
vllm:num_requests_waiting{engine="0",model_name="m"} 1.0
vllm:num_requests_waiting{engine="1",model_name="m"} 0.0
vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.5
vllm:kv_cache_usage_perc{engine="1",model_name="m"} 0.25
vllm:generation_tokens_total{engine="0",model_name="m"} 1000.0
vllm:generation_tokens_total{engine="1",model_name="m"} 500.0
vllm:generation_tokens_created{engine="0",model_name="m"} 1.7638e+09
vllm:prompt_tokens_total{engine="0",model_name="m"} 42.0
"#;
        let l = parse_engine_load(text).unwrap();
        assert_eq!(l.running, Some(5.0));
        assert_eq!(l.waiting, Some(1.0));
        assert_eq!(l.kv_cache_pct, Some(37.5));
        assert_eq!(l.generation_tokens_total, Some(1500.0));
        assert_eq!(l.prompt_tokens_total, Some(42.0));
    }

    #[test]
    fn legacy_cache_name_alone_and_new_name_preferred() {
        let old = "vllm:gpu_cache_usage_perc{model_name=\"m\"} 0.8\n";
        assert_eq!(parse_engine_load(old).unwrap().kv_cache_pct, Some(80.0));
        let both = "vllm:gpu_cache_usage_perc{model_name=\"m\"} 0.8\nvllm:kv_cache_usage_perc{model_name=\"m\"} 0.1\n";
        let pct = parse_engine_load(both).unwrap().kv_cache_pct.unwrap();
        assert!((pct - 10.0).abs() < 1e-9, "{pct}");
    }

    #[test]
    fn sglang_names() {
        let text = "sglang:num_running_reqs{model_name=\"q\",tp_rank=\"0\"} 4\n\
                    sglang:num_queue_reqs{model_name=\"q\",tp_rank=\"0\"} 2\n\
                    sglang:token_usage{model_name=\"q\",tp_rank=\"0\"} 0.42\n\
                    sglang:generation_tokens_total{model_name=\"q\",tp_rank=\"0\"} 9000\n\
                    sglang:prompt_tokens_total{model_name=\"q\",tp_rank=\"0\"} 120\n\
                    sglang:gen_throughput{model_name=\"q\",tp_rank=\"0\"} 55.1\n";
        let l = parse_engine_load(text).unwrap();
        assert_eq!((l.running, l.waiting), (Some(4.0), Some(2.0)));
        assert!((l.kv_cache_pct.unwrap() - 42.0).abs() < 1e-9);
        assert_eq!(l.generation_tokens_total, Some(9000.0));
        assert_eq!(l.prompt_tokens_total, Some(120.0));
    }

    #[test]
    fn label_values_with_braces_spaces_and_timestamps() {
        let text = "vllm:num_requests_running{model_name=\"a } b\\\"c\"} 7 1763800000000\n";
        assert_eq!(parse_engine_load(text).unwrap().running, Some(7.0));
    }

    #[test]
    fn unknown_or_odd_input() {
        assert_eq!(parse_engine_load(""), None);
        assert_eq!(parse_engine_load("process_cpu_seconds_total 3.2\n"), None);
        assert_eq!(
            parse_engine_load("vllm:num_requests_running{x=\"1\" 3\n"),
            None
        );
        assert_eq!(parse_engine_load("vllm:num_requests_running NaN\n"), None);
        assert_eq!(parse_engine_load("vllm:num_requests_running abc\n"), None);
        let l = parse_engine_load("vllm:num_requests_running 1\n").unwrap();
        assert_eq!((l.waiting, l.kv_cache_pct), (None, None));
    }
}
