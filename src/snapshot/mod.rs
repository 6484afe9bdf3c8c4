//! `sparkdeck snapshot`: a one-shot, script-friendly picture of a host (DESIGN §7).
//!
//! The JSON keys are an interface (docs/snapshot.md): renaming or removing one bumps
//! `SCHEMA`. Sections this build does not collect yet are absent from the struct, so they are
//! absent from the output rather than filled with made-up values.

pub(crate) mod findings;
mod models;
mod services;

pub use findings::{
    USERMOD_DOCKER, gpu_absent, gpu_problems, gpu_summary, host_problems, jobs_error_problem,
    jobs_problems,
};

/// The models problems alone, for callers that judge them (`doctor`).
pub use models::problems as models_problems;
pub use models::{
    DefaultEntry, DuplicateEntry, FilesystemEntry, ModelItem, ModelsSection, StoreEntry,
    add_models, models_section, models_text,
};
pub use services::{
    HealthEntry, OwnerEntry, Problem, ServiceEntry, add_services, docker_installed, docker_read,
    problems, problems_text, row_problem, service_entry, services_text, source_problem,
};

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::config::{Config, JobsSettings};
use crate::gpu::{GpuSnapshot, gpus_once};
use crate::host::{Host, HostKind};
use crate::jobs::{self, Credentials, JobQuery, JobsBackend, JobsClient, JobsError, creds};
use crate::metrics::{MemoryView, memory_view, on_gpu};
use crate::model::{HostInfo, MemoryKind};
use crate::sources::{SourceError, host_info};

/// The version of the snapshot document; see docs/snapshot.md.
pub const SCHEMA: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub schema: u32,
    /// RFC 3339, UTC.
    pub taken_at: String,
    pub host: HostInfo,
    /// Every GPU of the host; empty when none could be read (`gpus_error` says why).
    #[serde(default)]
    pub gpus: Vec<GpuEntry>,
    /// Why `gpus` is empty, for the text output. Not part of the JSON document.
    #[serde(skip)]
    pub gpus_error: Option<String>,
    /// The worker's job queue; absent when no credentials could be found or the queue could
    /// not be read (`jobs_error` says why).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jobs: Option<JobsSummary>,
    /// Why `jobs` is absent, for the text output. Not part of the JSON document.
    #[serde(skip)]
    pub jobs_error: Option<String>,
    /// The Services tab's rows: catalogue merged with what listens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<ServiceEntry>>,
    /// Model stores, models, duplicates, filesystems and default roles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub models: Option<ModelsSection>,
    /// What is red, with the fix where known, in the order of `AREAS`; always present, empty
    /// when nothing is wrong.
    #[serde(default)]
    pub problems: Vec<Problem>,
}

/// Every `area` a problem can have, in the order the document lists them.
pub const AREAS: [&str; 5] = ["host", "gpu", "jobs", "services", "models"];

/// Rows read to count jobs per status (one request; counts are partial beyond this).
pub const STATUS_SAMPLE_ROWS: u32 = 10_000;
/// Jobs listed in `recent`.
pub const RECENT_JOBS: u32 = 10;

/// The `jobs` section (DESIGN §7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobsSummary {
    /// Rows in the table, from `Content-Range`; `null` when the server did not say.
    pub total: Option<u64>,
    /// Jobs per status: grouped from one read of the newest rows, or, when the table is larger
    /// than that read, exact counts of each status seen in it.
    pub by_status: std::collections::BTreeMap<String, u64>,
    /// How many rows `by_status` covers: equal to `total` unless a status appears only in
    /// rows older than the read.
    pub by_status_rows: u64,
    pub recent: Vec<RecentJob>,
    pub stuck: bool,
    pub hints: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecentJob {
    pub id: String,
    pub job_type: Option<String>,
    pub status: String,
    pub attempts: Option<i64>,
    /// First line of the error.
    pub error: Option<String>,
    pub created_at: Option<String>,
}

/// Reads the `jobs` section through `client`: the newest jobs with the total, counts per
/// status, the stuck rule, and hints about which Supabase the credentials point at.
pub async fn jobs_summary(
    client: &JobsClient,
    creds: &Credentials,
    now: OffsetDateTime,
) -> Result<JobsSummary, JobsError> {
    queue_summary(client, Some(creds), now).await
}

/// [`jobs_summary`] for either backend; `creds` (Supabase only) feed the hints.
pub async fn backend_summary(
    backend: &JobsBackend,
    creds: Option<&Credentials>,
    now: OffsetDateTime,
) -> Result<JobsSummary, JobsError> {
    queue_summary(backend, creds, now).await
}

/// The reads a summary needs, so one summary serves the PostgREST client and the backend enum.
trait QueueReads {
    fn settings(&self) -> &JobsSettings;
    async fn list(&self, q: &JobQuery) -> Result<crate::model::JobsPage, JobsError>;
    async fn status_counts(
        &self,
        max_rows: u32,
    ) -> Result<(std::collections::BTreeMap<String, u64>, u64), JobsError>;
    async fn count(&self, status: Option<&str>) -> Result<Option<u64>, JobsError>;
    async fn edge(
        &self,
        column: &str,
        status: Option<&str>,
        ascending: bool,
    ) -> Result<Option<String>, JobsError>;
}

macro_rules! queue_reads {
    ($t:ty) => {
        impl QueueReads for $t {
            fn settings(&self) -> &JobsSettings {
                <$t>::settings(self)
            }
            async fn list(&self, q: &JobQuery) -> Result<crate::model::JobsPage, JobsError> {
                <$t>::list(self, q).await
            }
            async fn status_counts(
                &self,
                max_rows: u32,
            ) -> Result<(std::collections::BTreeMap<String, u64>, u64), JobsError> {
                <$t>::status_counts(self, max_rows).await
            }
            async fn count(&self, status: Option<&str>) -> Result<Option<u64>, JobsError> {
                <$t>::count(self, status).await
            }
            async fn edge(
                &self,
                column: &str,
                status: Option<&str>,
                ascending: bool,
            ) -> Result<Option<String>, JobsError> {
                <$t>::edge(self, column, status, ascending).await
            }
        }
    };
}
queue_reads!(JobsClient);
queue_reads!(JobsBackend);

async fn queue_summary(
    client: &impl QueueReads,
    creds: Option<&Credentials>,
    now: OffsetDateTime,
) -> Result<JobsSummary, JobsError> {
    let s = client.settings();
    let mut q = JobQuery::newest(s);
    q.limit = RECENT_JOBS;
    let page = client.list(&q).await?;
    let (mut by_status, mut by_status_rows) = client.status_counts(STATUS_SAMPLE_ROWS).await?;
    // The read was capped (by our limit or the server's max_rows, 1000 on Supabase): count
    // each status seen exactly, one count request apiece.
    if page.total.is_some_and(|t| t > by_status_rows) {
        for (status, n) in by_status.iter_mut() {
            if let Some(exact) = client.count(Some(status)).await? {
                *n = exact;
            }
        }
        by_status_rows = by_status.values().sum();
    }
    let oldest_queued = client
        .edge(&s.column_created_at, Some(&s.requeue_to), true)
        .await?;
    let newest_started = client.edge(&s.column_started_at, None, false).await?;
    let stuck = jobs::is_stuck(
        oldest_queued.as_deref().and_then(jobs::parse_timestamp),
        newest_started.as_deref().and_then(jobs::parse_timestamp),
        now,
        s.stuck_queued_min,
        s.stuck_idle_min,
    );
    let mut hints = Vec::new();
    if let Some(creds) = creds
        && creds::is_local_supabase(&creds.url)
    {
        hints.push(format!(
            "the credentials point at the local Supabase CLI stack ({}); check that the worker \
             reads the same one",
            creds.url
        ));
    }
    if creds
        .and_then(|c| creds::jwt_issuer(c.expose_key()))
        .as_deref()
        == Some("supabase-demo")
    {
        hints.push(
            "the key is a Supabase CLI demo key (iss supabase-demo), not a cloud project's".into(),
        );
    }
    let recent = page
        .jobs
        .into_iter()
        .map(|j| RecentJob {
            error: j
                .error
                .as_deref()
                .and_then(|e| e.lines().next())
                .map(str::to_string),
            id: j.id,
            job_type: j.job_type,
            status: j.status,
            attempts: j.attempts,
            created_at: j.created_at,
        })
        .collect();
    Ok(JobsSummary {
        total: page.total,
        by_status,
        by_status_rows,
        recent,
        stuck,
        hints,
    })
}

/// Fills `snapshot.jobs` (or `jobs_error`): credentials from sparkdeck's environment or the
/// env file on `host`, then the queue.
pub async fn add_jobs(snapshot: &mut Snapshot, host: &dyn Host, settings: &JobsSettings) {
    let result = async {
        if settings.backend == "postgres" {
            let backend = JobsBackend::for_host(host, settings).await?;
            return backend_summary(&backend, None, OffsetDateTime::now_utc()).await;
        }
        let (client, c) = jobs::client_for(host, settings).await?;
        jobs_summary(&client, &c, OffsetDateTime::now_utc()).await
    }
    .await;
    match result {
        Ok(summary) => {
            snapshot.problems.extend(jobs_problems(&summary));
            snapshot.jobs = Some(summary);
        }
        Err(e) => {
            snapshot.problems.push(jobs_error_problem(&e));
            snapshot.jobs_error = Some(e.to_string());
        }
    }
}

/// The problems that need the whole picture or the config: the host's (the docker group,
/// where the `[services] docker` CLI exists) and the GPUs' (thresholds of `[gpu]`); then
/// puts the list in `AREAS` order, keeping each section's own order.
pub async fn add_findings(snapshot: &mut Snapshot, host: &dyn Host, config: &Config) {
    let installed = docker_installed(host, &config.services.docker).await;
    let mut found = host_problems(&snapshot.host, installed);
    found.extend(gpu_problems(
        &snapshot.gpus,
        snapshot.gpus_error.as_deref(),
        &config.gpu,
    ));
    snapshot.problems.extend(found);
    order_problems(&mut snapshot.problems);
}

/// Stable sort by `AREAS`; an area outside it goes last.
pub fn order_problems(problems: &mut [Problem]) {
    problems.sort_by_key(|p| {
        AREAS
            .iter()
            .position(|a| *a == p.area)
            .unwrap_or(AREAS.len())
    });
}

/// One GPU as DESIGN §7 lists it; `null` wherever the source does not know.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GpuEntry {
    pub index: u32,
    pub name: Option<String>,
    pub uuid: Option<String>,
    pub driver_version: Option<String>,
    pub utilization_pct: Option<f64>,
    pub temperature_c: Option<f64>,
    pub power_w: Option<f64>,
    pub power_limit_w: Option<f64>,
    pub clocks_mhz: GpuClocks,
    pub memory: MemoryView,
    pub processes: Vec<GpuProcessEntry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GpuClocks {
    pub graphics: Option<u32>,
    pub sm: Option<u32>,
    pub memory: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GpuProcessEntry {
    pub pid: u32,
    pub name: String,
    pub used_memory_bytes: Option<u64>,
    pub container: Option<String>,
}

/// The `gpus` section from one GPU read.
pub fn gpu_entries(read: &GpuSnapshot) -> Vec<GpuEntry> {
    let count = read.samples.len();
    read.samples
        .iter()
        .map(|s| {
            let v = memory_view(s, &read.processes, count, read.host_memory.as_ref());
            GpuEntry {
                index: s.index,
                name: s.name.clone(),
                uuid: s.uuid.clone(),
                driver_version: read.driver_version.clone(),
                utilization_pct: s.utilization_pct,
                temperature_c: s.temperature_c,
                power_w: s.power_w,
                power_limit_w: s.power_limit_w,
                clocks_mhz: GpuClocks {
                    graphics: s.clock_graphics_mhz,
                    sm: s.clock_sm_mhz,
                    memory: s.clock_memory_mhz,
                },
                // `crate::metrics::memory_view` as written to the document (DESIGN §3, §7).
                memory: v,
                processes: read
                    .processes
                    .iter()
                    .filter(|p| on_gpu(p, s, count))
                    .map(|p| GpuProcessEntry {
                        pid: p.pid,
                        name: p.name.clone(),
                        used_memory_bytes: p.used_memory_bytes,
                        container: p.container.clone(),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Same attribution as the resident-memory sum: by UUID, else by index, else only when the
/// host has a single GPU.
#[derive(Debug, Error)]
pub enum SnapshotError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("cannot format the snapshot time {at} as RFC 3339: {source}")]
    Time {
        at: OffsetDateTime,
        #[source]
        source: time::error::Format,
    },
}

/// Gathers every section this build knows from `host`, stamped with the current time.
pub async fn take(host: &dyn Host) -> Result<Snapshot, SnapshotError> {
    take_at(host, OffsetDateTime::now_utc()).await
}

/// Like `take`, with the time stamp given (tests, or callers that stamp several hosts alike).
pub async fn take_at(host: &dyn Host, now: OffsetDateTime) -> Result<Snapshot, SnapshotError> {
    let info = host_info::collect(host).await?;
    let read = gpus_once(host, host.kind() == HostKind::Local, None, "nvidia-smi").await;
    Ok(Snapshot {
        schema: SCHEMA,
        taken_at: rfc3339(now)?,
        host: info,
        gpus: gpu_entries(&read),
        gpus_error: read.error,
        jobs: None,
        jobs_error: None,
        services: None,
        models: None,
        problems: Vec::new(),
    })
}

fn rfc3339(at: OffsetDateTime) -> Result<String, SnapshotError> {
    at.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .map_err(|source| SnapshotError::Time { at, source })
}

/// Pretty-printed JSON, ending with a newline.
pub fn to_json(snapshot: &Snapshot) -> String {
    // Serialising plain structs of strings and integers into a String cannot fail.
    let mut json =
        serde_json::to_string_pretty(snapshot).expect("a Snapshot always serialises to JSON");
    json.push('\n');
    json
}

/// A short human summary, one line per section.
pub fn to_text(snapshot: &Snapshot) -> String {
    let h = &snapshot.host;
    let unknown = "unknown";
    let mut line = format!("host  {} ({})", h.name, h.source);
    if let Some(hostname) = h.hostname.as_deref().filter(|n| *n != h.name) {
        line.push_str(&format!("  hostname {hostname}"));
    }
    line.push_str(&format!("  user {}", h.user.as_deref().unwrap_or(unknown)));
    let groups = if h.groups.is_empty() {
        unknown.to_string()
    } else {
        h.groups.join(",")
    };
    line.push_str(&format!("  groups {groups}"));
    line.push_str(&format!(
        "  kernel {}",
        h.kernel.as_deref().unwrap_or(unknown)
    ));
    line.push_str(&format!("  arch {}", h.arch.as_deref().unwrap_or(unknown)));
    match h.uptime_s {
        Some(s) => line.push_str(&format!("  up {}", human_uptime(s))),
        None => line.push_str(&format!("  up {unknown}")),
    }
    let mut text = format!("taken {}\n{line}\n", snapshot.taken_at);
    if snapshot.gpus.is_empty() {
        let why = snapshot
            .gpus_error
            .as_deref()
            .unwrap_or("no NVIDIA GPU found");
        text.push_str(&format!("gpus  none: {why}\n"));
    }
    for g in &snapshot.gpus {
        text.push_str(&gpu_line(g));
    }
    text.push_str(&jobs_line(snapshot));
    text.push_str(&services_text(snapshot));
    text.push_str(&models_text(snapshot));
    text.push_str(&problems_text(snapshot));
    text
}

fn jobs_line(snapshot: &Snapshot) -> String {
    let Some(j) = &snapshot.jobs else {
        return match &snapshot.jobs_error {
            Some(why) => format!("jobs  none: {why}\n"),
            None => String::new(),
        };
    };
    let total = j.total.map_or_else(|| "unknown".into(), |t| t.to_string());
    let counts: Vec<String> = j
        .by_status
        .iter()
        .map(|(s, n)| format!("{s} {n}"))
        .collect();
    let mut line = format!("jobs  {total} total");
    if !counts.is_empty() {
        line.push_str(&format!(" ({})", counts.join(", ")));
    }
    if j.total.is_some_and(|t| t > j.by_status_rows) {
        line.push_str(&format!(" [counts over the newest {}]", j.by_status_rows));
    }
    line.push_str(if j.stuck { "  STUCK" } else { "  stuck no" });
    let mut text = format!("{line}\n");
    for h in &j.hints {
        text.push_str(&format!("jobs  hint: {h}\n"));
    }
    text
}

fn gpu_line(g: &GpuEntry) -> String {
    let unknown = || "?".to_string();
    let f = |v: Option<f64>, unit: &str| v.map_or_else(unknown, |v| format!("{v:.0}{unit}"));
    let mut line = format!(
        "gpu {}  {}  util {}  temp {}  power {}",
        g.index,
        g.name.as_deref().unwrap_or("unknown"),
        f(g.utilization_pct, "%"),
        f(g.temperature_c, "°C"),
        g.power_w.map_or_else(unknown, |w| format!("{w:.1} W")),
    );
    if let Some(limit) = g.power_limit_w {
        line.push_str(&format!(" / {limit:.0} W"));
    }
    let m = &g.memory;
    match m.kind {
        MemoryKind::Unified => line.push_str(&format!(
            "  memory unified: resident {}  headroom {}",
            gib(m.gpu_resident_bytes),
            gib(m.headroom_bytes)
        )),
        MemoryKind::Dedicated => line.push_str(&format!(
            "  memory {} / {}",
            gib(m.used_bytes),
            gib(m.total_bytes)
        )),
    }
    line.push_str(&format!("  processes {}\n", g.processes.len()));
    line
}

fn gib(bytes: Option<u64>) -> String {
    bytes.map_or("?".to_string(), |b| {
        format!("{:.1} GiB", b as f64 / f64::from(1u32 << 30))
    })
}

/// The two largest units of a duration: "3d 4h", "4h 12m", "12m 5s", "45s".
pub fn human_uptime(secs: u64) -> String {
    let (d, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3_600,
        secs % 3_600 / 60,
        secs % 60,
    );
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m {s}s")
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{GpuProcess, GpuSample};

    fn sample() -> Snapshot {
        Snapshot {
            schema: SCHEMA,
            taken_at: "2026-11-22T08:30:00Z".into(),
            host: HostInfo {
                name: "spark-01".into(),
                hostname: Some("spark-01".into()),
                source: "ssh".into(),
                user: Some("alice".into()),
                groups: vec!["alice".into(), "docker".into()],
                kernel: Some("6.11.0-1016-nvidia".into()),
                arch: Some("aarch64".into()),
                uptime_s: Some(3 * 86_400 + 4 * 3_600 + 59),
            },
            gpus: Vec::new(),
            gpus_error: Some("no NVIDIA GPU found: NVML could not be loaded".into()),
            jobs: None,
            jobs_error: None,
            services: None,
            models: None,
            problems: Vec::new(),
        }
    }

    #[test]
    fn text_summary() {
        assert_eq!(
            to_text(&sample()),
            "taken 2026-11-22T08:30:00Z\nhost  spark-01 (ssh)  user alice  groups alice,docker  \
             kernel 6.11.0-1016-nvidia  arch aarch64  up 3d 4h\n\
             gpus  none: no NVIDIA GPU found: NVML could not be loaded\n"
        );
    }

    #[test]
    fn text_names_unknowns_and_a_differing_hostname() {
        let mut s = sample();
        s.host.hostname = Some("dgx-a".into());
        s.host.user = None;
        s.host.groups.clear();
        s.host.uptime_s = None;
        let text = to_text(&s);
        assert!(text.contains("spark-01 (ssh)  hostname dgx-a  user unknown  groups unknown"));
        assert!(text.contains("up unknown\n"));
    }

    #[test]
    fn json_keys_match_schema_1() {
        let mut s = sample();
        s.host.kernel = None;
        let v: serde_json::Value = serde_json::from_str(&to_json(&s)).unwrap();
        let mut top: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        top.sort_unstable();
        assert_eq!(top, ["gpus", "host", "problems", "schema", "taken_at"]);
        assert_eq!(v["gpus"], serde_json::json!([]));
        assert_eq!(
            v["problems"],
            serde_json::json!([]),
            "present even when empty"
        );
        let mut host: Vec<&str> = v["host"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        host.sort_unstable();
        assert_eq!(
            host,
            [
                "arch", "groups", "hostname", "kernel", "name", "source", "uptime_s", "user"
            ]
        );
        assert_eq!(v["schema"], 1);
        assert!(v["host"]["kernel"].is_null());
        assert_eq!(v["host"]["uptime_s"], 273_659);
    }

    const MIB: u64 = 1 << 20;

    fn gb10_read() -> GpuSnapshot {
        let proc_ = |pid, name: &str, mib| GpuProcess {
            pid,
            gpu_uuid: Some("GPU-gb10".into()),
            name: name.into(),
            used_memory_bytes: Some(mib * MIB),
            container: (pid == 2283430).then(|| "vllm".to_string()),
            ..Default::default()
        };
        GpuSnapshot {
            samples: vec![GpuSample {
                index: 0,
                uuid: Some("GPU-gb10".into()),
                name: Some("NVIDIA GB10".into()),
                utilization_pct: Some(0.0),
                temperature_c: Some(35.0),
                power_w: Some(11.17),
                clock_graphics_mhz: Some(208),
                ..Default::default()
            }],
            driver_version: Some("580.126.09".into()),
            processes: vec![
                proc_(2804, "/usr/lib/xorg/Xorg", 179),
                proc_(3060, "/usr/bin/gnome-shell", 48),
                proc_(2283430, "VLLM::EngineCore", 61383),
            ],
            host_memory: Some(crate::model::HostMemory {
                mem_total_bytes: Some(128 << 30),
                mem_available_bytes: Some(60 << 30),
                swap_free_bytes: Some(16 << 30),
                pressure_some_avg10: Some(0.25),
                pressure_full_avg10: Some(0.0),
            }),
            error: None,
        }
    }

    #[test]
    fn gb10_entry_is_unified_with_nulls_for_unknowns() {
        let mut s = sample();
        s.gpus = gpu_entries(&gb10_read());
        s.gpus_error = None;
        let v: serde_json::Value = serde_json::from_str(&to_json(&s)).unwrap();
        let g = &v["gpus"][0];
        let mut keys: Vec<&str> = g.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "clocks_mhz",
                "driver_version",
                "index",
                "memory",
                "name",
                "power_limit_w",
                "power_w",
                "processes",
                "temperature_c",
                "utilization_pct",
                "uuid"
            ]
        );
        assert_eq!(g["name"], "NVIDIA GB10");
        assert_eq!(g["driver_version"], "580.126.09");
        assert_eq!(g["utilization_pct"], 0.0);
        assert_eq!(g["power_w"], 11.17);
        assert!(g["power_limit_w"].is_null());
        assert_eq!(
            g["clocks_mhz"],
            serde_json::json!({"graphics": 208, "sm": null, "memory": null})
        );
        let m = &g["memory"];
        assert_eq!(m["kind"], "unified");
        assert_eq!(m["gpu_resident_bytes"], (179 + 48 + 61383) * MIB);
        assert_eq!(m["used_bytes"], m["gpu_resident_bytes"]);
        assert_eq!(m["total_bytes"], 128u64 << 30);
        assert_eq!(m["headroom_bytes"], 76u64 << 30);
        assert_eq!(m["pressure_pct"], 0.25);
        assert_eq!(g["processes"].as_array().unwrap().len(), 3);
        assert_eq!(
            g["processes"][2],
            serde_json::json!({"pid": 2283430, "name": "VLLM::EngineCore",
                "used_memory_bytes": 61383 * MIB, "container": "vllm"})
        );
        assert!(g["processes"][0]["container"].is_null());
        let back: Snapshot = serde_json::from_str(&to_json(&s)).unwrap();
        assert_eq!(back, s);

        let text = to_text(&s);
        assert!(
            text.ends_with(
                "gpu 0  NVIDIA GB10  util 0%  temp 35°C  power 11.2 W  memory unified: \
                 resident 60.2 GiB  headroom 76.0 GiB  processes 3\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn processes_are_listed_under_their_own_gpu() {
        let mut read = gb10_read();
        let mut second = read.samples[0].clone();
        second.index = 1;
        second.uuid = Some("GPU-two".into());
        second.memory_total_bytes = Some(24 << 30);
        read.samples.push(second);
        read.processes[0].gpu_uuid = Some("GPU-two".into());
        let gpus = gpu_entries(&read);
        assert_eq!(gpus[0].processes.len(), 2);
        assert_eq!(gpus[1].processes.len(), 1);
        assert_eq!(gpus[1].processes[0].pid, 2804);
        assert_eq!(gpus[1].memory.kind, MemoryKind::Dedicated);
    }

    fn p(area: &str, message: &str) -> Problem {
        Problem {
            severity: "warn".into(),
            area: area.into(),
            message: message.into(),
            fix: None,
            row: None,
        }
    }

    #[test]
    fn problems_go_in_document_order_keeping_each_sections_order() {
        let mut ps = vec![
            p("jobs", "j"),
            p("models", "m1"),
            p("services", "s"),
            p("gpu", "g"),
            p("models", "m2"),
            p("host", "h"),
        ];
        order_problems(&mut ps);
        let got: Vec<&str> = ps.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(got, ["h", "g", "j", "s", "m1", "m2"]);
    }

    #[test]
    fn gb10_pressure_problem_in_json_and_text() {
        let mut s = sample();
        let mut read = gb10_read();
        read.host_memory.as_mut().unwrap().pressure_some_avg10 = Some(12.5);
        s.gpus = gpu_entries(&read);
        s.gpus_error = None;
        s.problems = gpu_problems(&s.gpus, None, &crate::config::GpuSettings::default());
        let v: serde_json::Value = serde_json::from_str(&to_json(&s)).unwrap();
        let problems = v["problems"].as_array().unwrap();
        assert_eq!(problems.len(), 1, "{problems:?}");
        let p = &problems[0];
        let mut keys: Vec<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["area", "fix", "message", "severity"],
            "row stays out"
        );
        assert_eq!(
            (&p["severity"], &p["area"]),
            (&"warn".into(), &"gpu".into())
        );
        let text = to_text(&s);
        assert!(
            text.ends_with(&format!(
                "warn  gpu      {} — fix: {}\n",
                s.problems[0].message,
                s.problems[0].fix.as_deref().unwrap()
            )),
            "{text}"
        );
    }

    #[test]
    fn uptime_units() {
        assert_eq!(human_uptime(0), "0s");
        assert_eq!(human_uptime(59), "59s");
        assert_eq!(human_uptime(60 * 12 + 5), "12m 5s");
        assert_eq!(human_uptime(3_600 * 4 + 60 * 12), "4h 12m");
        assert_eq!(human_uptime(86_400 * 400), "400d 0h");
    }

    #[test]
    fn taken_at_is_utc_rfc3339() {
        let at = time::macros::datetime!(2026-11-22 09:30:00 +01:00);
        assert_eq!(rfc3339(at).unwrap(), "2026-11-22T08:30:00Z");
    }
}
