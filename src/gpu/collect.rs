//! The GPU collector of one connection: picks the source (NVML locally, else nvidia-smi,
//! else "no GPU" with both reasons) and reports `GpuEvent`s until cancelled.

use crate::config::GpuSettings;
use crate::gpu::nvml::{NvmlApi, RealNvml};
use crate::gpu::poll::Poller;
use crate::gpu::stream;
use crate::host::Host;
use crate::model::{GpuEvent, GpuProcess, GpuSample, GpuSourceState, GpuStatic, HostMemory};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

use crate::sources::gpu::parse_xml;
use crate::sources::proc::{parse_meminfo, parse_pressure};

/// How often a host without any usable GPU source is tried again.
pub const NO_GPU_RETRY: Duration = Duration::from_secs(60);

/// Runs until `cancel` fires (or the receiver of `emit` is gone).
///
/// `nvml`: the NVML to use on a local host; `None` loads the real one (and keeps its error
/// for the tab when it cannot load). Ignored for remote hosts, whose GPUs NVML cannot see.
/// `smi`: the nvidia-smi program, normally `"nvidia-smi"`.
pub async fn run(
    host: Arc<dyn Host>,
    local: bool,
    settings: GpuSettings,
    nvml: Option<Box<dyn NvmlApi>>,
    smi: String,
    emit: UnboundedSender<GpuEvent>,
    cancel: CancellationToken,
) {
    let mut nvml_error = None;
    if local {
        let api = match nvml {
            Some(api) => Ok(api),
            None => match tokio::task::spawn_blocking(RealNvml::init).await {
                Ok(r) => r.map(|n| Box::new(n) as Box<dyn NvmlApi>),
                Err(e) => Err(format!("loading NVML panicked: {e}")),
            },
        };
        match api {
            Ok(api) => match api.device_count() {
                Ok(n) if n > 0 => {
                    return run_nvml(host, settings, api, n, emit, cancel).await;
                }
                Ok(_) => nvml_error = Some("NVML found no GPU".to_string()),
                Err(e) => nvml_error = Some(e),
            },
            Err(e) => nvml_error = Some(e),
        }
    }
    run_smi(host.as_ref(), &settings, nvml_error, &smi, &emit, &cancel).await;
}

// ---- NVML (local) ----------------------------------------------------------------------

type SharedNvml = Arc<Mutex<Box<dyn NvmlApi>>>;

/// Runs a closure on the NVML handle off the async threads (NVML calls can block).
async fn on_nvml<T: Send + 'static>(
    api: &SharedNvml,
    f: impl FnOnce(&dyn NvmlApi) -> T + Send + 'static,
) -> Option<T> {
    let api = Arc::clone(api);
    tokio::task::spawn_blocking(move || {
        // A panic inside a driver call poisons the lock; the handle itself is still usable.
        let guard = api.lock().unwrap_or_else(|p| p.into_inner());
        f(guard.as_ref())
    })
    .await
    .ok()
}

async fn run_nvml(
    host: Arc<dyn Host>,
    settings: GpuSettings,
    api: Box<dyn NvmlApi>,
    count: u32,
    emit: UnboundedSender<GpuEvent>,
    cancel: CancellationToken,
) {
    let api: SharedNvml = Arc::new(Mutex::new(api));
    let _ = emit.send(GpuEvent::Source(GpuSourceState::Nvml));
    let statics: Vec<GpuStatic> = on_nvml(&api, move |n| {
        (0..count).map(|i| n.static_info(i)).collect()
    })
    .await
    .unwrap_or_default();
    let _ = emit.send(GpuEvent::Static(statics));

    let samples = async {
        let mut tick = interval(Duration::from_millis(settings.interval_ms.max(1)));
        loop {
            tick.tick().await;
            let Some(samples) = on_nvml(&api, move |n| {
                (0..count).map(|i| n.sample(i)).collect::<Vec<GpuSample>>()
            })
            .await
            else {
                continue;
            };
            let at = stream::now();
            if emit.send(GpuEvent::Samples { at, samples }).is_err() {
                return;
            }
        }
    };
    let processes = async {
        let mut poller = Poller::default();
        let mut tick = interval(Duration::from_secs(settings.processes_interval_s.max(1)));
        loop {
            tick.tick().await;
            let mut procs: Vec<GpuProcess> = on_nvml(&api, move |n| {
                (0..count).flat_map(|i| n.processes(i)).collect()
            })
            .await
            .unwrap_or_default();
            poller.enrich_only(host.as_ref(), &mut procs).await;
            if emit.send(GpuEvent::Processes(procs)).is_err() {
                return;
            }
            if let Some(mem) = read_host_memory(host.as_ref()).await {
                let _ = emit.send(GpuEvent::HostMemory(mem));
            }
        }
    };
    tokio::select! {
        _ = cancel.cancelled() => {}
        _ = samples => {}
        _ = processes => {}
    }
}

fn interval(period: Duration) -> tokio::time::Interval {
    let mut i = tokio::time::interval(period);
    // A stalled host must not cause a burst of catch-up reads.
    i.set_missed_tick_behavior(MissedTickBehavior::Delay);
    i
}

/// /proc/meminfo and /proc/pressure/memory through the host (pressure is absent on kernels
/// without PSI; the figures then stay unknown).
pub async fn read_host_memory(host: &dyn Host) -> Option<HostMemory> {
    let meminfo = host.read_file("/proc/meminfo").await.ok()?;
    let mut mem = parse_meminfo(&String::from_utf8_lossy(&meminfo));
    if let Ok(p) = host.read_file("/proc/pressure/memory").await {
        let (some, full) = parse_pressure(&String::from_utf8_lossy(&p));
        mem.pressure_some_avg10 = some;
        mem.pressure_full_avg10 = full;
    }
    Some(mem)
}

// ---- nvidia-smi (remote, or local without NVML) ------------------------------------------

/// One `nvidia-smi -q -x`: static facts and the GPU count. `Err` says why nvidia-smi is
/// unusable on this host.
pub async fn read_static(host: &dyn Host, smi: &str) -> Result<Vec<GpuStatic>, String> {
    let out = host
        .exec(&[smi, "-q", "-x"])
        .await
        .map_err(|e| format!("cannot run {smi} on {}: {e}", host.name()))?;
    if !out.success() {
        let status = out
            .status
            .map_or("a signal".to_string(), |c| format!("status {c}"));
        let stderr = out.stderr_str();
        let stdout = out.stdout_str();
        // nvidia-smi prints its own failures ("couldn't communicate with the NVIDIA driver")
        // on stdout; a missing program is reported by the shell on stderr.
        let why = [stderr.trim(), stdout.trim()]
            .into_iter()
            .find(|s| !s.is_empty())
            .and_then(|s| s.lines().next())
            .unwrap_or("");
        return Err(format!(
            "{smi} -q -x on {} exited with {status}{}",
            host.name(),
            if why.is_empty() {
                String::new()
            } else {
                format!(": {why}")
            }
        ));
    }
    match parse_xml(&out.stdout_str()) {
        Ok(report) => {
            // The versions are document-wide in `-q -x`; every GPU carries them here.
            let mut statics = report.statics;
            for st in &mut statics {
                st.driver_version = st.driver_version.take().or(report.driver_version.clone());
                st.cuda_version = st.cuda_version.take().or(report.cuda_version.clone());
            }
            Ok(statics)
        }
        Err(e) => {
            // The stream may still work; the static facts just stay unknown.
            tracing::warn!(host = host.name(), error = %e, "unreadable nvidia-smi -q -x output");
            Ok(Vec::new())
        }
    }
}

async fn run_smi(
    host: &dyn Host,
    settings: &GpuSettings,
    nvml_error: Option<String>,
    smi: &str,
    emit: &UnboundedSender<GpuEvent>,
    cancel: &CancellationToken,
) {
    let statics = loop {
        match read_static(host, smi).await {
            Ok(s) => break s,
            Err(smi_error) => {
                let state = GpuSourceState::NoGpu {
                    nvml_error: nvml_error.clone(),
                    smi_error,
                };
                if emit.send(GpuEvent::Source(state)).is_err() {
                    return;
                }
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(NO_GPU_RETRY) => {}
                }
            }
        }
    };
    let healthy = match nvml_error {
        Some(nvml_error) => GpuSourceState::NvidiaSmiLocal { nvml_error },
        None => GpuSourceState::NvidiaSmiStream,
    };
    let count = (!statics.is_empty()).then_some(statics.len());
    let indices: Vec<(String, u32)> = statics
        .iter()
        .filter_map(|s| Some((s.uuid.clone()?, s.index)))
        .collect();
    let _ = emit.send(GpuEvent::Source(healthy.clone()));
    let _ = emit.send(GpuEvent::Static(statics));

    let samples = stream::run(
        host,
        smi,
        settings.interval_ms,
        count,
        healthy,
        emit,
        cancel,
    );
    let processes = async {
        let mut poller = Poller::default();
        let mut tick = interval(Duration::from_secs(settings.processes_interval_s.max(1)));
        loop {
            tick.tick().await;
            let polled = poller.poll(host, smi).await;
            match polled.processes {
                Ok(mut p) => {
                    assign_gpu_index(&mut p, &indices);
                    if emit.send(GpuEvent::Processes(p)).is_err() {
                        return;
                    }
                }
                Err(e) => tracing::warn!(host = host.name(), error = %e, "GPU process poll failed"),
            }
            if let Some(mem) = polled.memory {
                let _ = emit.send(GpuEvent::HostMemory(mem));
            }
        }
    };
    tokio::select! {
        _ = cancel.cancelled() => {}
        _ = samples => {}
        _ = processes => {}
    }
}
/// `--query-compute-apps` names the GPU by UUID only; the table shows its index.
fn assign_gpu_index(processes: &mut [GpuProcess], indices: &[(String, u32)]) {
    for p in processes.iter_mut().filter(|p| p.gpu_index.is_none()) {
        p.gpu_index = p
            .gpu_uuid
            .as_ref()
            .and_then(|u| indices.iter().find(|(uuid, _)| uuid == u))
            .map(|(_, i)| *i);
    }
}
