//! The Services tab's side of a connection worker: refreshes (observe, merge, probe),
//! confirmed and audited actions, and the service logs the viewer follows. Each request
//! runs in its own task so a slow probe never holds up the session's other work.

use crate::app::msg::Msg;
use crate::app::workers::{WorkerCtx, now};
use crate::host::{Host, StreamEvent};
use crate::model::{LogWindow, ServiceTarget, ServiceVerb};
use crate::services::{self, ServicesEngine};
use crate::sources::services::journal;
use crate::store::AuditEntry;
use std::sync::Arc;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

/// Lines handed to the UI in one message at most; a burst of backlog arrives in a few
/// messages instead of thousands.
const LOG_BATCH: usize = 500;

#[derive(Default)]
pub struct ServicesSide {
    /// Built on first use; it keeps the probe forwards of this session between refreshes.
    engine: Option<Arc<Mutex<ServicesEngine>>>,
}

impl ServicesSide {
    fn engine(&mut self, ctx: &WorkerCtx, host: Arc<dyn Host>) -> Arc<Mutex<ServicesEngine>> {
        self.engine
            .get_or_insert_with(|| {
                Arc::new(Mutex::new(ServicesEngine::new(host, &ctx.config.services)))
            })
            .clone()
    }

    /// One refresh, answered with `Msg::Services`. A refresh still running makes this one
    /// a no-op: its answer is as fresh as this one would be.
    pub fn load(&mut self, ctx: &WorkerCtx, name: &str, host: Arc<dyn Host>) {
        let engine = self.engine(ctx, host);
        let (ctx, name) = (ctx.clone(), name.to_string());
        tokio::spawn(async move {
            let Ok(mut engine) = engine.try_lock() else {
                return;
            };
            let report = engine.refresh().await;
            let _ = ctx.tx.send(Msg::Services { name, report });
        });
    }

    /// Runs a confirmed action and audits it whatever the outcome.
    pub fn act(
        &mut self,
        ctx: &WorkerCtx,
        name: &str,
        host: Arc<dyn Host>,
        target: ServiceTarget,
        verb: ServiceVerb,
    ) {
        let (ctx, name) = (ctx.clone(), name.to_string());
        tokio::spawn(async move {
            let result =
                services::actions::run(host.as_ref(), &ctx.config.services, &target, verb).await;
            let kind = match &target {
                ServiceTarget::Unit(_) => "unit",
                ServiceTarget::Container(_) => "container",
            };
            let entry = AuditEntry {
                at: now(),
                host: name.clone(),
                action: format!("{}-{kind}", verb.as_str()),
                target: target.name().to_string(),
                outcome: if result.is_ok() { "ok" } else { "failed" }.to_string(),
                detail: result.as_ref().err().map(|e| e.message.clone()),
            };
            if let Err(e) = ctx.store.audit(&entry).await {
                tracing::warn!(connection = %name, "writing the audit entry failed: {e}");
            }
            tracing::info!(
                connection = %name,
                target = target.name(),
                verb = verb.as_str(),
                ok = result.is_ok(),
                "service action"
            );
            let _ = ctx.tx.send(Msg::ServiceActed {
                name,
                target,
                verb,
                result,
            });
        });
    }
}

/// Follows a unit's journal or a container's log into the viewer until `stop`.
pub async fn follow_service_log(
    ctx: WorkerCtx,
    name: String,
    host: Arc<dyn Host>,
    target: ServiceTarget,
    window: LogWindow,
    stop: CancellationToken,
) {
    let argv = services::logs::argv(&ctx.config.services, &target, window, now());
    let args: Vec<&str> = argv.iter().map(String::as_str).collect();
    let what = match &target {
        ServiceTarget::Unit(u) => format!("the journal of {u}"),
        ServiceTarget::Container(c) => format!("the log of container {c}"),
    };
    let notice = |text: String| {
        let _ = ctx.tx.send(Msg::LogNotice {
            name: name.clone(),
            text,
        });
    };
    let mut stream = match host.stream_lines(&args).await {
        Ok(s) => s,
        Err(e) => {
            notice(format!("cannot follow {what}: {e}"));
            return;
        }
    };
    let mut lines: Vec<String> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    loop {
        let first = tokio::select! {
            _ = stop.cancelled() => return,
            ev = stream.next() => ev,
        };
        let mut event = first;
        let ended = loop {
            match event {
                None => break Some(None),
                // A journal message may span lines; the viewer shows one line per row.
                Some(StreamEvent::Stdout(l)) => lines.extend(
                    services::logs::render(&target, &l)
                        .split('\n')
                        .map(str::to_string),
                ),
                Some(StreamEvent::Stderr(l)) => match &target {
                    // `docker logs` writes the container's stderr to its stderr: log lines.
                    ServiceTarget::Container(_)
                        if crate::sources::services::docker::classify_error(&l).is_none() =>
                    {
                        lines.push(l)
                    }
                    _ => errors.push(l),
                },
                Some(StreamEvent::Exit(code)) => break Some(Some(code)),
            }
            if lines.len() >= LOG_BATCH {
                break None;
            }
            match stream.rx.try_recv() {
                Ok(ev) => event = Some(ev),
                Err(_) => break None,
            }
        };
        if !lines.is_empty() {
            let _ = ctx.tx.send(Msg::LogLines {
                name: name.clone(),
                lines: std::mem::take(&mut lines),
            });
        }
        if !errors.is_empty() {
            let text = errors.join("\n");
            let problem = journal::permission_problem(&text)
                .or_else(|| crate::sources::services::docker::classify_error(&text));
            notice(match problem {
                Some(p) => match p.fix {
                    Some(fix) => format!("{} — fix: {fix}", p.message),
                    None => p.message,
                },
                None => errors.last().cloned().unwrap_or_default(),
            });
            errors.clear();
        }
        match ended {
            Some(None) => {
                notice(format!("following {what} stopped"));
                return;
            }
            Some(Some(code)) => {
                notice(format!(
                    "{what} ended ({})",
                    code.map_or("killed".to_string(), |c| format!("status {c}"))
                ));
                return;
            }
            None => {}
        }
    }
}
