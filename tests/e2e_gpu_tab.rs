//! The GPU tab of the real binary in tmux, against a real sshd on 127.0.0.1 with a fake
//! `nvidia-smi` first on the remote PATH (tests/support/fake_smi.rs): the GB10 card and its
//! processes, two GPUs, a stream that dies, terminating a real process, history, alerts,
//! the local no-GPU state and `snapshot`.

mod support;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};
use support::env::TestEnv;
use support::fake_smi::{self, Behaviour, MIB, Profile};
use support::sshd::{Sshd, process_alive};
use support::tmux::{Tmux, WAIT};

/// Dropped in field order: the app goes before its server, the temp dirs last.
struct Rig {
    tmux: Tmux,
    sshd: Sshd,
    env: TestEnv,
    smi_log: PathBuf,
}

/// A trusted `testspark` alias on a fresh sshd whose PATH finds `profile` as nvidia-smi,
/// short GPU intervals plus `gpu_extra` lines under `[gpu]`, and a tmux pane.
fn rig(tag: &str, profile: &Profile, behaviour: &Behaviour, gpu_extra: &str) -> Rig {
    let sshd = Sshd::start();
    let env = TestEnv::new();
    env.ssh_alias("testspark", &sshd);
    env.trust(&sshd);
    let (smi_log, state) = fake_smi::paths(&sshd.shared_dir());
    sshd.install_remote_tool(
        "nvidia-smi",
        &fake_smi::script(profile, behaviour, &smi_log, &state),
    );
    env.write(
        "config/sparkdeck/config.toml",
        &format!(
            "[tunnels]\nollama = false\n\n[gpu]\ninterval_ms = 500\nprocesses_interval_s = 1\n\
             history_window_s = 5\n{gpu_extra}"
        ),
    );
    let tmux = Tmux::start(&env, tag, 160, 50);
    Rig {
        tmux,
        sshd,
        env,
        smi_log,
    }
}

impl Rig {
    /// Starts the app on `testspark` (plus `extra` arguments) and opens the GPU tab.
    fn open_gpu_tab(&self, extra: &[&str]) {
        let mut args = vec!["--host", "testspark"];
        args.extend_from_slice(extra);
        self.tmux.run_app(&args);
        self.tmux.wait_for("testspark");
        self.tmux.send(&["2"]);
    }

    fn quit(&self) {
        self.tmux.send(&["q"]);
        self.tmux.assert_restored();
    }
}

fn line_with<'a>(screen: &'a str, needle: &str) -> Option<&'a str> {
    screen.lines().find(|l| l.contains(needle))
}

fn line_index(screen: &str, needle: &str) -> Option<usize> {
    screen.lines().position(|l| l.contains(needle))
}

/// Polls `cond` every 100 ms until it holds, failing after WAIT.
fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < WAIT, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn db(env: &TestEnv) -> rusqlite::Connection {
    rusqlite::Connection::open_with_flags(env.db_path(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("the app's store opens")
}

#[test]
fn gb10_card_is_unified_and_the_process_table_sorts_and_filters() {
    let r = rig("gb10", &fake_smi::gb10(4242), &Behaviour::default(), "");
    r.open_gpu_tab(&[]);
    let screen = r.tmux.wait_screen("the GB10 card with its processes", |s| {
        s.contains("source: nvidia-smi stream") && s.contains("Processes (3)")
    });
    assert!(screen.contains("GPU 0 · NVIDIA GB10"), "{screen}");
    let mem = line_with(&screen, "unified").expect("the memory line says unified");
    // (179 + 48 + 61383) MiB = 60.17 GiB resident on the GPU.
    assert!(mem.contains("GPU-resident 60.2 GiB"), "{screen}");
    assert!(
        mem.contains("headroom") && mem.contains("pressure"),
        "{screen}"
    );
    assert!(
        !mem.contains('█') && !mem.contains("···"),
        "no VRAM bar for unified memory:\n{screen}"
    );
    let util = line_with(&screen, "util ").expect("a utilisation line");
    assert!(
        util.contains("0 % ok"),
        "value with its text cue:\n{screen}"
    );
    assert!(line_with(&screen, "35 °C").is_some_and(|l| l.contains("ok")));
    let power = line_with(&screen, "11.17 W").expect("power draw shown");
    assert!(
        !power.contains("11.17 W /") && !screen.contains("cap"),
        "no power cap on the GB10:\n{screen}"
    );

    // Sorted by memory: the vLLM engine first (and selected), then Xorg, then gnome-shell.
    let vllm = line_index(&screen, "VLLM::EngineCore").expect("vLLM listed");
    let xorg = line_index(&screen, "/usr/lib/xorg/Xorg").expect("Xorg listed");
    let shell = line_index(&screen, "/usr/bin/gnome-shell").expect("gnome-shell listed");
    assert!(vllm < xorg && xorg < shell, "{screen}");
    assert!(
        line_with(&screen, "VLLM::EngineCore").is_some_and(|l| l.contains("4242")),
        "{screen}"
    );

    r.tmux.send(&["/"]);
    r.tmux.type_text("gnome");
    r.tmux.send(&["Enter"]);
    let screen = r.tmux.wait_screen("the filter to narrow the table", |s| {
        s.contains("/usr/bin/gnome-shell") && !s.contains("VLLM::EngineCore") && !s.contains("Xorg")
    });
    assert!(screen.contains("3060"), "{screen}");
    r.quit();
}

#[test]
fn dual_a5000_shows_two_gpus_and_the_selector_moves() {
    let r = rig("a5000", &fake_smi::dual_a5000(), &Behaviour::default(), "");
    r.open_gpu_tab(&[]);
    let screen = r.tmux.wait_screen("both A5000 with their figures", |s| {
        s.contains("GPU 1 · NVIDIA RTX A5000") && s.contains("Processes (2)")
    });
    assert!(
        screen.contains("▶ GPU 0 · NVIDIA RTX A5000")
            && screen.contains("GPU 1 · NVIDIA RTX A5000"),
        "two cards, the first selected:\n{screen}"
    );
    assert!(
        screen.contains("13 °C") && screen.contains("15 °C"),
        "{screen}"
    );
    assert!(
        screen.contains("6.52 / 230 W") && screen.contains("13.59 / 230 W"),
        "draw against the cap:\n{screen}"
    );
    assert!(
        !screen.contains("unified")
            && screen.contains("21.9 GiB / 24.0 GiB")
            && screen.contains("16.8 GiB / 24.0 GiB"),
        "24 GiB cards show their framebuffer, whatever the host's RAM:\n{screen}"
    );
    // Each process under its own GPU (the gpu column follows the pid).
    let gpu_of = |name: &str| {
        line_with(&screen, name).and_then(|l| {
            let row = l.trim_start_matches(['│', '▶', ' ']);
            row.split_whitespace().nth(1).map(String::from)
        })
    };
    assert_eq!(gpu_of("llama-server").as_deref(), Some("0"), "{screen}");
    assert_eq!(gpu_of("python3").as_deref(), Some("1"), "{screen}");

    // The selector picks GPU 1; the history view opens for the selected GPU.
    r.tmux.send(&["]"]);
    r.tmux.wait_screen("GPU 1 selected", |s| {
        s.contains("▶ GPU 1") && !s.contains("▶ GPU 0")
    });
    r.tmux.send(&["h"]);
    r.tmux.wait_for("History · GPU 1");
    r.tmux.send(&["h", "["]);
    r.tmux
        .wait_screen("the history closed", |s| !s.contains("History ·"));
    r.tmux.send(&["h"]);
    r.tmux.wait_for("History · GPU 0");
    r.quit();
}

#[test]
fn a_dying_stream_shows_restarting_then_data_and_garbage_does_not_break_it() {
    // One garbage line at tick 2, the stream dies at tick 6; the second run is clean.
    let behaviour = Behaviour {
        die_after_ticks: Some(6),
        garbage: Some((2, 1)),
    };
    let r = rig("die", &fake_smi::gb10(4242), &behaviour, "");
    r.open_gpu_tab(&[]);
    r.tmux.wait_for("source: nvidia-smi stream");
    let screen = r.tmux.wait_for("restarting nvidia-smi stream");
    let line = line_with(&screen, "restarting nvidia-smi stream").unwrap();
    // The first restart is the death at tick 6: the garbage line at tick 2 was skipped.
    assert!(
        line.contains("(attempt 1)") && line.contains("status 15") && line.contains("GPU is lost"),
        "the restart says why:\n{screen}"
    );
    r.tmux.wait_screen("the stream back with data", |s| {
        s.contains("source: nvidia-smi stream") && s.contains("11.17 W") && s.contains("GB10")
    });
    let streams = fake_smi::runs(&r.smi_log)
        .iter()
        .filter(|l| l.contains("-lms"))
        .count();
    assert!(streams >= 2, "the stream was started again");
    r.quit();
}

/// A `sleep` owned by the sshd test user, started through a real ssh login like any
/// process on the Spark; killed on drop.
struct RemoteSleep(u32);

impl RemoteSleep {
    fn start(sshd: &Sshd) -> RemoteSleep {
        let out = Command::new("ssh")
            .args([
                "-F",
                "/dev/null",
                "-o",
                "BatchMode=yes",
                "-o",
                "IdentityAgent=none",
            ])
            .arg("-o")
            .arg(format!("UserKnownHostsFile={}", sshd.known_hosts.display()))
            .arg("-i")
            .arg(&sshd.client_key)
            .args(["-p", &sshd.port.to_string()])
            .arg(format!("{}@127.0.0.1", sshd.user))
            .arg("sleep 300 </dev/null >/dev/null 2>&1 & echo $!")
            .output()
            .expect("ssh runs");
        assert!(out.status.success(), "remote sleep: {out:?}");
        let pid = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("the remote shell prints the pid");
        wait_until("the sleep to run", || process_alive(pid));
        RemoteSleep(pid)
    }
}

impl Drop for RemoteSleep {
    fn drop(&mut self) {
        if process_alive(self.0) {
            let _ = Command::new("bash")
                .args(["-c", &format!("kill -KILL {}", self.0)])
                .status();
        }
    }
}

#[test]
fn terminate_cancels_by_default_then_kills_and_audits_and_read_only_refuses() {
    // The fake lists the sleep as the vLLM engine; its pid is only known once the server
    // runs, so the tool is installed again with it.
    let r = rig("kill", &fake_smi::gb10(1), &Behaviour::default(), "");
    let sleeper = RemoteSleep::start(&r.sshd);
    let pid = sleeper.0;
    let (log, state) = fake_smi::paths(&r.sshd.shared_dir());
    r.sshd.install_remote_tool(
        "nvidia-smi",
        &fake_smi::script(&fake_smi::gb10(pid), &Behaviour::default(), &log, &state),
    );

    r.open_gpu_tab(&[]);
    let row = pid.to_string();
    // Enriched from the remote /proc: the sleep's owner and command line.
    r.tmux.wait_screen("the sleep listed first", |s| {
        line_with(s, "sleep 300")
            .is_some_and(|l| l.contains(&format!("▶{row}")) && l.contains(&r.sshd.user))
    });
    r.tmux.send(&["K"]);
    let screen = r.tmux.wait_for(&format!("Send SIGTERM to pid {pid}"));
    assert!(
        screen.contains("sleep 300"),
        "the command is named:\n{screen}"
    );
    // Cancel is the default: Enter does nothing.
    r.tmux.send(&["Enter"]);
    r.tmux
        .wait_screen("the dialog closed", |s| !s.contains("Send SIGTERM"));
    std::thread::sleep(Duration::from_millis(500));
    assert!(process_alive(pid), "Cancel sent nothing");

    r.tmux.send(&["K"]);
    r.tmux.wait_for(&format!("Send SIGTERM to pid {pid}"));
    r.tmux.send(&["Right", "Enter"]);
    wait_until("the process to die of SIGTERM", || !process_alive(pid));
    r.tmux.wait_for(&format!("sent SIGTERM to pid {pid}"));
    r.quit();

    let rows: Vec<(String, String, String, String)> = db(&r.env)
        .prepare("SELECT host, action, target, outcome FROM audit")
        .unwrap()
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 1, "one audited attempt: {rows:?}");
    let (host, action, target, outcome) = &rows[0];
    assert_eq!(host, "testspark");
    assert_eq!(action, "terminate SIGTERM");
    assert!(target.contains(&format!("pid {pid}")), "{target}");
    assert_eq!(outcome, "ok");

    // Read-only: no terminate hint, and K opens nothing.
    r.open_gpu_tab(&["--read-only"]);
    let screen = r.tmux.wait_screen("the processes in read-only mode", |s| {
        s.contains("Processes (3)") && s.contains(&format!("▶{row}"))
    });
    assert!(!screen.contains("K terminate"), "{screen}");
    r.tmux.send(&["K"]);
    std::thread::sleep(Duration::from_millis(500));
    let screen = r.tmux.capture();
    assert!(!screen.contains("Send SIGTERM"), "{screen}");
    r.quit();
    let audited: i64 = db(&r.env)
        .query_row("SELECT count(*) FROM audit", [], |row| row.get(0))
        .unwrap();
    assert_eq!(audited, 1, "read-only sent and audited nothing more");
}

#[test]
fn history_view_shows_windows_and_export_prints_the_fakes_figures() {
    let r = rig("history", &fake_smi::gb10(4242), &Behaviour::default(), "");
    r.open_gpu_tab(&[]);
    r.tmux.wait_for("source: nvidia-smi stream");
    // Two 5 s windows closed and persisted (each also refreshes a 300 s roll-up row).
    wait_until("two 5 s history windows in the store", || {
        r.env.db_path().exists()
            && db(&r.env)
                .query_row(
                    "SELECT count(*) FROM gpu_history WHERE window_s = 5",
                    [],
                    |row| row.get::<_, i64>(0),
                )
                .is_ok_and(|n| n >= 2)
    });
    r.tmux.send(&["h"]);
    let screen = r.tmux.wait_for("History · GPU 0");
    assert!(!screen.contains("no history yet"), "{screen}");
    r.tmux.send(&["m", "m"]);
    // The title changes at once; the data follows from the store ("loading history…").
    let screen = r
        .tmux
        .wait_screen("the temperature chart with its data", |s| {
            s.contains("[temperature]") && !s.contains("loading history")
        });
    assert!(!screen.contains("no history yet"), "{screen}");
    // A steady 35 °C plots near the top right, where nothing may cover it.
    let plot: String = screen
        .lines()
        .skip_while(|l| !l.contains("History ·"))
        .take_while(|l| !l.contains("-1 h"))
        .collect();
    assert!(
        plot.chars().any(|c| ('\u{2801}'..='\u{28ff}').contains(&c)),
        "the temperature line is drawn:\n{screen}"
    );
    r.quit();

    let out = r
        .env
        .cmd()
        .args(["history", "export", "--since", "1h", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(
        rows.iter().filter(|r| r[col("window_s")] == "5").count() >= 2,
        "the 5 s windows are exported:\n{csv}"
    );
    for row in &rows {
        assert_eq!(row[col("host")], "testspark", "{csv}");
        assert_eq!(row[col("gpu_index")], "0", "{csv}");
        assert_eq!(row[col("gpu_uuid")], fake_smi::GB10_UUID, "{csv}");
        assert_eq!(row[col("temp_c_max")], "35", "{csv}");
        assert_eq!(row[col("temp_c_avg")], "35", "{csv}");
        assert_eq!(row[col("power_mw_avg")], "11170", "{csv}");
        assert_eq!(row[col("util_pct_max")], "0", "{csv}");
    }
}

#[test]
fn a_red_utilisation_raises_a_toast_an_alert_row_and_a_listed_alert() {
    let mut busy = fake_smi::gb10(4242);
    for (k, v) in busy.gpus[0].iter_mut() {
        if *k == "utilization.gpu" {
            *v = "90".into();
        }
    }
    let r = rig(
        "alerts",
        &busy,
        &Behaviour::default(),
        "utilization_warn_pct = 50\nutilization_crit_pct = 80\nalert_after_samples = 2\n",
    );
    r.open_gpu_tab(&[]);
    let toast = r
        .tmux
        .wait_for("alert: testspark GPU 0: utilization above 80 %");
    assert!(
        line_with(&toast, "alert:").is_some_and(|l| l.contains("peak 90 %")),
        "{toast}"
    );
    assert!(line_with(&toast, "90 % CRIT").is_some(), "{toast}");
    r.tmux.send(&["a"]);
    let screen = r.tmux.wait_for("Alerts (1 open");
    assert!(
        line_with(&screen, "OPEN").is_some_and(|l| l.contains("testspark GPU 0: utilization")),
        "{screen}"
    );
    r.quit();

    let rows: Vec<(String, Option<i64>, String, Option<f64>)> = db(&r.env)
        .prepare("SELECT host, gpu_index, metric, peak FROM alerts")
        .unwrap()
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let (host, gpu, metric, peak) = &rows[0];
    assert_eq!(host, "testspark");
    assert_eq!(*gpu, Some(0));
    assert!(metric.contains("util"), "{metric}");
    assert_eq!(*peak, Some(90.0));
}

#[test]
fn the_local_entry_without_a_gpu_says_why_for_nvml_and_nvidia_smi() {
    let env = TestEnv::new();
    env.write(
        "config/sparkdeck/config.toml",
        "[tunnels]\nollama = false\n\n[gpu]\ninterval_ms = 500\n",
    );
    let tmux = Tmux::start(&env, "local", 200, 40);
    tmux.run_app(&[]);
    tmux.wait_for("this host");
    tmux.send(&["2"]);
    let screen = tmux.wait_for("no NVIDIA GPU found on 'local'");
    // The message wraps inside its box: read it as one text.
    let text: String = screen
        .lines()
        .map(|l| l.trim_matches(|c: char| c == '│' || c.is_whitespace()))
        .collect::<Vec<_>>()
        .join(" ");
    let nvml = text.split("NVML: ").nth(1).expect("an NVML reason");
    assert!(
        nvml.starts_with("NVML could not be loaded"),
        "NVML was tried locally:\n{screen}"
    );
    let smi = text
        .split("; nvidia-smi: ")
        .nth(1)
        .expect("a nvidia-smi reason");
    assert!(smi.contains("No such file"), "{screen}");
    tmux.send(&["q"]);
    tmux.assert_restored();
}

#[test]
fn snapshot_over_ssh_reports_the_gb10_and_locally_says_why_there_is_none() {
    let sshd = Sshd::start();
    let env = TestEnv::new();
    env.ssh_alias("testspark", &sshd);
    env.trust(&sshd);
    let (log, state) = fake_smi::paths(&sshd.shared_dir());
    sshd.install_remote_tool(
        "nvidia-smi",
        &fake_smi::script(&fake_smi::gb10(4242), &Behaviour::default(), &log, &state),
    );
    let out = env
        .cmd()
        .args(["snapshot", "--host", "testspark", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let g = &v["gpus"][0];
    assert_eq!(v["gpus"].as_array().map(Vec::len), Some(1), "{v:#}");
    assert_eq!(g["memory"]["kind"], "unified", "{v:#}");
    assert_eq!(
        g["memory"]["gpu_resident_bytes"],
        (179 + 48 + 61383) * MIB,
        "{v:#}"
    );
    assert_eq!(g["power_w"], 11.17, "{v:#}");
    assert_eq!(g["temperature_c"], 35.0, "{v:#}");
    assert_eq!(g["power_limit_w"], serde_json::Value::Null, "{v:#}");
    let procs = g["processes"].as_array().expect("processes listed");
    let mut pids: Vec<u64> = procs.iter().map(|p| p["pid"].as_u64().unwrap()).collect();
    pids.sort_unstable();
    assert_eq!(pids, [2804, 3060, 4242], "{v:#}");

    let out = env.cmd().args(["snapshot", "--json"]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["gpus"], serde_json::json!([]), "{v:#}");
    let out = env.cmd().arg("snapshot").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let why = line_with(&text, "gpus  none: ").expect("the text says why there are no GPUs");
    assert!(why.contains("NVML") && why.contains("nvidia-smi"), "{text}");
}
