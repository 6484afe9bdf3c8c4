//! Following a log file on a host (`tail -F`) and asking when it was last written.
//!
//! Paths are always their own argv element. A leading `~/` is expanded by the host's shell
//! from `$HOME`, with the path passed as a positional parameter, so nothing in it is ever
//! read as shell text.

use crate::host::{Host, HostError, LineStream};

/// The `~/` form, when the path has it; the shell strips it again via `${N#\~/}`.
fn home_relative(path: &str) -> bool {
    path.starts_with("~/")
}

/// The argv that follows `path` from its last `lines` lines.
pub fn tail_argv(path: &str, lines: usize) -> Vec<String> {
    let n = lines.to_string();
    if home_relative(path) {
        vec![
            "sh".into(),
            "-c".into(),
            r#"exec tail -n "$1" -F -- "$HOME/${2#\~/}""#.into(),
            "sh".into(),
            n,
            path.into(),
        ]
    } else {
        vec![
            "tail".into(),
            "-n".into(),
            n,
            "-F".into(),
            "--".into(),
            path.into(),
        ]
    }
}

/// The argv printing the file's mtime as Unix seconds.
pub fn stat_argv(path: &str) -> Vec<String> {
    if home_relative(path) {
        vec![
            "sh".into(),
            "-c".into(),
            r#"exec stat -c %Y -- "$HOME/${1#\~/}""#.into(),
            "sh".into(),
            path.into(),
        ]
    } else {
        vec![
            "stat".into(),
            "-c".into(),
            "%Y".into(),
            "--".into(),
            path.into(),
        ]
    }
}

/// Follows `path` on `host`, starting with its last `lines` lines. `tail -F` keeps running
/// when the file is missing or rotated and says so on stderr: those lines arrive as
/// `StreamEvent::Stderr`; `explain_stderr` turns them into a message for the user.
pub async fn tail(host: &dyn Host, path: &str, lines: usize) -> Result<LineStream, HostError> {
    let argv = tail_argv(path, lines);
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    host.stream_lines(&argv).await
}

/// What a `tail -F` stderr line means for someone looking at `path` on `host`.
pub fn explain_stderr(host: &str, path: &str, line: &str) -> String {
    let l = line.to_ascii_lowercase();
    if l.contains("no such file or directory") {
        format!(
            "{path} does not exist on {host} (yet); waiting for it to appear. \
             Check [jobs] worker_log in the config if the worker logs elsewhere."
        )
    } else if l.contains("permission denied") {
        format!(
            "{path} on {host} is not readable by the SSH user; fix its permissions or \
             point [jobs] worker_log at a readable copy"
        )
    } else if l.contains("has been replaced") || l.contains("has appeared") {
        format!("{path} on {host} was rotated; following the new file")
    } else if l.contains("truncated") {
        format!("{path} on {host} was truncated; following from its new end")
    } else {
        format!("tail {path} on {host}: {}", line.trim())
    }
}

/// When `path` on `host` was last modified (Unix seconds); `Ok(None)` when it does not
/// exist. Other failures (permission, no `stat`) are errors naming the file and host.
pub async fn last_modified(host: &dyn Host, path: &str) -> Result<Option<i64>, HostError> {
    let argv = stat_argv(path);
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let out = host.exec(&argv).await?;
    if out.success() {
        let text = out.stdout_str();
        return text
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| HostError::Io {
                context: format!("stat of {path} on {}", host.name()),
                source: std::io::Error::other(format!(
                    "unexpected output {:?}, expected Unix seconds",
                    text.trim()
                )),
            });
    }
    let err = out.stderr_str();
    if err.contains("No such file or directory") {
        return Ok(None);
    }
    Err(HostError::Io {
        context: format!("stat of {path} on {}", host.name()),
        source: std::io::Error::other(format!(
            "exit {}: {}",
            out.status
                .map_or_else(|| "by signal".to_string(), |s| s.to_string()),
            err.trim()
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_path_is_one_argv_element() {
        let a = tail_argv("/var/log/w $(rm -rf x).log", 200);
        assert_eq!(
            a,
            [
                "tail",
                "-n",
                "200",
                "-F",
                "--",
                "/var/log/w $(rm -rf x).log"
            ]
        );
        assert_eq!(stat_argv("-odd")[4], "-odd");
    }

    #[test]
    fn home_path_goes_as_a_positional_parameter() {
        let a = tail_argv("~/srv/hd-worker/logs/worker.log", 50);
        assert_eq!(a[0], "sh");
        assert!(
            !a[2].contains("worker.log"),
            "path must not be in the script"
        );
        assert_eq!(a[4], "50");
        assert_eq!(a[5], "~/srv/hd-worker/logs/worker.log");
        assert_eq!(stat_argv("~/x")[4], "~/x");
    }

    #[test]
    fn explains_missing_and_unknown_stderr() {
        let m = explain_stderr(
            "spark",
            "~/w.log",
            "tail: cannot open '/home/u/w.log' for reading: No such file or directory",
        );
        assert!(m.contains("does not exist on spark"), "{m}");
        assert!(m.contains("worker_log"), "{m}");
        let o = explain_stderr("spark", "/l", "tail: weird\n");
        assert_eq!(o, "tail /l on spark: tail: weird");
    }
}
