//! `sparkdeck snapshot --host …` fills `services` and `problems` through the real test
//! sshd: a catalogued port held by the wrong process, a required service down, and docker
//! refusing the socket (its fix in `problems`), in JSON and in the text summary.

mod support;

use sparkdeck::host::SshHost;
use std::time::Duration;
use support::env::{TestEnv, free_port};
use support::remote_http::perl_server;
use support::sshd::Sshd;

const DOCKER_DENIED_STDERR: &str =
    include_str!("fixtures/services/docker-ps.permission-denied.docker-28.2.2.stderr");

#[test]
fn snapshot_reports_services_and_their_problems_over_ssh() {
    let sshd = Sshd::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let host = rt
        .block_on(SshHost::connect(&sshd.target(), sshd.options()))
        .expect("connect to the test sshd");
    let (held, _perl) = rt.block_on(perl_server(&host, "perl"));
    let down = free_port();
    sshd.install_remote_tool(
        "docker",
        &format!("#!/bin/sh\ncat >&2 <<'ERR'\n{DOCKER_DENIED_STDERR}ERR\nexit 1\n"),
    );
    sshd.install_remote_tool(
        "systemctl",
        "#!/bin/sh\nprintf 'Id=arangodb.service\\nLoadState=not-found\\nActiveState=inactive\\nSubState=dead\\nMainPID=0\\n'\n",
    );

    let env = TestEnv::new();
    env.ssh_alias("testspark", &sshd);
    env.trust(&sshd);
    env.write(
        "config/sparkdeck/config.toml",
        &format!(
            "[services]\nshow_unexpected = false\nreplace_catalog = true\n\n\
             [[services.catalog]]\nname = \"ArangoDB\"\nports = [{held}]\nkind = \"docker\"\n\
             container = \"arangodb\"\nmatches = [\"arangod\"]\nprobe = \"http\"\n\
             probe_path = \"/_api/version\"\n\n\
             [[services.catalog]]\nname = \"Whisper\"\nports = [{down}]\nprobe = \"tcp\"\n"
        ),
    );

    let out = env
        .cmd()
        .args(["snapshot", "--json", "--host", "testspark"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let services = v["services"].as_array().expect("a services array");
    let by_name = |n: &str| {
        services
            .iter()
            .find(|s| s["name"] == n)
            .unwrap_or_else(|| panic!("no {n} in {v}"))
    };
    let arango = by_name("ArangoDB");
    assert_eq!(arango["state"], "conflict", "{arango}");
    assert_eq!(arango["port"], held);
    assert_eq!(arango["expected"], true);
    assert_eq!(arango["owner"]["process"], "perl", "{arango}");
    assert_eq!(arango["health"]["ok"], true, "perl answers 200: {arango}");
    assert!(arango["health"]["latency_ms"].is_u64(), "{arango}");
    let whisper = by_name("Whisper");
    assert_eq!(whisper["state"], "down", "{whisper}");
    assert_eq!(whisper["health"], serde_json::Value::Null);
    assert_eq!(whisper["bind"], serde_json::Value::Null);

    let problems = v["problems"].as_array().expect("a problems array");
    let docker = problems
        .iter()
        .find(|p| p["area"] == "services" && p["message"].as_str().unwrap_or("").contains("docker"))
        .unwrap_or_else(|| panic!("no docker problem in {problems:?}"));
    // The login user (`sshtest` when the tests run as root) and a docker CLI on its PATH:
    // outside the docker group that is a host problem with the usermod fix.
    let groups = std::process::Command::new("id")
        .args(["-Gn", &sshd.user])
        .output()
        .unwrap();
    let member = String::from_utf8_lossy(&groups.stdout)
        .split_whitespace()
        .any(|g| g == "docker");
    let host_problem = problems.iter().find(|p| p["area"] == "host");
    if sshd.user != "root" && !member {
        let p = host_problem.unwrap_or_else(|| panic!("no host problem in {problems:?}"));
        assert_eq!(p["severity"], "warn", "{p}");
        assert!(
            p["message"]
                .as_str()
                .unwrap()
                .ends_with(": not in the docker group"),
            "{p}"
        );
        assert_eq!(
            p["fix"],
            "sudo usermod -aG docker $USER, then log in again (or newgrp docker)"
        );
    } else {
        assert!(host_problem.is_none(), "{problems:?}");
    }
    assert_eq!(docker["area"], "services");
    assert!(
        docker["fix"]
            .as_str()
            .unwrap()
            .contains("usermod -aG docker"),
        "{docker}"
    );
    let row_problem = |name: &str| {
        problems
            .iter()
            .find(|p| p["severity"] == "crit" && p["message"].as_str().unwrap().starts_with(name))
            .unwrap_or_else(|| panic!("{name} is a crit problem: {problems:?}"))
    };
    // Each red row says what to do about its own state.
    let pid = arango["owner"]["pid"]
        .as_u64()
        .expect("perl's pid is visible");
    assert_eq!(
        row_problem("ArangoDB")["fix"],
        format!(
            "free port {held}: stop perl (pid {pid}; kill {pid}) or move it to another port, \
             then start ArangoDB"
        )
    );
    assert_eq!(
        row_problem("Whisper")["fix"],
        format!("start Whisper so that it listens on port {down}")
    );
    // Document order: the host and gpu areas (if any) come before services.
    let areas: Vec<&str> = problems
        .iter()
        .map(|p| p["area"].as_str().unwrap())
        .collect();
    let rank = |a: &str| {
        ["host", "gpu", "jobs", "services", "models"]
            .iter()
            .position(|x| *x == a)
    };
    assert!(
        areas.windows(2).all(|w| rank(w[0]) <= rank(w[1])),
        "{areas:?}"
    );

    // The text summary says the same in lines a person reads.
    let out = env
        .cmd()
        .args(["snapshot", "--host", "testspark"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("svc") && l.contains("conflict") && l.contains("ArangoDB")),
        "{text}"
    );
    assert!(text.contains("usermod -aG docker"), "{text}");
}
