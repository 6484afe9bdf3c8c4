//! GPU memory as DESIGN §3 defines it: framebuffer figures on a dedicated GPU; on a unified
//! one (GB10) the GPU-resident sum of process memory and the allocatable headroom of the host.

use crate::model::{GpuProcess, GpuSample, HostMemory, MemoryKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How far below MemTotal a reported "total" may be to call a device unified (Grace-class
/// drivers that do report a total report the whole system pool).
const SAME_POOL_TOLERANCE: f64 = 0.05;
/// How far above MemTotal it may be. A shared pool cannot be larger than what the kernel
/// sees, while a dedicated card's framebuffer (24564 MiB on an RTX A5000) is usually a bit
/// larger than the MemTotal of a box with the same nominal RAM (24 GiB less the kernel's
/// reservations); a symmetric window called such a card unified.
const SAME_POOL_ABOVE: f64 = 0.005;

/// The memory figures shown for one GPU (and written by `snapshot`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MemoryView {
    pub kind: MemoryKind,
    pub total_bytes: Option<u64>,
    pub used_bytes: Option<u64>,
    pub gpu_resident_bytes: Option<u64>,
    pub headroom_bytes: Option<u64>,
    pub pressure_pct: Option<f64>,
}

impl MemoryView {
    /// Used share of total, percent, when both are known.
    pub fn used_pct(&self) -> Option<f64> {
        match (self.used_bytes, self.total_bytes) {
            (Some(u), Some(t)) if t > 0 => Some(u as f64 * 100.0 / t as f64),
            _ => None,
        }
    }
}

/// Unified when the framebuffer is not reported, is zero, or is the host's whole RAM.
pub fn is_unified(sample: &GpuSample, host: Option<&HostMemory>) -> bool {
    match sample.memory_total_bytes {
        None | Some(0) => true,
        Some(total) => host
            .and_then(|h| h.mem_total_bytes)
            .filter(|&m| m > 0)
            .is_some_and(|m| {
                let rel = (total as f64 - m as f64) / m as f64;
                (-SAME_POOL_TOLERANCE..=SAME_POOL_ABOVE).contains(&rel)
            }),
    }
}

/// Σ memory of the processes on this GPU, each pid counted once (a process can be listed
/// as both compute and graphics). `None` when no process reports a figure.
pub fn gpu_resident_bytes(
    gpu: &GpuSample,
    processes: &[GpuProcess],
    gpu_count: usize,
) -> Option<u64> {
    let mut per_pid: BTreeMap<u32, u64> = BTreeMap::new();
    let mut any = false;
    for p in processes.iter().filter(|p| on_gpu(p, gpu, gpu_count)) {
        if let Some(m) = p.used_memory_bytes {
            any = true;
            let e = per_pid.entry(p.pid).or_default();
            *e = (*e).max(m);
        }
    }
    any.then(|| per_pid.values().sum())
}

/// Whether process `p` runs on `gpu`, judged by UUID, then index; a process that names no
/// GPU only counts on a single-GPU host.
pub fn on_gpu(p: &GpuProcess, gpu: &GpuSample, gpu_count: usize) -> bool {
    match (&p.gpu_uuid, &gpu.uuid, p.gpu_index) {
        (Some(pu), Some(gu), _) => pu == gu,
        (_, _, Some(i)) => i == gpu.index,
        // A source that does not say which GPU: only unambiguous on a single-GPU host.
        _ => gpu_count == 1,
    }
}

pub fn memory_view(
    gpu: &GpuSample,
    processes: &[GpuProcess],
    gpu_count: usize,
    host: Option<&HostMemory>,
) -> MemoryView {
    let resident = gpu_resident_bytes(gpu, processes, gpu_count);
    if is_unified(gpu, host) {
        let headroom = host.and_then(|h| match (h.mem_available_bytes, h.swap_free_bytes) {
            (Some(a), Some(s)) => Some(a.saturating_add(s)),
            (Some(a), None) => Some(a),
            _ => None,
        });
        MemoryView {
            kind: MemoryKind::Unified,
            total_bytes: host.and_then(|h| h.mem_total_bytes),
            used_bytes: resident,
            gpu_resident_bytes: resident,
            headroom_bytes: headroom,
            pressure_pct: host.and_then(|h| h.pressure_some_avg10),
        }
    } else {
        MemoryView {
            kind: MemoryKind::Dedicated,
            total_bytes: gpu.memory_total_bytes,
            used_bytes: gpu.memory_used_bytes,
            gpu_resident_bytes: resident,
            headroom_bytes: match (gpu.memory_total_bytes, gpu.memory_used_bytes) {
                (Some(t), Some(u)) => Some(t.saturating_sub(u)),
                _ => None,
            },
            pressure_pct: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GIB: u64 = 1 << 30;
    const MIB: u64 = 1 << 20;

    fn gb10() -> GpuSample {
        GpuSample {
            index: 0,
            uuid: Some("GPU-gb10".into()),
            name: Some("NVIDIA GB10".into()),
            ..Default::default()
        }
    }

    fn proc_(pid: u32, mib: Option<u64>, uuid: Option<&str>) -> GpuProcess {
        GpuProcess {
            pid,
            gpu_uuid: uuid.map(String::from),
            name: format!("p{pid}"),
            used_memory_bytes: mib.map(|m| m * MIB),
            ..Default::default()
        }
    }

    fn spark_host() -> HostMemory {
        HostMemory {
            mem_total_bytes: Some(128 * GIB),
            mem_available_bytes: Some(60 * GIB),
            swap_free_bytes: Some(16 * GIB),
            pressure_some_avg10: Some(1.5),
            pressure_full_avg10: Some(0.2),
        }
    }

    #[test]
    fn gb10_is_unified_and_counts_process_memory_once_per_pid() {
        // The surfer11may capture: Xorg 179 MiB, gnome-shell 48 MiB, vLLM 61383 MiB, and
        // the vLLM pid listed a second time (compute + graphics).
        let procs = [
            proc_(2316, Some(179), Some("GPU-gb10")),
            proc_(2486, Some(48), Some("GPU-gb10")),
            proc_(3012, Some(61383), Some("GPU-gb10")),
            proc_(3012, Some(61383), Some("GPU-gb10")),
            proc_(9999, Some(5000), Some("GPU-other")),
        ];
        let host = spark_host();
        let v = memory_view(&gb10(), &procs, 2, Some(&host));
        assert_eq!(v.kind, MemoryKind::Unified);
        assert_eq!(v.gpu_resident_bytes, Some((179 + 48 + 61383) * MIB));
        assert_eq!(v.used_bytes, v.gpu_resident_bytes);
        assert_eq!(v.total_bytes, Some(128 * GIB));
        assert_eq!(v.headroom_bytes, Some(76 * GIB));
        assert_eq!(v.pressure_pct, Some(1.5));
    }

    #[test]
    fn unified_without_host_facts_stays_honest() {
        let v = memory_view(&gb10(), &[], 1, None);
        assert_eq!(v.kind, MemoryKind::Unified);
        assert_eq!(v.total_bytes, None);
        assert_eq!(v.used_bytes, None);
        assert_eq!(v.headroom_bytes, None);
        assert_eq!(v.used_pct(), None);
    }

    #[test]
    fn total_equal_to_host_ram_or_zero_means_unified() {
        let host = spark_host();
        let mut s = gb10();
        s.memory_total_bytes = Some(0);
        assert!(is_unified(&s, Some(&host)));
        s.memory_total_bytes = Some(127 * GIB);
        assert!(is_unified(&s, Some(&host)));
        s.memory_total_bytes = Some(96 * GIB);
        assert!(!is_unified(&s, Some(&host)));
        assert!(!is_unified(&s, None));
    }

    #[test]
    fn a_card_as_large_as_the_hosts_ram_stays_dedicated() {
        // An RTX A5000 (24564 MiB) in a box with 24 GiB of RAM, of which the kernel shows
        // 25276510208 bytes as MemTotal: 1.9 % below the card, not the same pool.
        let host = HostMemory {
            mem_total_bytes: Some(25_276_510_208),
            ..Default::default()
        };
        let card = GpuSample {
            memory_total_bytes: Some(24564 * MIB),
            memory_used_bytes: Some(22437 * MIB),
            ..Default::default()
        };
        assert!(!is_unified(&card, Some(&host)));
        assert_eq!(
            memory_view(&card, &[], 2, Some(&host)).kind,
            MemoryKind::Dedicated
        );
        // A pool reported a hair above MemTotal (rounding) is still the same pool.
        let pool = GpuSample {
            memory_total_bytes: Some(25_276_510_208 + 64 * MIB),
            ..Default::default()
        };
        assert!(is_unified(&pool, Some(&host)));
    }

    #[test]
    fn dedicated_uses_framebuffer_figures() {
        let s = GpuSample {
            index: 1,
            memory_total_bytes: Some(24 * GIB),
            memory_used_bytes: Some(6 * GIB),
            ..Default::default()
        };
        let procs = [GpuProcess {
            pid: 7,
            gpu_index: Some(1),
            used_memory_bytes: Some(5 * GIB),
            ..Default::default()
        }];
        let v = memory_view(&s, &procs, 2, Some(&spark_host()));
        assert_eq!(v.kind, MemoryKind::Dedicated);
        assert_eq!(v.used_bytes, Some(6 * GIB));
        assert_eq!(v.headroom_bytes, Some(18 * GIB));
        assert_eq!(v.gpu_resident_bytes, Some(5 * GIB));
        assert_eq!(v.used_pct(), Some(25.0));
    }

    #[test]
    fn processes_without_a_gpu_reference_count_only_on_single_gpu_hosts() {
        let procs = [proc_(1, Some(100), None)];
        assert_eq!(gpu_resident_bytes(&gb10(), &procs, 1), Some(100 * MIB));
        assert_eq!(gpu_resident_bytes(&gb10(), &procs, 2), None);
        assert_eq!(
            gpu_resident_bytes(&gb10(), &[proc_(1, None, None)], 1),
            None
        );
    }
}
