//! `sparkdeck history export` through the real binary, on a database filled via the library.

mod support;

use sparkdeck::metrics::{MinAvgMax, WindowStats};
use sparkdeck::store::Store;
use support::env::TestEnv;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn window(gpu: u32, start: i64, util: f64) -> WindowStats {
    let m = |v: f64| {
        Some(MinAvgMax {
            min: v,
            avg: v,
            max: v,
        })
    };
    WindowStats {
        gpu_index: gpu,
        gpu_uuid: Some(format!("GPU-{gpu}")),
        window_start: start,
        window_s: 20,
        samples: 10,
        utilization_pct: m(util),
        memory_used_bytes: None,
        temperature_c: m(55.0),
        power_w: m(45.5),
        clock_mhz: None,
    }
}

/// Two hosts: `spark-01` an hour and 3 days ago, `spark-02` 10 minutes ago. Windows start
/// on multiples of 300, so each has exactly one roll-up of its own.
fn filled_env() -> (TestEnv, i64) {
    let env = TestEnv::new();
    let base = now() - now().rem_euclid(300);
    let store = Store::open(&env.db_path()).unwrap();
    store
        .record_windows(
            "spark-01",
            &[window(0, base - 3600, 12.0), window(1, base - 3600, 88.0)],
        )
        .unwrap();
    store
        .record_windows("spark-01", &[window(0, base - 3 * 86_400, 5.0)])
        .unwrap();
    store
        .record_windows("spark-02", &[window(0, base - 600, 99.0)])
        .unwrap();
    drop(store);
    (env, base)
}

fn run(env: &TestEnv, args: &[&str]) -> String {
    let out = env.cmd().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn csv_export_of_one_host_over_24h() {
    let (env, base) = filled_env();
    let csv = run(
        &env,
        &[
            "history", "export", "--since", "24h", "--host", "spark-01", "--format", "csv",
        ],
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "host,gpu_index,gpu_uuid,window_start,window_end,window_s,util_pct_min,util_pct_avg,\
         util_pct_max,mem_used_mib_min,mem_used_mib_avg,mem_used_mib_max,temp_c_min,temp_c_avg,\
         temp_c_max,power_mw_min,power_mw_avg,power_mw_max,clock_gr_mhz_min,clock_gr_mhz_avg,\
         clock_gr_mhz_max"
    );
    let t = base - 3600;
    assert_eq!(
        &lines[1..],
        [
            format!(
                "spark-01,0,GPU-0,{t},{},20,12,12,12,,,,55,55,55,45500,45500,45500,,,",
                t + 20
            ),
            format!(
                "spark-01,1,GPU-1,{t},{},20,88,88,88,,,,55,55,55,45500,45500,45500,,,",
                t + 20
            ),
            format!(
                "spark-01,0,GPU-0,{t},{},300,12,12,12,,,,55,55,55,45500,45500,45500,,,",
                t + 300
            ),
            format!(
                "spark-01,1,GPU-1,{t},{},300,88,88,88,,,,55,55,55,45500,45500,45500,,,",
                t + 300
            ),
        ]
    );
}

#[test]
fn json_export_of_all_hosts_over_7d() {
    let (env, base) = filled_env();
    let json = run(
        &env,
        &["history", "export", "--since", "7d", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rows = v.as_array().unwrap();
    // spark-01: 3 fine + 3 roll-up rows; spark-02: 1 + 1.
    assert_eq!(rows.len(), 8);
    let old = rows
        .iter()
        .find(|r| r["window_start"] == base - 3 * 86_400 && r["window_s"] == 20)
        .unwrap();
    assert_eq!(old["host"], "spark-01");
    assert_eq!(old["util_pct_max"], 5);
    assert_eq!(old["mem_used_mib_max"], serde_json::Value::Null);
    let b = rows.iter().filter(|r| r["host"] == "spark-02").count();
    assert_eq!(b, 2);
    // 30m: only spark-02's fine window and its roll-up.
    let recent = run(
        &env,
        &["history", "export", "--since", "30m", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&recent).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|r| r["util_pct_max"] == 99)
    );
}

#[test]
fn bad_duration_and_missing_database_fail_with_a_fix() {
    let env = TestEnv::new();
    let out = env
        .cmd()
        .args(["history", "export", "--since", "24x"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--since") && err.contains("30m, 24h, 7d"),
        "{err}"
    );

    let out = env.cmd().args(["history", "export"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no GPU history yet") && err.contains("sparkdeck.db"),
        "{err}"
    );
    assert!(!env.db_path().exists(), "export must not create a database");

    let out = env
        .cmd()
        .args(["history", "export", "--format", "xml"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("csv"));
}

#[test]
fn documented_csv_header_matches_the_export() {
    let doc = include_str!("../docs/history.md");
    let header = sparkdeck::store::history::EXPORT_COLUMNS.join(",");
    assert!(
        doc.lines().any(|l| l == header),
        "docs/history.md must show the CSV header line:\n{header}"
    );
}
