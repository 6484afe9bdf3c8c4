//! `sparkdeck doctor --host …` through the real test sshd: a remote with every fault of
//! issue #7 planted — docker refusing the socket, a catalogued port held by the wrong
//! process, a stuck job queue, a model disk over the configured threshold, and an XID in the
//! kernel log — (exit 2, each finding named), a healthy remote with a moving queue (every
//! check ok or skipped), and a host whose key is not known (the ssh check is crit).

mod support;

use sparkdeck::host::SshHost;
use std::time::Duration;
use support::env::TestEnv;
use support::postgrest::{PostgrestServer, queue_with_edges};
use support::remote_http::perl_server;
use support::sshd::Sshd;

const DOCKER_DENIED_STDERR: &str =
    include_str!("fixtures/services/docker-ps.permission-denied.docker-28.2.2.stderr");
const DOCKER_PS: &str = include_str!("fixtures/services/ps-format-json.docker-cli-docs.jsonl");

/// The sshd's login user is a local account (`sshtest` when the tests run as root), so the
/// user check depends on its groups: the fake docker counts as installed.
fn user_status(user: &str) -> &'static str {
    let out = std::process::Command::new("id")
        .args(["-Gn", user])
        .output()
        .unwrap();
    let groups = String::from_utf8_lossy(&out.stdout).into_owned();
    if user == "root" || groups.split_whitespace().any(|g| g == "docker") {
        "ok"
    } else {
        "warn"
    }
}

fn config(env: &TestEnv, catalog: &str) {
    let root = env.root().join("models");
    std::fs::create_dir_all(&root).unwrap();
    env.write(
        "config/sparkdeck/config.toml",
        &format!(
            "[services]\nshow_unexpected = false\nreplace_catalog = true\n\n{catalog}\n\
             [models]\nroot = \"{}\"\nextra = []\nollama_stores = []\ndocker_volumes = false\n\
             disk_warn_pct = 100\ndisk_crit_pct = 100\n\n[models.defaults]\n",
            root.display()
        ),
    );
}

const KEY: &str = "sb_secret_DOCTORKEY0123456789wxyz";

/// The worker's env file on the Spark, naming `queue`. sparkdeck's own environment has no
/// Supabase variables, so the queue is found only through this file, read over SSH.
fn worker_env(sshd: &Sshd, queue: &PostgrestServer) -> std::path::PathBuf {
    let env_file = sshd.shared_dir().join("hd-worker.env");
    std::fs::write(
        &env_file,
        format!(
            "SUPABASE_URL={}\nSUPABASE_SERVICE_ROLE_KEY={KEY}\n",
            queue.url
        ),
    )
    .unwrap();
    env_file
}

fn doctor_json(env: &TestEnv) -> (i32, serde_json::Value, String) {
    let out = env
        .cmd()
        .args(["doctor", "--json", "--host", "testspark"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (out.status.code().expect("exited"), v, text)
}

fn check(v: &serde_json::Value, id: &str) -> serde_json::Value {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id} check in {v}"))
        .clone()
}

fn statuses(v: &serde_json::Value) -> Vec<(String, String)> {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn every_planted_fault_is_found_exit_2() {
    let sshd = Sshd::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let host = rt
        .block_on(SshHost::connect(&sshd.target(), sshd.options()))
        .expect("connect to the test sshd");
    let (held, _perl) = rt.block_on(perl_server(&host, "perl"));
    sshd.install_remote_tool(
        "docker",
        &format!("#!/bin/sh\ncat >&2 <<'ERR'\n{DOCKER_DENIED_STDERR}ERR\nexit 1\n"),
    );
    // A driver fault in the kernel log; nvidia-smi itself is absent on this remote.
    sshd.install_remote_tool(
        "dmesg",
        "#!/bin/sh\necho '[ 9100.2] NVRM: Xid (PCI:000f:01:00): 79, pid=0, GPU has fallen off the bus.'\n",
    );
    let queue = queue_with_edges(30, 40);
    let env_file = worker_env(&sshd, &queue);
    // A model store on the remote whose filesystem is over a low configured threshold:
    // any disk looks full at 1 %.
    let models = sshd.shared_dir().join("models");
    std::fs::create_dir_all(models.join("llama-3-8b")).unwrap();
    std::fs::write(models.join("llama-3-8b/model.safetensors"), vec![0u8; 4096]).unwrap();
    let env = TestEnv::new();
    env.ssh_alias("testspark", &sshd);
    env.trust(&sshd);
    env.write(
        "config/sparkdeck/config.toml",
        &format!(
            "[services]\nshow_unexpected = false\nreplace_catalog = true\n\n\
             [[services.catalog]]\nname = \"ArangoDB\"\nports = [{held}]\nkind = \"docker\"\n\
             container = \"arangodb\"\nmatches = [\"arangod\"]\nprobe = \"tcp\"\n\n\
             [models]\nroot = \"{}\"\nextra = []\nollama_stores = []\ndocker_volumes = false\n\
             disk_warn_pct = 1\ndisk_crit_pct = 2\n\n[models.defaults]\n\n\
             [jobs]\nenv_file = \"{}\"\ntimeout_s = 5\nretries = 0\n",
            models.display(),
            env_file.display()
        ),
    );

    let (code, v, json) = doctor_json(&env);
    assert_eq!(code, 2, "{json}");
    assert_eq!(v["worst"], "crit");
    assert_eq!(v["host"], "testspark");
    assert_eq!(
        statuses(&v),
        pairs(&[
            ("ssh", "ok"),
            ("clock", "ok"),
            ("user", user_status(&sshd.user)),
            ("docker", "crit"),
            ("gpu", "crit"),
            ("services", "crit"),
            ("models", "crit"),
            ("jobs", "crit"),
        ]),
        "{json}"
    );
    let seen = |id: &str| check(&v, id)["seen"].as_str().unwrap().to_string();
    let fix = |id: &str| check(&v, id)["fix"].as_str().unwrap_or("").to_string();
    assert!(seen("docker").contains("permission denied"), "{json}");
    assert!(
        fix("docker").contains("sudo usermod -aG docker $USER"),
        "{json}"
    );
    assert!(
        seen("services").contains(&format!("ArangoDB (port {held}) is conflict")),
        "{json}"
    );
    assert!(
        seen("gpu")
            .contains("1 XID error(s) in the kernel log since boot, last: [ 9100.2] NVRM: Xid"),
        "{json}"
    );
    assert!(seen("models").contains("% full"), "{json}");
    assert!(fix("models").contains("Models tab"), "{json}");
    assert!(seen("jobs").starts_with("queue stuck"), "{json}");
    assert!(fix("jobs").contains("worker"), "{json}");
    // The queue asked is the one the remote's env file names, with its key.
    let asked = queue.requests();
    assert!(!asked.is_empty(), "the stuck-queue server was never asked");
    assert!(
        asked.iter().all(|r| r.header("apikey") == Some(KEY)),
        "every request carries the env file's key"
    );
}

#[test]
fn healthy_remote() {
    let sshd = Sshd::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let host = rt
        .block_on(SshHost::connect(&sshd.target(), sshd.options()))
        .expect("connect to the test sshd");
    let (held, _perl) = rt.block_on(perl_server(&host, "sparkecho"));
    sshd.install_remote_tool("docker", &format!("#!/bin/sh\ncat <<'PS'\n{DOCKER_PS}PS\n"));
    // A queue that moves: the oldest queued job is a minute old and one just started.
    let queue = queue_with_edges(1, 1);
    let env_file = worker_env(&sshd, &queue);
    let env = TestEnv::new();
    env.ssh_alias("testspark", &sshd);
    env.trust(&sshd);
    config(
        &env,
        &format!(
            "[[services.catalog]]\nname = \"Echo\"\nports = [{held}]\nmatches = [\"sparkecho\"]\n\
             probe = \"tcp\"\n\n[jobs]\nenv_file = \"{}\"\ntimeout_s = 5\nretries = 0\n",
            env_file.display()
        ),
    );

    let (code, v, json) = doctor_json(&env);
    assert_eq!(
        statuses(&v),
        pairs(&[
            ("ssh", "ok"),
            ("clock", "ok"),
            ("user", user_status(&sshd.user)),
            ("docker", "ok"),
            ("gpu", "skip"),
            ("services", "ok"),
            ("models", "ok"),
            ("jobs", "ok"),
        ]),
        "{json}"
    );
    assert!(
        check(&v, "jobs")["seen"]
            .as_str()
            .unwrap()
            .starts_with("queue moving"),
        "{json}"
    );
    let expected = if user_status(&sshd.user) == "ok" {
        0
    } else {
        1
    };
    assert_eq!(code, expected, "{json}");
}

#[test]
fn unknown_host_key_is_crit_with_the_accept_fix() {
    let sshd = Sshd::start();
    let env = TestEnv::new();
    env.ssh_alias("testspark", &sshd);
    config(&env, "");

    let (code, v, json) = doctor_json(&env);
    assert_eq!(code, 2, "{json}");
    let ssh = check(&v, "ssh");
    assert_eq!(ssh["status"], "crit", "{json}");
    assert!(
        ssh["seen"]
            .as_str()
            .unwrap()
            .contains("--accept-new-host-key"),
        "{json}"
    );
    assert!(
        ssh["fix"]
            .as_str()
            .unwrap()
            .contains("--accept-new-host-key"),
        "{json}"
    );
    // Nothing else could run, and says so rather than passing.
    for c in v["checks"].as_array().unwrap().iter().skip(1) {
        assert_eq!(c["status"], "skip", "{json}");
    }
}

#[test]
fn a_hanging_nvidia_smi_costs_only_the_gpu_line() {
    let sshd = Sshd::start();
    sshd.install_remote_tool("nvidia-smi", "#!/bin/sh\nexec sleep 300\n");
    sshd.install_remote_tool("docker", "#!/bin/sh\nexit 0\n");
    let env = TestEnv::new();
    env.ssh_alias("testspark", &sshd);
    env.trust(&sshd);
    config(&env, "");

    let (code, v, json) = doctor_json(&env);
    assert_eq!(code, 2, "{json}");
    let gpu = check(&v, "gpu");
    assert_eq!(gpu["status"], "crit", "{json}");
    assert_eq!(gpu["seen"], "GPU read gave no answer within 20 s", "{json}");
    // Every other source still answered.
    for (id, status) in [
        ("ssh", "ok"),
        ("clock", "ok"),
        ("docker", "ok"),
        ("services", "ok"),
        ("models", "ok"),
        ("jobs", "skip"),
    ] {
        assert_eq!(check(&v, id)["status"], status, "{id}: {json}");
    }
}

#[test]
fn accept_new_host_key_connects_and_says_so() {
    let sshd = Sshd::start();
    sshd.install_remote_tool("docker", "#!/bin/sh\nexit 0\n");
    let env = TestEnv::new();
    env.ssh_alias("testspark", &sshd);
    config(&env, "");

    let out = env
        .cmd()
        .args([
            "doctor",
            "--json",
            "--host",
            "testspark",
            "--accept-new-host-key",
        ])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let json = String::from_utf8_lossy(&out.stdout).into_owned();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let ssh = check(&v, "ssh");
    assert_eq!(ssh["status"], "ok", "{json}");
    assert_eq!(
        ssh["seen"],
        "connected to testspark; host key known or recorded now (--accept-new-host-key)"
    );
    // Recorded, so the next strict run knows it.
    let (_, v, json) = doctor_json(&env);
    assert_eq!(
        check(&v, "ssh")["seen"],
        "connected to testspark; host key known",
        "{json}"
    );
}
