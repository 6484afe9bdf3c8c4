//! The `jobs` section of `sparkdeck snapshot`, through the real binary.

mod support;

use serde_json::json;
use support::env::TestEnv;
use support::postgrest::{PostgrestServer, Reply, row};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

const KEY: &str = "sb_secret_SNAPSHOTKEY0123456789wxyz";

fn minutes_ago(m: i64) -> String {
    (OffsetDateTime::now_utc() - time::Duration::minutes(m))
        .format(&Rfc3339)
        .unwrap()
}

/// A queue whose oldest queued job waited `queued_min` and whose last start was `started_min`
/// ago.
fn queue(queued_min: i64, started_min: i64) -> PostgrestServer {
    PostgrestServer::start(move |r| {
        let select = r.param("select").unwrap_or_default();
        if select == "status" {
            return Reply::json(
                200,
                r#"[{"status":"failed"},{"status":"queued"},{"status":"queued"},{"status":"done"}]"#,
            );
        }
        if select == "created_at" {
            assert_eq!(r.param("status").as_deref(), Some("eq.queued"));
            assert_eq!(r.param("order").as_deref(), Some("created_at.asc"));
            return Reply::json(
                200,
                &json!([{"created_at": minutes_ago(queued_min)}]).to_string(),
            );
        }
        if select == "started_at" {
            assert_eq!(r.param("order").as_deref(), Some("started_at.desc"));
            return Reply::json(
                200,
                &json!([{"started_at": minutes_ago(started_min)}]).to_string(),
            );
        }
        assert_eq!(r.param("limit").as_deref(), Some("10"));
        Reply::json(
            200,
            &json!([row("f1", "failed"), row("q1", "queued")]).to_string(),
        )
        .with_header("Content-Range", "0-1/4")
    })
}

fn snapshot(env: &TestEnv, server: &PostgrestServer, json: bool) -> std::process::Output {
    let mut cmd = env.cmd();
    cmd.env("SUPABASE_URL", &server.url)
        .env("SUPABASE_SERVICE_ROLE_KEY", KEY)
        .arg("snapshot");
    if json {
        cmd.arg("--json");
    }
    cmd.output().unwrap()
}

#[test]
fn snapshot_json_has_the_jobs_section() {
    let env = TestEnv::new();
    let server = queue(30, 40);
    let out = snapshot(&env, &server, true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let jobs = &doc["jobs"];
    assert_eq!(jobs["total"], 4);
    assert_eq!(
        jobs["by_status"],
        json!({"done": 1, "failed": 1, "queued": 2})
    );
    assert_eq!(jobs["by_status_rows"], 4);
    assert_eq!(jobs["stuck"], true);
    assert_eq!(jobs["hints"], json!([]));
    let problems = doc["problems"]
        .as_array()
        .expect("problems is always present");
    let stuck = problems
        .iter()
        .find(|p| p["area"] == "jobs")
        .unwrap_or_else(|| panic!("no jobs problem in {problems:?}"));
    assert_eq!(stuck["severity"], "crit", "{stuck}");
    assert!(
        stuck["message"]
            .as_str()
            .unwrap()
            .starts_with("queue stuck: jobs wait and none started recently (4 jobs)"),
        "{stuck}"
    );
    assert!(stuck["fix"].as_str().unwrap().contains("worker"), "{stuck}");
    assert_eq!(jobs["recent"][0]["id"], "f1");
    assert_eq!(
        jobs["recent"][0]["error"], "ValueError: Circular reference detected",
        "first line only"
    );
    assert_eq!(
        jobs["recent"][0]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        [
            "attempts",
            "created_at",
            "error",
            "id",
            "job_type",
            "status"
        ]
    );
}

#[test]
fn a_recent_start_means_not_stuck_and_text_sums_up() {
    let env = TestEnv::new();
    let server = queue(30, 2);
    let out = snapshot(&env, &server, false);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("jobs  4 total (done 1, failed 1, queued 2)  stuck no\n"),
        "{text}"
    );
    assert!(
        !text.lines().any(|l| l.contains("queue stuck")),
        "a moving queue is no problem: {text}"
    );
    let out = snapshot(&env, &server, true);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let jobs_problems: Vec<_> = doc["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["area"] == "jobs")
        .collect();
    assert!(jobs_problems.is_empty(), "{jobs_problems:?}");
}

#[test]
fn a_rejected_key_is_a_warn_problem_with_a_fix() {
    let env = TestEnv::new();
    let server = PostgrestServer::start(|_| {
        Reply::json(
            401,
            r#"{"code":"PGRST301","message":"JWT expired","details":null,"hint":null}"#,
        )
    });
    let out = snapshot(&env, &server, true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc.get("jobs").is_none(), "{doc}");
    let problems = doc["problems"].as_array().unwrap();
    let p = problems
        .iter()
        .find(|p| p["area"] == "jobs")
        .unwrap_or_else(|| panic!("no jobs problem in {problems:?}"));
    assert_eq!(p["severity"], "warn", "{p}");
    assert!(
        p["message"].as_str().unwrap().contains("JWT expired"),
        "{p}"
    );
    assert!(!p["message"].as_str().unwrap().contains(KEY), "{p}");
    assert_eq!(
        p["fix"],
        "sparkdeck jobs list shows the same error with more detail"
    );
}

#[test]
fn without_credentials_the_section_is_absent_and_text_says_why() {
    let env = TestEnv::new();
    let out = env.cmd().args(["snapshot", "--json"]).output().unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc.get("jobs").is_none(), "{doc}");
    let p = doc["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["area"] == "jobs")
        .unwrap_or_else(|| panic!("no jobs problem in {doc}"));
    assert_eq!(
        p["severity"], "info",
        "not running the worker is no fault: {p}"
    );
    assert!(
        p["message"]
            .as_str()
            .unwrap()
            .starts_with("no Supabase credentials"),
        "{p}"
    );
    let out = env.cmd().arg("snapshot").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("jobs  none: no Supabase credentials"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("info  jobs     no Supabase credentials")
                && l.contains("— fix: ")),
        "{text}"
    );
}

/// The hints look at the credentials, not the server: a client on the stand-in with
/// credentials naming the local CLI stack and its demo key gets both hints.
#[tokio::test]
async fn a_local_supabase_and_demo_key_are_hinted() {
    const DEMO: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU";
    let server = queue(1, 1);
    let settings = sparkdeck::config::JobsSettings::default();
    let client = sparkdeck::jobs::JobsClient::new(
        &sparkdeck::jobs::Credentials::new(&server.url, KEY),
        &settings,
    )
    .unwrap();
    let local = sparkdeck::jobs::Credentials::new("http://127.0.0.1:54321", DEMO);
    let summary = sparkdeck::snapshot::jobs_summary(&client, &local, OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert!(!summary.stuck, "queued 1 min < 15");
    assert_eq!(summary.hints.len(), 2, "{:?}", summary.hints);
    assert!(summary.hints[0].contains("local Supabase CLI stack (http://127.0.0.1:54321)"));
    assert!(summary.hints[1].contains("demo key (iss supabase-demo)"));
    assert!(summary.hints.iter().all(|h| !h.contains(DEMO)));
}

/// A table larger than one read (the server caps rows): each status seen is counted exactly.
#[tokio::test]
async fn a_capped_status_read_is_completed_by_exact_counts() {
    let server = PostgrestServer::start(|r| {
        let select = r.param("select").unwrap_or_default();
        if r.param("limit").as_deref() == Some("0") {
            let n = match r.param("status").as_deref() {
                Some("eq.failed") => 300,
                Some("eq.done") => 4_700,
                other => panic!("count for {other:?}"),
            };
            return Reply::json(200, "[]").with_header("Content-Range", &format!("*/{n}"));
        }
        match select.as_str() {
            // max_rows = 2: only the newest two rows come back.
            "status" => Reply::json(200, r#"[{"status":"failed"},{"status":"done"}]"#),
            "created_at" | "started_at" => Reply::json(200, "[]"),
            _ => Reply::json(200, &json!([row("f1", "failed")]).to_string())
                .with_header("Content-Range", "0-0/5000"),
        }
    });
    let settings = sparkdeck::config::JobsSettings::default();
    let creds = sparkdeck::jobs::Credentials::new(&server.url, KEY);
    let client = sparkdeck::jobs::JobsClient::new(&creds, &settings).unwrap();
    let summary = sparkdeck::snapshot::jobs_summary(&client, &creds, OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(summary.total, Some(5000));
    assert_eq!(
        summary.by_status.into_iter().collect::<Vec<_>>(),
        [("done".to_string(), 4_700), ("failed".to_string(), 300)]
    );
    assert_eq!(summary.by_status_rows, 5000);
    assert!(!summary.stuck, "nothing queued");
}
