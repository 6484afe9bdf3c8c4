//! The job queue straight from PostgreSQL (`[jobs] backend = "postgres"`), for a worker whose
//! database has no PostgREST in front of it.
//!
//! Table and column names come from the config, so they are quoted as identifiers; every
//! value travels as a bind parameter. Each column is read as `to_jsonb(col)`, which gives the
//! same JSON the PostgREST client sees (RFC 3339 timestamps, numbers, text), so both backends
//! map rows with one function. The DSN holds a password: it is kept in a [`Secret`] and only
//! ever shown masked.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};
use tokio::sync::Mutex;
use tokio_postgres::config::SslMode;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Config, Row};

use super::creds::Secret;
use super::errors::JobsError;
use super::postgrest::{JobId, JobQuery, job_from_row};
use crate::config::JobsSettings;
use crate::model::{Job, JobsPage, RequeueOutcome};

/// `"name"` with embedded quotes doubled: safe for any configured table or column name.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`; `password=secret` in
/// key/value form likewise. For messages: the DSN itself is never shown.
pub fn mask_dsn(dsn: &str) -> String {
    let dsn = dsn.trim();
    if let Some((scheme, rest)) = dsn.split_once("://") {
        let (auth, tail) = match rest.rfind('@') {
            Some(at) => (&rest[..at], &rest[at..]),
            None => ("", rest),
        };
        let user = auth.split_once(':').map_or(auth, |(u, _)| u);
        let hidden = if auth.contains(':') { ":***" } else { "" };
        let user = if auth.is_empty() {
            String::new()
        } else {
            format!("{user}{hidden}")
        };
        // A password in the query string (`?password=`) is cut along with the rest of it.
        let tail = match tail.split_once("password=") {
            Some((head, _)) => format!("{head}password=***"),
            None => tail.to_string(),
        };
        return format!("{scheme}://{user}{tail}");
    }
    mask_key_values(dsn)
}

/// The key/value form: `password=` values, quoted (`'a b\' c'`) or not, become `***`.
fn mask_key_values(dsn: &str) -> String {
    let mut out = String::with_capacity(dsn.len());
    let mut rest = dsn;
    while let Some(at) = rest.find("password") {
        let (head, tail) = rest.split_at(at);
        out.push_str(head);
        let after = tail["password".len()..].trim_start();
        let starts_word = head.is_empty() || head.ends_with(char::is_whitespace);
        let Some(value) = after.strip_prefix('=').filter(|_| starts_word) else {
            out.push_str("password");
            rest = &tail["password".len()..];
            continue;
        };
        out.push_str("password=***");
        let value = value.trim_start();
        rest = match value.strip_prefix('\'') {
            Some(quoted) => {
                let mut chars = quoted.char_indices();
                let mut end = quoted.len();
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '\'' => {
                            end = i + 1;
                            break;
                        }
                        _ => {}
                    }
                }
                &quoted[end..]
            }
            None => &value[value.find(char::is_whitespace).unwrap_or(value.len())..],
        };
    }
    out.push_str(rest);
    out
}

/// A queue reached through one PostgreSQL connection, opened on first use and reopened when
/// the server closed it.
pub struct PgJobs {
    config: Config,
    /// `host:port/db` for messages.
    label: String,
    settings: JobsSettings,
    conn: Mutex<Option<Arc<Client>>>,
}

impl std::fmt::Debug for PgJobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgJobs")
            .field("server", &self.label)
            .finish_non_exhaustive()
    }
}

impl PgJobs {
    /// Parses the DSN (URL or key/value form) and bounds its connect and statement time by
    /// `[jobs] timeout_s`. Nothing is sent until the first query.
    pub fn new(dsn: &Secret, settings: &JobsSettings) -> Result<PgJobs, JobsError> {
        let mut config: Config = dsn.expose().trim().parse().map_err(|e| JobsError::Dsn {
            masked: mask_dsn(dsn.expose()),
            detail: format!("{e}"),
        })?;
        let secs = settings.timeout_s.max(1);
        config.connect_timeout(Duration::from_secs(secs.min(10)));
        // The server cancels a runaway query itself, so a stuck scan never holds a lock.
        config.options(format!("-c statement_timeout={}", secs * 1000));
        if config.get_application_name().is_none() {
            config.application_name("sparkdeck");
        }
        let label = label(&config);
        Ok(PgJobs {
            config,
            label,
            settings: settings.clone(),
            conn: Mutex::new(None),
        })
    }

    /// The server's `host:port/db`, for messages.
    pub fn host(&self) -> &str {
        &self.label
    }

    pub fn settings(&self) -> &JobsSettings {
        &self.settings
    }

    async fn client(&self) -> Result<Arc<Client>, JobsError> {
        let mut slot = self.conn.lock().await;
        if let Some(c) = slot.as_ref().filter(|c| !c.is_closed()) {
            return Ok(c.clone());
        }
        let secs = self.settings.timeout_s.max(1);
        let tls = tls(&self.label)?;
        let connecting = async {
            if self.config.get_ssl_mode() == SslMode::Disable {
                let (client, conn) = self.config.connect(tokio_postgres::NoTls).await?;
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!("jobs database connection ended: {e}");
                    }
                });
                Ok(client)
            } else {
                let (client, conn) = self.config.connect(tls).await?;
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!("jobs database connection ended: {e}");
                    }
                });
                Ok(client)
            }
        };
        let client = match tokio::time::timeout(Duration::from_secs(secs), connecting).await {
            Ok(Ok(c)) => Arc::new(c),
            Ok(Err(e)) => return Err(self.error(e)),
            Err(_) => {
                return Err(JobsError::Timeout {
                    host: self.label.clone(),
                    secs,
                });
            }
        };
        *slot = Some(client.clone());
        Ok(client)
    }

    async fn query(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, JobsError> {
        let client = self.client().await?;
        // The statement timeout bounds the server; this bounds a silent network as well.
        let secs = self.settings.timeout_s.max(1) + 2;
        match tokio::time::timeout(Duration::from_secs(secs), client.query(sql, params)).await {
            Ok(rows) => rows.map_err(|e| self.error(e)),
            Err(_) => Err(JobsError::Timeout {
                host: self.label.clone(),
                secs,
            }),
        }
    }

    /// A read, retried `retries` times with a doubling delay on time-outs and network errors;
    /// a broken connection is dropped so the next attempt opens a fresh one. Writes go through
    /// [`PgJobs::query`] once: a lost answer does not mean a lost change.
    async fn read(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>, JobsError> {
        let mut delay = Duration::from_millis(250);
        let mut attempt = 0;
        loop {
            match self.query(sql, params).await {
                Err(e) if e.is_transient() && attempt < self.settings.retries => {
                    tracing::debug!(server = %self.label, attempt, "jobs read failed, retrying: {e}");
                    if matches!(e, JobsError::Network { .. } | JobsError::Timeout { .. }) {
                        *self.conn.lock().await = None;
                    }
                    attempt += 1;
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                }
                other => return other,
            }
        }
    }

    fn columns(&self) -> Vec<&str> {
        self.settings.columns()
    }

    /// `to_jsonb("a"), to_jsonb("b"), …` in [`PgJobs::columns`] order.
    fn select(&self) -> String {
        self.columns()
            .iter()
            .map(|c| format!("to_jsonb({})", quote_ident(c)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn table(&self) -> String {
        quote_ident(&self.settings.table)
    }

    fn jobs(&self, rows: &[Row]) -> Result<Vec<Job>, JobsError> {
        let names = self.columns();
        rows.iter()
            .map(|row| {
                let mut map = Map::new();
                for (i, name) in names.iter().enumerate() {
                    let v: Option<Value> = row.try_get(i).map_err(|e| JobsError::Decode {
                        host: self.label.clone(),
                        detail: format!("column {name}: {e}"),
                    })?;
                    map.insert((*name).to_string(), v.unwrap_or(Value::Null));
                }
                Ok(job_from_row(&map, &self.settings))
            })
            .collect()
    }

    /// One page, newest first by the query's sort column, with the exact total.
    pub async fn list(&self, q: &JobQuery) -> Result<JobsPage, JobsError> {
        let s = &self.settings;
        let dir = if q.order.desc { "DESC" } else { "ASC" };
        let filter = match &q.status {
            Some(_) => format!("WHERE {}::text = ANY($1)", quote_ident(&s.column_status)),
            None => String::new(),
        };
        let page_sql = format!(
            "SELECT {} FROM {} {filter} ORDER BY {} {dir}, {} {dir} LIMIT {} OFFSET {}",
            self.select(),
            self.table(),
            quote_ident(&q.order.column),
            quote_ident(&s.column_id),
            if q.status.is_some() { "$2" } else { "$1" },
            if q.status.is_some() { "$3" } else { "$2" },
        );
        let count_sql = format!("SELECT count(*) FROM {} {filter}", self.table());
        let limit = i64::from(q.limit);
        let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
        let (rows, counted) = match &q.status {
            Some(st) => (
                self.read(&page_sql, &[st, &limit, &offset]).await?,
                self.read(&count_sql, &[st]).await?,
            ),
            None => (
                self.read(&page_sql, &[&limit, &offset]).await?,
                self.read(&count_sql, &[]).await?,
            ),
        };
        let total = counted
            .first()
            .and_then(|r| r.try_get::<_, i64>(0).ok())
            .and_then(|n| u64::try_from(n).ok());
        Ok(JobsPage {
            jobs: self.jobs(&rows)?,
            total,
            offset: q.offset,
        })
    }

    /// One job by id (compared as text, so uuid and integer keys both work); `None` when
    /// there is no such row.
    pub async fn get_job(&self, id: &str) -> Result<Option<Job>, JobsError> {
        let id = JobId::new(id)?;
        let sql = format!(
            "SELECT {} FROM {} WHERE {}::text = $1 LIMIT 1",
            self.select(),
            self.table(),
            quote_ident(&self.settings.column_id)
        );
        let rows = self.read(&sql, &[&id.as_str()]).await?;
        Ok(self.jobs(&rows)?.into_iter().next())
    }

    /// How many rows have `status` (all rows for `None`).
    pub async fn count(&self, status: Option<&str>) -> Result<Option<u64>, JobsError> {
        let rows = match status {
            Some(st) => {
                let sql = format!(
                    "SELECT count(*) FROM {} WHERE {}::text = $1",
                    self.table(),
                    quote_ident(&self.settings.column_status)
                );
                self.read(&sql, &[&st]).await?
            }
            None => {
                let sql = format!("SELECT count(*) FROM {}", self.table());
                self.read(&sql, &[]).await?
            }
        };
        Ok(rows
            .first()
            .and_then(|r| r.try_get::<_, i64>(0).ok())
            .and_then(|n| u64::try_from(n).ok()))
    }

    /// Jobs per status over the whole table, and how many rows that covers. The database
    /// groups them itself, so unlike PostgREST's capped read the counts are always exact and
    /// `max_rows` does not apply.
    pub async fn status_counts(
        &self,
        _max_rows: u32,
    ) -> Result<(std::collections::BTreeMap<String, u64>, u64), JobsError> {
        let sql = format!(
            "SELECT {}::text, count(*) FROM {} GROUP BY 1",
            quote_ident(&self.settings.column_status),
            self.table()
        );
        let mut counts = std::collections::BTreeMap::new();
        for row in self.read(&sql, &[]).await? {
            let status: Option<String> = row.try_get(0).ok().flatten();
            let n: i64 = row.try_get(1).unwrap_or(0);
            *counts.entry(status.unwrap_or_default()).or_insert(0) += u64::try_from(n).unwrap_or(0);
        }
        let rows = counts.values().sum();
        Ok((counts, rows))
    }

    /// The first non-null value of `column` among rows with `status` (all rows when `None`),
    /// as PostgREST would render it: the oldest queued job, the newest start.
    pub async fn edge(
        &self,
        column: &str,
        status: Option<&str>,
        ascending: bool,
    ) -> Result<Option<String>, JobsError> {
        let col = quote_ident(column);
        let dir = if ascending { "ASC" } else { "DESC" };
        let head = format!(
            "SELECT to_jsonb({col}) #>> '{{}}' FROM {} WHERE {col} IS NOT NULL",
            self.table()
        );
        let tail = format!("ORDER BY {col} {dir} LIMIT 1");
        let rows = match status {
            Some(st) => {
                let sql = format!(
                    "{head} AND {}::text = $1 {tail}",
                    quote_ident(&self.settings.column_status)
                );
                self.read(&sql, &[&st]).await?
            }
            None => self.read(&format!("{head} {tail}"), &[]).await?,
        };
        Ok(rows.first().and_then(|r| r.try_get(0).ok().flatten()))
    }

    /// Compare-and-set requeue: one `UPDATE … WHERE id = $2 AND status = ANY(requeueable)`,
    /// so of two concurrent requeues exactly one changes the row. Never retried.
    pub async fn requeue(&self, id: &str) -> RequeueOutcome {
        let id = match JobId::new(id) {
            Ok(id) => id,
            Err(e) => {
                return RequeueOutcome::Failed {
                    error: e.to_string(),
                };
            }
        };
        let s = &self.settings;
        let sql = format!(
            "UPDATE {} SET {} = $1, {} = NULL WHERE {}::text = $2 AND {}::text = ANY($3) \
             RETURNING {}",
            self.table(),
            quote_ident(&s.column_status),
            quote_ident(&s.column_error),
            quote_ident(&s.column_id),
            quote_ident(&s.column_status),
            self.select(),
        );
        let changed = self
            .query(&sql, &[&s.requeue_to, &id.as_str(), &s.requeueable])
            .await
            .and_then(|rows| self.jobs(&rows));
        super::requeue::settle(id.as_str(), changed, &s.requeueable, || {
            self.get_job(id.as_str())
        })
        .await
    }

    fn error(&self, e: tokio_postgres::Error) -> JobsError {
        db_error(e, &self.label, &self.settings.table)
    }
}

fn label(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().unwrap_or("");
    format!("{host}:{port}/{db}")
}

/// TLS for `sslmode=prefer|require`: the platform's trust store, as reqwest uses for HTTPS.
fn tls(host: &str) -> Result<tokio_postgres_rustls::MakeRustlsConnect, JobsError> {
    use rustls_platform_verifier::ConfigVerifierExt;
    rustls::ClientConfig::with_platform_verifier()
        .map(tokio_postgres_rustls::MakeRustlsConnect::new)
        .map_err(|e| JobsError::Network {
            host: host.to_string(),
            detail: format!("no TLS trust store for sslmode=require: {e}"),
        })
}

/// Server errors by SQLSTATE, in the words the PostgREST client uses for the same failures.
fn db_error(e: tokio_postgres::Error, host: &str, table: &str) -> JobsError {
    use tokio_postgres::error::SqlState;
    let Some(db) = e.as_db_error() else {
        return JobsError::Network {
            host: host.to_string(),
            detail: source_chain(&e),
        };
    };
    let code = db.code();
    let message = db.message().to_string();
    if *code == SqlState::INVALID_PASSWORD || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
    {
        JobsError::DbAuth {
            host: host.to_string(),
            message,
        }
    } else if *code == SqlState::INSUFFICIENT_PRIVILEGE {
        JobsError::Permission {
            host: host.to_string(),
            message,
        }
    } else if code.code().starts_with("08")
        || [
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CRASH_SHUTDOWN,
            SqlState::CANNOT_CONNECT_NOW,
        ]
        .contains(code)
    {
        // The server ended this connection (restart, failover, pg_terminate_backend): a
        // fresh connection can succeed, so reads treat it like a network error.
        JobsError::Network {
            host: host.to_string(),
            detail: format!("{message} ({})", code.code()),
        }
    } else if *code == SqlState::QUERY_CANCELED {
        JobsError::StatementTimeout {
            host: host.to_string(),
        }
    } else if *code == SqlState::UNDEFINED_TABLE {
        JobsError::UnknownTable {
            table: table.to_string(),
            host: host.to_string(),
            message,
        }
    } else {
        JobsError::Database {
            host: host.to_string(),
            code: code.code().to_string(),
            message,
        }
    }
}

/// `error connecting to server: Connection refused (os error 111)`: tokio-postgres' own text
/// stops at the first level.
fn source_chain(e: &tokio_postgres::Error) -> String {
    let mut out = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        let t = s.to_string();
        if !out.contains(&t) {
            out.push_str(": ");
            out.push_str(&t);
        }
        src = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted_with_doubled_quotes() {
        assert_eq!(quote_ident("status"), "\"status\"");
        assert_eq!(quote_ident("we\"ird col"), "\"we\"\"ird col\"");
        assert_eq!(
            quote_ident("x\"; DROP TABLE t; --"),
            "\"x\"\"; DROP TABLE t; --\""
        );
    }

    #[test]
    fn passwords_are_masked_in_both_dsn_forms() {
        assert_eq!(
            mask_dsn("postgres://app:s3cret@db.example:5432/jobs?sslmode=require"),
            "postgres://app:***@db.example:5432/jobs?sslmode=require"
        );
        assert_eq!(
            mask_dsn("postgresql://app:p@ss@db/x"),
            "postgresql://app:***@db/x"
        );
        assert_eq!(
            mask_dsn("host=db user=app password=s3cret dbname=jobs"),
            "host=db user=app password=*** dbname=jobs"
        );
        assert_eq!(
            mask_dsn("host=db password='a \\' b' user=app"),
            "host=db password=*** user=app"
        );
        assert_eq!(mask_dsn("password = x dbname=d"), "password=*** dbname=d");
        assert_eq!(mask_dsn("passwordless=1"), "passwordless=1");
        assert_eq!(
            mask_dsn("postgres://db/x?user=a&password=s3cret"),
            "postgres://db/x?user=a&password=***"
        );
        assert!(!mask_dsn("postgres://u:hunter2@h/d").contains("hunter2"));
    }

    proptest::proptest! {
        #[test]
        fn masking_never_panics_and_hides_url_passwords(
            junk in "\\PC{0,60}",
            pw in "![a-zA-Z0-9@:%]{5,20}",
        ) {
            // The `!` keeps a generated password from equalling a host or key name.
            let _ = mask_dsn(&junk);
            let url = format!("postgres://app:{pw}@db.example:5432/jobs");
            proptest::prop_assert!(!mask_dsn(&url).contains(&pw));
            let kv = format!("host=db password={pw} dbname=jobs");
            proptest::prop_assert!(!mask_dsn(&kv).contains(&pw));
        }
    }

    #[test]
    fn a_malformed_dsn_is_refused_without_showing_the_password() {
        let err = PgJobs::new(
            &Secret::new("postgres://u:hunter2@h:notaport/d"),
            &JobsSettings::default(),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("u:***@h"), "{text}");
    }
}
