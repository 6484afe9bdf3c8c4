//! A real, throw-away PostgreSQL server for the direct-database backend: `initdb` into a temp
//! dir, listening on 127.0.0.1 at a free port, trust auth for user `test` plus a password
//! user for the login tests. One server per test binary; each test gets its own database.
//!
//! PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user (made
//! if missing) and owns its temp dir.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use tempfile::TempDir;

/// The login user with a password (`md5`/`scram` over TCP), for the wrong-password test.
pub const PW_USER: &str = "pwuser";
pub const PW_PASSWORD: &str = "right-horse-battery";

pub struct PgServer {
    dir: TempDir,
    bin: PathBuf,
    pub port: u16,
    run_as: Option<String>,
    watcher: Option<std::process::Child>,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind an ephemeral port")
        .port()
}

/// `initdb`'s directory: on PATH, else Debian's `/usr/lib/postgresql/<v>/bin`.
fn bin_dir() -> PathBuf {
    if let Ok(out) = Command::new("sh")
        .args(["-c", "command -v initdb"])
        .output()
        && out.status.success()
    {
        let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        let real = std::fs::canonicalize(&path).unwrap_or(path);
        if let Some(dir) = real.parent() {
            return dir.to_path_buf();
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").exists())
        .collect();
    found.sort();
    found
        .pop()
        .expect("initdb not found: install postgresql (the README's test command does)")
}

impl PgServer {
    /// The server shared by every test of this binary. A watcher process stops it when the
    /// test process ends, since statics are never dropped.
    pub fn shared() -> &'static PgServer {
        static SERVER: OnceLock<PgServer> = OnceLock::new();
        SERVER.get_or_init(|| {
            let mut server = PgServer::start();
            let stop = format!(
                "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {cmd}",
                pid = std::process::id(),
                cmd = server.stop_command()
            );
            let watcher = Command::new("sh")
                .args(["-c", &stop])
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("start the server's watcher");
            // Kept, never waited for: it outlives this process by design.
            server.watcher = Some(watcher);
            server
        })
    }

    pub fn start() -> PgServer {
        let bin = bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("sparkdeck-pg-")
            .tempdir()
            .expect("temp dir");
        make_certs(dir.path());
        let run_as = is_root().then(|| {
            if Command::new("id")
                .arg("postgres")
                .output()
                .map(|o| !o.status.success())
                .unwrap_or(true)
            {
                let _ = Command::new("useradd")
                    .args(["--system", "--no-create-home", "postgres"])
                    .status();
            }
            let ok = Command::new("chown")
                .args(["-R", "postgres:", &dir.path().display().to_string()])
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            assert!(ok, "chown the PostgreSQL temp dir to postgres");
            "postgres".to_string()
        });
        let port = free_port();
        let server = PgServer {
            dir,
            bin,
            port,
            run_as,
            watcher: None,
        };
        let data = server.data().display().to_string();
        server.run(&[
            "initdb",
            "-D",
            &data,
            "-U",
            "test",
            "--auth-local=trust",
            "--auth-host=trust",
            "-E",
            "UTF8",
        ]);
        // The password user must really be checked over TCP; everyone else is trusted.
        let hba = server.data().join("pg_hba.conf");
        let old = std::fs::read_to_string(&hba).expect("read pg_hba.conf");
        std::fs::write(
            &hba,
            format!("host all {PW_USER} 127.0.0.1/32 scram-sha-256\n{old}"),
        )
        .expect("write pg_hba.conf");
        let opts = format!(
            "-p {} -k {d} -c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file={d}/server.crt \
             -c ssl_key_file={d}/server.key",
            server.port,
            d = server.dir.path().display()
        );
        let log = server.dir.path().join("log").display().to_string();
        server.run(&[
            "pg_ctl", "-D", &data, "-o", &opts, "-l", &log, "-w", "start",
        ]);
        server
    }

    /// The CA that signed the server's certificate (for `SSL_CERT_FILE`).
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.crt")
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, tool: &str) -> Command {
        let exe = self.bin.join(tool);
        match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(exe);
                c
            }
            None => Command::new(exe),
        }
    }

    fn run(&self, args: &[&str]) {
        let out = self
            .command(args[0])
            .args(&args[1..])
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", args[0]));
        let log = std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default();
        assert!(
            out.status.success(),
            "{args:?} failed: {}{}\n{log}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn stop_command(&self) -> String {
        let pg_ctl = self.bin.join("pg_ctl");
        let data = self.data();
        let prefix = match &self.run_as {
            Some(u) => format!("runuser -u {u} -- "),
            None => String::new(),
        };
        format!(
            "{prefix}{} -D {} -m immediate stop; rm -rf {}",
            pg_ctl.display(),
            data.display(),
            self.dir.path().display()
        )
    }

    /// A DSN for `db` as the trusted user, plain TCP (`sslmode=disable`) on loopback.
    pub fn dsn(&self, db: &str) -> String {
        format!(
            "postgres://test@127.0.0.1:{}/{db}?sslmode=disable",
            self.port
        )
    }

    /// A fresh database `name` holding `hd_ingestion_jobs` as the worker creates it.
    pub async fn database(&self, name: &str) -> (String, tokio_postgres::Client) {
        // Tests run in parallel; copies of one template are made one at a time.
        static CREATING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
        {
            let _one = CREATING.lock().await;
            let admin = connect(&self.dsn("postgres")).await;
            for sql in [
                format!("DROP DATABASE IF EXISTS {name}"),
                format!("CREATE DATABASE {name}"),
            ] {
                admin
                    .batch_execute(&sql)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
        }
        let dsn = self.dsn(name);
        let client = connect(&dsn).await;
        (dsn, client)
    }

    /// The password user, created once.
    pub async fn password_user(&self) {
        let admin = connect(&self.dsn("postgres")).await;
        let _ = admin
            .batch_execute(&format!(
                "CREATE ROLE {PW_USER} LOGIN PASSWORD '{PW_PASSWORD}'"
            ))
            .await;
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let _ = Command::new("sh")
            .args(["-c", &self.stop_command()])
            .status();
    }
}

/// A throw-away CA and a certificate for 127.0.0.1 signed by it, so TLS can be verified for
/// real (the client trusts the CA through `SSL_CERT_FILE`).
fn make_certs(dir: &Path) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap_or_else(|e| {
                panic!("openssl (install it; the README's test command does): {e}")
            });
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    run(&[
        &["req", "-x509"][..],
        &ec,
        &[
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "2",
            "-subj",
            "/CN=sparkdeck test CA",
        ],
    ]
    .concat());
    run(&[
        &["req"][..],
        &ec,
        &[
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    ]
    .concat());
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .expect("write the certificate extensions");
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.crt",
        "-days",
        "2",
        "-extfile",
        "server.ext",
    ]);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        dir.join("server.key"),
        std::fs::Permissions::from_mode(0o600),
    )
    .expect("chmod the server key");
}

pub async fn connect(dsn: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(dsn, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect to the test server: {e}"));
    tokio::spawn(async move {
        let _ = conn.await;
    });
    client
}

/// The seed's table (column names as configured by `cols`) with no rows.
pub async fn create_jobs_table(c: &tokio_postgres::Client, table: &str, cols: &[&str; 10]) {
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let types = [
        "uuid primary key default gen_random_uuid()",
        "text",
        "text",
        "text not null",
        "int not null default 0",
        "text",
        "jsonb",
        "timestamptz not null default now()",
        "timestamptz",
        "timestamptz",
    ];
    let body: Vec<String> = cols
        .iter()
        .zip(types)
        .map(|(c, t)| format!("{} {t}", q(c)))
        .collect();
    c.batch_execute(&format!("CREATE TABLE {} ({})", q(table), body.join(", ")))
        .await
        .expect("create the jobs table");
}
