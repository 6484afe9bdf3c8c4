//! The log goes to a file under the state dir, filtered, without colour codes. One test
//! per binary: the subscriber is process-global.

use sparkdeck::logging::{LogError, init_with};
use std::ffi::OsString;

#[test]
fn logs_go_to_the_state_dir_file_filtered_and_plain() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state/sparkdeck");
    // RUST_LOG says trace, but the flag wins.
    let env = |k: &str| (k == "RUST_LOG").then(|| OsString::from("trace"));
    let guard = init_with(Some("sparkdeck=info"), &state, &env).expect("logging starts");
    tracing::info!(target: "sparkdeck::test", host = "spark-1", "connected to the spark");
    tracing::debug!(target: "sparkdeck::test", "a debug line that the filter drops");
    tracing::info!(target: "other_crate", "a line from another crate");

    let again = init_with(None, &state, &env);
    assert!(matches!(again, Err(LogError::AlreadyInitialised(_))));
    drop(guard); // flushes the writer thread

    let log = std::fs::read_to_string(state.join("sparkdeck.log")).unwrap();
    assert!(log.contains("connected to the spark"), "{log}");
    assert!(log.contains("host=\"spark-1\""), "{log}");
    assert!(!log.contains("a debug line"), "{log}");
    assert!(!log.contains("another crate"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "no ANSI escapes in the file: {log:?}"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(state.join("sparkdeck.log"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "log file must not be group/world readable");
    }
}
