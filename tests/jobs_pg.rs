//! `[jobs] backend = "postgres"` against a real PostgreSQL server: paging, the compare-and-set
//! requeue (including two requeues racing over two connections), identifier quoting, login
//! errors that keep the password out, and the real binary's `jobs list|requeue`.

mod support;

use sparkdeck::config::JobsSettings;
use sparkdeck::jobs::creds::Secret;
use sparkdeck::jobs::postgres::PgJobs;
use sparkdeck::jobs::{JobQuery, JobsBackend};
use sparkdeck::model::RequeueOutcome;
use sparkdeck::store::Store;
use support::env::TestEnv;
use support::postgres::{PW_PASSWORD, PW_USER, PgServer, create_jobs_table};

const SEED_COLUMNS: [&str; 10] = [
    "id",
    "account_id",
    "job_type",
    "status",
    "attempts",
    "error",
    "debug",
    "created_at",
    "started_at",
    "finished_at",
];

fn uuid(n: u32) -> String {
    format!("00000000-0000-0000-0000-{n:012}")
}

/// Jobs 1..=n, job k created k minutes after 09:00, status from `status(k)`.
async fn seed_rows(c: &tokio_postgres::Client, n: u32, status: impl Fn(u32) -> &'static str) {
    for k in 1..=n {
        c.execute(
            "INSERT INTO hd_ingestion_jobs (id, account_id, job_type, status, attempts, error, \
             debug, created_at) VALUES ($1::text::uuid, 'acct', 'ingest', $2, 1, \
             CASE WHEN $2 = 'failed' THEN 'boom' END, '{\"step\": 3}'::jsonb, \
             timestamptz '2026-11-22 09:00:00+00' + make_interval(mins => $3))",
            &[&uuid(k), &status(k), &(k as i32)],
        )
        .await
        .expect("insert a job");
    }
}

async fn queue(db: &str) -> (PgJobs, String, tokio_postgres::Client) {
    let server = PgServer::shared();
    let (dsn, client) = server.database(db).await;
    create_jobs_table(&client, "hd_ingestion_jobs", &SEED_COLUMNS).await;
    let pg = PgJobs::new(&Secret::new(&dsn), &JobsSettings::default()).expect("valid DSN");
    (pg, dsn, client)
}

async fn status_of(c: &tokio_postgres::Client, id: &str) -> (String, Option<String>) {
    let row = c
        .query_one(
            "SELECT status, error FROM hd_ingestion_jobs WHERE id::text = $1",
            &[&id],
        )
        .await
        .expect("read the row back");
    (row.get(0), row.get(1))
}

#[tokio::test]
async fn list_filters_orders_pages_and_counts() {
    let (pg, _, c) = queue("t_list").await;
    seed_rows(&c, 7, |k| if k % 2 == 1 { "failed" } else { "done" }).await;
    let settings = JobsSettings::default();
    let mut q = JobQuery::newest(&settings);
    q.status = Some(vec!["failed".into()]);
    q.limit = 2;
    q.offset = 1;
    let page = pg.list(&q).await.expect("list");
    assert_eq!(page.total, Some(4), "jobs 1, 3, 5, 7 are failed");
    assert_eq!(page.offset, 1);
    let ids: Vec<&str> = page.jobs.iter().map(|j| j.id.as_str()).collect();
    assert_eq!(ids, [uuid(5), uuid(3)], "newest first, skipping job 7");
    let j = &page.jobs[0];
    assert_eq!(j.status, "failed");
    assert_eq!(j.error.as_deref(), Some("boom"));
    assert_eq!(j.attempts, Some(1));
    assert_eq!(j.job_type.as_deref(), Some("ingest"));
    assert_eq!(j.debug, Some(serde_json::json!({"step": 3})));
    let created = j.created_at.as_deref().expect("created_at");
    assert_eq!(
        sparkdeck::jobs::parse_timestamp(created),
        Some(time::macros::datetime!(2026-11-22 09:05 UTC)),
        "{created}"
    );
    assert_eq!(j.started_at, None);

    q.status = None;
    q.limit = 50;
    q.offset = 0;
    let all = pg.list(&q).await.expect("list all");
    assert_eq!(all.total, Some(7));
    assert_eq!(all.jobs.len(), 7);
    assert_eq!(all.jobs[0].id, uuid(7));
    assert_eq!(pg.count(Some("done")).await.unwrap(), Some(3));
    assert_eq!(pg.count(None).await.unwrap(), Some(7));
    assert_eq!(pg.get_job(&uuid(2)).await.unwrap().unwrap().status, "done");
    assert_eq!(pg.get_job(&uuid(99)).await.unwrap(), None);
}

#[tokio::test]
async fn requeue_is_compare_and_set_and_says_why_not() {
    let (pg, _, c) = queue("t_requeue").await;
    seed_rows(&c, 3, |k| ["failed", "running", "done"][(k - 1) as usize]).await;

    match pg.requeue(&uuid(1)).await {
        RequeueOutcome::Requeued(job) => {
            assert_eq!(job.id, uuid(1));
            assert_eq!(job.status, "queued");
            assert_eq!(job.error, None);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(status_of(&c, &uuid(1)).await, ("queued".into(), None));

    match pg.requeue(&uuid(2)).await {
        RequeueOutcome::NotChanged { reason } => assert_eq!(
            reason,
            format!("job {} is 'running', not one of failed, error", uuid(2))
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(status_of(&c, &uuid(2)).await, ("running".into(), None));

    let gone = uuid(42);
    match pg.requeue(&gone).await {
        RequeueOutcome::NotChanged { reason } => {
            assert_eq!(reason, format!("job {gone} no longer exists"))
        }
        other => panic!("{other:?}"),
    }
    // An id that is not even a uuid is compared as text: no row, no type error.
    assert!(matches!(
        pg.requeue("not-a-uuid'; DROP TABLE hd_ingestion_jobs; --")
            .await,
        RequeueOutcome::NotChanged { .. }
    ));
    assert!(matches!(
        pg.requeue("  ").await,
        RequeueOutcome::Failed { .. }
    ));
    assert_eq!(pg.count(None).await.unwrap(), Some(3), "table intact");
}

#[tokio::test]
async fn two_racing_requeues_change_the_job_once() {
    let (_, dsn, c) = queue("t_race").await;
    seed_rows(&c, 1, |_| "failed").await;
    let settings = JobsSettings::default();
    // Two clients, two connections: the database, not this process, must serialise them.
    let a = PgJobs::new(&Secret::new(&dsn), &settings).unwrap();
    let b = PgJobs::new(&Secret::new(&dsn), &settings).unwrap();
    a.count(None).await.unwrap();
    b.count(None).await.unwrap();
    let id = uuid(1);
    let (ra, rb) = tokio::join!(a.requeue(&id), b.requeue(&id));
    let won = [&ra, &rb].iter().filter(|o| o.is_requeued()).count();
    assert_eq!(won, 1, "{ra:?} / {rb:?}");
    let lost = if ra.is_requeued() { rb } else { ra };
    match lost {
        RequeueOutcome::NotChanged { reason } => {
            assert_eq!(
                reason,
                format!("job {id} is 'queued', not one of failed, error")
            )
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_read_reopens_a_connection_the_server_closed() {
    let (pg, _, c) = queue("t_reconnect").await;
    seed_rows(&c, 1, |_| "failed").await;
    assert_eq!(pg.count(None).await.unwrap(), Some(1));
    let killed: i64 = c
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE datname = 't_reconnect' AND application_name = 'sparkdeck'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(killed, 1, "the client's one connection");
    assert_eq!(
        pg.count(None).await.unwrap(),
        Some(1),
        "read again over a new connection"
    );
}

#[tokio::test]
async fn odd_table_and_column_names_are_quoted() {
    let server = PgServer::shared();
    let (dsn, c) = server.database("t_odd").await;
    let cols = [
        "Job \"ID\"",
        "acct",
        "kind",
        "State",
        "tries",
        "last error",
        "dbg",
        "made at",
        "start",
        "end",
    ];
    create_jobs_table(&c, "Queue \"v2\"", &cols).await;
    c.execute(
        "INSERT INTO \"Queue \"\"v2\"\"\" (\"Job \"\"ID\"\"\", \"State\", \"last error\") \
         VALUES ($1::text::uuid, 'error', 'oom')",
        &[&uuid(1)],
    )
    .await
    .unwrap();
    let settings = JobsSettings {
        backend: "postgres".into(),
        table: "Queue \"v2\"".into(),
        column_id: cols[0].into(),
        column_account_id: cols[1].into(),
        column_job_type: cols[2].into(),
        column_status: cols[3].into(),
        column_attempts: cols[4].into(),
        column_error: cols[5].into(),
        column_debug: cols[6].into(),
        column_created_at: cols[7].into(),
        column_started_at: cols[8].into(),
        column_finished_at: cols[9].into(),
        ..JobsSettings::default()
    };
    let pg = PgJobs::new(&Secret::new(&dsn), &settings).unwrap();
    let page = pg.list(&JobQuery::newest(&settings)).await.expect("list");
    assert_eq!(page.total, Some(1));
    assert_eq!(page.jobs[0].id, uuid(1));
    assert_eq!(page.jobs[0].error.as_deref(), Some("oom"));
    assert!(pg.requeue(&uuid(1)).await.is_requeued());
    let row = c
        .query_one(
            "SELECT \"State\", \"last error\" FROM \"Queue \"\"v2\"\"\"",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "queued");
    assert_eq!(row.get::<_, Option<String>>(1), None);
}

#[tokio::test]
async fn login_and_network_errors_are_clear_and_keep_the_password_out() {
    let server = PgServer::shared();
    server.password_user().await;
    let settings = JobsSettings {
        timeout_s: 3,
        ..JobsSettings::default()
    };
    let wrong = format!(
        "postgres://{PW_USER}:wrong-pass-123@127.0.0.1:{}/postgres?sslmode=disable",
        server.port
    );
    let err = PgJobs::new(&Secret::new(&wrong), &settings)
        .unwrap()
        .count(None)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("refused the login"), "{err}");
    assert!(err.contains(&format!("127.0.0.1:{}", server.port)), "{err}");
    assert!(!err.contains("wrong-pass-123"), "{err}");

    let right = format!(
        "postgres://{PW_USER}:{PW_PASSWORD}@127.0.0.1:{}/postgres?sslmode=disable",
        server.port
    );
    let ok = PgJobs::new(&Secret::new(&right), &settings).unwrap();
    let err = ok.count(None).await.unwrap_err().to_string();
    assert!(
        err.contains("hd_ingestion_jobs"),
        "logged in, no table: {err}"
    );
    assert!(!err.contains(PW_PASSWORD), "{err}");

    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = format!("postgres://app:hunter2-secret@127.0.0.1:{port}/jobs?sslmode=disable");
    let err = PgJobs::new(&Secret::new(&down), &settings)
        .unwrap()
        .requeue(&uuid(1))
        .await;
    match err {
        RequeueOutcome::Failed { error } => {
            assert!(error.contains(&format!("127.0.0.1:{port}")), "{error}");
            assert!(error.contains("refused"), "{error}");
            assert!(!error.contains("hunter2"), "{error}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_backend_enum_reads_the_dsn_from_the_env_file_on_the_host() {
    let (_, dsn, c) = queue("t_backend").await;
    seed_rows(&c, 2, |_| "failed").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(".env");
    std::fs::write(&file, format!("# worker\nJOBS_PG_TEST_DSN=\"{dsn}\"\n")).unwrap();
    let settings = JobsSettings {
        backend: "postgres".into(),
        dsn_env: "JOBS_PG_TEST_DSN".into(),
        env_file: file.display().to_string(),
        ..JobsSettings::default()
    };
    let host = sparkdeck::host::local::LocalHost::new();
    let backend = JobsBackend::for_host(&host, &settings)
        .await
        .expect("backend");
    assert!(matches!(backend, JobsBackend::Postgres(_)));
    assert_eq!(backend.count(None).await.unwrap(), Some(2));
    let (old, outcome) = sparkdeck::jobs::requeue::requeue_with(&backend, &uuid(1)).await;
    assert_eq!(old.as_deref(), Some("failed"));
    assert!(outcome.is_requeued());

    let missing = JobsSettings {
        dsn_env: "JOBS_PG_TEST_UNSET".into(),
        ..settings
    };
    let err = JobsBackend::for_host(&host, &missing)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("JOBS_PG_TEST_UNSET"), "{err}");
    assert!(!err.contains("test@127.0.0.1"), "{err}");
}

#[tokio::test]
async fn the_snapshot_summary_reads_the_database() {
    let (pg, _, c) = queue("t_summary").await;
    seed_rows(&c, 5, |k| {
        ["failed", "queued", "done", "done", "queued"][(k - 1) as usize]
    })
    .await;
    c.execute(
        "UPDATE hd_ingestion_jobs SET started_at = timestamptz '2026-11-22 09:03:30+00' \
         WHERE status = 'done'",
        &[],
    )
    .await
    .unwrap();
    let backend = JobsBackend::Postgres(pg);
    assert_eq!(
        backend
            .edge("created_at", Some("queued"), true)
            .await
            .unwrap()
            .as_deref()
            .and_then(sparkdeck::jobs::parse_timestamp),
        Some(time::macros::datetime!(2026-11-22 09:02 UTC)),
        "the oldest queued job"
    );
    let now = time::macros::datetime!(2026-11-22 10:00 UTC);
    let summary = sparkdeck::snapshot::backend_summary(&backend, None, now)
        .await
        .expect("summary");
    assert_eq!(summary.total, Some(5));
    assert_eq!(summary.by_status_rows, 5);
    assert_eq!(summary.by_status.get("queued"), Some(&2));
    assert_eq!(summary.by_status.get("done"), Some(&2));
    assert_eq!(summary.by_status.get("failed"), Some(&1));
    assert_eq!(summary.recent[0].id, uuid(5));
    assert!(
        summary.stuck,
        "queued since 09:02, last start 09:03:30, now 10:00"
    );
    assert!(summary.hints.is_empty());
}

#[test]
fn the_postgres_backend_and_dsn_env_are_configured_and_checked() {
    let parse = |t: &str| sparkdeck::config::parse(t, std::path::Path::new("c.toml"));
    let config = parse("[jobs]\nbackend = \"postgres\"\ndsn_env = \"WORKER_DB\"\n").unwrap();
    assert_eq!(config.jobs.backend, "postgres");
    assert_eq!(config.jobs.dsn_env, "WORKER_DB");
    assert_eq!(
        parse("[jobs]\nbackend = \"postgres\"\n")
            .unwrap()
            .jobs
            .dsn_env,
        "SPARKDECK_JOBS_DSN"
    );
    // A DSN pasted where its variable's name belongs is refused, and not echoed back.
    let e = parse("[jobs]\nbackend = \"postgres\"\ndsn_env = \"postgres://u:pw@h/d\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("dsn_env") && e.contains("must name an environment variable"),
        "{e}"
    );
}

fn write_config(env: &TestEnv) {
    let path = env.default_config();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "[jobs]\nbackend = \"postgres\"\n").unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_real_binary_lists_and_requeues_with_audit_rows() {
    let (_, dsn, c) = queue("t_cli").await;
    seed_rows(&c, 3, |k| ["failed", "running", "failed"][(k - 1) as usize]).await;
    let env = TestEnv::new();
    write_config(&env);
    let run = |args: &[&str]| {
        let mut cmd = env.cmd();
        cmd.env("SPARKDECK_JOBS_DSN", &dsn)
            .env("USER", "tester")
            .args(args);
        cmd.output().expect("run sparkdeck")
    };
    let out =
        tokio::task::block_in_place(|| run(&["jobs", "list", "--status", "failed", "--json"]));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(doc["total"], 2);
    assert_eq!(doc["jobs"][0]["id"], uuid(3));
    assert_eq!(doc["jobs"][1]["id"], uuid(1));

    let out = tokio::task::block_in_place(|| run(&["jobs", "requeue", &uuid(1), &uuid(2)]));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "one of two was not requeued: {stdout}"
    );
    assert!(
        stdout.contains(&format!("{}: requeued (failed → queued)", uuid(1))),
        "{stdout}"
    );
    assert!(
        stdout.contains("is 'running', not one of failed, error"),
        "{stdout}"
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("test@127.0.0.1"));
    assert_eq!(status_of(&c, &uuid(1)).await.0, "queued");
    assert_eq!(status_of(&c, &uuid(2)).await.0, "running");

    let store = Store::open(&env.db_path()).expect("audit store");
    let mut audit = store.recent_audit(10).unwrap();
    audit.reverse();
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[0].target, uuid(1));
    assert_eq!(audit[0].outcome, "ok");
    assert_eq!(
        audit[0].detail.as_deref(),
        Some("user=tester old_status=failed")
    );
    assert!(
        audit[1].outcome.starts_with("not changed:"),
        "{:?}",
        audit[1]
    );
}

#[tokio::test]
async fn the_jobs_tab_worker_loads_and_requeues_through_the_database() {
    use sparkdeck::app::jobs_worker::{JobsSide, LoadRequest};
    use sparkdeck::app::msg::Msg;
    use sparkdeck::app::workers::WorkerCtx;
    use std::sync::Arc;

    let (_, dsn, c) = queue("t_tab").await;
    seed_rows(&c, 2, |k| ["running", "failed"][(k - 1) as usize]).await;
    let dir = tempfile::tempdir().unwrap();
    let env_file = dir.path().join(".env");
    std::fs::write(&env_file, format!("TAB_PG_TEST_DSN={dsn}\n")).unwrap();
    let mut config = sparkdeck::config::Config::default();
    config.jobs.backend = "postgres".into();
    config.jobs.dsn_env = "TAB_PG_TEST_DSN".into();
    config.jobs.env_file = env_file.display().to_string();
    config.jobs.worker_log = dir.path().join("worker.log").display().to_string();
    let store =
        sparkdeck::store::StoreHandle::spawn(Store::open(&dir.path().join("s.db")).expect("store"))
            .expect("store writer");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (questions, _q) = tokio::sync::mpsc::unbounded_channel();
    let ctx = WorkerCtx {
        config: Arc::new(config),
        store: store.clone(),
        tx,
        questions,
    };
    let host: Arc<dyn sparkdeck::host::Host> = Arc::new(sparkdeck::host::LocalHost::new());
    let mut side = JobsSide::default();
    let req = LoadRequest {
        generation: 3,
        status: None,
        sort_column: "created_at".into(),
        desc: true,
        offset: 0,
        limit: 50,
    };
    side.load(&ctx, "local", host.clone(), req).await;
    let page = loop {
        match rx.recv().await.expect("a message") {
            Msg::Jobs {
                generation, result, ..
            } => {
                assert_eq!(generation, 3);
                break result.expect("a page");
            }
            _ => continue,
        }
    };
    assert_eq!(page.total, Some(2));
    assert_eq!(page.jobs[0].id, uuid(2));

    side.requeue(&ctx, "local", host.as_ref(), vec![uuid(2), uuid(1)])
        .await;
    let results = loop {
        if let Msg::JobsRequeued { results, .. } = rx.recv().await.expect("a message") {
            break results;
        }
    };
    assert!(results[0].1.is_requeued(), "{results:?}");
    assert!(
        matches!(&results[1].1, RequeueOutcome::NotChanged { reason } if reason.contains("'running'")),
        "{results:?}"
    );
    assert_eq!(status_of(&c, &uuid(2)).await.0, "queued");
    let audit = store.recent_audit(10).await.unwrap();
    assert_eq!(audit.len(), 2, "{audit:?}");
}
