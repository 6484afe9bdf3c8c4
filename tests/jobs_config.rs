//! The `[jobs]` section: parsed onto `JobsSettings`, with errors that name the key.

use sparkdeck::config::parse;
use std::path::Path;

fn err(text: &str) -> String {
    parse(text, Path::new("c.toml")).unwrap_err().to_string()
}

#[test]
fn a_custom_jobs_section_is_read() {
    let config = parse(
        "[jobs]\ntable = \"queue\"\ncolumn_id = \"job_id\"\nrequeueable = [\"dead\"]\n\
         requeue_to = \"pending\"\npage_size = 200\n",
        Path::new("c.toml"),
    )
    .unwrap();
    assert_eq!(config.jobs.table, "queue");
    assert_eq!(config.jobs.column_id, "job_id");
    assert_eq!(config.jobs.requeueable, ["dead"]);
    assert_eq!(config.jobs.requeue_to, "pending");
    assert_eq!(config.jobs.page_size, 200);
    assert_eq!(
        config.jobs.column_status, "status",
        "unset keys keep defaults"
    );
}

#[test]
fn bad_jobs_values_name_the_key_and_what_is_allowed() {
    let e = err("[jobs]\nbackend = \"mongo\"\n");
    assert!(
        e.contains("backend") && e.contains("allowed: postgrest"),
        "{e}"
    );
    let e = err("[jobs]\nrequeue_to = \"failed\"\n");
    assert!(
        e.contains("requeue_to") && e.contains("also in requeueable"),
        "{e}"
    );
    let e = err("[jobs]\nrequeueable = []\n");
    assert!(
        e.contains("requeueable") && e.contains("at least one"),
        "{e}"
    );
    let e = err("[jobs]\ncolumn_id = \"\"\n");
    assert!(
        e.contains("column_id") && e.contains("must not be empty"),
        "{e}"
    );
    let e = err("[jobs]\npage_size = 5000\n");
    assert!(e.contains("page_size") && e.contains("1..=1000"), "{e}");
    let e = err("[jobs]\nsupabase_key = \"x\"\n");
    assert!(e.contains("unknown key \"supabase_key\""), "{e}");
    assert!(e.contains(":2"), "names the line: {e}");
}

#[test]
fn error_hints_replace_the_shipped_list_and_bad_patterns_are_refused() {
    let defaults = parse("", Path::new("c.toml")).unwrap();
    assert_eq!(defaults.jobs.error_hints.len(), 1);
    assert_eq!(
        defaults.jobs.error_hints[0].pattern,
        "Circular reference detected"
    );

    let config = parse(
        "[jobs]\ntable = \"q\"\n\n[[jobs.error_hints]]\npattern = \"out of memory|OOM\"\n\
         hint = \"lower the batch size\"\n\n[[jobs.error_hints]]\npattern = \"timeout\"\n\
         hint = \"raise the worker's timeout\"\n",
        Path::new("c.toml"),
    )
    .unwrap();
    let hints: Vec<(&str, &str)> = config
        .jobs
        .error_hints
        .iter()
        .map(|h| (h.pattern.as_str(), h.hint.as_str()))
        .collect();
    assert_eq!(
        hints,
        [
            ("out of memory|OOM", "lower the batch size"),
            ("timeout", "raise the worker's timeout")
        ]
    );
    let rules = sparkdeck::jobs_triage::HintRules::new(&hints).unwrap();
    assert_eq!(
        rules.match_error("CUDA error: OOM while embedding"),
        Some("lower the batch size")
    );

    let e = err("[[jobs.error_hints]]\npattern = \"(unclosed\"\nhint = \"x\"\n");
    assert!(e.contains("c.toml"), "{e}");
    assert!(e.contains("(unclosed"), "{e}");
    assert!(e.contains("not a valid regex"), "{e}");
}
