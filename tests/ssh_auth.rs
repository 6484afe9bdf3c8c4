//! Authentication paths and ProxyJump against a real sshd.

mod support;

use sparkdeck::host::{Host, HostError, SshHost};
use std::path::PathBuf;
use support::sshd::{Agent, Sshd, keygen};

#[tokio::test]
async fn agent_identity_is_used_without_key_files() {
    let sshd = Sshd::start();
    let agent_key = keygen(&sshd.path("agent_key"), "");
    sshd.authorize(&agent_key);
    let agent = Agent::start(&sshd.path(""), &[&agent_key]);
    let mut target = sshd.target();
    // Only the agent can succeed: the one key file does not exist.
    target.identity_files = vec![sshd.path("missing_key")];
    let mut opts = sshd.options();
    opts.agent_socket = Some(agent.socket.clone());
    let host = SshHost::connect(&target, opts).await.unwrap();
    assert!(host.exec(&["true"]).await.unwrap().success());

    // Without the agent the same target cannot log in.
    let err = SshHost::connect(&target, sshd.options()).await.unwrap_err();
    assert!(matches!(err, HostError::Auth { .. }), "{err:?}");
}

#[tokio::test]
async fn encrypted_key_says_it_needs_a_passphrase() {
    let sshd = Sshd::start();
    let secret = "correct horse battery";
    let key = keygen(&sshd.path("locked_key"), secret);
    sshd.authorize(&key);
    let mut target = sshd.target();
    target.identity_files = vec![key.clone()];
    let err = SshHost::connect(&target, sshd.options()).await.unwrap_err();
    match &err {
        HostError::KeyNeedsPassphrase { path } => assert_eq!(path, &key),
        other => panic!("expected KeyNeedsPassphrase, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("ssh-add"), "{msg}");
    assert!(!msg.contains(secret));

    // A usable key after the locked one wins: the passphrase is only reported when nothing worked.
    target.identity_files = vec![key, sshd.client_key.clone()];
    SshHost::connect(&target, sshd.options()).await.unwrap();
}

#[tokio::test]
async fn unauthorized_key_fails_with_what_was_tried() {
    let sshd = Sshd::start();
    let stranger = keygen(&sshd.path("stranger"), "");
    let mut target = sshd.target();
    target.identity_files = vec![stranger.clone()];
    match SshHost::connect(&target, sshd.options()).await.unwrap_err() {
        HostError::Auth { user, reason, .. } => {
            assert_eq!(user, sshd.user);
            assert!(reason.contains(&stranger.display().to_string()), "{reason}");
        }
        other => panic!("expected Auth, got {other:?}"),
    }
    target.identity_files = vec![PathBuf::from("/nonexistent/key")];
    let err = SshHost::connect(&target, sshd.options()).await.unwrap_err();
    assert!(matches!(err, HostError::Auth { .. }), "{err:?}");
}

fn accepted_logins(sshd: &Sshd) -> usize {
    sshd.log().matches("Accepted publickey").count()
}

#[tokio::test]
async fn proxy_jump_through_the_same_sshd() {
    let sshd = Sshd::start();
    let mut target = sshd.target();
    let mut hop = sshd.target();
    hop.name = "jump".into();
    target.jump = Some(Box::new(hop.clone()));
    let host = SshHost::connect(&target, sshd.options()).await.unwrap();
    let out = host
        .exec(&["sh", "-c", "echo $SSH_CONNECTION"])
        .await
        .unwrap();
    assert!(out.success(), "{out:?}");
    assert!(out.stdout_str().starts_with("127.0.0.1 "), "{out:?}");
    assert_eq!(
        accepted_logins(&sshd),
        2,
        "expected a login for the hop and one for the target"
    );

    // Two hops: jump → jump → target.
    let mut outer = hop.clone();
    outer.jump = Some(Box::new(hop));
    target.jump = Some(Box::new(outer));
    let host2 = SshHost::connect(&target, sshd.options()).await.unwrap();
    assert!(host2.exec(&["true"]).await.unwrap().success());
    assert_eq!(accepted_logins(&sshd), 5);
    host.disconnect().await;
    host2.disconnect().await;
}
