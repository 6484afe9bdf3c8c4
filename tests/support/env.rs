//! An isolated user environment for runs of the real binary: a temp HOME and temp XDG
//! config/data/state dirs, so no test reads or writes anything of the real user.

use super::sshd::Sshd;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_sparkdeck");

pub struct TestEnv {
    dir: TempDir,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        let dir = tempfile::Builder::new()
            .prefix("sparkdeck-e2e-")
            .tempdir()
            .expect("temp dir");
        for sub in ["home", "config", "data", "state"] {
            fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        TestEnv { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn home(&self) -> PathBuf {
        self.root().join("home")
    }

    pub fn config_home(&self) -> PathBuf {
        self.root().join("config")
    }

    pub fn data_home(&self) -> PathBuf {
        self.root().join("data")
    }

    /// Where the app keeps its SQLite store under this environment.
    pub fn db_path(&self) -> PathBuf {
        self.data_home().join("sparkdeck/sparkdeck.db")
    }

    /// The config file the app reads when neither `--config` nor `SPARKDECK_CONFIG` is given.
    pub fn default_config(&self) -> PathBuf {
        self.config_home().join("sparkdeck/config.toml")
    }

    pub fn known_hosts(&self) -> PathBuf {
        self.home().join(".ssh/known_hosts")
    }

    /// The variables every run gets; nothing else of the caller's environment leaks in
    /// (an inherited SSH_AUTH_SOCK would let a real agent answer for the test key).
    pub fn vars(&self) -> Vec<(&'static str, PathBuf)> {
        vec![
            ("PATH", PathBuf::from("/usr/local/bin:/usr/bin:/bin")),
            ("HOME", self.home()),
            ("XDG_CONFIG_HOME", self.config_home()),
            ("XDG_DATA_HOME", self.data_home()),
            ("XDG_STATE_HOME", self.root().join("state")),
        ]
    }

    /// The binary with only this environment.
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new(BIN);
        cmd.env_clear();
        for (k, v) in self.vars() {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.root().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        path
    }

    /// `~/.ssh/config` with `Host ALIAS` pointing at the test sshd with its client key.
    pub fn ssh_alias(&self, alias: &str, sshd: &Sshd) {
        let ssh = self.home().join(".ssh");
        fs::create_dir_all(&ssh).unwrap();
        fs::write(
            ssh.join("config"),
            format!(
                "Host {alias}\n    HostName 127.0.0.1\n    Port {}\n    User {}\n    IdentityFile {}\n",
                sshd.port,
                sshd.user,
                sshd.client_key.display()
            ),
        )
        .unwrap();
    }

    /// Puts the test sshd's host key into `~/.ssh/known_hosts`.
    pub fn trust(&self, sshd: &Sshd) {
        fs::create_dir_all(self.home().join(".ssh")).unwrap();
        fs::copy(&sshd.known_hosts, self.known_hosts()).unwrap();
    }
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind an ephemeral port")
        .port()
}
