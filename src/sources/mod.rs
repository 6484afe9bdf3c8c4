//! Data sources: pure parsers (text → model) and the collectors that run their command on a
//! `Host`. Parsers never fail on odd input; they leave what they cannot read as `None`.

pub mod gpu;
pub mod host_info;
pub mod logtail;
pub mod models;
pub mod proc;
pub mod services;

use crate::host::HostError;
use thiserror::Error;

/// Why a collector got no data, naming the host and the step.
#[derive(Debug, Error)]
pub enum SourceError {
    #[error("{what} on {host}: {source}")]
    Host {
        host: String,
        what: &'static str,
        #[source]
        source: HostError,
    },
    #[error("{what} on {host} exited with {}{}", status.map_or("a signal".to_string(), |s| format!("status {s}")), stderr_suffix(stderr))]
    Failed {
        host: String,
        what: &'static str,
        status: Option<i32>,
        stderr: String,
    },
}

fn stderr_suffix(stderr: &str) -> String {
    let line = stderr.trim();
    if line.is_empty() {
        String::new()
    } else {
        format!(": {line}")
    }
}
