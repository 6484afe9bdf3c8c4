//! A throw-away OpenSSH sshd on 127.0.0.1 for integration tests.
//!
//! Host and user keys live in a temp dir; `Drop` kills the daemon and every session process
//! it forked. As root, logins use the non-root user `sshtest`, because OpenSSH ignores
//! "signal" channel requests for root sessions.

use sparkdeck::host::{HostKeyPolicy, SshOptions, SshTarget};
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const SSHD: &str = "/usr/sbin/sshd";
const TEST_USER: &str = "sshtest";

pub struct Sshd {
    dir: TempDir,
    pub port: u16,
    pub user: String,
    /// Authorized, passphrase-less ed25519 key.
    pub client_key: PathBuf,
    /// known_hosts listing this server's key (`[127.0.0.1]:PORT ssh-ed25519 …`).
    pub known_hosts: PathBuf,
    /// The server's public host key, `ssh-ed25519 AAAA…`.
    pub host_key: String,
    config: PathBuf,
    log: PathBuf,
    child: Option<Child>,
}

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn is_root() -> bool {
    String::from_utf8_lossy(&run(Command::new("id").arg("-u")).stdout).trim() == "0"
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind an ephemeral port")
        .port()
}

fn prepare_root_login() -> String {
    // Tests start servers in parallel; useradd/usermod lock /etc/passwd and fail when they
    // race, so the account is prepared once per test process.
    static READY: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    READY.get_or_init(|| {
        fs::create_dir_all("/run/sshd")
            .expect("create /run/sshd (sshd's privilege separation dir)");
        let known = Command::new("id")
            .arg(TEST_USER)
            .output()
            .is_ok_and(|o| o.status.success());
        if !known {
            // Another test binary may create the user at the same moment; only the result counts.
            let _ = Command::new("useradd")
                .args(["-m", "-s", "/bin/bash", TEST_USER])
                .output();
        }
        // A locked account ('!' in shadow) is refused when UsePAM is off. Retried because
        // another test process may hold the passwd lock for a moment.
        for attempt in 0.. {
            let ok = Command::new("usermod")
                .args(["-p", "*", TEST_USER])
                .output()
                .is_ok_and(|o| o.status.success());
            if ok {
                break;
            }
            assert!(attempt < 20, "usermod -p '*' {TEST_USER} keeps failing");
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    TEST_USER.to_string()
}

/// Creates an ed25519 key pair at `path` (and `path.pub`); `passphrase` may be empty.
pub fn keygen(path: &Path, passphrase: &str) -> PathBuf {
    run(Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-C",
            "sparkdeck-test",
            "-N",
            passphrase,
            "-f",
        ])
        .arg(path));
    path.to_path_buf()
}

fn pub_key(path: &Path) -> String {
    let text = fs::read_to_string(path.with_extension("pub")).expect("read .pub");
    text.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

impl Sshd {
    pub fn start() -> Sshd {
        assert!(
            Path::new(SSHD).exists(),
            "install openssh-server (the README's test command does)"
        );
        let dir = tempfile::Builder::new()
            .prefix("sparkdeck-sshd-")
            .tempdir()
            .expect("temp dir");
        // sshd reads authorized_keys as the login user, who must be able to enter the dir.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let user = if is_root() {
            prepare_root_login()
        } else {
            String::from_utf8_lossy(&run(Command::new("id").arg("-un")).stdout)
                .trim()
                .to_string()
        };
        let host_key_path = keygen(&dir.path().join("host_ed25519"), "");
        let client_key = keygen(&dir.path().join("client_ed25519"), "");
        let authorized = dir.path().join("authorized_keys");
        fs::write(&authorized, format!("{}\n", pub_key(&client_key))).unwrap();
        fs::set_permissions(&authorized, fs::Permissions::from_mode(0o644)).unwrap();
        // A directory the remote user may write to (pid files of remote commands).
        let shared = dir.path().join("shared");
        fs::create_dir(&shared).unwrap();
        fs::set_permissions(&shared, fs::Permissions::from_mode(0o777)).unwrap();

        // Fake tools put here (see `install_remote_tool`) come first on the remote PATH.
        let bin = dir.path().join("bin");
        fs::create_dir(&bin).unwrap();
        fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).unwrap();

        let port = free_port();
        let d = dir.path().display();
        let config = dir.path().join("sshd_config");
        fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_ed25519\nPidFile {d}/sshd.pid\n\
                 AuthorizedKeysFile {d}/authorized_keys\nUsePAM no\nStrictModes no\nPubkeyAuthentication yes\n\
                 PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n\
                 AllowTcpForwarding yes\nMaxSessions 10\nLogLevel VERBOSE\n\
                 SetEnv PATH={d}/bin:/usr/local/bin:/usr/bin:/bin\n"
            ),
        )
        .unwrap();
        let host_key = pub_key(&host_key_path);
        let known_hosts = dir.path().join("known_hosts");
        fs::write(&known_hosts, format!("[127.0.0.1]:{port} {host_key}\n")).unwrap();
        run(Command::new(SSHD).arg("-t").arg("-f").arg(&config));
        let mut sshd = Sshd {
            log: dir.path().join("sshd.log"),
            dir,
            port,
            user,
            client_key,
            known_hosts,
            host_key,
            config,
            child: None,
        };
        sshd.launch();
        sshd
    }

    fn launch(&mut self) {
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let start_len = fs::metadata(&self.log).map(|m| m.len()).unwrap_or(0) as usize;
        let child = Command::new(SSHD)
            .args(["-D", "-e", "-f"])
            .arg(&self.config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start sshd");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = fs::read_to_string(&self.log).unwrap_or_default();
            if text
                .get(start_len..)
                .is_some_and(|t| t.contains("Server listening on"))
            {
                return;
            }
            assert!(Instant::now() < deadline, "sshd did not start:\n{text}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A directory the remote user can write to.
    pub fn shared_dir(&self) -> PathBuf {
        self.path("shared")
    }

    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Installs an executable script that remote commands find first on their PATH, e.g. a
    /// fake `nvidia-smi` printing a recorded capture.
    pub fn install_remote_tool(&self, name: &str, script: &str) -> PathBuf {
        let path = self.path("bin").join(name);
        super::write_executable(&path, script);
        path
    }

    /// Adds a public key to authorized_keys.
    pub fn authorize(&self, key: &Path) {
        let mut f = fs::OpenOptions::new()
            .append(true)
            .open(self.path("authorized_keys"))
            .unwrap();
        writeln!(f, "{}", pub_key(key)).unwrap();
    }

    pub fn target(&self) -> SshTarget {
        SshTarget {
            name: "test-spark".into(),
            host: "127.0.0.1".into(),
            port: self.port,
            user: self.user.clone(),
            identity_files: vec![self.client_key.clone()],
            jump: None,
        }
    }

    /// Strict host keys against this server's known_hosts, no agent, short timeouts.
    pub fn options(&self) -> SshOptions {
        let mut o = SshOptions::new(self.known_hosts.clone(), HostKeyPolicy::Strict);
        o.agent_socket = Some(PathBuf::new());
        o.connect_timeout = Duration::from_secs(10);
        o
    }

    fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The session processes sshd forked (all descendants of the listener).
    fn session_pids(&self) -> Vec<u32> {
        let Some(root) = self.pid() else {
            return Vec::new();
        };
        let mut parents: Vec<(u32, u32)> = Vec::new();
        for entry in fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            // The command name may contain spaces; the fields after its ')' are fixed.
            let Some(after) = stat.rsplit_once(')').map(|(_, a)| a) else {
                continue;
            };
            if let Some(ppid) = after.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
                parents.push((pid, ppid));
            }
        }
        let mut found = vec![root];
        let mut i = 0;
        while i < found.len() {
            let p = found[i];
            found.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
            i += 1;
        }
        found.remove(0);
        found
    }

    fn signal(pids: &[u32], sig: &str) {
        if pids.is_empty() {
            return;
        }
        let _ = Command::new("kill")
            .arg(format!("-{sig}"))
            .args(pids.iter().map(u32::to_string))
            .stderr(Stdio::null())
            .status();
    }

    /// Stops (SIGSTOP) every session process, rescanning until no new one appears: a
    /// session may fork its unprivileged child while we look.
    fn stop_session_tree(&self) -> Vec<u32> {
        let mut stopped: Vec<u32> = Vec::new();
        loop {
            let fresh: Vec<u32> = self
                .session_pids()
                .into_iter()
                .filter(|p| !stopped.contains(p))
                .collect();
            if fresh.is_empty() {
                return stopped;
            }
            Self::signal(&fresh, "STOP");
            stopped.extend(fresh);
        }
    }

    /// Freezes every open session so the client only notices through its keepalives.
    pub fn freeze_sessions(&self) {
        self.stop_session_tree();
    }

    /// Stops the daemon and kills its sessions, like a host going down.
    pub fn stop(&mut self) {
        if let Some(pid) = self.pid() {
            // No new sessions while the tree is collected.
            Self::signal(&[pid], "STOP");
        }
        let sessions = self.stop_session_tree();
        Self::signal(&sessions, "KILL");
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the daemon again on the same port with the same keys.
    pub fn restart(&mut self) {
        self.stop();
        self.launch();
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// An ssh-agent on a socket in `dir`, holding `keys`; killed on drop.
pub struct Agent {
    pub socket: PathBuf,
    child: Child,
}

impl Agent {
    pub fn start(dir: &Path, keys: &[&Path]) -> Agent {
        let socket = dir.join("agent.sock");
        let child = Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&socket)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start ssh-agent");
        let deadline = Instant::now() + Duration::from_secs(5);
        while !socket.exists() {
            assert!(
                Instant::now() < deadline,
                "ssh-agent did not create {socket:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        for key in keys {
            run(Command::new("ssh-add")
                .arg("-q")
                .arg(key)
                .env("SSH_AUTH_SOCK", &socket));
        }
        Agent { socket, child }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether a process id is still alive (and not a zombie).
pub fn process_alive(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            stat.rsplit_once(')')
                .and_then(|(_, a)| a.split_whitespace().next())
                != Some("Z")
        }
        Err(_) => false,
    }
}
