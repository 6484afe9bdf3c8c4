//! Opening, migrating and failing to open real SQLite files.

use rusqlite::Connection;
use sparkdeck::store::{Store, StoreError, migrations::LATEST_VERSION, open_or_fallback};
use std::path::Path;

fn tables(path: &Path) -> Vec<String> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn migrates_an_empty_file_in_nested_dirs_with_wal_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/sparkdeck.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);
    assert_eq!(store.path(), path);
    assert!(!store.is_in_memory());
    drop(store);

    assert_eq!(
        tables(&path),
        [
            "alerts",
            "audit",
            "connections",
            "gpu_history",
            "settings",
            "tunnels"
        ]
    );
    let conn = Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    // gpu_history is clustered on its key, which serves as the (host, window_start) index.
    let key: String = conn
        .query_row(
            "SELECT group_concat(name, ',') FROM \
             (SELECT name FROM pragma_table_info('gpu_history') WHERE pk > 0 ORDER BY pk)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(key, "host,window_s,window_start,gpu_index");
}

#[test]
fn reopening_is_idempotent_and_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sparkdeck.db");
    let store = Store::open(&path).unwrap();
    store.set_setting("k", "v").unwrap();
    drop(store);

    for _ in 0..2 {
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);
        assert_eq!(store.get_setting("k").unwrap().as_deref(), Some("v"));
    }
}

#[test]
fn foreign_keys_are_enforced_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("fk.db")).unwrap();
    let err = store
        .add_tunnel(4242, &sparkdeck::model::TunnelSpec::ollama_default())
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NotFound {
                what: "connection",
                id: 4242
            }
        ),
        "{err}"
    );
}

#[test]
fn a_file_from_a_newer_sparkdeck_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE future_thing (x); PRAGMA user_version = 99;")
            .unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    match &err {
        StoreError::TooNew {
            path: p,
            found,
            supported,
        } => {
            assert_eq!(p, &path);
            assert_eq!(*found, 99);
            assert_eq!(*supported, LATEST_VERSION);
        }
        other => panic!("expected TooNew, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("schema version 99"), "{msg}");
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert_eq!(tables(&path), ["future_thing"]);
}

#[test]
fn a_corrupt_file_names_the_path_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sparkdeck.db");
    std::fs::write(
        &path,
        b"this is not a database, just bytes \x00\xff\x13".repeat(200),
    )
    .unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    let shown = path.display().to_string();
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("mv {shown} {shown}.corrupt")),
        "message lacks the fix: {msg}"
    );

    let (store, warning) = open_or_fallback(&path);
    assert!(store.is_in_memory());
    let warning = warning.expect("a fallback must say why");
    assert!(warning.contains("not saved"), "{warning}");
    assert!(warning.contains(&shown), "{warning}");
    // The fallback is a full store, just not a persistent one.
    store.set_setting("k", "v").unwrap();
    assert_eq!(store.get_setting("k").unwrap().as_deref(), Some("v"));
}

#[test]
fn a_file_where_the_directory_should_be_is_unwritable() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("data");
    std::fs::write(&blocker, b"a file, not a directory").unwrap();
    let path = blocker.join("sparkdeck/sparkdeck.db");
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Unwritable { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(msg.contains(&blocker.display().to_string()), "{msg}");

    let (store, warning) = open_or_fallback(&path);
    assert!(store.is_in_memory());
    assert!(warning.unwrap().contains("cannot create"));
}

#[test]
fn a_read_only_directory_is_unwritable() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(ro.join("probe"), b"x").is_ok() {
        // root (CAP_DAC_OVERRIDE) writes through 0555; the directory-is-a-file test above
        // covers the unwritable path in that case.
        eprintln!("skipped: this user can write into a 0555 directory");
        return;
    }
    let path = ro.join("sparkdeck.db");
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Unwritable { .. }), "{err:?}");
    assert!(err.to_string().contains(&path.display().to_string()));
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn the_fallback_is_silent_when_the_file_opens() {
    let dir = tempfile::tempdir().unwrap();
    let (store, warning) = open_or_fallback(&dir.path().join("ok.db"));
    assert_eq!(warning, None);
    assert!(!store.is_in_memory());
}

#[test]
fn a_file_that_sqlite_cannot_create_is_unwritable_even_for_root() {
    // procfs refuses new files for every user, root included, so SQLite's own open fails.
    let path = Path::new("/proc/sparkdeck-store-test.db");
    let err = Store::open(path).unwrap_err();
    assert!(matches!(err, StoreError::Unwritable { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("/proc/sparkdeck-store-test.db"), "{msg}");
    assert!(msg.contains("make its directory writable"), "{msg}");
}
