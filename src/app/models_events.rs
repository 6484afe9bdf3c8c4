//! Models data from the runtime: reports, scan progress, delete results, and the rescan
//! cadence driven by `Tick`.

use super::effect::Effect;
use super::models::bytes;
use super::models_keys::load;
use super::msg::FlashLevel;
use super::state::{State, Tab};
use crate::model::{DeleteOutcome, ModelsReport, ScanProgress};

pub fn on_models(state: &mut State, name: String, report: ModelsReport) -> Vec<Effect> {
    let now = state.now;
    let view = state.models.views.entry(name.clone()).or_default();
    view.in_flight = None;
    view.progress = None;
    view.report = Some(report);
    view.received_at = Some(now);
    let again = std::mem::take(&mut view.again);
    state.dirty = true;
    if again {
        load(state, &name, true)
    } else {
        Vec::new()
    }
}

/// A walk moving: shown, and taken as a sign of life of the scan out. Progress with no
/// scan out (a straggler behind its report) is dropped, so it cannot hold up the next one.
pub fn on_progress(state: &mut State, name: String, progress: ScanProgress) {
    let now = state.now;
    let Some(view) = state.models.views.get_mut(&name) else {
        return;
    };
    if view.in_flight.is_none() {
        return;
    }
    view.in_flight = Some(now);
    view.progress = Some(progress);
    if state.active.as_deref() == Some(name.as_str()) && state.tab == Tab::Models {
        state.dirty = true;
    }
}

/// A connection left the connected state: a scan or a delete sent over it will not be
/// answered, so nothing waits for them, and the first tick after it is back scans at once.
pub fn on_conn_change(state: &mut State, name: &str) {
    if state.models_connected_to(name) {
        return;
    }
    if let Some(v) = state.models.views.get_mut(name) {
        v.in_flight = None;
        v.progress = None;
        v.last_sent = None;
        v.again = false;
    }
    state.models.deleting.retain(|(n, _)| n != name);
}

pub fn on_deleted(
    state: &mut State,
    name: String,
    id: String,
    result: Result<DeleteOutcome, String>,
) -> Vec<Effect> {
    state.models.deleting.remove(&(name.clone(), id.clone()));
    let shown = state
        .models
        .views
        .get(&name)
        .and_then(|v| v.report.as_ref())
        .and_then(|r| r.stores.iter().flat_map(|s| &s.models).find(|m| m.id == id))
        .map(|m| m.name.clone());
    match result {
        Ok(o) => {
            let model = if o.model.is_empty() {
                shown.unwrap_or(id)
            } else {
                o.model.clone()
            };
            let kept = if o.kept_shared.is_empty() {
                String::new()
            } else {
                format!(
                    ", {} shared blob(s) kept for other models",
                    o.kept_shared.len()
                )
            };
            state.flash(
                FlashLevel::Info,
                format!(
                    "deleted {model} on '{name}': freed {}, {} path(s) removed{kept}",
                    bytes(o.freed_bytes),
                    o.removed.len()
                ),
            );
        }
        Err(e) => {
            let model = shown.unwrap_or(id);
            state.flash(
                FlashLevel::Error,
                format!("could not delete {model} on '{name}': {e}"),
            );
        }
    }
    // Whatever happened, the sizes on screen predate it: walk again, for that host only.
    match state.models.views.get_mut(&name) {
        Some(v) if v.in_flight.is_some() => {
            v.again = true;
            Vec::new()
        }
        _ => load(state, &name, true),
    }
}

/// Rescans the active host every `refresh_s` while the tab is on screen and the connection
/// is up. A scan still out is waited for while it shows signs of life; one silent for
/// `give_up_s` is given up on, so a lost answer does not stop the rescans for good.
pub fn on_tick(state: &mut State) -> Vec<Effect> {
    if !state.active_connected() {
        return Vec::new();
    }
    let Some(name) = state.active.clone() else {
        return Vec::new();
    };
    let Some(refresh) = state.refresh_every(Tab::Models, state.models.settings.refresh_s) else {
        return Vec::new();
    };
    let give_up = state.models.give_up_s();
    let now = state.now;
    let due = match state.models.views.get_mut(&name) {
        None => true,
        Some(v) => match (v.in_flight, v.last_sent) {
            (Some(alive), _) if now - alive >= give_up => {
                v.in_flight = None;
                v.progress = None;
                true
            }
            (Some(_), _) => false,
            (None, Some(sent)) => now - sent >= refresh,
            (None, None) => true,
        },
    };
    if due {
        load(state, &name, false)
    } else {
        Vec::new()
    }
}
