//! Resolving connections through an ssh config file, with `ssh -G` and with ssh2-config.

use sparkdeck::host::ssh_config::resolve_target_with;
use sparkdeck::host::{HostError, list_hosts};
use sparkdeck::model::ConnectionSpec;
use std::path::{Path, PathBuf};

const CONFIG: &str = "\
# An option before the first Host applies to every host.
User globaluser

Host spark spark-alias
    HostName 10.1.2.3
    Port 2222
    IdentityFile ~/.ssh/spark_key
    IdentityFile /keys/second

Host lab
    HostName lab.example.org
    ProxyJump ops@bastion:2200

Host bastion
    HostName bastion.example.org
    IdentityFile /keys/bastion

Host chain
    HostName 192.168.0.9
    ProxyJump bastion,lab

Host loop1
    ProxyJump loop2
Host loop2
    ProxyJump loop1

Host *.internal web-?? !bad
    Port 9999
";

fn write_config(dir: &Path) -> PathBuf {
    let path = dir.join("ssh_config");
    std::fs::write(&path, CONFIG).unwrap();
    path
}

fn home() -> PathBuf {
    std::env::home_dir().unwrap()
}

fn resolvers() -> Vec<bool> {
    let has_ssh = std::process::Command::new("ssh").arg("-V").output().is_ok();
    assert!(
        has_ssh,
        "install openssh-client (the README's test command does)"
    );
    vec![true, false]
}

#[test]
fn alias_resolves_hostname_port_user_and_keys() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path());
    for use_ssh in resolvers() {
        let t = resolve_target_with(
            &ConnectionSpec::new("my spark", "spark"),
            Some(&cfg),
            use_ssh,
        )
        .unwrap();
        assert_eq!(t.name, "my spark");
        assert_eq!(t.host, "10.1.2.3", "ssh -G: {use_ssh}");
        assert_eq!(t.port, 2222, "ssh -G: {use_ssh}");
        assert_eq!(t.user, "globaluser", "ssh -G: {use_ssh}");
        assert_eq!(
            t.identity_files,
            vec![home().join(".ssh/spark_key"), PathBuf::from("/keys/second")],
            "ssh -G: {use_ssh}"
        );
        assert!(t.jump.is_none());

        let other = resolve_target_with(
            &ConnectionSpec::new("x", "spark-alias"),
            Some(&cfg),
            use_ssh,
        )
        .unwrap();
        assert_eq!(other.host, "10.1.2.3");
    }
}

#[test]
fn explicit_fields_win_over_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path());
    for use_ssh in resolvers() {
        let mut spec = ConnectionSpec::new("s", "spark");
        spec.port = 2022;
        spec.user = Some("me".into());
        spec.key_path = Some("/keys/mine".into());
        spec.jump = Some("hop.example:2201".into());
        let t = resolve_target_with(&spec, Some(&cfg), use_ssh).unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.user.as_str()),
            ("10.1.2.3", 2022, "me")
        );
        assert_eq!(t.identity_files, vec![PathBuf::from("/keys/mine")]);
        let j = t.jump.expect("jump from the spec");
        assert_eq!((j.host.as_str(), j.port), ("hop.example", 2201));
    }
}

#[test]
fn proxy_jump_hops_are_resolved_through_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path());
    for use_ssh in resolvers() {
        let lab =
            resolve_target_with(&ConnectionSpec::new("lab", "lab"), Some(&cfg), use_ssh).unwrap();
        assert_eq!(lab.host, "lab.example.org");
        let hop = lab.jump.expect("lab goes through bastion");
        assert_eq!(hop.host, "bastion.example.org", "ssh -G: {use_ssh}");
        assert_eq!(hop.port, 2200);
        assert_eq!(hop.user, "ops");
        assert_eq!(hop.identity_files, vec![PathBuf::from("/keys/bastion")]);
        assert!(hop.jump.is_none());

        // bastion,lab: bastion first, then lab, then the target.
        let chain =
            resolve_target_with(&ConnectionSpec::new("c", "chain"), Some(&cfg), use_ssh).unwrap();
        assert_eq!(chain.host, "192.168.0.9");
        let last = chain.jump.expect("last hop");
        assert_eq!(last.host, "lab.example.org");
        let first = last.jump.expect("first hop");
        assert_eq!(
            (first.host.as_str(), first.port),
            ("bastion.example.org", 22)
        );
        assert!(first.jump.is_none());
    }
}

#[test]
fn unknown_alias_is_a_plain_host_and_loops_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path());
    for use_ssh in resolvers() {
        let t = resolve_target_with(
            &ConnectionSpec::new("p", "plain.example"),
            Some(&cfg),
            use_ssh,
        )
        .unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.user.as_str()),
            ("plain.example", 22, "globaluser")
        );
        let w = resolve_target_with(
            &ConnectionSpec::new("w", "db.internal"),
            Some(&cfg),
            use_ssh,
        )
        .unwrap();
        assert_eq!(w.port, 9999, "ssh -G: {use_ssh}");

        match resolve_target_with(&ConnectionSpec::new("l", "loop1"), Some(&cfg), use_ssh) {
            Err(HostError::Config(msg)) => assert!(msg.contains("loop"), "{msg}"),
            other => panic!("expected a loop error, got {other:?}"),
        }
        assert!(matches!(
            resolve_target_with(&ConnectionSpec::new("e", " "), Some(&cfg), use_ssh),
            Err(HostError::Config(_))
        ));
    }
}

#[test]
fn list_hosts_names_concrete_aliases_with_values() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path());
    let hosts = list_hosts(&cfg).unwrap();
    let aliases: Vec<&str> = hosts.iter().map(|h| h.alias.as_str()).collect();
    assert_eq!(
        aliases,
        vec![
            "spark",
            "spark-alias",
            "lab",
            "bastion",
            "chain",
            "loop1",
            "loop2"
        ]
    );
    let spark = &hosts[0];
    assert_eq!(spark.hostname.as_deref(), Some("10.1.2.3"));
    assert_eq!(spark.port, Some(2222));
    assert_eq!(spark.user.as_deref(), Some("globaluser"));
    assert_eq!(spark.identity_file, Some(home().join(".ssh/spark_key")));
    assert_eq!(hosts[2].proxy_jump.as_deref(), Some("ops@bastion:2200"));

    assert!(list_hosts(&dir.path().join("missing")).unwrap().is_empty());
}
