//! Noticing a lost session, and connecting again once sshd is back.

mod support;

use sparkdeck::host::{Host, HostError, SshHost, SshOptions};
use std::time::Duration;
use support::sshd::Sshd;
use tokio::time::timeout;

fn short_keepalive(sshd: &Sshd) -> SshOptions {
    let mut o = sshd.options();
    o.keepalive_interval = Duration::from_secs(1);
    o.keepalive_max = 2;
    o
}

#[tokio::test]
async fn stopped_sshd_closes_the_session_and_restart_allows_a_new_one() {
    let mut sshd = Sshd::start();
    let host = SshHost::connect(&sshd.target(), short_keepalive(&sshd))
        .await
        .unwrap();
    assert!(!host.is_closed());
    sshd.stop();
    let reason = timeout(Duration::from_secs(10), host.closed())
        .await
        .expect("closed() resolves once the server is gone");
    assert!(!reason.is_empty());
    assert!(host.is_closed());
    let err = host.exec(&["true"]).await.unwrap_err();
    assert!(matches!(err, HostError::Disconnected { .. }), "{err:?}");

    let err = SshHost::connect(&sshd.target(), short_keepalive(&sshd))
        .await
        .unwrap_err();
    assert!(matches!(err, HostError::Connect { .. }), "{err:?}");
    assert!(err.is_retryable());

    sshd.restart();
    let again = SshHost::connect(&sshd.target(), short_keepalive(&sshd))
        .await
        .unwrap();
    assert_eq!(
        again.exec(&["echo", "back"]).await.unwrap().stdout_str(),
        "back\n"
    );
}

#[tokio::test]
async fn keepalive_notices_a_server_that_went_silent() {
    let sshd = Sshd::start();
    let host = SshHost::connect(&sshd.target(), short_keepalive(&sshd))
        .await
        .unwrap();
    assert!(host.exec(&["true"]).await.unwrap().success());
    // The TCP connection stays open but nothing answers, like a host that hangs.
    sshd.freeze_sessions();
    let reason = timeout(Duration::from_secs(15), host.closed())
        .await
        .expect("keepalive timeout ends the session");
    assert!(reason.contains("keepalive"), "{reason}");
    assert!(host.is_closed());
}

#[tokio::test]
async fn deliberate_disconnect_is_reported_as_such() {
    let sshd = Sshd::start();
    let host = SshHost::connect(&sshd.target(), sshd.options())
        .await
        .unwrap();
    host.disconnect().await;
    let reason = timeout(Duration::from_secs(10), host.closed())
        .await
        .unwrap();
    assert_eq!(reason, "disconnected by the user");
    assert!(host.is_closed());
}

#[tokio::test]
async fn command_cut_off_by_a_lost_session_is_an_error() {
    let mut sshd = Sshd::start();
    let host = SshHost::connect(&sshd.target(), short_keepalive(&sshd))
        .await
        .unwrap();
    let running = host.exec(&["sleep", "30"]);
    let (result, ()) = tokio::join!(running, async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        sshd.stop();
    });
    match result {
        Err(HostError::Disconnected { .. }) => {}
        other => panic!("expected Disconnected, got {other:?}"),
    }
}
