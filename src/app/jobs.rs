//! Jobs tab state: the last page of every connection (so a failed refresh keeps what was
//! there, marked stale), the query (status filter, sort, page), the selection by job id,
//! marks, the detail pane and the triage banner. `jobs_keys` drives it from keys,
//! `jobs_events` from the runtime's messages.

use super::state::State;
use crate::config::JobsSettings;
use crate::model::{Job, JobsPage, RequeueOutcome};
use std::collections::BTreeMap;
use tui_input::Input;

/// A column the table can be sorted by; the server sorts, so each maps onto the
/// configured column name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Created,
    Status,
    JobType,
    Attempts,
    Started,
    Finished,
}

impl SortKey {
    pub const ALL: [SortKey; 6] = [
        SortKey::Created,
        SortKey::Status,
        SortKey::JobType,
        SortKey::Attempts,
        SortKey::Started,
        SortKey::Finished,
    ];

    pub fn column(self, s: &JobsSettings) -> &str {
        match self {
            SortKey::Created => &s.column_created_at,
            SortKey::Status => &s.column_status,
            SortKey::JobType => &s.column_job_type,
            SortKey::Attempts => &s.column_attempts,
            SortKey::Started => &s.column_started_at,
            SortKey::Finished => &s.column_finished_at,
        }
    }

    pub fn next(self) -> SortKey {
        let i = SortKey::ALL.iter().position(|k| *k == self).unwrap_or(0);
        SortKey::ALL[(i + 1) % SortKey::ALL.len()]
    }
}

/// What the tab knows about one connection's queue.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobsView {
    /// The last page that arrived; kept when a later read fails.
    pub page: Option<JobsPage>,
    /// When `page` arrived (Unix seconds).
    pub fetched_at: Option<i64>,
    /// The last read failed: the message and when. Cleared by the next good page.
    pub error: Option<(String, i64)>,
    /// Neither sparkdeck's environment nor the env file holds the credentials; the text
    /// says where the runtime looked.
    pub no_credentials: Option<String>,
    /// The newest request sent; answers with an older generation are dropped.
    pub generation: u64,
    /// A read is out (generation, sent at); the refresh tick waits for it.
    pub in_flight: Option<(u64, i64)>,
    /// When the last read was sent; the refresh tick counts from it.
    pub last_sent: Option<i64>,
}

impl JobsView {
    /// The data on screen is older than the last attempt to read it.
    pub fn stale(&self) -> bool {
        self.error.is_some() && self.page.is_some()
    }
}

/// The stuck banner, checks and per-job hints from the triage worker.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobsTriage {
    pub banner: Option<String>,
    /// (ok, label, detail)
    pub checks: Vec<(bool, String, String)>,
    /// job id → hint for a known error pattern
    pub hints: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct JobsTab {
    pub settings: JobsSettings,
    pub views: BTreeMap<String, JobsView>,
    pub triage: BTreeMap<String, JobsTriage>,
    /// Index into `settings.status_filters`; `None` shows every status.
    pub status_filter: Option<usize>,
    pub sort: SortKey,
    pub desc: bool,
    pub offset: u64,
    /// The selected job, by id: stable when a refresh reorders rows.
    pub selected: Option<String>,
    /// Marked jobs for a bulk requeue: id → status when last seen.
    pub marks: BTreeMap<String, String>,
    /// `/` narrows the rows of the page on screen (id, type, status, error).
    pub filter: Input,
    /// The detail pane is open and has the keys (scrolling).
    pub detail: bool,
    pub detail_scroll: u16,
    /// Requeue effects sent and not answered yet, per connection.
    pub requeue_pending: BTreeMap<String, Vec<String>>,
}

impl JobsTab {
    pub fn new(settings: JobsSettings) -> JobsTab {
        JobsTab {
            settings,
            views: BTreeMap::new(),
            triage: BTreeMap::new(),
            status_filter: None,
            sort: SortKey::Created,
            desc: true,
            offset: 0,
            selected: None,
            marks: BTreeMap::new(),
            filter: Input::default(),
            detail: false,
            detail_scroll: 0,
            requeue_pending: BTreeMap::new(),
        }
    }

    /// The status the filter keeps, `None` for all.
    pub fn status(&self) -> Option<&str> {
        self.status_filter
            .and_then(|i| self.settings.status_filters.get(i))
            .map(String::as_str)
    }

    pub fn is_requeueable(&self, job: &Job) -> bool {
        self.settings.requeueable.contains(&job.status)
    }

    /// Why `job` cannot be requeued, or `None` when it can.
    pub fn not_requeueable_reason(&self, job: &Job) -> Option<String> {
        if self.is_requeueable(job) {
            return None;
        }
        Some(format!(
            "job {} is '{}': only {} jobs can be requeued (jobs.requeueable)",
            short_id(&job.id),
            job.status,
            self.settings.requeueable.join(" or ")
        ))
    }
}

/// The first 8 characters of an id: enough to tell UUIDs apart on screen.
pub fn short_id(id: &str) -> &str {
    match id.char_indices().nth(8) {
        Some((i, _)) => &id[..i],
        None => id,
    }
}

/// The first line of an error, for the table.
pub fn first_line(s: &str) -> &str {
    s.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
}

/// Unix seconds of an RFC 3339 timestamp from the server; `None` for anything else.
pub fn parse_ts(s: &str) -> Option<i64> {
    use time::format_description::well_known::Rfc3339;
    let t = time::OffsetDateTime::parse(s.trim(), &Rfc3339)
        .or_else(|_| time::OffsetDateTime::parse(&s.trim().replacen(' ', "T", 1), &Rfc3339))
        .ok()?;
    Some(t.unix_timestamp())
}

fn matches_text(job: &Job, q: &str) -> bool {
    if q.is_empty() {
        return true;
    }
    let q = q.to_lowercase();
    [
        Some(job.id.as_str()),
        job.job_type.as_deref(),
        Some(job.status.as_str()),
        job.error.as_deref(),
    ]
    .into_iter()
    .flatten()
    .any(|f| f.to_lowercase().contains(&q))
}

impl State {
    /// The active connection's view, if any data or error arrived for it.
    pub fn jobs_view(&self) -> Option<&JobsView> {
        self.jobs.views.get(self.active.as_ref()?)
    }

    pub fn jobs_triage(&self) -> Option<&JobsTriage> {
        self.jobs.triage.get(self.active.as_ref()?)
    }

    /// Lines the triage banner wants: the banner itself and one per check.
    pub fn jobs_banner_lines(&self) -> u16 {
        match self.jobs_triage() {
            Some(t) if t.banner.is_some() => 1 + t.checks.len().min(8) as u16,
            _ => 0,
        }
    }

    /// Rows of the page on screen that the `/` filter lets through, in server order.
    pub fn jobs_rows(&self) -> Vec<&Job> {
        let q = self.jobs.filter.value();
        self.jobs_view()
            .and_then(|v| v.page.as_ref())
            .map(|p| p.jobs.iter().filter(|j| matches_text(j, q)).collect())
            .unwrap_or_default()
    }

    /// Index of the selected job among `rows`: the one with the selected id, or the first
    /// row when it is gone.
    pub fn jobs_selected_index(&self, rows: &[&Job]) -> Option<usize> {
        if rows.is_empty() {
            return None;
        }
        let by_id = self
            .jobs
            .selected
            .as_ref()
            .and_then(|id| rows.iter().position(|j| &j.id == id));
        Some(by_id.unwrap_or(0))
    }

    pub fn jobs_selected(&self) -> Option<&Job> {
        let rows = self.jobs_rows();
        let i = self.jobs_selected_index(&rows)?;
        rows.get(i).copied()
    }

    /// The host a job action goes to, as the user knows it (the local hostname for this
    /// machine, `user@host:port` for a remote one).
    pub fn active_host_label(&self) -> Option<String> {
        let name = self.active.clone()?;
        Some(
            self.active_entry()
                .map(|e| {
                    if e.name == super::entries::LOCAL_NAME {
                        self.local_hostname.clone()
                    } else {
                        e.address()
                    }
                })
                .unwrap_or(name),
        )
    }
}

/// A requeue result row for the result overlay: (job id, outcome).
pub type RequeueRow = (String, RequeueOutcome);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_id_is_eight_chars_even_for_multibyte_ids() {
        assert_eq!(short_id("0b6f4c1e-9a2d-4f5e-8c3b-1d2e3f4a5b6c"), "0b6f4c1e");
        assert_eq!(short_id("42"), "42");
        assert_eq!(short_id("ääääääääää"), "ää".repeat(4));
    }

    #[test]
    fn first_line_skips_blank_lines() {
        assert_eq!(
            first_line("\n  Circular reference detected\n    at JSON.stringify"),
            "Circular reference detected"
        );
        assert_eq!(first_line(""), "");
    }

    #[test]
    fn timestamps_parse_as_postgrest_writes_them_and_garbage_is_none() {
        let t = parse_ts("2026-01-19T07:48:20.123456+00:00");
        assert_eq!(t, Some(1_768_808_900));
        assert_eq!(
            parse_ts("2026-01-19 07:48:20+00:00"),
            t.map(|_| 1_768_808_900)
        );
        for bad in ["", "yesterday", "2026-13-45T99:99:99Z", "\u{0}"] {
            assert_eq!(parse_ts(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn requeueable_follows_the_config() {
        let tab = JobsTab::new(JobsSettings::default());
        let job = |status: &str| Job {
            id: "3f9c2a71-8d4e".into(),
            status: status.into(),
            ..Job::default()
        };
        assert!(tab.is_requeueable(&job("failed")));
        assert!(tab.not_requeueable_reason(&job("error")).is_none());
        let why = tab.not_requeueable_reason(&job("queued")).unwrap();
        assert!(
            why.contains("'queued'") && why.contains("failed or error"),
            "{why}"
        );
    }
}
