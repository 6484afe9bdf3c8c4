//! The PostgREST client against a local stand-in that replays recorded answers and records
//! every request.

mod support;

use serde_json::json;
use sparkdeck::config::JobsSettings;
use sparkdeck::jobs::{Credentials, JobQuery, JobsClient, JobsError};
use sparkdeck::model::RequeueOutcome;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use support::postgrest::{PostgrestServer, Reply, row};

const SB_KEY: &str = "sb_secret_FAKEKEYFORTESTS0123456789abcd";
const JWT_KEY: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJvbGUiOiJzZXJ2aWNlX3JvbGUifQ.c2lnbmF0dXJlZmFrZQ";

fn client(server: &PostgrestServer, key: &str, settings: &JobsSettings) -> JobsClient {
    JobsClient::new(&Credentials::new(&server.url, key), settings).unwrap()
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/postgrest/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

const SELECT: &str =
    "id,account_id,job_type,status,attempts,error,debug,created_at,started_at,finished_at";

#[tokio::test]
async fn list_sends_select_order_paging_and_reads_the_total() {
    let server = PostgrestServer::start(|_| {
        Reply::json(
            200,
            &json!([row("a1", "failed"), row("b2", "queued")]).to_string(),
        )
        .with_header("Content-Range", "50-51/1234")
    });
    let settings = JobsSettings::default();
    let c = client(&server, SB_KEY, &settings);
    let mut q = JobQuery::newest(&settings);
    q.offset = 50;
    q.limit = 2;
    let page = c.list(&q).await.unwrap();
    assert_eq!(page.total, Some(1234));
    assert_eq!(page.offset, 50);
    assert_eq!(page.jobs.len(), 2);
    assert_eq!(page.jobs[0].id, "a1");
    assert_eq!(page.jobs[0].attempts, Some(2));
    assert_eq!(
        page.jobs[0].debug,
        Some(json!({"stage": "embed", "chunks": 12}))
    );

    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/rest/v1/hd_ingestion_jobs");
    assert_eq!(r.param("select").as_deref(), Some(SELECT));
    assert_eq!(r.param("order").as_deref(), Some("created_at.desc,id.desc"));
    assert_eq!(r.param("limit").as_deref(), Some("2"));
    assert_eq!(r.param("offset").as_deref(), Some("50"));
    assert_eq!(r.param("status"), None);
    assert_eq!(r.header("prefer"), Some("count=exact"));
    assert!(r.header("user-agent").unwrap().starts_with("sparkdeck/"));
}

#[tokio::test]
async fn status_filter_and_configured_columns() {
    let server = PostgrestServer::start(|_| {
        Reply::json(200, r#"[{"job_id": 17, "state": "error", "tries": 1}]"#)
            .with_header("Content-Range", "0-0/1")
    });
    let settings = JobsSettings {
        table: "my jobs".into(),
        column_id: "job_id".into(),
        column_status: "state".into(),
        column_attempts: "tries".into(),
        ..JobsSettings::default()
    };
    let c = client(&server, SB_KEY, &settings);
    let mut q = JobQuery::newest(&settings);
    q.status = Some(vec!["failed".into(), "on hold".into()]);
    let page = c.list(&q).await.unwrap();
    assert_eq!(page.jobs[0].id, "17", "numeric ids become text");
    assert_eq!(page.jobs[0].status, "error");
    assert_eq!(page.jobs[0].attempts, Some(1));
    let r = &server.requests()[0];
    assert_eq!(r.path, "/rest/v1/my%20jobs");
    assert_eq!(
        r.param("state").as_deref(),
        Some(r#"in.(failed,"on hold")"#)
    );
    assert_eq!(
        r.param("order").as_deref(),
        Some("created_at.desc,job_id.desc")
    );
    assert!(!r.query.contains('+'), "spaces are %20: {}", r.query);
}

#[tokio::test]
async fn sb_secret_keys_go_in_apikey_only_and_jwts_also_as_bearer() {
    let server = PostgrestServer::start(|_| Reply::json(200, "[]"));
    let settings = JobsSettings::default();
    client(&server, SB_KEY, &settings)
        .list(&JobQuery::newest(&settings))
        .await
        .unwrap();
    client(&server, JWT_KEY, &settings)
        .list(&JobQuery::newest(&settings))
        .await
        .unwrap();
    let reqs = server.requests();
    assert_eq!(reqs[0].header("apikey"), Some(SB_KEY));
    assert_eq!(reqs[0].header("authorization"), None);
    assert_eq!(reqs[1].header("apikey"), Some(JWT_KEY));
    assert_eq!(
        reqs[1].header("authorization"),
        Some(format!("Bearer {JWT_KEY}").as_str())
    );
}

#[tokio::test]
async fn requeue_is_a_compare_and_set_patch() {
    let server = PostgrestServer::start(|r| match r.method.as_str() {
        "PATCH" => Reply::json(200, &json!([row("a1", "queued")]).to_string()),
        _ => Reply::json(404, "{}"),
    });
    let settings = JobsSettings::default();
    let c = client(&server, SB_KEY, &settings);
    let out = c.requeue("a1").await;
    match &out {
        RequeueOutcome::Requeued(job) => assert_eq!(job.status, "queued"),
        other => panic!("{other:?}"),
    }
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, "PATCH");
    assert_eq!(r.path, "/rest/v1/hd_ingestion_jobs");
    assert_eq!(r.param("id").as_deref(), Some("eq.a1"));
    assert_eq!(r.param("status").as_deref(), Some("in.(failed,error)"));
    assert_eq!(r.header("prefer"), Some("return=representation"));
    let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(body, json!({"status": "queued", "error": null}));
    server.assert_every_patch_has_id_filter("id");
}

#[tokio::test]
async fn requeue_of_a_running_job_changes_nothing_and_says_why() {
    let server = PostgrestServer::start(|r| match r.method.as_str() {
        "PATCH" => Reply::json(200, "[]"),
        _ if r.param("id").as_deref() == Some("eq.r1") => {
            Reply::json(200, &json!([row("r1", "running")]).to_string())
        }
        _ => Reply::json(200, "[]"),
    });
    let settings = JobsSettings::default();
    let c = client(&server, SB_KEY, &settings);
    assert_eq!(
        c.requeue("r1").await,
        RequeueOutcome::NotChanged {
            reason: "job r1 is 'running', not one of failed, error".into()
        }
    );
    assert_eq!(
        c.requeue("gone").await,
        RequeueOutcome::NotChanged {
            reason: "job gone no longer exists".into()
        }
    );
    let methods: Vec<String> = server.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods, ["PATCH", "GET", "PATCH", "GET"]);
    server.assert_every_patch_has_id_filter("id");
}

#[tokio::test]
async fn ids_with_reserved_characters_are_encoded_not_spliced() {
    let server = PostgrestServer::start(|_| Reply::json(200, "[]"));
    let c = client(&server, SB_KEY, &JobsSettings::default());
    let _ = c.requeue("7&status=not.is.null").await;
    let patch = &server.requests()[0];
    assert_eq!(
        patch.param("id").as_deref(),
        Some("eq.7&status=not.is.null")
    );
    assert_eq!(
        patch.params().iter().filter(|(k, _)| k == "status").count(),
        1
    );
    server.assert_every_patch_has_id_filter("id");
}

/// Each fixture, served with the status PostgREST gives its code, and the words we expect.
#[tokio::test]
async fn every_error_fixture_maps_to_a_clear_message() {
    let cases: &[(&str, u16, &str)] = &[
        (
            "error.PGRST301-jwt-expired.postgrest-tut1-pre-v13.json",
            401,
            "the service key was rejected by",
        ),
        (
            "error.PGRST301-empty-jwt.postgrest-test-v13plus.json",
            401,
            "the service key was rejected by",
        ),
        (
            "error.PGRST303-jwt-expired.postgrest-test-v13plus.json",
            401,
            "the service key was rejected by",
        ),
        (
            "error.42501-permission-denied.postgrest-test.json",
            403,
            "permission denied on",
        ),
        (
            "error.PGRST205-minimal.postgrest-docs.json",
            404,
            "table \"hd_ingestion_jobs\" was not found",
        ),
        (
            "error.PGRST205-verbose.postgrest-docs.json",
            404,
            "table \"hd_ingestion_jobs\" was not found",
        ),
        (
            "error.PGRST205-patch-unknown-table.postgrest-test.json",
            404,
            "table \"hd_ingestion_jobs\" was not found",
        ),
        (
            "error.23502-not-null.postgrest-docs.json",
            400,
            "answered HTTP 400: null value in column",
        ),
        (
            "error.PGRST102-invalid-json.postgrest-test.json",
            400,
            "Empty or invalid json (PGRST102)",
        ),
        (
            "error.PGRST116-multiple-rows.postgrest-test.json",
            406,
            "(PGRST116); The result contains 4 rows",
        ),
        (
            "error.PGRST116-zero-rows.postgrest-docs.json",
            406,
            "(PGRST116); The result contains 0 rows",
        ),
        (
            "error.PGRST122-invalid-prefer.postgrest-docs.json",
            400,
            "Invalid preferences given",
        ),
        (
            "error.PGRST124-max-affected.postgrest-docs.json",
            400,
            "exceeds max-affected",
        ),
        (
            "error.PGRST003-pool-timeout.postgrest-docs.http",
            0,
            "timed out acquiring a database connection",
        ),
        (
            "error.57014-proxy-status-header.postgrest-docs.http",
            0,
            "statement timeout (57014)",
        ),
    ];
    let dir = format!("{}/tests/fixtures/postgrest", env!("CARGO_MANIFEST_DIR"));
    let on_disk = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(on_disk, cases.len(), "a fixture in {dir} has no case here");
    let settings = JobsSettings {
        retries: 0,
        ..JobsSettings::default()
    };
    for (name, status, expected) in cases {
        let text = fixture(name);
        let reply = if name.ends_with(".http") {
            Reply::from_http_fixture(&text)
        } else {
            Reply::json(*status, &text)
        };
        let server = PostgrestServer::start(move |_| reply.clone());
        let c = client(&server, SB_KEY, &settings);
        let err = c.list(&JobQuery::newest(&settings)).await.unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(expected), "{name}: {msg}");
        assert!(msg.contains("127.0.0.1"), "{name} names the host: {msg}");
        assert!(!msg.contains(SB_KEY), "{name}: {msg}");
        // A requeue reports the same words as its failure.
        match c.requeue("a1").await {
            RequeueOutcome::Failed { error } => assert!(error.contains(expected), "{error}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn project_paused_is_named() {
    let server = PostgrestServer::start(|_| Reply::json(540, "project paused"));
    let settings = JobsSettings::default();
    let err = client(&server, SB_KEY, &settings)
        .list(&JobQuery::newest(&settings))
        .await
        .unwrap_err();
    assert!(matches!(err, JobsError::ProjectPaused { .. }), "{err}");
    assert!(err.to_string().contains("is paused (HTTP 540)"));
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let server = PostgrestServer::start(|_| Reply::Hang);
    let settings = JobsSettings {
        timeout_s: 1,
        retries: 1,
        ..JobsSettings::default()
    };
    let c = client(&server, SB_KEY, &settings);
    let err = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        c.list(&JobQuery::newest(&settings)),
    )
    .await
    .expect("the client gives up on its own")
    .unwrap_err();
    assert!(matches!(err, JobsError::Timeout { .. }), "{err}");
    assert!(
        err.to_string().contains("did not answer within 1 s"),
        "{err}"
    );
    assert_eq!(server.requests().len(), 2, "one retry for a read");
}

#[tokio::test]
async fn reads_are_retried_on_503_but_a_patch_never_is() {
    let gets = Arc::new(AtomicUsize::new(0));
    let seen = gets.clone();
    let server = PostgrestServer::start(move |r| {
        if r.method == "GET" && seen.fetch_add(1, Ordering::SeqCst) >= 2 {
            return Reply::json(200, "[]").with_header("Content-Range", "*/0");
        }
        Reply::json(503, "")
    });
    let settings = JobsSettings {
        retries: 2,
        ..JobsSettings::default()
    };
    let c = client(&server, SB_KEY, &settings);
    let page = c.list(&JobQuery::newest(&settings)).await.unwrap();
    assert_eq!(page.total, Some(0));
    assert_eq!(gets.load(Ordering::SeqCst), 3, "two retries, then success");

    let out = c.requeue("a1").await;
    assert!(matches!(out, RequeueOutcome::Failed { .. }), "{out:?}");
    let patches = server
        .requests()
        .iter()
        .filter(|r| r.method == "PATCH")
        .count();
    assert_eq!(patches, 1, "a PATCH is never retried");
}

#[tokio::test]
async fn an_unreachable_server_names_its_host_not_the_key() {
    let port = support::env::free_port();
    let settings = JobsSettings {
        retries: 0,
        ..JobsSettings::default()
    };
    let c = JobsClient::new(
        &Credentials::new(format!("http://127.0.0.1:{port}"), SB_KEY),
        &settings,
    )
    .unwrap();
    let err = c.list(&JobQuery::newest(&settings)).await.unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!("could not reach 127.0.0.1:{port}")),
        "{msg}"
    );
    assert!(!msg.contains("sb_secret"), "{msg}");
}

#[tokio::test]
async fn counts_read_content_range_without_rows() {
    let server =
        PostgrestServer::start(|_| Reply::json(200, "[]").with_header("Content-Range", "*/17"));
    let settings = JobsSettings::default();
    let c = client(&server, SB_KEY, &settings);
    assert_eq!(c.count(Some("failed")).await.unwrap(), Some(17));
    let r = &server.requests()[0];
    assert_eq!(r.param("limit").as_deref(), Some("0"));
    assert_eq!(r.param("status").as_deref(), Some("eq.failed"));
    assert_eq!(r.header("prefer"), Some("count=exact"));
}

#[test]
fn bad_urls_and_keys_are_refused_without_showing_the_key() {
    let settings = JobsSettings::default();
    let e = JobsClient::new(&Credentials::new("ftp://x", SB_KEY), &settings).unwrap_err();
    assert!(matches!(e, JobsError::InvalidUrl { .. }), "{e}");
    let e = JobsClient::new(&Credentials::new("not a url", SB_KEY), &settings).unwrap_err();
    assert!(matches!(e, JobsError::InvalidUrl { .. }), "{e}");
    let bad = "sb_secret_WITHNEWLINE0123\nwxyz";
    let e =
        JobsClient::new(&Credentials::new("https://a.supabase.co", bad), &settings).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("sb_…wxyz") && !msg.contains("WITHNEWLINE"),
        "{msg}"
    );
}
