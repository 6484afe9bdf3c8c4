//! The service key must never reach the SQLite store, the log file or the terminal, on
//! success or failure paths; the mask may.

mod support;

use serde_json::json;
use std::path::Path;
use support::env::TestEnv;
use support::postgrest::{PostgrestServer, Reply, row};

/// Recognisable, so any copy of it (or of its middle) shows up in a byte scan.
const KEY: &str = "sb_secret_LEAKCANARY7f3e9d1c5b2a_ZQXJ";
const MIDDLE: &str = "LEAKCANARY7f3e9d1c5b2a";
const MASK: &str = "sb_…ZQXJ";

fn files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn the_key_never_appears_in_store_log_or_output() {
    let env = TestEnv::new();
    let server = PostgrestServer::start(|r| {
        let id = r.param("id");
        match (r.method.as_str(), id.as_deref()) {
            ("PATCH", Some("eq.f1")) => Reply::json(200, &json!([row("f1", "queued")]).to_string()),
            // An auth failure, so the error path is scanned too.
            ("PATCH", _) => Reply::json(
                401,
                r#"{"message":"JWT expired","code":"PGRST303","hint":null,"details":null}"#,
            ),
            ("GET", Some("eq.f1")) => Reply::json(200, &json!([row("f1", "failed")]).to_string()),
            ("GET", Some(_)) => Reply::json(200, "[]"),
            _ => Reply::json(200, &json!([row("f1", "failed")]).to_string())
                .with_header("Content-Range", "0-0/1"),
        }
    });
    let runs: &[&[&str]] = &[
        &["jobs", "list"],
        &["jobs", "list", "--json"],
        &["jobs", "requeue", "f1", "x9"],
        &["snapshot"],
        &["snapshot", "--json"],
    ];
    let mut captured = Vec::new();
    for args in runs {
        let out = env
            .cmd()
            .env("SUPABASE_URL", &server.url)
            .env("SUPABASE_SERVICE_ROLE_KEY", KEY)
            .args(["--log-level", "trace"])
            .args(*args)
            .output()
            .unwrap();
        captured.push((format!("{args:?} stdout"), out.stdout));
        captured.push((format!("{args:?} stderr"), out.stderr));
    }
    // The same through an env file, the other way credentials arrive.
    env.write(
        "home/srv/hd-worker/.env",
        &format!(
            "SUPABASE_URL={}\nSUPABASE_SERVICE_ROLE_KEY=\"{KEY}\"\n",
            server.url
        ),
    );
    let out = env
        .cmd()
        .args(["--log-level", "trace", "jobs", "requeue", "x9"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("the service key was rejected"),
        "the failure path ran"
    );
    captured.push(("env-file stdout".into(), out.stdout));
    captured.push(("env-file stderr".into(), out.stderr));

    let mut files = Vec::new();
    files_under(&env.root().join("state"), &mut files);
    files_under(&env.data_home(), &mut files);
    let logs: Vec<_> = files
        .iter()
        .filter(|p| p.to_string_lossy().contains("sparkdeck.log"))
        .collect();
    assert!(
        !logs.is_empty(),
        "no log file written under state/: {files:?}"
    );
    assert!(env.db_path().exists(), "the audit store was written");
    let log_text: Vec<u8> = logs
        .iter()
        .flat_map(|p| std::fs::read(p).unwrap())
        .collect();
    assert!(
        contains(&log_text, MASK),
        "the log names the key by its mask"
    );

    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        for needle in [KEY, MIDDLE] {
            assert!(
                !contains(&bytes, needle),
                "{needle} found in {}",
                path.display()
            );
        }
    }
    for (what, bytes) in &captured {
        for needle in [KEY, MIDDLE] {
            assert!(!contains(bytes, needle), "{needle} found in {what}");
        }
    }
    // The requests did carry it, so the scan looked for something real.
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.header("apikey") == Some(KEY))
    );
}
