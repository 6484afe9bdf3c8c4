//! Runs every check against one host at once, each under its own time-out, so a source
//! that hangs or fails costs only its own line.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;

use super::checks::{
    clock_check, docker_check, gpu_check, jobs_check, models_check, services_check, ssh_check,
    user_check,
};
use super::xid::with_xid;
use super::{Check, Report, Status};
use crate::config::Config;
use crate::gpu::gpus_once;
use crate::host::{Host, HostKind};
use crate::jobs::{self, JobsBackend};
use crate::models::ModelsEngine;
use crate::services::ServicesEngine;
use crate::snapshot::{
    backend_summary, docker_installed, gpu_entries, jobs_summary, models_problems,
};
use crate::sources::host_info;

/// Limit of each quick check (host facts, GPU read, docker, jobs, clock).
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(20);
/// Limit of the checks that walk model stores or probe every service.
pub const SCAN_TIMEOUT: Duration = Duration::from_secs(60);

async fn limited<T>(limit: Duration, what: &str, f: impl Future<Output = T>) -> Result<T, String> {
    tokio::time::timeout(limit, f)
        .await
        .map_err(|_| format!("{what} gave no answer within {} s", limit.as_secs()))
}

fn timed_out(id: &str, area: &str, why: String) -> Check {
    Check::new(id, area, Status::Warn, why).with_fix(format!(
        "run sparkdeck snapshot to see which part of {area} hangs"
    ))
}

/// The XID lines of the host's kernel log, or why it could not be read.
async fn kernel_xids(host: &dyn Host) -> Result<Vec<String>, String> {
    let out = host
        .exec(&["dmesg"])
        .await
        .map_err(|e| format!("dmesg on {}: {e}", host.name()))?;
    if !out.success() {
        return Err(out.stderr_str().trim().to_string());
    }
    Ok(super::xid::xid_lines(&out.stdout_str()))
}

/// Seconds the host's clock is ahead of this one, halfway through the round trip.
async fn skew_s(host: &dyn Host) -> Result<i64, String> {
    let before = OffsetDateTime::now_utc().unix_timestamp();
    let out = host
        .exec(&["date", "+%s"])
        .await
        .map_err(|e| format!("date +%s on {}: {e}", host.name()))?;
    let after = OffsetDateTime::now_utc().unix_timestamp();
    let remote: i64 = out
        .stdout_str()
        .trim()
        .parse()
        .map_err(|_| format!("date +%s printed {:?}", out.stdout_str().trim()))?;
    Ok(remote - (before + after) / 2)
}

/// Every check against `host` (already connected: for a remote host that means its key
/// passed the Strict policy, or was accepted when `accepted_new`).
pub async fn run(host: Arc<dyn Host>, config: &Config, accepted_new: bool) -> Report {
    let remote = (host.kind() != HostKind::Local).then(|| host.name().to_string());
    let h = host.as_ref();
    let installed = async {
        limited(
            CHECK_TIMEOUT,
            "docker lookup",
            docker_installed(h, &config.services.docker),
        )
        .await
        .ok()
        .flatten()
    };
    let facts = limited(CHECK_TIMEOUT, "host facts", host_info::collect(h));
    let gpus = limited(
        CHECK_TIMEOUT,
        "GPU read",
        gpus_once(h, remote.is_none(), None, "nvidia-smi"),
    );
    let services = limited(SCAN_TIMEOUT, "services refresh", async {
        ServicesEngine::new(host.clone(), &config.services)
            .refresh()
            .await
    });
    let models = limited(SCAN_TIMEOUT, "models scan", async {
        let report = ModelsEngine::new(host.clone(), &config.models)
            .refresh(true, &|_| {})
            .await;
        models_problems(&report, &config.models)
    });
    let queue = limited(CHECK_TIMEOUT, "jobs queue", async {
        let now = OffsetDateTime::now_utc();
        if config.jobs.backend == "postgres" {
            let backend = JobsBackend::for_host(h, &config.jobs).await?;
            return backend_summary(&backend, None, now).await;
        }
        let (client, creds) = jobs::client_for(h, &config.jobs).await?;
        jobs_summary(&client, &creds, now).await
    });
    let xids = limited(CHECK_TIMEOUT, "kernel log", kernel_xids(h));
    let clock = async {
        match remote {
            None => None,
            Some(_) => Some(
                limited(CHECK_TIMEOUT, "clock read", skew_s(h))
                    .await
                    .and_then(|r| r),
            ),
        }
    };
    let (installed, facts, gpus, services, models, queue, clock, xids) =
        tokio::join!(installed, facts, gpus, services, models, queue, clock, xids);

    let user = match &facts {
        Ok(Ok(info)) => user_check(Ok(info), installed),
        Ok(Err(e)) => user_check(Err(e.to_string()), installed),
        Err(why) => timed_out("user", "host", why.clone()),
    };
    let (docker, services) = match &services {
        Ok(report) => (docker_check(report, installed), services_check(report)),
        Err(why) => (
            timed_out("docker", "services", why.clone()),
            timed_out("services", "services", why.clone()),
        ),
    };
    let gpu = match &gpus {
        Ok(read) => with_xid(
            gpu_check(&gpu_entries(read), read.error.as_deref(), &config.gpu),
            xids.and_then(|r| r),
        ),
        Err(why) => Check::new("gpu", "gpu", Status::Crit, why.clone())
            .with_fix("nvidia-smi hangs: the driver may have lost the GPU; reboot the host"),
    };
    let models = match &models {
        Ok(ps) => models_check(ps, &config.models),
        Err(why) => timed_out("models", "models", why.clone()),
    };
    let jobs = match &queue {
        Ok(r) => jobs_check(r),
        Err(why) => timed_out("jobs", "jobs", why.clone()),
    };
    let checks = vec![
        ssh_check(remote.as_deref(), accepted_new),
        clock_check(clock),
        user,
        docker,
        gpu,
        services,
        models,
        jobs,
    ];
    Report::new(host.name(), checks)
}

/// The report when the connection itself failed: the `ssh` check carries the error (it
/// names `--accept-new-host-key` for an unknown key) and every other check is skipped.
pub fn unreachable(name: &str, error: &str) -> Report {
    let mut checks =
        vec![Check::new("ssh", "host", Status::Crit, error).with_fix(connect_fix(error))];
    for (id, area) in [
        ("clock", "host"),
        ("user", "host"),
        ("docker", "services"),
        ("gpu", "gpu"),
        ("services", "services"),
        ("models", "models"),
        ("jobs", "jobs"),
    ] {
        checks.push(Check::new(id, area, Status::Skip, "skipped: no connection"));
    }
    Report::new(name, checks)
}

fn connect_fix(error: &str) -> String {
    if error.contains("--accept-new-host-key") {
        "verify the fingerprint, then run again with --accept-new-host-key".to_string()
    } else {
        "check the host, user and key (ssh -v NAME shows the same attempt)".to_string()
    }
}
