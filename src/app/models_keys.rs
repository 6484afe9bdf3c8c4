//! What the keys do on the Models tab: refresh, selection, sort, filters, the detail view,
//! and the delete with its typed confirmation.

use super::action::Action;
use super::effect::Effect;
use super::models::{ConfirmModelDelete, bytes};
use super::msg::FlashLevel;
use super::overlay::Overlay;
use super::state::State;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent};
use tui_input::backend::crossterm::EventHandler;

/// Whether `action` can do something on the Models tab; `None` leaves it to the general
/// rules.
pub fn available(state: &State, action: Action) -> Option<bool> {
    let selected = state.models_selected();
    let has_report = state.models_report().is_some();
    Some(match action {
        Action::ModelDelete => {
            !state.read_only_now()
                && state.active_connected()
                && selected.is_some_and(|m| m.in_use.is_none() && !state.model_deleting(&m.id))
        }
        Action::ModelSort | Action::ModelFilter | Action::Filter => has_report,
        Action::Select => selected.is_some(),
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => selected.is_some(),
        Action::Back => state.models.detail || !state.models.query.value().is_empty(),
        Action::Refresh => true,
        _ => return None,
    })
}

/// Runs a Models-tab action; `None` for actions that are not the tab's own.
pub fn apply(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    // With the detail over the whole body the movement keys scroll it; beside the table
    // they move the selection and the detail follows.
    let pane_only = state.models.detail && state.models_layout().table.height == 0;
    match action {
        Action::Up if pane_only => scroll_detail(state, -1),
        Action::Down if pane_only => scroll_detail(state, 1),
        Action::PageUp if state.models.detail => scroll_detail(state, -(page(state) as i64)),
        Action::PageDown if state.models.detail => scroll_detail(state, page(state) as i64),
        Action::Top if pane_only => state.models.detail_scroll = 0,
        Action::Up => move_row(state, -1),
        Action::Down => move_row(state, 1),
        Action::PageUp => move_row(state, -(page(state) as i64)),
        Action::PageDown => move_row(state, page(state) as i64),
        Action::Top => move_row(state, i64::MIN / 2),
        Action::Bottom => move_row(state, i64::MAX / 2),
        Action::Select => {
            if state.models_selected().is_some() {
                state.models.detail = !state.models.detail;
                state.models.detail_scroll = 0;
            }
        }
        Action::Back => {
            if state.models.detail {
                state.models.detail = false;
            } else {
                state.models.query.reset();
            }
        }
        Action::Filter => state.filter_editing = true,
        Action::ModelSort => {
            state.models.sort = state.models.sort.next();
            let label = state.models.sort.label();
            state.flash(FlashLevel::Info, format!("sorted by {label}"));
        }
        Action::ModelFilter => {
            state.models.filter = state.models.filter.next();
            let label = state.models.filter.label();
            state.flash(FlashLevel::Info, format!("showing {label}"));
        }
        Action::ModelDelete => ask_delete(state),
        Action::Refresh => {
            let mut fx = vec![Effect::Refresh];
            let Some(name) = state.active.clone() else {
                return Some(fx);
            };
            if state.models_view().is_some_and(|v| v.in_flight.is_some()) {
                // The scan out may have used the cache: one forced rescan follows it.
                if let Some(v) = state.models.views.get_mut(&name) {
                    v.again = true;
                }
                state.flash(
                    FlashLevel::Info,
                    "a scan is already running; a full rescan follows it",
                );
            } else {
                fx.extend(load(state, &name, true));
            }
            return Some(fx);
        }
        _ => return None,
    }
    Some(Vec::new())
}

/// Asks for a scan of `name`, when it is up and none is out. `force` walks every store
/// again instead of trusting the cache.
pub fn load(state: &mut State, name: &str, force: bool) -> Vec<Effect> {
    if !state.models_connected_to(name) {
        return Vec::new();
    }
    let now = state.now;
    let view = state.models.views.entry(name.to_string()).or_default();
    if view.in_flight.is_some() {
        return Vec::new();
    }
    view.in_flight = Some(now);
    view.last_sent = Some(now);
    view.progress = None;
    vec![Effect::LoadModels {
        name: name.to_string(),
        force,
    }]
}

/// The scan of the active connection, from the cache, when the tab is opened.
pub fn load_active(state: &mut State) -> Vec<Effect> {
    match state.active.clone() {
        Some(name) => load(state, &name, false),
        None => Vec::new(),
    }
}

/// Table rows that fit on screen: what PageUp / PageDown move by.
fn page(state: &State) -> usize {
    let l = state.models_layout();
    let h = if state.models.detail && l.table.height == 0 {
        l.detail.map_or(1, |d| d.height)
    } else {
        l.table.height
    };
    h.saturating_sub(3).max(1) as usize
}

pub fn move_row(state: &mut State, delta: i64) {
    let rows = state.models_rows();
    let Some(i) = state.models_selected_index(&rows) else {
        return;
    };
    let j = (i as i64)
        .saturating_add(delta)
        .clamp(0, rows.len() as i64 - 1) as usize;
    let id = rows[j].id.clone();
    if state.models.selected.as_ref() != Some(&id) {
        state.models.detail_scroll = 0;
    }
    state.models.selected = Some(id);
}

fn scroll_detail(state: &mut State, delta: i64) {
    let s = i64::from(state.models.detail_scroll) + delta;
    state.models.detail_scroll = s.clamp(0, i64::from(u16::MAX)) as u16;
}

/// Opens the typed confirmation for the selected model, unless something forbids it.
fn ask_delete(state: &mut State) {
    if state.read_only_now() {
        state.flash(FlashLevel::Warn, "read-only: deleting models is turned off");
        return;
    }
    let (Some(name), Some(host)) = (state.active.clone(), state.active_host_label()) else {
        state.flash(FlashLevel::Warn, "no active connection");
        return;
    };
    if !state.active_connected() {
        let word = state.conn_state(&name).label();
        state.flash(
            FlashLevel::Warn,
            format!("'{name}' is {word}: the models on screen are stale; reconnect first"),
        );
        return;
    }
    let Some(m) = state.models_selected().cloned() else {
        state.flash(FlashLevel::Info, "no model selected");
        return;
    };
    if let Some(why) = &m.in_use {
        state.flash(
            FlashLevel::Warn,
            format!(
                "{} is in use ({why}): unload or stop it first, then delete",
                m.name
            ),
        );
        return;
    }
    if state.model_deleting(&m.id) {
        state.flash(
            FlashLevel::Info,
            format!("{} is being deleted already", m.name),
        );
        return;
    }
    state.overlay = Some(Overlay::ConfirmModelDelete(Box::new(
        ConfirmModelDelete::from_entry(name, host, &m),
    )));
}

/// Keys in the delete dialog; `None` closes it. Enter sends the delete only when the
/// typed name matches exactly and nothing changed that forbids it since the dialog opened.
pub fn confirm_delete_key(
    state: &mut State,
    mut c: Box<ConfirmModelDelete>,
    k: KeyEvent,
    fx: &mut Vec<Effect>,
) -> Option<Box<ConfirmModelDelete>> {
    match k.code {
        KeyCode::Esc => None,
        KeyCode::Enter => {
            if !c.matches() {
                c.mismatch = true;
                return Some(c);
            }
            if state.read_only_now() {
                state.flash(FlashLevel::Warn, "read-only: deleting models is turned off");
                return None;
            }
            // A rescan that arrived while the dialog was open has the last word.
            let now = state
                .models
                .views
                .get(&c.name)
                .and_then(|v| v.report.as_ref())
                .and_then(|r| {
                    r.stores
                        .iter()
                        .flat_map(|s| &s.models)
                        .find(|m| m.id == c.id)
                });
            match now {
                None => {
                    state.flash(
                        FlashLevel::Warn,
                        format!("{} is gone from the last scan; nothing deleted", c.model),
                    );
                    return None;
                }
                Some(m) if m.in_use.is_some() => {
                    let why = m.in_use.clone().unwrap_or_default();
                    state.flash(
                        FlashLevel::Warn,
                        format!("{} is in use now ({why}); nothing deleted", c.model),
                    );
                    return None;
                }
                Some(_) => {}
            }
            state.flash(
                FlashLevel::Info,
                format!(
                    "deleting {} on {} (frees {})…",
                    c.model,
                    c.host,
                    bytes(c.unique_bytes)
                ),
            );
            state.models.deleting.insert((c.name.clone(), c.id.clone()));
            fx.push(Effect::DeleteModel {
                name: c.name,
                id: c.id,
                path: c.path,
            });
            None
        }
        _ => {
            if c.input
                .handle_event(&Event::Key(k))
                .is_some_and(|r| r.value)
            {
                c.mismatch = false;
            }
            Some(c)
        }
    }
}
