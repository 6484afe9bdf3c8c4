//! One read of every GPU on a host, for `snapshot`: NVML locally, else one `--query-gpu` CSV
//! exec (no `-lms`), one driver-version query and one process/memory poll.

use crate::gpu::collect::read_host_memory;
use crate::gpu::nvml::{NvmlApi, RealNvml};
use crate::gpu::poll::Poller;
use crate::host::Host;
use crate::model::{GpuProcess, GpuSample, HostMemory};

use crate::sources::gpu::{parse_gpu_line, query_gpu_arg};

/// Everything `snapshot` reports about the GPUs of one host.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GpuSnapshot {
    pub samples: Vec<GpuSample>,
    /// Driver version per GPU index (the same for all GPUs of a host, when known).
    pub driver_version: Option<String>,
    pub processes: Vec<GpuProcess>,
    pub host_memory: Option<HostMemory>,
    /// Why no GPU could be read (both NVML's and nvidia-smi's reasons); `None` when read.
    pub error: Option<String>,
}

/// `nvml`: used on a local host; `None` loads the real NVML there.
pub async fn gpus_once(
    host: &dyn Host,
    local: bool,
    nvml: Option<&dyn NvmlApi>,
    smi: &str,
) -> GpuSnapshot {
    let mut nvml_error = None;
    if local {
        let loaded;
        let api: Result<&dyn NvmlApi, String> = match nvml {
            Some(api) => Ok(api),
            None => match RealNvml::init() {
                Ok(n) => {
                    loaded = n;
                    Ok(&loaded)
                }
                Err(e) => Err(e),
            },
        };
        match api.and_then(|api| api.device_count().map(|n| (api, n))) {
            Ok((api, n)) if n > 0 => return from_nvml(host, api, n).await,
            Ok(_) => nvml_error = Some("NVML found no GPU".to_string()),
            Err(e) => nvml_error = Some(e),
        }
    }
    match from_smi(host, smi).await {
        Ok(snap) => snap,
        Err(smi_error) => GpuSnapshot {
            error: Some(match nvml_error {
                Some(n) => format!("no NVIDIA GPU found: {n}; {smi_error}"),
                None => format!("no NVIDIA GPU found: {smi_error}"),
            }),
            ..Default::default()
        },
    }
}

async fn from_nvml(host: &dyn Host, api: &dyn NvmlApi, count: u32) -> GpuSnapshot {
    let samples: Vec<GpuSample> = (0..count).map(|i| api.sample(i)).collect();
    let driver_version = (count > 0)
        .then(|| api.static_info(0).driver_version)
        .flatten();
    let mut processes: Vec<GpuProcess> = (0..count).flat_map(|i| api.processes(i)).collect();
    Poller::default().enrich_only(host, &mut processes).await;
    GpuSnapshot {
        samples,
        driver_version,
        processes,
        host_memory: read_host_memory(host).await,
        error: None,
    }
}

async fn from_smi(host: &dyn Host, smi: &str) -> Result<GpuSnapshot, String> {
    let query = query_gpu_arg();
    let out = host
        .exec(&[smi, &query, "--format=csv,noheader,nounits"])
        .await
        .map_err(|e| format!("cannot run {smi} on {}: {e}", host.name()))?;
    if !out.success() {
        let stderr = out.stderr_str();
        let stdout = out.stdout_str();
        let why = [stderr.trim(), stdout.trim()]
            .into_iter()
            .find(|s| !s.is_empty())
            .and_then(|s| s.lines().next())
            .unwrap_or("")
            .to_string();
        return Err(format!(
            "{smi} --query-gpu on {} exited with {}{}",
            host.name(),
            out.status
                .map_or("a signal".to_string(), |c| format!("status {c}")),
            if why.is_empty() {
                String::new()
            } else {
                format!(": {why}")
            }
        ));
    }
    let samples: Vec<GpuSample> = out
        .stdout_str()
        .lines()
        .filter_map(|l| parse_gpu_line(l).ok())
        .collect();
    if samples.is_empty() {
        return Err(format!(
            "{smi} --query-gpu on {} printed no readable GPU line",
            host.name()
        ));
    }
    let driver_version = match host
        .exec(&[smi, "--query-gpu=driver_version", "--format=csv,noheader"])
        .await
    {
        Ok(o) if o.success() => o
            .stdout_str()
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('['))
            .map(String::from),
        _ => None,
    };
    let polled = Poller::default().poll(host, smi).await;
    Ok(GpuSnapshot {
        samples,
        driver_version,
        processes: polled.processes.unwrap_or_default(),
        host_memory: polled.memory,
        error: None,
    })
}
