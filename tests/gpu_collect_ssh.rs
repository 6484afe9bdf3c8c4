//! The GPU collector over a real sshd on 127.0.0.1, with a fake `nvidia-smi` first on the
//! remote PATH (tests/support/fake_smi.rs): GB10 unified memory with processes, a two-GPU
//! box, a stream that dies, garbage lines, a host without nvidia-smi, and process
//! termination.

mod support;

use sparkdeck::config::GpuSettings;
use sparkdeck::gpu;
use sparkdeck::host::{Host, SshHost};
use sparkdeck::model::{GpuEvent, GpuProcess, GpuSample, GpuSourceState};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::fake_smi::{self, Behaviour, MIB, Profile};
use support::sshd::{Sshd, process_alive};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const LIMIT: Duration = Duration::from_secs(30);

struct Run {
    rx: mpsc::UnboundedReceiver<GpuEvent>,
    cancel: CancellationToken,
    task: tokio::task::JoinHandle<()>,
    log: std::path::PathBuf,
}

impl Run {
    /// Events until `want` matches one (returned last), failing after LIMIT.
    async fn until(
        &mut self,
        what: &str,
        mut want: impl FnMut(&GpuEvent) -> bool,
    ) -> Vec<GpuEvent> {
        let deadline = Instant::now() + LIMIT;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.rx.recv()).await {
                Ok(Some(ev)) => {
                    let hit = want(&ev);
                    seen.push(ev);
                    if hit {
                        return seen;
                    }
                }
                Ok(None) => panic!("collector ended while waiting for {what}: {seen:#?}"),
                Err(_) => panic!("no {what} within {LIMIT:?}: {seen:#?}"),
            }
        }
    }

    async fn stop(self) {
        self.cancel.cancel();
        tokio::time::timeout(LIMIT, self.task)
            .await
            .expect("collector stops when cancelled")
            .unwrap();
    }
}

fn settings() -> GpuSettings {
    GpuSettings {
        interval_ms: 200,
        processes_interval_s: 1,
        ..GpuSettings::default()
    }
}

async fn connect(sshd: &Sshd) -> Arc<dyn Host> {
    let host = tokio::time::timeout(LIMIT, SshHost::connect(&sshd.target(), sshd.options()))
        .await
        .expect("connect in time")
        .expect("connect");
    Arc::new(host)
}

async fn start(sshd: &Sshd, profile: Option<Profile>, behaviour: Behaviour) -> Run {
    let (log, state) = fake_smi::paths(&sshd.shared_dir());
    if let Some(p) = profile {
        sshd.install_remote_tool(
            "nvidia-smi",
            &fake_smi::script(&p, &behaviour, &log, &state),
        );
    }
    let host = connect(sshd).await;
    let (tx, rx) = mpsc::unbounded_channel();
    let cancel = CancellationToken::new();
    let task = tokio::spawn(gpu::run(
        host,
        false,
        settings(),
        None,
        "nvidia-smi".into(),
        tx,
        cancel.clone(),
    ));
    Run {
        rx,
        cancel,
        task,
        log,
    }
}

fn samples(ev: &GpuEvent) -> Option<&Vec<GpuSample>> {
    match ev {
        GpuEvent::Samples { samples, .. } => Some(samples),
        _ => None,
    }
}

fn processes(ev: &GpuEvent) -> Option<&Vec<GpuProcess>> {
    match ev {
        GpuEvent::Processes(p) => Some(p),
        _ => None,
    }
}

fn meminfo_kib(key: &str) -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap()
}

fn whoami() -> String {
    let out = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A real process to stand in for the vLLM engine, killed on drop.
struct Sleeper(std::process::Child);

impl Sleeper {
    fn start() -> Sleeper {
        Sleeper(
            std::process::Command::new("sleep")
                .arg("300")
                .spawn()
                .unwrap(),
        )
    }
    fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Sleeper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn gb10_reports_na_memory_processes_and_the_hosts_memory() {
    let sshd = Sshd::start();
    let vllm = Sleeper::start();
    let mut run = start(
        &sshd,
        Some(fake_smi::gb10(vllm.pid())),
        Behaviour::default(),
    )
    .await;

    let first = run
        .until("the source", |e| matches!(e, GpuEvent::Source(_)))
        .await;
    assert_eq!(
        first.last(),
        Some(&GpuEvent::Source(GpuSourceState::NvidiaSmiStream))
    );
    let ev = run
        .until("static facts", |e| matches!(e, GpuEvent::Static(_)))
        .await;
    let GpuEvent::Static(statics) = ev.last().unwrap() else {
        unreachable!()
    };
    assert_eq!(statics.len(), 1);
    assert_eq!(statics[0].name.as_deref(), Some("NVIDIA GB10"));
    assert_eq!(statics[0].uuid.as_deref(), Some(fake_smi::GB10_UUID));
    assert_eq!(statics[0].driver_version.as_deref(), Some("580.126.09"));
    assert_eq!(statics[0].cuda_version.as_deref(), Some("13.0"));

    let ev = run.until("a sample", |e| samples(e).is_some()).await;
    let s = samples(ev.last().unwrap()).unwrap();
    assert_eq!(s.len(), 1);
    let g = &s[0];
    assert_eq!(g.index, 0);
    assert_eq!(g.name.as_deref(), Some("NVIDIA GB10"));
    assert_eq!(g.memory_total_bytes, None, "GB10 has no framebuffer figure");
    assert_eq!(g.memory_used_bytes, None);
    assert_eq!(g.utilization_pct, Some(0.0));
    assert_eq!(g.power_w, Some(11.17));
    assert_eq!(g.power_limit_w, None);
    assert_eq!(g.temperature_c, Some(35.0));

    let ev = run.until("processes", |e| processes(e).is_some()).await;
    let procs = processes(ev.last().unwrap()).unwrap();
    let summary: Vec<(&str, Option<u64>)> = procs
        .iter()
        .map(|p| (p.name.as_str(), p.used_memory_bytes))
        .collect();
    assert_eq!(
        summary,
        [
            ("/usr/lib/xorg/Xorg", Some(179 * MIB)),
            ("/usr/bin/gnome-shell", Some(48 * MIB)),
            ("VLLM::EngineCore", Some(61383 * MIB)),
        ]
    );
    assert!(
        procs.iter().all(|p| p.gpu_index == Some(0)),
        "the UUID from --query-compute-apps maps to the GPU's index: {procs:?}"
    );
    let engine = &procs[2];
    assert_eq!(engine.pid, vllm.pid());
    assert_eq!(
        engine.user.as_deref(),
        Some(whoami().as_str()),
        "{engine:?}"
    );
    assert_eq!(engine.command.as_deref(), Some("sleep 300"), "{engine:?}");

    let ev = run
        .until("host memory", |e| matches!(e, GpuEvent::HostMemory(_)))
        .await;
    let GpuEvent::HostMemory(mem) = ev.last().unwrap() else {
        unreachable!()
    };
    // The sshd runs on this machine, so its /proc/meminfo is ours.
    assert_eq!(mem.mem_total_bytes, Some(meminfo_kib("MemTotal") * 1024));
    assert!(mem.mem_available_bytes.is_some_and(|a| a > 0), "{mem:?}");
    assert!(mem.swap_free_bytes.is_some(), "{mem:?}");
    if std::path::Path::new("/proc/pressure/memory").exists() {
        assert!(mem.pressure_some_avg10.is_some(), "{mem:?}");
    }
    let tool = sshd.path("bin").join("nvidia-smi").display().to_string();
    assert_eq!(
        streams_running(&tool),
        1,
        "exactly one stream per connection"
    );
    run.stop().await;
    let deadline = Instant::now() + LIMIT;
    while streams_running(&tool) > 0 {
        assert!(
            Instant::now() < deadline,
            "the remote stream outlived the collector"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Live processes running `tool` with `-lms` (the sshd is on this machine).
fn streams_running(tool: &str) -> usize {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| process_alive(pid))
        .filter(|pid| {
            let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let args: Vec<String> = cmd
                .split(|b| *b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            args.iter().any(|a| a == tool) && args.iter().any(|a| a == "-lms")
        })
        .count()
}

#[tokio::test]
async fn two_gpus_arrive_as_one_sample_per_tick() {
    let sshd = Sshd::start();
    let mut run = start(&sshd, Some(fake_smi::dual_a5000()), Behaviour::default()).await;
    for _ in 0..3 {
        let ev = run.until("a tick", |e| samples(e).is_some()).await;
        let s = samples(ev.last().unwrap()).unwrap();
        let got: Vec<(u32, Option<f64>, Option<u64>)> = s
            .iter()
            .map(|g| (g.index, g.temperature_c, g.memory_used_bytes))
            .collect();
        assert_eq!(
            got,
            [
                (0, Some(13.0), Some(22437 * MIB)),
                (1, Some(15.0), Some(17253 * MIB))
            ]
        );
        assert_eq!(s[1].power_limit_w, Some(230.0));
    }
    let ev = run.until("processes", |e| processes(e).is_some()).await;
    let procs = processes(ev.last().unwrap()).unwrap();
    let by_gpu: Vec<(u32, Option<&str>)> = procs
        .iter()
        .map(|p| (p.pid, p.gpu_uuid.as_deref()))
        .collect();
    assert_eq!(
        by_gpu,
        [
            (100477, Some(fake_smi::A5000_UUIDS[0])),
            (100478, Some(fake_smi::A5000_UUIDS[1]))
        ]
    );
    run.stop().await;
}

#[tokio::test]
async fn a_stream_that_dies_is_restarted_and_samples_resume() {
    let sshd = Sshd::start();
    let behaviour = Behaviour {
        die_after_ticks: Some(2),
        ..Behaviour::default()
    };
    let mut run = start(&sshd, Some(fake_smi::gb10(1)), behaviour).await;
    let ev = run
        .until("a restart", |e| {
            matches!(e, GpuEvent::Source(GpuSourceState::Restarting { .. }))
        })
        .await;
    assert_eq!(
        ev.iter().filter(|e| samples(e).is_some()).count(),
        2,
        "{ev:#?}"
    );
    let GpuEvent::Source(GpuSourceState::Restarting { reason, attempt }) = ev.last().unwrap()
    else {
        unreachable!()
    };
    assert_eq!(*attempt, 1);
    assert!(reason.contains("exited with status 15"), "{reason}");
    assert!(reason.contains("GPU is lost"), "{reason}");

    let ev = run
        .until("recovery", |e| {
            matches!(e, GpuEvent::Source(GpuSourceState::NvidiaSmiStream))
        })
        .await;
    assert!(
        !ev.iter().any(|e| samples(e).is_some()),
        "recovery is announced with the first new tick: {ev:#?}"
    );
    let ev = run.until("samples again", |e| samples(e).is_some()).await;
    assert_eq!(samples(ev.last().unwrap()).unwrap()[0].power_w, Some(11.17));
    let stream_runs = fake_smi::runs(&run.log)
        .iter()
        .filter(|r| r.contains("-lms 200"))
        .count();
    assert_eq!(stream_runs, 2, "{:?}", fake_smi::runs(&run.log));
    run.stop().await;
}

#[tokio::test]
async fn a_garbage_line_is_skipped_and_a_run_of_them_restarts() {
    let sshd = Sshd::start();
    let behaviour = Behaviour {
        garbage: Some((2, 1)),
        ..Behaviour::default()
    };
    let mut run = start(&sshd, Some(fake_smi::gb10(1)), behaviour).await;
    let mut ticks = 0;
    let ev = run
        .until("six ticks", |e| {
            if samples(e).is_some() {
                ticks += 1;
            }
            ticks == 6
        })
        .await;
    assert!(
        !ev.iter()
            .any(|e| matches!(e, GpuEvent::Source(GpuSourceState::Restarting { .. }))),
        "one bad line does not restart the stream: {ev:#?}"
    );
    run.stop().await;
    drop(sshd);

    let sshd = Sshd::start();
    let behaviour = Behaviour {
        garbage: Some((1, 3)),
        ..Behaviour::default()
    };
    let mut run = start(&sshd, Some(fake_smi::gb10(1)), behaviour).await;
    let ev = run
        .until("a restart", |e| {
            matches!(e, GpuEvent::Source(GpuSourceState::Restarting { .. }))
        })
        .await;
    let GpuEvent::Source(GpuSourceState::Restarting { reason, .. }) = ev.last().unwrap() else {
        unreachable!()
    };
    assert!(reason.contains("3 unreadable lines in a row"), "{reason}");
    assert!(
        reason.contains("Unable to determine the device handle"),
        "{reason}"
    );
    run.until("samples again", |e| samples(e).is_some()).await;
    run.stop().await;
}

#[tokio::test]
async fn a_host_without_nvidia_smi_reports_no_gpu() {
    let sshd = Sshd::start();
    let mut run = start(&sshd, None, Behaviour::default()).await;
    let ev = run
        .until("the source", |e| matches!(e, GpuEvent::Source(_)))
        .await;
    let GpuEvent::Source(GpuSourceState::NoGpu {
        nvml_error,
        smi_error,
    }) = ev.last().unwrap()
    else {
        panic!("{ev:#?}")
    };
    assert_eq!(*nvml_error, None, "NVML is never tried for a remote host");
    assert!(
        smi_error.contains("nvidia-smi -q -x on test-spark"),
        "{smi_error}"
    );
    assert!(smi_error.contains("status 127"), "{smi_error}");
    assert!(smi_error.contains("not found"), "{smi_error}");
    // Retried only every minute: nothing else arrives soon.
    let more = tokio::time::timeout(Duration::from_secs(2), run.rx.recv()).await;
    assert!(more.is_err(), "{more:?}");
    run.stop().await;
}

#[tokio::test]
async fn terminate_sends_term_to_a_remote_process() {
    let sshd = Sshd::start();
    let host = connect(&sshd).await;
    let out = host
        .exec(&["sh", "-c", "sleep 300 >/dev/null 2>&1 & echo $!"])
        .await
        .unwrap();
    let pid: u32 = out.stdout_str().trim().parse().unwrap();
    assert!(process_alive(pid));
    gpu::terminate(host.as_ref(), pid, false).await.unwrap();
    let deadline = Instant::now() + LIMIT;
    while process_alive(pid) {
        assert!(Instant::now() < deadline, "pid {pid} survived SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn terminate_reports_why_a_process_cannot_be_killed() {
    let sshd = Sshd::start();
    assert_ne!(sshd.user, "root", "the test user must not own pid 1");
    let host = connect(&sshd).await;
    let err = gpu::terminate(host.as_ref(), 1, true).await.unwrap_err();
    assert!(err.contains("kill -KILL 1 on test-spark failed"), "{err}");
    assert!(err.contains("Operation not permitted"), "{err}");
}
