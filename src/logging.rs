//! Logging to `$XDG_STATE_HOME/sparkdeck/sparkdeck.log`, never to the terminal: while the
//! TUI owns the screen, a stray line on stderr would tear the frame.
//!
//! Secrets are never logged: the config holds none (keys are referenced by path, and
//! passphrase-protected keys are refused, not unlocked), and code that handles key material
//! or tokens must log only their file path or name, never their contents.

use crate::config::paths::{Env, LOG_FILE, process_env};
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

/// Used when neither `--log-level` nor `RUST_LOG` says otherwise.
pub const DEFAULT_FILTER: &str = "info";

/// Lines the log writer thread may fall behind by. The queue is allocated and touched in
/// full at start (about 32 bytes a line): tracing-appender's default of 128 000 lines cost
/// 4 MB of resident memory, a third of the 12 MB budget (docs/performance.md). 8 192 lines
/// still absorb a trace-level burst while the writer thread waits for a core.
const LOG_BUFFER_LINES: usize = 8_192;

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error(
        "cannot create the log directory {}: {source}; set XDG_STATE_HOME to a writable directory",
        path.display()
    )]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the log file {}: {source}; check its permissions", path.display())]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "bad log filter \"{filter}\" (from {from}): {reason}; use a level (error, warn, info, \
         debug, trace) or directives such as \"sparkdeck=debug,russh=warn\""
    )]
    Filter {
        filter: String,
        from: &'static str,
        reason: String,
    },
    #[error("logging was already set up in this process: {0}")]
    AlreadyInitialised(String),
}

/// Which filter applies and where it came from: `--log-level` wins, then `RUST_LOG`, then
/// `info`. Empty values count as unset.
pub fn filter_source(level: Option<&str>, env: Env<'_>) -> (String, &'static str) {
    if let Some(l) = level.map(str::trim).filter(|l| !l.is_empty()) {
        return (l.to_string(), "--log-level");
    }
    match env("RUST_LOG").map(|v| v.to_string_lossy().trim().to_string()) {
        Some(v) if !v.is_empty() => (v, "RUST_LOG"),
        _ => (DEFAULT_FILTER.to_string(), "the default"),
    }
}

/// Build the filter, refusing malformed directives instead of silently logging nothing.
pub fn build_filter(level: Option<&str>, env: Env<'_>) -> Result<EnvFilter, LogError> {
    let (filter, from) = filter_source(level, env);
    EnvFilter::builder()
        .parse(&filter)
        .map_err(|e| LogError::Filter {
            reason: e.to_string(),
            filter,
            from,
        })
}

/// Install the global subscriber writing to `state_dir/sparkdeck.log` (appending; created
/// with mode 0600 because it names hosts and users). Keep the guard alive until exit: the
/// writer thread flushes when it drops.
pub fn init(level: Option<&str>, state_dir: &Path) -> Result<WorkerGuard, LogError> {
    init_with(level, state_dir, &process_env)
}

pub fn init_with(
    level: Option<&str>,
    state_dir: &Path,
    env: Env<'_>,
) -> Result<WorkerGuard, LogError> {
    let filter = build_filter(level, env)?;
    std::fs::create_dir_all(state_dir).map_err(|source| LogError::CreateDir {
        path: state_dir.to_path_buf(),
        source,
    })?;
    let path = state_dir.join(LOG_FILE);
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(&path)
        .map_err(|source| LogError::Open { path, source })?;
    let (writer, guard) = NonBlockingBuilder::default()
        .buffered_lines_limit(LOG_BUFFER_LINES)
        .finish(file);
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .map_err(|e| LogError::AlreadyInitialised(e.to_string()))?;
    Ok(guard)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn env_with(rust_log: Option<&str>) -> impl Fn(&str) -> Option<OsString> {
        let v = rust_log.map(OsString::from);
        move |k| if k == "RUST_LOG" { v.clone() } else { None }
    }

    #[test]
    fn flag_wins_over_rust_log_which_wins_over_default() {
        let env = env_with(Some("warn"));
        assert_eq!(
            filter_source(Some("debug"), &env),
            ("debug".to_string(), "--log-level")
        );
        assert_eq!(filter_source(None, &env), ("warn".to_string(), "RUST_LOG"));
        assert_eq!(
            filter_source(Some(" "), &env),
            ("warn".to_string(), "RUST_LOG")
        );
        let unset = env_with(None);
        assert_eq!(
            filter_source(None, &unset),
            ("info".to_string(), "the default")
        );
        assert_eq!(filter_source(None, &env_with(Some(""))).1, "the default");
    }

    #[test]
    fn malformed_filter_is_an_error_naming_its_source() {
        let e = build_filter(None, &env_with(Some("sparkdeck=loud"))).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("sparkdeck=loud") && msg.contains("RUST_LOG"),
            "{msg}"
        );
        assert!(build_filter(Some("sparkdeck=debug,russh=warn"), &env_with(None)).is_ok());
    }
}
