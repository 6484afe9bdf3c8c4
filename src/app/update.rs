//! The pure state transition: `update(&mut State, Msg) -> Vec<Effect>`. No I/O and no
//! clock here; time arrives in `Msg::Tick`, results in messages, and everything that
//! touches the outside world leaves as an `Effect`.

use super::action::{Action, Scope};
use super::effect::Effect;
use super::entries::Entry;
use super::form::{ConnForm, TunnelForm};
use super::layout;
use super::logview::LogViewOutcome;
use super::msg::{FlashLevel, Msg};
use super::overlay::{
    ConfirmDelete, HostKeyPrompt, Overlay, Palette, TunnelPick, palette_candidates,
};
use super::state::{State, Tab};
use crate::model::{ConnOrigin, ConnState, HostKeyDecision};
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;
use tui_input::backend::crossterm::EventHandler;
use tui_input::{Input, InputRequest};

pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(k) => {
            if k.kind == KeyEventKind::Release {
                return Vec::new();
            }
            state.dirty = true;
            on_key(state, k)
        }
        Msg::Mouse(m) => on_mouse(state, m),
        Msg::Models { name, report } => super::models_events::on_models(state, name, report),
        Msg::ModelsProgress { name, progress } => {
            super::models_events::on_progress(state, name, progress);
            Vec::new()
        }
        Msg::ModelDeleted { name, id, result } => {
            super::models_events::on_deleted(state, name, id, result)
        }
        Msg::Services { name, report } => super::services_events::on_services(state, name, report),
        Msg::ServiceActed {
            name,
            target,
            verb,
            result,
        } => super::services_events::on_acted(state, name, target, verb, result),
        Msg::Resize { width, height } => {
            state.size = (width, height);
            state.dirty = true;
            Vec::new()
        }
        Msg::Tick { now } => {
            on_tick(state, now);
            let mut fx = super::jobs_events::on_tick(state);
            fx.extend(super::services_events::on_tick(state));
            fx.extend(super::models_events::on_tick(state));
            fx
        }
        Msg::Paste(text) => {
            paste(state, &text);
            Vec::new()
        }
        Msg::ConnectionsLoaded {
            saved,
            ssh_config,
            tunnels,
            active,
        } => {
            state.saved = saved;
            state.ssh_config = ssh_config;
            state.tunnels = tunnels;
            if active.is_some() {
                state.active = active;
            }
            if state.selected.is_none() {
                state.selected = state.active.clone();
            }
            state.loaded = true;
            state.dirty = true;
            Vec::new()
        }
        Msg::ConnState {
            name,
            generation,
            state: cs,
        } => {
            let newest = state.generations.get(&name).copied().unwrap_or(0);
            if generation < newest {
                return Vec::new();
            }
            state.generations.insert(name.clone(), generation);
            // The worker records the time in the store; mirror it so the row does not say
            // "never" until the next reload.
            if let ConnState::Connected { since } = cs
                && let Some(c) = state.saved.iter_mut().find(|c| c.spec.name == name)
            {
                c.last_connected_at = Some(since);
            }
            state.conn_states.insert(name.clone(), cs);
            super::models_events::on_conn_change(state, &name);
            state.dirty = true;
            Vec::new()
        }
        Msg::TunnelState {
            name,
            spec,
            state: ts,
        } => {
            match state
                .tunnel_states
                .iter_mut()
                .find(|(n, s, _)| *n == name && *s == spec)
            {
                Some(slot) => slot.2 = ts,
                None => state.tunnel_states.push((name, spec, ts)),
            }
            state.dirty = true;
            Vec::new()
        }
        Msg::HostKeyQuestion {
            id,
            name,
            host,
            key_type,
            fingerprint,
            other_known_keys,
        } => {
            let prompt = HostKeyPrompt {
                id,
                name,
                host,
                key_type,
                fingerprint,
                other_known_keys,
                choice: HostKeyPrompt::CANCEL,
            };
            ask_host_key(state, prompt);
            Vec::new()
        }
        Msg::HostInfo { name, info, at } => {
            state.host_info.insert(name, (info, at));
            state.dirty = true;
            Vec::new()
        }
        Msg::StoreSaved { result } => {
            store_saved(state, result);
            Vec::new()
        }
        Msg::StoreDeleted { id, name, result } => {
            match result {
                Ok(()) => {
                    let visible = state.visible_entries();
                    if state.selected.as_deref() == Some(name.as_str()) {
                        // Keep the cursor where it was: on the row that slides up into place.
                        let i = visible.iter().position(|e| e.name == name);
                        state.selected = i.and_then(|i| {
                            visible
                                .get(i + 1)
                                .or_else(|| i.checked_sub(1).and_then(|j| visible.get(j)))
                                .map(|e| e.name.clone())
                        });
                    }
                    state.saved.retain(|c| c.id != id);
                    state.tunnels.retain(|t| t.connection_id != id);
                    state.flash(FlashLevel::Info, format!("deleted connection '{name}'"));
                }
                Err(e) => state.flash(FlashLevel::Error, format!("could not delete '{name}': {e}")),
            }
            Vec::new()
        }
        Msg::TunnelSaved { result } => {
            match result {
                Ok(t) => {
                    if matches!(state.overlay, Some(Overlay::TunnelForm(_))) {
                        close_overlay(state);
                    }
                    let text = format!(
                        "added tunnel {} → {}:{}",
                        t.spec.local_port, t.spec.remote_host, t.spec.remote_port
                    );
                    state.tunnels.retain(|x| x.id != t.id);
                    state.tunnels.push(t);
                    state.flash(FlashLevel::Info, text);
                }
                Err(e) => {
                    if let Some(Overlay::TunnelForm(f)) = &mut state.overlay {
                        f.saving = false;
                        f.store_error = Some(e.clone());
                    }
                    state.flash(FlashLevel::Error, format!("could not save the tunnel: {e}"));
                }
            }
            Vec::new()
        }
        Msg::TunnelRemoved { id, result } => {
            match result {
                Ok(()) => {
                    // Its last reported state goes too, or the list would keep showing it
                    // as an unsaved (default) tunnel.
                    if let Some(t) = state.tunnels.iter().find(|t| t.id == id)
                        && let Some(c) = state.saved.iter().find(|c| c.id == t.connection_id)
                    {
                        let (name, spec) = (c.spec.name.clone(), t.spec.clone());
                        state
                            .tunnel_states
                            .retain(|(n, s, _)| !(n == &name && s == &spec));
                    }
                    state.tunnels.retain(|t| t.id != id);
                    state.flash(FlashLevel::Info, "tunnel removed");
                }
                Err(e) => state.flash(
                    FlashLevel::Error,
                    format!("could not remove the tunnel: {e}"),
                ),
            }
            Vec::new()
        }
        Msg::Flash { level, text } => {
            state.flash(level, text);
            Vec::new()
        }
        Msg::Gpu {
            name,
            generation,
            event,
        } => super::gpu_events::on_event(state, name, generation, event),
        Msg::GpuHistory {
            name,
            gpu_index,
            metric,
            range,
            points,
        } => {
            super::gpu_events::on_history(state, name, gpu_index, metric, range, points);
            Vec::new()
        }
        Msg::GpuAlerts(rows) => {
            super::gpu_events::on_alerts(state, rows);
            Vec::new()
        }
        Msg::ProcessTerminated { name, pid, result } => {
            super::gpu_events::on_terminated(state, name, pid, result);
            Vec::new()
        }
        Msg::Jobs {
            name,
            generation,
            result,
            at,
        } => {
            super::jobs_events::on_jobs(state, name, generation, result, at);
            Vec::new()
        }
        Msg::JobsNoCredentials { name, looked_in } => {
            super::jobs_events::on_no_credentials(state, name, looked_in);
            Vec::new()
        }
        Msg::JobsRequeued { name, results } => {
            super::jobs_events::on_requeued(state, name, results)
        }
        Msg::JobsTriage {
            name,
            banner,
            checks,
            hints,
        } => {
            super::jobs_events::on_triage(state, name, banner, checks, hints);
            Vec::new()
        }
        Msg::LogLines { name, lines } => {
            if let Some(Overlay::Log(p)) = &mut state.overlay
                && p.name == name
            {
                p.view.push_lines(&lines);
                // The selected job's id, once its lines are in: the newest occurrence.
                if let Some(needle) = p.jump_to.clone()
                    && p.view.jump_to(&needle)
                {
                    p.jump_to = None;
                }
                state.dirty = true;
            }
            Vec::new()
        }
        Msg::LogNotice { name, text } => {
            if let Some(Overlay::Log(p)) = &mut state.overlay
                && p.name == name
            {
                p.view.set_notice(Some(text));
                state.dirty = true;
            }
            Vec::new()
        }
    }
}

fn on_tick(state: &mut State, now: i64) {
    if now != state.now {
        // Ages and countdowns on screen move with the clock.
        state.dirty = true;
    }
    state.now = now;
    if let Some(f) = &mut state.flash {
        match f.since {
            None => f.since = Some(now),
            Some(since) if now - since >= f.ttl() => {
                state.flash = None;
                state.dirty = true;
            }
            Some(_) => {}
        }
    }
}

fn store_saved(state: &mut State, result: Result<crate::model::SavedConnection, String>) {
    match result {
        Ok(c) => {
            let name = c.spec.name.clone();
            if let Some(Overlay::Form(f)) = &state.overlay {
                // A rename keeps the row selected under its new name.
                if state.selected.is_some() && state.selected == f.original_name {
                    state.selected = Some(name.clone());
                }
                close_overlay(state);
            }
            state.saved.retain(|x| x.id != c.id);
            state.saved.push(c);
            state.selected = Some(name.clone());
            state.flash(FlashLevel::Info, format!("saved connection '{name}'"));
        }
        Err(e) => {
            if let Some(Overlay::Form(f)) = &mut state.overlay {
                f.saving = false;
                f.store_error = Some(e.clone());
            }
            state.flash(
                FlashLevel::Error,
                format!("could not save the connection: {e}"),
            );
        }
    }
}

/// A host-key question interrupts lists, help, the palette and the problems list, but never
/// a half-typed form or a pending confirmation: it waits behind them.
fn ask_host_key(state: &mut State, prompt: HostKeyPrompt) {
    state.dirty = true;
    match &state.overlay {
        None
        | Some(Overlay::Help { .. })
        | Some(Overlay::Palette(_))
        | Some(Overlay::Problems { .. }) => {
            state.overlay = Some(Overlay::HostKey(prompt));
        }
        Some(_) => {
            let name = prompt.name.clone();
            state.host_key_queue.push_back(prompt);
            state.flash(
                FlashLevel::Warn,
                format!("'{name}' waits for a host-key decision; close this dialog to answer"),
            );
        }
    }
}

fn close_overlay(state: &mut State) {
    state.overlay = state.host_key_queue.pop_front().map(Overlay::HostKey);
}

fn is_hard_quit(state: &State, k: &KeyEvent) -> bool {
    k.modifiers.contains(KeyModifiers::CONTROL)
        && state.keymap.lookup(k, &[Scope::Global]) == Some(Action::Quit)
}

fn on_key(state: &mut State, k: KeyEvent) -> Vec<Effect> {
    if is_hard_quit(state, &k) {
        return vec![Effect::Quit];
    }
    if let Some(overlay) = state.overlay.take() {
        return on_overlay_key(state, overlay, k);
    }
    if state.filter_editing {
        on_filter_key(state, k);
        return Vec::new();
    }
    match state.keymap.lookup(&k, state.scopes()) {
        Some(a) => apply_action(state, a),
        None => Vec::new(),
    }
}

fn on_filter_key(state: &mut State, k: KeyEvent) {
    let gpu = state.tab == Tab::Gpu;
    let jobs = state.tab == Tab::Jobs;
    let models = state.tab == Tab::Models;
    match k.code {
        KeyCode::Esc => {
            if gpu {
                state.gpu.filter.reset();
            } else if jobs {
                state.jobs.filter.reset();
            } else if models {
                state.models.query.reset();
            } else {
                state.filter.reset();
            }
            state.filter_editing = false;
        }
        KeyCode::Enter => state.filter_editing = false,
        KeyCode::Up if gpu => super::gpu_keys::move_process(state, -1),
        KeyCode::Down if gpu => super::gpu_keys::move_process(state, 1),
        KeyCode::Up if jobs => super::jobs_keys::move_job(state, -1),
        KeyCode::Down if jobs => super::jobs_keys::move_job(state, 1),
        KeyCode::Up if models => super::models_keys::move_row(state, -1),
        KeyCode::Down if models => super::models_keys::move_row(state, 1),
        KeyCode::Up => move_selection(state, -1),
        KeyCode::Down => move_selection(state, 1),
        _ => {
            let input = if gpu {
                &mut state.gpu.filter
            } else if jobs {
                &mut state.jobs.filter
            } else if models {
                &mut state.models.query
            } else {
                &mut state.filter
            };
            input.handle_event(&Event::Key(k));
        }
    }
}

/// What an overlay's key handler decided.
enum Next {
    Keep(Overlay),
    Close,
}

fn on_overlay_key(state: &mut State, overlay: Overlay, k: KeyEvent) -> Vec<Effect> {
    let mut effects = Vec::new();
    let next = match overlay {
        Overlay::Help { scroll } => help_key(state, scroll, k),
        Overlay::Palette(p) => palette_key(state, p, k, &mut effects),
        Overlay::ConfirmDelete(c) => confirm_key(c, k, &mut effects),
        Overlay::Form(f) => form_key(state, f, k, &mut effects),
        Overlay::TunnelForm(f) => tunnel_form_key(state, f, k, &mut effects),
        Overlay::TunnelPick(p) => tunnel_pick_key(p, k, &mut effects),
        Overlay::HostKey(h) => host_key_key(h, k, &mut effects),
        Overlay::ConfirmTerminate(c) => {
            match super::gpu_keys::confirm_terminate_key(state, c, k, &mut effects) {
                Some(c) => Next::Keep(Overlay::ConfirmTerminate(c)),
                None => Next::Close,
            }
        }
        Overlay::ConfirmRequeue(c) => {
            match super::jobs_keys::confirm_requeue_key(state, c, k, &mut effects) {
                Some(c) => Next::Keep(Overlay::ConfirmRequeue(c)),
                None => Next::Close,
            }
        }
        Overlay::RequeueResults(r) => match super::jobs_keys::results_key(r, k) {
            Some(r) => Next::Keep(Overlay::RequeueResults(r)),
            None => Next::Close,
        },
        Overlay::ConfirmService(c) => {
            match super::services_keys::confirm_key(state, c, k, &mut effects) {
                Some(c) => Next::Keep(Overlay::ConfirmService(c)),
                None => Next::Close,
            }
        }
        Overlay::ConfirmModelDelete(c) => {
            match super::models_keys::confirm_delete_key(state, c, k, &mut effects) {
                Some(c) => Next::Keep(Overlay::ConfirmModelDelete(c)),
                None => Next::Close,
            }
        }
        Overlay::Problems { selected } => {
            match super::problems_keys::key(state, selected, k, &mut effects) {
                Some(o) => Next::Keep(o),
                None => Next::Close,
            }
        }
        Overlay::Log(mut p) => {
            // A service log's time-window keys, unless the search prompt is taking text.
            let window = super::services_keys::window_for_key(&k)
                .filter(|_| p.service.is_some() && p.view.prompt().is_none());
            if let Some(w) = window {
                effects.extend(super::services_keys::switch_window(&mut p, w));
                Next::Keep(Overlay::Log(p))
            } else {
                match super::logview::handle_key(&mut p.view, k) {
                    LogViewOutcome::Close => {
                        effects.push(Effect::CloseLog { name: p.name });
                        Next::Close
                    }
                    LogViewOutcome::None | LogViewOutcome::Unhandled => Next::Keep(Overlay::Log(p)),
                }
            }
        }
    };
    match next {
        Next::Keep(o) => {
            if state.overlay.is_none() {
                state.overlay = Some(o);
            }
        }
        Next::Close => {
            // A palette command may have opened its own overlay already.
            if state.overlay.is_none() {
                close_overlay(state);
            }
        }
    }
    effects
}

fn help_key(state: &State, scroll: u16, k: KeyEvent) -> Next {
    let list = state.keymap.lookup(&k, &[Scope::List]);
    match state.keymap.lookup(&k, &[Scope::Global]).or(list) {
        Some(Action::Help | Action::Quit | Action::Back | Action::Select) => Next::Close,
        Some(Action::Up) => Next::Keep(Overlay::Help {
            scroll: scroll.saturating_sub(1),
        }),
        Some(Action::Down) => Next::Keep(Overlay::Help {
            scroll: scroll.saturating_add(1),
        }),
        Some(Action::PageUp) => Next::Keep(Overlay::Help {
            scroll: scroll.saturating_sub(10),
        }),
        Some(Action::PageDown) => Next::Keep(Overlay::Help {
            scroll: scroll.saturating_add(10),
        }),
        Some(Action::Top) => Next::Keep(Overlay::Help { scroll: 0 }),
        _ => Next::Keep(Overlay::Help { scroll }),
    }
}

/// Actions the palette offers now, filtered by `query` against name and description.
pub fn palette_matches(state: &State, query: &str) -> Vec<Action> {
    let q = query.trim().to_lowercase();
    palette_candidates()
        .filter(|a| available(state, *a))
        .filter(|a| {
            q.is_empty()
                || a.name().replace('_', " ").contains(&q)
                || a.name().contains(&q)
                || a.description().to_lowercase().contains(&q)
        })
        .collect()
}

/// Whether an action can do something right now.
pub fn available(state: &State, action: Action) -> bool {
    let on_conn = state.tab == Tab::Connections;
    let sel = if on_conn {
        state.selected_entry()
    } else {
        None
    };
    let saved = sel.as_ref().is_some_and(|e| e.origin == ConnOrigin::Saved);
    let on_gpu = state.tab == Tab::Gpu;
    if on_gpu && let Some(a) = super::gpu_keys::available(state, action) {
        return a;
    }
    let on_jobs = state.tab == Tab::Jobs;
    if on_jobs && let Some(a) = super::jobs_keys::available(state, action) {
        return a;
    }
    let on_services = state.tab == Tab::Services;
    if on_services && let Some(a) = super::services_keys::available(state, action) {
        return a;
    }
    let on_models = state.tab == Tab::Models;
    if on_models && let Some(a) = super::models_keys::available(state, action) {
        return a;
    }
    match action {
        Action::Terminate
        | Action::History
        | Action::Alerts
        | Action::PrevGpu
        | Action::NextGpu
        | Action::HistoryMetric
        | Action::HistoryRange => on_gpu,
        Action::StatusFilter
        | Action::Sort
        | Action::SortReverse
        | Action::NextPage
        | Action::PrevPage
        | Action::Mark
        | Action::Requeue
        | Action::RequeueMarked
        | Action::CopyId
        | Action::WorkerLog => on_jobs,
        Action::ServiceFilter
        | Action::ServiceRestart
        | Action::ServiceStop
        | Action::ServiceStart
        | Action::ServiceLog
        | Action::ServiceTunnel
        | Action::CopyUrl => on_services,
        Action::ModelSort | Action::ModelFilter | Action::ModelDelete => on_models,
        Action::Filter | Action::Add => on_conn,
        Action::Connect | Action::Select => sel.is_some(),
        Action::Disconnect => sel
            .as_ref()
            .is_some_and(|e| state.conn_state(&e.name) != ConnState::Disconnected),
        Action::Edit => sel.as_ref().is_some_and(|e| e.origin != ConnOrigin::Local),
        Action::Delete | Action::AddTunnel => saved,
        Action::RemoveTunnel => sel
            .as_ref()
            .is_some_and(|e| saved && state.tunnels_of(e).iter().any(|t| t.id.is_some())),
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom
        | Action::Back => on_conn,
        _ => true,
    }
}

fn palette_key(state: &mut State, mut p: Palette, k: KeyEvent, fx: &mut Vec<Effect>) -> Next {
    match k.code {
        KeyCode::Esc => Next::Close,
        KeyCode::Enter => {
            let matches = palette_matches(state, p.input.value());
            match matches.get(p.selected).copied() {
                Some(a) => {
                    fx.extend(apply_action(state, a));
                    Next::Close
                }
                None => Next::Keep(Overlay::Palette(p)),
            }
        }
        KeyCode::Up => {
            p.selected = p.selected.saturating_sub(1);
            Next::Keep(Overlay::Palette(p))
        }
        KeyCode::Down => {
            let n = palette_matches(state, p.input.value()).len();
            p.selected = (p.selected + 1).min(n.saturating_sub(1));
            Next::Keep(Overlay::Palette(p))
        }
        _ => {
            if p.input.handle_event(&Event::Key(k)).is_some() {
                p.selected = 0;
            }
            Next::Keep(Overlay::Palette(p))
        }
    }
}

fn confirm_key(mut c: ConfirmDelete, k: KeyEvent, fx: &mut Vec<Effect>) -> Next {
    match k.code {
        KeyCode::Esc | KeyCode::Char('n') => Next::Close,
        KeyCode::Left
        | KeyCode::Right
        | KeyCode::Tab
        | KeyCode::BackTab
        | KeyCode::Char('h')
        | KeyCode::Char('l') => {
            c.delete_chosen = !c.delete_chosen;
            Next::Keep(Overlay::ConfirmDelete(c))
        }
        KeyCode::Enter => {
            if c.delete_chosen {
                fx.push(Effect::DeleteConnection {
                    id: c.id,
                    name: c.name,
                });
            }
            Next::Close
        }
        _ => Next::Keep(Overlay::ConfirmDelete(c)),
    }
}

fn form_key(state: &mut State, mut f: Box<ConnForm>, k: KeyEvent, fx: &mut Vec<Effect>) -> Next {
    let field = f.focused();
    match k.code {
        KeyCode::Esc => return Next::Close,
        KeyCode::Tab | KeyCode::Down => f.next(),
        KeyCode::BackTab | KeyCode::Up => f.prev(),
        KeyCode::Enter => {
            if f.saving {
                return Next::Keep(Overlay::Form(f));
            }
            let taken: Vec<&str> = state.saved.iter().map(|c| c.spec.name.as_str()).collect();
            match f.validate(&taken, &*state.key_check) {
                Ok(spec) => {
                    f.errors.clear();
                    f.store_error = None;
                    f.saving = true;
                    fx.push(Effect::SaveConnection { id: f.id, spec });
                }
                Err(errors) => {
                    if let Some(first) = errors.first() {
                        f.focus = super::form::Field::ALL
                            .iter()
                            .position(|x| *x == first.0)
                            .unwrap_or(0);
                    }
                    f.errors = errors;
                }
            }
        }
        KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right
            if field == super::form::Field::ReadOnly =>
        {
            f.read_only = !f.read_only;
        }
        _ => {
            if let Some(input) = f.input_mut(field)
                && input.handle_event(&Event::Key(k)).is_some_and(|r| r.value)
            {
                f.errors.retain(|(g, _)| *g != field);
            }
        }
    }
    Next::Keep(Overlay::Form(f))
}

fn tunnel_form_key(
    state: &mut State,
    mut f: Box<TunnelForm>,
    k: KeyEvent,
    fx: &mut Vec<Effect>,
) -> Next {
    match k.code {
        KeyCode::Esc => return Next::Close,
        KeyCode::Tab | KeyCode::Down => f.next(),
        KeyCode::BackTab | KeyCode::Up => f.prev(),
        KeyCode::Enter => {
            if f.saving {
                return Next::Keep(Overlay::TunnelForm(f));
            }
            let used: Vec<u16> = state
                .entries()
                .iter()
                .find(|e| e.id == Some(f.connection))
                .map(|e| {
                    state
                        .tunnels_of(e)
                        .iter()
                        .filter(|t| t.id.is_some())
                        .map(|t| t.spec.local_port)
                        .collect()
                })
                .unwrap_or_default();
            match f.validate(&used) {
                Ok(spec) => {
                    f.errors.clear();
                    f.store_error = None;
                    f.saving = true;
                    fx.push(Effect::AddTunnel {
                        connection: f.connection,
                        name: f.name.clone(),
                        spec,
                    });
                }
                Err(errors) => f.errors = errors,
            }
        }
        _ => {
            let field = f.focused();
            if f.input_mut(field)
                .handle_event(&Event::Key(k))
                .is_some_and(|r| r.value)
            {
                f.errors.retain(|(g, _)| *g != field);
            }
        }
    }
    Next::Keep(Overlay::TunnelForm(f))
}

fn tunnel_pick_key(mut p: TunnelPick, k: KeyEvent, fx: &mut Vec<Effect>) -> Next {
    match k.code {
        KeyCode::Esc => Next::Close,
        KeyCode::Up | KeyCode::Char('k') => {
            p.selected = p.selected.saturating_sub(1);
            Next::Keep(Overlay::TunnelPick(p))
        }
        KeyCode::Down | KeyCode::Char('j') => {
            p.selected = (p.selected + 1).min(p.tunnels.len().saturating_sub(1));
            Next::Keep(Overlay::TunnelPick(p))
        }
        KeyCode::Enter => {
            if let Some((id, _)) = p.tunnels.get(p.selected) {
                fx.push(Effect::RemoveTunnel { id: *id });
            }
            Next::Close
        }
        _ => Next::Keep(Overlay::TunnelPick(p)),
    }
}

fn host_key_key(mut h: HostKeyPrompt, k: KeyEvent, fx: &mut Vec<Effect>) -> Next {
    let n = HostKeyPrompt::CHOICES.len();
    match k.code {
        KeyCode::Esc => {
            // The SSH worker waits for an answer; closing the dialog is a refusal.
            fx.push(Effect::AnswerHostKey {
                id: h.id,
                decision: HostKeyDecision::Cancel,
            });
            Next::Close
        }
        KeyCode::Left | KeyCode::BackTab | KeyCode::Char('h') => {
            h.choice = (h.choice + n - 1) % n;
            Next::Keep(Overlay::HostKey(h))
        }
        KeyCode::Right | KeyCode::Tab | KeyCode::Char('l') => {
            h.choice = (h.choice + 1) % n;
            Next::Keep(Overlay::HostKey(h))
        }
        KeyCode::Enter => {
            fx.push(Effect::AnswerHostKey {
                id: h.id,
                decision: h.decision(),
            });
            Next::Close
        }
        _ => Next::Keep(Overlay::HostKey(h)),
    }
}

/// Runs one keymap action; the palette and the keys both come here.
pub fn apply_action(state: &mut State, action: Action) -> Vec<Effect> {
    state.dirty = true;
    if state.tab == Tab::Gpu
        && let Some(fx) = super::gpu_keys::apply(state, action)
    {
        return fx;
    }
    if state.tab == Tab::Jobs
        && let Some(fx) = super::jobs_keys::apply(state, action)
    {
        return fx;
    }
    if state.tab == Tab::Services
        && let Some(fx) = super::services_keys::apply(state, action)
    {
        return fx;
    }
    if state.tab == Tab::Models
        && let Some(fx) = super::models_keys::apply(state, action)
    {
        return fx;
    }
    let before = state.tab;
    let mut fx = tab_action(state, action);
    fx.extend(entered_tab(state, before));
    fx
}

/// Opening the Jobs, Services or Models tab reads its data at once rather than at the next tick.
pub(super) fn entered_tab(state: &mut State, before: Tab) -> Vec<Effect> {
    if state.tab == before {
        return Vec::new();
    }
    match state.tab {
        Tab::Jobs => super::jobs_keys::load(state),
        Tab::Services => super::services_keys::load(state),
        Tab::Models => super::models_keys::load_active(state),
        _ => Vec::new(),
    }
}

fn tab_action(state: &mut State, action: Action) -> Vec<Effect> {
    let on_conn = state.tab == Tab::Connections;
    match action {
        Action::Quit => return vec![Effect::Quit],
        Action::Help => state.overlay = Some(Overlay::Help { scroll: 0 }),
        Action::Palette => state.overlay = Some(Overlay::Palette(Palette::default())),
        Action::Problems => super::problems_keys::open(state),
        Action::Filter if on_conn => state.filter_editing = true,
        Action::NextTab => state.tab = state.tab.next(),
        Action::PrevTab => state.tab = state.tab.prev(),
        Action::Tab1 => state.tab = Tab::Connections,
        Action::Tab2 => state.tab = Tab::Gpu,
        Action::Tab3 => state.tab = Tab::Jobs,
        Action::Tab4 => state.tab = Tab::Services,
        Action::Tab5 => state.tab = Tab::Models,
        Action::ToggleMouse => {
            state.mouse = !state.mouse;
            let word = if state.mouse { "on" } else { "off" };
            state.flash(FlashLevel::Info, format!("mouse capture {word}"));
            return vec![Effect::SetMouse(state.mouse)];
        }
        Action::Refresh => return vec![Effect::Refresh],
        Action::Up if on_conn => move_selection(state, -1),
        Action::Down if on_conn => move_selection(state, 1),
        Action::PageUp if on_conn => move_selection(state, -(page(state) as i64)),
        Action::PageDown if on_conn => move_selection(state, page(state) as i64),
        Action::Top if on_conn => move_selection(state, i64::MIN / 2),
        Action::Bottom if on_conn => move_selection(state, i64::MAX / 2),
        Action::Back if on_conn => state.filter.reset(),
        Action::Select | Action::Connect if on_conn => return with_selected(state, connect),
        Action::Disconnect if on_conn => return with_selected(state, disconnect),
        Action::Add if on_conn => state.overlay = Some(Overlay::Form(Box::new(ConnForm::new()))),
        Action::Edit if on_conn => return with_selected(state, edit),
        Action::Delete if on_conn => return with_selected(state, delete),
        Action::AddTunnel if on_conn => return with_selected(state, add_tunnel),
        Action::RemoveTunnel if on_conn => return with_selected(state, remove_tunnel),
        _ => {}
    }
    Vec::new()
}

fn with_selected(state: &mut State, f: fn(&mut State, Entry) -> Vec<Effect>) -> Vec<Effect> {
    match state.selected_entry() {
        Some(e) => f(state, e),
        None => {
            state.flash(FlashLevel::Warn, "no connection selected");
            Vec::new()
        }
    }
}

fn connect(state: &mut State, e: Entry) -> Vec<Effect> {
    let mut fx = Vec::new();
    match state.conn_state(&e.name) {
        ConnState::Connected { .. } | ConnState::Connecting { .. } => {}
        _ => fx.push(Effect::Connect {
            name: e.name.clone(),
        }),
    }
    if state.active.as_deref() != Some(e.name.as_str()) {
        state.active = Some(e.name.clone());
        fx.push(Effect::SetActive {
            name: e.name.clone(),
        });
    }
    if fx.is_empty() {
        state.flash(FlashLevel::Info, format!("'{}' is already active", e.name));
    }
    fx
}

fn disconnect(state: &mut State, e: Entry) -> Vec<Effect> {
    if state.conn_state(&e.name) == ConnState::Disconnected {
        state.flash(FlashLevel::Info, format!("'{}' is not connected", e.name));
        return Vec::new();
    }
    vec![Effect::Disconnect { name: e.name }]
}

fn edit(state: &mut State, e: Entry) -> Vec<Effect> {
    if e.origin == ConnOrigin::Local {
        state.flash(
            FlashLevel::Info,
            "'local' is this machine; there is nothing to edit",
        );
        return Vec::new();
    }
    state.overlay = Some(Overlay::Form(Box::new(ConnForm::from_entry(&e))));
    Vec::new()
}

fn delete(state: &mut State, e: Entry) -> Vec<Effect> {
    match (e.origin, e.id) {
        (ConnOrigin::Saved, Some(id)) => {
            let tunnels = state
                .tunnels
                .iter()
                .filter(|t| t.connection_id == id)
                .count();
            state.overlay = Some(Overlay::ConfirmDelete(ConfirmDelete {
                id,
                name: e.name.clone(),
                address: e.address(),
                tunnels,
                delete_chosen: false,
            }));
        }
        (ConnOrigin::SshConfig, _) => state.flash(
            FlashLevel::Warn,
            format!("'{}' comes from ~/.ssh/config; remove it there", e.name),
        ),
        _ => state.flash(
            FlashLevel::Warn,
            "'local' is this machine; it cannot be deleted",
        ),
    }
    Vec::new()
}

fn add_tunnel(state: &mut State, e: Entry) -> Vec<Effect> {
    match (e.origin, e.id) {
        (ConnOrigin::Saved, Some(id)) => {
            state.overlay = Some(Overlay::TunnelForm(Box::new(TunnelForm::new(id, e.name))));
        }
        _ => state.flash(
            FlashLevel::Warn,
            format!(
                "tunnels belong to saved connections; save '{}' first (edit, then enter)",
                e.name
            ),
        ),
    }
    Vec::new()
}

fn remove_tunnel(state: &mut State, e: Entry) -> Vec<Effect> {
    let tunnels: Vec<(i64, String)> = state
        .tunnels_of(&e)
        .into_iter()
        .filter_map(|t| {
            let label = format!(
                "{} → {}:{}",
                t.spec.local_port, t.spec.remote_host, t.spec.remote_port
            );
            t.id.map(|id| (id, label))
        })
        .collect();
    if tunnels.is_empty() {
        state.flash(
            FlashLevel::Info,
            format!("'{}' has no saved tunnels to remove", e.name),
        );
    } else {
        state.overlay = Some(Overlay::TunnelPick(TunnelPick {
            name: e.name,
            tunnels,
            selected: 0,
        }));
    }
    Vec::new()
}

fn screen(state: &State) -> Rect {
    Rect::new(0, 0, state.size.0, state.size.1)
}

fn list_rect(state: &State, rows: usize) -> Rect {
    layout::connections(layout::frame(screen(state)).body, rows).list
}

fn page(state: &State) -> usize {
    let n = state.visible_entries().len();
    layout::visible_rows(list_rect(state, n)).max(1)
}

fn move_selection(state: &mut State, delta: i64) {
    let visible = state.visible_entries();
    let Some(i) = state.selected_index(&visible) else {
        return;
    };
    let j = (i as i64)
        .saturating_add(delta)
        .clamp(0, visible.len() as i64 - 1) as usize;
    state.selected = Some(visible[j].name.clone());
}

fn on_mouse(state: &mut State, m: MouseEvent) -> Vec<Effect> {
    if !state.mouse || state.overlay.is_some() {
        return Vec::new();
    }
    let frame = layout::frame(screen(state));
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            let in_tabs = m.row >= frame.tabs.y && m.row < frame.tabs.y + frame.tabs.height;
            if in_tabs {
                let (line, _) = super::findings::tab_line(state, frame.tabs);
                if line.bar.width > 0 && m.column >= line.bar.x {
                    super::problems_keys::open(state);
                    state.dirty = true;
                    return Vec::new();
                }
                if let Some(s) = layout::tab_spans(line.tabs)
                    .into_iter()
                    .find(|s| m.column >= s.x0 && m.column < s.x1)
                {
                    let before = state.tab;
                    state.tab = s.tab;
                    state.dirty = true;
                    return entered_tab(state, before);
                }
                return Vec::new();
            }
            if state.tab == Tab::Services {
                click_service(state, m.column, m.row);
                return Vec::new();
            }
            if state.tab == Tab::Models {
                click_model(state, m.column, m.row);
                return Vec::new();
            }
            if state.tab != Tab::Connections {
                return Vec::new();
            }
            let visible = state.visible_entries();
            let list = layout::connections(frame.body, visible.len()).list;
            let in_list = m.column >= list.x && m.column < list.x + list.width;
            let Some(sel) = state.selected_index(&visible) else {
                return Vec::new();
            };
            let offset = layout::list_offset(sel, layout::visible_rows(list));
            if let Some(e) = layout::row_at(list, offset, m.row)
                .filter(|_| in_list)
                .and_then(|i| visible.get(i))
            {
                state.selected = Some(e.name.clone());
                state.dirty = true;
            }
        }
        MouseEventKind::ScrollDown if state.tab == Tab::Gpu => {
            super::gpu_keys::move_process(state, 1);
            state.dirty = true;
        }
        MouseEventKind::ScrollUp if state.tab == Tab::Gpu => {
            super::gpu_keys::move_process(state, -1);
            state.dirty = true;
        }
        MouseEventKind::ScrollDown if state.tab == Tab::Jobs => {
            super::jobs_keys::move_job(state, 1);
            state.dirty = true;
        }
        MouseEventKind::ScrollUp if state.tab == Tab::Jobs => {
            super::jobs_keys::move_job(state, -1);
            state.dirty = true;
        }
        MouseEventKind::ScrollDown if state.tab == Tab::Services => {
            super::services_keys::move_row(state, 1);
            state.dirty = true;
        }
        MouseEventKind::ScrollUp if state.tab == Tab::Services => {
            super::services_keys::move_row(state, -1);
            state.dirty = true;
        }
        MouseEventKind::ScrollDown if state.tab == Tab::Models => {
            super::models_keys::move_row(state, 1);
            state.dirty = true;
        }
        MouseEventKind::ScrollUp if state.tab == Tab::Models => {
            super::models_keys::move_row(state, -1);
            state.dirty = true;
        }
        MouseEventKind::ScrollDown if state.tab == Tab::Connections => {
            move_selection(state, 1);
            state.dirty = true;
        }
        MouseEventKind::ScrollUp if state.tab == Tab::Connections => {
            move_selection(state, -1);
            state.dirty = true;
        }
        _ => {}
    }
    Vec::new()
}

/// A click on a row of the services table selects it (same rectangles as the frame).
fn click_service(state: &mut State, column: u16, row: u16) {
    let table = state.services_layout().table;
    if column < table.x || column >= table.x + table.width {
        return;
    }
    let rows = state.services_rows();
    let Some(sel) = state.services_selected_index(&rows) else {
        return;
    };
    let offset = layout::list_offset(sel, layout::visible_rows(table));
    if let Some(r) = layout::row_at(table, offset, row).and_then(|i| rows.get(i)) {
        state.services.selected = Some(r.id.clone());
        state.services.detail_scroll = 0;
        state.dirty = true;
    }
}

/// A click on a row of the models table selects it (same rectangles as the frame).
fn click_model(state: &mut State, column: u16, row: u16) {
    let table = state.models_layout().table;
    if column < table.x || column >= table.x + table.width {
        return;
    }
    let rows = state.models_rows();
    let Some(sel) = state.models_selected_index(&rows) else {
        return;
    };
    let offset = layout::list_offset(sel, layout::visible_rows(table));
    if let Some(m) = layout::row_at(table, offset, row).and_then(|i| rows.get(i)) {
        state.models.selected = Some(m.id.clone());
        state.models.detail_scroll = 0;
        state.dirty = true;
    }
}

/// Pasted text goes into whichever text field has the keyboard; newlines are dropped
/// (every field here is one line).
fn paste(state: &mut State, text: &str) {
    let insert = |input: &mut Input| {
        for c in text.chars().filter(|c| !c.is_control()) {
            input.handle(InputRequest::InsertChar(c));
        }
    };
    match &mut state.overlay {
        Some(Overlay::Form(f)) => {
            let field = f.focused();
            if let Some(i) = f.input_mut(field) {
                insert(i);
            }
        }
        Some(Overlay::TunnelForm(f)) => {
            let field = f.focused();
            insert(f.input_mut(field));
        }
        Some(Overlay::Palette(p)) => insert(&mut p.input),
        Some(Overlay::ConfirmModelDelete(c)) => {
            insert(&mut c.input);
            c.mismatch = false;
        }
        Some(_) => return,
        None if state.filter_editing && state.tab == Tab::Gpu => insert(&mut state.gpu.filter),
        None if state.filter_editing && state.tab == Tab::Jobs => insert(&mut state.jobs.filter),
        None if state.filter_editing && state.tab == Tab::Models => insert(&mut state.models.query),
        None if state.filter_editing => insert(&mut state.filter),
        None => return,
    }
    state.dirty = true;
}
