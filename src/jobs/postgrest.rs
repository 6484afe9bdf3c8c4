//! The job queue through PostgREST (the Supabase Data API).
//!
//! Reads are retried with backoff on transient failures; a PATCH never is, because a lost
//! answer does not mean the change was lost. The only PATCH this client can send is the
//! compare-and-set requeue, and it takes a [`JobId`], which cannot be empty, and builds the
//! `id=eq.` filter itself.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Map, Value};

use super::creds::{Credentials, KeyKind};
use super::errors::{self, JobsError};
use crate::config::JobsSettings;
use crate::model::{Job, JobsPage, RequeueOutcome};

const USER_AGENT: &str = concat!("sparkdeck/", env!("CARGO_PKG_VERSION"));
/// First retry delay for reads; doubles per attempt.
const BACKOFF_START: Duration = Duration::from_millis(250);

/// `order=<column>.desc,<id>.desc`: `column` is a configured column name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort {
    pub column: String,
    pub desc: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobQuery {
    /// Only these statuses (`status=in.(…)`); `None` for all.
    pub status: Option<Vec<String>>,
    pub order: Sort,
    pub limit: u32,
    pub offset: u64,
}

impl JobQuery {
    /// Newest first by the configured `created_at` column, one page of `page_size`.
    pub fn newest(settings: &JobsSettings) -> Self {
        JobQuery {
            status: None,
            order: Sort {
                column: settings.column_created_at.clone(),
                desc: true,
            },
            limit: settings.page_size,
            offset: 0,
        }
    }
}

/// A job id that is known not to be empty: the guard in front of every PATCH.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobId(String);

impl JobId {
    pub fn new(id: &str) -> Result<JobId, JobsError> {
        let id = id.trim();
        if id.is_empty() {
            return Err(JobsError::EmptyId);
        }
        Ok(JobId(id.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub struct JobsClient {
    http: reqwest::Client,
    /// `{url}/rest/v1/{table}`.
    endpoint: String,
    host: String,
    settings: JobsSettings,
}

impl std::fmt::Debug for JobsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobsClient")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl JobsClient {
    pub fn new(creds: &Credentials, settings: &JobsSettings) -> Result<JobsClient, JobsError> {
        let base = reqwest::Url::parse(creds.url.trim()).map_err(|e| JobsError::InvalidUrl {
            url: creds.url.clone(),
            detail: e.to_string(),
        })?;
        if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
            return Err(JobsError::InvalidUrl {
                url: creds.url.clone(),
                detail: "expected http:// or https:// with a host".into(),
            });
        }
        let host = match base.port() {
            Some(p) => format!("{}:{p}", base.host_str().unwrap_or_default()),
            None => base.host_str().unwrap_or_default().to_string(),
        };
        let mut headers = HeaderMap::new();
        let key = creds.expose_key();
        let mut apikey = HeaderValue::from_str(key).map_err(|_| JobsError::InvalidKey {
            masked: creds.masked_key(),
        })?;
        apikey.set_sensitive(true);
        headers.insert("apikey", apikey);
        // New-style keys are not JWTs: sent as Bearer they are rejected (PGRST301).
        if creds.key_kind() == KeyKind::Jwt {
            let mut bearer = HeaderValue::from_str(&format!("Bearer {key}"))
                .expect("a valid header value stays valid with an ASCII prefix");
            bearer.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, bearer);
        }
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .default_headers(headers)
            .timeout(Duration::from_secs(settings.timeout_s.max(1)))
            .connect_timeout(Duration::from_secs(settings.timeout_s.clamp(1, 10)))
            .build()
            .map_err(|e| errors::from_transport(e, &host, settings.timeout_s))?;
        let endpoint = format!(
            "{}/rest/v1/{}",
            creds.url.trim().trim_end_matches('/'),
            encode(&settings.table)
        );
        Ok(JobsClient {
            http,
            endpoint,
            host,
            settings: settings.clone(),
        })
    }

    /// The server's `host[:port]`, for messages.
    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn settings(&self) -> &JobsSettings {
        &self.settings
    }

    fn select(&self) -> String {
        self.settings.columns().join(",")
    }

    /// One page, with the exact total from `Content-Range`.
    pub async fn list(&self, q: &JobQuery) -> Result<JobsPage, JobsError> {
        let s = &self.settings;
        let dir = |desc: bool| if desc { "desc" } else { "asc" };
        let mut params = vec![
            ("select", self.select()),
            (
                "order",
                format!(
                    "{}.{},{}.{}",
                    q.order.column,
                    dir(q.order.desc),
                    s.column_id,
                    dir(q.order.desc)
                ),
            ),
            ("limit", q.limit.to_string()),
            ("offset", q.offset.to_string()),
        ];
        if let Some(statuses) = &q.status {
            params.push((s.column_status.as_str(), in_list(statuses)));
        }
        let url = self.url(&params);
        let (headers, body) = self.get(&url, Some("count=exact")).await?;
        let jobs = self.rows(&body)?;
        let total = headers
            .get(reqwest::header::CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(content_range_total);
        Ok(JobsPage {
            jobs,
            total,
            offset: q.offset,
        })
    }

    /// One job by id, `None` when there is no such row.
    pub async fn get_job(&self, id: &str) -> Result<Option<Job>, JobsError> {
        let id = JobId::new(id)?;
        let url = self.url(&[
            ("select", self.select()),
            (
                self.settings.column_id.as_str(),
                format!("eq.{}", id.as_str()),
            ),
        ]);
        let (_, body) = self.get(&url, None).await?;
        Ok(self.rows(&body)?.into_iter().next())
    }

    /// How many rows have `status` (all rows for `None`): `limit=0` with `count=exact`, so no
    /// rows travel.
    pub async fn count(&self, status: Option<&str>) -> Result<Option<u64>, JobsError> {
        let mut params = vec![
            ("select", self.settings.column_id.clone()),
            ("limit", "0".to_string()),
        ];
        if let Some(st) = status {
            params.push((self.settings.column_status.as_str(), format!("eq.{st}")));
        }
        let url = self.url(&params);
        let (headers, _) = self.get(&url, Some("count=exact")).await?;
        Ok(headers
            .get(reqwest::header::CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(content_range_total))
    }

    /// Jobs per status over the newest `max_rows` rows (one request, grouped here: PostgREST's
    /// aggregates are off by default on Supabase). Also returns how many rows were counted, so
    /// a caller can tell when the counts are partial (fewer than the total).
    pub async fn status_counts(
        &self,
        max_rows: u32,
    ) -> Result<(std::collections::BTreeMap<String, u64>, u64), JobsError> {
        let s = &self.settings;
        let url = self.url(&[
            ("select", s.column_status.clone()),
            (
                "order",
                format!("{}.desc,{}.desc", s.column_created_at, s.column_id),
            ),
            ("limit", max_rows.to_string()),
        ]);
        let (_, body) = self.get(&url, None).await?;
        let mut counts = std::collections::BTreeMap::new();
        let rows = self.rows(&body)?;
        for job in &rows {
            *counts.entry(job.status.clone()).or_insert(0) += 1;
        }
        Ok((counts, rows.len() as u64))
    }

    /// The first non-null value of `column` among rows with `status` (all rows when `None`),
    /// ordered ascending or descending: the oldest queued job, the newest start.
    pub async fn edge(
        &self,
        column: &str,
        status: Option<&str>,
        ascending: bool,
    ) -> Result<Option<String>, JobsError> {
        let dir = if ascending { "asc" } else { "desc" };
        let mut params = vec![
            ("select", column.to_string()),
            (column, "not.is.null".to_string()),
            ("order", format!("{column}.{dir}")),
            ("limit", "1".to_string()),
        ];
        if let Some(st) = status {
            params.push((self.settings.column_status.as_str(), format!("eq.{st}")));
        }
        let url = self.url(&params);
        let (_, body) = self.get(&url, None).await?;
        let rows: Value = serde_json::from_str(&body).map_err(|e| JobsError::Decode {
            host: self.host.clone(),
            detail: format!("not JSON: {e}"),
        })?;
        Ok(rows
            .get(0)
            .and_then(|r| r.get(column))
            .and_then(Value::as_str)
            .map(str::to_string))
    }

    /// Compare-and-set requeue of one job: only when its status is one of `requeueable`.
    /// Never retried. An empty id is refused before any request.
    pub async fn requeue(&self, id: &str) -> RequeueOutcome {
        let id = match JobId::new(id) {
            Ok(id) => id,
            Err(e) => {
                return RequeueOutcome::Failed {
                    error: e.to_string(),
                };
            }
        };
        let changed = self.patch_requeue(&id).await;
        super::requeue::settle(id.as_str(), changed, &self.settings.requeueable, || {
            self.get_job(id.as_str())
        })
        .await
    }

    /// The one PATCH there is. The filter starts with `id=eq.` built from a non-empty id.
    async fn patch_requeue(&self, id: &JobId) -> Result<Vec<Job>, JobsError> {
        let s = &self.settings;
        let url = self.url(&[
            (s.column_id.as_str(), format!("eq.{}", id.as_str())),
            (s.column_status.as_str(), in_list(&s.requeueable)),
            ("select", self.select()),
        ]);
        let mut body = Map::new();
        body.insert(s.column_status.clone(), Value::String(s.requeue_to.clone()));
        body.insert(s.column_error.clone(), Value::Null);
        let sent = self
            .http
            .patch(&url)
            .header("Prefer", "return=representation")
            .json(&Value::Object(body))
            .send()
            .await
            .map_err(|e| errors::from_transport(e, &self.host, s.timeout_s))?;
        let (_, text) = self.answer(sent).await?;
        self.rows(&text)
    }

    /// GET with bounded retries on transient failures.
    async fn get(&self, url: &str, prefer: Option<&str>) -> Result<(HeaderMap, String), JobsError> {
        let mut delay = BACKOFF_START;
        let mut attempt = 0;
        loop {
            let mut req = self.http.get(url);
            if let Some(p) = prefer {
                req = req.header("Prefer", p);
            }
            let result = match req.send().await {
                Ok(resp) => self.answer(resp).await,
                Err(e) => Err(errors::from_transport(
                    e,
                    &self.host,
                    self.settings.timeout_s,
                )),
            };
            match result {
                Err(e) if e.is_transient() && attempt < self.settings.retries => {
                    tracing::debug!(host = %self.host, attempt, "jobs read failed, retrying: {e}");
                    attempt += 1;
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                }
                other => return other,
            }
        }
    }

    async fn answer(&self, resp: reqwest::Response) -> Result<(HeaderMap, String), JobsError> {
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp
            .text()
            .await
            .map_err(|e| errors::from_transport(e, &self.host, self.settings.timeout_s))?;
        if status.is_success() {
            return Ok((headers, text));
        }
        let proxy = headers.get("proxy-status").and_then(|v| v.to_str().ok());
        Err(errors::from_response(
            status.as_u16(),
            proxy,
            &text,
            &self.host,
            &self.settings.table,
        ))
    }

    fn url(&self, params: &[(&str, String)]) -> String {
        let query: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        format!("{}?{}", self.endpoint, query.join("&"))
    }

    fn rows(&self, body: &str) -> Result<Vec<Job>, JobsError> {
        let value: Value = serde_json::from_str(body).map_err(|e| JobsError::Decode {
            host: self.host.clone(),
            detail: format!("not JSON: {e}"),
        })?;
        let Value::Array(rows) = value else {
            return Err(JobsError::Decode {
                host: self.host.clone(),
                detail: "expected a JSON array of rows".into(),
            });
        };
        rows.iter()
            .map(|row| {
                row.as_object()
                    .map(|o| job_from_row(o, &self.settings))
                    .ok_or_else(|| JobsError::Decode {
                        host: self.host.clone(),
                        detail: "a row is not a JSON object".into(),
                    })
            })
            .collect()
    }
}

/// Maps one row by the configured column names. Ids are text whether JSON has a number or a
/// string; anything missing stays `None`.
pub fn job_from_row(row: &Map<String, Value>, s: &JobsSettings) -> Job {
    let text = |col: &str| -> Option<String> {
        match row.get(col)? {
            Value::Null => None,
            Value::String(v) => Some(v.clone()),
            other => Some(other.to_string()),
        }
    };
    let attempts = row.get(&s.column_attempts).and_then(|v| match v {
        Value::Number(n) => n.as_i64(),
        Value::String(t) => t.trim().parse().ok(),
        _ => None,
    });
    Job {
        id: text(&s.column_id).unwrap_or_default(),
        account_id: text(&s.column_account_id),
        job_type: text(&s.column_job_type),
        status: text(&s.column_status).unwrap_or_default(),
        attempts,
        error: text(&s.column_error),
        debug: row.get(&s.column_debug).filter(|v| !v.is_null()).cloned(),
        created_at: text(&s.column_created_at),
        started_at: text(&s.column_started_at),
        finished_at: text(&s.column_finished_at),
    }
}

/// `0-49/1234` → 1234; `*/0` → 0; `0-49/*` → None.
pub fn content_range_total(header: &str) -> Option<u64> {
    header.rsplit_once('/')?.1.trim().parse().ok()
}

/// `in.(a,b)` with each value quoted where PostgREST's grammar needs it.
pub fn in_list(values: &[String]) -> String {
    let items: Vec<String> = values.iter().map(|v| quote_value(v)).collect();
    format!("in.({})", items.join(","))
}

/// A list item in double quotes (with `\` escapes) when it holds a reserved character.
fn quote_value(v: &str) -> String {
    let plain = !v.is_empty()
        && !v
            .chars()
            .any(|c| matches!(c, ',' | '.' | ':' | '(' | ')' | '"' | '\\') || c.is_whitespace());
    if plain {
        return v.to_string();
    }
    let escaped = v.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

/// Percent-encodes all but unreserved characters and the grammar's `(),.*`; spaces become
/// `%20`, never `+`.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~(),*".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_totals() {
        assert_eq!(content_range_total("0-49/1234"), Some(1234));
        assert_eq!(content_range_total("*/0"), Some(0));
        assert_eq!(content_range_total("0-49/*"), None);
        assert_eq!(content_range_total("garbage"), None);
    }

    #[test]
    fn in_lists_quote_reserved_characters() {
        let v = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(in_list(&v(&["failed", "error"])), "in.(failed,error)");
        assert_eq!(
            in_list(&v(&["a,b", "x\"y", "on hold"])),
            r#"in.("a,b","x\"y","on hold")"#
        );
        assert_eq!(encode("in.(\"a b\")"), "in.(%22a%20b%22)");
        assert_eq!(encode("eq.1&x=2"), "eq.1%26x%3D2");
    }

    #[test]
    fn ids_map_from_numbers_and_strings() {
        let s = JobsSettings::default();
        let row: Value = serde_json::json!({"id": 42, "status": "failed", "attempts": "3",
            "debug": null, "error": "boom"});
        let job = job_from_row(row.as_object().unwrap(), &s);
        assert_eq!(job.id, "42");
        assert_eq!(job.attempts, Some(3));
        assert_eq!(job.debug, None);
        let row: Value = serde_json::json!({"id": "9b2c", "status": "queued"});
        assert_eq!(job_from_row(row.as_object().unwrap(), &s).id, "9b2c");
    }

    #[tokio::test]
    async fn an_empty_id_is_refused_before_any_request() {
        // Port 9 on a reserved TEST-NET address: any request would fail as a network error,
        // so `EmptyId` proves none was sent.
        let creds = Credentials::new("http://192.0.2.1:9", "sb_secret_0123456789abcdef");
        let client = JobsClient::new(&creds, &JobsSettings::default()).unwrap();
        for id in ["", "   "] {
            match client.requeue(id).await {
                RequeueOutcome::Failed { error } => {
                    assert_eq!(error, JobsError::EmptyId.to_string())
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(matches!(JobId::new(""), Err(JobsError::EmptyId)));
    }
}
