//! Models tab state: the last report of every connection (kept when the connection drops,
//! marked stale), the scan in flight and its progress, the sort and the filters, the
//! selection by model id and the detail view; plus the typed delete confirmation.
//! `models_keys` drives it from keys, `models_events` from the runtime's messages.

use super::state::State;
use crate::config::ModelsSettings;
use crate::model::{
    ConnState, DefaultRole, Duplicate, ModelEntry, ModelsReport, ScanProgress, StoreKind,
};
use ratatui::layout::{Constraint, Layout, Rect};
use std::collections::{BTreeMap, BTreeSet};
use tui_input::Input;

/// The order of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ModelSort {
    /// Largest first: what to look at when the disk is full.
    #[default]
    Size,
    Name,
    /// Newest first.
    Modified,
    /// Store by store, largest first within each.
    Store,
}

impl ModelSort {
    pub fn next(self) -> ModelSort {
        match self {
            ModelSort::Size => ModelSort::Name,
            ModelSort::Name => ModelSort::Modified,
            ModelSort::Modified => ModelSort::Store,
            ModelSort::Store => ModelSort::Size,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ModelSort::Size => "size",
            ModelSort::Name => "name",
            ModelSort::Modified => "modified",
            ModelSort::Store => "store",
        }
    }
}

/// Which models the table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ModelFilter {
    #[default]
    All,
    Duplicates,
    InUse,
    Partial,
}

impl ModelFilter {
    pub fn next(self) -> ModelFilter {
        match self {
            ModelFilter::All => ModelFilter::Duplicates,
            ModelFilter::Duplicates => ModelFilter::InUse,
            ModelFilter::InUse => ModelFilter::Partial,
            ModelFilter::Partial => ModelFilter::All,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ModelFilter::All => "all",
            ModelFilter::Duplicates => "duplicates",
            ModelFilter::InUse => "in use",
            ModelFilter::Partial => "partial downloads",
        }
    }
}

/// What the tab knows about one connection's models.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelsView {
    /// The last report that arrived; kept while the connection is down.
    pub report: Option<ModelsReport>,
    /// When it arrived (Unix seconds, the UI clock).
    pub received_at: Option<i64>,
    /// A scan is out; the time is its last sign of life (sent, or a progress message), so
    /// a long walk that keeps reporting is never given up on.
    pub in_flight: Option<i64>,
    /// When the last scan was asked for; the tick counts from it.
    pub last_sent: Option<i64>,
    /// The newest progress of the scan in flight.
    pub progress: Option<ScanProgress>,
    /// A delete was answered while a scan was out: that scan may predate it, so a forced
    /// one follows as soon as it is in.
    pub again: bool,
}

#[derive(Debug, Clone)]
pub struct ModelsTab {
    pub settings: ModelsSettings,
    pub views: BTreeMap<String, ModelsView>,
    pub sort: ModelSort,
    pub filter: ModelFilter,
    /// The `/` text filter on the model name.
    pub query: Input,
    /// The selected model, by `ModelEntry::id`: stable when a rescan reorders rows.
    pub selected: Option<String>,
    /// The detail view is open.
    pub detail: bool,
    pub detail_scroll: u16,
    /// (connection, model id) of deletes sent and not answered yet.
    pub deleting: BTreeSet<(String, String)>,
}

impl ModelsTab {
    pub fn new(settings: ModelsSettings) -> ModelsTab {
        ModelsTab {
            settings,
            views: BTreeMap::new(),
            sort: ModelSort::Size,
            filter: ModelFilter::All,
            query: Input::default(),
            selected: None,
            detail: false,
            detail_scroll: 0,
            deleting: BTreeSet::new(),
        }
    }

    /// Seconds a scan may stay silent before it is given up on and asked for again:
    /// generous, since a first walk of a multi-terabyte store over SSH takes a while.
    pub fn give_up_s(&self) -> i64 {
        (self.settings.refresh_s.max(1) as i64)
            .saturating_mul(10)
            .clamp(120, 3600)
    }
}

/// "Delete model X at PATH on HOST? Type its name": the effect goes out only when the
/// typed text equals the model's name exactly.
#[derive(Debug, Clone)]
pub struct ConfirmModelDelete {
    /// Connection whose host it is; the effect goes to it and no other.
    pub name: String,
    pub host: String,
    pub id: String,
    /// The model's name, which the user has to type.
    pub model: String,
    pub path: String,
    pub store_kind: StoreKind,
    pub size_bytes: u64,
    /// What the delete frees.
    pub unique_bytes: u64,
    pub input: Input,
    /// Enter was pressed with a name that does not match.
    pub mismatch: bool,
}

impl ConfirmModelDelete {
    pub fn from_entry(name: String, host: String, m: &ModelEntry) -> ConfirmModelDelete {
        ConfirmModelDelete {
            name,
            host,
            id: m.id.clone(),
            model: m.name.clone(),
            path: m.path.clone(),
            store_kind: m.store_kind,
            size_bytes: m.size_bytes,
            unique_bytes: m.unique_bytes,
            input: Input::default(),
            mismatch: false,
        }
    }

    pub fn matches(&self) -> bool {
        self.input.value() == self.model
    }
}

/// Totals for the status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub models: usize,
    pub bytes: u64,
    pub in_use: usize,
    pub partial: usize,
    pub duplicate_groups: usize,
    pub reclaimable: u64,
    pub store_errors: usize,
    pub defaults_missing: usize,
}

impl Totals {
    pub fn of(r: &ModelsReport) -> Totals {
        let models = r.stores.iter().flat_map(|s| &s.models);
        let mut t = Totals::default();
        for m in models {
            t.models += 1;
            t.bytes = t.bytes.saturating_add(m.size_bytes);
            t.in_use += usize::from(m.in_use.is_some());
            t.partial += usize::from(m.partial());
        }
        t.duplicate_groups = r.duplicates.len();
        t.reclaimable = r
            .duplicates
            .iter()
            .fold(0u64, |a, d| a.saturating_add(d.reclaimable_bytes));
        t.store_errors = r.stores.iter().filter(|s| s.error.is_some()).count();
        t.defaults_missing = r.defaults.iter().filter(|d| d.found.is_empty()).count();
        t
    }
}

/// Where the Models tab's parts go; `update` pages with the same rectangles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelsLayout {
    /// Counts, sort, filter, freshness or scan progress.
    pub status: Rect,
    /// One gauge per filesystem; bordered when `disks_boxed`.
    pub disks: Rect,
    pub disks_boxed: bool,
    /// Stores, default roles and duplicates; one summary line when small.
    pub stores: Rect,
    pub stores_boxed: bool,
    /// The bordered table; zero height when the detail view takes the whole body.
    pub table: Rect,
    pub detail: Option<Rect>,
}

/// Wide enough to put the detail beside the table.
const SIDE_BY_SIDE: u16 = 140;
/// Lines a detail pane needs to be worth showing without being asked for.
const AUTO_DETAIL: u16 = 10;

/// Splits the tab body: status line, disks, stores & defaults, table (and the detail).
/// `filesystems` and `store_lines` are what those panels want; the table keeps at least
/// a few rows, so on small screens the panels shrink to one line each or go. With the
/// detail closed, room to spare below the table's `rows` shows it there anyway.
pub fn layout(
    body: Rect,
    filesystems: usize,
    store_lines: usize,
    rows: usize,
    detail: bool,
) -> ModelsLayout {
    let h = body.height;
    let fs = filesystems.max(1) as u16;
    let (disks_h, disks_boxed) = if h >= 20 {
        ((fs + 2).min(h / 4 + 1), true)
    } else if h >= 8 {
        (fs.min(2), false)
    } else {
        (0, false)
    };
    let (stores_h, stores_boxed) = if h >= 34 {
        ((store_lines as u16 + 2).min(h / 4 + 1), true)
    } else if h >= 10 {
        (1, false)
    } else {
        (0, false)
    };
    let [status, disks, stores, rest] = Layout::vertical([
        Constraint::Length(1.min(h)),
        Constraint::Length(disks_h),
        Constraint::Length(stores_h),
        Constraint::Min(0),
    ])
    .areas(body);
    let table_h = (rows as u16).saturating_add(3).max(4);
    let (table, pane) = if !detail {
        if rows > 0 && rest.width >= 60 && rest.height >= table_h.saturating_add(AUTO_DETAIL) {
            let [t, d] =
                Layout::vertical([Constraint::Length(table_h), Constraint::Min(0)]).areas(rest);
            (t, Some(d))
        } else {
            (rest, None)
        }
    } else if rest.width >= SIDE_BY_SIDE {
        let [t, d] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Min(0)]).areas(rest);
        (t, Some(d))
    } else {
        // The detail is what was asked for: it gets the tab below the status line, with
        // the table above it when there is room for both.
        let [_, all] =
            Layout::vertical([Constraint::Length(status.height), Constraint::Min(0)]).areas(body);
        let (table, detail) = if all.height >= 24 {
            let table_h = table_h.clamp(4, all.height * 2 / 5);
            let [t, d] =
                Layout::vertical([Constraint::Length(table_h), Constraint::Min(0)]).areas(all);
            (t, d)
        } else {
            (Rect { height: 0, ..all }, all)
        };
        return ModelsLayout {
            status,
            disks: Rect { height: 0, ..disks },
            disks_boxed,
            stores: Rect {
                height: 0,
                ..stores
            },
            stores_boxed,
            table,
            detail: Some(detail),
        };
    };
    ModelsLayout {
        status,
        disks,
        disks_boxed,
        stores,
        stores_boxed,
        table,
        detail: pane,
    }
}

/// `~/ai/models` for the connection's own home, `~dgx/…` for another user's; the rest as is.
pub fn abbreviate(path: &str, user: Option<&str>) -> String {
    if let Some(u) = user {
        let home = if u == "root" {
            "/root".to_string()
        } else {
            format!("/home/{u}")
        };
        if path == home {
            return "~".into();
        }
        if let Some(rest) = path.strip_prefix(&home).filter(|r| r.starts_with('/')) {
            return format!("~{rest}");
        }
    }
    if let Some(rest) = path.strip_prefix("/home/")
        && let Some((u, tail)) = rest.split_once('/')
        && !u.is_empty()
    {
        return format!("~{u}/{tail}");
    }
    path.to_string()
}

pub fn kind_short(k: StoreKind) -> &'static str {
    match k {
        StoreKind::Folder => "dir",
        StoreKind::HfCache => "hf",
        StoreKind::Ollama => "ollama",
    }
}

/// `1.2 TiB`, `38.4 GiB`, `512 MiB`, `12 KiB`, `300 B`: binary units, one decimal from GiB.
pub fn bytes(n: u64) -> String {
    const K: u64 = 1 << 10;
    const M: u64 = 1 << 20;
    const G: u64 = 1 << 30;
    const T: u64 = 1 << 40;
    match n {
        _ if n >= T => format!("{:.1} TiB", n as f64 / T as f64),
        _ if n >= G => format!("{:.1} GiB", n as f64 / G as f64),
        _ if n >= M => format!("{} MiB", n / M),
        _ if n >= K => format!("{} KiB", n / K),
        _ => format!("{n} B"),
    }
}

/// `12,840`: big counts read at a glance.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl State {
    /// The active connection's view, if a scan was sent or answered for it.
    pub fn models_view(&self) -> Option<&ModelsView> {
        self.models.views.get(self.active.as_ref()?)
    }

    pub fn models_report(&self) -> Option<&ModelsReport> {
        self.models_view()?.report.as_ref()
    }

    /// `name` is up, so a scan can be asked for.
    pub fn models_connected_to(&self, name: &str) -> bool {
        matches!(self.conn_state(name), ConnState::Connected { .. })
    }

    /// The report on screen is from a connection that is not up any more.
    pub fn models_stale(&self) -> bool {
        self.models_report().is_some() && !self.active_connected()
    }

    /// The login user of the active connection, to abbreviate its home with `~`.
    pub fn models_user(&self) -> Option<String> {
        let name = self.active.as_ref()?;
        self.host_info
            .get(name)
            .and_then(|(i, _)| i.user.clone())
            .or_else(|| self.active_entry().and_then(|e| e.user))
    }

    /// The duplicate group `id` is in.
    pub fn model_duplicate(&self, id: &str) -> Option<&Duplicate> {
        self.models_report()?
            .duplicates
            .iter()
            .find(|d| d.models.iter().any(|m| m == id))
    }

    /// The default roles `id` fills.
    pub fn model_roles(&self, id: &str) -> Vec<&DefaultRole> {
        self.models_report()
            .map(|r| {
                r.defaults
                    .iter()
                    .filter(|d| d.found.iter().any(|f| f == id))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A delete of `id` on the active connection was sent and not answered yet.
    pub fn model_deleting(&self, id: &str) -> bool {
        self.active
            .as_ref()
            .is_some_and(|n| self.models.deleting.contains(&(n.clone(), id.to_string())))
    }

    /// Rows the filters let through, in the chosen order.
    pub fn models_rows(&self) -> Vec<&ModelEntry> {
        let Some(r) = self.models_report() else {
            return Vec::new();
        };
        let dup: BTreeSet<&str> = r
            .duplicates
            .iter()
            .flat_map(|d| d.models.iter().map(String::as_str))
            .collect();
        let q = self.models.query.value().trim().to_lowercase();
        let f = self.models.filter;
        let mut rows: Vec<&ModelEntry> = r
            .stores
            .iter()
            .flat_map(|s| &s.models)
            .filter(|m| match f {
                ModelFilter::All => true,
                ModelFilter::Duplicates => dup.contains(m.id.as_str()),
                ModelFilter::InUse => m.in_use.is_some(),
                ModelFilter::Partial => m.partial(),
            })
            .filter(|m| q.is_empty() || m.name.to_lowercase().contains(&q))
            .collect();
        let by_name = |a: &ModelEntry, b: &ModelEntry| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then_with(|| a.id.cmp(&b.id))
        };
        match self.models.sort {
            ModelSort::Size => {
                rows.sort_by(|a, b| b.size_bytes.cmp(&a.size_bytes).then_with(|| by_name(a, b)))
            }
            ModelSort::Name => rows.sort_by(|a, b| by_name(a, b)),
            ModelSort::Modified => rows.sort_by(|a, b| {
                b.modified
                    .unwrap_or(i64::MIN)
                    .cmp(&a.modified.unwrap_or(i64::MIN))
                    .then_with(|| by_name(a, b))
            }),
            ModelSort::Store => rows.sort_by(|a, b| {
                a.store
                    .cmp(&b.store)
                    .then_with(|| b.size_bytes.cmp(&a.size_bytes))
                    .then_with(|| by_name(a, b))
            }),
        }
        rows
    }

    /// Index of the selected row among `rows`: the one with the selected id, or the first
    /// row when it is gone or filtered out.
    pub fn models_selected_index(&self, rows: &[&ModelEntry]) -> Option<usize> {
        if rows.is_empty() {
            return None;
        }
        let by_id = self
            .models
            .selected
            .as_ref()
            .and_then(|id| rows.iter().position(|m| &m.id == id));
        Some(by_id.unwrap_or(0))
    }

    pub fn models_selected(&self) -> Option<&ModelEntry> {
        let rows = self.models_rows();
        let i = self.models_selected_index(&rows)?;
        rows.get(i).copied()
    }

    /// Lines the stores panel wants: one per store, the defaults, the duplicates.
    pub fn models_store_lines(&self) -> usize {
        self.models_report().map_or(0, |r| {
            r.stores.len()
                + usize::from(!r.defaults.is_empty())
                + r.duplicates.len().min(3)
                + r.notes.len().min(2)
        })
    }

    pub fn models_layout(&self) -> ModelsLayout {
        let body = super::layout::frame(Rect::new(0, 0, self.size.0, self.size.1)).body;
        let fs = self.models_report().map_or(0, |r| r.filesystems.len());
        let rows = self.models_rows().len();
        layout(
            body,
            fs,
            self.models_store_lines(),
            rows,
            self.models.detail,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_is_abbreviated_for_the_login_user_and_others() {
        assert_eq!(
            abbreviate("/home/dgx/ai/models", Some("dgx")),
            "~/ai/models"
        );
        assert_eq!(abbreviate("/home/dgx", Some("dgx")), "~");
        assert_eq!(abbreviate("/home/dgxx/a", Some("dgx")), "~dgxx/a");
        assert_eq!(
            abbreviate("/root/.ollama/models", Some("root")),
            "~/.ollama/models"
        );
        assert_eq!(
            abbreviate("/usr/share/ollama/.ollama/models", Some("dgx")),
            "/usr/share/ollama/.ollama/models"
        );
        assert_eq!(abbreviate("/home/ops/m", None), "~ops/m");
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(12_840), "12,840");
        assert_eq!(count(1_234_567), "1,234,567");
    }

    #[test]
    fn bytes_use_binary_units() {
        assert_eq!(bytes(300), "300 B");
        assert_eq!(bytes(2048), "2 KiB");
        assert_eq!(bytes(5 << 20), "5 MiB");
        assert_eq!(bytes(3 << 29), "1.5 GiB");
        assert_eq!(bytes(2 << 40), "2.0 TiB");
    }

    #[test]
    fn cycles_come_back_to_the_start() {
        let mut s = ModelSort::Size;
        let mut f = ModelFilter::All;
        for _ in 0..4 {
            s = s.next();
            f = f.next();
        }
        assert_eq!((s, f), (ModelSort::Size, ModelFilter::All));
    }

    #[test]
    fn layout_parts_stay_inside_the_body() {
        for (w, h) in [(0, 0), (1, 1), (40, 11), (80, 19), (120, 35), (200, 60)] {
            let b = Rect::new(0, 3, w, h);
            for (fs, lines, detail) in [(0, 0, false), (2, 6, false), (2, 6, true), (9, 40, true)] {
                let l = layout(b, fs, lines, 9, detail);
                let mut parts = vec![l.status, l.disks, l.stores, l.table];
                parts.extend(l.detail);
                for r in parts {
                    assert!(
                        r.bottom() <= b.bottom() && r.right() <= b.right(),
                        "{w}x{h}"
                    );
                }
            }
        }
    }
}
