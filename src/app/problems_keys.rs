//! The problems list: its keys, and the jump from a finding to the tab and row it
//! concerns. The list is computed from state each time (`findings::findings`), so the
//! position kept in the overlay is clamped to whatever the list holds now.

use super::action::{Action, Scope};
use super::effect::Effect;
use super::findings::{Target, findings};
use super::overlay::Overlay;
use super::services::RowFilter;
use super::state::{State, Tab};
use ratatui::crossterm::event::KeyEvent;

pub fn open(state: &mut State) {
    state.overlay = Some(Overlay::Problems { selected: 0 });
}

/// One key in the open list. Returns the overlay to keep, `None` when it closes (a jump
/// closes it too, after moving to the target).
pub(super) fn key(
    state: &mut State,
    selected: usize,
    k: KeyEvent,
    fx: &mut Vec<Effect>,
) -> Option<Overlay> {
    let n = findings(state).len();
    let last = n.saturating_sub(1);
    let at = selected.min(last);
    let list = state.keymap.lookup(&k, &[Scope::List]);
    let keep = |selected: usize| Some(Overlay::Problems { selected });
    match state.keymap.lookup(&k, &[Scope::Global]).or(list) {
        Some(Action::Back | Action::Quit | Action::Problems) => None,
        Some(Action::Up) => keep(at.saturating_sub(1)),
        Some(Action::Down) => keep((at + 1).min(last)),
        Some(Action::PageUp) => keep(at.saturating_sub(10)),
        Some(Action::PageDown) => keep((at + 10).min(last)),
        Some(Action::Top) => keep(0),
        Some(Action::Bottom) => keep(last),
        Some(Action::Select) => match findings(state).into_iter().nth(at) {
            Some(f) => {
                fx.extend(jump(state, &f.target));
                None
            }
            None => keep(at),
        },
        _ => keep(at),
    }
}

/// Switches to the target's tab and selects its row by id, clearing a filter of that tab
/// that would hide the row. A target without a row only switches the tab.
pub fn jump(state: &mut State, target: &Target) -> Vec<Effect> {
    let before = state.tab;
    state.tab = target.tab();
    state.filter_editing = false;
    let mut fx = Vec::new();
    match target {
        Target::Connection(name) => {
            if !state.visible_entries().iter().any(|e| &e.name == name) {
                state.filter.reset();
            }
            state.selected = Some(name.clone());
        }
        Target::Gpu(Some(index)) => {
            if let Some(pos) = state
                .gpu_view()
                .and_then(|v| v.samples.iter().position(|s| s.index == *index))
            {
                state.gpu.selected_gpu = pos;
            }
        }
        Target::Jobs(Some(id)) => {
            let on_page = state
                .jobs_view()
                .and_then(|v| v.page.as_ref())
                .is_some_and(|p| p.jobs.iter().any(|j| &j.id == id));
            if !state.jobs_rows().iter().any(|j| &j.id == id) {
                state.jobs.filter.reset();
            }
            // Not on the page read: the status filter or the paging left it out, so read
            // the first page of every status again.
            if !on_page && (state.jobs.status_filter.is_some() || state.jobs.offset > 0) {
                state.jobs.status_filter = None;
                state.jobs.offset = 0;
                if before == Tab::Jobs {
                    fx.extend(super::jobs_keys::load(state));
                }
            }
            state.jobs.selected = Some(id.clone());
            state.jobs.detail_scroll = 0;
        }
        Target::Services(Some(id)) => {
            let hidden = state
                .services_report()
                .and_then(|r| r.rows.iter().find(|r| &r.id == id))
                .is_some_and(|r| !state.services.filter.keeps(r));
            if hidden {
                state.services.filter = RowFilter::All;
            }
            state.services.selected = Some(id.clone());
            state.services.detail_scroll = 0;
        }
        Target::Models(Some(id)) => {
            if !state.models_rows().iter().any(|m| &m.id == id) {
                state.models.query.reset();
                state.models.filter = super::models::ModelFilter::All;
            }
            state.models.selected = Some(id.clone());
            state.models.detail_scroll = 0;
        }
        Target::Gpu(None) | Target::Jobs(None) | Target::Services(None) | Target::Models(None) => {}
    }
    state.dirty = true;
    fx.extend(super::update::entered_tab(state, before));
    fx
}
