//! The GPU collector on the local host: NVML (faked: CI has no GPU), the nvidia-smi fallback
//! when the real NVML fails to load here, nothing at all, and the one-shot `gpus_once`.

mod support;

use sparkdeck::config::GpuSettings;
use sparkdeck::gpu::{self, FakeNvml, NvmlApi, RealNvml};
use sparkdeck::host::{Host, LocalHost};
use sparkdeck::model::{GpuEvent, GpuProcess, GpuSample, GpuSourceState, GpuStatic};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::fake_smi::{self, Behaviour, MIB};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const LIMIT: Duration = Duration::from_secs(30);

fn settings() -> GpuSettings {
    GpuSettings {
        interval_ms: 200,
        processes_interval_s: 1,
        ..GpuSettings::default()
    }
}

async fn collect_until(
    nvml: Option<Box<dyn NvmlApi>>,
    smi: String,
    mut done: impl FnMut(&[GpuEvent]) -> bool,
) -> Vec<GpuEvent> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let cancel = CancellationToken::new();
    let host: Arc<dyn Host> = Arc::new(LocalHost::new());
    let task = tokio::spawn(gpu::run(
        host,
        true,
        settings(),
        nvml,
        smi,
        tx,
        cancel.clone(),
    ));
    let deadline = Instant::now() + LIMIT;
    let mut seen = Vec::new();
    while !done(&seen) {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, rx.recv()).await {
            Ok(Some(ev)) => seen.push(ev),
            other => panic!("collector stalled ({other:?}): {seen:#?}"),
        }
    }
    cancel.cancel();
    tokio::time::timeout(LIMIT, task)
        .await
        .expect("stops when cancelled")
        .unwrap();
    seen
}

fn nvml_load_error() -> Option<String> {
    RealNvml::init().err()
}

struct FakeTool {
    _dir: tempfile::TempDir,
    path: PathBuf,
    log: PathBuf,
}

fn fake_tool(profile: fake_smi::Profile) -> FakeTool {
    let dir = tempfile::tempdir().unwrap();
    let (log, state) = fake_smi::paths(dir.path());
    let path = dir.path().join("nvidia-smi");
    support::write_executable(
        &path,
        &fake_smi::script(&profile, &Behaviour::default(), &log, &state),
    );
    FakeTool {
        _dir: dir,
        path,
        log,
    }
}

#[tokio::test]
async fn without_nvml_the_local_nvidia_smi_is_streamed() {
    let Some(nvml_error) = nvml_load_error() else {
        // A machine with a driver takes the NVML path; the fallback cannot be observed.
        return assert!(RealNvml::init().unwrap().device_count().is_ok());
    };
    let tool = fake_tool(fake_smi::gb10(1));
    let smi = tool.path.display().to_string();
    let events = collect_until(None, smi, |seen| {
        seen.iter()
            .filter(|e| matches!(e, GpuEvent::Samples { .. }))
            .count()
            >= 2
            && seen.iter().any(|e| matches!(e, GpuEvent::Processes(_)))
    })
    .await;
    assert_eq!(
        events[0],
        GpuEvent::Source(GpuSourceState::NvidiaSmiLocal {
            nvml_error: nvml_error.clone()
        })
    );
    assert!(
        nvml_error.contains("NVML could not be loaded"),
        "{nvml_error}"
    );
    let sample = events
        .iter()
        .find_map(|e| match e {
            GpuEvent::Samples { samples, .. } => Some(samples[0].clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(sample.name.as_deref(), Some("NVIDIA GB10"));
    assert_eq!(sample.memory_used_bytes, None);
    let procs = events
        .iter()
        .find_map(|e| match e {
            GpuEvent::Processes(p) => Some(p.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(procs.len(), 3);
    assert_eq!(procs[2].used_memory_bytes, Some(61383 * MIB));
    let runs = fake_smi::runs(&tool.log);
    assert_eq!(
        runs.iter().filter(|r| r.contains("-lms")).count(),
        1,
        "{runs:?}"
    );
}

#[tokio::test]
async fn without_nvml_and_nvidia_smi_both_reasons_are_reported() {
    let Some(nvml_error) = nvml_load_error() else {
        return;
    };
    let events = collect_until(None, "/nonexistent/nvidia-smi".into(), |seen| {
        !seen.is_empty()
    })
    .await;
    let GpuEvent::Source(GpuSourceState::NoGpu {
        nvml_error: got,
        smi_error,
    }) = &events[0]
    else {
        panic!("{events:#?}")
    };
    assert_eq!(got.as_deref(), Some(nvml_error.as_str()));
    assert!(
        smi_error.starts_with("cannot run /nonexistent/nvidia-smi on local"),
        "{smi_error}"
    );
}

fn fake_nvml(pid: u32) -> FakeNvml {
    let sample = |index: u32, temp: f64| GpuSample {
        index,
        uuid: Some(format!("GPU-{index}")),
        name: Some("NVIDIA H100 80GB HBM3".into()),
        utilization_pct: Some(42.0),
        memory_total_bytes: Some(81_559 * MIB),
        memory_used_bytes: Some(10_000 * MIB),
        temperature_c: Some(temp),
        ..Default::default()
    };
    FakeNvml {
        count: Ok(2),
        samples: vec![sample(0, 31.0), sample(1, 33.0)],
        statics: vec![GpuStatic {
            index: 0,
            driver_version: Some("590.48.01".into()),
            ..Default::default()
        }],
        processes: vec![GpuProcess {
            pid,
            gpu_index: Some(1),
            gpu_uuid: Some("GPU-1".into()),
            name: "sleep".into(),
            used_memory_bytes: Some(512 * MIB),
            ..Default::default()
        }],
    }
}

#[tokio::test]
async fn nvml_samples_every_interval_and_enriches_processes() {
    let mut child = std::process::Command::new("sleep")
        .arg("300")
        .spawn()
        .unwrap();
    let pid = child.id();
    let nvml = Box::new(fake_nvml(pid));
    let events = collect_until(Some(nvml), "nvidia-smi".into(), |seen| {
        seen.iter()
            .filter(|e| matches!(e, GpuEvent::Samples { .. }))
            .count()
            >= 3
            && seen.iter().any(|e| matches!(e, GpuEvent::HostMemory(_)))
            && seen.iter().any(|e| matches!(e, GpuEvent::Processes(_)))
    })
    .await;
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(events[0], GpuEvent::Source(GpuSourceState::Nvml));
    let GpuEvent::Static(statics) = &events[1] else {
        panic!("{events:#?}")
    };
    assert_eq!(statics.len(), 2);
    assert_eq!(statics[0].driver_version.as_deref(), Some("590.48.01"));
    let stamps: Vec<f64> = events
        .iter()
        .filter_map(|e| match e {
            GpuEvent::Samples { at, samples } => {
                assert_eq!(samples.len(), 2);
                assert_eq!(samples[1].temperature_c, Some(33.0));
                Some(*at)
            }
            _ => None,
        })
        .collect();
    assert!(stamps.windows(2).all(|w| w[1] > w[0]), "{stamps:?}");
    let procs = events
        .iter()
        .find_map(|e| match e {
            GpuEvent::Processes(p) => Some(p),
            _ => None,
        })
        .unwrap();
    assert_eq!(procs.len(), 1);
    assert_eq!(procs[0].command.as_deref(), Some("sleep 300"));
    assert!(procs[0].user.is_some());
    let mem = events
        .iter()
        .find_map(|e| match e {
            GpuEvent::HostMemory(m) => Some(m),
            _ => None,
        })
        .unwrap();
    assert!(mem.mem_total_bytes.is_some_and(|t| t > 0));
}

#[tokio::test]
async fn a_failing_nvml_device_count_falls_back_with_its_reason() {
    let nvml = FakeNvml {
        count: Err("NVML cannot count the GPUs: driver not loaded".into()),
        samples: vec![],
        statics: vec![],
        processes: vec![],
    };
    let events = collect_until(
        Some(Box::new(nvml)),
        "/nonexistent/nvidia-smi".into(),
        |s| !s.is_empty(),
    )
    .await;
    assert!(matches!(
        &events[0],
        GpuEvent::Source(GpuSourceState::NoGpu { nvml_error: Some(e), .. })
            if e == "NVML cannot count the GPUs: driver not loaded"
    ));
}

#[tokio::test]
async fn once_reads_nvml_or_nvidia_smi_or_says_why_not() {
    let host = LocalHost::new();
    let nvml = fake_nvml(std::process::id());
    let snap = gpu::gpus_once(&host, true, Some(&nvml), "nvidia-smi").await;
    assert_eq!(snap.error, None);
    assert_eq!(snap.samples.len(), 2);
    assert_eq!(snap.driver_version.as_deref(), Some("590.48.01"));
    assert_eq!(snap.processes.len(), 1);
    assert!(snap.processes[0].command.is_some());
    assert!(snap.host_memory.is_some());

    let tool = fake_tool(fake_smi::dual_a5000());
    let smi = tool.path.display().to_string();
    let snap = gpu::gpus_once(&host, false, None, &smi).await;
    assert_eq!(snap.error, None);
    assert_eq!(snap.samples.len(), 2);
    assert_eq!(snap.samples[1].power_w, Some(13.59));
    assert_eq!(snap.driver_version.as_deref(), Some("590.44.01"));
    assert_eq!(snap.processes.len(), 2);
    assert!(
        snap.host_memory
            .and_then(|m| m.mem_available_bytes)
            .is_some()
    );
    let runs = fake_smi::runs(&tool.log);
    assert!(runs.iter().all(|r| !r.contains("-lms")), "{runs:?}");

    if let Some(nvml_error) = nvml_load_error() {
        let snap = gpu::gpus_once(&host, true, None, "/nonexistent/nvidia-smi").await;
        let err = snap.error.unwrap();
        assert!(err.starts_with("no NVIDIA GPU found: "), "{err}");
        assert!(err.contains(&nvml_error), "{err}");
        assert!(
            err.contains("cannot run /nonexistent/nvidia-smi on local"),
            "{err}"
        );
        assert!(snap.samples.is_empty());
    }
}

#[tokio::test]
async fn terminate_works_on_the_local_host_too() {
    let mut child = std::process::Command::new("sleep")
        .arg("300")
        .spawn()
        .unwrap();
    gpu::terminate(&LocalHost::new(), child.id(), false)
        .await
        .unwrap();
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(15));
    // Above any possible pid_max (2^22), so no live process can be hit.
    let err = gpu::terminate(&LocalHost::new(), 2_000_000_000, true)
        .await
        .unwrap_err();
    assert!(err.contains("No such process"), "{err}");
}

/// LocalHost that counts the commands run through it.
struct Counting(LocalHost, std::sync::atomic::AtomicU32);

#[async_trait::async_trait]
impl Host for Counting {
    fn name(&self) -> &str {
        self.0.name()
    }
    fn kind(&self) -> sparkdeck::host::HostKind {
        self.0.kind()
    }
    async fn exec(
        &self,
        argv: &[&str],
    ) -> Result<sparkdeck::host::ExecOutput, sparkdeck::host::HostError> {
        self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.0.exec(argv).await
    }
    async fn stream_lines(
        &self,
        argv: &[&str],
    ) -> Result<sparkdeck::host::LineStream, sparkdeck::host::HostError> {
        self.0.stream_lines(argv).await
    }
    async fn read_file(&self, path: &str) -> Result<Vec<u8>, sparkdeck::host::HostError> {
        self.0.read_file(path).await
    }
    async fn forward_port(
        &self,
        local: std::net::SocketAddr,
        remote_host: &str,
        remote_port: u16,
    ) -> Result<sparkdeck::host::Forward, sparkdeck::host::HostError> {
        self.0.forward_port(local, remote_host, remote_port).await
    }
}

#[tokio::test]
async fn a_steady_process_set_costs_one_exec_per_poll() {
    // Two of the GB10 capture's pids do not exist here, one (this test) does: neither kind
    // may trigger a second exec once it has been asked about.
    let tool = fake_tool(fake_smi::gb10(std::process::id()));
    let smi = tool.path.display().to_string();
    let host = Counting(LocalHost::new(), Default::default());
    let mut poller = gpu::poll::Poller::default();
    let count = || host.1.load(std::sync::atomic::Ordering::SeqCst);
    let first = poller.poll(&host, &smi).await;
    assert_eq!(count(), 2, "the first poll looks up the new pids once");
    let procs = first.processes.unwrap();
    assert_eq!(procs[2].pid, std::process::id());
    assert!(procs[2].command.is_some(), "{procs:?}");
    for n in 1..=3 {
        let again = poller.poll(&host, &smi).await;
        assert_eq!(count(), 2 + n);
        assert_eq!(again.processes.unwrap(), procs);
    }
    assert_eq!(fake_smi::runs(&tool.log).len(), 4);
}
