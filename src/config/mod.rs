//! Configuration: TOML file (XDG), embedded defaults, themes and keymap.

pub mod error;
pub mod key_parse;
pub mod keymap;
pub mod keymap_doc;
pub mod load;
pub mod paths;
mod spanned;
pub mod theme;
pub mod theme_file;

pub use error::{ConfigError, Invalid, Location};
pub use keymap::{KeyBinding, Keymap};
pub use load::{load, load_with, no_color, parse, parse_with};
pub use theme::Theme;

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The whole configuration after loading and validation. Every field has a default, so an
/// empty file (or no file) is a valid configuration.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Config {
    pub general: General,
    pub ssh: SshSettings,
    pub tunnels: TunnelSettings,
    pub gpu: GpuSettings,
    pub jobs: JobsSettings,
    pub services: ServicesSettings,
    pub models: ModelsSettings,
    pub theme: Theme,
    pub keymap: Keymap,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct General {
    /// Built-in theme name (`dark`, `light`, `mono`) or a path to a theme TOML file.
    pub theme: String,
    /// Capture the mouse at start (toggle at run time with `M`).
    pub mouse: bool,
    /// Start in read-only mode (as `--read-only`).
    pub read_only: bool,
    /// Milliseconds between UI ticks for ages and clocks; data redraws when it arrives.
    pub tick_ms: u64,
    /// Seconds between refreshes of the Services and Jobs tabs while they are not on
    /// screen and the active connection is up, so the problems bar stays live; 0 reads them
    /// only while they are shown. Models rescan no more often than `[models] refresh_s`.
    pub background_refresh_s: u64,
}

impl Default for General {
    fn default() -> Self {
        Self {
            theme: "dark".into(),
            mouse: false,
            read_only: false,
            tick_ms: 1000,
            background_refresh_s: 60,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SshSettings {
    /// known_hosts file to check and learn host keys in (default `~/.ssh/known_hosts`).
    pub known_hosts: Option<PathBuf>,
    /// `~/.ssh/config` to read aliases from (default `~/.ssh/config`).
    pub config_file: Option<PathBuf>,
    pub connect_timeout_s: u64,
    pub keepalive_interval_s: u64,
    pub keepalive_max: u32,
    /// Concurrent exec channels per connection; must stay below sshd's MaxSessions (10).
    pub max_channels: u32,
    /// First reconnect delay; doubles up to `reconnect_max_s`, with jitter.
    pub reconnect_initial_s: u64,
    pub reconnect_max_s: u64,
}

impl Default for SshSettings {
    fn default() -> Self {
        Self {
            known_hosts: None,
            config_file: None,
            connect_timeout_s: 10,
            keepalive_interval_s: 5,
            keepalive_max: 3,
            max_channels: 8,
            reconnect_initial_s: 1,
            reconnect_max_s: 60,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TunnelSettings {
    /// Open `ollama_local_port → localhost:ollama_remote_port` on every connect.
    pub ollama: bool,
    pub ollama_local_port: u16,
    pub ollama_remote_port: u16,
}

impl Default for TunnelSettings {
    fn default() -> Self {
        Self {
            ollama: true,
            ollama_local_port: 11435,
            ollama_remote_port: 11434,
        }
    }
}

/// `[gpu]`: sampling, history and the colour thresholds of the GPU tab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GpuSettings {
    /// Milliseconds between samples (NVML reads, or the `-lms` of the nvidia-smi stream).
    pub interval_ms: u64,
    /// Seconds of samples kept in memory for the sparklines.
    pub sparkline_s: u64,
    /// Seconds between process-table reads (`--query-compute-apps` over SSH).
    pub processes_interval_s: u64,
    /// Seconds per persisted history window (min / avg / max of the samples in it).
    pub history_window_s: u64,
    /// Days of history kept; older windows are pruned at start and hourly.
    pub retention_days: u32,
    pub utilization_warn_pct: f64,
    pub utilization_crit_pct: f64,
    pub memory_warn_pct: f64,
    pub memory_crit_pct: f64,
    pub temperature_warn_c: f64,
    pub temperature_crit_c: f64,
    /// Unified memory (GB10) only: `some avg10` of /proc/pressure/memory, percent of the
    /// last 10 s in which a task stalled waiting for memory.
    pub pressure_warn_pct: f64,
    pub pressure_crit_pct: f64,
    /// Unified memory only: allocatable headroom (MemAvailable + SwapFree) as a share of
    /// MemTotal; at or below these it is yellow / red (low is bad, unlike the others).
    pub headroom_warn_pct: f64,
    pub headroom_crit_pct: f64,
    /// How far (percentage points, or °C for temperature) a value must fall below a border
    /// before its colour steps down.
    pub hysteresis: f64,
    /// Consecutive red samples that raise an alert.
    pub alert_after_samples: u32,
}

impl Default for GpuSettings {
    fn default() -> Self {
        Self {
            interval_ms: 2000,
            sparkline_s: 120,
            processes_interval_s: 10,
            history_window_s: 20,
            retention_days: 30,
            utilization_warn_pct: 50.0,
            utilization_crit_pct: 80.0,
            memory_warn_pct: 50.0,
            memory_crit_pct: 80.0,
            temperature_warn_c: 60.0,
            temperature_crit_c: 80.0,
            // PSI: a few percent of stall is normal reclaim while a model loads; 10 % means
            // tasks wait on memory a tenth of the time (freezr warns at 10 as well), and 40
            // stays below systemd-oomd's 60 % kill limit so the warning comes before it acts.
            pressure_warn_pct: 10.0,
            pressure_crit_pct: 40.0,
            // On a 128 GB Spark 15 % is ~18 GiB, about what one more 8B model with its KV
            // cache needs; at 5 % (~6 GiB) the next allocation meets the OOM killer. CUDA
            // competes with the page cache for the same pool (NVIDIA's UMA guidance).
            headroom_warn_pct: 15.0,
            headroom_crit_pct: 5.0,
            hysteresis: 3.0,
            alert_after_samples: 5,
        }
    }
}

impl GpuSettings {
    pub fn utilization(&self) -> crate::metrics::Thresholds {
        crate::metrics::Thresholds::new(
            self.utilization_warn_pct,
            self.utilization_crit_pct,
            self.hysteresis,
        )
    }
    pub fn memory(&self) -> crate::metrics::Thresholds {
        crate::metrics::Thresholds::new(self.memory_warn_pct, self.memory_crit_pct, self.hysteresis)
    }
    pub fn temperature(&self) -> crate::metrics::Thresholds {
        crate::metrics::Thresholds::new(
            self.temperature_warn_c,
            self.temperature_crit_c,
            self.hysteresis,
        )
    }
}

/// `[jobs]`: where the worker's job queue is and how the Jobs tab treats it (DESIGN §4).
/// Credentials are never here: they come from the environment or `env_file`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobsSettings {
    /// `postgrest` (Supabase Data API) or `postgres` (straight to the database).
    pub backend: String,
    /// For `postgres`: the NAME of the variable (environment, else `env_file`) holding the
    /// DSN. The DSN carries a password, so it is never in the config itself.
    pub dsn_env: String,
    /// Env file with SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY, read on the active host
    /// (over SSH for a remote Spark) when they are not in sparkdeck's own environment.
    pub env_file: String,
    pub table: String,
    pub column_id: String,
    pub column_account_id: String,
    pub column_job_type: String,
    pub column_status: String,
    pub column_attempts: String,
    pub column_error: String,
    pub column_debug: String,
    pub column_created_at: String,
    pub column_started_at: String,
    pub column_finished_at: String,
    /// Statuses a requeue may start from (the compare-and-set condition).
    pub requeueable: Vec<String>,
    /// The status a requeue sets.
    pub requeue_to: String,
    /// What the status-filter key cycles through after "all", in order.
    pub status_filters: Vec<String>,
    pub refresh_s: u64,
    pub page_size: u32,
    /// Per-request time-out and bounded retries for reads (a requeue is never retried).
    pub timeout_s: u64,
    pub retries: u32,
    /// Stuck: jobs queued longer than this while no job started for `stuck_idle_min`.
    pub stuck_queued_min: u64,
    pub stuck_idle_min: u64,
    /// The worker's log file on the host, for `l` and the "last written" check.
    pub worker_log: String,
    /// systemd unit of the worker, if it runs as one; otherwise a process name to look for.
    pub worker_unit: String,
    pub worker_process: String,
    /// Known error patterns (regex on a job's error) and what to do about them; the first
    /// match is shown in the detail pane. Replaces the shipped list when set.
    pub error_hints: Vec<ErrorHint>,
}

/// One `[[jobs.error_hints]]` rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorHint {
    pub pattern: String,
    pub hint: String,
}

impl JobsSettings {
    /// The configured job columns in `Job` field order, leaving out any set to "" (a table
    /// without that column). Both backends select exactly these.
    pub fn columns(&self) -> Vec<&str> {
        [
            &self.column_id,
            &self.column_account_id,
            &self.column_job_type,
            &self.column_status,
            &self.column_attempts,
            &self.column_error,
            &self.column_debug,
            &self.column_created_at,
            &self.column_started_at,
            &self.column_finished_at,
        ]
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !c.is_empty())
        .collect()
    }
}

impl Default for JobsSettings {
    fn default() -> Self {
        let s = |v: &str| v.to_string();
        Self {
            backend: s("postgrest"),
            dsn_env: s("SPARKDECK_JOBS_DSN"),
            env_file: s("~/srv/hd-worker/.env"),
            table: s("hd_ingestion_jobs"),
            column_id: s("id"),
            column_account_id: s("account_id"),
            column_job_type: s("job_type"),
            column_status: s("status"),
            column_attempts: s("attempts"),
            column_error: s("error"),
            column_debug: s("debug"),
            column_created_at: s("created_at"),
            column_started_at: s("started_at"),
            column_finished_at: s("finished_at"),
            requeueable: vec![s("failed"), s("error")],
            requeue_to: s("queued"),
            status_filters: vec![
                s("failed"),
                s("error"),
                s("queued"),
                s("running"),
                s("done"),
            ],
            refresh_s: 5,
            page_size: 50,
            timeout_s: 15,
            retries: 2,
            stuck_queued_min: 15,
            stuck_idle_min: 15,
            worker_log: s("~/srv/hd-worker/logs/worker.log"),
            worker_unit: s(""),
            worker_process: s("hd-worker"),
            error_hints: crate::jobs_triage::hints::DEFAULT_RULES
                .iter()
                .map(|(pattern, hint)| ErrorHint {
                    pattern: s(pattern),
                    hint: s(hint),
                })
                .collect(),
        }
    }
}

/// `[services]`: how the Services tab watches the host (DESIGN §5). The catalogue of what
/// should run is `services::catalog::defaults()` plus `[[services.catalog]]` entries: an
/// entry with a default's name replaces it, others are added (`replace_catalog = true`
/// drops the defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServicesSettings {
    /// Seconds between refreshes while the Services tab is on screen.
    pub refresh_s: u64,
    /// Per-probe time-out.
    pub probe_timeout_ms: u64,
    /// Show listeners that are not in the catalogue.
    pub show_unexpected: bool,
    /// Ports never listed as unexpected (ssh, DNS, printing…).
    pub ignore_ports: Vec<u16>,
    /// Lines the log viewer loads before following.
    pub log_lines: u32,
    /// The docker CLI to run (a path or `podman`).
    pub docker: String,
    /// Run systemctl actions through `sudo -n` (never prompting).
    pub sudo: bool,
    pub replace_catalog: bool,
    pub catalog: Vec<crate::model::CatalogEntry>,
}

impl Default for ServicesSettings {
    fn default() -> Self {
        Self {
            refresh_s: 10,
            probe_timeout_ms: 2_000,
            show_unexpected: true,
            ignore_ports: vec![22, 53, 631],
            log_lines: 500,
            docker: "docker".to_string(),
            sudo: true,
            replace_catalog: false,
            catalog: Vec::new(),
        }
    }
}

/// `[models]`: where models are kept and what the Models tab checks (issue 6). Paths with
/// `~` are expanded on the host the tab looks at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelsSettings {
    /// The one place models should live (seed 000).
    pub root: String,
    /// Hugging Face hub cache; empty = `$HF_HUB_CACHE`, `$HF_HOME/hub`, then
    /// `~/.cache/huggingface/hub` on the host.
    pub hf_cache: String,
    /// Ollama stores (the user's and the installer service's).
    pub ollama_stores: Vec<String>,
    /// More folders laid out like the root.
    pub extra: Vec<String>,
    /// Also scan the volumes of Ollama containers when readable.
    pub docker_volumes: bool,
    /// Seconds between background rescans while the tab is on screen (unchanged stores
    /// are not walked again).
    pub refresh_s: u64,
    pub disk_warn_pct: f64,
    pub disk_crit_pct: f64,
    /// Role → model name it should be (`extraction = "qwen3-32b-nvfp4"`).
    pub defaults: std::collections::BTreeMap<String, String>,
}

impl Default for ModelsSettings {
    fn default() -> Self {
        let s = |v: &str| v.to_string();
        Self {
            root: s("~/ai/models"),
            hf_cache: String::new(),
            ollama_stores: vec![s("~/.ollama/models"), s("/usr/share/ollama/.ollama/models")],
            extra: Vec::new(),
            docker_volumes: true,
            refresh_s: 600,
            disk_warn_pct: 80.0,
            disk_crit_pct: 90.0,
            defaults: [
                ("extraction", "qwen3-32b-nvfp4"),
                ("embeddings", "bge-m3"),
                ("planning", "llama4-scout-17b"),
            ]
            .into_iter()
            .map(|(k, v)| (s(k), s(v)))
            .collect(),
        }
    }
}
