//! `sparkdeck doctor` on this machine (no GPU): a docker whose daemon is down and a model
//! disk over its threshold give the expected statuses and exit 2; with docker answering
//! and the thresholds at 100 % every check is ok or skipped and it exits 0; a stuck job
//! queue (a real HTTP server speaking PostgREST) is crit.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;
use support::env::TestEnv;
use support::postgrest::queue_with_edges;

const DAEMON_DOWN_STDERR: &str =
    include_str!("fixtures/services/docker-ps.daemon-down.docker-28.2.2.stderr");

/// A config with an empty services catalogue, `docker` as the docker CLI, a model root
/// that exists and no default models, so only the planted faults are red.
fn setup(docker_script: &str, disk_warn_pct: u32) -> TestEnv {
    let env = TestEnv::new();
    let docker = env.write("bin/docker", docker_script);
    std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).unwrap();
    let root = env.root().join("models");
    std::fs::create_dir_all(&root).unwrap();
    env.write(
        "config/sparkdeck/config.toml",
        &format!(
            "[services]\nreplace_catalog = true\nshow_unexpected = false\ndocker = \"{}\"\n\n\
             [models]\nroot = \"{}\"\nextra = []\nollama_stores = []\ndocker_volumes = false\n\
             disk_warn_pct = {disk_warn_pct}\ndisk_crit_pct = 100\n\n[models.defaults]\n",
            docker.display(),
            root.display()
        ),
    );
    env
}

fn doctor(env: &TestEnv, json: bool) -> (i32, String) {
    let mut cmd = env.cmd();
    cmd.arg("doctor");
    if json {
        cmd.arg("--json");
    }
    let out = cmd.timeout(Duration::from_secs(120)).output().unwrap();
    (
        out.status.code().expect("exited"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn statuses(v: &serde_json::Value) -> Vec<(String, String)> {
    v["checks"]
        .as_array()
        .expect("a checks array")
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The `user` verdict for whoever runs the tests: the fake docker counts as installed, so
/// an account outside the docker group (and not root) gets the usermod warning.
fn user_status() -> &'static str {
    let id = |arg: &str| {
        let out = std::process::Command::new("id").arg(arg).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    if id("-un") == "root" || id("-Gn").split_whitespace().any(|g| g == "docker") {
        "ok"
    } else {
        "warn"
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn docker_down_and_full_disk_exit_2() {
    let env = setup(
        &format!("#!/bin/sh\ncat >&2 <<'ERR'\n{DAEMON_DOWN_STDERR}ERR\nexit 1\n"),
        1,
    );
    let (code, json) = doctor(&env, true);
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(v["schema"], 1);
    assert_eq!(v["host"], "local");
    assert_eq!(
        statuses(&v),
        pairs(&[
            ("ssh", "ok"),
            ("clock", "ok"),
            ("user", user_status()),
            ("docker", "crit"),
            ("gpu", "skip"),
            // docker's own problem is the docker line's; the empty catalogue has no red row.
            ("services", "ok"),
            ("models", "warn"),
            ("jobs", "skip"),
        ]),
        "{json}"
    );
    assert_eq!(v["worst"], "crit");
    assert_eq!(code, 2);
    let check = |id: &str| {
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    assert!(
        check("docker")["fix"]
            .as_str()
            .unwrap()
            .contains("systemctl start docker"),
        "{json}"
    );
    assert!(check("services")["fix"].is_null(), "{json}");
    assert!(
        check("models")["seen"].as_str().unwrap().contains("% full"),
        "{json}"
    );
    assert!(
        check("jobs")["seen"]
            .as_str()
            .unwrap()
            .starts_with("skipped: no Supabase credentials"),
        "{json}"
    );

    let (code, text) = doctor(&env, false);
    assert_eq!(code, 2);
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("crit  docker    the docker daemon is not running")),
        "{text}"
    );
    assert!(text.ends_with("worst crit (exit 2)\n"), "{text}");
}

#[test]
fn healthy_docker_and_room_on_disk_exit_0() {
    // `docker ps` with no container running prints nothing.
    let env = setup("#!/bin/sh\nexit 0\n", 100);
    let (code, json) = doctor(&env, true);
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(
        statuses(&v),
        pairs(&[
            ("ssh", "ok"),
            ("clock", "ok"),
            ("user", user_status()),
            ("docker", "ok"),
            ("gpu", "skip"),
            ("services", "ok"),
            ("models", "ok"),
            ("jobs", "skip"),
        ]),
        "{json}"
    );
    let expected = if user_status() == "ok" {
        (0, Some("ok"))
    } else {
        (1, Some("warn"))
    };
    assert_eq!((code, v["worst"].as_str()), expected);
}

fn jobs_check(queued_min: i64, started_min: i64) -> serde_json::Value {
    let env = setup("#!/bin/sh\nexit 0\n", 100);
    let server = queue_with_edges(queued_min, started_min);
    let out = env
        .cmd()
        .env("SUPABASE_URL", &server.url)
        .env(
            "SUPABASE_SERVICE_ROLE_KEY",
            "sb_secret_DOCTORKEY0123456789wxyz",
        )
        .args(["doctor", "--json"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let jobs = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "jobs")
        .unwrap()
        .clone();
    if jobs["status"] == "crit" {
        assert_eq!(out.status.code(), Some(2), "{v}");
    }
    jobs
}

#[test]
fn a_stuck_queue_is_crit_a_moving_one_ok() {
    let stuck = jobs_check(30, 40);
    assert_eq!(stuck["status"], "crit", "{stuck}");
    assert!(
        stuck["seen"].as_str().unwrap().starts_with("queue stuck"),
        "{stuck}"
    );
    let moving = jobs_check(1, 1);
    assert_eq!(moving["status"], "ok", "{moving}");
    assert_eq!(moving["seen"], "queue moving (2 jobs)");
}
