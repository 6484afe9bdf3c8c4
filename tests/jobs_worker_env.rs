//! The worker's own credentials come from its env file on the host, whatever sparkdeck's
//! environment says: triage compares the two to catch a worker polling another Supabase.

use sparkdeck::config::JobsSettings;
use sparkdeck::host::LocalHost;
use sparkdeck::jobs::creds::load_env_file;
use sparkdeck::jobs_triage::supabase_check;

#[tokio::test]
async fn the_worker_env_file_is_read_and_compared_with_the_dashboards_supabase() {
    let dir = tempfile::tempdir().unwrap();
    let env = dir.path().join(".env");
    std::fs::write(
        &env,
        "# the worker's file\nexport SUPABASE_URL=http://127.0.0.1:54321\nSUPABASE_SERVICE_ROLE_KEY='sb_secret_worker0000000000wxyz'\n",
    )
    .unwrap();
    let settings = JobsSettings {
        env_file: env.display().to_string(),
        ..JobsSettings::default()
    };
    let worker = load_env_file(&LocalHost::new(), &settings).await.unwrap();
    assert_eq!(worker.url, "http://127.0.0.1:54321");
    assert_eq!(worker.masked_key(), "sb_…wxyz");

    // The worker polls the local CLI stack while the dashboard reads a cloud project.
    let check = supabase_check(
        &worker.url,
        Some(worker.expose_key()),
        "https://abcdefghijklmnop.supabase.co",
    );
    assert!(!check.ok, "{check:?}");
    assert!(check.detail.contains("54321"), "{}", check.detail);

    // Both on the same instance: nothing to flag.
    let same = supabase_check(&worker.url, Some(worker.expose_key()), &worker.url);
    assert!(same.ok, "{same:?}");

    let missing = JobsSettings {
        env_file: dir.path().join("nope.env").display().to_string(),
        ..JobsSettings::default()
    };
    let err = load_env_file(&LocalHost::new(), &missing)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("nope.env"), "{err}");
}
