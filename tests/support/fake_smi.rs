//! A fake `nvidia-smi` shell script for the GPU collector tests. It answers the three forms
//! sparkdeck runs (`-q -x`, `--query-gpu=… [-lms N]`, `--query-compute-apps=…`) with values
//! shaped like the captures in shared/fixtures/nvidia-smi (GB10: `[N/A]` framebuffer memory,
//! 0 % utilisation, 11.17 W, 35 °C; a dual RTX A5000 box). It prints fields by NAME in the
//! order the caller asks for them, so it stays right whatever field list the parsers choose.
//! Every run appends its arguments to a log, which lets tests count spawns.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub const MIB: u64 = 1 << 20;
pub const GB10_UUID: &str = "GPU-6f1d2a0e-3c4b-4e5f-8a9b-0c1d2e3f4a5b";

/// `(query field name, value as nvidia-smi prints it with nounits)`.
pub type Fields = Vec<(&'static str, String)>;

#[derive(Debug, Clone)]
pub struct Profile {
    pub xml: String,
    /// One entry per GPU, in index order.
    pub gpus: Vec<Fields>,
    pub apps: Vec<Fields>,
}

/// How the `-lms` stream misbehaves on its FIRST run (later runs are well-behaved).
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// Exit with status 15 and an error on stderr after this many ticks.
    pub die_after_ticks: Option<u32>,
    /// After this many ticks, print this many garbage lines in a row.
    pub garbage: Option<(u32, u32)>,
}

fn f(pairs: &[(&'static str, &str)]) -> Fields {
    pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

/// DGX Spark GB10, driver 580.126.09 (surfer11may and nvitop#208 captures). `vllm_pid` lets
/// a test use a real process for the vLLM engine so the enrichment can be checked.
pub fn gb10(vllm_pid: u32) -> Profile {
    let na = "[N/A]";
    let gpu = f(&[
        ("index", "0"),
        ("uuid", GB10_UUID),
        ("gpu_uuid", GB10_UUID),
        ("name", "NVIDIA GB10"),
        ("gpu_name", "NVIDIA GB10"),
        ("pci.bus_id", "0000000F:01:00.0"),
        ("driver_version", "580.126.09"),
        ("pstate", "P0"),
        ("utilization.gpu", "0"),
        ("utilization.memory", "0"),
        ("memory.total", na),
        ("memory.used", na),
        ("memory.free", na),
        ("memory.reserved", na),
        ("temperature.gpu", "35"),
        ("power.draw", "11.17"),
        ("power.draw.instant", "11.17"),
        ("power.draw.average", "11.17"),
        ("power.limit", na),
        ("enforced.power.limit", na),
        ("clocks.gr", "208"),
        ("clocks.current.graphics", "208"),
        ("clocks.sm", "208"),
        ("clocks.current.sm", "208"),
        ("clocks.mem", na),
        ("clocks.current.memory", na),
        ("fan.speed", na),
        ("persistence_mode", "Enabled"),
    ]);
    let app = |pid: &str, name: &str, mib: &str| {
        f(&[
            ("pid", pid),
            ("process_name", name),
            ("name", name),
            ("used_memory", mib),
            ("used_gpu_memory", mib),
            ("gpu_uuid", GB10_UUID),
            ("gpu_bus_id", "0000000F:01:00.0"),
            ("gpu_name", "NVIDIA GB10"),
        ])
    };
    Profile {
        xml: xml(
            "580.126.09",
            "13.0",
            &[("NVIDIA GB10", GB10_UUID, "0000000F:01:00.0")],
        ),
        gpus: vec![gpu],
        apps: vec![
            app("2804", "/usr/lib/xorg/Xorg", "179"),
            app("3060", "/usr/bin/gnome-shell", "48"),
            app(&vllm_pid.to_string(), "VLLM::EngineCore", "61383"),
        ],
    }
}

pub const A5000_UUIDS: [&str; 2] = [
    "GPU-12345678-aaaa-bbbb-cccc-0123456789ab",
    "GPU-12345678-aaaa-bbbb-cccc-0123456789cd",
];

/// Two RTX A5000, driver 590.44.01 (telegraf dual_a5000-v13 capture): 13 °C / 15 °C,
/// 6.52 W / 13.59 W of 230 W, 22437 / 17253 of 24564 MiB used.
pub fn dual_a5000() -> Profile {
    let gpu = |i: &str, uuid: &str, bus: &str, temp: &str, power: &str, used: &str, free: &str| {
        f(&[
            ("index", i),
            ("uuid", uuid),
            ("name", "NVIDIA RTX A5000"),
            ("pci.bus_id", bus),
            ("driver_version", "590.44.01"),
            ("pstate", "P8"),
            ("utilization.gpu", "0"),
            ("utilization.memory", "0"),
            ("memory.total", "24564"),
            ("memory.used", used),
            ("memory.free", free),
            ("temperature.gpu", temp),
            ("power.draw", power),
            ("power.draw.instant", power),
            ("power.limit", "230.00"),
            ("enforced.power.limit", "230.00"),
            ("clocks.gr", "210"),
            ("clocks.current.graphics", "210"),
            ("clocks.sm", "210"),
            ("clocks.current.sm", "210"),
            ("clocks.mem", "405"),
            ("clocks.current.memory", "405"),
            ("fan.speed", "30"),
        ])
    };
    let app = |pid: &str, name: &str, mib: &str, uuid: &str| {
        f(&[
            ("pid", pid),
            ("process_name", name),
            ("used_memory", mib),
            ("gpu_uuid", uuid),
            ("gpu_name", "NVIDIA RTX A5000"),
        ])
    };
    Profile {
        xml: xml(
            "590.44.01",
            "13.1",
            &[
                ("NVIDIA RTX A5000", A5000_UUIDS[0], "00000000:01:00.0"),
                ("NVIDIA RTX A5000", A5000_UUIDS[1], "00000000:02:00.0"),
            ],
        ),
        gpus: vec![
            gpu(
                "0",
                A5000_UUIDS[0],
                "00000000:01:00.0",
                "13",
                "6.52",
                "22437",
                "2127",
            ),
            gpu(
                "1",
                A5000_UUIDS[1],
                "00000000:02:00.0",
                "15",
                "13.59",
                "17253",
                "7311",
            ),
        ],
        apps: vec![
            app(
                "100477",
                "/root/src/llama.cpp/build/bin/llama-server",
                "22430",
                A5000_UUIDS[0],
            ),
            app("100478", "python3", "17246", A5000_UUIDS[1]),
        ],
    }
}

/// A small `-q -x` document in the v13 layout.
fn xml(driver: &str, cuda: &str, gpus: &[(&str, &str, &str)]) -> String {
    let mut x = format!(
        "<?xml version=\"1.0\" ?>\n<!DOCTYPE nvidia_smi_log SYSTEM \"nvsmi_device_v13.dtd\">\n\
         <nvidia_smi_log>\n\t<driver_version>{driver}</driver_version>\n\
         \t<cuda_version>{cuda}</cuda_version>\n\t<attached_gpus>{}</attached_gpus>\n",
        gpus.len()
    );
    for (name, uuid, bus) in gpus {
        let _ = write!(
            x,
            "\t<gpu id=\"{bus}\">\n\t\t<product_name>{name}</product_name>\n\
             \t\t<persistence_mode>Enabled</persistence_mode>\n\t\t<uuid>{uuid}</uuid>\n\
             \t</gpu>\n"
        );
    }
    x.push_str("</nvidia_smi_log>\n");
    x
}

fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r#"'\''"#))
}

fn case_arms(out: &mut String, rows: &[Fields]) {
    for (i, row) in rows.iter().enumerate() {
        for (k, v) in row {
            let _ = writeln!(out, "    {i}:{k}) v={} ;;", sh_quote(v));
        }
    }
    out.push_str("    *) v='[N/A]' ;;\n");
}

/// The script text. `log` gets one line per run; `state` is a writable directory.
pub fn script(profile: &Profile, b: &Behaviour, log: &Path, state: &Path) -> String {
    let mut s = String::from("#!/bin/sh\n");
    let _ = writeln!(
        s,
        "log={}; state={}",
        sh_quote(&log.display().to_string()),
        sh_quote(&state.display().to_string())
    );
    s.push_str(
        r#"echo "$*" >> "$log"
mode=; fields=; lms=; prev=
for a in "$@"; do
  [ "$prev" = -lms ] && lms=$a
  case "$a" in
    --query-gpu=*) mode=gpu; fields=${a#--query-gpu=} ;;
    --query-compute-apps=*) mode=apps; fields=${a#--query-compute-apps=} ;;
    -x) mode=xml ;;
  esac
  prev=$a
done
"#,
    );
    s.push_str("gpu_val() {\n  case \"$1:$2\" in\n");
    case_arms(&mut s, &profile.gpus);
    s.push_str("  esac\n}\napp_val() {\n  case \"$1:$2\" in\n");
    case_arms(&mut s, &profile.apps);
    s.push_str("  esac\n}\n");
    s.push_str(
        r#"row() {
  out=; sep=
  IFS=,
  for fld in $fields; do
    "$1" "$2" "$fld"
    out="$out$sep$v"; sep=', '
  done
  unset IFS
  echo "$out"
}
"#,
    );
    let gpu_ids: Vec<String> = (0..profile.gpus.len()).map(|i| i.to_string()).collect();
    let app_ids: Vec<String> = (0..profile.apps.len()).map(|i| i.to_string()).collect();
    let _ = writeln!(
        s,
        "gpus='{}'; apps='{}'",
        gpu_ids.join(" "),
        app_ids.join(" ")
    );
    let _ = writeln!(
        s,
        "die={}; garbage_at={}; garbage_lines={}",
        b.die_after_ticks
            .map_or(String::from("''"), |n| n.to_string()),
        b.garbage.map_or(String::from("''"), |g| g.0.to_string()),
        b.garbage.map_or(String::from("0"), |g| g.1.to_string()),
    );
    s.push_str("case \"$mode\" in\nxml)\n  cat <<'SPARKDECK_XML'\n");
    s.push_str(&profile.xml);
    s.push_str(
        r#"SPARKDECK_XML
  ;;
apps)
  for i in $apps; do row app_val "$i"; done
  ;;
gpu)
  if [ -z "$lms" ]; then
    for i in $gpus; do row gpu_val "$i"; done
    exit 0
  fi
  n=0
  [ -f "$state/runs" ] && n=$(cat "$state/runs")
  n=$((n + 1)); echo "$n" > "$state/runs"
  secs=$(awk "BEGIN { printf \"%.3f\", $lms / 1000 }")
  tick=0
  while :; do
    for i in $gpus; do row gpu_val "$i"; done
    tick=$((tick + 1))
    if [ "$n" = 1 ] && [ "$tick" = "$garbage_at" ]; then
      g=0
      while [ "$g" -lt "$garbage_lines" ]; do echo 'Unable to determine the device handle for GPU0000:01:00.0: Unknown Error'; g=$((g + 1)); done
    fi
    if [ "$n" = 1 ] && [ "$tick" = "$die" ]; then
      echo 'GPU is lost. Reboot the system to recover this GPU' >&2
      exit 15
    fi
    sleep "$secs"
  done
  ;;
*)
  echo "fake nvidia-smi: unsupported arguments: $*" >&2
  exit 2
  ;;
esac
"#,
    );
    s
}

/// The runs logged so far, one `$*` per line.
pub fn runs(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

/// A log path and a state dir under `dir` that any user can write (the sshd test user runs
/// the script).
pub fn paths(dir: &Path) -> (PathBuf, PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let state = dir.join("fake-smi-state");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o777)).unwrap();
    let log = state.join("runs.log");
    (log, state)
}
