//! The `host` section of the snapshot: hostname, user, groups, kernel, arch, uptime.
//!
//! One exec of a fixed POSIX script gathers everything, so a remote Spark costs one SSH
//! channel, not six. Each value is printed on its own `tag=value` line; a tool that is missing
//! or fails leaves its value empty, which the parser reads as unknown.

use crate::host::Host;
use crate::model::HostInfo;

use super::SourceError;

/// `printf '%s'` rather than `echo`: dash's echo would interpret backslashes in the values.
/// One line joined by `;` because over SSH it passes through the user's login shell, and csh
/// rejects a newline inside a quoted argument.
pub const SCRIPT: &str = "printf 'hostname=%s\\n' \"$(uname -n 2>/dev/null)\"; \
printf 'user=%s\\n' \"$(id -un 2>/dev/null)\"; \
printf 'groups=%s\\n' \"$(id -Gn 2>/dev/null)\"; \
printf 'kernel=%s\\n' \"$(uname -r 2>/dev/null)\"; \
printf 'arch=%s\\n' \"$(uname -m 2>/dev/null)\"; \
printf 'uptime=%s\\n' \"$(cat /proc/uptime 2>/dev/null)\"";

/// Runs `SCRIPT` on `host` and parses its output.
pub async fn collect(host: &dyn Host) -> Result<HostInfo, SourceError> {
    const WHAT: &str = "reading host info (sh -c …)";
    let out = host
        .exec(&["sh", "-c", SCRIPT])
        .await
        .map_err(|source| SourceError::Host {
            host: host.name().to_string(),
            what: WHAT,
            source,
        })?;
    if !out.success() {
        return Err(SourceError::Failed {
            host: host.name().to_string(),
            what: WHAT,
            status: out.status,
            stderr: out.stderr_str(),
        });
    }
    Ok(parse_host_info(
        host.name(),
        host.kind().as_str(),
        &out.stdout_str(),
    ))
}

/// Parses the output of `SCRIPT`. Lines that are not `tag=value` with a known tag (a chatty
/// login script, say) are ignored; the first occurrence of a tag wins.
pub fn parse_host_info(name: &str, source: &str, text: &str) -> HostInfo {
    let mut info = HostInfo {
        name: name.to_string(),
        hostname: None,
        source: source.to_string(),
        user: None,
        groups: Vec::new(),
        kernel: None,
        arch: None,
        uptime_s: None,
    };
    let mut seen_groups = false;
    for line in text.lines() {
        let Some((tag, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        match tag {
            "hostname" => set_once(&mut info.hostname, value),
            "user" => set_once(&mut info.user, value),
            "kernel" => set_once(&mut info.kernel, value),
            "arch" => set_once(&mut info.arch, value),
            "groups" if !seen_groups => {
                seen_groups = true;
                info.groups = value.split_whitespace().map(str::to_string).collect();
            }
            "uptime" if info.uptime_s.is_none() => info.uptime_s = parse_uptime(value),
            _ => {}
        }
    }
    info
}

fn set_once(slot: &mut Option<String>, value: &str) {
    if slot.is_none() && !value.is_empty() {
        *slot = Some(value.to_string());
    }
}

/// `/proc/uptime` holds "seconds-up idle-seconds", e.g. "350735.47 1384570.05". The fraction
/// is dropped; only whole seconds are reported.
pub fn parse_uptime(text: &str) -> Option<u64> {
    let first = text.split_whitespace().next()?;
    let (whole, frac) = first.split_once('.').unwrap_or((first, ""));
    if whole.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // `parse::<u64>` accepts a leading '+', which /proc never writes.
    if !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    whole.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SPARK: &str = "hostname=spark-01\nuser=alice\ngroups=alice sudo docker\n\
                         kernel=6.11.0-1016-nvidia\narch=aarch64\nuptime=277212.62 3301234.50\n";

    #[test]
    fn parses_all_tags() {
        let info = parse_host_info("lab", "ssh", SPARK);
        assert_eq!(
            info,
            HostInfo {
                name: "lab".into(),
                hostname: Some("spark-01".into()),
                source: "ssh".into(),
                user: Some("alice".into()),
                groups: vec!["alice".into(), "sudo".into(), "docker".into()],
                kernel: Some("6.11.0-1016-nvidia".into()),
                arch: Some("aarch64".into()),
                uptime_s: Some(277212),
            }
        );
    }

    #[test]
    fn empty_values_and_noise_are_unknown() {
        let text =
            "Welcome to the lab!\nhostname=\nuser=bob\nuser=mallory\nuptime=\narch=x86_64\r\n";
        let info = parse_host_info("local", "local", text);
        assert_eq!(info.hostname, None);
        assert_eq!(info.user.as_deref(), Some("bob"));
        assert_eq!(info.uptime_s, None);
        assert_eq!(info.arch.as_deref(), Some("x86_64"));
        assert!(info.groups.is_empty());
        assert_eq!(info.kernel, None);
    }

    #[test]
    fn script_is_one_line() {
        assert!(!SCRIPT.contains('\n'));
    }

    #[test]
    fn uptime_forms() {
        assert_eq!(parse_uptime("12.34 56.78"), Some(12));
        assert_eq!(parse_uptime("99"), Some(99));
        assert_eq!(parse_uptime("-5.0 1.0"), None);
        assert_eq!(parse_uptime("+5.0"), None);
        assert_eq!(parse_uptime("1e9"), None);
        assert_eq!(parse_uptime("5.x"), None);
        assert_eq!(parse_uptime("99999999999999999999999.0"), None);
        assert_eq!(parse_uptime(""), None);
    }

    proptest! {
        #[test]
        fn never_panics_on_garbage(text in "\\PC*") {
            let info = parse_host_info("n", "local", &text);
            prop_assert_eq!(info.name, "n");
        }

        #[test]
        fn never_panics_on_tagged_garbage(
            lines in proptest::collection::vec(
                ("(hostname|user|groups|kernel|arch|uptime|x)", "[ -~\\t\u{80}-\u{10FFFF}]{0,40}"),
                0..12,
            )
        ) {
            let text: String = lines.iter().map(|(t, v)| format!("{t}={v}\n")).collect();
            let info = parse_host_info("n", "ssh", &text);
            for g in &info.groups {
                prop_assert!(!g.is_empty() && !g.contains(char::is_whitespace));
            }
        }

        #[test]
        fn uptime_round_trips(secs in 0u64..10_000_000_000, frac in 0u32..100) {
            prop_assert_eq!(parse_uptime(&format!("{secs}.{frac:02} 1.00")), Some(secs));
        }
    }
}
