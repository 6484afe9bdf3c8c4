//! The queue behind `[jobs] backend`: PostgREST or PostgreSQL, with one set of calls so the
//! CLI, the snapshot and the Jobs tab do not care which.

use super::creds::{self, Credentials};
use super::errors::JobsError;
use super::postgres::PgJobs;
use super::postgrest::{JobQuery, JobsClient};
use crate::config::JobsSettings;
use crate::host::Host;
use crate::model::{Job, JobsPage, RequeueOutcome};

// One backend per connection, built once and shared behind an `Arc`: boxing would only add
// an indirection to every call.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum JobsBackend {
    PostgRest(JobsClient),
    Postgres(PgJobs),
}

impl JobsBackend {
    /// The backend `settings.backend` names, built from what `host` provides: Supabase
    /// credentials for `postgrest`, the DSN in `settings.dsn_env` for `postgres` (sparkdeck's
    /// environment first, else `env_file` on the host).
    pub async fn for_host(host: &dyn Host, settings: &JobsSettings) -> Result<Self, JobsError> {
        if settings.backend == "postgres" {
            let dsn = creds::env_or_file_var(host, &settings.env_file, &settings.dsn_env)
                .await
                .map_err(|detail| JobsError::NoDsn {
                    var: settings.dsn_env.clone(),
                    file: settings.env_file.clone(),
                    host: host.name().to_string(),
                    detail,
                })?;
            return Ok(JobsBackend::Postgres(PgJobs::new(&dsn, settings)?));
        }
        let creds = creds::load(host, settings).await?;
        Ok(JobsBackend::PostgRest(JobsClient::new(&creds, settings)?))
    }

    /// For `postgrest`: a client from credentials the caller already has.
    pub fn postgrest(creds: &Credentials, settings: &JobsSettings) -> Result<Self, JobsError> {
        Ok(JobsBackend::PostgRest(JobsClient::new(creds, settings)?))
    }

    /// The server, for messages (`host[:port]` or `host:port/db`).
    pub fn host(&self) -> &str {
        match self {
            JobsBackend::PostgRest(c) => c.host(),
            JobsBackend::Postgres(p) => p.host(),
        }
    }

    pub async fn list(&self, q: &JobQuery) -> Result<JobsPage, JobsError> {
        match self {
            JobsBackend::PostgRest(c) => c.list(q).await,
            JobsBackend::Postgres(p) => p.list(q).await,
        }
    }

    pub async fn get_job(&self, id: &str) -> Result<Option<Job>, JobsError> {
        match self {
            JobsBackend::PostgRest(c) => c.get_job(id).await,
            JobsBackend::Postgres(p) => p.get_job(id).await,
        }
    }

    pub async fn count(&self, status: Option<&str>) -> Result<Option<u64>, JobsError> {
        match self {
            JobsBackend::PostgRest(c) => c.count(status).await,
            JobsBackend::Postgres(p) => p.count(status).await,
        }
    }

    pub async fn status_counts(
        &self,
        max_rows: u32,
    ) -> Result<(std::collections::BTreeMap<String, u64>, u64), JobsError> {
        match self {
            JobsBackend::PostgRest(c) => c.status_counts(max_rows).await,
            JobsBackend::Postgres(p) => p.status_counts(max_rows).await,
        }
    }

    pub async fn edge(
        &self,
        column: &str,
        status: Option<&str>,
        ascending: bool,
    ) -> Result<Option<String>, JobsError> {
        match self {
            JobsBackend::PostgRest(c) => c.edge(column, status, ascending).await,
            JobsBackend::Postgres(p) => p.edge(column, status, ascending).await,
        }
    }

    pub fn settings(&self) -> &JobsSettings {
        match self {
            JobsBackend::PostgRest(c) => c.settings(),
            JobsBackend::Postgres(p) => p.settings(),
        }
    }

    pub async fn requeue(&self, id: &str) -> RequeueOutcome {
        match self {
            JobsBackend::PostgRest(c) => c.requeue(id).await,
            JobsBackend::Postgres(p) => p.requeue(id).await,
        }
    }
}
