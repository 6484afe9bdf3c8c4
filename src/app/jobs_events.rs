//! Jobs data from the runtime: pages (or why there is none), requeue results, triage, and
//! the refresh cadence driven by `Tick`.

use super::effect::Effect;
use super::jobs::JobsTriage;
use super::msg::FlashLevel;
use super::overlay::{Overlay, RequeueResults};
use super::state::{State, Tab};
use crate::model::{JobsPage, RequeueOutcome};

pub fn on_jobs(
    state: &mut State,
    name: String,
    generation: u64,
    result: Result<JobsPage, String>,
    at: i64,
) {
    let view = state.jobs.views.entry(name).or_default();
    // An answer to a query the user has since changed (filter, sort, page) would put the
    // wrong rows on screen.
    if generation < view.generation {
        return;
    }
    view.in_flight = None;
    match result {
        Ok(page) => {
            for job in &page.jobs {
                if let Some(st) = state.jobs.marks.get_mut(&job.id) {
                    st.clone_from(&job.status);
                }
            }
            view.page = Some(page);
            view.fetched_at = Some(at);
            view.error = None;
            view.no_credentials = None;
        }
        Err(e) => view.error = Some((e, at)),
    }
    state.dirty = true;
}

pub fn on_no_credentials(state: &mut State, name: String, looked_in: String) {
    let view = state.jobs.views.entry(name).or_default();
    view.in_flight = None;
    // Rows read with credentials that are gone now would look current; say why instead.
    view.page = None;
    view.fetched_at = None;
    view.no_credentials = Some(looked_in);
    state.dirty = true;
}

pub fn on_requeued(
    state: &mut State,
    name: String,
    results: Vec<(String, RequeueOutcome)>,
) -> Vec<Effect> {
    if let Some(p) = state.jobs.requeue_pending.get_mut(&name) {
        p.retain(|id| !results.iter().any(|(r, _)| r == id));
        if p.is_empty() {
            state.jobs.requeue_pending.remove(&name);
        }
    }
    let done = results.iter().filter(|(_, o)| o.is_requeued()).count();
    for (id, o) in &results {
        if o.is_requeued() {
            state.jobs.marks.remove(id);
        }
    }
    let level = if done == results.len() {
        FlashLevel::Info
    } else {
        FlashLevel::Warn
    };
    state.flash(
        level,
        format!("requeued {done} of {} job(s) on '{name}'", results.len()),
    );
    // A dialog the user opened meanwhile stays; the flash carries the summary then.
    if state.overlay.is_none() {
        state.overlay = Some(Overlay::RequeueResults(RequeueResults {
            name: name.clone(),
            rows: results,
            scroll: 0,
        }));
    }
    if state.active.as_deref() == Some(name.as_str()) {
        super::jobs_keys::load(state)
    } else {
        Vec::new()
    }
}

pub fn on_triage(
    state: &mut State,
    name: String,
    banner: Option<String>,
    checks: Vec<(bool, String, String)>,
    hints: Vec<(String, String)>,
) {
    state.jobs.triage.insert(
        name,
        JobsTriage {
            banner,
            checks,
            hints: hints.into_iter().collect(),
        },
    );
    state.dirty = true;
}

/// Reads the active queue every `refresh_s` while the tab is on screen. A read still out
/// is waited for (up to its worst-case time: every retry timing out), so a slow server
/// is not buried under requests whose answers would each be superseded.
pub fn on_tick(state: &mut State) -> Vec<Effect> {
    // On its own tab the queue is read even with the host down (the credentials may be
    // sparkdeck's own); in the background only for a connection that is up.
    if state.tab != Tab::Jobs && !state.active_connected() {
        return Vec::new();
    }
    let Some(refresh) = state.refresh_every(Tab::Jobs, state.jobs.settings.refresh_s) else {
        return Vec::new();
    };
    let Some(name) = state.active.as_ref() else {
        return Vec::new();
    };
    let s = &state.jobs.settings;
    let give_up = (s.timeout_s.max(1) * (u64::from(s.retries) + 1)) as i64 + refresh;
    let due = match state.jobs.views.get(name) {
        None => true,
        Some(v) => match (v.in_flight, v.last_sent) {
            (Some((_, sent)), _) => state.now - sent >= give_up,
            (None, Some(sent)) => state.now - sent >= refresh,
            (None, None) => true,
        },
    };
    if due {
        super::jobs_keys::load(state)
    } else {
        Vec::new()
    }
}
