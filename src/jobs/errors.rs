//! What went wrong talking to the job queue, in words an operator can act on.
//!
//! PostgREST answers errors with `{code, message, details, hint}`; the codes that matter to a
//! dashboard (rejected key, permission, time-outs, unknown table, paused project) get their own
//! variant so the tab can say what to do. Messages name the server's host, never the key.

use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum JobsError {
    #[error(
        "no Supabase credentials: SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY are not in \
         sparkdeck's environment, and reading {file} on {host} failed: {detail}; set both \
         variables or point [jobs] env_file at the worker's .env"
    )]
    NoCredentials {
        file: String,
        host: String,
        detail: String,
    },
    #[error(
        "{file} on {host} lacks {missing}; the worker's .env must set SUPABASE_URL and \
         SUPABASE_SERVICE_ROLE_KEY"
    )]
    IncompleteEnvFile {
        file: String,
        host: String,
        missing: String,
    },
    #[error("SUPABASE_URL {url:?} is not a usable http(s) URL: {detail}")]
    InvalidUrl { url: String, detail: String },
    #[error(
        "SUPABASE_SERVICE_ROLE_KEY ({masked}) holds characters an HTTP header cannot carry \
         (a line break or stray quote from the env file?)"
    )]
    InvalidKey { masked: String },
    #[error(
        "the service key was rejected by {host}: {message} ({code}); put a current \
         SUPABASE_SERVICE_ROLE_KEY in the environment or the env file"
    )]
    KeyRejected {
        host: String,
        code: String,
        message: String,
    },
    #[error(
        "permission denied on {host}: {message} (42501); the key needs the service role \
         (SUPABASE_SERVICE_ROLE_KEY), not the anon/publishable key"
    )]
    Permission { host: String, message: String },
    #[error(
        "the database on {host} cancelled the query after its statement timeout (57014); \
         try a smaller page or a status filter"
    )]
    StatementTimeout { host: String },
    #[error(
        "{host} timed out acquiring a database connection from its pool (PGRST003); the \
         project is overloaded, try again shortly"
    )]
    PoolTimeout { host: String },
    #[error(
        "table {table:?} was not found on {host}: {message} (PGRST205); check [jobs] table \
         in the config"
    )]
    UnknownTable {
        table: String,
        host: String,
        message: String,
    },
    #[error("the Supabase project at {host} is paused (HTTP 540); restore it in the dashboard")]
    ProjectPaused { host: String },
    #[error("{host} did not answer within {secs} s; check the network or raise [jobs] timeout_s")]
    Timeout { host: String, secs: u64 },
    #[error("could not reach {host}: {detail}")]
    Network { host: String, detail: String },
    #[error(
        "{host} answered HTTP {status}{}",
        api_suffix(code, message, details, hint)
    )]
    Api {
        host: String,
        status: u16,
        code: Option<String>,
        message: Option<String>,
        details: Option<String>,
        hint: Option<String>,
    },
    #[error("{host} sent an answer that is not the expected job rows: {detail}")]
    Decode { host: String, detail: String },
    #[error(
        "[jobs] backend = \"postgres\" needs a DSN in {var} (environment or env_file), \
         e.g. postgres://user:password@host:5432/db?sslmode=require; reading {file} on \
         {host} failed: {detail}"
    )]
    NoDsn {
        var: String,
        file: String,
        host: String,
        detail: String,
    },
    #[error("the job database DSN {masked} is not usable: {detail}")]
    Dsn { masked: String, detail: String },
    #[error(
        "the job database on {host} refused the login: {message}; check the user and \
         password in the DSN"
    )]
    DbAuth { host: String, message: String },
    #[error("the job database on {host} answered {code}: {message}")]
    Database {
        host: String,
        code: String,
        message: String,
    },
    #[error("a job id must not be empty; nothing was sent")]
    EmptyId,
}

fn api_suffix(
    code: &Option<String>,
    message: &Option<String>,
    details: &Option<String>,
    hint: &Option<String>,
) -> String {
    let mut s = String::new();
    if let Some(m) = message {
        s.push_str(&format!(": {m}"));
    }
    if let Some(c) = code {
        s.push_str(&format!(" ({c})"));
    }
    if let Some(d) = details {
        s.push_str(&format!("; {d}"));
    }
    if let Some(h) = hint {
        s.push_str(&format!("; hint: {h}"));
    }
    s
}

/// PostgREST's error body. Every field is optional: proxies and old versions drop some.
#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    code: Option<String>,
    message: Option<String>,
    details: Option<String>,
    hint: Option<String>,
}

/// Maps a non-success answer onto a [`JobsError`]. `proxy_status` is the `Proxy-Status`
/// header, which carries the code when the body is empty (`PostgREST; error=57014`).
pub fn from_response(
    status: u16,
    proxy_status: Option<&str>,
    body: &str,
    host: &str,
    table: &str,
) -> JobsError {
    let parsed: ErrorBody = serde_json::from_str(body).unwrap_or_default();
    let code = parsed
        .code
        .clone()
        .or_else(|| proxy_status.and_then(proxy_status_code));
    let host = host.to_string();
    let message = parsed.message.clone().unwrap_or_default();
    match (status, code.as_deref()) {
        (540, _) => JobsError::ProjectPaused { host },
        (_, Some(c @ ("PGRST301" | "PGRST302" | "PGRST303"))) => JobsError::KeyRejected {
            host,
            code: c.to_string(),
            message,
        },
        (_, Some("42501")) => JobsError::Permission { host, message },
        (_, Some("57014")) => JobsError::StatementTimeout { host },
        (_, Some("PGRST003")) => JobsError::PoolTimeout { host },
        (_, Some("PGRST205")) => JobsError::UnknownTable {
            table: table.to_string(),
            host,
            message,
        },
        (401, None) => JobsError::KeyRejected {
            host,
            code: "HTTP 401".into(),
            message: if message.is_empty() {
                "unauthorized".into()
            } else {
                message
            },
        },
        _ => JobsError::Api {
            host,
            status,
            code,
            message: parsed.message,
            details: parsed.details,
            hint: parsed.hint,
        },
    }
}

/// `PostgREST; error=57014` → `57014`.
fn proxy_status_code(header: &str) -> Option<String> {
    header.split(';').find_map(|part| {
        let v = part.trim().strip_prefix("error=")?;
        let v = v.trim().trim_matches('"');
        (!v.is_empty()).then(|| v.to_string())
    })
}

/// Maps a transport failure; reqwest's own text would repeat the URL, so only the host is
/// named and the URL is stripped from the cause.
pub fn from_transport(err: reqwest::Error, host: &str, timeout_s: u64) -> JobsError {
    if err.is_timeout() {
        return JobsError::Timeout {
            host: host.to_string(),
            secs: timeout_s,
        };
    }
    let err = err.without_url();
    let mut detail = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        detail.push_str(&format!(": {s}"));
        source = s.source();
    }
    JobsError::Network {
        host: host.to_string(),
        detail,
    }
}

impl JobsError {
    /// Worth another try for a read: the server or the way to it may recover.
    pub fn is_transient(&self) -> bool {
        match self {
            JobsError::Timeout { .. }
            | JobsError::Network { .. }
            | JobsError::PoolTimeout { .. }
            | JobsError::StatementTimeout { .. } => true,
            JobsError::Api { status, .. } => matches!(status, 502..=504),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_status_code_is_read() {
        assert_eq!(
            proxy_status_code("PostgREST; error=57014").as_deref(),
            Some("57014")
        );
        assert_eq!(proxy_status_code("PostgREST"), None);
        assert_eq!(proxy_status_code(""), None);
    }

    #[test]
    fn garbage_bodies_fall_back_to_the_status() {
        let e = from_response(500, None, "<html>oops", "x.supabase.co", "t");
        assert_eq!(e.to_string(), "x.supabase.co answered HTTP 500");
        let e = from_response(401, None, "", "x.supabase.co", "t");
        assert!(matches!(e, JobsError::KeyRejected { .. }), "{e}");
    }
}
