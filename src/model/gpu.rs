//! GPU data as every source reports it (NVML, nvidia-smi CSV stream, `-q -x`), and the host
//! memory facts the unified-memory view needs. `None` always means "unknown / not supported",
//! never zero.

use serde::{Deserialize, Serialize};

/// One sample of one GPU. Every field is read on its own; a field a driver does not support
/// is `None` and never makes the whole sample fail.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GpuSample {
    pub index: u32,
    pub uuid: Option<String>,
    pub name: Option<String>,
    pub utilization_pct: Option<f64>,
    /// Memory-controller utilisation (stays 0 on GB10).
    pub memory_utilization_pct: Option<f64>,
    /// Framebuffer figures; `None` on GB10 (no framebuffer).
    pub memory_total_bytes: Option<u64>,
    pub memory_used_bytes: Option<u64>,
    pub temperature_c: Option<f64>,
    pub power_w: Option<f64>,
    pub power_limit_w: Option<f64>,
    pub clock_graphics_mhz: Option<u32>,
    pub clock_sm_mhz: Option<u32>,
    pub clock_memory_mhz: Option<u32>,
    pub fan_pct: Option<f64>,
    /// Performance state, e.g. "P0".
    pub pstate: Option<String>,
}

/// Facts that do not change between samples (from NVML or one `nvidia-smi -q -x`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GpuStatic {
    pub index: u32,
    pub uuid: Option<String>,
    pub name: Option<String>,
    pub driver_version: Option<String>,
    pub cuda_version: Option<String>,
    pub architecture: Option<String>,
    pub persistence_mode: Option<bool>,
    /// `HMM`, `ATS` (GB10), `None` when not reported.
    pub addressing_mode: Option<String>,
    pub memory_total_bytes: Option<u64>,
    pub power_limit_w: Option<f64>,
    pub pci_bus_id: Option<String>,
    /// MIG mode enabled on this device.
    pub mig_enabled: Option<bool>,
    /// Running inside a vGPU guest (GRID) when reported.
    pub virtualization_mode: Option<String>,
}

/// A process using a GPU.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GpuProcess {
    pub pid: u32,
    /// UUID of the GPU it runs on, when the source says.
    pub gpu_uuid: Option<String>,
    pub gpu_index: Option<u32>,
    /// Process name as the driver reports it (`VLLM::EngineCore`, `/usr/bin/python3`).
    pub name: String,
    pub used_memory_bytes: Option<u64>,
    /// Filled in from the host's /proc (may be unknown for other users' processes).
    pub user: Option<String>,
    /// Docker container (short id or name) from the process's cgroup.
    pub container: Option<String>,
    /// Full command line from /proc/<pid>/cmdline.
    pub command: Option<String>,
}

/// `/proc/meminfo` and `/proc/pressure/memory` of the host a GPU sits on.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct HostMemory {
    pub mem_total_bytes: Option<u64>,
    pub mem_available_bytes: Option<u64>,
    pub swap_free_bytes: Option<u64>,
    /// `some avg10` of /proc/pressure/memory, percent.
    pub pressure_some_avg10: Option<f64>,
    /// `full avg10`, percent.
    pub pressure_full_avg10: Option<f64>,
}

/// Dedicated framebuffer memory or one pool shared with the CPU (GB10, Grace).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemoryKind {
    Dedicated,
    Unified,
}

/// Which source the GPU figures come from, shown in the tab so nobody guesses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum GpuSourceState {
    /// Local NVML.
    Nvml,
    /// Local `nvidia-smi` (NVML could not load: reason kept for the tab).
    NvidiaSmiLocal { nvml_error: String },
    /// One long-running `nvidia-smi` stream over SSH.
    NvidiaSmiStream,
    /// The stream died or printed garbage; restarting after a backoff.
    Restarting { reason: String, attempt: u32 },
    /// Neither NVML nor nvidia-smi works on this host.
    NoGpu {
        nvml_error: Option<String>,
        smi_error: String,
    },
}

/// What a GPU collector reports, in order. Tagged with the connection by the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum GpuEvent {
    Source(GpuSourceState),
    Static(Vec<GpuStatic>),
    /// One sample of every GPU, taken at `at` (Unix seconds, fractional).
    Samples {
        at: f64,
        samples: Vec<GpuSample>,
    },
    Processes(Vec<GpuProcess>),
    HostMemory(HostMemory),
}
