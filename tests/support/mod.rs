//! Shared parts of the integration tests.
#![allow(dead_code)]

pub mod env;
pub mod fake_smi;
pub mod http_stub;
pub mod model_stores;
pub mod postgres;
pub mod postgrest;
pub mod remote_http;
pub mod sshd;
pub mod tmux;

/// Writes an executable script without this process ever holding a write descriptor on
/// it: a child `sh` writes the file. Writing it here would race with other test threads
/// that fork while the descriptor is open, and exec would then fail with ETXTBSY
/// ("Text file busy").
pub fn write_executable(path: &std::path::Path, content: &str) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("sh")
        .args(["-c", "cat > \"$1\" && chmod 755 \"$1\"", "sh"])
        .arg(path)
        .stdin(Stdio::piped())
        .spawn()
        .expect("sh runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(content.as_bytes())
        .expect("script written to sh");
    let status = child.wait().expect("sh finishes");
    assert!(status.success(), "writing {} failed", path.display());
}
