//! `sslmode=require` over real TLS to the test PostgreSQL (certificate signed by a throw-away
//! CA). Alone in its binary because it points `SSL_CERT_FILE` at that CA.

mod support;

use sparkdeck::config::JobsSettings;
use sparkdeck::jobs::creds::Secret;
use sparkdeck::jobs::postgres::PgJobs;
use support::postgres::{PgServer, create_jobs_table};

#[tokio::test]
async fn sslmode_require_speaks_tls_and_verifies_the_certificate() {
    let (dsn, c) = PgServer::shared().database("t_tls").await;
    create_jobs_table(
        &c,
        "hd_ingestion_jobs",
        &[
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
        ],
    )
    .await;
    c.execute(
        "INSERT INTO hd_ingestion_jobs (status) VALUES ('failed')",
        &[],
    )
    .await
    .unwrap();
    let tls = dsn.replace("sslmode=disable", "sslmode=require");
    let settings = JobsSettings {
        retries: 0,
        ..JobsSettings::default()
    };
    // SAFETY: the only test of this binary, so no other thread reads the environment while
    // the trust store is pointed at the test CA.
    unsafe { std::env::remove_var("SSL_CERT_FILE") };
    let err = PgJobs::new(&Secret::new(&tls), &settings)
        .unwrap()
        .count(None)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("TLS") || err.contains("certificate"),
        "an unknown CA: {err}"
    );
    // SAFETY: as above.
    unsafe { std::env::set_var("SSL_CERT_FILE", PgServer::shared().ca_file()) };
    let pg = PgJobs::new(&Secret::new(&tls), &settings).unwrap();
    assert_eq!(pg.count(None).await.expect("over TLS"), Some(1));
    let ssl: bool = c
        .query_one(
            "SELECT bool_or(s.ssl) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
             WHERE a.application_name = 'sparkdeck' AND a.datname = 't_tls'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(ssl, "the server sees the client's connection encrypted");
}
