//! The /proc and ps parsers against `tests/fixtures/proc/` (a real `/proc/meminfo` and
//! hand-written PSI and cgroup files; see `tests/fixtures/SOURCES.md`).

use std::fs;
use std::path::Path;

use proptest::prelude::*;
use sparkdeck::sources::proc::{container_from_cgroup, parse_meminfo, parse_pressure, parse_ps};

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/proc")
        .join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

#[test]
fn meminfo_capture() {
    let m = parse_meminfo(&fixture("meminfo.jc-linux-proc.txt"));
    assert_eq!(m.mem_total_bytes, Some(3_997_272 * 1024));
    assert_eq!(m.mem_available_bytes, Some(3_386_876 * 1024));
    assert_eq!(m.swap_free_bytes, Some(3_996_668 * 1024));
    assert_eq!((m.pressure_some_avg10, m.pressure_full_avg10), (None, None));
}

#[test]
fn pressure_files() {
    assert_eq!(
        parse_pressure(&fixture("pressure-memory.loaded.hand-written.txt")),
        (Some(12.47), Some(3.10))
    );
    assert_eq!(
        parse_pressure(&fixture("pressure-memory.idle.hand-written.txt")),
        (Some(0.0), Some(0.0))
    );
}

#[test]
fn cgroup_files() {
    let cases = [
        ("cgroup-v2-docker.hand-written.txt", Some("9c1e4b7d2a3f")),
        ("cgroup-v1-docker.hand-written.txt", Some("0d5e6f7a8b9c")),
        (
            "cgroup-v2-kubepods-containerd.hand-written.txt",
            Some("a7b8c9d0e1f2"),
        ),
        ("cgroup-v2-podman.hand-written.txt", Some("5b6c7d8e9f0a")),
        ("cgroup-v2-host-session.hand-written.txt", None),
    ];
    for (file, want) in cases {
        assert_eq!(
            container_from_cgroup(&fixture(file)).as_deref(),
            want,
            "{file}"
        );
    }
}

#[test]
fn ps_output_for_gpu_pids() {
    // `ps -o pid=,user=,args= -p 2804,3060,2283430` as procps prints it (right-aligned pids).
    let text = "   2804 root     /usr/lib/xorg/Xorg vt2 -displayfd 3 -auth /run/user/1000/gdm/Xauthority\n   \
                3060 spark    /usr/bin/gnome-shell\n\
                2283430 spark    VLLM::EngineCore\n";
    let rows = parse_ps(text);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].0, 2804);
    assert_eq!(rows[0].1, "root");
    assert!(rows[0].2.starts_with("/usr/lib/xorg/Xorg vt2"));
    assert_eq!(
        rows[2],
        (2283430, "spark".to_string(), "VLLM::EngineCore".to_string())
    );
}

proptest! {
    #[test]
    fn no_proc_parser_panics(s in any::<String>()) {
        let _ = parse_meminfo(&s);
        let _ = parse_pressure(&s);
        let _ = container_from_cgroup(&s);
        let _ = parse_ps(&s);
    }

    #[test]
    fn no_proc_parser_panics_on_near_misses(s in "[0-9a-f:/.=a-zA-Z -]{0,200}(\n[0-9a-f:/.=a-z -]{0,120}){0,5}") {
        let _ = parse_meminfo(&s);
        let _ = parse_pressure(&s);
        let _ = container_from_cgroup(&s);
        let _ = parse_ps(&s);
    }

    #[test]
    fn meminfo_round_trips(total in 0u64..1 << 40, avail in 0u64..1 << 40, swap in 0u64..1 << 40) {
        let text = format!("MemTotal: {total:>12} kB\nMemFree: 1 kB\nMemAvailable: {avail:>12} kB\nSwapTotal: 0 kB\nSwapFree: {swap:>12} kB\n");
        let m = parse_meminfo(&text);
        prop_assert_eq!(m.mem_total_bytes, Some(total * 1024));
        prop_assert_eq!(m.mem_available_bytes, Some(avail * 1024));
        prop_assert_eq!(m.swap_free_bytes, Some(swap * 1024));
    }

    #[test]
    fn container_id_is_found_in_any_docker_layout(id in "[0-9a-f]{64}", v2 in any::<bool>()) {
        let text = if v2 {
            format!("0::/system.slice/docker-{id}.scope\n")
        } else {
            format!("4:memory:/docker/{id}\n")
        };
        prop_assert_eq!(container_from_cgroup(&text), Some(id[..12].to_string()));
    }
}
