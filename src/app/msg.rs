//! Everything that can change the UI state arrives as a `Msg`: terminal input, the clock,
//! and results from the workers (SSH, store). The runtime builds them; `update` consumes them.

use super::alerts::AlertRow;
use super::gpu::{GpuMetric, HistoryPoint, HistoryRange};
use crate::model::GpuEvent;
use crate::model::{
    ConnId, ConnState, HostInfo, SavedConnection, SavedTunnel, SshConfigEntry, TunnelSpec,
    TunnelState,
};
use crate::model::{DeleteOutcome, ModelsReport, ScanProgress};
use crate::model::{JobsPage, RequeueOutcome};
use crate::model::{ServiceTarget, ServiceVerb, ServicesReport};
use crate::services::actions::ActionError;
use ratatui::crossterm::event::{KeyEvent, MouseEvent};

/// How loud a flash message is; the prefix ("info:", "warn:", "error:") is always written,
/// so the level never depends on colour alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashLevel {
    Info,
    Warn,
    Error,
}

impl FlashLevel {
    pub fn prefix(self) -> &'static str {
        match self {
            FlashLevel::Info => "info",
            FlashLevel::Warn => "warn",
            FlashLevel::Error => "error",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    /// The terminal size; send once at start and on every resize (mouse hit-testing and
    /// paging use it).
    Resize {
        width: u16,
        height: u16,
    },
    /// The wall clock, Unix seconds. Ages, expiring flashes and retry countdowns use it.
    Tick {
        now: i64,
    },
    Paste(String),
    /// The full list of connections, from the store and `~/.ssh/config`.
    ConnectionsLoaded {
        saved: Vec<SavedConnection>,
        ssh_config: Vec<SshConfigEntry>,
        tunnels: Vec<SavedTunnel>,
        active: Option<String>,
    },
    /// A connection changed state. Messages with a generation older than the newest one
    /// seen for that name are from a previous connect attempt and are dropped.
    ConnState {
        name: String,
        generation: u64,
        state: ConnState,
    },
    TunnelState {
        name: String,
        spec: TunnelSpec,
        state: TunnelState,
    },
    /// The SSH worker met an unknown host key and waits for `Effect::AnswerHostKey { id }`.
    HostKeyQuestion {
        id: u64,
        name: String,
        host: String,
        key_type: String,
        fingerprint: String,
        other_known_keys: usize,
    },
    HostInfo {
        name: String,
        info: HostInfo,
        at: i64,
    },
    StoreSaved {
        result: Result<SavedConnection, String>,
    },
    StoreDeleted {
        id: ConnId,
        name: String,
        result: Result<(), String>,
    },
    TunnelSaved {
        result: Result<SavedTunnel, String>,
    },
    TunnelRemoved {
        id: i64,
        result: Result<(), String>,
    },
    Flash {
        level: FlashLevel,
        text: String,
    },
    /// A GPU collector event for connection `name`; older generations are dropped as for
    /// `ConnState`.
    Gpu {
        name: String,
        generation: u64,
        event: GpuEvent,
    },
    /// The answer to `Effect::LoadGpuHistory`.
    GpuHistory {
        name: String,
        gpu_index: u32,
        metric: GpuMetric,
        range: HistoryRange,
        points: Vec<HistoryPoint>,
    },
    /// Alerts from the store (newest first); replaces the list on screen.
    GpuAlerts(Vec<AlertRow>),
    /// The answer to `Effect::TerminateProcess`.
    ProcessTerminated {
        name: String,
        pid: u32,
        result: Result<(), String>,
    },
    /// The answer to `Effect::LoadJobs`, echoing its `generation`; older generations than
    /// the newest request for `name` are dropped. An error keeps the last page, marked
    /// stale. `at` is Unix seconds.
    Jobs {
        name: String,
        generation: u64,
        result: Result<JobsPage, String>,
        at: i64,
    },
    /// Neither the environment nor the env file (on the host of `name`) holds
    /// SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY; `looked_in` says where the runtime looked.
    JobsNoCredentials {
        name: String,
        looked_in: String,
    },
    /// The answer to `Effect::RequeueJobs`, one outcome per id.
    JobsRequeued {
        name: String,
        results: Vec<(String, RequeueOutcome)>,
    },
    /// Stuck detection and known-error hints for `name`'s queue; replaces the previous.
    /// Lines of the log open in the viewer (`Effect::OpenWorkerLog`), oldest first.
    LogLines {
        name: String,
        lines: Vec<String>,
    },
    /// Something about that log worth a line above it (missing file, rotated…).
    LogNotice {
        name: String,
        text: String,
    },
    JobsTriage {
        name: String,
        banner: Option<String>,
        /// (ok, label, detail)
        checks: Vec<(bool, String, String)>,
        /// (job id, hint)
        hints: Vec<(String, String)>,
    },
    /// The answer to `Effect::LoadServices`: one full refresh of `name`'s services.
    Services {
        name: String,
        report: ServicesReport,
    },
    /// The answer to `Effect::ServiceAction`.
    ServiceActed {
        name: String,
        target: ServiceTarget,
        verb: ServiceVerb,
        result: Result<String, ActionError>,
    },
    /// The answer to `Effect::LoadModels`: every store of `name`, scanned.
    Models {
        name: String,
        report: ModelsReport,
    },
    /// A store walk of `name` in progress (a huge store shows it is moving).
    ModelsProgress {
        name: String,
        progress: ScanProgress,
    },
    /// The answer to `Effect::DeleteModel`.
    ModelDeleted {
        name: String,
        id: String,
        result: Result<DeleteOutcome, String>,
    },
}
