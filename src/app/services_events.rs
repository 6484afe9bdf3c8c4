//! Services data from the runtime: reports, action results, and the refresh cadence
//! driven by `Tick`.

use super::effect::Effect;
use super::msg::FlashLevel;
use super::state::{State, Tab};
use crate::model::{ServiceTarget, ServiceVerb, ServicesReport};
use crate::services::actions::ActionError;

pub fn on_services(state: &mut State, name: String, report: ServicesReport) -> Vec<Effect> {
    let now = state.now;
    let view = state.services.views.entry(name.clone()).or_default();
    view.in_flight = None;
    view.report = Some(report);
    view.received_at = Some(now);
    let again = std::mem::take(&mut view.again);
    state.dirty = true;
    if again && state.active.as_deref() == Some(name.as_str()) && state.tab == Tab::Services {
        super::services_keys::load(state)
    } else {
        Vec::new()
    }
}

pub fn on_acted(
    state: &mut State,
    name: String,
    target: ServiceTarget,
    verb: ServiceVerb,
    result: Result<String, ActionError>,
) -> Vec<Effect> {
    match result {
        Ok(summary) => {
            let text = if summary.trim().is_empty() {
                format!("{} {}: done on '{name}'", verb.as_str(), target.name())
            } else {
                summary
            };
            state.flash(FlashLevel::Info, text);
        }
        Err(e) => {
            let text = match &e.fix {
                Some(fix) => format!(
                    "{} {} failed: {} · fix: {fix}",
                    verb.as_str(),
                    target.name(),
                    e.message
                ),
                None => format!("{} {} failed: {}", verb.as_str(), target.name(), e.message),
            };
            state.flash(FlashLevel::Error, text);
        }
    }
    // The state on screen predates the action; read it again, on that connection only.
    if state.active.as_deref() != Some(name.as_str()) {
        return Vec::new();
    }
    let in_flight = state
        .services
        .views
        .get(&name)
        .is_some_and(|v| v.in_flight.is_some());
    if in_flight {
        if let Some(v) = state.services.views.get_mut(&name) {
            v.again = true;
        }
        return Vec::new();
    }
    super::services_keys::load(state)
}

/// Refreshes the active host every `refresh_s` while the tab is on screen and the
/// connection is up. A refresh still out is waited for, up to three periods: a slow host
/// is not buried under requests, and a lost answer does not stop the refreshes for good.
pub fn on_tick(state: &mut State) -> Vec<Effect> {
    if !state.active_connected() {
        return Vec::new();
    }
    let Some(name) = state.active.clone() else {
        return Vec::new();
    };
    let Some(refresh) = state.refresh_every(Tab::Services, state.services.settings.refresh_s)
    else {
        return Vec::new();
    };
    let now = state.now;
    let due = match state.services.views.get_mut(&name) {
        None => true,
        Some(v) => match (v.in_flight, v.last_sent) {
            (Some(sent), _) if now - sent >= 3 * refresh => {
                v.in_flight = None;
                true
            }
            (Some(_), _) => false,
            (None, Some(sent)) => now - sent >= refresh,
            (None, None) => true,
        },
    };
    if due {
        super::services_keys::load(state)
    } else {
        Vec::new()
    }
}
