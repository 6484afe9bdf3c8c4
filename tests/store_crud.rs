//! Connections, tunnels, settings and the audit log on a real SQLite file.

use sparkdeck::model::{ConnectionSpec, TunnelSpec};
use sparkdeck::store::{ACTIVE_CONNECTION, AuditEntry, Store, StoreError};
use std::path::PathBuf;

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sparkdeck.db")).unwrap();
    (dir, store)
}

fn full_spec(name: &str) -> ConnectionSpec {
    ConnectionSpec {
        name: name.into(),
        host: "10.0.0.7".into(),
        port: 2222,
        user: Some("alice".into()),
        key_path: Some(PathBuf::from("/home/alice/.ssh/id_ed25519")),
        jump: Some("bastion@gw:22".into()),
        read_only: true,
        color: Some("#ff8800".into()),
    }
}

#[test]
fn connections_round_trip_every_field() {
    let (dir, store) = store();
    let added = store
        .add_connection(&full_spec("lab"), 1_700_000_000)
        .unwrap();
    assert_eq!(added.spec, full_spec("lab"));
    assert_eq!(added.created_at, 1_700_000_000);
    assert_eq!(added.updated_at, 1_700_000_000);
    assert_eq!(added.last_connected_at, None);

    let minimal = store
        .add_connection(&ConnectionSpec::new("edge", "spark-edge"), 5)
        .unwrap();
    assert_eq!(minimal.spec, ConnectionSpec::new("edge", "spark-edge"));
    assert_ne!(minimal.id, added.id);

    // Survives a reopen, ordered by name.
    drop(store);
    let store = Store::open(&dir.path().join("sparkdeck.db")).unwrap();
    let names: Vec<_> = store
        .list_connections()
        .unwrap()
        .into_iter()
        .map(|c| c.spec.name)
        .collect();
    assert_eq!(names, ["edge", "lab"]);
    assert_eq!(store.get_connection_by_name("lab").unwrap(), Some(added));
    assert_eq!(store.get_connection_by_name("nope").unwrap(), None);
    assert_eq!(store.get_connection(minimal.id).unwrap(), Some(minimal));
}

#[test]
fn duplicate_names_are_refused_on_add_and_rename() {
    let (_dir, store) = store();
    let lab = store.add_connection(&full_spec("lab"), 1).unwrap();
    let err = store
        .add_connection(&ConnectionSpec::new("lab", "other"), 2)
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::DuplicateName(n) if n == "lab"),
        "{err:?}"
    );
    assert!(err.to_string().contains("\"lab\" already exists"));

    let edge = store
        .add_connection(&ConnectionSpec::new("edge", "e"), 3)
        .unwrap();
    let err = store
        .update_connection(edge.id, &ConnectionSpec::new("lab", "e"), 4)
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::DuplicateName(n) if n == "lab"),
        "{err:?}"
    );
    assert_eq!(store.get_connection(lab.id).unwrap().unwrap(), lab);
    assert_eq!(store.list_connections().unwrap().len(), 2);
}

#[test]
fn update_changes_fields_and_keeps_created_and_last_connected() {
    let (_dir, store) = store();
    let lab = store.add_connection(&full_spec("lab"), 100).unwrap();
    store.mark_connected(lab.id, 150).unwrap();
    let mut spec = ConnectionSpec::new("lab-renamed", "10.0.0.8");
    spec.port = 22;
    let updated = store.update_connection(lab.id, &spec, 200).unwrap();
    assert_eq!(updated.id, lab.id);
    assert_eq!(updated.spec, spec);
    assert_eq!(updated.created_at, 100);
    assert_eq!(updated.updated_at, 200);
    assert_eq!(updated.last_connected_at, Some(150));
    assert_eq!(store.get_connection_by_name("lab").unwrap(), None);

    // Saving a connection under its own name is not a clash.
    spec.port = 2200;
    let same = store.update_connection(lab.id, &spec, 250).unwrap();
    assert_eq!(same.spec.port, 2200);

    let err = store.update_connection(9999, &spec, 300).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                what: "connection",
                id: 9999
            }
        ),
        "{err:?}"
    );
}

#[test]
fn missing_ids_are_not_found() {
    let (_dir, store) = store();
    assert!(matches!(
        store.delete_connection(7),
        Err(StoreError::NotFound {
            what: "connection",
            id: 7
        })
    ));
    assert!(matches!(
        store.mark_connected(7, 1),
        Err(StoreError::NotFound {
            what: "connection",
            id: 7
        })
    ));
    assert!(matches!(
        store.delete_tunnel(8),
        Err(StoreError::NotFound {
            what: "tunnel",
            id: 8
        })
    ));
}

#[test]
fn tunnels_per_connection_with_duplicate_ports_refused_and_cascade_delete() {
    let (_dir, store) = store();
    let lab = store.add_connection(&full_spec("lab"), 1).unwrap();
    let edge = store.add_connection(&full_spec("edge"), 1).unwrap();

    let vllm = TunnelSpec {
        local_port: 18000,
        remote_host: "127.0.0.1".into(),
        remote_port: 8000,
    };
    let t_vllm = store.add_tunnel(lab.id, &vllm).unwrap();
    let t_ollama = store
        .add_tunnel(lab.id, &TunnelSpec::ollama_default())
        .unwrap();
    // The same local port on another connection is fine: only one is connected at a time.
    let t_edge = store
        .add_tunnel(edge.id, &TunnelSpec::ollama_default())
        .unwrap();
    assert_eq!(t_vllm.connection_id, lab.id);
    assert_eq!(t_vllm.spec, vllm);

    let err = store
        .add_tunnel(
            lab.id,
            &TunnelSpec {
                local_port: 18000,
                remote_host: "localhost".into(),
                remote_port: 9000,
            },
        )
        .unwrap_err();
    assert!(
        matches!(err, StoreError::DuplicateTunnelPort { connection_id, local_port: 18000 } if connection_id == lab.id),
        "{err:?}"
    );
    assert!(err.to_string().contains("local port 18000"));

    // Ordered by local port.
    assert_eq!(
        store.list_tunnels(lab.id).unwrap(),
        [t_ollama.clone(), t_vllm]
    );

    store.delete_tunnel(t_ollama.id).unwrap();
    assert_eq!(store.list_tunnels(lab.id).unwrap().len(), 1);

    store.delete_connection(lab.id).unwrap();
    assert_eq!(store.list_tunnels(lab.id).unwrap(), []);
    assert_eq!(store.list_tunnels(edge.id).unwrap(), [t_edge]);
    assert!(store.get_connection(lab.id).unwrap().is_none());
}

#[test]
fn settings_insert_overwrite_delete_and_persist() {
    let (dir, store) = store();
    assert_eq!(store.get_setting(ACTIVE_CONNECTION).unwrap(), None);
    store.set_setting(ACTIVE_CONNECTION, "lab").unwrap();
    store.set_setting(ACTIVE_CONNECTION, "edge").unwrap();
    store.set_setting("other", "x").unwrap();
    drop(store);
    let store = Store::open(&dir.path().join("sparkdeck.db")).unwrap();
    assert_eq!(
        store.get_setting(ACTIVE_CONNECTION).unwrap().as_deref(),
        Some("edge")
    );
    store.delete_setting(ACTIVE_CONNECTION).unwrap();
    store.delete_setting(ACTIVE_CONNECTION).unwrap();
    assert_eq!(store.get_setting(ACTIVE_CONNECTION).unwrap(), None);
    assert_eq!(store.get_setting("other").unwrap().as_deref(), Some("x"));
}

#[test]
fn audit_returns_the_newest_first_up_to_the_limit() {
    let (_dir, store) = store();
    let entry = |at: i64, target: &str| AuditEntry {
        at,
        host: "lab".into(),
        action: "requeue".into(),
        target: target.into(),
        outcome: "ok".into(),
        detail: (at % 2 == 0).then(|| format!("attempt reset at {at}")),
    };
    store.audit(&entry(10, "job-1")).unwrap();
    store.audit(&entry(30, "job-3")).unwrap();
    store.audit(&entry(20, "job-2")).unwrap();
    // Same second: the later insert counts as newer.
    store.audit(&entry(30, "job-4")).unwrap();

    let recent = store.recent_audit(3).unwrap();
    let targets: Vec<_> = recent.iter().map(|e| e.target.as_str()).collect();
    assert_eq!(targets, ["job-4", "job-3", "job-2"]);
    assert_eq!(recent[2], entry(20, "job-2"));
    assert_eq!(store.recent_audit(100).unwrap().len(), 4);
    assert_eq!(store.recent_audit(0).unwrap(), []);
}

#[test]
fn in_memory_store_has_the_same_schema() {
    let store = Store::in_memory().unwrap();
    assert!(store.is_in_memory());
    let lab = store.add_connection(&full_spec("lab"), 1).unwrap();
    store
        .add_tunnel(lab.id, &TunnelSpec::ollama_default())
        .unwrap();
    store.delete_connection(lab.id).unwrap();
    assert_eq!(store.list_tunnels(lab.id).unwrap(), []);
}
