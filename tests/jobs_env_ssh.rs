//! Credentials from the worker's env file on a remote Spark, read through the real test sshd.

mod support;

use std::process::Command;
use support::env::TestEnv;
use support::postgrest::{PostgrestServer, Reply};
use support::sshd::Sshd;

const KEY: &str = "sb_secret_SSHENVKEY0123456789wxyz";

/// The remote user's home, where `~/` of `env_file` points.
fn home_of(user: &str) -> std::path::PathBuf {
    let out = Command::new("getent")
        .args(["passwd", user])
        .output()
        .unwrap();
    let line = String::from_utf8_lossy(&out.stdout).into_owned();
    line.trim().split(':').nth(5).expect("home field").into()
}

/// Removes the test's directory in the remote home even when an assertion fails.
struct Cleanup(std::path::PathBuf);
impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn env_file_under_the_remote_home_is_read_over_ssh() {
    let sshd = Sshd::start();
    let server =
        PostgrestServer::start(|_| Reply::json(200, "[]").with_header("Content-Range", "*/0"));
    let env = TestEnv::new();
    env.ssh_alias("testspark", &sshd);
    env.trust(&sshd);

    // A unique name with shell metacharacters: the path must reach the host as data.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let rel = format!(".sparkdeck test {nanos} $(touch pwned)");
    let dir = home_of(&sshd.user).join(&rel);
    let _cleanup = Cleanup(dir.clone());
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(".env"),
        format!(
            "export SUPABASE_URL={}\nSUPABASE_SERVICE_ROLE_KEY=\"{KEY}\"\n",
            server.url
        ),
    )
    .unwrap();
    // The remote user must be able to read it when the tests run as root.
    let _ = Command::new("chown")
        .args(["-R", &sshd.user])
        .arg(&dir)
        .output();
    env.write(
        "config/sparkdeck/config.toml",
        &format!("[jobs]\nenv_file = \"~/{rel}/.env\"\n"),
    );

    let out = env
        .cmd()
        .args(["--host", "testspark", "jobs", "list", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["total"], 0);
    assert_eq!(server.requests()[0].header("apikey"), Some(KEY));
    assert!(
        !home_of(&sshd.user).join("pwned").exists(),
        "the path ran as shell text"
    );

    // A missing file names the file and the host.
    env.write(
        "config/sparkdeck/config.toml",
        "[jobs]\nenv_file = \"~/no-such-dir-sparkdeck/.env\"\n",
    );
    let out = env
        .cmd()
        .args(["--host", "testspark", "jobs", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("reading ~/no-such-dir-sparkdeck/.env on testspark failed"),
        "{err}"
    );
}
