//! A requeue as an audited action: who asked, on which connection, from which status, and
//! what happened. Shared by `sparkdeck jobs requeue` and the Jobs tab.

use super::backend::JobsBackend;
use super::errors::JobsError;
use super::postgrest::JobsClient;
use crate::model::{Job, RequeueOutcome};
use crate::store::AuditEntry;

pub const AUDIT_ACTION: &str = "requeue";

/// The local user for the audit log (`$USER`, else `$LOGNAME`).
/// What the answer to a compare-and-set requeue means, for both backends (so the audit log
/// reads alike): the changed row, or — when nothing matched — the re-read row saying why.
/// `reread` is only awaited when nothing changed.
pub(crate) async fn settle<F>(
    id: &str,
    changed: Result<Vec<Job>, JobsError>,
    requeueable: &[String],
    reread: impl FnOnce() -> F,
) -> RequeueOutcome
where
    F: std::future::Future<Output = Result<Option<Job>, JobsError>>,
{
    match changed {
        Ok(rows) => match rows.into_iter().next() {
            Some(job) => RequeueOutcome::Requeued(job),
            None => RequeueOutcome::NotChanged {
                reason: match reread().await {
                    Ok(Some(job)) => format!(
                        "job {id} is '{}', not one of {}",
                        job.status,
                        requeueable.join(", ")
                    ),
                    Ok(None) => format!("job {id} no longer exists"),
                    Err(e) => format!("job {id} was not changed; re-reading it failed: {e}"),
                },
            },
        },
        Err(e) => RequeueOutcome::Failed {
            error: e.to_string(),
        },
    }
}

pub fn local_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// Reads the job's status (for the audit log), then runs the compare-and-set requeue. The
/// status read is informational: the PATCH alone decides whether anything changes.
pub async fn requeue_one(client: &JobsClient, id: &str) -> (Option<String>, RequeueOutcome) {
    let old = client
        .get_job(id)
        .await
        .ok()
        .flatten()
        .map(|job| job.status);
    (old, client.requeue(id).await)
}

/// [`requeue_one`] for either backend.
pub async fn requeue_with(backend: &JobsBackend, id: &str) -> (Option<String>, RequeueOutcome) {
    let old = backend
        .get_job(id)
        .await
        .ok()
        .flatten()
        .map(|job| job.status);
    (old, backend.requeue(id).await)
}

/// The audit row for one attempt. `at` is Unix seconds.
pub fn audit_entry(
    at: i64,
    connection: &str,
    user: &str,
    id: &str,
    old_status: Option<&str>,
    outcome: &RequeueOutcome,
) -> AuditEntry {
    let result = match outcome {
        RequeueOutcome::Requeued(_) => "ok".to_string(),
        RequeueOutcome::NotChanged { reason } => format!("not changed: {reason}"),
        RequeueOutcome::Failed { error } => format!("failed: {error}"),
    };
    AuditEntry {
        at,
        host: connection.to_string(),
        action: AUDIT_ACTION.to_string(),
        target: id.to_string(),
        outcome: result,
        detail: Some(format!(
            "user={user} old_status={}",
            old_status.unwrap_or("unknown")
        )),
    }
}

/// One line for a terminal: `a1b2: requeued (failed → queued)`.
pub fn describe(id: &str, old_status: Option<&str>, outcome: &RequeueOutcome) -> String {
    match outcome {
        RequeueOutcome::Requeued(job) => format!(
            "{id}: requeued ({} → {})",
            old_status.unwrap_or("?"),
            job.status
        ),
        RequeueOutcome::NotChanged { reason } => format!("{id}: not changed: {reason}"),
        RequeueOutcome::Failed { error } => format!("{id}: failed: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Job;

    #[test]
    fn audit_rows_say_who_what_and_how_it_went() {
        let done = RequeueOutcome::Requeued(Job {
            id: "7".into(),
            status: "queued".into(),
            ..Job::default()
        });
        let e = audit_entry(100, "spark", "alice", "7", Some("failed"), &done);
        assert_eq!(e.outcome, "ok");
        assert_eq!(e.action, "requeue");
        assert_eq!(e.detail.as_deref(), Some("user=alice old_status=failed"));
        let not = RequeueOutcome::NotChanged {
            reason: "job 7 is 'running', not one of failed, error".into(),
        };
        let e = audit_entry(100, "spark", "alice", "7", None, &not);
        assert!(e.outcome.starts_with("not changed: job 7 is 'running'"));
        assert_eq!(
            describe("7", Some("failed"), &done),
            "7: requeued (failed → queued)"
        );
    }
}
