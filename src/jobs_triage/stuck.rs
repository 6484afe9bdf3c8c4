//! Stuck detection: jobs wait in the queue while the worker starts nothing.

use crate::model::Job;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The queue looks stuck: the oldest waiting job and how long nothing has started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stuck {
    pub oldest_queued_id: String,
    pub queued_for_s: i64,
    /// Seconds since the newest `started_at` in the list; `None` when no listed job has
    /// started at all.
    pub last_start_age_s: Option<i64>,
    /// Jobs in the list waiting longer than the limit, the oldest included.
    pub waiting_count: usize,
}

impl Stuck {
    /// One line for the banner, e.g. "3 jobs queued > 10 min (oldest 7f3a9c2e, 42m); no job
    /// started for 2h 5m".
    pub fn summary(&self, stuck_queued_min: u64) -> String {
        let id: String = self.oldest_queued_id.chars().take(8).collect();
        let jobs = if self.waiting_count == 1 {
            "job"
        } else {
            "jobs"
        };
        let idle = match self.last_start_age_s {
            Some(s) => format!("no job started for {}", minutes(s)),
            None => "no job in the list has started".to_string(),
        };
        format!(
            "{} {jobs} queued > {stuck_queued_min} min (oldest {id}, {}); {idle}",
            self.waiting_count,
            minutes(self.queued_for_s)
        )
    }
}

fn minutes(s: i64) -> String {
    let m = s.max(0) / 60;
    if m < 60 {
        format!("{m}m")
    } else {
        format!("{}h {}m", m / 60, m % 60)
    }
}

/// Statuses that mean "waiting for the worker"; the seed's operators see both.
fn is_waiting(status: &str) -> bool {
    status.eq_ignore_ascii_case("queued") || status.eq_ignore_ascii_case("pending")
}

/// Unix seconds of an RFC 3339 timestamp. PostgREST prints `timestamptz` with a space or
/// a `T` and sometimes without seconds' fraction; anything else is unknown.
pub fn parse_ts(text: &str) -> Option<i64> {
    let t = text.trim();
    let normalised;
    let t = if t.len() > 10 && t.as_bytes()[10] == b' ' {
        normalised = format!("{}T{}", &t[..10], &t[11..]);
        normalised.as_str()
    } else {
        t
    };
    // Postgres writes `+00` for the offset; RFC 3339 wants `+00:00`.
    let with_minutes;
    let t = match t.rfind(['+', '-']) {
        Some(i) if i > 10 && t.len() - i == 3 => {
            with_minutes = format!("{t}:00");
            with_minutes.as_str()
        }
        _ => t,
    };
    OffsetDateTime::parse(t, &Rfc3339)
        .ok()
        .map(|d| d.unix_timestamp())
}

/// Stuck when some job has waited longer than `stuck_queued_min` while no job started in
/// the last `stuck_idle_min`. Jobs whose timestamps cannot be read never count as waiting
/// long, so garbage data cannot raise the banner.
pub fn assess(jobs: &[Job], now: i64, stuck_queued_min: u64, stuck_idle_min: u64) -> Option<Stuck> {
    let queued_limit = i64::try_from(stuck_queued_min.saturating_mul(60)).unwrap_or(i64::MAX);
    let idle_limit = i64::try_from(stuck_idle_min.saturating_mul(60)).unwrap_or(i64::MAX);
    let waiting: Vec<(&Job, i64)> = jobs
        .iter()
        .filter(|j| is_waiting(&j.status))
        .filter_map(|j| {
            let created = parse_ts(j.created_at.as_deref()?)?;
            Some((j, now.saturating_sub(created)))
        })
        .filter(|(_, waited)| *waited > queued_limit)
        .collect();
    let oldest = waiting.iter().max_by_key(|(_, waited)| *waited)?;
    let last_start = jobs
        .iter()
        .filter_map(|j| parse_ts(j.started_at.as_deref()?))
        .max();
    let last_start_age_s = last_start.map(|t| now.saturating_sub(t));
    if last_start_age_s.is_some_and(|age| age <= idle_limit) {
        return None;
    }
    Some(Stuck {
        oldest_queued_id: oldest.0.id.clone(),
        queued_for_s: oldest.1,
        last_start_age_s,
        waiting_count: waiting.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-01-20T12:00:00Z
    const NOW: i64 = 1_768_910_400;

    fn job(id: &str, status: &str, created: Option<&str>, started: Option<&str>) -> Job {
        Job {
            id: id.into(),
            status: status.into(),
            created_at: created.map(String::from),
            started_at: started.map(String::from),
            ..Job::default()
        }
    }

    #[test]
    fn parses_postgrest_timestamp_shapes() {
        assert_eq!(parse_ts("2026-01-20T12:00:00Z"), Some(NOW));
        assert_eq!(parse_ts("2026-01-20T12:00:00+00:00"), Some(NOW));
        assert_eq!(parse_ts("2026-01-20 12:00:00.123456+00"), Some(NOW));
        assert_eq!(parse_ts("2026-01-20T13:00:00+01:00"), Some(NOW));
        assert_eq!(parse_ts("yesterday"), None);
        assert_eq!(parse_ts(""), None);
        assert_eq!(parse_ts("2026-01-20 "), None);
    }

    #[test]
    fn old_queued_job_with_no_recent_start_is_stuck() {
        let jobs = [
            job("a1", "queued", Some("2026-01-20T11:30:00Z"), None),
            job("b2", "queued", Some("2026-01-20T11:00:00Z"), None),
            job(
                "c3",
                "done",
                Some("2026-01-20T09:00:00Z"),
                Some("2026-01-20T09:01:00Z"),
            ),
        ];
        let s = assess(&jobs, NOW, 10, 30).expect("stuck");
        assert_eq!(s.oldest_queued_id, "b2");
        assert_eq!(s.queued_for_s, 3600);
        assert_eq!(s.last_start_age_s, Some(3 * 3600 - 60));
        assert_eq!(s.waiting_count, 2);
        assert_eq!(
            s.summary(10),
            "2 jobs queued > 10 min (oldest b2, 1h 0m); no job started for 2h 59m"
        );
    }

    #[test]
    fn recent_start_means_the_worker_is_moving() {
        let jobs = [
            job("a1", "queued", Some("2026-01-20T11:00:00Z"), None),
            job(
                "r",
                "running",
                Some("2026-01-20T11:50:00Z"),
                Some("2026-01-20T11:55:00Z"),
            ),
        ];
        assert_eq!(assess(&jobs, NOW, 10, 30), None);
        // The same start is too old for a 3-minute idle window.
        assert!(assess(&jobs, NOW, 10, 3).is_some());
    }

    #[test]
    fn young_queue_is_not_stuck() {
        let jobs = [job("a1", "pending", Some("2026-01-20T11:55:00Z"), None)];
        assert_eq!(assess(&jobs, NOW, 10, 30), None);
        let s = assess(&jobs, NOW, 4, 30).expect("stuck after 4 min");
        assert_eq!(s.last_start_age_s, None);
        assert_eq!(
            s.summary(4),
            "1 job queued > 4 min (oldest a1, 5m); no job in the list has started"
        );
    }

    #[test]
    fn unknown_timestamps_never_make_a_job_stuck() {
        let jobs = [
            job("x", "queued", Some("not a time"), None),
            job("y", "queued", None, None),
            job("z", "failed", Some("2026-01-19T00:00:00Z"), None),
        ];
        assert_eq!(assess(&jobs, NOW, 1, 1), None);
        assert_eq!(assess(&[], NOW, 0, 0), None);
    }

    #[test]
    fn huge_limits_do_not_overflow() {
        let jobs = [job("a", "queued", Some("1970-01-01T00:00:00Z"), None)];
        assert_eq!(assess(&jobs, NOW, u64::MAX, u64::MAX), None);
        assert!(assess(&jobs, NOW, 0, u64::MAX).is_some());
    }
}
