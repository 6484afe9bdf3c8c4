//! Checks the stuck banner runs (seed 003): is the worker alive, is its log being written,
//! and do the worker and the dashboard talk to the same Supabase.

use crate::host::Host;
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

/// Whether the worker runs: `systemctl is-active -- UNIT` when a unit is configured,
/// otherwise `pgrep -f -- PROCESS`.
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
    match host.exec(&["pgrep", "-f", "--", process]).await {
        Ok(out) if out.success() => {
            let pids: Vec<String> = out
                .stdout_str()
                .split_whitespace()
                .map(String::from)
                .collect();
            Check::new(
                true,
                label,
                format!("running on {on} (pid {})", pids.join(", ")),
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

/// Host part of a URL, lower-cased, without port, brackets or credentials.
fn url_host(url: &str) -> (String, Option<u16>) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let (host, port) = if let Some(r) = authority.strip_prefix('[') {
        let (h, after) = r.split_once(']').unwrap_or((r, ""));
        (h, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    (host.to_ascii_lowercase(), port.and_then(|p| p.parse().ok()))
}

/// A Supabase started by `supabase start` on some machine: loopback, its API port 54321,
/// or signed with the demo issuer.
fn is_local(url: &str, iss: Option<&str>) -> bool {
    let (host, port) = url_host(url);
    let loopback = host == "localhost" || host == "::1" || host.starts_with("127.");
    loopback || port == Some(54321) || iss == Some("supabase-demo")
}

/// Explains why jobs stay queued when the worker and the dashboard use different Supabase
/// instances (seed 003, case A); `None` when they agree.
pub fn supabase_mismatch(
    worker_url: &str,
    worker_key_iss: Option<&str>,
    dashboard_url: &str,
) -> Option<String> {
    let worker_local = is_local(worker_url, worker_key_iss);
    let dash_local = is_local(dashboard_url, None);
    let w = worker_url.trim_end_matches('/');
    let d = dashboard_url.trim_end_matches('/');
    match (worker_local, dash_local) {
        (true, false) => Some(format!(
            "the worker polls a local Supabase ({w}{}) while this dashboard reads {d}: jobs \
             created in the cloud never reach it. Fix: set the worker's SUPABASE_URL and \
             SUPABASE_SERVICE_ROLE_KEY to the cloud project and restart the worker.",
            if worker_key_iss == Some("supabase-demo") {
                ", demo key"
            } else {
                ""
            }
        )),
        (false, true) => Some(format!(
            "this dashboard reads a local Supabase ({d}) while the worker polls {w}: jobs \
             the app writes locally are never seen by the worker on the Spark. Fix: point the \
             app (and this dashboard) at the cloud project (URL + key) and restart the dev server."
        )),
        (false, false) if url_host(worker_url).0 != url_host(dashboard_url).0 => Some(format!(
            "the worker polls {w} but this dashboard reads {d}: two different Supabase \
             projects. Point both at the same project."
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLOUD: &str = "https://abcdefghijklmnop.supabase.co";

    #[test]
    fn local_worker_against_cloud_dashboard() {
        let m = supabase_mismatch("http://127.0.0.1:54321", None, CLOUD).expect("mismatch");
        assert!(m.contains("local Supabase (http://127.0.0.1:54321)"), "{m}");
        assert!(m.contains("restart the worker"), "{m}");
        // A demo-signed key gives it away even behind another name.
        let m = supabase_mismatch("http://supabase.lan:8000", Some("supabase-demo"), CLOUD)
            .expect("mismatch");
        assert!(m.contains("demo key"), "{m}");
    }

    #[test]
    fn local_dashboard_against_cloud_worker() {
        let m = supabase_mismatch(CLOUD, Some("supabase"), "http://localhost:54321/").unwrap();
        assert!(m.contains("this dashboard reads a local Supabase"), "{m}");
        assert!(supabase_mismatch(CLOUD, None, "http://[::1]:54321").is_some());
    }

    #[test]
    fn same_instance_is_fine() {
        assert_eq!(
            supabase_mismatch(CLOUD, Some("supabase"), &format!("{CLOUD}/")),
            None
        );
        assert_eq!(
            supabase_mismatch(
                "http://127.0.0.1:54321",
                Some("supabase-demo"),
                "http://localhost:54321"
            ),
            None
        );
    }

    #[test]
    fn two_cloud_projects_differ() {
        let m = supabase_mismatch("https://one.supabase.co", None, "https://TWO.supabase.co");
        assert!(m.unwrap().contains("two different Supabase projects"));
        assert_eq!(
            supabase_mismatch(
                "https://user:pw@One.supabase.co/rest/v1",
                None,
                "https://one.supabase.co"
            ),
            None
        );
    }

    #[test]
    fn garbage_urls_do_not_panic() {
        for u in ["", "://", "[", "http://[::1", "a:b:c", "http://h:99999"] {
            let _ = supabase_mismatch(u, None, CLOUD);
            let _ = supabase_mismatch(CLOUD, None, u);
        }
    }

    #[test]
    fn ages_read_like_people_say_them() {
        assert_eq!(human_age(5), "5s");
        assert_eq!(human_age(125), "2m");
        assert_eq!(human_age(3 * 3600 + 120), "3h 2m");
        assert_eq!(human_age(-4), "0s");
    }
}
