//! The event loop: the one owner of `State`. Terminal input, worker messages and the clock
//! become `Msg`s; `update` turns them into `Effect`s, performed here; the frame is redrawn
//! only when the state changed.

use crate::app::effect::Effect;
use crate::app::gpu_effects;
use crate::app::jobs_worker::LoadRequest;
use crate::app::msg::{FlashLevel, Msg};
use crate::app::state::State;
use crate::app::update::update;
use crate::app::workers::{ConnJob, WorkerCmd, WorkerCtx, Workers, now};
use crate::config::Config;
use crate::connect::{self, LOCAL};
use crate::host::HostKeyQuestion;
use crate::model::{ConnectionSpec, HostKeyDecision, RequeueOutcome, TunnelSpec};
use crate::services::actions::ActionError;
use crate::store::{self, ACTIVE_CONNECTION, StoreHandle};
use anyhow::{Context, Result};
use futures::StreamExt;
use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture, Event, EventStream};
use ratatui::crossterm::execute;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{mpsc, oneshot};

pub struct RunOptions {
    pub config: Config,
    pub read_only: bool,
    /// `--host NAME`: connect to this at start and make it active.
    pub start_host: Option<String>,
    pub db_path: PathBuf,
    /// Problems found before the TUI started, shown on the flash line.
    pub warnings: Vec<String>,
}

/// Restores the terminal however the loop ends (error, signal, normal quit). Panics are
/// covered by the hook `ratatui::init` installs.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        // Harmless when capture was never on; mouse may have been toggled at run time.
        let _ = execute!(std::io::stdout(), DisableMouseCapture);
        ratatui::restore();
    }
}

fn local_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// Reads saved connections, their tunnels, the active name and `~/.ssh/config` hosts.
async fn load_connections(store: &StoreHandle, config: &Config) -> Msg {
    let saved = match store.list_connections().await {
        Ok(s) => s,
        Err(e) => {
            return Msg::Flash {
                level: FlashLevel::Error,
                text: format!("reading saved connections failed: {e}"),
            };
        }
    };
    let mut tunnels = Vec::new();
    for c in &saved {
        match store.list_tunnels(c.id).await {
            Ok(t) => tunnels.extend(t),
            Err(e) => tracing::warn!("reading tunnels of {} failed: {e}", c.spec.name),
        }
    }
    let active = store.get_setting(ACTIVE_CONNECTION).await.ok().flatten();
    let ssh_config = match connect::ssh_config_path(config) {
        Some(p) if p.exists() => crate::host::list_hosts(&p).unwrap_or_else(|e| {
            tracing::warn!("reading {}: {e}", p.display());
            Vec::new()
        }),
        _ => Vec::new(),
    };
    Msg::ConnectionsLoaded {
        saved,
        ssh_config,
        tunnels,
        active,
    }
}

pub async fn run(opts: RunOptions) -> Result<()> {
    let config = Arc::new(opts.config);
    let (store, store_warning) = store::open_or_fallback(&opts.db_path);
    let store = StoreHandle::spawn(store).context("starting the SQLite writer thread")?;

    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let (qtx, mut qrx) = mpsc::unbounded_channel::<(String, HostKeyQuestion)>();
    let mut workers = Workers::new(WorkerCtx {
        config: config.clone(),
        store: store.clone(),
        tx: tx.clone(),
        questions: qtx,
    });
    let mut pending_keys: HashMap<u64, oneshot::Sender<HostKeyDecision>> = HashMap::new();
    let mut next_question = 1u64;

    // Read before the terminal is taken over, so that a `--host` the app cannot show ends
    // with a plain message on the shell instead of an entry the list never displays.
    let mut loaded = load_connections(&store, &config).await;
    if let (
        Some(name),
        Msg::ConnectionsLoaded {
            saved, ssh_config, ..
        },
    ) = (&opts.start_host, &loaded)
        && name != LOCAL
        && !saved.iter().any(|c| &c.spec.name == name)
        && !ssh_config.iter().any(|h| &h.alias == name)
    {
        let _ = store.close().await;
        anyhow::bail!(
            "--host {name}: there is no saved connection and no ~/.ssh/config Host of that \
             name; add it in the Connections tab (press a) or as a Host in ~/.ssh/config"
        );
    }

    let mut state = State::new(&config, opts.read_only, local_hostname());
    let mut terminal = ratatui::init();
    let _guard = TerminalGuard;
    if state.mouse {
        let _ = execute!(std::io::stdout(), EnableMouseCapture);
    }
    let size = terminal.size()?;
    let mut effects = update(
        &mut state,
        Msg::Resize {
            width: size.width,
            height: size.height,
        },
    );
    effects.extend(update(&mut state, Msg::Tick { now: now() }));
    for text in opts.warnings.into_iter().chain(store_warning) {
        effects.extend(update(
            &mut state,
            Msg::Flash {
                level: FlashLevel::Warn,
                text,
            },
        ));
    }
    let mut remembered = None;
    if let Msg::ConnectionsLoaded { active, .. } = &mut loaded {
        remembered = active.clone();
        if let Some(name) = &opts.start_host {
            // `--host` wins over the remembered one, in the header and selection too.
            *active = Some(name.clone());
        } else if active.is_none() {
            // First start (or the remembered one was deleted): the machine we run on is
            // what the other tabs show until the user picks a Spark.
            *active = Some(LOCAL.to_string());
        }
    }
    effects.extend(update(&mut state, loaded));
    if let Some(alerts) = gpu_effects::load_alerts(&store).await {
        effects.extend(update(&mut state, alerts));
    }
    spawn_retention(store.clone(), config.gpu.retention_days);
    // The machine sparkdeck runs on is always there; the remembered (or requested)
    // connection comes back as it was left.
    effects.push(Effect::Connect { name: LOCAL.into() });
    if let Some(name) = opts.start_host.clone().or(remembered)
        && name != LOCAL
    {
        effects.push(Effect::Connect { name });
    }
    if let Some(name) = opts.start_host {
        effects.push(Effect::SetActive { name });
    }

    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(config.general.tick_ms));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;

    let mut quit = false;
    while !quit {
        for effect in std::mem::take(&mut effects) {
            quit |= perform(
                effect,
                &mut state,
                &mut workers,
                &store,
                &config,
                &tx,
                &mut pending_keys,
            )
            .await;
        }
        if quit {
            break;
        }
        if state.dirty {
            terminal.draw(|f| crate::ui::render(f, &state, state.now))?;
            state.dirty = false;
        }
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => match to_msg(ev) {
                    Some(m) => m,
                    None => continue,
                },
                Some(Err(e)) => {
                    tracing::error!("terminal input failed: {e}");
                    break;
                }
                None => break,
            },
            Some(m) = rx.recv() => m,
            Some((name, q)) = qrx.recv() => {
                let id = next_question;
                next_question += 1;
                let msg = Msg::HostKeyQuestion {
                    id,
                    name,
                    host: format!("{}:{}", q.host, q.port),
                    key_type: q.key_type.clone(),
                    fingerprint: q.fingerprint.clone(),
                    other_known_keys: q.other_known_keys,
                };
                pending_keys.insert(id, q.reply);
                msg
            }
            _ = tick.tick() => Msg::Tick { now: now() },
            _ = sigterm.recv() => break,
            _ = sighup.recv() => break,
        };
        effects = update(&mut state, msg);
        // Bursts (a reconnect reports state, tunnels and facts at once) become one frame.
        while let Ok(m) = rx.try_recv() {
            effects.extend(update(&mut state, m));
        }
    }
    workers.stop_all();
    let _ = store.close().await;
    Ok(())
}

/// Prunes old GPU history at start and then hourly (DESIGN §3: retention in days).
fn spawn_retention(store: StoreHandle, retention_days: u32) {
    tokio::spawn(async move {
        let mut hourly = tokio::time::interval(Duration::from_secs(3600));
        loop {
            hourly.tick().await;
            match store.prune_at(now(), retention_days).await {
                Ok(n) if n > 0 => tracing::info!(rows = n, "pruned old GPU history"),
                Ok(_) => {}
                Err(e) => tracing::warn!("pruning GPU history failed: {e}"),
            }
        }
    });
}

fn to_msg(ev: Event) -> Option<Msg> {
    match ev {
        Event::Key(k) if k.kind != ratatui::crossterm::event::KeyEventKind::Release => {
            Some(Msg::Key(k))
        }
        Event::Mouse(m) => Some(Msg::Mouse(m)),
        Event::Resize(width, height) => Some(Msg::Resize { width, height }),
        Event::Paste(s) => Some(Msg::Paste(s)),
        _ => None,
    }
}

/// What a connection name stands for right now, from the state the user sees.
fn job_for(state: &State, config: &Config, name: &str) -> ConnJob {
    let saved = state.saved.iter().find(|c| c.spec.name == name);
    let mut tunnels = Vec::new();
    if name != LOCAL && config.tunnels.ollama {
        tunnels.push(TunnelSpec {
            local_port: config.tunnels.ollama_local_port,
            remote_host: "localhost".into(),
            remote_port: config.tunnels.ollama_remote_port,
        });
    }
    if let Some(c) = saved {
        for t in state.tunnels.iter().filter(|t| t.connection_id == c.id) {
            if !tunnels.contains(&t.spec) {
                tunnels.push(t.spec.clone());
            }
        }
    }
    let spec = match saved {
        Some(c) => c.spec.clone(),
        // A `~/.ssh/config` alias (or a bare host name): ssh config fills in the rest.
        None => ConnectionSpec::new(name, name),
    };
    ConnJob {
        name: name.to_string(),
        spec,
        id: saved.map(|c| c.id),
        tunnels,
        generation: 0,
    }
}

/// Performs one effect; returns true to quit.
async fn perform(
    effect: Effect,
    state: &mut State,
    workers: &mut Workers,
    store: &StoreHandle,
    config: &Config,
    tx: &mpsc::UnboundedSender<Msg>,
    pending_keys: &mut HashMap<u64, oneshot::Sender<HostKeyDecision>>,
) -> bool {
    let send = |m: Msg| {
        let _ = tx.send(m);
    };
    match effect {
        Effect::Quit => return true,
        // The GPU effects are performed by the issue-3 integration (history store, audit,
        // remote kill); until it lands the user is told instead of being left waiting.
        Effect::TerminateProcess { name, pid, force } => {
            match refusal(
                state,
                workers,
                &name,
                "processes are not signalled",
                "nothing was sent",
            ) {
                Some(error) => send(Msg::ProcessTerminated {
                    name,
                    pid,
                    result: Err(error),
                }),
                None => workers.send(&name, WorkerCmd::Terminate { pid, force }),
            }
        }
        Effect::LoadGpuHistory {
            name,
            gpu_index,
            metric,
            since,
            until,
            points,
        } => send(
            gpu_effects::load_history(store, name, gpu_index, metric, since, until, points).await,
        ),
        Effect::AlertRaised {
            name,
            gpu_index,
            metric,
            peak,
            message,
        } => {
            tracing::warn!(%message, "GPU alert raised");
            if let Err(e) =
                gpu_effects::raise(store, &name, gpu_index, metric, peak, &message, now()).await
            {
                send(Msg::Flash {
                    level: FlashLevel::Warn,
                    text: format!("storing the alert failed: {e}"),
                });
            }
        }
        Effect::AlertCleared {
            name,
            gpu_index,
            metric,
        } => {
            tracing::info!(%name, gpu_index, metric = metric.as_str(), "GPU alert cleared");
            if let Err(e) = gpu_effects::clear(store, &name, gpu_index, metric, now()).await {
                send(Msg::Flash {
                    level: FlashLevel::Warn,
                    text: format!("clearing the stored alert failed: {e}"),
                });
            }
        }
        Effect::CopyToClipboard(text) => {
            use std::io::Write;
            let mut out = std::io::stdout();
            let written = out
                .write_all(crate::app::osc52::sequence(&text).as_bytes())
                .and_then(|()| out.flush());
            if let Err(e) = written {
                send(Msg::Flash {
                    level: FlashLevel::Warn,
                    text: format!("copying to the clipboard failed writing to the terminal: {e}"),
                });
            }
        }
        // The PostgREST client and the log viewer are wired in by the issue-4 integration;
        // until then the tab says so rather than waiting for an answer that never comes.
        Effect::LoadJobs {
            name,
            generation,
            status,
            sort_column,
            desc,
            offset,
            limit,
        } => {
            if workers.is_running(&name) {
                let req = LoadRequest {
                    generation,
                    status,
                    sort_column,
                    desc,
                    offset,
                    limit,
                };
                workers.send(&name, WorkerCmd::LoadJobs(req));
            } else {
                send(Msg::Jobs {
                    result: Err(format!("{name} is not connected")),
                    name,
                    generation,
                    at: now(),
                });
            }
        }
        Effect::RequeueJobs { name, ids } => {
            match refusal(
                state,
                workers,
                &name,
                "nothing was sent",
                "nothing was sent",
            ) {
                Some(error) => send(Msg::JobsRequeued {
                    name,
                    results: ids
                        .into_iter()
                        .map(|id| {
                            (
                                id,
                                RequeueOutcome::Failed {
                                    error: error.clone(),
                                },
                            )
                        })
                        .collect(),
                }),
                None => workers.send(&name, WorkerCmd::RequeueJobs(ids)),
            }
        }
        Effect::OpenWorkerLog { name, .. } => {
            if workers.is_running(&name) {
                let path = config.jobs.worker_log.clone();
                workers.send(&name, WorkerCmd::FollowLog(path));
            } else {
                send(Msg::LogNotice {
                    text: format!("{name} is not connected: no log to follow"),
                    name,
                });
            }
        }
        Effect::CloseLog { name } => workers.send(&name, WorkerCmd::StopLog),
        Effect::LoadModels { name, force } => {
            if workers.is_running(&name) {
                workers.send(&name, WorkerCmd::LoadModels { force });
            }
        }
        Effect::DeleteModel { name, id, path } => {
            match refusal(
                state,
                workers,
                &name,
                "nothing was deleted",
                "nothing was deleted",
            ) {
                Some(error) => send(Msg::ModelDeleted {
                    name,
                    id,
                    result: Err(error),
                }),
                None => workers.send(&name, WorkerCmd::DeleteModel { id, path }),
            }
        }
        Effect::LoadServices { name } => {
            if workers.is_running(&name) {
                workers.send(&name, WorkerCmd::LoadServices);
            }
        }
        Effect::ServiceAction { name, target, verb } => {
            match refusal(
                state,
                workers,
                &name,
                "nothing was changed",
                "nothing was changed",
            ) {
                Some(message) => send(Msg::ServiceActed {
                    name,
                    target,
                    verb,
                    result: Err(ActionError { message, fix: None }),
                }),
                None => workers.send(&name, WorkerCmd::ServiceAction { target, verb }),
            }
        }
        Effect::OpenServiceLog {
            name,
            target,
            window,
        } => {
            if workers.is_running(&name) {
                workers.send(&name, WorkerCmd::FollowServiceLog { target, window });
            } else {
                send(Msg::LogNotice {
                    text: format!("{name} is not connected: no log to follow"),
                    name,
                });
            }
        }
        Effect::OpenServiceTunnel { name, port } => {
            if workers.is_running(&name) {
                let spec = TunnelSpec {
                    local_port: free_local_port(port),
                    remote_host: "localhost".into(),
                    remote_port: port,
                };
                workers.send(&name, WorkerCmd::OpenTunnel(spec));
            } else {
                send(Msg::Flash {
                    level: FlashLevel::Warn,
                    text: format!("{name} is not connected: no tunnel opened"),
                });
            }
        }
        Effect::Connect { name } => {
            workers.start(job_for(state, config, &name));
        }
        Effect::Disconnect { name } => workers.stop(&name),
        Effect::SetActive { name } => {
            if let Err(e) = store.set_setting(ACTIVE_CONNECTION, &name).await {
                send(Msg::Flash {
                    level: FlashLevel::Warn,
                    text: format!("remembering the active connection failed: {e}"),
                });
            }
        }
        Effect::SaveConnection { id, spec } => {
            let result = match id {
                None => store.add_connection(&spec, now()).await,
                Some(id) => store.update_connection(id, &spec, now()).await,
            };
            let ok = result.is_ok();
            send(Msg::StoreSaved {
                result: result.map_err(|e| e.to_string()),
            });
            if ok {
                send(load_connections(store, config).await);
            }
        }
        Effect::DeleteConnection { id, name } => {
            workers.stop(&name);
            let result = store.delete_connection(id).await;
            if result.is_ok()
                && store.get_setting(ACTIVE_CONNECTION).await.ok().flatten() == Some(name.clone())
            {
                let _ = store.delete_setting(ACTIVE_CONNECTION).await;
            }
            let ok = result.is_ok();
            send(Msg::StoreDeleted {
                id,
                name,
                result: result.map_err(|e| e.to_string()),
            });
            if ok {
                send(load_connections(store, config).await);
            }
        }
        Effect::AddTunnel {
            connection,
            name,
            spec,
        } => {
            let result = store.add_tunnel(connection, &spec).await;
            if result.is_ok() {
                workers.send(&name, WorkerCmd::OpenTunnel(spec));
            }
            let ok = result.is_ok();
            send(Msg::TunnelSaved {
                result: result.map_err(|e| e.to_string()),
            });
            if ok {
                send(load_connections(store, config).await);
            }
        }
        Effect::RemoveTunnel { id } => {
            let found = state.tunnels.iter().find(|t| t.id == id).and_then(|t| {
                state
                    .saved
                    .iter()
                    .find(|c| c.id == t.connection_id)
                    .map(|c| (c.spec.name.clone(), t.spec.clone()))
            });
            let result = store.delete_tunnel(id).await;
            if let (Ok(()), Some((name, spec))) = (&result, found) {
                workers.send(&name, WorkerCmd::CloseTunnel(spec));
            }
            let ok = result.is_ok();
            send(Msg::TunnelRemoved {
                id,
                result: result.map_err(|e| e.to_string()),
            });
            if ok {
                send(load_connections(store, config).await);
            }
        }
        Effect::AnswerHostKey { id, decision } => {
            if let Some(reply) = pending_keys.remove(&id) {
                let _ = reply.send(decision);
            }
        }
        Effect::SetMouse(on) => {
            let _ = if on {
                execute!(std::io::stdout(), EnableMouseCapture)
            } else {
                execute!(std::io::stdout(), DisableMouseCapture)
            };
        }
        Effect::Refresh => {
            send(load_connections(store, config).await);
            if let Some(active) = state.active.clone() {
                workers.send(&active, WorkerCmd::Refresh);
            }
            workers.send(LOCAL, WorkerCmd::Refresh);
        }
    }
    false
}

/// The same port on this machine when it is free (URLs stay familiar), else one the OS
/// picks. Checked by binding, so a port taken by anything (another tunnel, a local
/// Ollama) is skipped.
fn free_local_port(wanted: u16) -> u16 {
    let free = |p: u16| std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, p)).ok();
    free(wanted)
        .or_else(|| free(0))
        .and_then(|l| l.local_addr().ok())
        .map_or(wanted, |a| a.port())
}

/// Why a confirmed destructive effect must not run on connection `name`, if it must not:
/// read-only (re-checked here, on the connection the dialog was confirmed for) or not
/// connected. `read_only` / `disconnected` finish the sentence ("nothing was sent").
fn refusal(
    state: &State,
    workers: &Workers,
    name: &str,
    read_only: &str,
    disconnected: &str,
) -> Option<String> {
    if state.read_only_for(name) {
        Some(format!("read-only: {read_only}"))
    } else if !workers.is_running(name) {
        Some(format!("{name} is not connected; {disconnected}"))
    } else {
        None
    }
}
