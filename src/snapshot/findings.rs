//! The `problems` of the host, GPU and jobs sections. `doctor` and the dashboard's problems
//! bar judge the same lists, so a finding reads the same in all three places.

use super::{GpuEntry, JobsSummary, Problem};
use crate::config::GpuSettings;
use crate::jobs::JobsError;
use crate::model::{HostInfo, MemoryKind};

fn problem(severity: &str, area: &str, message: String, fix: Option<String>) -> Problem {
    Problem {
        severity: severity.to_string(),
        area: area.to_string(),
        message,
        fix,
        row: None,
    }
}

/// Neither NVML nor nvidia-smi exist: a machine without the NVIDIA driver (an admin box),
/// which is not a fault.
pub fn gpu_absent(error: &str) -> bool {
    let lower = error.to_ascii_lowercase();
    let smi_missing = lower.contains("no such file")
        || lower.contains("not found")
        || lower.contains("status 127");
    smi_missing && !lower.contains("failed to initialize nvml")
}

/// One line per GPU as `doctor` shows it: index, name, memory share and, on a unified
/// pool, headroom and pressure.
pub fn gpu_summary(g: &GpuEntry) -> String {
    let name = g.name.as_deref().unwrap_or("GPU");
    let m = &g.memory;
    let mut part = format!("{} {name}", g.index);
    if let Some(p) = m.used_pct() {
        part.push_str(&format!(" mem {p:.0}%"));
    }
    if m.kind == MemoryKind::Unified {
        if let Some(h) = m.headroom_bytes {
            part.push_str(&format!(" headroom {:.1} GiB", gib(h)));
        }
        if let Some(p) = m.pressure_pct {
            part.push_str(&format!(" psi {p:.1}%"));
        }
    }
    part
}

fn gib(bytes: u64) -> f64 {
    bytes as f64 / (1u64 << 30) as f64
}

/// `value` against rising borders (more is worse): at or above `crit` is crit.
fn rising(value: f64, warn: f64, crit: f64) -> Option<&'static str> {
    if value >= crit {
        Some("crit")
    } else if value >= warn {
        Some("warn")
    } else {
        None
    }
}

/// `value` against falling borders (less is worse): at or below `crit` is crit.
fn falling(value: f64, warn: f64, crit: f64) -> Option<&'static str> {
    if value <= crit {
        Some("crit")
    } else if value <= warn {
        Some("warn")
    } else {
        None
    }
}

/// What is red about the GPUs: a driver error (reset needed, `ERR!`, GPU lost), a dedicated
/// GPU with a nearly full framebuffer, and on a unified pool (GB10) the pool itself: memory
/// pressure and allocatable headroom, each judged on its own. `error` is the read's error;
/// a host without the driver has none. `row` is the GPU index.
pub fn gpu_problems(
    entries: &[GpuEntry],
    error: Option<&str>,
    settings: &GpuSettings,
) -> Vec<Problem> {
    let mut out = Vec::new();
    if let Some(e) = error {
        let lower = e.to_ascii_lowercase();
        if lower.contains("requires reset") || e.contains("ERR!") {
            out.push(problem(
                "crit",
                "gpu",
                e.to_string(),
                Some("stop the GPU's processes, then sudo nvidia-smi -r or reboot the host".into()),
            ));
        } else if entries.is_empty() && !gpu_absent(e) {
            out.push(problem(
                "crit",
                "gpu",
                e.to_string(),
                Some(
                    "check the driver: nvidia-smi on the host, sudo dmesg | grep -i xid; reboot \
                     if the driver lost the GPU"
                        .into(),
                ),
            ));
        }
    }
    for g in entries {
        let row = |mut p: Problem| {
            p.row = Some(g.index.to_string());
            p
        };
        // A full framebuffer is how inference servers run (vLLM reserves
        // gpu_memory_utilization, 0.9 by default, at start), so memory share alone is never
        // crit, and below memory_crit_pct it is only the gauge's colour. On a unified pool
        // the share is GPU-resident bytes of host RAM, which says nothing about room left:
        // pressure and headroom below judge it.
        if g.memory.kind == MemoryKind::Dedicated
            && let Some(used) = g.memory.used_pct()
            && used >= settings.memory_crit_pct
        {
            out.push(row(problem(
                "warn",
                "gpu",
                gpu_summary(g),
                Some(format!(
                    "the framebuffer is nearly full ([gpu] memory_crit_pct {:.0}%): a new model \
                     or a larger batch will not fit. A vLLM engine reserves this much on \
                     purpose (gpu_memory_utilization); otherwise stop or shrink a model (GPU \
                     tab, K stops a process)",
                    settings.memory_crit_pct
                )),
            )));
        }
        if g.memory.kind != MemoryKind::Unified {
            continue;
        }
        let name = g.name.as_deref().unwrap_or("GPU");
        if let Some(psi) = g.memory.pressure_pct
            && let Some(severity) =
                rising(psi, settings.pressure_warn_pct, settings.pressure_crit_pct)
        {
            out.push(row(problem(
                severity,
                "gpu",
                format!(
                    "{} {name}: unified memory pressure {psi:.1}% (PSI some avg10: share of \
                     the last 10 s in which a task waited for memory)",
                    g.index
                ),
                Some(format!(
                    "tasks wait for memory ([gpu] pressure_warn_pct {:.0}% / pressure_crit_pct \
                     {:.0}%): stop or shrink a model (GPU tab, K stops a process); if models \
                     fail to load although they fit, drop the page cache: sudo sh -c 'sync; \
                     echo 3 > /proc/sys/vm/drop_caches'",
                    settings.pressure_warn_pct, settings.pressure_crit_pct
                )),
            )));
        }
        if let (Some(room), Some(total)) = (g.memory.headroom_bytes, g.memory.total_bytes)
            && total > 0
        {
            let share = room as f64 * 100.0 / total as f64;
            if let Some(severity) = falling(
                share,
                settings.headroom_warn_pct,
                settings.headroom_crit_pct,
            ) {
                out.push(row(problem(
                    severity,
                    "gpu",
                    format!(
                        "{} {name}: unified memory headroom {:.1} GiB, {share:.0}% of {:.1} GiB",
                        g.index,
                        gib(room),
                        gib(total)
                    ),
                    Some(format!(
                        "little is left to allocate ([gpu] headroom_warn_pct {:.0}% / \
                         headroom_crit_pct {:.0}%): stop or shrink a model (GPU tab, K stops \
                         a process) before the OOM killer picks one",
                        settings.headroom_warn_pct, settings.headroom_crit_pct
                    )),
                )));
            }
        }
    }
    out
}

/// The jobs problem of a queue that could not be read: missing credentials (or DSN) is
/// `info`, since a box may simply not run the worker; anything else is `warn`.
pub fn jobs_error_problem(error: &JobsError) -> Problem {
    match error {
        JobsError::NoCredentials { .. } => problem(
            "info",
            "jobs",
            error.to_string(),
            Some(
                "set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY, or point [jobs] env_file at \
                 the worker's .env"
                    .into(),
            ),
        ),
        JobsError::NoDsn { var, .. } => problem(
            "info",
            "jobs",
            error.to_string(),
            Some(format!(
                "set {var} in sparkdeck's environment or in [jobs] env_file"
            )),
        ),
        _ => problem(
            "warn",
            "jobs",
            error.to_string(),
            Some("sparkdeck jobs list shows the same error with more detail".into()),
        ),
    }
}

/// The host's own findings: an account outside the docker group where docker exists
/// (`docker_installed`: None when unknown) cannot see or manage containers. root reaches
/// the socket without the group; unknown groups prove nothing.
pub fn host_problems(info: &HostInfo, docker_installed: Option<bool>) -> Vec<Problem> {
    let user = info.user.as_deref().unwrap_or("unknown");
    let in_docker = info.groups.iter().any(|g| g == "docker");
    if docker_installed != Some(true) || in_docker || user == "root" || info.groups.is_empty() {
        return Vec::new();
    }
    vec![problem(
        "warn",
        "host",
        format!(
            "{user} in {}: not in the docker group",
            info.groups.join(",")
        ),
        Some(USERMOD_DOCKER.into()),
    )]
}

/// The fix for an account outside the docker group.
pub const USERMOD_DOCKER: &str =
    "sudo usermod -aG docker $USER, then log in again (or newgrp docker)";

/// A stuck queue is crit; a hint that sparkdeck and the worker may read different
/// Supabase projects is warn.
pub fn jobs_problems(summary: &JobsSummary) -> Vec<Problem> {
    let mut out = Vec::new();
    if summary.stuck {
        let total = summary.total.map_or("?".to_string(), |t| t.to_string());
        out.push(problem(
            "crit",
            "jobs",
            format!("queue stuck: jobs wait and none started recently ({total} jobs)"),
            Some("check the worker (its container or unit, Services tab) and its logs".into()),
        ));
    }
    for h in &summary.hints {
        out.push(problem(
            "warn",
            "jobs",
            h.clone(),
            Some(
                "point the worker and sparkdeck at the same Supabase (SUPABASE_URL in its .env)"
                    .into(),
            ),
        ));
    }
    out
}

/// GPU 0, an "NVIDIA GB10" with `memory` and nothing else known: the entry the
/// verdict tests here and in `doctor` grade.
#[cfg(test)]
pub(crate) fn test_gpu(memory: crate::metrics::MemoryView) -> GpuEntry {
    GpuEntry {
        index: 0,
        name: Some("NVIDIA GB10".into()),
        uuid: None,
        driver_version: None,
        utilization_pct: None,
        temperature_c: None,
        power_w: None,
        power_limit_w: None,
        clocks_mhz: super::GpuClocks {
            graphics: None,
            sm: None,
            memory: None,
        },
        memory,
        processes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::MemoryView;

    const GIB: u64 = 1 << 30;

    fn entry(kind: MemoryKind, headroom_gib: u64, psi: Option<f64>) -> GpuEntry {
        test_gpu(MemoryView {
            kind,
            total_bytes: Some(100 * GIB),
            used_bytes: Some(GIB),
            gpu_resident_bytes: Some(GIB),
            headroom_bytes: Some(headroom_gib * GIB),
            pressure_pct: psi,
        })
    }

    fn severities(ps: &[Problem]) -> Vec<&str> {
        ps.iter().map(|p| p.severity.as_str()).collect()
    }

    #[test]
    fn pressure_is_graded_at_its_borders() {
        let s = GpuSettings::default();
        let at = |psi| gpu_problems(&[entry(MemoryKind::Unified, 50, Some(psi))], None, &s);
        assert!(at(s.pressure_warn_pct - 0.1).is_empty());
        let warn = at(s.pressure_warn_pct);
        assert_eq!(severities(&warn), ["warn"]);
        assert_eq!(warn[0].row.as_deref(), Some("0"));
        assert!(
            warn[0].message.contains("pressure 10.0%"),
            "{}",
            warn[0].message
        );
        assert!(
            warn[0]
                .fix
                .as_deref()
                .unwrap()
                .contains("pressure_warn_pct 10%")
        );
        assert_eq!(severities(&at(s.pressure_crit_pct - 0.1)), ["warn"]);
        assert_eq!(severities(&at(s.pressure_crit_pct)), ["crit"]);
    }

    #[test]
    fn headroom_is_graded_as_a_share_of_the_pool() {
        let s = GpuSettings::default();
        let at = |gib| gpu_problems(&[entry(MemoryKind::Unified, gib, Some(0.0))], None, &s);
        // 100 GiB pool: 16 GiB is 16 %, above the 15 % border.
        assert!(at(16).is_empty());
        let warn = at(15);
        assert_eq!(severities(&warn), ["warn"]);
        assert_eq!(
            warn[0].message,
            "0 NVIDIA GB10: unified memory headroom 15.0 GiB, 15% of 100.0 GiB"
        );
        assert_eq!(warn[0].row.as_deref(), Some("0"));
        assert_eq!(severities(&at(6)), ["warn"]);
        assert_eq!(severities(&at(5)), ["crit"]);
        assert_eq!(severities(&at(0)), ["crit"]);
    }

    #[test]
    fn pressure_and_headroom_are_separate_problems() {
        let s = GpuSettings::default();
        let ps = gpu_problems(&[entry(MemoryKind::Unified, 3, Some(55.0))], None, &s);
        assert_eq!(severities(&ps), ["crit", "crit"]);
        assert!(ps[0].message.contains("pressure"));
        assert!(ps[1].message.contains("headroom"));
    }

    #[test]
    fn a_dedicated_gpu_is_not_judged_by_host_pressure_or_headroom() {
        let s = GpuSettings::default();
        // Framebuffer free 1 of 100 GiB would be "headroom" 1 % on a unified pool.
        let ps = gpu_problems(&[entry(MemoryKind::Dedicated, 1, Some(90.0))], None, &s);
        assert!(ps.is_empty(), "{ps:?}");
    }

    #[test]
    fn unknown_pressure_or_headroom_is_no_problem() {
        let s = GpuSettings::default();
        let mut e = entry(MemoryKind::Unified, 1, None);
        e.memory.headroom_bytes = None;
        assert!(gpu_problems(&[e.clone()], None, &s).is_empty());
        e.memory.headroom_bytes = Some(0);
        e.memory.total_bytes = None;
        assert!(gpu_problems(&[e], None, &s).is_empty());
    }

    #[test]
    fn thresholds_come_from_the_settings() {
        let s = GpuSettings {
            pressure_warn_pct: 1.0,
            pressure_crit_pct: 2.0,
            headroom_warn_pct: 60.0,
            headroom_crit_pct: 40.0,
            ..GpuSettings::default()
        };
        let ps = gpu_problems(&[entry(MemoryKind::Unified, 50, Some(1.5))], None, &s);
        assert_eq!(severities(&ps), ["warn", "warn"]);
    }

    #[test]
    fn a_host_without_the_driver_has_no_gpu_problem() {
        let s = GpuSettings::default();
        let local = "no NVIDIA GPU found: NVML could not be loaded (libnvidia-ml.so.1: cannot \
                     open shared object file: No such file or directory); cannot run \
                     nvidia-smi on local: could not start `nvidia-smi`: No such file or directory";
        assert!(gpu_problems(&[], Some(local), &s).is_empty());
        let remote = "nvidia-smi on spark exited with status 127: sh: nvidia-smi: not found";
        assert!(gpu_problems(&[], Some(remote), &s).is_empty());
        let lost = "nvidia-smi on spark exited with status 9: NVIDIA-SMI has failed because it \
                    couldn't communicate with the driver";
        assert_eq!(severities(&gpu_problems(&[], Some(lost), &s)), ["crit"]);
    }

    #[test]
    fn missing_credentials_are_info_other_read_errors_warn() {
        let none = JobsError::NoCredentials {
            file: ".env".into(),
            host: "spark".into(),
            detail: "missing".into(),
        };
        let p = jobs_error_problem(&none);
        assert_eq!((p.severity.as_str(), p.area.as_str()), ("info", "jobs"));
        assert!(p.fix.unwrap().contains("SUPABASE_SERVICE_ROLE_KEY"));
        let down = JobsError::Timeout {
            host: "db.example".into(),
            secs: 10,
        };
        let no_dsn = JobsError::NoDsn {
            var: "JOBS_DATABASE_URL".into(),
            file: ".env".into(),
            host: "spark".into(),
            detail: "missing".into(),
        };
        let p = jobs_error_problem(&no_dsn);
        assert_eq!(p.severity, "info");
        assert!(p.fix.unwrap().contains("JOBS_DATABASE_URL"));
        let p = jobs_error_problem(&down);
        assert_eq!(p.severity, "warn");
        assert_eq!(p.message, down.to_string());
        assert!(p.fix.is_some());
    }

    fn info(user: &str, groups: &[&str]) -> HostInfo {
        HostInfo {
            name: "spark".into(),
            hostname: None,
            source: "ssh".into(),
            user: Some(user.into()),
            groups: groups.iter().map(|g| g.to_string()).collect(),
            kernel: None,
            arch: None,
            uptime_s: None,
        }
    }

    #[test]
    fn outside_the_docker_group_only_matters_where_docker_is() {
        let alice = info("alice", &["alice", "sudo"]);
        let ps = host_problems(&alice, Some(true));
        assert_eq!(severities(&ps), ["warn"]);
        assert_eq!(ps[0].area, "host");
        assert_eq!(
            ps[0].message,
            "alice in alice,sudo: not in the docker group"
        );
        assert_eq!(ps[0].fix.as_deref(), Some(USERMOD_DOCKER));
        assert!(host_problems(&alice, Some(false)).is_empty());
        assert!(host_problems(&alice, None).is_empty());
        assert!(host_problems(&info("alice", &["docker"]), Some(true)).is_empty());
        assert!(host_problems(&info("root", &["root"]), Some(true)).is_empty());
        assert!(host_problems(&info("alice", &[]), Some(true)).is_empty());
    }
}
