//! The `problems` of the GPU and jobs sections. `doctor` and the dashboard's problems bar
//! judge the same lists, so a finding reads the same in all three places.

use super::{GpuEntry, JobsSummary, Problem};
use crate::config::GpuSettings;
use crate::model::MemoryKind;

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
            part.push_str(&format!(
                " headroom {:.1} GiB",
                h as f64 / (1u64 << 30) as f64
            ));
        }
        if let Some(p) = m.pressure_pct {
            part.push_str(&format!(" psi {p:.1}%"));
        }
    }
    part
}

/// What is red about the GPUs: a driver error (reset needed, `ERR!`, GPU lost) and each GPU
/// over the memory thresholds. `error` is the read's error; a host without the driver has
/// none. `row` is the GPU index.
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
        let Some(used) = g.memory.used_pct() else {
            continue;
        };
        let severity = if used >= settings.memory_crit_pct {
            "crit"
        } else if used >= settings.memory_warn_pct {
            "warn"
        } else {
            continue;
        };
        let mut p = problem(
            severity,
            "gpu",
            gpu_summary(g),
            Some(format!(
                "memory over [gpu] memory_warn_pct {:.0}% / memory_crit_pct {:.0}%: stop or \
                 shrink a model (GPU tab, k) before the OOM killer does",
                settings.memory_warn_pct, settings.memory_crit_pct
            )),
        );
        p.row = Some(g.index.to_string());
        out.push(p);
    }
    out
}

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
