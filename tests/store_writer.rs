//! The store thread reached from many tokio tasks through `StoreHandle`.

use sparkdeck::model::{ConnectionSpec, TunnelSpec};
use sparkdeck::store::{AuditEntry, Store, StoreError, StoreHandle};

fn handle() -> (tempfile::TempDir, StoreHandle) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sparkdeck.db")).unwrap();
    (dir, StoreHandle::spawn(store).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_tasks_all_get_their_answers() {
    let (dir, handle) = handle();
    let mut tasks = Vec::new();
    for i in 0..16 {
        let h = handle.clone();
        tasks.push(tokio::spawn(async move {
            let conn = h
                .add_connection(&ConnectionSpec::new(format!("spark-{i:02}"), "h"), i)
                .await
                .unwrap();
            for port in 0..4u16 {
                h.add_tunnel(
                    conn.id,
                    &TunnelSpec {
                        local_port: 20_000 + port,
                        remote_host: "localhost".into(),
                        remote_port: 8000 + port,
                    },
                )
                .await
                .unwrap();
            }
            h.audit(&AuditEntry {
                at: i,
                host: conn.spec.name.clone(),
                action: "connect".into(),
                target: conn.spec.host.clone(),
                outcome: "ok".into(),
                detail: None,
            })
            .await
            .unwrap();
            h.mark_connected(conn.id, 1000 + i).await.unwrap();
            let tunnels = h.list_tunnels(conn.id).await.unwrap();
            assert_eq!(tunnels.len(), 4);
            conn.id
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap());
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 16);

    let all = handle.list_connections().await.unwrap();
    assert_eq!(all.len(), 16);
    assert!(
        all.iter()
            .all(|c| c.last_connected_at == Some(1000 + c.created_at))
    );
    assert_eq!(handle.recent_audit(100).await.unwrap().len(), 16);

    // Everything reached the file, not just the thread's memory.
    handle.close().await.unwrap();
    let reopened = Store::open(&dir.path().join("sparkdeck.db")).unwrap();
    assert_eq!(reopened.list_connections().unwrap().len(), 16);
}

#[tokio::test]
async fn errors_come_back_typed() {
    let (_dir, handle) = handle();
    let lab = handle
        .add_connection(&ConnectionSpec::new("lab", "h"), 1)
        .await
        .unwrap();
    let err = handle
        .add_connection(&ConnectionSpec::new("lab", "h2"), 2)
        .await
        .unwrap_err();
    assert!(matches!(&err, StoreError::DuplicateName(n) if n == "lab"));
    let renamed = handle
        .update_connection(lab.id, &ConnectionSpec::new("lab2", "h"), 3)
        .await
        .unwrap();
    assert_eq!(renamed.spec.name, "lab2");
    assert!(
        handle
            .get_connection_by_name("lab2")
            .await
            .unwrap()
            .is_some()
    );
    handle
        .set_setting("active_connection", "lab2")
        .await
        .unwrap();
    assert_eq!(
        handle
            .get_setting("active_connection")
            .await
            .unwrap()
            .as_deref(),
        Some("lab2")
    );
    handle.delete_setting("active_connection").await.unwrap();
    handle.delete_connection(lab.id).await.unwrap();
    assert!(matches!(
        handle.delete_connection(lab.id).await,
        Err(StoreError::NotFound { .. })
    ));
    let t = handle.call(|s| s.schema_version()).await.unwrap();
    assert_eq!(t, sparkdeck::store::migrations::LATEST_VERSION);
}

#[tokio::test]
async fn a_closed_store_fails_calls_from_every_clone() {
    let (_dir, handle) = handle();
    let other = handle.clone();
    handle.close().await.unwrap();
    assert!(matches!(
        other.list_connections().await,
        Err(StoreError::WriterGone)
    ));
    assert!(matches!(handle.close().await, Err(StoreError::WriterGone)));
    assert!(
        other
            .get_setting("x")
            .await
            .unwrap_err()
            .to_string()
            .contains("restarts")
    );
}

#[tokio::test]
async fn a_panicking_request_fails_alone_and_the_store_keeps_serving() {
    let (_dir, handle) = handle();
    let err = handle
        .call(|_| -> Result<(), StoreError> { panic!("deliberate test panic") })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::JobPanicked), "{err:?}");
    handle.set_setting("k", "v").await.unwrap();
    assert_eq!(handle.get_setting("k").await.unwrap().as_deref(), Some("v"));
}

#[tokio::test]
async fn the_in_memory_fallback_works_through_a_handle() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, b"x").unwrap();
    let (store, warning) = sparkdeck::store::open_or_fallback(&blocker.join("db.sqlite"));
    assert!(warning.is_some());
    let handle = StoreHandle::spawn(store).unwrap();
    assert!(handle.is_in_memory());
    handle
        .add_connection(&ConnectionSpec::new("lab", "h"), 1)
        .await
        .unwrap();
    assert_eq!(handle.list_connections().await.unwrap().len(), 1);
}

#[test]
fn handles_can_cross_threads_and_tasks() {
    fn shareable<T: Send + Sync + Clone + 'static>() {}
    fn movable<T: Send>() {}
    shareable::<StoreHandle>();
    movable::<Store>();
}
