//! The Models tab's side of a connection worker: background scans with progress, and the
//! confirmed, audited delete. Each request runs in its own task, so a walk of a huge store
//! never holds up the session's other work; the engine (and its scan cache) is shared
//! between them behind a lock, so a delete never runs in the middle of a scan.

use crate::app::msg::Msg;
use crate::app::workers::{WorkerCtx, now};
use crate::host::Host;
use crate::model::ScanProgress;
use crate::models::ModelsEngine;
use crate::store::AuditEntry;
use std::sync::Arc;
use tokio::sync::Mutex;

#[derive(Default)]
pub struct ModelsSide {
    /// Built on first use; keeps each store's last walk so unchanged stores are not
    /// walked again.
    engine: Option<Arc<Mutex<ModelsEngine>>>,
}

impl ModelsSide {
    fn engine(&mut self, ctx: &WorkerCtx, host: Arc<dyn Host>) -> Arc<Mutex<ModelsEngine>> {
        self.engine
            .get_or_insert_with(|| {
                Arc::new(Mutex::new(ModelsEngine::new(host, &ctx.config.models)))
            })
            .clone()
    }

    /// One scan, answered with progress messages and then `Msg::Models`. A scan already
    /// running makes this one a no-op: its answer is as fresh.
    pub fn load(&mut self, ctx: &WorkerCtx, name: &str, host: Arc<dyn Host>, force: bool) {
        let engine = self.engine(ctx, host);
        let (ctx, name) = (ctx.clone(), name.to_string());
        tokio::spawn(async move {
            let Ok(mut engine) = engine.try_lock() else {
                return;
            };
            let tx = ctx.tx.clone();
            let who = name.clone();
            let progress = move |progress: ScanProgress| {
                let _ = tx.send(Msg::ModelsProgress {
                    name: who.clone(),
                    progress,
                });
            };
            let report = engine.refresh(force, &progress).await;
            let _ = ctx.tx.send(Msg::Models { name, report });
        });
    }

    /// Deletes exactly the confirmed model and audits the attempt whatever the outcome.
    pub fn delete(
        &mut self,
        ctx: &WorkerCtx,
        name: &str,
        host: Arc<dyn Host>,
        id: String,
        path: String,
    ) {
        let engine = self.engine(ctx, host);
        let (ctx, name) = (ctx.clone(), name.to_string());
        tokio::spawn(async move {
            // Waits for a scan in progress: the delete re-checks against fresh state.
            let mut engine = engine.lock().await;
            let result = engine.delete(&id, &path).await.map_err(|e| e.to_string());
            drop(engine);
            let entry = AuditEntry {
                at: now(),
                host: name.clone(),
                action: "delete-model".to_string(),
                target: path.clone(),
                outcome: if result.is_ok() { "ok" } else { "failed" }.to_string(),
                detail: match &result {
                    Ok(done) => Some(format!(
                        "freed {} bytes; removed {}; kept shared {}",
                        done.freed_bytes,
                        done.removed.len(),
                        done.kept_shared.len()
                    )),
                    Err(e) => Some(e.clone()),
                },
            };
            if let Err(e) = ctx.store.audit(&entry).await {
                tracing::warn!(connection = %name, "writing the audit entry failed: {e}");
            }
            tracing::info!(connection = %name, %path, ok = result.is_ok(), "delete model");
            let _ = ctx.tx.send(Msg::ModelDeleted { name, id, result });
        });
    }
}
