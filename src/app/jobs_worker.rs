//! The Jobs tab's side of a connection worker: the queue backend (PostgREST from credentials,
//! or PostgreSQL from a DSN, read on that host), page loads, audited requeues and triage. Each
//! request runs in its own task so a slow queue never holds up the session's other work.

use crate::app::msg::Msg;
use crate::app::workers::{WorkerCtx, now};
use crate::host::Host;
use crate::jobs::{self, JobQuery, JobsBackend, JobsError, Sort, requeue};
use crate::jobs_triage::{self, HintRules, stuck};
use crate::model::RequeueOutcome;
use std::sync::Arc;

/// Host checks (worker alive, log freshness) cost execs on the Spark: at most this often.
const CHECKS_EVERY_S: i64 = 60;

/// One triage check as the tab shows it: (ok, label, detail).
type CheckRow = (bool, String, String);

#[derive(Default)]
pub struct JobsSide {
    client: Option<Arc<JobsBackend>>,
    /// The last host checks and when they ran (Unix seconds).
    checks: Option<(i64, Vec<CheckRow>)>,
    /// Whether the worker's env file points at the Supabase the tab reads (seed 003 A).
    supabase: Option<CheckRow>,
}

/// What `Effect::LoadJobs` asks for.
pub struct LoadRequest {
    pub generation: u64,
    pub status: Option<Vec<String>>,
    pub sort_column: String,
    pub desc: bool,
    pub offset: u64,
    pub limit: u32,
}

impl JobsSide {
    /// The client, built on first use from the credentials this host provides.
    async fn client(
        &mut self,
        ctx: &WorkerCtx,
        name: &str,
        host: &dyn Host,
    ) -> Option<Arc<JobsBackend>> {
        if let Some(c) = &self.client {
            return Some(c.clone());
        }
        if ctx.config.jobs.backend == "postgres" {
            // No Supabase here, so no env-file comparison: the DSN is the whole story.
            return match JobsBackend::for_host(host, &ctx.config.jobs).await {
                Ok(backend) => {
                    tracing::info!(connection = name, server = %backend.host(), "jobs database ready");
                    let backend = Arc::new(backend);
                    self.client = Some(backend.clone());
                    Some(backend)
                }
                Err(e) => {
                    let _ = ctx.tx.send(Msg::Jobs {
                        name: name.to_string(),
                        generation: 0,
                        result: Err(e.to_string()),
                        at: now(),
                    });
                    None
                }
            };
        }
        match jobs::client_for(host, &ctx.config.jobs).await {
            Ok((client, creds)) => {
                tracing::info!(connection = name, key = %creds.masked_key(), "jobs client ready");
                if let Ok(worker) = jobs::creds::load_env_file(host, &ctx.config.jobs).await {
                    let c = jobs_triage::supabase_check(
                        &worker.url,
                        Some(worker.expose_key()),
                        &creds.url,
                    );
                    self.supabase = Some((c.ok, c.label, c.detail));
                }
                let client = Arc::new(JobsBackend::PostgRest(client));
                self.client = Some(client.clone());
                Some(client)
            }
            Err(JobsError::NoCredentials { file, .. }) => {
                let _ = ctx.tx.send(Msg::JobsNoCredentials {
                    name: name.to_string(),
                    looked_in: file,
                });
                None
            }
            Err(e) => {
                let _ = ctx.tx.send(Msg::Jobs {
                    name: name.to_string(),
                    generation: 0,
                    result: Err(e.to_string()),
                    at: now(),
                });
                None
            }
        }
    }

    pub async fn load(
        &mut self,
        ctx: &WorkerCtx,
        name: &str,
        host: Arc<dyn Host>,
        req: LoadRequest,
    ) {
        let Some(client) = self.client(ctx, name, host.as_ref()).await else {
            return;
        };
        if self
            .checks
            .as_ref()
            .is_none_or(|(at, _)| now() - at >= CHECKS_EVERY_S)
        {
            let checks = jobs_triage::host_checks(host.as_ref(), &ctx.config.jobs, now())
                .await
                .into_iter()
                .map(|c| (c.ok, c.label, c.detail))
                .collect();
            self.checks = Some((now(), checks));
        }
        let checks = self
            .checks
            .as_ref()
            .map(|(_, c)| c.clone())
            .unwrap_or_default();
        let ctx = ctx.clone();
        let name = name.to_string();
        tokio::spawn(async move {
            let q = JobQuery {
                status: req.status,
                order: Sort {
                    column: req.sort_column,
                    desc: req.desc,
                },
                limit: req.limit,
                offset: req.offset,
            };
            let result = client.list(&q).await.map_err(|e| e.to_string());
            let settings = &ctx.config.jobs;
            let mut triage = None;
            if let Ok(page) = &result {
                // Validated when the config was loaded; an empty list means no hints.
                let pairs: Vec<(&str, &str)> = settings
                    .error_hints
                    .iter()
                    .map(|h| (h.pattern.as_str(), h.hint.as_str()))
                    .collect();
                let rules = HintRules::new(&pairs).unwrap_or_default();
                let hints = page
                    .jobs
                    .iter()
                    .filter_map(|j| Some((j.id.clone(), rules.for_job(j)?.to_string())))
                    .collect();
                let banner = stuck::assess(
                    &page.jobs,
                    now(),
                    settings.stuck_queued_min,
                    settings.stuck_idle_min,
                )
                .map(|s| s.summary(settings.stuck_queued_min));
                triage = Some(Msg::JobsTriage {
                    name: name.clone(),
                    banner,
                    checks,
                    hints,
                });
            }
            let _ = ctx.tx.send(Msg::Jobs {
                name: name.clone(),
                generation: req.generation,
                result,
                at: now(),
            });
            if let Some(t) = triage {
                let _ = ctx.tx.send(t);
            }
        });
    }

    /// Requeues exactly `ids` (confirmed by the user for this connection), one audit row each.
    pub async fn requeue(
        &mut self,
        ctx: &WorkerCtx,
        name: &str,
        host: &dyn Host,
        ids: Vec<String>,
    ) {
        let Some(client) = self.client(ctx, name, host).await else {
            let missing = if ctx.config.jobs.backend == "postgres" {
                format!("no {} on this connection", ctx.config.jobs.dsn_env)
            } else {
                "no Supabase credentials on this connection".to_string()
            };
            let results = ids
                .into_iter()
                .map(|id| {
                    let outcome = RequeueOutcome::Failed {
                        error: missing.clone(),
                    };
                    (id, outcome)
                })
                .collect();
            let _ = ctx.tx.send(Msg::JobsRequeued {
                name: name.to_string(),
                results,
            });
            return;
        };
        let ctx = ctx.clone();
        let name = name.to_string();
        tokio::spawn(async move {
            let user = requeue::local_user();
            let mut results = Vec::with_capacity(ids.len());
            for id in ids {
                let (old, outcome) = requeue::requeue_with(&client, &id).await;
                let entry =
                    requeue::audit_entry(now(), &name, &user, &id, old.as_deref(), &outcome);
                if let Err(e) = ctx.store.audit(&entry).await {
                    tracing::warn!(connection = %name, "writing the audit entry failed: {e}");
                }
                results.push((id, outcome));
            }
            let _ = ctx.tx.send(Msg::JobsRequeued { name, results });
        });
    }
}
