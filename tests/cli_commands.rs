//! The real binary's headless commands, each run in a throw-away HOME and XDG dirs.

mod support;

use predicates::prelude::*;
use support::env::TestEnv;

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn version_names_the_crate_version() {
    TestEnv::new()
        .cmd()
        .arg("--version")
        .assert()
        .success()
        .stdout(format!("sparkdeck {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn help_lists_commands_and_global_options() {
    let out = TestEnv::new().cmd().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = stdout(&out);
    for needle in [
        "snapshot",
        "config",
        "completions",
        "--host",
        "--read-only",
        "--config",
        "--accept-new-host-key",
    ] {
        assert!(text.contains(needle), "--help lacks {needle}:\n{text}");
    }
}

#[test]
fn bash_completions_are_a_completion_script() {
    let out = TestEnv::new()
        .cmd()
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("_sparkdeck()"), "{text}");
    assert!(text.contains("complete -F _sparkdeck"), "{text}");
    assert!(text.contains("snapshot"), "subcommands are completed");
    // bash itself must accept it.
    let check = std::process::Command::new("bash")
        .args(["-n", "-c", &text])
        .output()
        .unwrap();
    assert!(check.status.success(), "bash -n: {}", stderr(&check));
}

#[test]
fn config_path_is_the_xdg_file_and_says_when_it_is_missing() {
    let env = TestEnv::new();
    let expected = env.default_config();
    env.cmd()
        .args(["config", "path"])
        .assert()
        .success()
        .stdout(format!(
            "{} (not found: built-in defaults are in use)\n",
            expected.display()
        ));

    env.write("config/sparkdeck/config.toml", "[general]\n");
    env.cmd()
        .args(["config", "path"])
        .assert()
        .success()
        .stdout(format!("{}\n", expected.display()));
}

#[test]
fn config_path_honours_env_then_flag() {
    let env = TestEnv::new();
    let from_env = env.write("elsewhere/env.toml", "[general]\n");
    let from_flag = env.root().join("flag.toml");
    env.cmd()
        .args(["config", "path"])
        .env("SPARKDECK_CONFIG", &from_env)
        .assert()
        .success()
        .stdout(format!("{}\n", from_env.display()));
    env.cmd()
        .args(["config", "path", "--config"])
        .arg(&from_flag)
        .env("SPARKDECK_CONFIG", &from_env)
        .assert()
        .success()
        .stdout(predicate::str::starts_with(format!(
            "{} (not found",
            from_flag.display()
        )));
}

const BAD: &str = "[general]\n\n[ssh]\nreconnect_max_s = 0\n";

#[test]
fn config_validate_accepts_a_good_file() {
    let env = TestEnv::new();
    let good = env.write(
        "good.toml",
        "[ssh]\nreconnect_initial_s = 2\nreconnect_max_s = 30\n\n[tunnels]\nollama = false\n",
    );
    env.cmd()
        .args(["config", "validate"])
        .arg(&good)
        .assert()
        .success()
        .stdout(format!("{}: ok\n", good.display()));
}

#[test]
fn config_validate_reports_file_line_and_allowed_values() {
    let env = TestEnv::new();
    let bad = env.write("bad.toml", BAD);
    let out = env
        .cmd()
        .args(["config", "validate"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{}:4:", bad.display())),
        "file:line missing: {err}"
    );
    assert!(err.contains("reconnect_max_s"), "{err}");
    assert!(err.contains("allowed: 1..=86400"), "{err}");

    // The default file is checked when no path is given.
    env.write("config/sparkdeck/config.toml", "[theme]\nname = \"x\"\n");
    let out = env.cmd().args(["config", "validate"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = stderr(&out);
    assert!(err.contains("config.toml:2:"), "{err}");
    assert!(err.contains("allowed: color, bg, fg"), "{err}");
}

#[test]
fn tui_refuses_a_bad_config_before_touching_the_terminal() {
    let env = TestEnv::new();
    let bad = env.write("bad.toml", BAD);
    let out = env.cmd().arg("--config").arg(&bad).output().unwrap();
    assert!(!out.status.success(), "{out:?}");
    // Nothing on stdout: no alternate screen, no raw-mode escape sequences.
    assert!(out.stdout.is_empty(), "stdout: {:?}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("{}:4:", bad.display())), "{err}");
    assert!(err.contains("allowed: 1..=86400"), "{err}");
    assert!(
        !env.db_path().exists(),
        "no store is created for a run that never started"
    );
}

#[test]
fn local_snapshot_json_describes_this_machine() {
    let env = TestEnv::new();
    let out = env.cmd().args(["snapshot", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(v["schema"], 1);
    let host = &v["host"];
    assert_eq!(host["source"], "local");
    assert_eq!(host["name"], "local");
    assert_eq!(host["arch"], std::env::consts::ARCH);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    assert_eq!(host["kernel"], kernel.trim());
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    assert_eq!(host["hostname"], hostname.trim());
    assert!(host["uptime_s"].as_u64().is_some_and(|u| u > 0), "{host}");
    assert!(!host["groups"].as_array().unwrap().is_empty(), "{host}");
    let who = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    assert_eq!(host["user"], stdout(&who).trim());

    // `--host local` is the same machine through the same path.
    let out = env
        .cmd()
        .args(["snapshot", "--json", "--host", "local"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(v["host"]["source"], "local");
    assert_eq!(v["host"]["kernel"], kernel.trim());
}

#[test]
fn local_snapshot_text_is_one_readable_summary() {
    let env = TestEnv::new();
    let out = env.cmd().arg("snapshot").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    assert!(text.starts_with("taken "), "{text}");
    assert!(text.contains("host  local (local)"), "{text}");
    assert!(
        text.contains(&format!("kernel {}", kernel.trim())),
        "{text}"
    );
    assert!(
        text.contains(&format!("arch {}", std::env::consts::ARCH)),
        "{text}"
    );
    assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());
}

#[test]
fn tui_refuses_an_unknown_host_name_before_touching_the_terminal() {
    let env = TestEnv::new();
    env.write(
        "home/.ssh/config",
        "Host known-alias\n    HostName 127.0.0.1\n",
    );
    let out = env
        .cmd()
        .args(["--host", "no-such-spark"])
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    assert!(!out.status.success(), "{out:?}");
    assert!(out.stdout.is_empty(), "stdout: {:?}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("--host no-such-spark"), "{err}");
    assert!(
        err.contains("~/.ssh/config"),
        "says where names come from: {err}"
    );
}
