//! `sources::host_info::collect` and `snapshot::take` end to end against this machine's real
//! `sh`, `id`, `uname` and `/proc/uptime`, through the real `LocalHost`.
//! Expected values are read independently from /proc and /etc, not from the same commands.

mod support;

use async_trait::async_trait;
use sparkdeck::host::{ExecOutput, Forward, Host, HostError, HostKind, LineStream, LocalHost};
use sparkdeck::snapshot::{self, Snapshot};
use sparkdeck::sources::{SourceError, host_info};
use std::net::SocketAddr;
use std::os::unix::fs::MetadataExt;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The real `LocalHost` under another name, with argv[0] replaced: it stands in for a
/// Spark whose shell is broken or missing.
struct ShellSwapped {
    name: String,
    program: String,
    inner: LocalHost,
}

impl ShellSwapped {
    fn new(name: &str, program: &str) -> Self {
        Self {
            name: name.into(),
            program: program.into(),
            inner: LocalHost::new(),
        }
    }

    fn swap<'a>(&'a self, argv: &[&'a str]) -> Vec<&'a str> {
        let mut v = argv.to_vec();
        v[0] = &self.program;
        v
    }
}

#[async_trait]
impl Host for ShellSwapped {
    fn name(&self) -> &str {
        &self.name
    }
    fn kind(&self) -> HostKind {
        HostKind::Local
    }
    async fn exec(&self, argv: &[&str]) -> Result<ExecOutput, HostError> {
        self.inner.exec(&self.swap(argv)).await
    }
    async fn stream_lines(&self, argv: &[&str]) -> Result<LineStream, HostError> {
        self.inner.stream_lines(&self.swap(argv)).await
    }
    async fn read_file(&self, path: &str) -> Result<Vec<u8>, HostError> {
        self.inner.read_file(path).await
    }
    async fn forward_port(
        &self,
        local: SocketAddr,
        remote_host: &str,
        remote_port: u16,
    ) -> Result<Forward, HostError> {
        self.inner
            .forward_port(local, remote_host, remote_port)
            .await
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
    let info = host_info::collect(&LocalHost::new()).await.unwrap();
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
async fn snapshot_json_is_schema_1_with_the_host_and_gpus_sections() {
    let start = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let snap = snapshot::take(&LocalHost::new()).await.unwrap();
    let end = OffsetDateTime::now_utc();

    let json = snapshot::to_json(&snap);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut keys: Vec<_> = value.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["gpus", "host", "problems", "schema", "taken_at"]);
    assert!(value["gpus"].is_array());
    assert_eq!(
        value["problems"],
        serde_json::json!([]),
        "nothing judged yet"
    );
    assert_eq!(value["schema"], 1);
    assert_eq!(value["host"]["name"], "local");
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
    // Why no GPU was found is for the text output only, not part of the document.
    let mut expected = snap.clone();
    expected.gpus_error = None;
    assert_eq!(back, expected);

    let text = snapshot::to_text(&snap);
    let arch = format!("arch {}", std::env::consts::ARCH);
    assert!(text.contains("host  local (local)"), "{text}");
    assert!(text.contains(&arch), "{text}");
    assert!(text.contains("  up "), "{text}");
}

/// The findings step on this machine: no NVIDIA driver is no GPU problem, and the host
/// rule agrees with what /etc says about this account and docker.
#[tokio::test]
async fn findings_on_a_host_without_the_driver_have_no_gpu_problem() {
    let host = LocalHost::new();
    let mut snap = snapshot::take(&host).await.unwrap();
    let config = sparkdeck::config::Config::default();
    snapshot::add_findings(&mut snap, &host, &config).await;
    if snap.gpus.is_empty() {
        assert!(
            snap.problems.iter().all(|p| p.area != "gpu"),
            "{:?} (gpus_error {:?})",
            snap.problems,
            snap.gpus_error
        );
    }
    let (user, _) = passwd_entry();
    let docker = std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .any(|d| std::path::Path::new(d).join("docker").exists());
    let member = snap.host.groups.iter().any(|g| g == "docker");
    let want_host = docker && !member && user != "root";
    let host_problems: Vec<_> = snap.problems.iter().filter(|p| p.area == "host").collect();
    assert_eq!(!host_problems.is_empty(), want_host, "{host_problems:?}");
    let json: serde_json::Value = serde_json::from_str(&snapshot::to_json(&snap)).unwrap();
    assert!(json["problems"].is_array());
}

#[tokio::test]
async fn a_failing_shell_is_reported_with_its_status_and_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let shell = dir.path().join("broken-sh");
    support::write_executable(
        &shell,
        "#!/bin/sh\necho 'sh: restricted: cannot run' >&2\nexit 3\n",
    );
    let host = ShellSwapped::new("spark-x", &shell.display().to_string());
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
    let host = ShellSwapped::new("spark-y", "/nonexistent/sparkdeck-test-sh");
    let err = host_info::collect(&host).await.unwrap_err();
    assert!(
        matches!(&err, SourceError::Host { host, source: HostError::Spawn { .. }, .. } if host == "spark-y"),
        "{err:?}"
    );
    assert!(err.to_string().contains("/nonexistent/sparkdeck-test-sh"));
}
