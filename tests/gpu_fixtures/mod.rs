//! GPU data for the update and render tests, with the figures of real captures in
//! /work/shared/fixtures/nvidia-smi (named per function).
#![allow(dead_code)]

use sparkdeck::app::{Msg, State};
use sparkdeck::model::{GpuEvent, GpuProcess, GpuSample, GpuSourceState, GpuStatic, HostMemory};

pub const MIB: u64 = 1 << 20;
pub const GIB: u64 = 1 << 30;

pub fn gpu(name: &str, generation: u64, event: GpuEvent) -> Msg {
    Msg::Gpu {
        name: name.into(),
        generation,
        event,
    }
}

pub fn samples_at(at: i64, samples: Vec<GpuSample>) -> GpuEvent {
    GpuEvent::Samples {
        at: at as f64,
        samples,
    }
}

/// `telegraf-dual-rtx-a5000-590-q-x.xml`: two RTX A5000, llama-server on both.
pub fn a5000_samples() -> Vec<GpuSample> {
    let one = |index: u32, used: u64, temp: f64, power: f64| GpuSample {
        index,
        uuid: Some(format!("GPU-a5000-{index}")),
        name: Some("NVIDIA RTX A5000".into()),
        utilization_pct: Some(0.0),
        memory_utilization_pct: Some(0.0),
        memory_total_bytes: Some(24564 * MIB),
        memory_used_bytes: Some(used * MIB),
        temperature_c: Some(temp),
        power_w: Some(power),
        power_limit_w: Some(230.0),
        clock_graphics_mhz: Some(210),
        clock_sm_mhz: Some(210),
        clock_memory_mhz: Some(405),
        fan_pct: Some(30.0),
        pstate: Some("P8".into()),
    };
    vec![one(0, 22437, 13.0, 6.52), one(1, 17253, 15.0, 13.59)]
}

pub fn a5000_static() -> Vec<GpuStatic> {
    (0..2)
        .map(|i| GpuStatic {
            index: i,
            uuid: Some(format!("GPU-a5000-{i}")),
            name: Some("NVIDIA RTX A5000".into()),
            driver_version: Some("590.44.01".into()),
            cuda_version: Some("13.1".into()),
            architecture: Some("Ampere".into()),
            persistence_mode: Some(true),
            power_limit_w: Some(230.0),
            ..Default::default()
        })
        .collect()
}

pub fn a5000_processes() -> Vec<GpuProcess> {
    [(0, 22430), (1, 17246)]
        .into_iter()
        .map(|(i, mib)| GpuProcess {
            pid: 100477,
            gpu_uuid: Some(format!("GPU-a5000-{i}")),
            gpu_index: Some(i),
            name: "/root/src/llama.cpp/build/bin/llama-server".into(),
            used_memory_bytes: Some(mib * MIB),
            user: Some("root".into()),
            container: None,
            command: Some("/root/src/llama.cpp/build/bin/llama-server -m qwen.gguf".into()),
        })
        .collect()
}

/// A DGX Spark (GB10) as in the brief and `surfer11may-gb10-580.126.09-nvidia-smi-vllm-61gb.txt`.
pub fn gb10_sample() -> GpuSample {
    GpuSample {
        index: 0,
        uuid: Some("GPU-gb10".into()),
        name: Some("NVIDIA GB10".into()),
        utilization_pct: Some(0.0),
        memory_utilization_pct: Some(0.0),
        memory_total_bytes: None,
        memory_used_bytes: None,
        temperature_c: Some(35.0),
        power_w: Some(11.17),
        power_limit_w: None,
        clock_graphics_mhz: Some(2418),
        clock_sm_mhz: Some(2418),
        clock_memory_mhz: None,
        fan_pct: None,
        pstate: Some("P0".into()),
    }
}

pub fn gb10_static() -> Vec<GpuStatic> {
    vec![GpuStatic {
        index: 0,
        uuid: Some("GPU-gb10".into()),
        name: Some("NVIDIA GB10".into()),
        driver_version: Some("580.126.09".into()),
        cuda_version: Some("13.0".into()),
        architecture: Some("Blackwell".into()),
        persistence_mode: Some(true),
        addressing_mode: Some("ATS".into()),
        ..Default::default()
    }]
}

pub fn gb10_processes() -> Vec<GpuProcess> {
    let p = |pid: u32, name: &str, mib: u64, user: &str, container: Option<&str>| GpuProcess {
        pid,
        gpu_uuid: Some("GPU-gb10".into()),
        gpu_index: Some(0),
        name: name.into(),
        used_memory_bytes: Some(mib * MIB),
        user: Some(user.into()),
        container: container.map(String::from),
        command: None,
    };
    vec![
        p(2804, "/usr/lib/xorg/Xorg", 179, "root", None),
        p(3060, "/usr/bin/gnome-shell", 48, "dgx", None),
        p(2283430, "VLLM::EngineCore", 61383, "dgx", Some("vllm-qwen")),
    ]
}

pub fn spark_host_memory() -> HostMemory {
    HostMemory {
        mem_total_bytes: Some(128 * GIB),
        mem_available_bytes: Some(60 * GIB),
        swap_free_bytes: Some(16 * GIB),
        pressure_some_avg10: Some(1.5),
        pressure_full_avg10: Some(0.3),
    }
}

/// `thamada-gls-8x-v100-550-nvidia-smi.txt`: temperature and power per GPU, 1 MiB used.
pub fn v100_samples() -> Vec<GpuSample> {
    let figures = [
        (37.0, 45.0),
        (40.0, 40.0),
        (39.0, 39.0),
        (36.0, 39.0),
        (37.0, 44.0),
        (39.0, 41.0),
        (38.0, 45.0),
        (36.0, 44.0),
    ];
    figures
        .iter()
        .enumerate()
        .map(|(i, (temp, power))| GpuSample {
            index: i as u32,
            uuid: Some(format!("GPU-v100-{i}")),
            name: Some("Tesla V100-SXM2-16GB".into()),
            utilization_pct: Some(0.0),
            memory_utilization_pct: Some(0.0),
            memory_total_bytes: Some(16384 * MIB),
            memory_used_bytes: Some(MIB),
            temperature_c: Some(*temp),
            power_w: Some(*power),
            power_limit_w: Some(300.0),
            clock_graphics_mhz: Some(1530),
            clock_sm_mhz: Some(1530),
            clock_memory_mhz: Some(877),
            fan_pct: None,
            pstate: Some("P0".into()),
        })
        .collect()
}

pub fn v100_static() -> Vec<GpuStatic> {
    (0..8)
        .map(|i| GpuStatic {
            index: i,
            uuid: Some(format!("GPU-v100-{i}")),
            driver_version: Some("550.127.05".into()),
            cuda_version: Some("12.4".into()),
            architecture: Some("Volta".into()),
            persistence_mode: Some(true),
            ..Default::default()
        })
        .collect()
}

/// Feeds `events` to connection `name` at generation 1.
pub fn feed(s: &mut State, name: &str, events: Vec<GpuEvent>) {
    for e in events {
        sparkdeck::app::update(s, gpu(name, 1, e));
    }
}

pub fn discrete_events(now: i64) -> Vec<GpuEvent> {
    vec![
        GpuEvent::Source(GpuSourceState::NvidiaSmiStream),
        GpuEvent::Static(a5000_static()),
        GpuEvent::Processes(a5000_processes()),
        samples_at(now - 2, a5000_samples()),
    ]
}

pub fn gb10_events(now: i64) -> Vec<GpuEvent> {
    vec![
        GpuEvent::Source(GpuSourceState::NvidiaSmiStream),
        GpuEvent::Static(gb10_static()),
        GpuEvent::Processes(gb10_processes()),
        GpuEvent::HostMemory(spark_host_memory()),
        samples_at(now - 2, vec![gb10_sample()]),
    ]
}

pub fn v100_events(now: i64) -> Vec<GpuEvent> {
    vec![
        GpuEvent::Source(GpuSourceState::Nvml),
        GpuEvent::Static(v100_static()),
        samples_at(now - 2, v100_samples()),
    ]
}
