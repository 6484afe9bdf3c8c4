//! The one owner of UI state. Only `update` changes it; `ui::render` only reads it.

use super::action::Scope;
use super::entries::{self, Entry};
use super::filter;
use super::form::{KeyCheck, key_file_readable};
use super::gpu::GpuTab;
use super::jobs::JobsTab;
use super::models::ModelsTab;
use super::msg::FlashLevel;
use super::overlay::{HostKeyPrompt, Overlay};
use super::services::ServicesTab;
use crate::config::{Config, Keymap, Theme};
use crate::model::{
    ConnOrigin, ConnState, HostInfo, SavedConnection, SavedTunnel, SshConfigEntry, TunnelSpec,
    TunnelState,
};
use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::sync::Arc;
use tui_input::Input;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Connections,
    Gpu,
    Jobs,
    Services,
    Models,
}

impl Tab {
    pub const ALL: [Tab; 5] = [
        Tab::Connections,
        Tab::Gpu,
        Tab::Jobs,
        Tab::Services,
        Tab::Models,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Connections => "Connections",
            Tab::Gpu => "GPU",
            Tab::Jobs => "Jobs",
            Tab::Services => "Services",
            Tab::Models => "Models",
        }
    }

    /// For narrow terminals.
    pub fn short_title(self) -> &'static str {
        match self {
            Tab::Connections => "Conn",
            Tab::Gpu => "GPU",
            Tab::Jobs => "Jobs",
            Tab::Services => "Svc",
            Tab::Models => "Mod",
        }
    }

    pub fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    pub fn next(self) -> Tab {
        Tab::ALL[(self.index() + 1) % Tab::ALL.len()]
    }

    pub fn prev(self) -> Tab {
        Tab::ALL[(self.index() + Tab::ALL.len() - 1) % Tab::ALL.len()]
    }
}

/// A one-line result or error under the tab body; it goes away a few seconds after it
/// was first shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub level: FlashLevel,
    pub text: String,
    /// The first tick after the flash arrived; `None` until then.
    pub since: Option<i64>,
}

impl Flash {
    /// Errors stay longer: they are the ones a user has to read and act on.
    pub fn ttl(&self) -> i64 {
        match self.level {
            FlashLevel::Info => 4,
            FlashLevel::Warn => 6,
            FlashLevel::Error => 10,
        }
    }
}

/// One tunnel row in the detail pane: saved ones have an id; the default Ollama tunnel the
/// runtime opens on connect has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TunnelRow {
    pub id: Option<i64>,
    pub spec: TunnelSpec,
    pub state: Option<TunnelState>,
}

pub struct State {
    pub keymap: Keymap,
    pub theme: Theme,
    /// `--read-only` / `general.read_only`.
    pub read_only: bool,
    /// `general.background_refresh_s`: off-screen tabs refresh this often (0: never).
    pub background_refresh_s: u64,
    pub local_hostname: String,
    pub tab: Tab,
    pub mouse: bool,
    /// Something visible changed since the last frame; the runtime clears it after drawing.
    pub dirty: bool,
    /// The last `Tick`, Unix seconds.
    pub now: i64,
    /// Terminal size from `Msg::Resize`.
    pub size: (u16, u16),
    /// `ConnectionsLoaded` has arrived at least once.
    pub loaded: bool,
    pub saved: Vec<SavedConnection>,
    pub ssh_config: Vec<SshConfigEntry>,
    pub tunnels: Vec<SavedTunnel>,
    pub active: Option<String>,
    pub conn_states: BTreeMap<String, ConnState>,
    pub generations: BTreeMap<String, u64>,
    pub tunnel_states: Vec<(String, TunnelSpec, TunnelState)>,
    /// Latest host facts per connection and when they were gathered (Unix seconds).
    pub host_info: BTreeMap<String, (HostInfo, i64)>,
    /// The selected row, by name: stable across reloads and filtering.
    pub selected: Option<String>,
    pub filter: Input,
    /// The filter line has the keyboard.
    pub filter_editing: bool,
    pub overlay: Option<Overlay>,
    /// Host-key questions waiting behind the one on screen.
    pub host_key_queue: VecDeque<HostKeyPrompt>,
    pub flash: Option<Flash>,
    /// How the form checks key files; the runtime keeps the real one, tests inject theirs.
    pub key_check: Arc<KeyCheck>,
    /// The GPU tab: data of every connection, selection, history and alerts.
    pub gpu: GpuTab,
    /// The Jobs tab: the queue of every connection, query, selection, marks, triage.
    pub jobs: JobsTab,
    /// The Services tab: the last report of every connection, filter, selection, detail.
    pub services: ServicesTab,
    /// The Models tab: the last scan of every connection, sort, filters, selection, detail.
    pub models: ModelsTab,
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("State")
            .field("tab", &self.tab)
            .field("selected", &self.selected)
            .field("active", &self.active)
            .field("overlay", &self.overlay)
            .field("flash", &self.flash)
            .finish_non_exhaustive()
    }
}

impl State {
    pub fn new(config: &Config, read_only: bool, local_hostname: String) -> State {
        State {
            keymap: config.keymap.clone(),
            theme: config.theme.clone(),
            read_only: read_only || config.general.read_only,
            background_refresh_s: config.general.background_refresh_s,
            local_hostname,
            tab: Tab::Connections,
            mouse: config.general.mouse,
            dirty: true,
            now: 0,
            size: (80, 24),
            loaded: false,
            saved: Vec::new(),
            ssh_config: Vec::new(),
            tunnels: Vec::new(),
            active: None,
            conn_states: BTreeMap::new(),
            generations: BTreeMap::new(),
            tunnel_states: Vec::new(),
            host_info: BTreeMap::new(),
            selected: None,
            filter: Input::default(),
            filter_editing: false,
            overlay: None,
            host_key_queue: VecDeque::new(),
            flash: None,
            key_check: Arc::new(key_file_readable),
            gpu: GpuTab::new(config.gpu.clone()),
            jobs: JobsTab::new(config.jobs.clone()),
            services: ServicesTab::new(config.services.clone()),
            models: ModelsTab::new(config.models.clone()),
        }
    }

    /// Replace the key-file check (tests; a runtime with another filesystem view).
    pub fn with_key_check(
        mut self,
        check: impl Fn(&std::path::Path) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        self.key_check = Arc::new(check);
        self
    }

    /// Every row of the Connections tab, unfiltered.
    pub fn entries(&self) -> Vec<Entry> {
        let local_user = self
            .host_info
            .get(entries::LOCAL_NAME)
            .and_then(|(i, _)| i.user.clone());
        entries::merge(
            &self.local_hostname,
            local_user,
            &self.saved,
            &self.ssh_config,
        )
    }

    pub fn filter_text(&self) -> &str {
        self.filter.value()
    }

    /// The rows the filter lets through, in display order.
    pub fn visible_entries(&self) -> Vec<Entry> {
        let q = self.filter_text();
        self.entries()
            .into_iter()
            .filter(|e| filter::matches(e, q))
            .collect()
    }

    /// Index of the selected row among `visible`: the row named `selected`, or the first
    /// row when that one is filtered out or gone.
    pub fn selected_index(&self, visible: &[Entry]) -> Option<usize> {
        if visible.is_empty() {
            return None;
        }
        let by_name = self
            .selected
            .as_ref()
            .and_then(|n| visible.iter().position(|e| &e.name == n));
        Some(by_name.unwrap_or(0))
    }

    pub fn selected_entry(&self) -> Option<Entry> {
        let visible = self.visible_entries();
        let i = self.selected_index(&visible)?;
        visible.into_iter().nth(i)
    }

    pub fn conn_state(&self, name: &str) -> ConnState {
        self.conn_states
            .get(name)
            .cloned()
            .unwrap_or(ConnState::Disconnected)
    }

    pub fn active_entry(&self) -> Option<Entry> {
        let name = self.active.as_ref()?;
        self.entries().into_iter().find(|e| &e.name == name)
    }

    /// Saved tunnels of `name` plus any tunnel the runtime reports for it, with states.
    pub fn tunnels_of(&self, entry: &Entry) -> Vec<TunnelRow> {
        let state_of = |spec: &TunnelSpec| {
            self.tunnel_states
                .iter()
                .find(|(n, s, _)| n == &entry.name && s == spec)
                .map(|(_, _, st)| st.clone())
        };
        let mut rows: Vec<TunnelRow> = match (entry.origin, entry.id) {
            (ConnOrigin::Saved, Some(id)) => self
                .tunnels
                .iter()
                .filter(|t| t.connection_id == id)
                .map(|t| TunnelRow {
                    id: Some(t.id),
                    spec: t.spec.clone(),
                    state: state_of(&t.spec),
                })
                .collect(),
            _ => Vec::new(),
        };
        for (n, spec, st) in &self.tunnel_states {
            if n == &entry.name && !rows.iter().any(|r| &r.spec == spec) {
                rows.push(TunnelRow {
                    id: None,
                    spec: spec.clone(),
                    state: Some(st.clone()),
                });
            }
        }
        rows.sort_by_key(|r| r.spec.local_port);
        rows
    }

    /// The global flag, or the active connection's own flag.
    /// Read-only for connection `name`: the global flag or that saved connection's own.
    pub fn read_only_for(&self, name: &str) -> bool {
        self.read_only
            || self
                .saved
                .iter()
                .any(|c| c.spec.name == name && c.spec.read_only)
    }

    /// The active connection is up: the tabs that read through it can ask.
    pub fn active_connected(&self) -> bool {
        self.active
            .as_deref()
            .is_some_and(|n| matches!(self.conn_state(n), ConnState::Connected { .. }))
    }

    pub fn read_only_now(&self) -> bool {
        self.read_only || self.active_entry().is_some_and(|e| e.read_only)
    }

    /// A text field has the keyboard, so plain letters type instead of acting.
    pub fn text_focused(&self) -> bool {
        match &self.overlay {
            Some(Overlay::Palette(_))
            | Some(Overlay::TunnelForm(_))
            | Some(Overlay::ConfirmModelDelete(_)) => true,
            Some(Overlay::Form(f)) => f.input(f.focused()).is_some(),
            Some(_) => false,
            None => self.filter_editing,
        }
    }

    /// Keymap scopes in force on the current tab, most specific last so that a global key
    /// always wins (the config engineer refuses clashes between them).
    pub fn scopes(&self) -> &'static [Scope] {
        match self.tab {
            Tab::Connections => &[Scope::Global, Scope::List, Scope::Connections],
            Tab::Gpu => &[Scope::Global, Scope::List, Scope::Gpu],
            Tab::Jobs => &[Scope::Global, Scope::List, Scope::Jobs],
            Tab::Services => &[Scope::Global, Scope::List, Scope::Services],
            Tab::Models => &[Scope::Global, Scope::List, Scope::Models],
        }
    }

    /// Seconds between refreshes of `tab`'s data: its own `refresh_s` while on screen, no
    /// more often than `background_refresh_s` otherwise (None: not in the background).
    pub fn refresh_every(&self, tab: Tab, refresh_s: u64) -> Option<i64> {
        let own = refresh_s.max(1) as i64;
        if self.tab == tab {
            Some(own)
        } else if self.background_refresh_s == 0 {
            None
        } else {
            Some(own.max(self.background_refresh_s as i64))
        }
    }

    /// Show a flash; it expires via `Tick`.
    pub fn flash(&mut self, level: FlashLevel, text: impl Into<String>) {
        self.flash = Some(Flash {
            level,
            text: text.into(),
            since: None,
        });
        self.dirty = true;
    }
}
