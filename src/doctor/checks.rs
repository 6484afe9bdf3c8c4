//! Verdicts: what each source returned → one `Check`. Pure, so every threshold is tested
//! without a host.

use super::{Check, Status};
use crate::config::{GpuSettings, ModelsSettings};
use crate::jobs::JobsError;
use crate::model::{HostInfo, ServicesReport, SourceKind};
use crate::snapshot::{
    GpuEntry, JobsSummary, Problem, docker_read, gpu_problems, gpu_summary, host_problems,
    jobs_error_problem, jobs_problems, row_problem, source_problem,
};

/// `docker_installed`: whether the docker CLI exists on the host (None: unknown).
pub fn user_check(info: Result<&HostInfo, String>, docker_installed: Option<bool>) -> Check {
    let info = match info {
        Ok(i) => i,
        Err(e) => {
            return Check::new("user", "host", Status::Warn, format!("host facts: {e}"))
                .with_fix("check that the account can run id and uname on the host");
        }
    };
    let user = info.user.as_deref().unwrap_or("unknown");
    let groups = if info.groups.is_empty() {
        "unknown".to_string()
    } else {
        info.groups.join(",")
    };
    let ps = host_problems(info, docker_installed);
    let refs: Vec<&Problem> = ps.iter().collect();
    from_problems("user", "host", &refs, &format!("{user} in {groups}"))
}

/// From the Services engine's report: docker's own source problem, if any.
pub fn docker_check(report: &ServicesReport, docker_installed: Option<bool>) -> Check {
    let problem = report
        .problems
        .iter()
        .find(|p| p.source == SourceKind::Docker);
    match problem {
        None if docker_installed == Some(false) => Check::new(
            "docker",
            "services",
            Status::Skip,
            "skipped: docker is not installed and the catalogue wants no container",
        ),
        None => Check::new("docker", "services", Status::Ok, "docker answers"),
        Some(p) => {
            let m = p.message.to_ascii_lowercase();
            // Without the socket or the daemon, containers can neither be seen nor managed.
            let status = if m.contains("permission denied") || m.contains("not running") {
                Status::Crit
            } else {
                Status::Warn
            };
            let c = Check::new("docker", "services", status, p.message.clone());
            match &p.fix {
                Some(f) => c.with_fix(f.clone()),
                None => c,
            }
        }
    }
}

/// `entries` from the snapshot's GPU read, `error` its `gpus_error`.
pub fn gpu_check(entries: &[GpuEntry], error: Option<&str>, settings: &GpuSettings) -> Check {
    let ps = gpu_problems(entries, error, settings);
    if ps.is_empty() && entries.is_empty() {
        let seen = match error {
            Some(e) => format!("skipped: {e}"),
            None => "skipped: no NVIDIA GPU found".to_string(),
        };
        return Check::new("gpu", "gpu", Status::Skip, seen);
    }
    let refs: Vec<&Problem> = ps.iter().collect();
    let all: Vec<String> = entries.iter().map(gpu_summary).collect();
    from_problems("gpu", "gpu", &refs, &all.join("; "))
}

/// Problems named in one check's line; the rest are counted.
const SHOWN: usize = 3;

/// Crit and warn problems of `area` in one check; info is left to `snapshot`.
fn from_problems(id: &str, area: &str, ps: &[&Problem], ok_seen: &str) -> Check {
    let ps: Vec<&&Problem> = ps
        .iter()
        .filter(|p| p.severity == "warn" || p.severity == "crit")
        .collect();
    if ps.is_empty() {
        return Check::new(id, area, Status::Ok, ok_seen);
    }
    let status = if ps.iter().any(|p| p.severity == "crit") {
        Status::Crit
    } else {
        Status::Warn
    };
    // Crit first, so the lines shown are the ones that decide the status.
    let mut ordered = ps.clone();
    ordered.sort_by_key(|p| p.severity != "crit");
    let mut seen: Vec<&str> = ordered
        .iter()
        .take(SHOWN)
        .map(|p| p.message.as_str())
        .collect();
    let more = ordered.len().saturating_sub(SHOWN);
    let more_text = format!("(+{more} more: sparkdeck snapshot lists all)");
    if more > 0 {
        seen.push(&more_text);
    }
    let mut fixes: Vec<&str> = Vec::new();
    for f in ordered.iter().filter_map(|p| p.fix.as_deref()) {
        if !fixes.contains(&f) {
            fixes.push(f);
        }
    }
    fixes.truncate(SHOWN);
    let c = Check::new(id, area, status, seen.join("; "));
    if fixes.is_empty() {
        c.with_fix(format!("see the {area} tab for the rows named here"))
    } else {
        c.with_fix(fixes.join("; "))
    }
}

/// Rows in conflict, duplicated, required and down, or failing health → crit; sources that
/// could not be read → warn. docker's own problem is `docker_check`'s line, not repeated
/// here (its fix would crowd out the rows' fixes).
pub fn services_check(report: &ServicesReport) -> Check {
    let docker_read = docker_read(report);
    let ps: Vec<Problem> = report
        .problems
        .iter()
        .filter(|p| p.source != SourceKind::Docker)
        .map(source_problem)
        .chain(
            report
                .rows
                .iter()
                .filter_map(|r| row_problem(r, docker_read)),
        )
        .collect();
    let refs: Vec<&Problem> = ps.iter().collect();
    let rows = report.rows.iter().filter(|r| r.expected).count();
    from_problems(
        "services",
        "services",
        &refs,
        &format!("{rows} catalogued service(s) as expected"),
    )
}

/// From the models problems (`area == "models"`): full disks, missing defaults, unreadable
/// stores.
pub fn models_check(ps: &[Problem], settings: &ModelsSettings) -> Check {
    let refs: Vec<&Problem> = ps.iter().filter(|p| p.area == "models").collect();
    from_problems(
        "models",
        "models",
        &refs,
        &format!(
            "stores readable, disks under {:.0}%, defaults present",
            settings.disk_warn_pct
        ),
    )
}

pub fn jobs_check(result: &Result<JobsSummary, JobsError>) -> Check {
    let s = match result {
        Ok(s) => s,
        Err(e) => {
            let p = jobs_error_problem(e);
            // No credentials: this box may not run the worker at all.
            if p.severity == "info" {
                return Check::new("jobs", "jobs", Status::Skip, format!("skipped: {e}"));
            }
            return from_problems("jobs", "jobs", &[&p], "");
        }
    };
    let ps = jobs_problems(s);
    let refs: Vec<&Problem> = ps.iter().collect();
    let total = s.total.map_or("?".to_string(), |t| t.to_string());
    from_problems(
        "jobs",
        "jobs",
        &refs,
        &format!("queue moving ({total} jobs)"),
    )
}

/// Reached only after a connection. `accepted_new`: `--accept-new-host-key` was given, so
/// the key may have been recorded just now rather than known before.
pub fn ssh_check(remote: Option<&str>, accepted_new: bool) -> Check {
    match remote {
        None => Check::new("ssh", "host", Status::Ok, "local: no SSH in use"),
        Some(name) if accepted_new => Check::new(
            "ssh",
            "host",
            Status::Ok,
            format!("connected to {name}; host key known or recorded now (--accept-new-host-key)"),
        ),
        Some(name) => Check::new(
            "ssh",
            "host",
            Status::Ok,
            format!("connected to {name}; host key known"),
        ),
    }
}

/// Seconds the host is ahead of this machine; None for a local run.
pub fn clock_check(skew: Option<Result<i64, String>>) -> Check {
    let skew = match skew {
        None => return Check::new("clock", "host", Status::Ok, "local: same clock"),
        Some(Err(e)) => {
            return Check::new("clock", "host", Status::Warn, format!("cannot read: {e}"))
                .with_fix("check that date +%s runs on the host");
        }
        Some(Ok(s)) => s,
    };
    let status = match skew.unsigned_abs() {
        0..=5 => Status::Ok,
        6..=60 => Status::Warn,
        _ => Status::Crit,
    };
    let c = Check::new(
        "clock",
        "host",
        status,
        format!("host clock {skew:+} s from this machine"),
    );
    if status == Status::Ok {
        c
    } else {
        c.with_fix("enable time sync on both: sudo timedatectl set-ntp true")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::MemoryView;
    use crate::model::MemoryKind;
    use crate::snapshot::USERMOD_DOCKER;
    use crate::snapshot::findings::test_gpu;

    const GIB: u64 = 1 << 30;

    fn gb10(used_gib: u64) -> GpuEntry {
        test_gpu(MemoryView {
            kind: MemoryKind::Unified,
            total_bytes: Some(100 * GIB),
            used_bytes: Some(used_gib * GIB),
            gpu_resident_bytes: Some(used_gib * GIB),
            headroom_bytes: Some((100 - used_gib) * GIB),
            pressure_pct: Some(0.5),
        })
    }

    #[test]
    fn gpu_memory_share_is_judged_on_dedicated_gpus_only() {
        let s = GpuSettings::default();
        let c = gpu_check(&[gb10(10)], None, &s);
        assert_eq!(c.status, Status::Ok);
        assert_eq!(c.seen, "0 NVIDIA GB10 mem 10% headroom 90.0 GiB psi 0.5%");
        assert!(c.fix.is_none());
        // A GB10 running a model that takes most of the pool is fine while headroom and
        // pressure are.
        let mut big = gb10(70);
        big.memory.headroom_bytes = Some(40 * GIB);
        assert_eq!(gpu_check(&[big], None, &s).status, Status::Ok);
        let card = |pct: f64| {
            test_gpu(MemoryView {
                kind: MemoryKind::Dedicated,
                total_bytes: Some(100 * GIB),
                used_bytes: Some((pct * GIB as f64 / 100.0 * 100.0) as u64),
                gpu_resident_bytes: None,
                headroom_bytes: None,
                pressure_pct: None,
            })
        };
        assert_eq!(
            gpu_check(&[card(s.memory_warn_pct)], None, &s).status,
            Status::Ok
        );
        assert_eq!(
            gpu_check(&[card(s.memory_crit_pct - 0.5)], None, &s).status,
            Status::Ok
        );
        let full = gpu_check(&[card(s.memory_crit_pct)], None, &s);
        assert_eq!(full.status, Status::Warn, "never crit by itself: {full:?}");
        assert!(full.fix.unwrap().contains("memory_crit_pct"));
    }

    #[test]
    fn gpu_errors_crit_unless_no_driver() {
        let s = GpuSettings::default();
        let none = "no NVIDIA GPU found: NVML could not be loaded (libnvidia-ml.so.1: cannot \
                    open shared object file: No such file or directory); cannot run \
                    nvidia-smi on local: could not start `nvidia-smi`: No such file or directory";
        assert_eq!(gpu_check(&[], Some(none), &s).status, Status::Skip);
        let remote = "no NVIDIA GPU found: nvidia-smi --query-gpu on spark exited with status \
                      127: sh: nvidia-smi: not found";
        assert_eq!(gpu_check(&[], Some(remote), &s).status, Status::Skip);
        let broken = "no NVIDIA GPU found: nvidia-smi --query-gpu on spark exited with status \
                      9: NVIDIA-SMI has failed because it couldn't communicate with the driver";
        assert_eq!(gpu_check(&[], Some(broken), &s).status, Status::Crit);
        let reset = "nvidia-smi on spark: GPU 00000000:01:00.0: GPU requires reset";
        let c = gpu_check(&[gb10(10)], Some(reset), &s);
        assert_eq!(c.status, Status::Crit);
        assert!(c.fix.unwrap().contains("nvidia-smi -r"));
        assert_eq!(gpu_check(&[], Some("value ERR!"), &s).status, Status::Crit);
    }

    #[test]
    fn gpu_pressure_and_headroom_decide_the_gpu_line() {
        let s = GpuSettings::default();
        let mut g = gb10(10);
        g.memory.pressure_pct = Some(s.pressure_crit_pct);
        let c = gpu_check(&[g.clone()], None, &s);
        assert_eq!(c.status, Status::Crit);
        assert!(
            c.seen.contains("unified memory pressure 40.0%"),
            "{}",
            c.seen
        );
        g.memory.pressure_pct = Some(0.0);
        g.memory.headroom_bytes = Some(10 * GIB);
        let c = gpu_check(&[g], None, &s);
        assert_eq!(c.status, Status::Warn);
        assert!(c.fix.unwrap().contains("headroom_warn_pct"));
    }

    #[test]
    fn services_leave_docker_to_its_own_check_and_fix_the_rows() {
        use crate::model::{ServiceRow, ServiceState, ServicesReport, SourceProblem};
        let denied = SourceProblem {
            source: SourceKind::Docker,
            message: "the docker daemon is not running".into(),
            fix: Some("sudo systemctl start docker".into()),
        };
        let mut report = ServicesReport {
            problems: vec![denied],
            ..ServicesReport::default()
        };
        let c = services_check(&report);
        assert_eq!(c.status, Status::Ok, "{c:?}");
        assert_eq!(docker_check(&report, Some(true)).status, Status::Crit);
        report.rows.push(ServiceRow {
            id: "svc:Whisper".into(),
            name: "Whisper".into(),
            port: Some(9000),
            expected: true,
            required: true,
            state: Some(ServiceState::Down),
            ..ServiceRow::default()
        });
        let c = services_check(&report);
        assert_eq!(c.status, Status::Crit);
        assert_eq!(
            c.fix.as_deref(),
            Some("start Whisper so that it listens on port 9000")
        );
    }

    #[test]
    fn clock_skew_thresholds() {
        assert_eq!(clock_check(None).status, Status::Ok);
        assert_eq!(clock_check(Some(Ok(-5))).status, Status::Ok);
        assert_eq!(clock_check(Some(Ok(6))).status, Status::Warn);
        assert_eq!(clock_check(Some(Ok(-60))).status, Status::Warn);
        let c = clock_check(Some(Ok(61)));
        assert_eq!(
            (c.status, c.seen.as_str()),
            (Status::Crit, "host clock +61 s from this machine")
        );
        assert_eq!(clock_check(Some(Err("x".into()))).status, Status::Warn);
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
    fn user_needs_docker_group_only_where_docker_is() {
        let alice = info("alice", &["alice", "sudo"]);
        let c = user_check(Ok(&alice), Some(true));
        assert_eq!(c.status, Status::Warn);
        assert_eq!(c.fix.as_deref(), Some(USERMOD_DOCKER));
        assert_eq!(user_check(Ok(&alice), Some(false)).status, Status::Ok);
        assert_eq!(user_check(Ok(&alice), None).status, Status::Ok);
        let member = info("alice", &["alice", "docker"]);
        assert_eq!(user_check(Ok(&member), Some(true)).status, Status::Ok);
        assert_eq!(
            user_check(Ok(&info("root", &["root"])), Some(true)).status,
            Status::Ok
        );
    }

    fn summary(stuck: bool, hints: Vec<String>) -> JobsSummary {
        JobsSummary {
            total: Some(3),
            by_status: Default::default(),
            by_status_rows: 3,
            recent: Vec::new(),
            stuck,
            hints,
        }
    }

    #[test]
    fn jobs_stuck_crit_hints_warn_no_credentials_skip() {
        assert_eq!(jobs_check(&Ok(summary(false, vec![]))).status, Status::Ok);
        assert_eq!(jobs_check(&Ok(summary(true, vec![]))).status, Status::Crit);
        let hinted = jobs_check(&Ok(summary(false, vec!["local stack".into()])));
        assert_eq!(
            (hinted.status, hinted.seen.as_str()),
            (Status::Warn, "local stack")
        );
        let none = Err(JobsError::NoCredentials {
            file: ".env".into(),
            host: "spark".into(),
            detail: "missing".into(),
        });
        let c = jobs_check(&none);
        assert_eq!(c.status, Status::Skip);
        assert!(c.seen.starts_with("skipped: no Supabase credentials"));
        let bad = Err(JobsError::InvalidKey {
            masked: "ey…".into(),
        });
        assert_eq!(jobs_check(&bad).status, Status::Warn);
    }

    #[test]
    fn problems_crit_first_and_capped() {
        let p = |sev: &str, m: &str, fix: Option<&str>| Problem {
            severity: sev.into(),
            area: "models".into(),
            message: m.into(),
            fix: fix.map(str::to_string),
            row: None,
        };
        let ps = vec![
            p("info", "dup", Some("keep one")),
            p("warn", "w1", Some("same")),
            p("warn", "w2", Some("same")),
            p("warn", "w3", None),
            p("crit", "c1", Some("free disk")),
        ];
        let c = models_check(&ps, &ModelsSettings::default());
        assert_eq!(c.status, Status::Crit);
        assert_eq!(
            c.seen,
            "c1; w1; w2; (+1 more: sparkdeck snapshot lists all)"
        );
        assert_eq!(c.fix.as_deref(), Some("free disk; same"));
        let info_only = models_check(&ps[..1], &ModelsSettings::default());
        assert_eq!(info_only.status, Status::Ok);
    }
}
