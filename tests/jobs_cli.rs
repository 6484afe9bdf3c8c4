//! `sparkdeck jobs list|requeue` through the real binary against the PostgREST stand-in.

mod support;

use serde_json::json;
use sparkdeck::store::Store;
use support::env::TestEnv;
use support::postgrest::{PostgrestServer, Reply, row};

const KEY: &str = "sb_secret_CLITESTKEY0123456789wxyz";

fn queue() -> PostgrestServer {
    PostgrestServer::start(|r| {
        let id = r.param("id");
        match (r.method.as_str(), id.as_deref()) {
            ("PATCH", Some("eq.f1")) => Reply::json(200, &json!([row("f1", "queued")]).to_string()),
            ("PATCH", _) => Reply::json(200, "[]"),
            ("GET", Some("eq.f1")) => Reply::json(200, &json!([row("f1", "failed")]).to_string()),
            ("GET", Some("eq.r1")) => Reply::json(200, &json!([row("r1", "running")]).to_string()),
            ("GET", Some(_)) => Reply::json(200, "[]"),
            _ => Reply::json(
                200,
                &json!([row("f1", "failed"), row("r1", "running")]).to_string(),
            )
            .with_header("Content-Range", "0-1/42"),
        }
    })
}

fn cmd(env: &TestEnv, server: &PostgrestServer) -> assert_cmd::Command {
    let mut c = env.cmd();
    c.env("SUPABASE_URL", &server.url)
        .env("SUPABASE_SERVICE_ROLE_KEY", KEY)
        .env("USER", "tester");
    c
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn list_prints_a_table_and_json_with_the_total() {
    let env = TestEnv::new();
    let server = queue();
    let out = cmd(&env, &server)
        .args(["jobs", "list", "--status", "failed,running", "--limit", "2"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("2 of 42 jobs from #1\n"), "{stdout}");
    assert!(
        stdout.contains("f1  failed  ingest_document  2  2026-11-22T09:00:00+00:00  ValueError: Circular reference detected\n"),
        "{stdout}"
    );
    let r = &server.requests()[0];
    assert_eq!(r.param("status").as_deref(), Some("in.(failed,running)"));
    assert_eq!(r.param("limit").as_deref(), Some("2"));

    let out = cmd(&env, &server)
        .args(["jobs", "list", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["total"], 42);
    assert_eq!(doc["jobs"][1]["id"], "r1");
    assert_eq!(doc["jobs"][0]["debug"]["chunks"], 12);
    assert_eq!(server.requests()[1].param("limit").as_deref(), Some("50"));
}

#[test]
fn requeue_exits_zero_only_when_every_job_was_requeued_and_audits_each() {
    let env = TestEnv::new();
    let server = queue();
    let out = cmd(&env, &server)
        .args(["jobs", "requeue", "f1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "f1: requeued (failed → queued)\n");

    let out = cmd(&env, &server)
        .args(["--host", "local", "jobs", "requeue", "f1", "r1", "gone"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("r1: not changed: job r1 is 'running', not one of failed, error\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("gone: not changed: job gone no longer exists\n"),
        "{stdout}"
    );
    server.assert_every_patch_has_id_filter("id");

    let store = Store::open(&env.db_path()).unwrap();
    let mut audit = store.recent_audit(10).unwrap();
    audit.reverse();
    let rows: Vec<(&str, &str, &str)> = audit
        .iter()
        .map(|a| (a.host.as_str(), a.target.as_str(), a.outcome.as_str()))
        .collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0], ("local", "f1", "ok"));
    assert_eq!(rows[2].1, "r1");
    assert!(rows[2].2.starts_with("not changed: job r1 is 'running'"));
    assert!(audit.iter().all(|a| a.action == "requeue"));
    assert_eq!(
        audit[0].detail.as_deref(),
        Some("user=tester old_status=failed")
    );
    assert_eq!(
        audit[2].detail.as_deref(),
        Some("user=tester old_status=running")
    );
}

#[test]
fn read_only_refuses_requeue_before_any_request() {
    let env = TestEnv::new();
    let server = queue();
    let out = cmd(&env, &server)
        .args(["--read-only", "jobs", "requeue", "f1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("read-only mode: requeue refused"));
    assert!(server.requests().is_empty());
    assert!(!env.db_path().exists(), "nothing audited, nothing opened");
}

#[test]
fn credentials_come_from_the_env_file_on_the_host() {
    let env = TestEnv::new();
    let server = queue();
    env.write(
        "home/srv/hd-worker/.env",
        &format!(
            "# worker\nexport SUPABASE_URL=\"{}\"\nSUPABASE_SERVICE_ROLE_KEY='{KEY}'\n",
            server.url
        ),
    );
    let out = env.cmd().args(["jobs", "list"]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(server.requests()[0].header("apikey"), Some(KEY));
}

#[test]
fn missing_credentials_name_the_file_and_host() {
    let env = TestEnv::new();
    let out = env.cmd().args(["jobs", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("no Supabase credentials"), "{err}");
    assert!(err.contains("~/srv/hd-worker/.env on local"), "{err}");
}
