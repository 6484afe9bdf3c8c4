//! The `gpus` section of `sparkdeck snapshot`: a GB10 over SSH (fake nvidia-smi on the
//! remote PATH, the sshd host's real /proc) and a local host without any GPU.

mod support;

use support::env::TestEnv;
use support::fake_smi::{self, Behaviour, MIB};
use support::sshd::Sshd;

fn meminfo_bytes(key: &str) -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .unwrap()
        * 1024
}

fn headroom_now() -> u64 {
    meminfo_bytes("MemAvailable") + meminfo_bytes("SwapFree")
}

#[test]
fn snapshot_over_ssh_has_the_gb10_as_unified_memory() {
    let sshd = Sshd::start();
    let (log, state) = fake_smi::paths(&sshd.shared_dir());
    sshd.install_remote_tool(
        "nvidia-smi",
        &fake_smi::script(
            &fake_smi::gb10(2283430),
            &Behaviour::default(),
            &log,
            &state,
        ),
    );
    let env = TestEnv::new();
    env.ssh_alias("spark", &sshd);
    env.trust(&sshd);
    // Borders this machine is sure to cross, so the unified pool's own problems show:
    // any pressure (even 0.0) is at least 0, and any headroom at most 100 % of MemTotal
    // unless swap makes up the difference.
    env.write(
        "config/sparkdeck/config.toml",
        "[gpu]\npressure_warn_pct = 0.0\npressure_crit_pct = 100.0\n\
         headroom_warn_pct = 100.0\nheadroom_crit_pct = 0.0\n",
    );

    let before = headroom_now();
    let out = env
        .cmd()
        .args(["snapshot", "--json", "--host", "spark"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let after = headroom_now();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], 1);
    let gpus = v["gpus"].as_array().unwrap();
    assert_eq!(gpus.len(), 1, "{v}");
    let g = &gpus[0];
    assert_eq!(g["index"], 0);
    assert_eq!(g["name"], "NVIDIA GB10");
    assert_eq!(g["uuid"], fake_smi::GB10_UUID);
    assert_eq!(g["driver_version"], "580.126.09");
    assert_eq!(g["utilization_pct"], 0.0);
    assert_eq!(g["temperature_c"], 35.0);
    assert_eq!(g["power_w"], 11.17);
    assert!(g["power_limit_w"].is_null(), "{g}");
    assert_eq!(g["clocks_mhz"]["graphics"], 208);
    assert!(g["clocks_mhz"]["memory"].is_null(), "{g}");

    let m = &g["memory"];
    assert_eq!(m["kind"], "unified", "{m}");
    assert_eq!(m["gpu_resident_bytes"], (179 + 48 + 61383) * MIB, "{m}");
    assert_eq!(m["used_bytes"], m["gpu_resident_bytes"]);
    assert_eq!(m["total_bytes"], meminfo_bytes("MemTotal"), "{m}");
    // MemAvailable moves while the test runs: the reported headroom must lie within what
    // this machine showed just before and after (the sshd host is this machine).
    let headroom = m["headroom_bytes"].as_u64().unwrap();
    let slack = 256 * MIB;
    let (lo, hi) = (before.min(after) - slack, before.max(after) + slack);
    assert!(
        lo <= headroom && headroom <= hi,
        "{lo} <= {headroom} <= {hi}"
    );
    if std::path::Path::new("/proc/pressure/memory").exists() {
        assert!(m["pressure_pct"].is_number(), "{m}");
    }

    let procs = g["processes"].as_array().unwrap();
    let names: Vec<&str> = procs.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "/usr/lib/xorg/Xorg",
            "/usr/bin/gnome-shell",
            "VLLM::EngineCore"
        ]
    );
    assert_eq!(procs[2]["pid"], 2283430);
    assert_eq!(procs[2]["used_memory_bytes"], 61383 * MIB);
    assert!(procs[2]["container"].is_null());
    let mut keys: Vec<&str> = procs[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["container", "name", "pid", "used_memory_bytes"]);

    let problems = v["problems"]
        .as_array()
        .expect("problems is always present");
    let gpu_problem = |what: &str| {
        problems
            .iter()
            .find(|p| p["area"] == "gpu" && p["message"].as_str().unwrap().contains(what))
    };
    if m["pressure_pct"].is_number() {
        let p = gpu_problem("unified memory pressure")
            .unwrap_or_else(|| panic!("no pressure problem in {problems:?}"));
        assert_eq!(p["severity"], "warn", "{p}");
        assert!(
            p["message"]
                .as_str()
                .unwrap()
                .starts_with("0 NVIDIA GB10: "),
            "{p}"
        );
        assert!(
            p["fix"].as_str().unwrap().contains("pressure_warn_pct 0%"),
            "{p}"
        );
        assert!(
            p.get("row").is_none(),
            "row is not part of the document: {p}"
        );
    }
    if headroom < meminfo_bytes("MemTotal") {
        let p = gpu_problem("unified memory headroom")
            .unwrap_or_else(|| panic!("no headroom problem in {problems:?}"));
        assert_eq!(p["severity"], "warn", "{p}");
    }

    let runs = fake_smi::runs(&log);
    assert!(runs.iter().all(|r| !r.contains("-lms")), "{runs:?}");

    let out = env
        .cmd()
        .args(["snapshot", "--host", "spark"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("warn  gpu      0 NVIDIA GB10: unified memory")),
        "{text}"
    );
}

#[test]
fn snapshot_text_says_why_there_is_no_gpu() {
    let env = TestEnv::new();
    let has_smi = ["/usr/local/bin", "/usr/bin", "/bin"]
        .iter()
        .any(|d| std::path::Path::new(d).join("nvidia-smi").exists());
    if has_smi || sparkdeck::gpu::RealNvml::init().is_ok() {
        return;
    }
    let out = env.cmd().arg("snapshot").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("gpus  none: "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains("no NVIDIA GPU found: NVML could not be loaded"),
        "{line}"
    );
    assert!(line.contains("cannot run nvidia-smi on local"), "{line}");

    let out = env.cmd().args(["snapshot", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["gpus"], serde_json::json!([]));
    let gpu: Vec<_> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["area"] == "gpu")
        .collect();
    assert!(gpu.is_empty(), "no driver is not a fault: {gpu:?}");
}
