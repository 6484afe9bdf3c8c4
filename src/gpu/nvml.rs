//! NVML behind a trait, so the collector logic is tested without a GPU, and the real
//! implementation over nvml-wrapper. Every field is read on its own: a driver that does not
//! support one (GB10 has no framebuffer figures, no power cap, no fans) leaves that field
//! `None` and never loses the rest of the sample.

use crate::model::{GpuProcess, GpuSample, GpuStatic};
use nvml_wrapper::Nvml;
use nvml_wrapper::enum_wrappers::device::{Clock, TemperatureSensor};
use nvml_wrapper::enums::device::UsedGpuMemory;
use std::collections::BTreeMap;

/// What the collectors need from NVML.
pub trait NvmlApi: Send {
    fn device_count(&self) -> Result<u32, String>;
    fn sample(&self, index: u32) -> GpuSample;
    fn static_info(&self, index: u32) -> GpuStatic;
    fn processes(&self, index: u32) -> Vec<GpuProcess>;
}

/// The local driver's NVML.
pub struct RealNvml {
    nvml: Nvml,
}

impl RealNvml {
    /// Loads `libnvidia-ml.so.1`. The error text is shown in the GPU tab when the collector
    /// falls back to `nvidia-smi`, so it says what failed and what to check.
    pub fn init() -> Result<RealNvml, String> {
        Nvml::init().map(|nvml| RealNvml { nvml }).map_err(|e| {
            format!(
                "NVML could not be loaded ({e}); is the NVIDIA driver installed and \
                 libnvidia-ml.so.1 on the library path?"
            )
        })
    }
}

/// `NVML_DEVICE_MIG_ENABLE` of nvml.h (nvml-wrapper-sys is not a direct dependency).
const NVML_DEVICE_MIG_ENABLE: u32 = 1;

fn mhz(v: Result<u32, nvml_wrapper::error::NvmlError>) -> Option<u32> {
    v.ok()
}

impl NvmlApi for RealNvml {
    fn device_count(&self) -> Result<u32, String> {
        self.nvml
            .device_count()
            .map_err(|e| format!("NVML cannot count the GPUs: {e}"))
    }

    fn sample(&self, index: u32) -> GpuSample {
        let mut s = GpuSample {
            index,
            ..Default::default()
        };
        let Ok(d) = self.nvml.device_by_index(index) else {
            return s;
        };
        s.uuid = d.uuid().ok();
        s.name = d.name().ok();
        if let Ok(u) = d.utilization_rates() {
            s.utilization_pct = Some(f64::from(u.gpu));
            s.memory_utilization_pct = Some(f64::from(u.memory));
        }
        if let Ok(m) = d.memory_info() {
            s.memory_total_bytes = Some(m.total);
            s.memory_used_bytes = Some(m.used);
        }
        s.temperature_c = d.temperature(TemperatureSensor::Gpu).ok().map(f64::from);
        s.power_w = d.power_usage().ok().map(|mw| f64::from(mw) / 1000.0);
        s.power_limit_w = d
            .enforced_power_limit()
            .ok()
            .map(|mw| f64::from(mw) / 1000.0);
        s.clock_graphics_mhz = mhz(d.clock_info(Clock::Graphics));
        s.clock_sm_mhz = mhz(d.clock_info(Clock::SM));
        s.clock_memory_mhz = mhz(d.clock_info(Clock::Memory));
        // GB10 has no fans: num_fans is 0 or unsupported, and the field stays unknown.
        if d.num_fans().is_ok_and(|n| n > 0) {
            s.fan_pct = d.fan_speed(0).ok().map(f64::from);
        }
        s.pstate = d
            .performance_state()
            .ok()
            .map(|p| p.as_c())
            .filter(|&p| p <= 15)
            .map(|p| format!("P{p}"));
        s
    }

    fn static_info(&self, index: u32) -> GpuStatic {
        let mut st = GpuStatic {
            index,
            driver_version: self.nvml.sys_driver_version().ok(),
            cuda_version: self
                .nvml
                .sys_cuda_driver_version()
                .ok()
                .map(|v| format!("{}.{}", v / 1000, v % 1000 / 10)),
            ..Default::default()
        };
        let Ok(d) = self.nvml.device_by_index(index) else {
            return st;
        };
        st.uuid = d.uuid().ok();
        st.name = d.name().ok();
        st.architecture = d.architecture().ok().map(|a| a.to_string());
        st.persistence_mode = d.is_in_persistent_mode().ok();
        st.memory_total_bytes = d.memory_info().ok().map(|m| m.total);
        st.power_limit_w = d
            .enforced_power_limit()
            .ok()
            .map(|mw| f64::from(mw) / 1000.0);
        st.pci_bus_id = d.pci_info().ok().map(|p| p.bus_id);
        st.mig_enabled = d
            .mig_mode()
            .ok()
            .map(|m| m.current == NVML_DEVICE_MIG_ENABLE);
        st.virtualization_mode = d.virtualization_mode().ok().map(|m| format!("{m:?}"));
        st
    }

    fn processes(&self, index: u32) -> Vec<GpuProcess> {
        let Ok(d) = self.nvml.device_by_index(index) else {
            return Vec::new();
        };
        let uuid = d.uuid().ok();
        // A process can hold a compute and a graphics context; list it once, with the larger
        // figure, so per-GPU sums stay right.
        let mut by_pid: BTreeMap<u32, Option<u64>> = BTreeMap::new();
        let lists = [
            d.running_compute_processes(),
            d.running_graphics_processes(),
        ];
        for info in lists.into_iter().flatten().flatten() {
            let mem = match info.used_gpu_memory {
                UsedGpuMemory::Used(b) => Some(b),
                UsedGpuMemory::Unavailable => None,
            };
            let e = by_pid.entry(info.pid).or_insert(None);
            *e = (*e).max(mem);
        }
        by_pid
            .into_iter()
            .map(|(pid, used_memory_bytes)| GpuProcess {
                pid,
                gpu_uuid: uuid.clone(),
                gpu_index: Some(index),
                name: process_name(pid),
                used_memory_bytes,
                ..Default::default()
            })
            .collect()
    }
}

/// NVML gives pids only; the name is the process's `comm`, as nvidia-smi shows it.
fn process_name(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// A scripted NVML for tests of the collector logic (no GPU on CI machines).
#[derive(Debug, Clone)]
pub struct FakeNvml {
    pub count: Result<u32, String>,
    /// Returned by `sample(i)` for the entry whose `index` is `i`.
    pub samples: Vec<GpuSample>,
    pub statics: Vec<GpuStatic>,
    /// Returned by `processes(i)` when their `gpu_index` is `i`.
    pub processes: Vec<GpuProcess>,
}

impl NvmlApi for FakeNvml {
    fn device_count(&self) -> Result<u32, String> {
        self.count.clone()
    }
    fn sample(&self, index: u32) -> GpuSample {
        let found = self.samples.iter().find(|s| s.index == index).cloned();
        found.unwrap_or(GpuSample {
            index,
            ..Default::default()
        })
    }
    fn static_info(&self, index: u32) -> GpuStatic {
        let found = self.statics.iter().find(|s| s.index == index).cloned();
        found.unwrap_or(GpuStatic {
            index,
            ..Default::default()
        })
    }
    fn processes(&self, index: u32) -> Vec<GpuProcess> {
        self.processes
            .iter()
            .filter(|p| p.gpu_index == Some(index))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_without_a_driver_reports_why() {
        // This machine has no NVIDIA driver: the real loader must fail, with a reason the tab
        // can show. On a machine with a GPU it loads and counts at least one device.
        match RealNvml::init() {
            Err(e) => {
                assert!(e.starts_with("NVML could not be loaded ("), "{e}");
                assert!(e.contains("libnvidia-ml.so.1"), "{e}");
            }
            Ok(n) => assert!(n.device_count().is_ok_and(|c| c > 0)),
        }
    }
}
