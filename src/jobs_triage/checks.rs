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
    let loopback = host == "localhost"
        || host == "::1"
        || host.starts_with("127.")
        || host == "host.docker.internal";
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

/// The fixed public keys `supabase start` prints (new-style), which only a local stack uses.
const DEMO_KEYS: &[&str] = &[
    "sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH",
    "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz",
];

/// What a Supabase key says about where it belongs, read without verifying it. Holds no
/// part of the key itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyClaims {
    /// `supabase-demo` for a local CLI stack, `supabase` for the cloud.
    pub iss: Option<String>,
    /// The cloud project ref the key was issued for.
    pub project_ref: Option<String>,
}

/// Claims of a legacy JWT key (payload segment, base64url) or a known local demo key;
/// `None` for opaque keys (`sb_secret_…` of a cloud project) and garbage.
pub fn key_claims(key: &str) -> Option<KeyClaims> {
    let key = key.trim();
    if DEMO_KEYS.contains(&key) {
        return Some(KeyClaims {
            iss: Some("supabase-demo".into()),
            project_ref: None,
        });
    }
    let mut parts = key.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(&base64url_decode(payload)?).ok()?;
    let field = |k: &str| json.get(k).and_then(|v| v.as_str()).map(String::from);
    Some(KeyClaims {
        iss: field("iss"),
        project_ref: field("ref"),
    })
}

/// A cloud key whose project ref differs from the URL's `<ref>.supabase.co`.
pub fn ref_mismatch(url: &str, claims: &KeyClaims) -> Option<String> {
    let key_ref = claims.project_ref.as_deref()?;
    let (host, _) = url_host(url);
    let url_ref = host.strip_suffix(".supabase.co")?;
    (url_ref != key_ref.to_ascii_lowercase()).then(|| {
        format!(
            "SUPABASE_URL is project {url_ref} but the key was issued for project {key_ref}; \
             use the service role key of {url_ref} (Project Settings → API)"
        )
    })
}

/// Unpadded (or padded) base64url; `None` on any invalid character.
fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for b in text.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
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

    // The public demo service-role JWT every `supabase start` prints.
    const DEMO_JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU";

    #[test]
    fn key_claims_from_jwt_and_demo_keys() {
        let c = key_claims(DEMO_JWT).expect("a JWT");
        assert_eq!(c.iss.as_deref(), Some("supabase-demo"));
        assert_eq!(c.project_ref, None);
        let c = key_claims("sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz").unwrap();
        assert_eq!(c.iss.as_deref(), Some("supabase-demo"));
        assert_eq!(key_claims("sb_secret_abcdefghijklmnop"), None);
        for bad in ["", "a.b", "a.!!!.c", "a.b.c.d", "x.eyJpc3MiOjF9.y"] {
            assert_eq!(key_claims(bad).and_then(|c| c.iss), None, "{bad}");
        }
    }

    #[test]
    fn base64url_round_trip_shapes() {
        assert_eq!(base64url_decode("eyJhIjoxfQ").unwrap(), br#"{"a":1}"#);
        assert_eq!(base64url_decode("eyJhIjoxfQ==").unwrap(), br#"{"a":1}"#);
        assert_eq!(base64url_decode("_-8").unwrap(), [0xff, 0xef]);
        assert_eq!(base64url_decode("a b"), None);
    }

    #[test]
    fn key_for_another_project_is_named() {
        let claims = KeyClaims {
            iss: Some("supabase".into()),
            project_ref: Some("otherref".into()),
        };
        let m = ref_mismatch(CLOUD, &claims).expect("mismatch");
        assert!(m.contains("project abcdefghijklmnop"), "{m}");
        assert!(m.contains("issued for project otherref"), "{m}");
        let same = KeyClaims {
            project_ref: Some("abcdefghijklmnop".into()),
            ..claims
        };
        assert_eq!(ref_mismatch(CLOUD, &same), None);
        assert_eq!(ref_mismatch("http://127.0.0.1:54321", &same), None);
    }

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
