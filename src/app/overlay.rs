//! Dialogs drawn above the tabs. At most one is open; it takes every key.

use super::action::Action;
use super::form::{ConnForm, TunnelForm};
use crate::model::{ConnId, HostKeyDecision};
use tui_input::Input;

#[derive(Debug, Clone)]
pub enum Overlay {
    Help {
        scroll: u16,
    },
    Palette(Palette),
    ConfirmDelete(ConfirmDelete),
    Form(Box<ConnForm>),
    TunnelForm(Box<TunnelForm>),
    TunnelPick(TunnelPick),
    HostKey(HostKeyPrompt),
    ConfirmTerminate(ConfirmTerminate),
    ConfirmRequeue(ConfirmRequeue),
    RequeueResults(RequeueResults),
    /// A log followed live (the worker log; journalctl and docker logs of a service).
    Log(Box<LogPane>),
    /// Start / stop / restart a service's unit or container.
    ConfirmService(super::services::ConfirmService),
    /// Delete a model: the user types its name before Enter does anything.
    ConfirmModelDelete(Box<super::models::ConfirmModelDelete>),
    /// Every finding of `findings::findings`, worst first; Enter jumps to its row.
    Problems {
        /// Position in the list as computed now; clamped when the list shrinks.
        selected: usize,
    },
}

/// The log viewer over the tabs, for one connection's log.
#[derive(Debug, Clone)]
pub struct LogPane {
    /// Connection whose host the lines come from.
    pub name: String,
    pub title: String,
    pub view: super::logview::LogView,
    /// Jump to this text (the selected job's id) once it has arrived.
    pub jump_to: Option<String>,
    /// Set for a service's log: what it follows and from when, so the time-window keys
    /// can reopen it.
    pub service: Option<super::services::ServiceLog>,
}

/// "Requeue job X (status) on HOST?" — one job or every marked one, named; starts on Cancel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmRequeue {
    /// Connection whose queue it is; the effect goes to it and no other.
    pub name: String,
    pub host: String,
    /// (job id, status as last read), exactly the ids the effect will carry.
    pub jobs: Vec<(String, String)>,
    pub requeue_chosen: bool,
    pub scroll: u16,
}

/// The per-job answer to a requeue, until the user closes it.
#[derive(Debug, Clone, PartialEq)]
pub struct RequeueResults {
    pub name: String,
    pub rows: Vec<super::jobs::RequeueRow>,
    pub scroll: u16,
}

#[derive(Debug, Clone, Default)]
pub struct Palette {
    pub input: Input,
    /// Index into the filtered list.
    pub selected: usize,
}

/// "Delete connection X?" — the choice starts on Cancel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmDelete {
    pub id: ConnId,
    pub name: String,
    /// `user@host:port`, so the user sees which box they are about to forget.
    pub address: String,
    pub tunnels: usize,
    pub delete_chosen: bool,
}

/// "Send SIGTERM (or SIGKILL) to pid N (command) on HOST?" — the choice starts on Cancel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmTerminate {
    /// Connection the process runs on; the effect goes to it and no other.
    pub name: String,
    /// `user@host:port` (or the local hostname), so the user sees which box.
    pub host: String,
    pub pid: u32,
    pub command: String,
    /// SIGKILL instead of SIGTERM.
    pub force: bool,
    pub terminate_chosen: bool,
}

/// Pick one saved tunnel of a connection to remove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TunnelPick {
    pub name: String,
    /// (tunnel id, "11435 → localhost:11434")
    pub tunnels: Vec<(i64, String)>,
    pub selected: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostKeyPrompt {
    pub id: u64,
    pub name: String,
    pub host: String,
    pub key_type: String,
    pub fingerprint: String,
    pub other_known_keys: usize,
    /// Index into `HostKeyPrompt::CHOICES`; starts on Cancel.
    pub choice: usize,
}

impl HostKeyPrompt {
    pub const CHOICES: [(HostKeyDecision, &'static str); 3] = [
        (HostKeyDecision::TrustOnce, "Trust once"),
        (HostKeyDecision::TrustAlways, "Trust always"),
        (HostKeyDecision::Cancel, "Cancel"),
    ];
    pub const CANCEL: usize = 2;

    pub fn decision(&self) -> HostKeyDecision {
        Self::CHOICES[self.choice.min(2)].0
    }
}

/// Actions that make sense to run from the palette (movement keys do not).
pub fn palette_candidates() -> impl Iterator<Item = Action> {
    Action::ALL.iter().copied().filter(|a| {
        !matches!(
            a,
            Action::Palette
                | Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::Top
                | Action::Bottom
                | Action::Select
                | Action::Back
        )
    })
}
