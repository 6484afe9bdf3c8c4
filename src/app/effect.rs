//! What `update` asks the runtime to do. The runtime performs them and reports back with
//! `Msg`s; `update` itself never touches the terminal, the network, the store or the clock.

use super::gpu::GpuMetric;
use crate::model::{ConnId, ConnectionSpec, HostKeyDecision, TunnelSpec};
use crate::model::{LogWindow, ServiceTarget, ServiceVerb};

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Quit,
    /// Insert (`id: None`) or update a saved connection; answer with `Msg::StoreSaved`.
    SaveConnection {
        id: Option<ConnId>,
        spec: ConnectionSpec,
    },
    /// Answer with `Msg::StoreDeleted`.
    DeleteConnection {
        id: ConnId,
        name: String,
    },
    Connect {
        name: String,
    },
    Disconnect {
        name: String,
    },
    /// Make `name` the connection the other tabs show, and remember it across restarts.
    SetActive {
        name: String,
    },
    /// Save a tunnel for a saved connection (and open it if that connection is up);
    /// answer with `Msg::TunnelSaved`.
    AddTunnel {
        connection: ConnId,
        name: String,
        spec: TunnelSpec,
    },
    /// Close and forget a saved tunnel; answer with `Msg::TunnelRemoved`.
    RemoveTunnel {
        id: i64,
    },
    AnswerHostKey {
        id: u64,
        decision: HostKeyDecision,
    },
    /// Turn mouse capture on or off in the terminal.
    SetMouse(bool),
    /// Reload connections and refresh the active host's data now.
    Refresh,
    /// Read min / avg / max of `metric` for one GPU between `since` and `until` (Unix
    /// seconds), downsampled to `points` buckets; answer with `Msg::GpuHistory`.
    LoadGpuHistory {
        name: String,
        gpu_index: u32,
        metric: GpuMetric,
        since: i64,
        until: i64,
        points: usize,
    },
    /// Signal `pid` on connection `name` only (SIGKILL when `force`, else SIGTERM), after
    /// re-checking read-only; audit it and answer with `Msg::ProcessTerminated`.
    TerminateProcess {
        name: String,
        pid: u32,
        force: bool,
    },
    /// A metric stayed red for `alert_after_samples` samples: store the alert.
    AlertRaised {
        name: String,
        gpu_index: u32,
        metric: GpuMetric,
        peak: f64,
        message: String,
    },
    /// That metric left red: mark the open alert cleared.
    AlertCleared {
        name: String,
        gpu_index: u32,
        metric: GpuMetric,
    },
    /// Read one page of `name`'s job queue (`status: None` = every status), sorted by the
    /// configured column `sort_column`; answer with `Msg::Jobs` carrying `generation`.
    LoadJobs {
        name: String,
        generation: u64,
        status: Option<Vec<String>>,
        sort_column: String,
        desc: bool,
        offset: u64,
        limit: u32,
    },
    /// Compare-and-set requeue of exactly these jobs on connection `name` only, after the
    /// user confirmed; the runtime re-checks read-only, audits each attempt and answers with
    /// `Msg::JobsRequeued`.
    RequeueJobs {
        name: String,
        ids: Vec<String>,
    },
    /// Put text on the clipboard of the terminal the user sits at (OSC 52).
    CopyToClipboard(String),
    /// Open the worker log of `name`, jumping to the first line with `jump_to` if given.
    /// Stop following the log the viewer showed for `name`.
    CloseLog {
        name: String,
    },
    OpenWorkerLog {
        name: String,
        jump_to: Option<String>,
    },
    /// Refresh `name`'s services (observe, merge, probe); answer with `Msg::Services`.
    LoadServices {
        name: String,
    },
    /// Start / stop / restart a unit or container on connection `name` only, after the user
    /// confirmed; the runtime re-checks read-only, audits and answers `Msg::ServiceActed`.
    ServiceAction {
        name: String,
        target: ServiceTarget,
        verb: ServiceVerb,
    },
    /// Follow `target`'s log (journal or docker) on `name` into the log viewer, from
    /// `window`; replaces any log that viewer followed. Lines arrive as `Msg::LogLines`.
    OpenServiceLog {
        name: String,
        target: ServiceTarget,
        window: LogWindow,
    },
    /// Open a local tunnel to `port` on `name`'s host (as the Connections tab's tunnels);
    /// the tunnel's state arrives as `Msg::TunnelState`.
    OpenServiceTunnel {
        name: String,
        port: u16,
    },
    /// Scan `name`'s model stores (unchanged stores come from the cache unless `force`);
    /// answer with `Msg::ModelsProgress` while walking, then `Msg::Models`.
    LoadModels {
        name: String,
        force: bool,
    },
    /// Delete exactly the model `id` at `path` on connection `name`, after the user typed
    /// its name; the runtime re-checks read-only, the engine re-checks existence and use,
    /// audits and answers `Msg::ModelDeleted`.
    DeleteModel {
        name: String,
        id: String,
        path: String,
    },
}
