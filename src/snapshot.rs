//! `sparkdeck snapshot`: a one-shot, script-friendly picture of a host (DESIGN §7).
//!
//! The JSON keys are an interface (docs/snapshot.md): renaming or removing one bumps
//! `SCHEMA`. Sections this build does not collect yet are absent from the struct, so they are
//! absent from the output rather than filled with made-up values.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::host::Host;
use crate::model::HostInfo;
use crate::sources::{SourceError, host_info};

/// The version of the snapshot document; see docs/snapshot.md.
pub const SCHEMA: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub schema: u32,
    /// RFC 3339, UTC.
    pub taken_at: String,
    pub host: HostInfo,
}

#[derive(Debug, Error)]
pub enum SnapshotError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("cannot format the snapshot time {at} as RFC 3339: {source}")]
    Time {
        at: OffsetDateTime,
        #[source]
        source: time::error::Format,
    },
}

/// Gathers every section this build knows from `host`, stamped with the current time.
pub async fn take(host: &dyn Host) -> Result<Snapshot, SnapshotError> {
    take_at(host, OffsetDateTime::now_utc()).await
}

/// Like `take`, with the time stamp given (tests, or callers that stamp several hosts alike).
pub async fn take_at(host: &dyn Host, now: OffsetDateTime) -> Result<Snapshot, SnapshotError> {
    let host = host_info::collect(host).await?;
    Ok(Snapshot {
        schema: SCHEMA,
        taken_at: rfc3339(now)?,
        host,
    })
}

fn rfc3339(at: OffsetDateTime) -> Result<String, SnapshotError> {
    at.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .map_err(|source| SnapshotError::Time { at, source })
}

/// Pretty-printed JSON, ending with a newline.
pub fn to_json(snapshot: &Snapshot) -> String {
    // Serialising plain structs of strings and integers into a String cannot fail.
    let mut json =
        serde_json::to_string_pretty(snapshot).expect("a Snapshot always serialises to JSON");
    json.push('\n');
    json
}

/// A short human summary, one line per section.
pub fn to_text(snapshot: &Snapshot) -> String {
    let h = &snapshot.host;
    let unknown = "unknown";
    let mut line = format!("host  {} ({})", h.name, h.source);
    if let Some(hostname) = h.hostname.as_deref().filter(|n| *n != h.name) {
        line.push_str(&format!("  hostname {hostname}"));
    }
    line.push_str(&format!("  user {}", h.user.as_deref().unwrap_or(unknown)));
    let groups = if h.groups.is_empty() {
        unknown.to_string()
    } else {
        h.groups.join(",")
    };
    line.push_str(&format!("  groups {groups}"));
    line.push_str(&format!(
        "  kernel {}",
        h.kernel.as_deref().unwrap_or(unknown)
    ));
    line.push_str(&format!("  arch {}", h.arch.as_deref().unwrap_or(unknown)));
    match h.uptime_s {
        Some(s) => line.push_str(&format!("  up {}", human_uptime(s))),
        None => line.push_str(&format!("  up {unknown}")),
    }
    format!("taken {}\n{line}\n", snapshot.taken_at)
}

/// The two largest units of a duration: "3d 4h", "4h 12m", "12m 5s", "45s".
pub fn human_uptime(secs: u64) -> String {
    let (d, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3_600,
        secs % 3_600 / 60,
        secs % 60,
    );
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m {s}s")
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Snapshot {
        Snapshot {
            schema: SCHEMA,
            taken_at: "2026-11-22T08:30:00Z".into(),
            host: HostInfo {
                name: "spark-01".into(),
                hostname: Some("spark-01".into()),
                source: "ssh".into(),
                user: Some("alice".into()),
                groups: vec!["alice".into(), "docker".into()],
                kernel: Some("6.11.0-1016-nvidia".into()),
                arch: Some("aarch64".into()),
                uptime_s: Some(3 * 86_400 + 4 * 3_600 + 59),
            },
        }
    }

    #[test]
    fn text_summary() {
        assert_eq!(
            to_text(&sample()),
            "taken 2026-11-22T08:30:00Z\nhost  spark-01 (ssh)  user alice  groups alice,docker  \
             kernel 6.11.0-1016-nvidia  arch aarch64  up 3d 4h\n"
        );
    }

    #[test]
    fn text_names_unknowns_and_a_differing_hostname() {
        let mut s = sample();
        s.host.hostname = Some("dgx-a".into());
        s.host.user = None;
        s.host.groups.clear();
        s.host.uptime_s = None;
        let text = to_text(&s);
        assert!(text.contains("spark-01 (ssh)  hostname dgx-a  user unknown  groups unknown"));
        assert!(text.ends_with("up unknown\n"));
    }

    #[test]
    fn json_keys_match_schema_1() {
        let mut s = sample();
        s.host.kernel = None;
        let v: serde_json::Value = serde_json::from_str(&to_json(&s)).unwrap();
        let mut top: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        top.sort_unstable();
        assert_eq!(top, ["host", "schema", "taken_at"]);
        let mut host: Vec<&str> = v["host"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        host.sort_unstable();
        assert_eq!(
            host,
            [
                "arch", "groups", "hostname", "kernel", "name", "source", "uptime_s", "user"
            ]
        );
        assert_eq!(v["schema"], 1);
        assert!(v["host"]["kernel"].is_null());
        assert_eq!(v["host"]["uptime_s"], 273_659);
    }

    #[test]
    fn uptime_units() {
        assert_eq!(human_uptime(0), "0s");
        assert_eq!(human_uptime(59), "59s");
        assert_eq!(human_uptime(60 * 12 + 5), "12m 5s");
        assert_eq!(human_uptime(3_600 * 4 + 60 * 12), "4h 12m");
        assert_eq!(human_uptime(86_400 * 400), "400d 0h");
    }

    #[test]
    fn taken_at_is_utc_rfc3339() {
        let at = time::macros::datetime!(2026-11-22 09:30:00 +01:00);
        assert_eq!(rfc3339(at).unwrap(), "2026-11-22T08:30:00Z");
    }
}
