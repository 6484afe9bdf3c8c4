//! The worker's job queue: credentials, the PostgREST client with its compare-and-set
//! requeue, the audited requeue used by the CLI and the tab, and the snapshot section.

pub mod backend;
pub mod creds;
pub mod errors;
pub mod postgres;
pub mod postgrest;
pub mod requeue;

pub use backend::JobsBackend;
pub use creds::{Credentials, KeyKind, Secret};
pub use errors::JobsError;
pub use postgrest::{JobId, JobQuery, JobsClient, Sort};

use time::{OffsetDateTime, PrimitiveDateTime};

use crate::config::JobsSettings;
use crate::host::Host;

/// Credentials for `host` (environment, else its env file) and a client built from them:
/// the one way the snapshot and the Jobs tab start talking to the queue.
pub async fn client_for(
    host: &dyn Host,
    settings: &JobsSettings,
) -> Result<(JobsClient, Credentials), JobsError> {
    let creds = creds::load(host, settings).await?;
    let client = JobsClient::new(&creds, settings)?;
    Ok((client, creds))
}

/// A PostgREST timestamp: RFC 3339 (`timestamptz`), or without offset (`timestamp`), read as
/// UTC. `None` for anything else.
pub fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    use time::format_description::well_known::Rfc3339;
    let t = text.trim();
    if let Ok(at) = OffsetDateTime::parse(t, &Rfc3339) {
        return Some(at);
    }
    // PostgREST writes `+00:00` as `+00`; RFC 3339 wants the minutes.
    if let Some((head, tz)) = t.rsplit_once(['+', '-'])
        && tz.len() == 2
        && tz.bytes().all(|b| b.is_ascii_digit())
        && head.contains('T')
    {
        let sign = &t[head.len()..=head.len()];
        if let Ok(at) = OffsetDateTime::parse(&format!("{head}{sign}{tz}:00"), &Rfc3339) {
            return Some(at);
        }
    }
    let fmt = time::macros::format_description!(
        version = 2,
        "[year]-[month]-[day][first [T] [ ]][hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    PrimitiveDateTime::parse(t, &fmt)
        .ok()
        .map(|p| p.assume_utc())
}

/// The stuck rule: some job has waited in the queue at least `queued_min` minutes while no
/// job started within `idle_min` minutes (or none ever did).
pub fn is_stuck(
    oldest_queued: Option<OffsetDateTime>,
    newest_started: Option<OffsetDateTime>,
    now: OffsetDateTime,
    queued_min: u64,
    idle_min: u64,
) -> bool {
    let minutes = |m: u64| time::Duration::minutes(i64::try_from(m).unwrap_or(i64::MAX / 60));
    let Some(queued) = oldest_queued else {
        return false;
    };
    if now - queued < minutes(queued_min) {
        return false;
    }
    newest_started.is_none_or(|started| now - started >= minutes(idle_min))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn timestamps_in_postgrest_forms() {
        let want = datetime!(2026-11-22 09:00:05 UTC);
        for t in [
            "2026-11-22T09:00:05+00:00",
            "2026-11-22T09:00:05Z",
            "2026-11-22T10:00:05+01",
            "2026-11-22T09:00:05",
            "2026-11-22 09:00:05",
        ] {
            assert_eq!(parse_timestamp(t), Some(want), "{t}");
        }
        assert!(parse_timestamp("2026-11-22T09:00:05.123456+00:00").is_some());
        assert_eq!(parse_timestamp("yesterday"), None);
        assert_eq!(parse_timestamp(""), None);
    }

    #[test]
    fn stuck_needs_an_old_queued_job_and_no_recent_start() {
        let now = datetime!(2026-11-22 10:00 UTC);
        let ago = |m: i64| Some(now - time::Duration::minutes(m));
        assert!(is_stuck(ago(20), ago(30), now, 15, 15));
        assert!(is_stuck(ago(20), None, now, 15, 15));
        assert!(
            !is_stuck(ago(10), None, now, 15, 15),
            "not queued long enough"
        );
        assert!(
            !is_stuck(ago(20), ago(5), now, 15, 15),
            "a job started recently"
        );
        assert!(!is_stuck(None, None, now, 15, 15), "nothing queued");
    }
}
