//! One task per open connection: connect (with the pure state machine deciding retries),
//! open its tunnels, gather host facts, and report everything as tagged `Msg`s. Workers
//! never touch UI state; the run loop owns it.

use crate::app::jobs_worker::{JobsSide, LoadRequest};
use crate::app::models_worker::ModelsSide;
use crate::app::msg::{FlashLevel, Msg};
use crate::app::services_worker::{ServicesSide, follow_service_log};
use crate::config::Config;
use crate::connect::{self, LOCAL};
use crate::host::ssh_config::resolve_target;
use crate::host::{
    Backoff, ConnEffect, ConnEvent, ConnMachine, Forward, Host, HostError, HostKeyPolicy,
    HostKeyQuestion, LocalHost, SshHost,
};
use crate::metrics::{WindowAccumulator, WindowStats, memory_view};
use crate::model::{
    ConnId, ConnState, ConnectionSpec, GpuEvent, GpuProcess, HostMemory, TunnelSpec, TunnelState,
};
use crate::model::{LogWindow, ServiceTarget, ServiceVerb};
use crate::sources::host_info;
use crate::store::AuditEntry;
use crate::store::StoreHandle;
use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// What a running worker can be asked to do besides stopping.
pub enum WorkerCmd {
    OpenTunnel(TunnelSpec),
    CloseTunnel(TunnelSpec),
    /// Gather host facts again now.
    Refresh,
    /// Signal a GPU process (SIGTERM, or SIGKILL when `force`). Confirmed by the user for
    /// this connection; re-checked against the latest process list before it is sent.
    Terminate {
        pid: u32,
        force: bool,
    },
    /// Read one page of the job queue (the answer echoes the request's generation).
    LoadJobs(LoadRequest),
    /// Compare-and-set requeue of exactly these confirmed jobs, audited.
    RequeueJobs(Vec<String>),
    /// Follow this log file on the host (`tail -F`) into the log viewer; replaces any other.
    FollowLog(String),
    StopLog,
    /// Refresh the Services tab (answered with `Msg::Services`).
    LoadServices,
    /// Start / stop / restart a unit or container, confirmed for this connection; audited.
    ServiceAction {
        target: ServiceTarget,
        verb: ServiceVerb,
    },
    /// Follow a unit's journal or a container's log into the viewer; replaces any other.
    FollowServiceLog {
        target: ServiceTarget,
        window: LogWindow,
    },
    /// Scan the model stores (answered with `Msg::ModelsProgress`, then `Msg::Models`).
    LoadModels {
        force: bool,
    },
    /// Delete exactly this confirmed model; audited.
    DeleteModel {
        id: String,
        path: String,
    },
}

/// Everything a worker needs to (re)connect one name.
pub struct ConnJob {
    pub name: String,
    pub spec: ConnectionSpec,
    /// Set for saved connections, so "last connected" can be recorded.
    pub id: Option<ConnId>,
    pub tunnels: Vec<TunnelSpec>,
    pub generation: u64,
}

/// Shared, read-only context of all workers.
#[derive(Clone)]
pub struct WorkerCtx {
    pub config: Arc<Config>,
    pub store: StoreHandle,
    pub tx: mpsc::UnboundedSender<Msg>,
    /// Host-key questions go to the run loop, tagged with the connection name.
    pub questions: mpsc::UnboundedSender<(String, HostKeyQuestion)>,
}

pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Tells the machine its retry timer fired at `at`. The machine keeps whole seconds and
/// rounds `retry_at` up, so a timer shortened by jitter can fire just before `retry_at`;
/// the machine ignores that as early, and the worker would then wait forever. Such an early
/// timer becomes a wait for the rest of that second instead.
fn retry_due(machine: &mut ConnMachine, at: time::OffsetDateTime) -> ConnEffect {
    let effect = machine.handle(
        ConnEvent::RetryDue {
            now: at.unix_timestamp(),
        },
        rand::random(),
    );
    match (effect, machine.state()) {
        (ConnEffect::None, ConnState::Reconnecting { retry_at, .. }) => {
            let due = time::OffsetDateTime::from_unix_timestamp(*retry_at).unwrap_or(at);
            let left = (due - at).max(time::Duration::ZERO);
            ConnEffect::RetryIn(
                Duration::from_secs_f64(left.as_seconds_f64()) + Duration::from_millis(10),
            )
        }
        _ => effect,
    }
}

struct Running {
    generation: u64,
    cancel: CancellationToken,
    cmds: mpsc::UnboundedSender<WorkerCmd>,
}

/// The set of running workers, keyed by connection name.
pub struct Workers {
    ctx: WorkerCtx,
    running: HashMap<String, Running>,
    next_generation: u64,
}

impl Workers {
    pub fn new(ctx: WorkerCtx) -> Self {
        Self {
            ctx,
            running: HashMap::new(),
            next_generation: 1,
        }
    }

    /// Starts (or restarts) the worker for `job.name`; returns its generation.
    pub fn start(&mut self, mut job: ConnJob) -> u64 {
        self.stop(&job.name);
        let generation = self.next_generation;
        self.next_generation += 1;
        job.generation = generation;
        let cancel = CancellationToken::new();
        let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
        self.running.insert(
            job.name.clone(),
            Running {
                generation,
                cancel: cancel.clone(),
                cmds: cmd_tx,
            },
        );
        tokio::spawn(run_worker(self.ctx.clone(), job, cancel, cmd_rx));
        generation
    }

    /// Stops the worker for `name`, closing its session and tunnels. Reports the
    /// disconnected state under a fresh generation so late messages of the old worker drop.
    pub fn stop(&mut self, name: &str) {
        if let Some(r) = self.running.remove(name) {
            r.cancel.cancel();
            let generation = self.next_generation;
            self.next_generation += 1;
            let _ = self.ctx.tx.send(Msg::ConnState {
                name: name.to_string(),
                generation,
                state: ConnState::Disconnected,
            });
            tracing::info!(
                connection = name,
                old = r.generation,
                "disconnect requested"
            );
        }
    }

    pub fn is_running(&self, name: &str) -> bool {
        self.running.contains_key(name)
    }

    pub fn send(&self, name: &str, cmd: WorkerCmd) {
        if let Some(r) = self.running.get(name) {
            let _ = r.cmds.send(cmd);
        }
    }

    pub fn stop_all(&mut self) {
        for (_, r) in self.running.drain() {
            r.cancel.cancel();
        }
    }
}

async fn run_worker(
    ctx: WorkerCtx,
    job: ConnJob,
    cancel: CancellationToken,
    mut cmds: mpsc::UnboundedReceiver<WorkerCmd>,
) {
    let backoff = Backoff {
        initial: Duration::from_secs(ctx.config.ssh.reconnect_initial_s),
        max: Duration::from_secs(ctx.config.ssh.reconnect_max_s),
        ..Backoff::default()
    };
    let mut machine = ConnMachine::new(backoff);
    let report = |state: &ConnState| {
        let _ = ctx.tx.send(Msg::ConnState {
            name: job.name.clone(),
            generation: job.generation,
            state: state.clone(),
        });
    };
    let mut effect = machine.handle(ConnEvent::ConnectRequested, rand::random());
    report(machine.state());
    let mut tunnels = job.tunnels.clone();
    loop {
        match effect {
            ConnEffect::Connect => {}
            ConnEffect::RetryIn(delay) => {
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(delay) => {}
                }
                effect = retry_due(&mut machine, time::OffsetDateTime::now_utc());
                if !matches!(effect, ConnEffect::RetryIn(_)) {
                    report(machine.state());
                }
                continue;
            }
            ConnEffect::None | ConnEffect::Close => {
                // Error or disconnected: nothing to do until the user acts (a new Connect
                // restarts the worker).
                cancel.cancelled().await;
                return;
            }
        }
        let attempt = tokio::select! {
            _ = cancel.cancelled() => return,
            r = open(&ctx, &job) => r,
        };
        match attempt {
            Ok(session) => {
                machine.handle(ConnEvent::Connected { now: now() }, rand::random());
                report(machine.state());
                if let Some(id) = job.id
                    && let Err(e) = ctx.store.mark_connected(id, now()).await
                {
                    tracing::warn!(connection = %job.name, "recording last-connected failed: {e}");
                }
                let reason = serve(
                    &ctx,
                    &job.name,
                    job.generation,
                    &session,
                    &mut tunnels,
                    &cancel,
                    &mut cmds,
                )
                .await;
                match reason {
                    None => {
                        session.shutdown().await;
                        return;
                    }
                    Some(reason) => {
                        tracing::warn!(connection = %job.name, "connection lost: {reason}");
                        effect =
                            machine.handle(ConnEvent::Lost { reason, now: now() }, rand::random());
                    }
                }
            }
            Err(e) => {
                let reason = e.to_string();
                tracing::warn!(connection = %job.name, "connect failed: {reason}");
                effect = machine.handle(
                    ConnEvent::Failed {
                        retryable: e.is_retryable(),
                        reason,
                        now: now(),
                    },
                    rand::random(),
                );
            }
        }
        report(machine.state());
    }
}

/// An open session: the local machine or an SSH connection.
enum Session {
    Local(Arc<LocalHost>),
    Ssh(Arc<SshHost>),
}

impl Session {
    fn host(&self) -> Arc<dyn Host> {
        match self {
            Session::Local(h) => h.clone(),
            Session::Ssh(h) => h.clone(),
        }
    }

    /// Resolves with a reason when the session dies; never for the local machine.
    async fn lost(&self) -> String {
        match self {
            Session::Local(_) => std::future::pending().await,
            Session::Ssh(h) => h.closed().await,
        }
    }

    async fn shutdown(&self) {
        if let Session::Ssh(h) = self {
            h.disconnect().await;
        }
    }
}

async fn open(ctx: &WorkerCtx, job: &ConnJob) -> Result<Session, HostError> {
    if job.name == LOCAL {
        return Ok(Session::Local(Arc::new(LocalHost::new())));
    }
    let target = resolve_target(&job.spec, connect::ssh_config_path(&ctx.config).as_deref())?;
    let (qtx, mut qrx) = mpsc::channel::<HostKeyQuestion>(1);
    let questions = ctx.questions.clone();
    let name = job.name.clone();
    tokio::spawn(async move {
        while let Some(q) = qrx.recv().await {
            let _ = questions.send((name.clone(), q));
        }
    });
    let opts = connect::ssh_options(&ctx.config, HostKeyPolicy::Ask(qtx));
    Ok(Session::Ssh(Arc::new(
        SshHost::connect(&target, opts).await?,
    )))
}

/// Runs tunnels and host facts for a live session. Returns `None` when asked to stop,
/// or the reason the session was lost.
async fn serve(
    ctx: &WorkerCtx,
    name: &str,
    generation: u64,
    session: &Session,
    tunnels: &mut Vec<TunnelSpec>,
    cancel: &CancellationToken,
    cmds: &mut mpsc::UnboundedReceiver<WorkerCmd>,
) -> Option<String> {
    let host = session.host();
    let mut open_forwards: HashMap<TunnelSpec, Forward> = HashMap::new();
    for spec in tunnels.iter() {
        open_tunnel(ctx, name, host.as_ref(), spec, &mut open_forwards).await;
    }
    gather_facts(ctx, name, host.as_ref()).await;
    // The GPU collector lives as long as this session: one nvidia-smi stream (or NVML)
    // per connection, restarted with the session after a reconnect.
    let gpu_cancel = cancel.child_token();
    let (gpu_tx, mut gpu_rx) = mpsc::unbounded_channel::<GpuEvent>();
    tokio::spawn(crate::gpu::run(
        host.clone(),
        matches!(session, Session::Local(_)),
        ctx.config.gpu.clone(),
        None,
        "nvidia-smi".into(),
        gpu_tx,
        gpu_cancel.clone(),
    ));
    let mut gpu_processes: Vec<GpuProcess> = Vec::new();
    let mut host_memory: Option<HostMemory> = None;
    let mut windows = WindowAccumulator::new(ctx.config.gpu.history_window_s);
    let mut jobs = JobsSide::default();
    let mut services = ServicesSide::default();
    let mut models = ModelsSide::default();
    // The log the viewer follows; cancelling it stops the remote `tail`. A child of the
    // session's token, so a lost session stops it too.
    let mut log_follow: Option<CancellationToken> = None;
    let outcome = loop {
        tokio::select! {
            _ = cancel.cancelled() => break None,
            reason = session.lost() => break Some(reason),
            Some(event) = gpu_rx.recv() => {
                match &event {
                    GpuEvent::Processes(p) => gpu_processes = p.clone(),
                    GpuEvent::HostMemory(m) => host_memory = Some(*m),
                    GpuEvent::Samples { at, samples } => {
                        // Memory history is what the card shows as used: the framebuffer,
                        // or the GPU-resident sum on a unified GPU.
                        windows.push_with(*at, samples, |s| {
                            memory_view(s, &gpu_processes, samples.len(), host_memory.as_ref())
                                .used_bytes
                        });
                        persist(ctx, name, windows.take_due(*at)).await;
                    }
                    _ => {}
                }
                let _ = ctx.tx.send(Msg::Gpu { name: name.to_string(), generation, event });
            }
            cmd = cmds.recv() => match cmd {
                None => break None,
                Some(WorkerCmd::OpenTunnel(spec)) => {
                    if !tunnels.contains(&spec) {
                        tunnels.push(spec.clone());
                    }
                    open_tunnel(ctx, name, host.as_ref(), &spec, &mut open_forwards).await;
                }
                Some(WorkerCmd::CloseTunnel(spec)) => {
                    // Removed by the user: no state is reported, since a late "closed" would
                    // bring the deleted tunnel back into the list.
                    tunnels.retain(|t| t != &spec);
                    // Dropping the forward closes its listener.
                    open_forwards.remove(&spec);
                }
                Some(WorkerCmd::Refresh) => gather_facts(ctx, name, host.as_ref()).await,
                Some(WorkerCmd::Terminate { pid, force }) => {
                    terminate(ctx, name, host.as_ref(), &gpu_processes, pid, force).await;
                }
                Some(WorkerCmd::LoadJobs(req)) => jobs.load(ctx, name, host.clone(), req).await,
                Some(WorkerCmd::RequeueJobs(ids)) => {
                    jobs.requeue(ctx, name, host.as_ref(), ids).await;
                }
                Some(WorkerCmd::FollowLog(path)) => {
                    if let Some(old) = log_follow.take() {
                        old.cancel();
                    }
                    let stop = cancel.child_token();
                    tokio::spawn(follow_log(ctx.clone(), name.to_string(), host.clone(), path, stop.clone()));
                    log_follow = Some(stop);
                }
                Some(WorkerCmd::LoadServices) => services.load(ctx, name, host.clone()),
                Some(WorkerCmd::LoadModels { force }) => models.load(ctx, name, host.clone(), force),
                Some(WorkerCmd::DeleteModel { id, path }) => {
                    models.delete(ctx, name, host.clone(), id, path);
                }
                Some(WorkerCmd::ServiceAction { target, verb }) => {
                    services.act(ctx, name, host.clone(), target, verb);
                }
                Some(WorkerCmd::FollowServiceLog { target, window }) => {
                    if let Some(old) = log_follow.take() {
                        old.cancel();
                    }
                    let stop = cancel.child_token();
                    tokio::spawn(follow_service_log(
                        ctx.clone(),
                        name.to_string(),
                        host.clone(),
                        target,
                        window,
                        stop.clone(),
                    ));
                    log_follow = Some(stop);
                }
                Some(WorkerCmd::StopLog) => {
                    if let Some(old) = log_follow.take() {
                        old.cancel();
                    }
                }
            },
        }
    };
    gpu_cancel.cancel();
    // Windows still open keep what they have: a reconnect or quit loses no peak.
    persist(ctx, name, windows.take_all()).await;
    for (spec, fwd) in open_forwards.drain() {
        fwd.close();
        tunnel_state(ctx, name, &spec, TunnelState::Closed);
    }
    outcome
}

fn tunnel_state(ctx: &WorkerCtx, name: &str, spec: &TunnelSpec, state: TunnelState) {
    let _ = ctx.tx.send(Msg::TunnelState {
        name: name.to_string(),
        spec: spec.clone(),
        state,
    });
}

async fn open_tunnel(
    ctx: &WorkerCtx,
    name: &str,
    host: &dyn Host,
    spec: &TunnelSpec,
    open: &mut HashMap<TunnelSpec, Forward>,
) {
    if open.contains_key(spec) {
        return;
    }
    tunnel_state(ctx, name, spec, TunnelState::Opening);
    let local = SocketAddr::from((Ipv4Addr::LOCALHOST, spec.local_port));
    match host
        .forward_port(local, &spec.remote_host, spec.remote_port)
        .await
    {
        Ok(fwd) => {
            tracing::info!(
                connection = name,
                local = spec.local_port,
                "tunnel listening"
            );
            open.insert(spec.clone(), fwd);
            tunnel_state(ctx, name, spec, TunnelState::Listening);
        }
        Err(e) => {
            tracing::warn!(
                connection = name,
                local = spec.local_port,
                "tunnel failed: {e}"
            );
            tunnel_state(ctx, name, spec, TunnelState::Failed(e.to_string()));
        }
    }
}

async fn gather_facts(ctx: &WorkerCtx, name: &str, host: &dyn Host) {
    match host_info::collect(host).await {
        Ok(mut info) => {
            info.name = name.to_string();
            let _ = ctx.tx.send(Msg::HostInfo {
                name: name.to_string(),
                info,
                at: now(),
            });
        }
        Err(e) => {
            let _ = ctx.tx.send(Msg::Flash {
                level: FlashLevel::Warn,
                text: format!("{name}: reading host facts failed: {e}"),
            });
        }
    }
}

/// How many lines of history the viewer starts with.
const LOG_BACKLOG: usize = 500;

/// Streams a log file from the host into the viewer until `stop` fires, in batches so a
/// burst of lines is one message (and one frame).
async fn follow_log(
    ctx: WorkerCtx,
    name: String,
    host: Arc<dyn Host>,
    path: String,
    stop: CancellationToken,
) {
    use crate::host::StreamEvent;
    use crate::sources::logtail;
    let mut stream = match logtail::tail(host.as_ref(), &path, LOG_BACKLOG).await {
        Ok(s) => s,
        Err(e) => {
            let _ = ctx.tx.send(Msg::LogNotice {
                name,
                text: format!("cannot follow {path}: {e}"),
            });
            return;
        }
    };
    loop {
        let first = tokio::select! {
            _ = stop.cancelled() => return,
            ev = stream.next() => ev,
        };
        let mut lines = Vec::new();
        let mut event = first;
        loop {
            match event {
                None => {
                    let _ = ctx.tx.send(Msg::LogNotice {
                        name: name.clone(),
                        text: format!("following {path} stopped"),
                    });
                    return;
                }
                Some(StreamEvent::Stdout(l)) => lines.push(l),
                Some(StreamEvent::Stderr(l)) => {
                    let _ = ctx.tx.send(Msg::LogNotice {
                        name: name.clone(),
                        text: logtail::explain_stderr(&name, &path, &l),
                    });
                }
                Some(StreamEvent::Exit(code)) => {
                    if !lines.is_empty() {
                        let _ = ctx.tx.send(Msg::LogLines {
                            name: name.clone(),
                            lines,
                        });
                    }
                    let _ = ctx.tx.send(Msg::LogNotice {
                        name,
                        text: format!("tail of {path} ended (status {code:?})"),
                    });
                    return;
                }
            }
            match stream.rx.try_recv() {
                Ok(ev) => event = Some(ev),
                Err(_) => break,
            }
        }
        if !lines.is_empty() {
            let _ = ctx.tx.send(Msg::LogLines {
                name: name.clone(),
                lines,
            });
        }
    }
}

/// Writes finished history windows of this connection in one transaction.
async fn persist(ctx: &WorkerCtx, name: &str, windows: Vec<WindowStats>) {
    if windows.is_empty() {
        return;
    }
    if let Err(e) = ctx.store.record_windows(name, windows).await {
        tracing::warn!(connection = name, "writing GPU history failed: {e}");
    }
}

/// Signals a GPU process after checking it is still one, and records the attempt in the
/// audit table whatever the outcome.
async fn terminate(
    ctx: &WorkerCtx,
    name: &str,
    host: &dyn Host,
    processes: &[GpuProcess],
    pid: u32,
    force: bool,
) {
    let signal = if force { "SIGKILL" } else { "SIGTERM" };
    let known = processes.iter().find(|p| p.pid == pid);
    let command = known
        .map(|p| p.command.clone().unwrap_or_else(|| p.name.clone()))
        .unwrap_or_default();
    let result = match known {
        // The list may have changed since the dialog opened: never signal a pid that is
        // no longer a GPU process (it may have been reused by something else).
        None => Err(format!(
            "pid {pid} no longer uses a GPU on {name}; nothing was sent"
        )),
        Some(_) => crate::gpu::terminate(host, pid, force).await,
    };
    let entry = AuditEntry {
        at: now(),
        host: name.to_string(),
        action: format!("terminate {signal}"),
        target: format!("pid {pid} {command}").trim_end().to_string(),
        outcome: if result.is_ok() { "ok" } else { "failed" }.to_string(),
        detail: result.as_ref().err().cloned(),
    };
    if let Err(e) = ctx.store.audit(&entry).await {
        tracing::warn!(connection = name, "writing the audit entry failed: {e}");
    }
    tracing::info!(
        connection = name,
        pid,
        signal,
        ok = result.is_ok(),
        "terminate"
    );
    let _ = ctx.tx.send(Msg::ProcessTerminated {
        name: name.to_string(),
        pid,
        result,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retry_timer_firing_before_the_rounded_second_waits_for_it() {
        let mut m = ConnMachine::new(Backoff {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(2),
            jitter: 0.2,
        });
        m.handle(ConnEvent::ConnectRequested, 0.0);
        m.handle(ConnEvent::Connected { now: 100 }, 0.0);
        // Lost at 100.1 s; with the most jitter the delay is 0.8 s, so the timer fires at
        // 100.9 s, while the machine (in whole seconds) retries at 101.
        let effect = m.handle(
            ConnEvent::Lost {
                reason: "early eof".into(),
                now: 100,
            },
            0.999_999,
        );
        let ConnEffect::RetryIn(delay) = effect else {
            panic!("{effect:?}");
        };
        assert!(delay < Duration::from_millis(850), "{delay:?}");
        let fired = time::OffsetDateTime::from_unix_timestamp(100).unwrap()
            + time::Duration::milliseconds(100)
            + delay;
        match retry_due(&mut m, fired) {
            ConnEffect::RetryIn(rest) => {
                assert!(
                    rest > Duration::ZERO && rest <= Duration::from_millis(300),
                    "{rest:?}"
                );
                assert!(matches!(m.state(), ConnState::Reconnecting { .. }));
                let later = fired + time::Duration::seconds_f64(rest.as_secs_f64());
                assert_eq!(retry_due(&mut m, later), ConnEffect::Connect);
                assert_eq!(m.state(), &ConnState::Connecting { attempt: 2 });
            }
            other => panic!("an early timer must be waited out, got {other:?}"),
        }
    }

    #[test]
    fn a_timer_at_or_after_the_retry_second_connects() {
        let mut m = ConnMachine::new(Backoff::default());
        m.handle(ConnEvent::ConnectRequested, 0.0);
        m.handle(ConnEvent::Connected { now: 100 }, 0.0);
        m.handle(
            ConnEvent::Lost {
                reason: "early eof".into(),
                now: 100,
            },
            0.0,
        );
        let at = time::OffsetDateTime::from_unix_timestamp(101).unwrap();
        assert_eq!(retry_due(&mut m, at), ConnEffect::Connect);
    }
}
