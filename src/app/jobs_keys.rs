//! What the keys do on the Jobs tab: the query (status filter, sort, paging), selection,
//! marks, the detail pane, copy, the worker log and the requeue confirmations.

use super::action::Action;
use super::effect::Effect;
use super::layout;
use super::msg::FlashLevel;
use super::overlay::{ConfirmRequeue, Overlay, RequeueResults};
use super::state::State;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;

/// Whether `action` can do something on the Jobs tab; `None` leaves it to the general rules.
pub fn available(state: &State, action: Action) -> Option<bool> {
    let selected = state.jobs_selected().is_some();
    let writable = !state.read_only_now();
    Some(match action {
        Action::Requeue => writable && selected,
        Action::RequeueMarked => writable && !state.jobs.marks.is_empty(),
        Action::Mark | Action::CopyId | Action::Select => selected,
        Action::WorkerLog => state.active.is_some(),
        Action::StatusFilter | Action::Sort | Action::SortReverse | Action::Filter => true,
        Action::NextPage => has_next_page(state),
        Action::PrevPage => state.jobs.offset > 0,
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom => selected,
        Action::Back => {
            state.jobs.detail
                || !state.jobs.filter.value().is_empty()
                || !state.jobs.marks.is_empty()
        }
        // Keys of the other tabs do nothing here.
        Action::Terminate
        | Action::History
        | Action::Alerts
        | Action::PrevGpu
        | Action::NextGpu
        | Action::HistoryMetric
        | Action::HistoryRange => false,
        _ => return None,
    })
}

/// Runs a Jobs-tab action; `None` for actions that are not the tab's own.
pub fn apply(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let detail = state.jobs.detail;
    match action {
        Action::Filter => state.filter_editing = true,
        Action::Up if detail => scroll_detail(state, -1),
        Action::Down if detail => scroll_detail(state, 1),
        Action::PageUp if detail => scroll_detail(state, -(page(state) as i64)),
        Action::PageDown if detail => scroll_detail(state, page(state) as i64),
        Action::Top if detail => state.jobs.detail_scroll = 0,
        Action::Up => move_job(state, -1),
        Action::Down => move_job(state, 1),
        Action::PageUp => return Some(page_up(state)),
        Action::PageDown => return Some(page_down(state)),
        Action::Top => move_job(state, i64::MIN / 2),
        Action::Bottom => move_job(state, i64::MAX / 2),
        Action::Select => {
            if state.jobs_selected().is_some() {
                state.jobs.detail = !state.jobs.detail;
                state.jobs.detail_scroll = 0;
            }
        }
        Action::Back => {
            if state.jobs.detail {
                state.jobs.detail = false;
            } else if !state.jobs.filter.value().is_empty() {
                state.jobs.filter.reset();
            } else {
                state.jobs.marks.clear();
            }
        }
        Action::StatusFilter => {
            let n = state.jobs.settings.status_filters.len();
            state.jobs.status_filter = match state.jobs.status_filter {
                None if n > 0 => Some(0),
                Some(i) if i + 1 < n => Some(i + 1),
                _ => None,
            };
            state.jobs.offset = 0;
            return Some(load(state));
        }
        Action::Sort => {
            state.jobs.sort = state.jobs.sort.next();
            state.jobs.offset = 0;
            return Some(load(state));
        }
        Action::SortReverse => {
            state.jobs.desc = !state.jobs.desc;
            state.jobs.offset = 0;
            return Some(load(state));
        }
        Action::NextPage => return Some(next_page(state)),
        Action::PrevPage => return Some(prev_page(state)),
        Action::Mark => mark(state),
        Action::Requeue => requeue_one(state),
        Action::RequeueMarked => requeue_marked(state),
        Action::CopyId => {
            let Some(id) = state.jobs_selected().map(|j| j.id.clone()) else {
                state.flash(FlashLevel::Info, "no job selected");
                return Some(Vec::new());
            };
            state.flash(FlashLevel::Info, format!("copied job id {id}"));
            return Some(vec![Effect::CopyToClipboard(id)]);
        }
        Action::WorkerLog => {
            let Some(name) = state.active.clone() else {
                state.flash(FlashLevel::Warn, "no active connection: pick one first");
                return Some(Vec::new());
            };
            let jump_to = state.jobs_selected().map(|j| j.id.clone());
            let mut view = super::logview::LogView::default();
            let (w, h) = state.size;
            view.set_viewport(view.body_rows(ratatui::layout::Rect::new(0, 0, w, h)));
            state.overlay = Some(super::overlay::Overlay::Log(Box::new(
                super::overlay::LogPane {
                    title: format!("worker log · {} · {name}", state.jobs.settings.worker_log),
                    name: name.clone(),
                    view,
                    jump_to: jump_to.clone(),
                    service: None,
                },
            )));
            return Some(vec![Effect::OpenWorkerLog { name, jump_to }]);
        }
        Action::Refresh => {
            let mut fx = vec![Effect::Refresh];
            fx.extend(load(state));
            return Some(fx);
        }
        _ => return None,
    }
    Some(Vec::new())
}

/// Asks for the page the query describes, on the active connection.
pub fn load(state: &mut State) -> Vec<Effect> {
    let Some(name) = state.active.clone() else {
        return Vec::new();
    };
    let now = state.now;
    let j = &mut state.jobs;
    let status = j
        .status_filter
        .and_then(|i| j.settings.status_filters.get(i))
        .map(|s| vec![s.clone()]);
    let sort_column = j.sort.column(&j.settings).to_string();
    let view = j.views.entry(name.clone()).or_default();
    view.generation += 1;
    view.in_flight = Some((view.generation, now));
    view.last_sent = Some(now);
    vec![Effect::LoadJobs {
        name,
        generation: view.generation,
        status,
        sort_column,
        desc: j.desc,
        offset: j.offset,
        limit: j.settings.page_size,
    }]
}

fn body(state: &State) -> Rect {
    layout::frame(Rect::new(0, 0, state.size.0, state.size.1)).body
}

/// Table rows that fit on screen: what PageUp / PageDown move by.
fn page(state: &State) -> usize {
    layout::jobs(body(state), state.jobs_banner_lines(), state.jobs.detail)
        .table
        .height
        .saturating_sub(3)
        .max(1) as usize
}

fn has_next_page(state: &State) -> bool {
    let j = &state.jobs;
    let Some(p) = state.jobs_view().and_then(|v| v.page.as_ref()) else {
        return false;
    };
    match p.total {
        Some(total) => j.offset + u64::from(j.settings.page_size) < total,
        // Without a total, a full page suggests there is more.
        None => p.jobs.len() as u64 >= u64::from(j.settings.page_size),
    }
}

fn next_page(state: &mut State) -> Vec<Effect> {
    if !has_next_page(state) {
        state.flash(FlashLevel::Info, "this is the last page");
        return Vec::new();
    }
    state.jobs.offset += u64::from(state.jobs.settings.page_size);
    state.jobs.selected = None;
    load(state)
}

fn prev_page(state: &mut State) -> Vec<Effect> {
    if state.jobs.offset == 0 {
        state.flash(FlashLevel::Info, "this is the first page");
        return Vec::new();
    }
    let size = u64::from(state.jobs.settings.page_size);
    state.jobs.offset = state.jobs.offset.saturating_sub(size);
    state.jobs.selected = None;
    load(state)
}

/// PageDown on the last row turns to the next page; elsewhere it moves a screenful.
fn page_down(state: &mut State) -> Vec<Effect> {
    let rows = state.jobs_rows();
    let at_end = state
        .jobs_selected_index(&rows)
        .is_none_or(|i| i + 1 >= rows.len());
    if at_end && has_next_page(state) {
        return next_page(state);
    }
    move_job(state, page(state) as i64);
    Vec::new()
}

fn page_up(state: &mut State) -> Vec<Effect> {
    let rows = state.jobs_rows();
    let at_top = state.jobs_selected_index(&rows).is_none_or(|i| i == 0);
    if at_top && state.jobs.offset > 0 {
        return prev_page(state);
    }
    move_job(state, -(page(state) as i64));
    Vec::new()
}

pub fn move_job(state: &mut State, delta: i64) {
    let rows = state.jobs_rows();
    let Some(i) = state.jobs_selected_index(&rows) else {
        return;
    };
    let j = (i as i64)
        .saturating_add(delta)
        .clamp(0, rows.len() as i64 - 1) as usize;
    let id = rows[j].id.clone();
    if state.jobs.selected.as_ref() != Some(&id) {
        state.jobs.detail_scroll = 0;
    }
    state.jobs.selected = Some(id);
}

fn scroll_detail(state: &mut State, delta: i64) {
    let s = i64::from(state.jobs.detail_scroll) + delta;
    state.jobs.detail_scroll = s.clamp(0, i64::from(u16::MAX)) as u16;
}

/// Space marks the selected job for `R` and moves on, so a run of jobs is marked quickly.
/// A job that cannot be requeued is not marked; the reason is shown instead.
fn mark(state: &mut State) {
    let Some(job) = state.jobs_selected().cloned() else {
        return;
    };
    if state.jobs.marks.remove(&job.id).is_none() {
        if let Some(why) = state.jobs.not_requeueable_reason(&job) {
            state.flash(FlashLevel::Warn, why);
            return;
        }
        state.jobs.marks.insert(job.id.clone(), job.status.clone());
    }
    state.jobs.selected = Some(job.id);
    move_job(state, 1);
}

fn refuse_read_only(state: &mut State) -> bool {
    if state.read_only_now() {
        state.flash(FlashLevel::Warn, "read-only: requeueing jobs is turned off");
        return true;
    }
    false
}

fn requeue_one(state: &mut State) {
    if refuse_read_only(state) {
        return;
    }
    let (Some(name), Some(host)) = (state.active.clone(), state.active_host_label()) else {
        state.flash(FlashLevel::Warn, "no active connection");
        return;
    };
    let Some(job) = state.jobs_selected().cloned() else {
        state.flash(FlashLevel::Info, "no job selected");
        return;
    };
    if let Some(why) = state.jobs.not_requeueable_reason(&job) {
        state.flash(FlashLevel::Warn, why);
        return;
    }
    state.overlay = Some(Overlay::ConfirmRequeue(ConfirmRequeue {
        name,
        host,
        jobs: vec![(job.id, job.status)],
        requeue_chosen: false,
        scroll: 0,
    }));
}

fn requeue_marked(state: &mut State) {
    if refuse_read_only(state) {
        return;
    }
    let (Some(name), Some(host)) = (state.active.clone(), state.active_host_label()) else {
        state.flash(FlashLevel::Warn, "no active connection");
        return;
    };
    if state.jobs.marks.is_empty() {
        let k = state
            .keymap
            .keys_for(Action::Mark)
            .first()
            .map_or_else(|| "mark".to_string(), |b| b.to_string());
        state.flash(
            FlashLevel::Info,
            format!("no marked jobs: mark them with {k}"),
        );
        return;
    }
    // A refresh may have shown a marked job moving on (running, done): it is dropped here
    // with a word rather than sent to a compare-and-set that would refuse it.
    let requeueable = state.jobs.settings.requeueable.clone();
    let (ok, gone): (Vec<_>, Vec<_>) = state
        .jobs
        .marks
        .iter()
        .map(|(id, st)| (id.clone(), st.clone()))
        .partition(|(_, st)| requeueable.contains(st));
    for (id, _) in &gone {
        state.jobs.marks.remove(id);
    }
    if !gone.is_empty() {
        let list: Vec<String> = gone
            .iter()
            .map(|(id, st)| format!("{} ({st})", super::jobs::short_id(id)))
            .collect();
        state.flash(
            FlashLevel::Warn,
            format!("unmarked, no longer requeueable: {}", list.join(", ")),
        );
    }
    if ok.is_empty() {
        return;
    }
    state.overlay = Some(Overlay::ConfirmRequeue(ConfirmRequeue {
        name,
        host,
        jobs: ok,
        requeue_chosen: false,
        scroll: 0,
    }));
}

/// Keys in the requeue dialog; `None` closes it. Only Enter on "Requeue" sends anything.
pub fn confirm_requeue_key(
    state: &mut State,
    mut c: ConfirmRequeue,
    k: KeyEvent,
    fx: &mut Vec<Effect>,
) -> Option<ConfirmRequeue> {
    match k.code {
        KeyCode::Esc | KeyCode::Char('n') => None,
        KeyCode::Left
        | KeyCode::Right
        | KeyCode::Tab
        | KeyCode::BackTab
        | KeyCode::Char('h')
        | KeyCode::Char('l') => {
            c.requeue_chosen = !c.requeue_chosen;
            Some(c)
        }
        KeyCode::Up | KeyCode::Char('k') => {
            c.scroll = c.scroll.saturating_sub(1);
            Some(c)
        }
        KeyCode::Down | KeyCode::Char('j') => {
            c.scroll = c.scroll.saturating_add(1);
            Some(c)
        }
        KeyCode::Enter => {
            // Read-only may have been switched on while the dialog was open.
            if c.requeue_chosen && !state.read_only_now() {
                let ids: Vec<String> = c.jobs.into_iter().map(|(id, _)| id).collect();
                state
                    .jobs
                    .requeue_pending
                    .entry(c.name.clone())
                    .or_default()
                    .extend(ids.iter().cloned());
                state.flash(
                    FlashLevel::Info,
                    format!("requeueing {} job(s) on '{}'…", ids.len(), c.name),
                );
                fx.push(Effect::RequeueJobs { name: c.name, ids });
            }
            None
        }
        _ => Some(c),
    }
}

/// Keys in the per-job result list; `None` closes it.
pub fn results_key(mut r: RequeueResults, k: KeyEvent) -> Option<RequeueResults> {
    match k.code {
        KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => None,
        KeyCode::Up | KeyCode::Char('k') => {
            r.scroll = r.scroll.saturating_sub(1);
            Some(r)
        }
        KeyCode::Down | KeyCode::Char('j') => {
            r.scroll = r.scroll.saturating_add(1);
            Some(r)
        }
        _ => Some(r),
    }
}
