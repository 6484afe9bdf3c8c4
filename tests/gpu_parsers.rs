//! The nvidia-smi parsers against every capture in `tests/fixtures/nvidia-smi/` (provenance
//! in `tests/fixtures/SOURCES.md`), plus property tests that no input makes them panic.

use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use sparkdeck::model::{GpuProcess, GpuSample};
use sparkdeck::sources::gpu::{
    CsvError, QUERY_GPU_FIELDS, parse_compute_apps, parse_gpu_line, parse_process_table,
    parse_query_gpu, parse_table_gpus, parse_table_header, parse_xml, value,
};

const MIB: u64 = 1 << 20;

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nvidia-smi")
}

fn fixture(name: &str) -> String {
    let path = fixture_dir().join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// One section of a capture bundle: the command from its `# $ …` line and the output up to
/// the next `####` rule. The bundle file itself stays untouched.
fn section<'a>(bundle: &'a str, marker: &str) -> (&'a str, &'a str) {
    let title = format!("# {marker}\n");
    let start = bundle
        .find(&title)
        .unwrap_or_else(|| panic!("no section {marker:?} in bundle"))
        + title.len();
    let rest = &bundle[start..];
    let (command_line, rest) = rest.split_once('\n').expect("command line");
    let command = command_line
        .strip_prefix("# $ ")
        .expect("`# $` command line");
    let (_rule, body) = rest.split_once('\n').expect("rule after the command");
    let end = body.find("\n####").map_or(body.len(), |i| i + 1);
    (command, &body[..end])
}

/// The field list of a `--query-gpu=a,b,c --format=csv` command line.
fn query_fields(command: &str) -> Vec<&str> {
    command
        .split_whitespace()
        .find_map(|w| w.strip_prefix("--query-gpu="))
        .expect("--query-gpu= in the command")
        .split(',')
        .collect()
}

fn only_sample(rows: Vec<Result<GpuSample, CsvError>>) -> GpuSample {
    assert_eq!(rows.len(), 1, "one GPU row expected: {rows:?}");
    rows.into_iter().next().unwrap().expect("row parses")
}

fn pids(ps: &[GpuProcess]) -> Vec<u32> {
    ps.iter().map(|p| p.pid).collect()
}

// --- --query-gpu CSV -------------------------------------------------------------------

/// Re-typed equivalent of the GB10 line in XuehaiPan/nvitop PR #208 (driver 580.173.02).
#[test]
fn gb10_query_gpu_csv_memory_is_unknown_not_zero() {
    let text = "memory.total [MiB], memory.used [MiB], memory.free [MiB], utilization.gpu [%], power.draw [W], temperature.gpu\n\
                [N/A], [N/A], [N/A], 0 %, 11.17 W, 35\n";
    let fields = [
        "memory.total",
        "memory.used",
        "memory.free",
        "utilization.gpu",
        "power.draw",
        "temperature.gpu",
    ];
    let s = only_sample(parse_query_gpu(text, &fields));
    assert_eq!(s.memory_total_bytes, None);
    assert_eq!(s.memory_used_bytes, None);
    assert_eq!(s.utilization_pct, Some(0.0));
    assert_eq!(s.power_w, Some(11.17));
    assert_eq!(s.temperature_c, Some(35.0));
    assert_eq!(s.index, 0);
}

/// Re-typed equivalent of the `-l 1` loop in NordicHPC/sonar #460: one header, then rows.
#[test]
fn gb10_query_gpu_loop_has_one_header_and_unknown_memory() {
    let text = "timestamp, utilization.gpu [%], memory.used [MiB], temperature.gpu\n\
                2025/11/24 10:00:01.100, 0 %, [N/A], 38\n\
                2025/11/24 10:00:02.101, 2 %, [N/A], 38\n\
                2025/11/24 10:00:03.102, 0 %, [N/A], 39\n";
    let rows = parse_query_gpu(
        text,
        &[
            "timestamp",
            "utilization.gpu",
            "memory.used",
            "temperature.gpu",
        ],
    );
    let rows: Vec<GpuSample> = rows.into_iter().map(|r| r.unwrap()).collect();
    let util: Vec<Option<f64>> = rows.iter().map(|s| s.utilization_pct).collect();
    assert_eq!(util, vec![Some(0.0), Some(2.0), Some(0.0)]);
    assert!(rows.iter().all(|s| s.memory_used_bytes.is_none()));
    assert_eq!(rows[2].temperature_c, Some(39.0));
}

#[test]
fn gb10_stream_line() {
    let s = parse_gpu_line(
        "0, GPU-5f3c9a2e-1b7d-4c8e-9a0f-2d6b4e8c1a3f, NVIDIA GB10, 96, 0, [N/A], [N/A], 71, 38.42, [N/A], 2405, 2405, [N/A], [N/A], P0",
    )
    .unwrap();
    assert_eq!(s.name.as_deref(), Some("NVIDIA GB10"));
    assert_eq!(s.utilization_pct, Some(96.0));
    assert_eq!((s.memory_total_bytes, s.memory_used_bytes), (None, None));
    assert_eq!(s.power_limit_w, None);
    assert_eq!(s.fan_pct, None);
    assert_eq!(s.clock_memory_mhz, None);
    // A line of garbage in the stream is an error the collector counts, never a sample.
    assert!(parse_gpu_line("NVIDIA-SMI has failed because it couldn't communicate").is_err());
}

#[test]
fn h100_mig_bundle_query_gpu_idle_and_load() {
    let bundle = fixture("nvidia_gpu_exporter-h100-mig-590-capture-bundle.txt");

    let (cmd, body) = section(&bundle, "idle :: query-gpu (csv, what the exporter parses)");
    let idle = only_sample(parse_query_gpu(body, &query_fields(cmd)));
    assert_eq!(idle.name.as_deref(), Some("NVIDIA H100 80GB HBM3"));
    assert_eq!(
        idle.uuid.as_deref(),
        Some("GPU-00000000-0000-0000-0000-000000000000")
    );
    // MIG mode: the parent GPU reports no utilisation.
    assert_eq!(idle.utilization_pct, None);
    assert_eq!(idle.memory_total_bytes, Some(81559 * MIB));
    assert_eq!(idle.memory_used_bytes, Some(59 * MIB));
    assert_eq!(idle.temperature_c, Some(42.0));
    assert_eq!(idle.power_w, Some(71.15));
    assert_eq!(idle.power_limit_w, Some(700.0));
    assert_eq!(idle.clock_graphics_mhz, Some(345));
    assert_eq!(idle.clock_memory_mhz, Some(2619));
    assert_eq!(idle.fan_pct, None);
    assert_eq!(idle.pstate.as_deref(), Some("P0"));

    let (cmd, body) = section(&bundle, "load :: query-gpu (csv, what the exporter parses)");
    let load = only_sample(parse_query_gpu(body, &query_fields(cmd)));
    assert_eq!(load.memory_used_bytes, Some(11125 * MIB));
    assert_eq!(load.temperature_c, Some(53.0));
    assert_eq!(load.power_w, Some(433.78));
    assert_eq!(load.clock_sm_mhz, Some(1980));
}

#[test]
fn rtx_2080_610_bundle_query_gpu() {
    let bundle = fixture("nvidia_gpu_exporter-rtx-2080-super-610-capture-bundle.txt");
    let (cmd, body) = section(&bundle, "load :: query-gpu (csv, what the exporter parses)");
    let s = only_sample(parse_query_gpu(body, &query_fields(cmd)));
    assert_eq!(s.name.as_deref(), Some("NVIDIA GeForce RTX 2080 SUPER"));
    assert_eq!(s.utilization_pct, Some(8.0));
    assert_eq!(s.memory_utilization_pct, Some(3.0));
    assert_eq!(s.memory_total_bytes, Some(8192 * MIB));
    assert_eq!(s.memory_used_bytes, Some(815 * MIB));
    assert_eq!(s.temperature_c, Some(38.0));
    assert_eq!(s.power_w, Some(98.14));
    assert_eq!(s.power_limit_w, Some(250.0));
    assert_eq!(s.fan_pct, Some(38.0));
    assert_eq!(s.clock_graphics_mhz, Some(2070));
    assert_eq!(s.clock_memory_mhz, Some(7500));
    assert_eq!(s.pstate.as_deref(), Some("P2"));
}

#[test]
fn windows_591_bundle_query_gpu() {
    let bundle = fixture("nvidia_gpu_exporter-rtx-2080-super-windows-591-capture-bundle.txt");
    let (cmd, body) = section(&bundle, "idle :: query-gpu (csv, what the exporter parses)");
    let s = only_sample(parse_query_gpu(body, &query_fields(cmd)));
    assert_eq!(s.memory_used_bytes, Some(702 * MIB));
    assert_eq!(s.temperature_c, Some(40.0));
    assert_eq!(s.power_w, Some(38.92));
    assert_eq!(s.fan_pct, Some(37.0));
    assert_eq!(s.pstate.as_deref(), Some("P8"));
}

// --- --query-compute-apps ----------------------------------------------------------------

#[test]
fn h100_compute_apps_idle_none_load_three() {
    let bundle = fixture("nvidia_gpu_exporter-h100-mig-590-capture-bundle.txt");
    let (_, idle) = section(&bundle, "idle :: query-compute-apps (per-process)");
    assert!(parse_compute_apps(idle).is_empty());

    let (_, load) = section(&bundle, "load :: query-compute-apps (per-process)");
    let ps = parse_compute_apps(load);
    assert_eq!(pids(&ps), vec![21180, 21181, 21198]);
    assert_eq!(ps[0].name, "/root/tools/memhog");
    assert_eq!(ps[2].name, "./gpu_burn");
    let mem: Vec<Option<u64>> = ps.iter().map(|p| p.used_memory_bytes).collect();
    assert_eq!(
        mem,
        vec![Some(2296 * MIB), Some(1272 * MIB), Some(7484 * MIB)]
    );
    assert!(
        ps.iter()
            .all(|p| p.gpu_uuid.as_deref() == Some("GPU-00000000-0000-0000-0000-000000000000"))
    );
}

#[test]
fn rtx_2080_610_compute_apps() {
    let bundle = fixture("nvidia_gpu_exporter-rtx-2080-super-610-capture-bundle.txt");
    let (_, load) = section(&bundle, "load :: query-compute-apps (per-process)");
    let ps = parse_compute_apps(load);
    assert_eq!(pids(&ps), vec![28512, 28511]);
    assert!(ps.iter().all(|p| p.name == "ffmpeg"));
    assert_eq!(ps[0].used_memory_bytes, Some(370 * MIB));
    assert_eq!(ps[1].used_memory_bytes, Some(230 * MIB));
}

#[test]
fn windows_compute_apps_memory_unknown_names_with_spaces() {
    let bundle = fixture("nvidia_gpu_exporter-rtx-2080-super-windows-591-capture-bundle.txt");
    let (_, idle) = section(&bundle, "idle :: query-compute-apps (per-process)");
    let ps = parse_compute_apps(idle);
    assert_eq!(ps.len(), 10);
    assert!(ps.iter().all(|p| p.used_memory_bytes.is_none()));
    let cam = ps.iter().find(|p| p.pid == 20372).unwrap();
    assert_eq!(cam.name, r"C:\Program Files\NZXT CAM\NZXT CAM.exe");

    let (_, load) = section(&bundle, "load :: query-compute-apps (per-process)");
    assert_eq!(parse_compute_apps(load).len(), 12);
}

// --- -q -x XML ------------------------------------------------------------------------------

#[test]
fn a100_mig_v12_xml() {
    let r = parse_xml(&fixture("telegraf-a100-sxm4-80gb-mig-535-q-x.xml")).unwrap();
    assert_eq!(r.driver_version.as_deref(), Some("535.54.03"));
    assert_eq!(r.cuda_version.as_deref(), Some("12.2"));
    // `attached_gpus` says 4 but the contributor kept one <gpu>.
    assert_eq!(r.statics.len(), 1);
    let st = &r.statics[0];
    assert_eq!(st.name.as_deref(), Some("NVIDIA A100-SXM4-80GB"));
    assert_eq!(st.architecture.as_deref(), Some("Ampere"));
    assert_eq!(st.mig_enabled, Some(true));
    assert_eq!(st.persistence_mode, Some(false));
    assert_eq!(st.addressing_mode, None);
    assert_eq!(st.virtualization_mode.as_deref(), Some("None"));
    assert_eq!(st.pci_bus_id.as_deref(), Some("00000000:01:00.0"));
    assert_eq!(st.driver_version.as_deref(), Some("535.54.03"));
    let s = &r.samples[0];
    // The GPU's own framebuffer, not the first MIG device's 19968 MiB.
    assert_eq!(s.memory_total_bytes, Some(81920 * MIB));
    assert_eq!(s.memory_used_bytes, Some(50 * MIB));
    assert_eq!(s.utilization_pct, None);
    assert_eq!(s.temperature_c, Some(27.0));
    assert_eq!(s.power_w, Some(67.03));
    assert_eq!(s.power_limit_w, Some(500.0));
    assert_eq!(s.clock_graphics_mhz, Some(1275));
    assert_eq!(s.clock_memory_mhz, Some(1593));
    assert_eq!(s.fan_pct, None);
    assert!(r.processes.is_empty());
}

#[test]
fn blackwell_v13_power_from_instant_power_draw() {
    let r = parse_xml(&fixture("telegraf-rtx-pro-6000-blackwell-maxq-590-q-x.xml")).unwrap();
    assert_eq!(r.driver_version.as_deref(), Some("590.44.01"));
    assert_eq!(r.cuda_version.as_deref(), Some("13.1"));
    let st = &r.statics[0];
    assert_eq!(
        st.name.as_deref(),
        Some("NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition")
    );
    assert_eq!(st.architecture.as_deref(), Some("Blackwell"));
    assert_eq!(st.addressing_mode.as_deref(), Some("HMM"));
    assert_eq!(st.persistence_mode, Some(true));
    assert_eq!(st.mig_enabled, None);
    assert_eq!(st.power_limit_w, Some(300.0));
    let s = &r.samples[0];
    assert_eq!(s.power_w, Some(3.99));
    assert_eq!(s.memory_total_bytes, Some(97887 * MIB));
    assert_eq!(s.memory_used_bytes, Some(65720 * MIB));
    assert_eq!(s.temperature_c, Some(24.0));
    assert_eq!(s.fan_pct, Some(30.0));
    assert_eq!(s.clock_sm_mhz, Some(180));
    assert_eq!(s.pstate.as_deref(), Some("P8"));
    assert_eq!(r.processes.len(), 1);
    let p = &r.processes[0];
    assert_eq!(p.pid, 116860);
    assert_eq!(p.name, "/root/src/llama.cpp/build/bin/llama-server");
    assert_eq!(p.used_memory_bytes, Some(65710 * MIB));
    assert_eq!(p.gpu_index, Some(0));
    assert_eq!(
        p.gpu_uuid.as_deref(),
        Some("GPU-12345678-aaaa-bbbb-cccc-0123456789ab")
    );
}

#[test]
fn dual_a5000_two_gpus_two_processes() {
    let r = parse_xml(&fixture("telegraf-dual-rtx-a5000-590-q-x.xml")).unwrap();
    assert_eq!(r.samples.len(), 2);
    assert_eq!(r.statics.len(), 2);
    let idx: Vec<u32> = r.samples.iter().map(|s| s.index).collect();
    assert_eq!(idx, vec![0, 1]);
    assert_eq!(r.statics[1].pci_bus_id.as_deref(), Some("00000000:C1:00.0"));
    assert_eq!(
        r.samples[1].uuid.as_deref(),
        Some("GPU-12345678-aaaa-bbbb-cccc-0123456789cd")
    );
    assert_eq!(r.samples[0].memory_used_bytes, Some(22437 * MIB));
    assert_eq!(r.samples[1].memory_used_bytes, Some(17253 * MIB));
    assert_eq!(r.samples[0].power_w, Some(6.52));
    assert_eq!(r.samples[1].power_w, Some(13.59));
    assert_eq!(r.samples[1].temperature_c, Some(15.0));
    assert!(r.samples.iter().all(|s| s.power_limit_w == Some(230.0)));
    // One llama-server process spans both GPUs: same pid, one entry per GPU.
    assert_eq!(r.processes.len(), 2);
    assert_eq!(pids(&r.processes), vec![100477, 100477]);
    let on: Vec<Option<u32>> = r.processes.iter().map(|p| p.gpu_index).collect();
    assert_eq!(on, vec![Some(0), Some(1)]);
    assert_eq!(r.processes[1].used_memory_bytes, Some(17246 * MIB));
}

#[test]
fn vgpu_p4_guest_thirteen_processes() {
    let r = parse_xml(&fixture("telegraf-grid-p4-1q-vgpu-513-q-x.xml")).unwrap();
    assert_eq!(r.driver_version.as_deref(), Some("513.46"));
    assert_eq!(r.cuda_version.as_deref(), Some("11.6"));
    let st = &r.statics[0];
    assert_eq!(st.name.as_deref(), Some("GRID P4-1Q"));
    assert_eq!(st.virtualization_mode.as_deref(), Some("VGPU"));
    assert_eq!(st.persistence_mode, None);
    assert_eq!(st.architecture.as_deref(), Some("Pascal"));
    let s = &r.samples[0];
    assert_eq!(s.memory_total_bytes, Some(1024 * MIB));
    assert_eq!(s.memory_used_bytes, Some(807 * MIB));
    assert_eq!(s.power_w, None);
    assert_eq!(s.power_limit_w, None);
    assert_eq!(s.fan_pct, None);
    assert_eq!(s.utilization_pct, Some(0.0));
    assert_eq!(
        pids(&r.processes),
        vec![
            1188, 2124, 3696, 3972, 7208, 7284, 7880, 8788, 9468, 9804, 11528, 12804, 15104
        ]
    );
    assert!(r.processes.iter().all(|p| p.used_memory_bytes.is_none()));
    // A guest sees names only for its own session's processes.
    let named: Vec<&str> = r
        .processes
        .iter()
        .filter(|p| !p.name.is_empty())
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(named, vec![r"C:\Windows\explorer.exe"]);
}

#[test]
fn gtx_1070_ti_dtd_v10_minimal() {
    let r = parse_xml(&fixture("telegraf-gtx-1070-ti-dtd-v10-q-x.xml")).unwrap();
    assert_eq!(r.driver_version, None);
    assert_eq!(r.cuda_version, None);
    let st = &r.statics[0];
    assert_eq!(st.name.as_deref(), Some("GeForce GTX 1070 Ti"));
    assert_eq!(st.architecture, None);
    // No <pci_bus_id>: the <gpu id="…"> attribute carries it.
    assert_eq!(st.pci_bus_id.as_deref(), Some("00000000:01:00.0"));
    let s = &r.samples[0];
    assert_eq!(s.fan_pct, Some(100.0));
    assert_eq!(s.memory_total_bytes, Some(4096 * MIB));
    assert_eq!(s.memory_used_bytes, Some(42 * MIB));
    assert_eq!(s.temperature_c, Some(39.0));
    assert_eq!(s.power_w, None);
    assert_eq!(s.power_limit_w, None);
    assert_eq!(
        (s.clock_graphics_mhz, s.clock_sm_mhz, s.clock_memory_mhz),
        (Some(135), Some(135), Some(405))
    );
    assert!(r.processes.is_empty());
}

// --- plain table ----------------------------------------------------------------------------

#[test]
fn gb10_table_processes_and_gpu() {
    let text = fixture("surfer11may-gb10-580.126.09-nvidia-smi-vllm-61gb.txt");
    let ps = parse_process_table(&text);
    assert_eq!(pids(&ps), vec![2804, 3060, 2283430]);
    let names: Vec<&str> = ps.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "/usr/lib/xorg/Xorg",
            "/usr/bin/gnome-shell",
            "VLLM::EngineCore"
        ]
    );
    let mem: Vec<Option<u64>> = ps.iter().map(|p| p.used_memory_bytes).collect();
    assert_eq!(
        mem,
        vec![Some(179 * MIB), Some(48 * MIB), Some(61383 * MIB)]
    );
    assert!(ps.iter().all(|p| p.gpu_index == Some(0)));

    let gpus = parse_table_gpus(&text);
    assert_eq!(gpus.len(), 1);
    let g = &gpus[0];
    assert_eq!(g.name.as_deref(), Some("NVIDIA GB10"));
    assert_eq!((g.memory_used_bytes, g.memory_total_bytes), (None, None));
    assert_eq!(g.power_limit_w, None);
    assert_eq!(g.fan_pct, None);
    assert_eq!(g.utilization_pct, Some(0.0));
    assert_eq!(g.temperature_c, Some(45.0));
    assert_eq!(g.power_w, Some(11.0));

    let h = parse_table_header(&text);
    assert_eq!(h.driver_version.as_deref(), Some("580.126.09"));
    assert_eq!(h.cuda_version.as_deref(), Some("13.0"));
}

#[test]
fn gb10_table_truncated_memory_is_unknown_not_wrong() {
    let text = fixture("surfer11may-gb10-580.126.09-nvidia-smi-truncated-mem.txt");
    let ps = parse_process_table(&text);
    assert_eq!(pids(&ps), vec![2804, 3060, 2693630]);
    let vllm = &ps[2];
    assert_eq!(vllm.name, "VLLM::EngineCore");
    assert_eq!(vllm.used_memory_bytes, None);
    assert_eq!(ps[0].used_memory_bytes, Some(179 * MIB));
    let g = &parse_table_gpus(&text)[0];
    assert_eq!(g.temperature_c, Some(44.0));
    assert_eq!(g.power_w, Some(11.0));
    assert_eq!(g.pstate.as_deref(), Some("P0"));
}

/// Re-typed equivalent of the GB10 GPU box in NVIDIA/k8s-device-plugin #1482 (580.95.05).
#[test]
fn gb10_launch_driver_table_box() {
    let text = "\
| NVIDIA-SMI 580.95.05              Driver Version: 580.95.05      CUDA Version: 13.0     |
+-----------------------------------------+------------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |
| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |
|                                         |                        |               MIG M. |
|=========================================+========================+======================|
|   0  NVIDIA GB10                    On  |   0000000F:01:00.0 Off |                  N/A |
| N/A   41C    P8              4W /  N/A  | Not Supported          |      0%      Default |
|                                         |                        |                  N/A |
+-----------------------------------------+------------------------+----------------------+
";
    let g = &parse_table_gpus(text)[0];
    assert_eq!(g.pstate.as_deref(), Some("P8"));
    assert_eq!(g.power_w, Some(4.0));
    assert_eq!(g.power_limit_w, None);
    assert_eq!(g.memory_used_bytes, None);
    assert_eq!(g.temperature_c, Some(41.0));
    assert!(parse_process_table(text).is_empty());
}

#[test]
fn eight_v100_table() {
    let text = fixture("thamada-gls-8x-v100-550-nvidia-smi.txt");
    let gpus = parse_table_gpus(&text);
    assert_eq!(gpus.len(), 8);
    let idx: Vec<u32> = gpus.iter().map(|g| g.index).collect();
    assert_eq!(idx, (0..8).collect::<Vec<u32>>());
    let temps: Vec<Option<f64>> = gpus.iter().map(|g| g.temperature_c).collect();
    let expected = [37.0, 40.0, 39.0, 36.0, 37.0, 39.0, 38.0, 36.0].map(Some);
    assert_eq!(temps, expected.to_vec());
    let power: Vec<Option<f64>> = gpus.iter().map(|g| g.power_w).collect();
    let expected = [45.0, 40.0, 39.0, 39.0, 44.0, 41.0, 45.0, 44.0].map(Some);
    assert_eq!(power, expected.to_vec());
    for g in &gpus {
        assert_eq!(g.name.as_deref(), Some("Tesla V100-SXM2-16GB"));
        assert_eq!(g.power_limit_w, Some(300.0));
        assert_eq!(g.memory_used_bytes, Some(MIB));
        assert_eq!(g.memory_total_bytes, Some(16384 * MIB));
        assert_eq!(g.utilization_pct, Some(0.0));
    }
    assert!(parse_process_table(&text).is_empty());
    let h = parse_table_header(&text);
    assert_eq!(h.driver_version.as_deref(), Some("550.127.05"));
    assert_eq!(h.cuda_version.as_deref(), Some("12.4"));
}

#[test]
fn gh200_table_reports_hbm() {
    let text = fixture("thamada-gls-gh200-480gb-550-nvidia-smi.txt");
    let gpus = parse_table_gpus(&text);
    assert_eq!(gpus.len(), 1);
    let g = &gpus[0];
    assert_eq!(g.name.as_deref(), Some("NVIDIA GH200 480GB"));
    assert_eq!(g.memory_used_bytes, Some(3 * MIB));
    assert_eq!(g.memory_total_bytes, Some(97871 * MIB));
    assert_eq!((g.power_w, g.power_limit_w), (Some(87.0), Some(700.0)));
    assert_eq!(g.temperature_c, Some(31.0));
}

#[test]
fn driver_610_header_drift() {
    let bundle = fixture("nvidia_gpu_exporter-rtx-2080-super-610-capture-bundle.txt");
    let (_, table) = section(&bundle, "load :: nvidia-smi (default table)");
    let h = parse_table_header(table);
    assert_eq!(h.smi_version.as_deref(), Some("610.57.04"));
    assert_eq!(h.driver_version.as_deref(), Some("610.57.04"));
    assert_eq!(h.cuda_version.as_deref(), Some("13.3"));
    let ps = parse_process_table(table);
    assert_eq!(pids(&ps), vec![1720, 4556, 28511, 28512]);
    assert_eq!(ps[0].used_memory_bytes, Some(173 * MIB));
    assert_eq!(ps[3].used_memory_bytes, Some(370 * MIB));
    let g = &parse_table_gpus(table)[0];
    // The table cuts the name; it is kept as printed.
    assert_eq!(g.name.as_deref(), Some("NVIDIA GeForce RTX 2080 ..."));
    assert_eq!(g.fan_pct, Some(38.0));
    assert_eq!(g.utilization_pct, Some(8.0));
    assert_eq!(g.memory_used_bytes, Some(815 * MIB));
}

#[test]
fn h100_mig_table_skips_the_mig_box() {
    let bundle = fixture("nvidia_gpu_exporter-h100-mig-590-capture-bundle.txt");
    let (_, table) = section(&bundle, "load :: nvidia-smi (default table)");
    let gpus = parse_table_gpus(table);
    assert_eq!(gpus.len(), 1);
    assert_eq!(gpus[0].utilization_pct, None);
    assert_eq!(gpus[0].memory_used_bytes, Some(11125 * MIB));
    assert_eq!(gpus[0].power_w, Some(432.0));
    let ps = parse_process_table(table);
    assert_eq!(pids(&ps), vec![21180, 21181, 21198]);
    assert_eq!(ps[2].used_memory_bytes, Some(7484 * MIB));
}

#[test]
fn windows_table_c_plus_g_processes_without_memory() {
    let bundle = fixture("nvidia_gpu_exporter-rtx-2080-super-windows-591-capture-bundle.txt");
    let (_, table) = section(&bundle, "idle :: nvidia-smi (default table)");
    let ps = parse_process_table(table);
    assert_eq!(ps.len(), 10);
    assert!(ps.iter().all(|p| p.used_memory_bytes.is_none()));
    assert_eq!(ps[0].name, r"C:\Windows\System32\dwm.exe");
    assert_eq!(ps[1].name, r"...e Experience\NVIDIA Share.exe");
    let g = &parse_table_gpus(table)[0];
    assert_eq!(g.memory_used_bytes, Some(702 * MIB));
    assert_eq!(g.temperature_c, Some(40.0));
}

// --- every fixture, every parser -------------------------------------------------------------

#[test]
fn every_fixture_goes_through_every_parser_without_panic() {
    let mut seen = 0;
    for entry in fs::read_dir(fixture_dir()).unwrap() {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        let xml = parse_xml(&text);
        if path.extension().is_some_and(|e| e == "xml") {
            let r = xml.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(!r.samples.is_empty(), "{}", path.display());
        }
        let _ = parse_query_gpu(&text, QUERY_GPU_FIELDS);
        let _ = parse_compute_apps(&text);
        let _ = parse_process_table(&text);
        let _ = parse_table_gpus(&text);
        let _ = parse_table_header(&text);
        for line in text.lines() {
            let _ = parse_gpu_line(line);
            let _ = value::parse_f64(line);
            let _ = value::parse_mib_bytes(line);
        }
        seen += 1;
    }
    assert_eq!(seen, 12, "fixture files");
}

// --- properties -------------------------------------------------------------------------------

/// What nvidia-smi prints for an unknown value in `--format=csv,nounits`.
fn unknown_marker() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("[N/A]"),
        Just("[Not Supported]"),
        Just("[Unknown Error]")
    ]
}

fn opt<T: std::fmt::Debug + Clone + 'static>(
    s: impl Strategy<Value = T> + 'static,
) -> impl Strategy<Value = Option<T>> {
    proptest::option::of(s)
}

prop_compose! {
    fn arb_sample()(
        index in 0u32..64,
        uuid in opt("GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
        name in opt("NVIDIA [A-Za-z0-9][A-Za-z0-9 -]{0,20}[A-Za-z0-9]"),
        util in opt(0u32..=100),
        mem_util in opt(0u32..=100),
        total_mib in opt(0u64..=2_000_000),
        used_mib in opt(0u64..=2_000_000),
        temp in opt(0u32..=120),
        power_cw in opt(0u32..=150_000),
        limit_cw in opt(0u32..=150_000),
        clocks in (opt(0u32..=4000), opt(0u32..=4000), opt(0u32..=20000)),
        fan in opt(0u32..=100),
        pstate in opt("P[0-9]{1,2}"),
    ) -> GpuSample {
        GpuSample {
            index,
            uuid,
            name,
            utilization_pct: util.map(f64::from),
            memory_utilization_pct: mem_util.map(f64::from),
            memory_total_bytes: total_mib.map(|m| m * MIB),
            memory_used_bytes: used_mib.map(|m| m * MIB),
            temperature_c: temp.map(f64::from),
            power_w: power_cw.map(|c| f64::from(c) / 100.0),
            power_limit_w: limit_cw.map(|c| f64::from(c) / 100.0),
            clock_graphics_mhz: clocks.0,
            clock_sm_mhz: clocks.1,
            clock_memory_mhz: clocks.2,
            fan_pct: fan.map(f64::from),
            pstate,
        }
    }
}

/// The sample as `--format=csv,noheader,nounits` prints it.
fn format_line(s: &GpuSample, marker: &str) -> String {
    fn v<T: std::fmt::Display>(x: Option<T>, marker: &str) -> String {
        x.map_or(marker.to_string(), |x| x.to_string())
    }
    let watts = |w: Option<f64>| w.map_or(marker.to_string(), |w| format!("{w:.2}"));
    [
        s.index.to_string(),
        v(s.uuid.as_ref(), marker),
        v(s.name.as_ref(), marker),
        v(s.utilization_pct, marker),
        v(s.memory_utilization_pct, marker),
        v(s.memory_total_bytes.map(|b| b / MIB), marker),
        v(s.memory_used_bytes.map(|b| b / MIB), marker),
        v(s.temperature_c, marker),
        watts(s.power_w),
        watts(s.power_limit_w),
        v(s.clock_graphics_mhz, marker),
        v(s.clock_sm_mhz, marker),
        v(s.clock_memory_mhz, marker),
        v(s.fan_pct, marker),
        v(s.pstate.as_ref(), marker),
    ]
    .join(", ")
}

proptest! {
    #[test]
    fn gpu_line_round_trips(sample in arb_sample(), marker in unknown_marker()) {
        let line = format_line(&sample, marker);
        prop_assert_eq!(parse_gpu_line(&line), Ok(sample));
    }

    #[test]
    fn no_parser_panics_on_any_string(s in any::<String>()) {
        let _ = parse_gpu_line(&s);
        let _ = parse_query_gpu(&s, QUERY_GPU_FIELDS);
        let _ = parse_query_gpu(&s, &[]);
        let _ = parse_compute_apps(&s);
        let _ = parse_xml(&s);
        let _ = parse_process_table(&s);
        let _ = parse_table_gpus(&s);
        let _ = parse_table_header(&s);
        let _ = value::parse_f64(&s);
        let _ = value::parse_u64(&s);
        let _ = value::parse_mib_bytes(&s);
        let _ = value::parse_text(&s);
    }

    #[test]
    fn no_parser_panics_on_near_miss_csv(s in "[0-9A-Za-z ,.%\\[\\]/\\n-]{0,300}") {
        let _ = parse_gpu_line(&s);
        let _ = parse_query_gpu(&s, QUERY_GPU_FIELDS);
        let _ = parse_compute_apps(&s);
    }

    #[test]
    fn no_parser_panics_on_near_miss_tables(
        rows in proptest::collection::vec("[|+=N/A0-9 MiBWC%P.:a-z-]{0,90}", 0..20)
    ) {
        let text = format!("Processes:\n|====|\n{}", rows.join("\n"));
        let _ = parse_process_table(&text);
        let text = format!("|=====|\n{}", rows.join("\n"));
        let _ = parse_table_gpus(&text);
    }

    #[test]
    fn no_parser_panics_on_near_miss_xml(
        parts in proptest::collection::vec(
            prop_oneof![
                "<(gpu|processes|process_info|pid|fb_memory_usage|total|power_readings|gpu_power_readings|clocks)>",
                "</(gpu|processes|process_info|pid|fb_memory_usage|total|power_readings|clocks)>",
                "[0-9N/A .MiBW]{0,8}",
            ],
            0..40,
        )
    ) {
        let _ = parse_xml(&format!("<nvidia_smi_log>{}</nvidia_smi_log>", parts.concat()));
    }
}
