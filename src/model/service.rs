//! Services and ports (DESIGN §5): the catalogue of what should run, what a host shows is
//! running (listening sockets, containers, units), and the merged rows the tab and
//! `snapshot` show. Plain data; parsers live in `sources::services`, the merge and the
//! collector in `services`.

use serde::{Deserialize, Serialize};

/// How a catalogued service is run, which decides the actions offered for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceKind {
    Docker,
    Systemd,
    #[default]
    Process,
}

impl ServiceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceKind::Docker => "docker",
            ServiceKind::Systemd => "systemd",
            ServiceKind::Process => "process",
        }
    }
}

/// How health is checked once the port listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProbeKind {
    /// `GET probe_path`; ok when the status is `expect_status` (any 2xx/3xx when unset)
    /// and the body contains `expect_body` (when set).
    Http,
    /// A TCP connect to the port.
    #[default]
    Tcp,
    None,
}

/// Service-specific detail fetched after the probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DetailKind {
    #[default]
    None,
    /// `/api/ps` (loaded, VRAM) and `/api/tags` (installed).
    Ollama,
    /// vLLM / SGLang / llama.cpp OpenAI server: `/v1/models` and `/metrics`.
    Openai,
    /// cloudflared metrics server: `/ready`.
    Cloudflared,
}

/// One `[[services.catalog]]` entry (the defaults are in `services::catalog`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogEntry {
    /// Unique; a config entry with the name of a default replaces that default.
    pub name: String,
    /// The port(s) it listens on. With `any_port`, listening on one of them is enough
    /// (cloudflared takes the first free of 20241-20245); otherwise the first is the port.
    pub ports: Vec<u16>,
    #[serde(default)]
    pub any_port: bool,
    #[serde(default)]
    pub kind: ServiceKind,
    /// systemd unit (kind = systemd), e.g. `ollama` (".service" optional).
    #[serde(default)]
    pub unit: String,
    /// Container name (kind = docker), e.g. `open-webui`.
    #[serde(default)]
    pub container: String,
    /// Process names (as `ss` shows them, at most 15 characters) and image fragments that
    /// identify this kind of service, lower case substrings: `["ollama"]`.
    #[serde(default)]
    pub matches: Vec<String>,
    /// Services of one family must not run twice (a second Ollama on another port is a
    /// duplicate). Empty = the name, lower-cased.
    #[serde(default)]
    pub family: String,
    /// A missing required service is a problem; a missing optional one is only shown.
    #[serde(default = "yes")]
    pub required: bool,
    #[serde(default)]
    pub probe: ProbeKind,
    #[serde(default)]
    pub probe_path: String,
    #[serde(default)]
    pub expect_status: Option<u16>,
    #[serde(default)]
    pub expect_body: String,
    #[serde(default)]
    pub detail: DetailKind,
}

fn yes() -> bool {
    true
}

impl CatalogEntry {
    pub fn family(&self) -> String {
        if self.family.is_empty() {
            self.name.to_lowercase()
        } else {
            self.family.to_lowercase()
        }
    }

    /// The unit name as systemctl wants it (`ollama` → `ollama.service`); None if unset.
    pub fn unit_name(&self) -> Option<String> {
        let u = self.unit.trim();
        if u.is_empty() {
            None
        } else if u.contains('.') {
            Some(u.to_string())
        } else {
            Some(format!("{u}.service"))
        }
    }
}

/// One process owning a listening socket, as `ss -p` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SocketOwner {
    pub process: String,
    pub pid: u32,
}

/// One listening TCP socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listener {
    /// The bound address without brackets or scope: `0.0.0.0`, `127.0.0.1`, `::`, `::1`;
    /// `*` (ss's dual-stack wildcard) is reported as `::`.
    pub addr: String,
    pub port: u16,
    pub v6: bool,
    /// Empty when the process is not visible (another user's, without root).
    pub owners: Vec<SocketOwner>,
    /// Owner uid when known (`/proc/net/tcp`), for the fallback path without `-p`.
    pub uid: Option<u32>,
}

impl Listener {
    /// Loopback-only sockets are not reachable from the network.
    pub fn is_loopback(&self) -> bool {
        self.addr == "::1" || self.addr.starts_with("127.")
    }
}

/// Where the listener list came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListenerSource {
    #[default]
    Ss,
    /// `/proc/net/tcp{,6}`: no process names.
    ProcNet,
}

/// One published port of a container, `0.0.0.0:8080->8080/tcp`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedPort {
    pub host_ip: String,
    pub host_port: u16,
    pub container_port: u16,
    pub proto: String,
}

/// One container from `docker ps --all --format '{{json .}}'`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Container {
    pub id: String,
    /// The first of `Names`.
    pub name: String,
    pub image: String,
    /// `running`, `exited`, `restarting`…
    pub state: String,
    /// `Up 5 minutes (healthy)`, `Exited (1) 2 hours ago`.
    pub status: String,
    /// `healthy`, `unhealthy`, `starting`; None when the container has no health check.
    pub health: Option<String>,
    pub ports: Vec<PublishedPort>,
}

impl Container {
    pub fn running(&self) -> bool {
        self.state == "running"
    }
}

/// `systemctl show UNIT -p …` of one unit.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UnitStatus {
    pub id: String,
    /// `loaded`, `not-found`…
    pub load_state: String,
    /// `active`, `inactive`, `failed`, `activating`…
    pub active_state: String,
    pub sub_state: String,
    /// None when 0 (not running).
    pub main_pid: Option<u32>,
    pub n_restarts: Option<u32>,
    /// `ExecMainStartTimestamp` as systemd prints it; None when never started.
    pub started: Option<String>,
    /// `Result`: `success`, `exit-code`, `signal`…
    pub result: Option<String>,
}

impl UnitStatus {
    pub fn exists(&self) -> bool {
        self.load_state != "not-found" && !self.load_state.is_empty()
    }
}

/// Which source a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Sockets,
    Docker,
    Systemd,
    Journal,
    Sudo,
}

/// A source that could not be read, said plainly, with the fix when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceProblem {
    pub source: SourceKind,
    pub message: String,
    pub fix: Option<String>,
}

/// Everything observed on a host in one refresh, before merging.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Observation {
    pub listeners: Vec<Listener>,
    pub listeners_from: ListenerSource,
    /// None when docker could not be asked (not installed, no permission: see `problems`).
    pub containers: Option<Vec<Container>>,
    pub units: Vec<UnitStatus>,
    pub problems: Vec<SourceProblem>,
    /// Listener pids that run inside a container, with the container's short id (from
    /// `/proc/<pid>/cgroup`): `--network host` containers publish nothing, so this is how
    /// their sockets are attributed.
    pub pid_containers: Vec<(u32, String)>,
}

/// The result of one health probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub ok: bool,
    pub latency_ms: Option<u64>,
    /// `HTTP 200`, `HTTP 503: …`, `connection refused`, `timed out after 2000 ms`.
    pub detail: String,
}

/// A model Ollama has loaded (`/api/ps`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OllamaLoaded {
    pub name: String,
    pub size_bytes: u64,
    pub vram_bytes: u64,
    /// RFC 3339 keep-alive deadline.
    pub expires_at: Option<String>,
}

/// A model Ollama has installed (`/api/tags`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OllamaInstalled {
    pub name: String,
    pub size_bytes: u64,
    pub digest: String,
    pub parameter_size: Option<String>,
    pub quantization: Option<String>,
    pub modified_at: Option<String>,
}

/// A model an OpenAI-compatible server serves (`/v1/models`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ServedModel {
    pub id: String,
    /// `vllm`, `sglang`, `llamacpp`…
    pub owned_by: Option<String>,
    pub max_model_len: Option<u64>,
}

/// Engine load from `/metrics` (vLLM old and new names, SGLang), summed over engines.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EngineLoad {
    pub running: Option<f64>,
    pub waiting: Option<f64>,
    /// 0–100.
    pub kv_cache_pct: Option<f64>,
    pub generation_tokens_total: Option<f64>,
    pub prompt_tokens_total: Option<f64>,
}

/// Service-specific detail, when its endpoints answered.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ServiceDetail {
    #[default]
    None,
    Ollama {
        version: Option<String>,
        loaded: Vec<OllamaLoaded>,
        installed: Vec<OllamaInstalled>,
    },
    Openai {
        models: Vec<ServedModel>,
        load: Option<EngineLoad>,
    },
    Cloudflared {
        ready_connections: Option<u32>,
    },
}

/// What a merged row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceState {
    /// Listening, owned by what the catalogue expects.
    Up,
    /// Catalogued but nothing listens on its port.
    Down,
    /// The port is held by something else, or a container publishes a port another
    /// process holds.
    Conflict,
    /// A listener not in the catalogue.
    Unexpected,
    /// A second instance of a catalogued family on another port.
    Duplicate,
}

impl ServiceState {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceState::Up => "up",
            ServiceState::Down => "down",
            ServiceState::Conflict => "conflict",
            ServiceState::Unexpected => "unexpected",
            ServiceState::Duplicate => "duplicate",
        }
    }
}

/// Who holds the port (or should).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Owner {
    pub pid: Option<u32>,
    pub process: Option<String>,
    pub container: Option<String>,
    pub unit: Option<String>,
}

/// One row of the Services tab and of `snapshot`'s `services`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceRow {
    /// Stable across refreshes: `svc:<catalogue name>` or `port:<port>`; the selection
    /// follows it.
    pub id: String,
    pub name: String,
    pub port: Option<u16>,
    /// Bound address of the listener, when listening.
    pub bind: Option<String>,
    /// In the catalogue.
    pub expected: bool,
    pub required: bool,
    pub kind: ServiceKind,
    pub state: Option<ServiceState>,
    pub owner: Owner,
    /// The catalogued unit's status, or the unit that owns the port.
    pub unit: Option<UnitStatus>,
    /// The catalogued container, or the container publishing the port.
    pub container: Option<Container>,
    pub health: Option<Health>,
    /// Why the state is what it is, and what to do: one line each.
    pub notes: Vec<String>,
    pub detail: ServiceDetail,
}

impl ServiceRow {
    pub fn state(&self) -> ServiceState {
        self.state.unwrap_or(ServiceState::Down)
    }

    /// Red on screen and a problem in `doctor`: a conflict, a duplicate, a required
    /// service down, or a failing probe.
    pub fn is_problem(&self) -> bool {
        match self.state() {
            ServiceState::Conflict | ServiceState::Duplicate => true,
            ServiceState::Down => self.required,
            ServiceState::Up => self.health.as_ref().is_some_and(|h| !h.ok),
            ServiceState::Unexpected => false,
        }
    }
}

/// One full refresh.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServicesReport {
    pub rows: Vec<ServiceRow>,
    pub listeners_from: ListenerSource,
    pub problems: Vec<SourceProblem>,
    /// Unix seconds.
    pub at: i64,
}

/// A confirmed action on a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceVerb {
    Start,
    Stop,
    Restart,
}

impl ServiceVerb {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceVerb::Start => "start",
            ServiceVerb::Stop => "stop",
            ServiceVerb::Restart => "restart",
        }
    }
}

/// What an action or a log acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "lowercase")]
pub enum ServiceTarget {
    /// A systemd unit, e.g. `ollama.service`.
    Unit(String),
    /// A container name or id.
    Container(String),
}

impl ServiceTarget {
    pub fn name(&self) -> &str {
        match self {
            ServiceTarget::Unit(n) | ServiceTarget::Container(n) => n,
        }
    }
}

/// The log viewer's time window presets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogWindow {
    /// The last `log_lines` lines.
    #[default]
    Tail,
    Last5m,
    LastHour,
    Today,
}

impl LogWindow {
    pub fn label(self) -> &'static str {
        match self {
            LogWindow::Tail => "tail",
            LogWindow::Last5m => "5 m",
            LogWindow::LastHour => "1 h",
            LogWindow::Today => "today",
        }
    }
}
