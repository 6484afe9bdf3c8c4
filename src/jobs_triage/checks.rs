//! Checks the stuck banner runs (seed 003): is the worker alive, is its log being written,
//! and do the worker and the dashboard talk to the same Supabase.

use crate::host::Host;
pub use crate::jobs_triage::supabase::{KeyClaims, key_claims, ref_mismatch, supabase_mismatch};
use crate::sources::logtail;

/// A log not written for this long counts as a worker that does nothing.
pub const LOG_STALE_AFTER_S: i64 = 10 * 60;

/// One line of the triage banner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub ok: bool,
    pub label: String,
    pub detail: String,
}

impl Check {
    fn new(ok: bool, label: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            ok,
            label: label.into(),
            detail: detail.into(),
        }
    }
}

/// Whether the worker runs: `systemctl is-active -- UNIT` when a unit is configured (and,
/// when the system manager does not have it active, the user's manager, since workers in a
/// home directory often run as user units), otherwise `pgrep -a -f -- PROCESS`, ignoring
/// sparkdeck's own `tail -F` of the worker log, whose command line names the worker's dir.
pub async fn worker_alive(host: &dyn Host, unit: &str, process: &str) -> Check {
    let on = host.name();
    let unit = unit.trim();
    let process = process.trim();
    if !unit.is_empty() {
        let label = format!("worker unit {unit}");
        return match host.exec(&["systemctl", "is-active", "--", unit]).await {
            Ok(out) => {
                let state = out.stdout_str().trim().to_string();
                if out.success() {
                    Check::new(true, label, format!("{state} on {on}"))
                } else if user_unit_active(host, unit).await {
                    Check::new(true, label, format!("active (user unit) on {on}"))
                } else if state.is_empty() {
                    Check::new(
                        false,
                        label,
                        format!(
                            "systemctl on {on} failed: {}",
                            first_line(&out.stderr_str(), "no output")
                        ),
                    )
                } else {
                    Check::new(
                        false,
                        label,
                        format!(
                            "{state} on {on}; see `journalctl -u {unit}` and start it with `systemctl start {unit}`"
                        ),
                    )
                }
            }
            Err(e) => Check::new(false, label, format!("cannot ask systemctl on {on}: {e}")),
        };
    }
    if process.is_empty() {
        return Check::new(
            false,
            "worker process",
            "neither [jobs] worker_unit nor worker_process is set; set one to check the worker",
        );
    }
    let label = format!("worker process {process:?}");
    match host.exec(&["pgrep", "-a", "-f", "--", process]).await {
        Ok(out) if out.success() => {
            let workers = worker_processes(&out.stdout_str());
            if workers.is_empty() {
                return Check::new(
                    false,
                    label,
                    format!(
                        "only sparkdeck's own log reader matches on {on}; the worker is not running"
                    ),
                );
            }
            let shown: Vec<String> = workers
                .iter()
                .map(|(pid, cmd)| format!("{pid}: {}", fit(cmd, 48)))
                .collect();
            Check::new(
                true,
                label,
                format!("running on {on} (pid {})", shown.join(", ")),
            )
        }
        Ok(out) if out.status == Some(1) => Check::new(
            false,
            label,
            format!("no process matches on {on}; the worker is not running"),
        ),
        Ok(out) => Check::new(
            false,
            label,
            format!(
                "pgrep on {on} failed: {}",
                first_line(&out.stderr_str(), "no output")
            ),
        ),
        Err(e) => Check::new(false, label, format!("cannot run pgrep on {on}: {e}")),
    }
}

/// `pid command` lines of `pgrep -a`, without the log readers sparkdeck itself starts
/// (`logtail`: `tail -n N -F -- PATH`, or the `sh -c 'exec tail …'` form for `~/` paths).
fn worker_processes(pgrep_a: &str) -> Vec<(String, String)> {
    pgrep_a
        .lines()
        .filter_map(|l| {
            let (pid, cmd) = l.trim().split_once(' ')?;
            Some((pid.to_string(), cmd.trim().to_string()))
        })
        .filter(|(_, cmd)| {
            let cmd = without_shell(cmd);
            let cmd = cmd.strip_prefix("exec ").unwrap_or(cmd);
            let ours = (cmd.starts_with("tail -n ") && cmd.contains(" -F -- "))
                || cmd.starts_with("stat -c %Y -- ");
            !ours
        })
        .collect()
}

/// The command a `sh -c` / `bash -c` wrapper runs: over SSH the login shell may stay as the
/// parent of our command instead of exec'ing it, and then its command line names the path too.
fn without_shell(cmd: &str) -> &str {
    let Some((first, rest)) = cmd.split_once(' ') else {
        return cmd;
    };
    let name = first
        .rsplit('/')
        .next()
        .unwrap_or(first)
        .trim_start_matches('-');
    match (name, rest.strip_prefix("-c ")) {
        ("sh" | "bash" | "dash" | "zsh" | "ksh", Some(inner)) => inner.trim_start(),
        _ => cmd,
    }
}

/// `systemctl --user is-active`; any failure (no user bus over SSH) counts as not active.
async fn user_unit_active(host: &dyn Host, unit: &str) -> bool {
    host.exec(&["systemctl", "--user", "is-active", "--", unit])
        .await
        .is_ok_and(|o| o.success())
}

/// Cuts a command line for the banner.
fn fit(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn first_line(text: &str, empty: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or(empty)
        .to_string()
}

/// When the worker log was last written, ok when within `LOG_STALE_AFTER_S` of `now`.
pub async fn log_freshness(host: &dyn Host, path: &str, now: i64) -> Check {
    log_freshness_within(host, path, now, LOG_STALE_AFTER_S).await
}

/// `log_freshness` with an explicit staleness limit in seconds.
pub async fn log_freshness_within(host: &dyn Host, path: &str, now: i64, max_age_s: i64) -> Check {
    let on = host.name();
    let label = "worker log";
    match logtail::last_modified(host, path).await {
        Ok(Some(t)) => {
            let age = now.saturating_sub(t);
            let ok = age <= max_age_s;
            let mut detail = format!("{path} last written {} ago on {on}", human_age(age));
            if !ok {
                detail.push_str("; the worker is not logging — is it polling the right Supabase?");
            }
            Check::new(ok, label, detail)
        }
        Ok(None) => Check::new(
            false,
            label,
            format!("{path} does not exist on {on}; check [jobs] worker_log"),
        ),
        Err(e) => Check::new(false, label, format!("cannot stat {path}: {e}")),
    }
}

fn human_age(s: i64) -> String {
    let s = s.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h {}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d {}h", s / 86_400, s % 86_400 / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_log_readers_are_not_the_worker() {
        let out = "11 tail -n 200 -F -- /home/u/srv/hd-worker/logs/worker.log\n\
                   12 sh -c exec tail -n \"$1\" -F -- \"$HOME/${2#\\~/}\" sh 200 ~/srv/hd-worker/logs/worker.log\n\
                   13 /home/u/srv/hd-worker/.venv/bin/python -m hd_worker\n\
                   14 /bin/bash -c tail -n 200 -F -- '/home/u/srv/hd-worker/logs/worker.log'\n\
                   15 bash -c /home/u/srv/hd-worker/run.sh\n\
                   garbage\n";
        let pids: Vec<String> = worker_processes(out).into_iter().map(|p| p.0).collect();
        assert_eq!(
            pids,
            ["13", "15"],
            "a worker started through bash stays a worker"
        );
        assert_eq!(fit("abcdef", 4), "abc…");
    }

    #[test]
    fn ages_read_like_people_say_them() {
        assert_eq!(human_age(5), "5s");
        assert_eq!(human_age(125), "2m");
        assert_eq!(human_age(3 * 3600 + 120), "3h 2m");
        assert_eq!(human_age(-4), "0s");
    }
}
