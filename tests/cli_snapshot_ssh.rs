//! `sparkdeck snapshot --host …` through a real sshd on 127.0.0.1: ssh config aliases, saved
//! connections, and the headless host-key rules (unknown refused unless accepted, changed
//! always refused).

mod support;

use sparkdeck::model::ConnectionSpec;
use sparkdeck::store::Store;
use std::fs;
use support::env::TestEnv;
use support::sshd::{Sshd, keygen};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn snapshot_json(env: &TestEnv, name: &str, extra: &[&str]) -> std::process::Output {
    env.cmd()
        .args(["snapshot", "--json", "--host", name])
        .args(extra)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap()
}

fn assert_ssh_snapshot(out: &std::process::Output, name: &str, sshd: &Sshd) {
    assert!(
        out.status.success(),
        "snapshot failed: {}\nsshd log:\n{}",
        text(&out.stderr),
        sshd.log()
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(v["schema"], 1);
    assert_eq!(v["host"]["source"], "ssh", "{v}");
    assert_eq!(v["host"]["name"], name, "{v}");
    assert_eq!(v["host"]["user"], sshd.user.as_str(), "{v}");
    assert_eq!(v["host"]["arch"], std::env::consts::ARCH, "{v}");
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    assert_eq!(v["host"]["kernel"], kernel.trim(), "{v}");
}

#[test]
fn alias_with_known_key_gives_the_remote_facts() {
    let sshd = Sshd::start();
    let env = TestEnv::new();
    env.ssh_alias("testspark", &sshd);
    env.trust(&sshd);
    let out = snapshot_json(&env, "testspark", &[]);
    assert_ssh_snapshot(&out, "testspark", &sshd);
}

#[test]
fn unknown_key_is_refused_then_accepted_on_request() {
    let sshd = Sshd::start();
    let env = TestEnv::new();
    env.ssh_alias("testspark", &sshd);

    let out = snapshot_json(&env, "testspark", &[]);
    assert!(!out.status.success(), "an unknown key must be refused");
    assert!(
        out.stdout.is_empty(),
        "no snapshot printed: {}",
        text(&out.stdout)
    );
    let err = text(&out.stderr);
    assert!(err.contains("SHA256:"), "fingerprint missing: {err}");
    assert!(err.contains("--accept-new-host-key"), "{err}");
    assert!(
        !env.known_hosts().exists()
            || !fs::read_to_string(env.known_hosts())
                .unwrap()
                .contains(&sshd.host_key),
        "a refused key is not remembered"
    );
    // The fingerprint shown is the server's real one.
    let fp = std::process::Command::new("ssh-keygen")
        .args(["-l", "-E", "sha256", "-f"])
        .arg(sshd.path("host_ed25519.pub"))
        .output()
        .unwrap();
    let fp = text(&fp.stdout)
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_string();
    assert!(err.contains(&fp), "expected {fp} in: {err}");

    let out = snapshot_json(&env, "testspark", &["--accept-new-host-key"]);
    assert_ssh_snapshot(&out, "testspark", &sshd);
    let known = fs::read_to_string(env.known_hosts()).expect("known_hosts written");
    let entry = known
        .lines()
        .find(|l| l.starts_with(&format!("[127.0.0.1]:{} ", sshd.port)))
        .unwrap_or_else(|| panic!("no entry for the test port in:\n{known}"));
    assert!(
        entry.ends_with(&sshd.host_key) || entry.contains(&sshd.host_key),
        "{entry}"
    );

    // Remembered: the next strict run succeeds without the flag.
    let out = snapshot_json(&env, "testspark", &[]);
    assert_ssh_snapshot(&out, "testspark", &sshd);
}

#[test]
fn changed_key_is_refused_with_the_openssh_warning() {
    let sshd = Sshd::start();
    let env = TestEnv::new();
    env.ssh_alias("testspark", &sshd);
    let other = keygen(&env.root().join("other_host_key"), "");
    let other_pub = fs::read_to_string(other.with_extension("pub")).unwrap();
    let other_pub: Vec<&str> = other_pub.split_whitespace().take(2).collect();
    fs::create_dir_all(env.home().join(".ssh")).unwrap();
    fs::write(
        env.known_hosts(),
        format!(
            "# hosts of the lab\nunrelated.example ssh-ed25519 {}\n[127.0.0.1]:{} {}\n",
            other_pub[1],
            sshd.port,
            other_pub.join(" ")
        ),
    )
    .unwrap();

    for extra in [&[][..], &["--accept-new-host-key"][..]] {
        let out = snapshot_json(&env, "testspark", extra);
        assert!(
            !out.status.success(),
            "a changed key must be refused ({extra:?})"
        );
        let err = text(&out.stderr);
        assert!(
            err.contains("WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED"),
            "{err}"
        );
        assert!(
            err.contains(&format!("{}:3", env.known_hosts().display())),
            "file:line of the offending key missing: {err}"
        );
    }
    assert!(
        !fs::read_to_string(env.known_hosts())
            .unwrap()
            .contains(&sshd.host_key),
        "the new key is never written over a changed one"
    );
}

#[test]
fn saved_connection_from_the_store_is_reached() {
    let sshd = Sshd::start();
    let env = TestEnv::new();
    env.trust(&sshd);
    {
        let store = Store::open(&env.db_path()).expect("create the store");
        let mut spec = ConnectionSpec::new("lab-spark", "127.0.0.1");
        spec.port = sshd.port;
        spec.user = Some(sshd.user.clone());
        spec.key_path = Some(sshd.client_key.clone());
        store.add_connection(&spec, 1_700_000_000).unwrap();
    }
    let out = snapshot_json(&env, "lab-spark", &[]);
    assert_ssh_snapshot(&out, "lab-spark", &sshd);

    // A name that is neither saved nor an alias is tried as a host name and fails clearly.
    let out = snapshot_json(&env, "no-such-spark.invalid", &[]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("no-such-spark.invalid"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn unreachable_host_fails_with_the_address_and_reason() {
    let env = TestEnv::new();
    let port = support::env::free_port();
    fs::create_dir_all(env.home().join(".ssh")).unwrap();
    fs::write(
        env.home().join(".ssh/config"),
        format!("Host downspark\n    HostName 127.0.0.1\n    Port {port}\n"),
    )
    .unwrap();
    let out = snapshot_json(&env, "downspark", &[]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(err.contains("downspark"), "{err}");
    assert!(
        err.contains(&port.to_string()),
        "the port tried is named: {err}"
    );
    assert!(err.to_lowercase().contains("refused"), "{err}");
}

#[test]
fn unauthorized_key_is_reported_as_an_auth_failure() {
    let sshd = Sshd::start();
    let env = TestEnv::new();
    env.trust(&sshd);
    let stranger = keygen(&env.root().join("stranger"), "");
    fs::write(
        env.home().join(".ssh/config"),
        format!(
            "Host testspark\n    HostName 127.0.0.1\n    Port {}\n    User {}\n    IdentityFile {}\n",
            sshd.port,
            sshd.user,
            stranger.display()
        ),
    )
    .unwrap();
    let out = snapshot_json(&env, "testspark", &[]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains(&sshd.user), "the user is named: {err}");
    assert!(
        err.contains("stranger") || err.to_lowercase().contains("auth"),
        "{err}"
    );
    assert!(!err.contains("PRIVATE KEY"), "no key material is printed");
}

#[test]
fn a_corrupt_store_does_not_stop_a_snapshot_of_an_alias() {
    let sshd = Sshd::start();
    let env = TestEnv::new();
    env.ssh_alias("testspark", &sshd);
    env.trust(&sshd);
    fs::create_dir_all(env.db_path().parent().unwrap()).unwrap();
    fs::write(
        env.db_path(),
        b"this is not a SQLite database, not even close\n".repeat(200),
    )
    .unwrap();
    let out = snapshot_json(&env, "testspark", &[]);
    assert_ssh_snapshot(&out, "testspark", &sshd);
}
