//! Host-key verification against known_hosts files, with a real sshd.

mod support;

use sparkdeck::host::{HostError, HostKeyPolicy, HostKeyQuestion, SshHost, SshOptions};
use sparkdeck::model::HostKeyDecision;
use std::path::Path;
use std::process::Command;
use support::sshd::Sshd;
use tokio::sync::mpsc;

fn fingerprint(pub_file: &Path) -> String {
    let out = Command::new("ssh-keygen")
        .arg("-lf")
        .arg(pub_file)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_string()
}

fn options(sshd: &Sshd, known_hosts: &Path, policy: HostKeyPolicy) -> SshOptions {
    let mut o = sshd.options();
    o.known_hosts = known_hosts.to_path_buf();
    o.policy = policy;
    o
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[tokio::test]
async fn strict_refuses_an_unknown_key_with_its_fingerprint() {
    let sshd = Sshd::start();
    let kh = sshd.path("empty_known_hosts");
    std::fs::write(&kh, "").unwrap();
    let err = SshHost::connect(&sshd.target(), options(&sshd, &kh, HostKeyPolicy::Strict))
        .await
        .unwrap_err();
    match &err {
        HostError::HostKeyUnknown {
            host,
            fingerprint: fp,
        } => {
            assert_eq!(host, &format!("[127.0.0.1]:{}", sshd.port));
            assert_eq!(fp, &fingerprint(&sshd.path("host_ed25519.pub")));
            assert!(fp.starts_with("SHA256:"));
        }
        other => panic!("expected HostKeyUnknown, got {other:?}"),
    }
    assert!(!err.is_retryable());
    assert_eq!(read(&kh), "");
}

#[tokio::test]
async fn accept_new_learns_the_key() {
    let sshd = Sshd::start();
    let kh = sshd.path("new/known_hosts");
    SshHost::connect(
        &sshd.target(),
        options(&sshd, &kh, HostKeyPolicy::AcceptNew),
    )
    .await
    .unwrap();
    let text = read(&kh);
    let entry = format!("[127.0.0.1]:{} {}", sshd.port, sshd.host_key);
    assert!(text.contains(&entry), "{text:?} lacks {entry:?}");
    // Learned for good: strict checking now passes.
    SshHost::connect(&sshd.target(), options(&sshd, &kh, HostKeyPolicy::Strict))
        .await
        .unwrap();
}

/// What the UI saw: host, fingerprint, other keys on record, warning.
type Seen = (String, String, usize, String);

/// Answers the first host-key question with `decision` and hands the question back.
fn answer_with(
    decision: HostKeyDecision,
) -> (
    mpsc::Sender<HostKeyQuestion>,
    tokio::task::JoinHandle<Option<Seen>>,
) {
    let (tx, mut rx) = mpsc::channel::<HostKeyQuestion>(1);
    let task = tokio::spawn(async move {
        let q = rx.recv().await?;
        let seen = (
            q.host.clone(),
            q.fingerprint.clone(),
            q.other_known_keys,
            q.warning(),
        );
        assert_eq!(q.key_type, "ssh-ed25519");
        q.reply.send(decision).unwrap();
        Some(seen)
    });
    (tx, task)
}

#[tokio::test]
async fn ask_trust_once_accepts_without_writing() {
    let sshd = Sshd::start();
    let kh = sshd.path("kh_once");
    let (tx, task) = answer_with(HostKeyDecision::TrustOnce);
    SshHost::connect(&sshd.target(), options(&sshd, &kh, HostKeyPolicy::Ask(tx)))
        .await
        .unwrap();
    let (host, fp, others, warning) = task.await.unwrap().expect("a question was asked");
    assert_eq!(host, "127.0.0.1");
    assert_eq!(fp, fingerprint(&sshd.path("host_ed25519.pub")));
    assert_eq!(others, 0);
    assert_eq!(warning, "");
    assert!(!kh.exists() || read(&kh).trim().is_empty(), "{}", read(&kh));
}

#[tokio::test]
async fn ask_trust_always_writes_the_key() {
    let sshd = Sshd::start();
    let kh = sshd.path("kh_always");
    let (tx, task) = answer_with(HostKeyDecision::TrustAlways);
    SshHost::connect(&sshd.target(), options(&sshd, &kh, HostKeyPolicy::Ask(tx)))
        .await
        .unwrap();
    assert!(task.await.unwrap().is_some());
    assert!(read(&kh).contains(&format!("[127.0.0.1]:{} {}", sshd.port, sshd.host_key)));
}

#[tokio::test]
async fn ask_cancel_or_nobody_listening_rejects() {
    let sshd = Sshd::start();
    let kh = sshd.path("kh_cancel");
    let (tx, task) = answer_with(HostKeyDecision::Cancel);
    let err = SshHost::connect(&sshd.target(), options(&sshd, &kh, HostKeyPolicy::Ask(tx)))
        .await
        .unwrap_err();
    assert!(matches!(err, HostError::HostKeyRejected { .. }), "{err:?}");
    assert!(task.await.unwrap().is_some());
    assert!(read(&kh).is_empty());

    let (tx, rx) = mpsc::channel(1);
    drop(rx);
    let err = SshHost::connect(&sshd.target(), options(&sshd, &kh, HostKeyPolicy::Ask(tx)))
        .await
        .unwrap_err();
    assert!(matches!(err, HostError::HostKeyRejected { .. }), "{err:?}");
}

#[tokio::test]
async fn changed_key_is_refused_naming_file_and_line() {
    let sshd = Sshd::start();
    let other = support::sshd::keygen(&sshd.path("impostor"), "");
    let impostor = std::fs::read_to_string(other.with_extension("pub")).unwrap();
    let kh = sshd.path("kh_changed");
    let text = format!(
        "# managed by hand\nother.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n[127.0.0.1]:{} {}",
        sshd.port, impostor
    );
    std::fs::write(&kh, &text).unwrap();
    for policy in [HostKeyPolicy::Strict, HostKeyPolicy::AcceptNew] {
        let err = SshHost::connect(&sshd.target(), options(&sshd, &kh, policy))
            .await
            .unwrap_err();
        match &err {
            HostError::HostKeyChanged { host, file, line } => {
                assert_eq!(host, &format!("[127.0.0.1]:{}", sshd.port));
                assert_eq!(file, &kh);
                assert_eq!(*line, 3);
            }
            other => panic!("expected HostKeyChanged, got {other:?}"),
        }
        let msg = err.to_string();
        assert!(
            msg.contains("REMOTE HOST IDENTIFICATION HAS CHANGED"),
            "{msg}"
        );
        assert!(msg.contains(&format!("{}:3", kh.display())), "{msg}");
        assert_eq!(read(&kh), text, "known_hosts must not be touched");
    }
}

#[tokio::test]
async fn hashed_entry_is_accepted() {
    let sshd = Sshd::start();
    let kh = sshd.path("kh_hashed");
    std::fs::copy(&sshd.known_hosts, &kh).unwrap();
    let out = Command::new("ssh-keygen")
        .arg("-H")
        .arg("-f")
        .arg(&kh)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = read(&kh);
    assert!(
        text.starts_with("|1|") && !text.contains("127.0.0.1"),
        "{text}"
    );
    SshHost::connect(&sshd.target(), options(&sshd, &kh, HostKeyPolicy::Strict))
        .await
        .unwrap();
}

#[tokio::test]
async fn key_of_another_type_on_record_is_flagged() {
    let sshd = Sshd::start();
    let ecdsa = sshd.path("ecdsa_host");
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ecdsa", "-N", "", "-f"])
        .arg(&ecdsa)
        .output()
        .unwrap();
    assert!(out.status.success());
    let recorded = std::fs::read_to_string(ecdsa.with_extension("pub")).unwrap();
    let kh = sshd.path("kh_ecdsa");
    std::fs::write(&kh, format!("[127.0.0.1]:{} {}", sshd.port, recorded)).unwrap();

    let err = SshHost::connect(&sshd.target(), options(&sshd, &kh, HostKeyPolicy::Strict))
        .await
        .unwrap_err();
    assert!(matches!(err, HostError::HostKeyUnknown { .. }), "{err:?}");

    let (tx, task) = answer_with(HostKeyDecision::Cancel);
    let _ = SshHost::connect(&sshd.target(), options(&sshd, &kh, HostKeyPolicy::Ask(tx))).await;
    let (_, _, others, warning) = task.await.unwrap().unwrap();
    assert_eq!(others, 1);
    assert!(warning.starts_with("WARNING"), "{warning}");
    assert!(warning.contains(&kh.display().to_string()), "{warning}");
}
