//! What a key can be bound to. Names (snake_case) are what `[keys]` in the config uses.

use serde::{Deserialize, Serialize};

/// Where a binding applies. A key may mean different things on different tabs, but a
/// global key can never be shadowed by a tab key (that is a clash).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Global,
    /// Moving in any list or table.
    List,
    Connections,
    /// The GPU tab (it has a process list, so list keys are live there too).
    Gpu,
    /// The Jobs tab (a table, so list keys are live there too).
    Jobs,
    /// The Services tab (a table, so list keys are live there too).
    Services,
    /// The Models tab (a table, so list keys are live there too).
    Models,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Help,
    Palette,
    Problems,
    Filter,
    NextTab,
    PrevTab,
    Tab1,
    Tab2,
    Tab3,
    Tab4,
    Tab5,
    ToggleMouse,
    Refresh,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Select,
    Back,
    Connect,
    Disconnect,
    Add,
    Edit,
    Delete,
    AddTunnel,
    RemoveTunnel,
    Terminate,
    History,
    Alerts,
    PrevGpu,
    NextGpu,
    HistoryMetric,
    HistoryRange,
    StatusFilter,
    Sort,
    SortReverse,
    NextPage,
    PrevPage,
    Mark,
    Requeue,
    RequeueMarked,
    CopyId,
    WorkerLog,
    ServiceFilter,
    ServiceRestart,
    ServiceStop,
    ServiceStart,
    ServiceLog,
    ServiceTunnel,
    CopyUrl,
    ModelSort,
    ModelFilter,
    ModelDelete,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::Quit,
        Action::Help,
        Action::Palette,
        Action::Problems,
        Action::Filter,
        Action::NextTab,
        Action::PrevTab,
        Action::Tab1,
        Action::Tab2,
        Action::Tab3,
        Action::Tab4,
        Action::Tab5,
        Action::ToggleMouse,
        Action::Refresh,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::Select,
        Action::Back,
        Action::Connect,
        Action::Disconnect,
        Action::Add,
        Action::Edit,
        Action::Delete,
        Action::AddTunnel,
        Action::RemoveTunnel,
        Action::Terminate,
        Action::History,
        Action::Alerts,
        Action::PrevGpu,
        Action::NextGpu,
        Action::HistoryMetric,
        Action::HistoryRange,
        Action::StatusFilter,
        Action::Sort,
        Action::SortReverse,
        Action::NextPage,
        Action::PrevPage,
        Action::Mark,
        Action::Requeue,
        Action::RequeueMarked,
        Action::CopyId,
        Action::WorkerLog,
        Action::ServiceFilter,
        Action::ServiceRestart,
        Action::ServiceStop,
        Action::ServiceStart,
        Action::ServiceLog,
        Action::ServiceTunnel,
        Action::CopyUrl,
        Action::ModelSort,
        Action::ModelFilter,
        Action::ModelDelete,
    ];

    /// The config name, e.g. `next_tab`.
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::Palette => "palette",
            Action::Problems => "problems",
            Action::Filter => "filter",
            Action::NextTab => "next_tab",
            Action::PrevTab => "prev_tab",
            Action::Tab1 => "tab1",
            Action::Tab2 => "tab2",
            Action::Tab3 => "tab3",
            Action::Tab4 => "tab4",
            Action::Tab5 => "tab5",
            Action::ToggleMouse => "toggle_mouse",
            Action::Refresh => "refresh",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Select => "select",
            Action::Back => "back",
            Action::Connect => "connect",
            Action::Disconnect => "disconnect",
            Action::Add => "add",
            Action::Edit => "edit",
            Action::Delete => "delete",
            Action::AddTunnel => "add_tunnel",
            Action::RemoveTunnel => "remove_tunnel",
            Action::Terminate => "terminate",
            Action::History => "history",
            Action::Alerts => "alerts",
            Action::PrevGpu => "prev_gpu",
            Action::NextGpu => "next_gpu",
            Action::HistoryMetric => "history_metric",
            Action::HistoryRange => "history_range",
            Action::StatusFilter => "status_filter",
            Action::Sort => "sort",
            Action::SortReverse => "sort_reverse",
            Action::NextPage => "next_page",
            Action::PrevPage => "prev_page",
            Action::Mark => "mark",
            Action::Requeue => "requeue",
            Action::RequeueMarked => "requeue_marked",
            Action::CopyId => "copy_id",
            Action::WorkerLog => "worker_log",
            Action::ServiceFilter => "service_filter",
            Action::ServiceRestart => "service_restart",
            Action::ServiceStop => "service_stop",
            Action::ServiceStart => "service_start",
            Action::ServiceLog => "service_log",
            Action::ServiceTunnel => "service_tunnel",
            Action::CopyUrl => "copy_url",
            Action::ModelSort => "model_sort",
            Action::ModelFilter => "model_filter",
            Action::ModelDelete => "model_delete",
        }
    }

    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.name() == name)
    }

    /// One line for the help overlay and the command palette.
    pub fn description(self) -> &'static str {
        match self {
            Action::Quit => "quit sparkdeck",
            Action::Help => "show this help",
            Action::Palette => "command palette",
            Action::Problems => "list every problem and jump to it",
            Action::Filter => "filter the list",
            Action::NextTab => "next tab",
            Action::PrevTab => "previous tab",
            Action::Tab1 => "Connections tab",
            Action::Tab2 => "GPU tab",
            Action::Tab3 => "Jobs tab",
            Action::Tab4 => "Services tab",
            Action::Tab5 => "Models tab",
            Action::ToggleMouse => "toggle mouse capture",
            Action::Refresh => "refresh now",
            Action::Up => "move up",
            Action::Down => "move down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "go to top",
            Action::Bottom => "go to bottom",
            Action::Select => "open / confirm",
            Action::Back => "back / close",
            Action::Connect => "connect to the selected host",
            Action::Disconnect => "disconnect the selected host",
            Action::Add => "add a connection",
            Action::Edit => "edit the selected connection",
            Action::Delete => "delete the selected connection",
            Action::AddTunnel => "add a tunnel to the selected connection",
            Action::RemoveTunnel => "remove a tunnel",
            Action::Terminate => "terminate the selected GPU process",
            Action::History => "show / hide GPU history",
            Action::Alerts => "show / hide the GPU alert list",
            Action::PrevGpu => "previous GPU",
            Action::NextGpu => "next GPU",
            Action::HistoryMetric => "next history metric",
            Action::HistoryRange => "next history range",
            Action::StatusFilter => "cycle the job status filter",
            Action::Sort => "sort jobs by the next column",
            Action::SortReverse => "reverse the job sort order",
            Action::NextPage => "next page of jobs",
            Action::PrevPage => "previous page of jobs",
            Action::Mark => "mark / unmark the selected job",
            Action::Requeue => "requeue the selected job",
            Action::RequeueMarked => "requeue every marked job",
            Action::CopyId => "copy the selected job's id",
            Action::WorkerLog => "open the worker log at the selected job",
            Action::ServiceFilter => "show all services / problems only / catalogue only",
            Action::ServiceRestart => "restart the selected service's unit or container",
            Action::ServiceStop => "stop the selected service's unit or container",
            Action::ServiceStart => "start the selected service's unit or container",
            Action::ServiceLog => "open the selected service's log (journal or docker)",
            Action::ServiceTunnel => "open a tunnel to the selected service's port",
            Action::CopyUrl => "copy the selected service's URL",
            Action::ModelSort => "sort models: size/name/modified/store",
            Action::ModelFilter => "show all / duplicate / in use / partial",
            Action::ModelDelete => "delete the model (type its name)",
        }
    }

    pub fn scope(self) -> Scope {
        match self {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
            | Action::Select
            | Action::Back => Scope::List,
            Action::Connect
            | Action::Disconnect
            | Action::Add
            | Action::Edit
            | Action::Delete
            | Action::AddTunnel
            | Action::RemoveTunnel => Scope::Connections,
            Action::Terminate
            | Action::History
            | Action::Alerts
            | Action::PrevGpu
            | Action::NextGpu
            | Action::HistoryMetric
            | Action::HistoryRange => Scope::Gpu,
            Action::StatusFilter
            | Action::Sort
            | Action::SortReverse
            | Action::NextPage
            | Action::PrevPage
            | Action::Mark
            | Action::Requeue
            | Action::RequeueMarked
            | Action::CopyId
            | Action::WorkerLog => Scope::Jobs,
            Action::ServiceFilter
            | Action::ServiceRestart
            | Action::ServiceStop
            | Action::ServiceStart
            | Action::ServiceLog
            | Action::ServiceTunnel
            | Action::CopyUrl => Scope::Services,
            Action::ModelSort | Action::ModelFilter | Action::ModelDelete => Scope::Models,
            _ => Scope::Global,
        }
    }
}
