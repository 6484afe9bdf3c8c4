//! Start / stop / restart a unit (`sudo -n systemctl …`) or a container (`docker …`).
//! The caller has confirmed, re-checked read-only and audits the outcome.

use crate::config::ServicesSettings;
use crate::host::{ExecOutput, Host};
use crate::model::{ServiceKind, ServiceRow, ServiceState, ServiceTarget, ServiceVerb};
use crate::sources::services::docker;

/// Why an action failed, and what the user can do (e.g. the command to run by hand when
/// sudo wants a password).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ActionError {
    pub message: String,
    pub fix: Option<String>,
}

fn systemctl(target: &ServiceTarget, verb: ServiceVerb) -> Vec<String> {
    vec![
        "systemctl".to_string(),
        verb.as_str().to_string(),
        target.name().to_string(),
    ]
}

/// The argv that performs `verb` on `target`.
pub fn argv(settings: &ServicesSettings, target: &ServiceTarget, verb: ServiceVerb) -> Vec<String> {
    match target {
        ServiceTarget::Unit(_) => {
            let mut argv = Vec::new();
            if settings.sudo {
                // -n: fail at once instead of prompting on a terminal nobody sees.
                argv.extend(["sudo".to_string(), "-n".to_string()]);
            }
            argv.extend(systemctl(target, verb));
            argv
        }
        ServiceTarget::Container(name) => vec![
            settings.docker.clone(),
            verb.as_str().to_string(),
            name.clone(),
        ],
    }
}

fn past(verb: ServiceVerb) -> &'static str {
    match verb {
        ServiceVerb::Start => "started",
        ServiceVerb::Stop => "stopped",
        ServiceVerb::Restart => "restarted",
    }
}

fn first_line(out: &ExecOutput) -> String {
    let err = out.stderr_str();
    let line = err
        .lines()
        .chain(std::str::from_utf8(&out.stdout).unwrap_or("").lines())
        .map(str::trim)
        .find(|l| !l.is_empty());
    match (line, out.status) {
        (Some(l), _) => l.to_string(),
        (None, Some(code)) => format!("exit status {code}"),
        (None, None) => "killed by a signal".to_string(),
    }
}

/// A failed systemctl (through sudo or not) → what happened and what to run instead.
fn unit_error(
    host: &str,
    target: &ServiceTarget,
    verb: ServiceVerb,
    out: &ExecOutput,
) -> ActionError {
    let unit = target.name();
    let by_hand = format!("run on the host: sudo systemctl {} {unit}", verb.as_str());
    let text = format!("{}\n{}", out.stderr_str(), out.stdout_str());
    let lower = text.to_lowercase();
    if lower.contains("a password is required") || lower.contains("a terminal is required") {
        return ActionError {
            message: format!("sudo needs a password on {host}"),
            fix: Some(by_hand),
        };
    }
    if lower.contains("not in the sudoers") || lower.contains("is not allowed to") {
        return ActionError {
            message: format!("sudo on {host} does not allow this user to run systemctl"),
            fix: Some(format!(
                "{by_hand}, or allow it without a password in sudoers (visudo)"
            )),
        };
    }
    if lower.contains("interactive authentication required") || lower.contains("access denied") {
        return ActionError {
            message: format!(
                "systemd refused to {} {unit} on {host}: polkit wants interactive authentication",
                verb.as_str()
            ),
            fix: Some(format!(
                "set [services] sudo = true so sparkdeck uses sudo -n, or {by_hand}"
            )),
        };
    }
    ActionError {
        message: format!(
            "systemctl {} {unit} failed on {host}: {}",
            verb.as_str(),
            first_line(out)
        ),
        fix: Some(format!(
            "read the unit's log (l) or run on the host: systemctl status {unit}"
        )),
    }
}

/// Runs it; Ok carries a one-line summary for the flash.
pub async fn run(
    host: &dyn Host,
    settings: &ServicesSettings,
    target: &ServiceTarget,
    verb: ServiceVerb,
) -> Result<String, ActionError> {
    let name = host.name().to_string();
    let mut argv = argv(settings, target, verb);
    let exec = |argv: Vec<String>| async move {
        let refs: Vec<&str> = argv.iter().map(String::as_str).collect();
        host.exec(&refs).await.map_err(|e| ActionError {
            message: format!("could not run {} on {}: {e}", argv.join(" "), host.name()),
            fix: None,
        })
    };
    let mut out = exec(argv.clone()).await?;
    // A root login without sudo installed: systemctl directly is what sudo would run.
    if matches!(target, ServiceTarget::Unit(_))
        && settings.sudo
        && out.status == Some(127)
        && out.stderr_str().contains("sudo")
    {
        argv = systemctl(target, verb);
        out = exec(argv).await?;
    }
    if out.success() {
        return Ok(format!("{} {} on {name}", past(verb), target.name()));
    }
    Err(match target {
        ServiceTarget::Unit(_) => unit_error(&name, target, verb, &out),
        ServiceTarget::Container(c) => match docker::classify_error(&out.stderr_str()) {
            Some(p) => ActionError {
                message: p.message,
                fix: p.fix,
            },
            None => ActionError {
                message: format!(
                    "{} {} {c} failed on {name}: {}",
                    settings.docker,
                    verb.as_str(),
                    first_line(&out)
                ),
                fix: Some(format!(
                    "read the container's log (l) or run on the host: {} ps --all",
                    settings.docker
                )),
            },
        },
    })
}

/// The unit or container an action or a log on `row` goes to. Systemd rows act on their
/// unit, docker rows on their container; an unexpected listener on whatever owns it.
pub fn target_of(row: &ServiceRow) -> Result<ServiceTarget, String> {
    let unit = row
        .unit
        .as_ref()
        .filter(|u| u.exists() && !u.id.is_empty())
        .map(|u| u.id.clone())
        .or_else(|| row.owner.unit.clone().filter(|u| !u.is_empty()));
    let container = row
        .container
        .as_ref()
        .map(|c| c.name.clone())
        .filter(|c| !c.is_empty())
        .or_else(|| row.owner.container.clone().filter(|c| !c.is_empty()));
    let pick = match row.kind {
        ServiceKind::Systemd => unit.map(ServiceTarget::Unit),
        ServiceKind::Docker => container.map(ServiceTarget::Container),
        ServiceKind::Process => None,
    };
    // A port held by a container or a unit other than the catalogued kind still has an
    // owner that can be acted on.
    let owner = || {
        row.owner
            .container
            .clone()
            .filter(|c| !c.is_empty())
            .map(ServiceTarget::Container)
            .or_else(|| {
                row.owner
                    .unit
                    .clone()
                    .filter(|u| !u.is_empty())
                    .map(ServiceTarget::Unit)
            })
    };
    if let Some(t) = pick.or_else(owner) {
        return Ok(t);
    }
    let what = match (&row.owner.process, row.owner.pid) {
        (Some(p), Some(pid)) => format!("it is process {p} (pid {pid})"),
        (None, Some(pid)) => format!("it is pid {pid}"),
        (Some(p), None) => format!("it is process {p}"),
        (None, None) if row.state() == ServiceState::Down => "nothing runs".to_string(),
        (None, None) => "its owner is not visible (run as root to see it)".to_string(),
    };
    Err(format!(
        "{}: nothing to act on ({what}, no systemd unit or container)",
        row.name
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argv_for_units_and_containers() {
        let on = ServicesSettings::default();
        let unit = ServiceTarget::Unit("ollama.service".into());
        assert_eq!(
            argv(&on, &unit, ServiceVerb::Restart),
            ["sudo", "-n", "systemctl", "restart", "ollama.service"]
        );
        let off = ServicesSettings {
            sudo: false,
            docker: "/usr/bin/podman".into(),
            ..ServicesSettings::default()
        };
        assert_eq!(
            argv(&off, &unit, ServiceVerb::Stop),
            ["systemctl", "stop", "ollama.service"]
        );
        let c = ServiceTarget::Container("open-webui".into());
        assert_eq!(
            argv(&off, &c, ServiceVerb::Start),
            ["/usr/bin/podman", "start", "open-webui"]
        );
    }

    fn failed(stderr: &str) -> ExecOutput {
        ExecOutput {
            status: Some(1),
            stdout: Vec::new(),
            stderr: stderr.as_bytes().to_vec(),
        }
    }

    #[test]
    fn unit_errors_carry_the_fix() {
        let unit = ServiceTarget::Unit("ollama.service".into());
        let e = unit_error(
            "spark",
            &unit,
            ServiceVerb::Restart,
            &failed("sudo: a password is required\n"),
        );
        assert_eq!(e.message, "sudo needs a password on spark");
        assert_eq!(
            e.fix.as_deref(),
            Some("run on the host: sudo systemctl restart ollama.service")
        );
        let e = unit_error(
            "spark",
            &unit,
            ServiceVerb::Stop,
            &failed("sudo: a terminal is required to read the password"),
        );
        assert_eq!(e.message, "sudo needs a password on spark");
        let e = unit_error(
            "spark",
            &unit,
            ServiceVerb::Start,
            &failed(
                "Failed to start ollama.service: Interactive authentication required.\nSee system logs and 'systemctl status ollama.service' for details.",
            ),
        );
        assert!(e.message.contains("polkit"), "{e:?}");
        assert!(
            e.fix
                .unwrap()
                .contains("sudo systemctl start ollama.service")
        );
        let e = unit_error(
            "spark",
            &unit,
            ServiceVerb::Start,
            &failed("Failed to start ollama.service: Access denied"),
        );
        assert!(e.message.contains("polkit"), "{e:?}");
        let e = unit_error(
            "spark",
            &unit,
            ServiceVerb::Restart,
            &failed("sparky is not in the sudoers file."),
        );
        assert!(e.message.contains("does not allow"), "{e:?}");
        let e = unit_error(
            "spark",
            &unit,
            ServiceVerb::Restart,
            &failed("Failed to restart ollama.service: Unit ollama.service not found."),
        );
        assert_eq!(
            e.message,
            "systemctl restart ollama.service failed on spark: Failed to restart ollama.service: Unit ollama.service not found."
        );
    }
}
