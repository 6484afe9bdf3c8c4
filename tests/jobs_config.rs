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
