use std::path::PathBuf;
use thiserror::Error;

/// Why the store could not do what was asked, phrased so the user knows what to do next.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error(
        "history database {} is not a valid SQLite file or is damaged ({reason}); move it aside (mv {} {}.corrupt) and restart to begin a fresh one",
        path.display(), path.display(), path.display()
    )]
    Corrupt { path: PathBuf, reason: String },

    #[error(
        "cannot create or write the history database {}: {reason}; make its directory writable or point the data dir elsewhere (XDG_DATA_HOME)",
        path.display()
    )]
    Unwritable { path: PathBuf, reason: String },

    #[error(
        "history database {} has schema version {found}, but this sparkdeck only knows up to {supported}; upgrade sparkdeck, or move the file aside (mv {} {}.newer)",
        path.display(), path.display(), path.display()
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error("a connection named {0:?} already exists; choose another name")]
    DuplicateName(String),

    #[error(
        "connection {connection_id} already has a tunnel on local port {local_port}; pick another local port"
    )]
    DuplicateTunnelPort { connection_id: i64, local_port: u16 },

    #[error(
        "path {} is not valid UTF-8 and cannot be saved; rename it or link it from a UTF-8 name",
        path.display()
    )]
    NotUtf8Path { path: PathBuf },

    #[error("{what} {id} does not exist (it may have been deleted meanwhile)")]
    NotFound { what: &'static str, id: i64 },

    #[error("history database {} could not {action}: {source}", path.display())]
    Sqlite {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: rusqlite::Error,
    },

    #[error("history database {} holds an invalid value in {column}: {detail}", path.display())]
    BadValue {
        path: PathBuf,
        column: &'static str,
        detail: String,
    },

    #[error("could not start the history database thread: {0}")]
    WriterStart(#[source] std::io::Error),

    #[error("a history database request panicked (a bug in sparkdeck; see the log file)")]
    JobPanicked,

    #[error(
        "the history database thread has stopped; history is unavailable until sparkdeck restarts"
    )]
    WriterGone,
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
