//! The log viewer's commands: `journalctl -u UNIT -o json -f` and
//! `docker logs --follow`, with the time window presets.

use crate::config::ServicesSettings;
use crate::model::{LogWindow, ServiceTarget, SourceProblem};
use crate::sources::services::{docker, journal};
use time::UtcOffset;

/// journalctl stops at this many lines for the time windows, so "today" on a chatty unit
/// cannot flood the viewer.
const WINDOW_LINES: &str = "10000";

/// Unix seconds of the midnight that starts `now`'s day at `offset`.
pub fn local_midnight(now: i64, offset: UtcOffset) -> i64 {
    let off = i64::from(offset.whole_seconds());
    (now + off).div_euclid(86_400) * 86_400 - off
}

/// The argv that follows `target`'s log from `window` (`now` = Unix seconds, for
/// presets that need an absolute time).
pub fn argv(
    settings: &ServicesSettings,
    target: &ServiceTarget,
    window: LogWindow,
    now: i64,
) -> Vec<String> {
    // A multi-threaded process may not learn its offset (time's soundness guard); UTC then.
    let offset = UtcOffset::current_local_offset().unwrap_or(UtcOffset::UTC);
    argv_at(settings, target, window, now, offset)
}

/// `argv` with the local UTC offset given, for "today".
pub fn argv_at(
    settings: &ServicesSettings,
    target: &ServiceTarget,
    window: LogWindow,
    now: i64,
    offset: UtcOffset,
) -> Vec<String> {
    let mut argv: Vec<String> = Vec::new();
    match target {
        ServiceTarget::Unit(unit) => {
            argv.extend(
                [
                    "journalctl",
                    "-u",
                    unit,
                    "-o",
                    "json",
                    "--no-pager",
                    "--follow",
                ]
                .map(String::from),
            );
            let since = match window {
                LogWindow::Tail => None,
                LogWindow::Last5m => Some("--since=-5min"),
                LogWindow::LastHour => Some("--since=-1h"),
                LogWindow::Today => Some("--since=today"),
            };
            match since {
                None => argv.extend(["-n".to_string(), settings.log_lines.to_string()]),
                Some(s) => argv.extend([s, "-n", WINDOW_LINES].map(String::from)),
            }
        }
        ServiceTarget::Container(name) => {
            argv.extend(
                [settings.docker.as_str(), "logs", "--follow", "--timestamps"].map(String::from),
            );
            let since = match window {
                LogWindow::Tail => None,
                LogWindow::Last5m => Some("5m".to_string()),
                LogWindow::LastHour => Some("1h".to_string()),
                LogWindow::Today => Some(local_midnight(now, offset).to_string()),
            };
            match since {
                None => argv.extend(["--tail".to_string(), settings.log_lines.to_string()]),
                Some(s) => argv.extend(["--since".to_string(), s, "--tail".into(), "all".into()]),
            }
            argv.push(name.clone());
        }
    }
    argv
}

/// One raw output line → the text the viewer shows (journal JSON is formatted).
pub fn render(target: &ServiceTarget, raw: &str) -> String {
    match target {
        ServiceTarget::Unit(_) => journal::format_entry(raw).unwrap_or_else(|| raw.to_string()),
        ServiceTarget::Container(_) => raw.to_string(),
    }
}

/// The log command's stderr → a problem with its fix: journalctl exits 0 and only says on
/// stderr that it may not read the journal; docker's socket and daemon faults.
pub fn problem(target: &ServiceTarget, stderr: &str) -> Option<SourceProblem> {
    match target {
        ServiceTarget::Unit(_) => journal::permission_problem(stderr),
        ServiceTarget::Container(_) => docker::classify_error(stderr),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn journal_argv_per_window() {
        let set = ServicesSettings::default();
        let unit = ServiceTarget::Unit("ollama.service".into());
        let base = [
            "journalctl",
            "-u",
            "ollama.service",
            "-o",
            "json",
            "--no-pager",
            "--follow",
        ];
        let with = |extra: &[&str]| s(&[&base[..], extra].concat());
        let at = |w| argv_at(&set, &unit, w, 0, UtcOffset::UTC);
        assert_eq!(at(LogWindow::Tail), with(&["-n", "500"]));
        assert_eq!(
            at(LogWindow::Last5m),
            with(&["--since=-5min", "-n", "10000"])
        );
        assert_eq!(
            at(LogWindow::LastHour),
            with(&["--since=-1h", "-n", "10000"])
        );
        assert_eq!(
            at(LogWindow::Today),
            with(&["--since=today", "-n", "10000"])
        );
    }

    #[test]
    fn docker_argv_per_window() {
        let set = ServicesSettings {
            docker: "podman".into(),
            log_lines: 42,
            ..ServicesSettings::default()
        };
        let c = ServiceTarget::Container("open-webui".into());
        // 2026-11-22 10:30:00 UTC
        let now = 1_795_343_400;
        let plus2 = UtcOffset::from_hms(2, 0, 0).unwrap();
        let at = |w| argv_at(&set, &c, w, now, plus2);
        let base = ["podman", "logs", "--follow", "--timestamps"];
        let with = |extra: &[&str]| s(&[&base[..], extra, &["open-webui"]].concat());
        assert_eq!(at(LogWindow::Tail), with(&["--tail", "42"]));
        assert_eq!(
            at(LogWindow::Last5m),
            with(&["--since", "5m", "--tail", "all"])
        );
        assert_eq!(
            at(LogWindow::LastHour),
            with(&["--since", "1h", "--tail", "all"])
        );
        // Midnight at +02:00 is 22:00 UTC of the day before.
        let midnight = (now / 86_400 * 86_400 - 7_200).to_string();
        assert_eq!(
            at(LogWindow::Today),
            with(&["--since", &midnight, "--tail", "all"])
        );
    }

    #[test]
    fn midnight_across_offsets() {
        let day = 1_795_305_600; // 2026-11-22 00:00:00 UTC
        assert_eq!(local_midnight(day + 5, UtcOffset::UTC), day);
        assert_eq!(local_midnight(day - 5, UtcOffset::UTC), day - 86_400);
        let minus5 = UtcOffset::from_hms(-5, 0, 0).unwrap();
        // 03:00 UTC is 22:00 the day before in -05:00, whose midnight is 05:00 UTC that day.
        assert_eq!(
            local_midnight(day + 3 * 3600, minus5),
            day - 86_400 + 5 * 3600
        );
    }

    #[test]
    fn journal_lines_are_formatted_and_other_lines_kept() {
        let unit = ServiceTarget::Unit("ollama.service".into());
        let line = r#"{"__REALTIME_TIMESTAMP":"1795345972285606","SYSLOG_IDENTIFIER":"ollama","_PID":"21259","PRIORITY":"6","MESSAGE":"Listening on 127.0.0.1:11434"}"#;
        let shown = render(&unit, line);
        assert!(
            shown.ends_with("ollama[21259]: Listening on 127.0.0.1:11434"),
            "{shown}"
        );
        assert_eq!(render(&unit, "-- No entries --"), "-- No entries --");
        assert_eq!(render(&unit, "{\"broken"), "{\"broken");
    }

    #[test]
    fn permission_faults_of_the_log_commands() {
        let unit = ServiceTarget::Unit("ollama.service".into());
        let p = problem(
            &unit,
            "No journal files were opened due to insufficient permissions.",
        )
        .expect("journal permission");
        assert!(p.fix.is_some(), "{p:?}");
        assert_eq!(problem(&unit, "-- No entries --"), None);
        let c = ServiceTarget::Container("open-webui".into());
        let p = problem(
            &c,
            "permission denied while trying to connect to the docker API at unix:///var/run/docker.sock",
        )
        .expect("docker permission");
        assert!(p.fix.unwrap().contains("usermod -aG docker"));
    }

    #[test]
    fn container_lines_are_shown_as_they_are() {
        let c = ServiceTarget::Container("x".into());
        assert_eq!(
            render(&c, "2026-11-22T10:00:00Z hello"),
            "2026-11-22T10:00:00Z hello"
        );
    }
}
