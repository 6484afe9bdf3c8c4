//! `sources::host_info::collect` and `snapshot::take` end to end against this machine's real
//! `sh`, `id`, `uname` and `/proc/uptime`, through a `Host` that runs processes locally.
//! Expected values are read independently from /proc and /etc, not from the same commands.

use async_trait::async_trait;
use sparkdeck::host::{ExecOutput, Forward, Host, HostError, HostKind, LineStream, StreamEvent};
use sparkdeck::snapshot::{self, Snapshot};
use sparkdeck::sources::{SourceError, host_info};
use std::net::SocketAddr;
use std::os::unix::fs::MetadataExt;
use std::process::Stdio;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Runs commands on this machine with tokio::process. `program` replaces argv[0] when set, to
/// stand in for a broken or missing remote shell.
struct ProcessHost {
    name: String,
    program: Option<String>,
}

impl ProcessHost {
    fn new(name: &str) -> Self {
        Self {
            name: name.into(),
            program: None,
        }
    }

    fn command(&self, argv: &[&str]) -> Command {
        let program = self.program.as_deref().unwrap_or(argv[0]);
        let mut cmd = Command::new(program);
        cmd.args(&argv[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        cmd
    }

    fn spawn_error(&self, argv: &[&str], source: std::io::Error) -> HostError {
        HostError::Spawn {
            program: self.program.as_deref().unwrap_or(argv[0]).to_string(),
            source,
        }
    }
}

#[async_trait]
impl Host for ProcessHost {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> HostKind {
        HostKind::Local
    }

    async fn exec(&self, argv: &[&str]) -> Result<ExecOutput, HostError> {
        let out = self
            .command(argv)
            .output()
            .await
            .map_err(|e| self.spawn_error(argv, e))?;
        Ok(ExecOutput {
            status: out.status.code(),
            stdout: out.stdout,
            stderr: out.stderr,
        })
    }

    async fn stream_lines(&self, argv: &[&str]) -> Result<LineStream, HostError> {
        let mut child = self
            .command(argv)
            .spawn()
            .map_err(|e| self.spawn_error(argv, e))?;
        let (tx, rx) = mpsc::channel(64);
        let cancel = CancellationToken::new();
        let stop = cancel.clone();
        let mut out = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();
        let mut err = BufReader::new(child.stderr.take().expect("stderr is piped")).lines();
        tokio::spawn(async move {
            let (mut out_open, mut err_open) = (true, true);
            while out_open || err_open {
                let event = tokio::select! {
                    _ = stop.cancelled() => break,
                    line = out.next_line(), if out_open => match line {
                        Ok(Some(l)) => StreamEvent::Stdout(l),
                        _ => { out_open = false; continue; }
                    },
                    line = err.next_line(), if err_open => match line {
                        Ok(Some(l)) => StreamEvent::Stderr(l),
                        _ => { err_open = false; continue; }
                    },
                };
                if tx.send(event).await.is_err() {
                    break;
                }
            }
            let _ = child.start_kill();
            let status = child.wait().await.ok().and_then(|s| s.code());
            let _ = tx.send(StreamEvent::Exit(status)).await;
        });
        Ok(LineStream::new(rx, cancel))
    }

    async fn read_file(&self, path: &str) -> Result<Vec<u8>, HostError> {
        tokio::fs::read(path).await.map_err(|source| HostError::Io {
            context: format!("reading {path}"),
            source,
        })
    }

    async fn forward_port(
        &self,
        local: SocketAddr,
        remote_host: &str,
        remote_port: u16,
    ) -> Result<Forward, HostError> {
        let listener = tokio::net::TcpListener::bind(local)
            .await
            .map_err(|source| HostError::Io {
                context: format!("listening on {local}"),
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| HostError::Io {
            context: format!("listening on {local}"),
            source,
        })?;
        let target = format!("{remote_host}:{remote_port}");
        let cancel = CancellationToken::new();
        let stop = cancel.clone();
        tokio::spawn(async move {
            loop {
                let mut inbound = tokio::select! {
                    _ = stop.cancelled() => return,
                    accepted = listener.accept() => match accepted {
                        Ok((s, _)) => s,
                        Err(_) => return,
                    },
                };
                let target = target.clone();
                tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Ok(Forward::new(local_addr, cancel))
    }
}

fn read_trimmed(path: &str) -> String {
    std::fs::read_to_string(path).unwrap().trim().to_string()
}

fn proc_uptime() -> u64 {
    let text = read_trimmed("/proc/uptime");
    let secs = text.split(['.', ' ']).next().unwrap();
    secs.parse().unwrap()
}

/// (user name, primary group name) of this process, from /etc/passwd and /etc/group.
fn passwd_entry() -> (String, String) {
    let uid = std::fs::metadata("/proc/self").unwrap().uid();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    let fields: Vec<&str> = passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() > 3 && f[2] == uid.to_string())
        .expect("this user is in /etc/passwd");
    let (user, gid) = (fields[0].to_string(), fields[3].to_string());
    let group = std::fs::read_to_string("/etc/group")
        .unwrap()
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() > 2 && f[2] == gid)
        .map(|f| f[0].to_string())
        .expect("the primary group is in /etc/group");
    (user, group)
}

#[tokio::test]
async fn host_info_matches_what_proc_and_etc_say() {
    let before = proc_uptime();
    let info = host_info::collect(&ProcessHost::new("local"))
        .await
        .unwrap();
    let after = proc_uptime();

    let (user, group) = passwd_entry();
    assert_eq!(info.name, "local");
    assert_eq!(info.source, "local");
    assert_eq!(
        info.hostname.as_deref(),
        Some(read_trimmed("/proc/sys/kernel/hostname").as_str())
    );
    assert_eq!(info.user.as_deref(), Some(user.as_str()));
    assert!(
        info.groups.contains(&group),
        "{:?} lacks {group}",
        info.groups
    );
    assert_eq!(
        info.kernel.as_deref(),
        Some(read_trimmed("/proc/sys/kernel/osrelease").as_str())
    );
    assert_eq!(info.arch.as_deref(), Some(std::env::consts::ARCH));
    let up = info.uptime_s.expect("uptime is known on Linux");
    assert!(
        (before..=after).contains(&up),
        "{before} <= {up} <= {after}"
    );
}

#[tokio::test]
async fn snapshot_json_is_schema_1_with_only_the_host_section() {
    let start = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let snap = snapshot::take(&ProcessHost::new("bench")).await.unwrap();
    let end = OffsetDateTime::now_utc();

    let json = snapshot::to_json(&snap);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut keys: Vec<_> = value.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["host", "schema", "taken_at"]);
    assert_eq!(value["schema"], 1);
    assert_eq!(value["host"]["name"], "bench");
    assert_eq!(value["host"]["source"], "local");
    assert!(value["host"]["groups"].is_array());
    assert!(value["host"]["uptime_s"].is_u64());

    let taken = OffsetDateTime::parse(value["taken_at"].as_str().unwrap(), &Rfc3339).unwrap();
    assert!(
        start <= taken && taken <= end,
        "{start} <= {taken} <= {end}"
    );
    assert_eq!(taken.offset(), time::UtcOffset::UTC);

    let back: Snapshot = serde_json::from_str(&json).unwrap();
    assert_eq!(back, snap);

    let text = snapshot::to_text(&snap);
    let arch = format!("arch {}", std::env::consts::ARCH);
    assert!(text.contains("host  bench (local)"), "{text}");
    assert!(text.contains(&arch), "{text}");
    assert!(text.contains("  up "), "{text}");
}

#[tokio::test]
async fn a_failing_shell_is_reported_with_its_status_and_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let shell = dir.path().join("broken-sh");
    std::fs::write(
        &shell,
        "#!/bin/sh\necho 'sh: restricted: cannot run' >&2\nexit 3\n",
    )
    .unwrap();
    std::fs::set_permissions(&shell, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let host = ProcessHost {
        name: "spark-x".into(),
        program: Some(shell.display().to_string()),
    };
    let err = host_info::collect(&host).await.unwrap_err();
    assert!(
        matches!(
            &err,
            SourceError::Failed {
                status: Some(3),
                ..
            }
        ),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("spark-x"), "{msg}");
    assert!(
        msg.contains("status 3: sh: restricted: cannot run"),
        "{msg}"
    );

    let err = snapshot::take(&host).await.unwrap_err();
    assert!(err.to_string().contains("status 3"), "{err}");
}

#[tokio::test]
async fn a_missing_shell_is_a_host_error_naming_the_host() {
    let host = ProcessHost {
        name: "spark-y".into(),
        program: Some("/nonexistent/sparkdeck-test-sh".into()),
    };
    let err = host_info::collect(&host).await.unwrap_err();
    assert!(
        matches!(&err, SourceError::Host { host, source: HostError::Spawn { .. }, .. } if host == "spark-y"),
        "{err:?}"
    );
    assert!(err.to_string().contains("/nonexistent/sparkdeck-test-sh"));
}

/// The test host's other methods are exercised too, so a later test relying on them can.
#[tokio::test]
async fn the_process_host_streams_reads_and_forwards() {
    let host = ProcessHost::new("local");
    let mut stream = host
        .stream_lines(&["sh", "-c", "echo one; echo two >&2; exit 4"])
        .await
        .unwrap();
    let mut events = Vec::new();
    while let Some(e) = stream.next().await {
        events.push(e);
    }
    assert!(events.contains(&StreamEvent::Stdout("one".into())));
    assert!(events.contains(&StreamEvent::Stderr("two".into())));
    assert_eq!(events.last(), Some(&StreamEvent::Exit(Some(4))));

    assert_eq!(
        host.read_file("/proc/sys/kernel/osrelease").await.unwrap(),
        std::fs::read("/proc/sys/kernel/osrelease").unwrap()
    );

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = server.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (mut s, _) = server.accept().await.unwrap();
        s.write_all(b"hello through the tunnel").await.unwrap();
    });
    let fwd = host
        .forward_port("127.0.0.1:0".parse().unwrap(), "127.0.0.1", port)
        .await
        .unwrap();
    let mut client = tokio::net::TcpStream::connect(fwd.local_addr)
        .await
        .unwrap();
    let mut got = String::new();
    client.read_to_string(&mut got).await.unwrap();
    assert_eq!(got, "hello through the tunnel");
}
