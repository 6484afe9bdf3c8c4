//! What is wrong right now, across every tab: the problems bar and the problems list read
//! this. The services, models and GPU findings come from the same functions that
//! `sparkdeck snapshot --json` and `sparkdeck doctor` judge (`crate::snapshot`), so a fault
//! reads the same on screen and in a script; connection states, GPU alerts and the jobs
//! triage are what only the live dashboard knows.
//!
//! Pure and cheap: it borrows the reports (they can hold thousands of rows) and is computed
//! again on every redraw, so the bar and the list never show a fault that has gone.

use super::action::Action;
use super::gpu::{GpuMetric, GpuView};
use super::state::{State, Tab};
use crate::gpu::GpuSnapshot;
use crate::model::{ConnState, GpuSourceState};
use crate::snapshot::{self, Problem};

/// Ordered so that `max` is the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warn,
    Crit,
}

impl Severity {
    /// The words `snapshot` and `doctor` use; anything unknown is only worth a mention.
    pub fn from_word(s: &str) -> Severity {
        match s {
            "crit" => Severity::Crit,
            "warn" => Severity::Warn,
            _ => Severity::Info,
        }
    }

    /// For the list: the word carries the level when colour does not.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Crit => "CRIT",
            Severity::Warn => "WARN",
            Severity::Info => "INFO",
        }
    }
}

/// Where Enter in the list goes: the tab, and the row by its stable id when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The Connections tab, that connection's row.
    Connection(String),
    /// The GPU tab; the GPU by its index.
    Gpu(Option<u32>),
    /// The Jobs tab; the job by id.
    Jobs(Option<String>),
    /// The Services tab; `ServiceRow::id`.
    Services(Option<String>),
    /// The Models tab; `ModelEntry::id`.
    Models(Option<String>),
}

impl Target {
    pub fn tab(&self) -> Tab {
        match self {
            Target::Connection(_) => Tab::Connections,
            Target::Gpu(_) => Tab::Gpu,
            Target::Jobs(_) => Tab::Jobs,
            Target::Services(_) => Tab::Services,
            Target::Models(_) => Tab::Models,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    /// `connection`, `gpu`, `jobs`, `services`, `models`.
    pub area: String,
    /// The connection it was seen on.
    pub host: String,
    pub message: String,
    pub fix: Option<String>,
    pub target: Target,
}

/// Known-failure hints listed one by one; the rest are counted in one more line, so a queue
/// full of the same failure does not push everything else out of the list.
pub const JOB_HINTS_LISTED: usize = 5;

/// Every finding, crit first, then warn, then info; within a level in source order
/// (connections, GPU, jobs, services, models) as each source lists them.
pub fn findings(state: &State) -> Vec<Finding> {
    let mut out = connection_findings(state);
    if let Some(name) = state.active.as_deref() {
        gpu_findings(state, name, &mut out);
        jobs_findings(state, name, &mut out);
        if let Some(r) = state.services_report() {
            out.extend(
                snapshot::problems(r)
                    .into_iter()
                    .map(|p| from_problem(p, name, Target::Services)),
            );
        }
        if let Some(r) = state.models_report() {
            out.extend(
                snapshot::models_problems(r, &state.models.settings)
                    .into_iter()
                    .map(|p| from_problem(p, name, Target::Models)),
            );
        }
    }
    // A stable sort keeps each source's own order within a level.
    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out
}

fn from_problem(p: Problem, host: &str, target: impl Fn(Option<String>) -> Target) -> Finding {
    Finding {
        severity: Severity::from_word(&p.severity),
        area: p.area,
        host: host.to_string(),
        message: p.message,
        fix: p.fix,
        target: target(p.row),
    }
}

fn connection_findings(state: &State) -> Vec<Finding> {
    state
        .conn_states
        .iter()
        .filter_map(|(name, cs)| {
            let (severity, message, fix) = match cs {
                ConnState::Error { reason } => (
                    Severity::Crit,
                    format!("connection failed: {reason}"),
                    "check the host and credentials (Connections tab: e to edit, c to retry)",
                ),
                ConnState::Reconnecting {
                    attempt, reason, ..
                } => (
                    Severity::Warn,
                    format!("connection lost, reconnecting (attempt {attempt}): {reason}"),
                    "wait for the retry, or check the network and the host's sshd",
                ),
                _ => return None,
            };
            Some(Finding {
                severity,
                area: "connection".into(),
                host: name.clone(),
                message,
                fix: Some(fix.into()),
                target: Target::Connection(name.clone()),
            })
        })
        .collect()
}

/// The read's error as `gpus_once` words it, so `gpu_problems` grades it the same way.
fn gpu_error(view: &GpuView) -> Option<String> {
    match view.source.as_ref()? {
        GpuSourceState::NoGpu {
            nvml_error,
            smi_error,
        } => Some(match nvml_error {
            Some(n) => format!("no NVIDIA GPU found: {n}; {smi_error}"),
            None => format!("no NVIDIA GPU found: {smi_error}"),
        }),
        GpuSourceState::Restarting { reason, .. } => Some(reason.clone()),
        _ => None,
    }
}

fn gpu_findings(state: &State, name: &str, out: &mut Vec<Finding>) {
    let Some(view) = state.gpu.views.get(name) else {
        return;
    };
    // Samples, processes and host memory are a few hundred bytes per GPU: copying them is
    // what lets the snapshot's own grading run unchanged.
    let read = GpuSnapshot {
        samples: view.samples.clone(),
        driver_version: view.statics.iter().find_map(|s| s.driver_version.clone()),
        processes: view.processes.clone(),
        host_memory: view.host_memory,
        error: None,
    };
    let entries = snapshot::gpu_entries(&read);
    let error = gpu_error(view);
    let graded = snapshot::gpu_problems(&entries, error.as_deref(), &state.gpu.settings);
    let graded_rows: Vec<Option<String>> = graded.iter().map(|p| p.row.clone()).collect();
    out.extend(graded.into_iter().map(|p| {
        from_problem(p, name, |row| {
            Target::Gpu(row.and_then(|r| r.parse::<u32>().ok()))
        })
    }));
    // Alerts raised by the tab's own trackers and not cleared yet. Utilization is left out:
    // a busy GPU is doing its job.
    for s in &view.samples {
        let Some(track) = view.tracks.get(&s.index) else {
            continue;
        };
        for (i, metric) in GpuMetric::ALERTING.iter().enumerate() {
            if *metric == GpuMetric::Utilization || !track.alerts[i].raised() {
                continue;
            }
            // The memory threshold is already graded above for this GPU.
            if *metric == GpuMetric::Memory && graded_rows.contains(&Some(s.index.to_string())) {
                continue;
            }
            let row = state.gpu.alerts.iter().find(|a| {
                a.name == name
                    && a.gpu_index == s.index
                    && a.metric == *metric
                    && a.cleared_at.is_none()
            });
            let message = match row {
                Some(a) => format!("GPU {}: {}", s.index, a.message),
                None => format!(
                    "GPU {}: {} over its red threshold",
                    s.index,
                    metric.as_str()
                ),
            };
            let fix = match metric {
                GpuMetric::Temperature => {
                    "check cooling and airflow; lower the load (GPU tab, K on the process)"
                }
                _ => {
                    "stop or shrink a model (GPU tab, K on the process) before the OOM killer does"
                }
            };
            out.push(Finding {
                severity: Severity::Warn,
                area: "gpu".into(),
                host: name.to_string(),
                message,
                fix: Some(fix.into()),
                target: Target::Gpu(Some(s.index)),
            });
        }
    }
}

fn jobs_findings(state: &State, name: &str, out: &mut Vec<Finding>) {
    let f = |severity, message: String, fix: Option<&str>, job: Option<String>| Finding {
        severity,
        area: "jobs".into(),
        host: name.to_string(),
        message,
        fix: fix.map(str::to_string),
        target: Target::Jobs(job),
    };
    if let Some(t) = state.jobs.triage.get(name) {
        if let Some(b) = &t.banner {
            out.push(f(
                Severity::Crit,
                b.clone(),
                Some("check the worker (its container or unit, Services tab) and its logs"),
                None,
            ));
        }
        for (_, label, detail) in t.checks.iter().filter(|(ok, _, _)| !ok) {
            let message = if detail.is_empty() {
                label.clone()
            } else {
                format!("{label}: {detail}")
            };
            out.push(f(Severity::Warn, message, None, None));
        }
    }
    if let Some((e, _)) = state.jobs.views.get(name).and_then(|v| v.error.as_ref()) {
        out.push(f(
            Severity::Warn,
            format!("cannot read the job queue: {e}"),
            Some("check SUPABASE_URL and the key in the worker's .env, and that the server is up"),
            None,
        ));
    }
    if let Some(t) = state.jobs.triage.get(name) {
        for (id, hint) in t.hints.iter().take(JOB_HINTS_LISTED) {
            out.push(f(
                Severity::Info,
                format!("job {}: {hint}", super::jobs::short_id(id)),
                Some("fix the cause, then requeue it (Jobs tab, r)"),
                Some(id.clone()),
            ));
        }
        let more = t.hints.len().saturating_sub(JOB_HINTS_LISTED);
        if more > 0 {
            out.push(f(
                Severity::Info,
                format!("{more} more failed jobs with a known-failure hint"),
                Some("Jobs tab: the hint is in each job's detail (enter)"),
                None,
            ));
        }
    }
}

/// Findings per level, for the bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub crit: usize,
    pub warn: usize,
    pub info: usize,
}

impl Counts {
    pub fn of(fs: &[Finding]) -> Counts {
        let mut c = Counts::default();
        for f in fs {
            match f.severity {
                Severity::Crit => c.crit += 1,
                Severity::Warn => c.warn += 1,
                Severity::Info => c.info += 1,
            }
        }
        c
    }
}

/// What the problems bar says, before it is fitted to its width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bar {
    /// No connection is active and none is failing.
    Empty,
    /// A connection is active and nothing has arrived from it yet.
    NoData,
    /// Nothing warn or crit; `info` findings only.
    Clean { info: usize },
    /// At least one warn or crit: the counts and the worst finding's message.
    Problems { counts: Counts, worst: String },
}

impl Bar {
    pub fn of(state: &State, fs: &[Finding]) -> Bar {
        let counts = Counts::of(fs);
        if counts.crit + counts.warn > 0 {
            // A finding about another connection names it: the bar has no host column.
            let worst = fs
                .first()
                .map(|f| match state.active.as_deref() {
                    Some(a) if a == f.host => f.message.clone(),
                    _ => format!("{}: {}", f.host, f.message),
                })
                .unwrap_or_default();
            return Bar::Problems { counts, worst };
        }
        let Some(name) = state.active.as_deref() else {
            return Bar::Empty;
        };
        if has_data(state, name) {
            Bar::Clean { info: counts.info }
        } else {
            Bar::NoData
        }
    }

    /// The severity counts as the bar shows them: a symbol and a word per level, so the
    /// level reads without colour. `long` adds the words.
    pub fn counts_text(counts: Counts, long: bool) -> Vec<(Severity, String)> {
        [
            (Severity::Crit, "✖", "crit", counts.crit),
            (Severity::Warn, "⚠", "warn", counts.warn),
            (Severity::Info, "ℹ", "info", counts.info),
        ]
        .into_iter()
        .filter(|(_, _, _, n)| *n > 0)
        .map(|(sev, sym, word, n)| {
            let text = if long {
                format!("{sym} {n} {word}")
            } else {
                format!("{sym}{n}")
            };
            (sev, text)
        })
        .collect()
    }

    /// The fewest columns the bar needs to say something useful: the tab bar gives up its
    /// long titles for this much, and no more.
    pub fn min_width(&self, key: &str) -> u16 {
        let cols = |s: &str| s.chars().count();
        let w = match self {
            Bar::Empty => 0,
            Bar::NoData => cols(NO_DATA),
            Bar::Clean { info: 0 } => cols(CLEAN),
            Bar::Clean { info } => cols(CLEAN) + cols(&format!(" · {info} info")),
            Bar::Problems { counts, .. } => {
                let parts = Bar::counts_text(*counts, true);
                let counts_w: usize =
                    parts.iter().map(|(_, t)| cols(t)).sum::<usize>() + parts.len() - 1;
                // Room for the start of the worst message and the key that opens the list.
                counts_w + 2 + BAR_MESSAGE_MIN + 2 + cols(key)
            }
        };
        w as u16
    }
}

pub const NO_DATA: &str = "no data yet";
pub const CLEAN: &str = "✓ no problems";
/// Fewer columns of the worst message than this say nothing; the bar drops it instead.
pub const BAR_MESSAGE_MIN: usize = 12;

/// Anything at all arrived from `name`: a GPU read (or its failure), a jobs page or error,
/// a services or models report.
fn has_data(state: &State, name: &str) -> bool {
    state
        .gpu
        .views
        .get(name)
        .is_some_and(|v| v.source.is_some() || !v.samples.is_empty())
        || state
            .jobs
            .views
            .get(name)
            .is_some_and(|v| v.page.is_some() || v.error.is_some() || v.no_credentials.is_some())
        || state
            .services
            .views
            .get(name)
            .is_some_and(|v| v.report.is_some())
        || state
            .models
            .views
            .get(name)
            .is_some_and(|v| v.report.is_some())
}

/// The key that opens the list, as the user would type it (`-` when unbound).
pub fn list_key(state: &State) -> String {
    state
        .keymap
        .keys_for(Action::Problems)
        .first()
        .map(|k| k.to_string())
        .unwrap_or_else(|| "-".into())
}

/// The tab line split between the tab labels and the bar, as drawn and as clicked, with
/// what the bar says.
pub fn tab_line(state: &State, area: ratatui::layout::Rect) -> (super::layout::TabLine, Bar) {
    let fs = findings(state);
    let bar = Bar::of(state, &fs);
    let line = super::layout::tab_line(area, bar.min_width(&list_key(state)));
    (line, bar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_orders_crit_over_warn_over_info_and_unknown_words_are_info() {
        assert!(Severity::Crit > Severity::Warn && Severity::Warn > Severity::Info);
        assert_eq!(Severity::from_word("crit"), Severity::Crit);
        assert_eq!(Severity::from_word("warn"), Severity::Warn);
        for w in ["info", "", "CRIT", "error"] {
            assert_eq!(Severity::from_word(w), Severity::Info, "{w}");
        }
        assert_eq!(Severity::Crit.label(), "CRIT");
    }

    #[test]
    fn counts_carry_a_word_or_at_least_a_symbol_and_skip_empty_levels() {
        let c = Counts {
            crit: 2,
            warn: 0,
            info: 3,
        };
        let long: Vec<String> = Bar::counts_text(c, true).into_iter().map(|x| x.1).collect();
        assert_eq!(long, vec!["✖ 2 crit", "ℹ 3 info"]);
        let short: Vec<String> = Bar::counts_text(c, false)
            .into_iter()
            .map(|x| x.1)
            .collect();
        assert_eq!(short, vec!["✖2", "ℹ3"]);
    }

    #[test]
    fn min_width_leaves_room_for_the_counts_a_message_and_the_key() {
        assert_eq!(Bar::Empty.min_width("!"), 0);
        assert_eq!(Bar::NoData.min_width("!"), 11);
        assert_eq!(Bar::Clean { info: 0 }.min_width("!"), 13);
        assert_eq!(Bar::Clean { info: 4 }.min_width("!"), 13 + 9);
        let p = Bar::Problems {
            counts: Counts {
                crit: 1,
                warn: 12,
                info: 0,
            },
            worst: "x".into(),
        };
        // "✖ 1 crit ⚠ 12 warn" + gap + message + gap + "ctrl-p"
        assert_eq!(
            p.min_width("ctrl-p") as usize,
            18 + 2 + BAR_MESSAGE_MIN + 2 + 6
        );
    }
}
