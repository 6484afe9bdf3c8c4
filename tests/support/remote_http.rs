//! A tiny HTTP server started on a remote host through the test sshd, to hold a catalogued
//! port as "the wrong process" or to answer a probe.

use sparkdeck::host::{Host, LineStream, StreamEvent};
use std::time::Duration;

/// Answers every request with 200 "ok"; prints its port first. Without a terminal it gets
/// no hangup when the SSH session ends, so it exits once its parent (the session) is gone:
/// a leftover would show up as a second instance in the next test.
const PERL_SERVER: &str = r#"use IO::Socket::INET; $| = 1;
my $parent = getppid(); $SIG{ALRM} = sub { exit 0 if getppid() != $parent; alarm 1 }; alarm 1;
my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0, Listen => 16, ReuseAddr => 1) or die "listen: $!";
print $s->sockport, "\n";
while (1) { my $c = $s->accept or next; while (<$c>) { last if /^\r?\n$/ } print $c "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"; close $c }"#;

/// Starts the server as the remote user under the process name `name` (perl sets it with
/// prctl), so tests running beside each other can tell their servers apart. It lives as
/// long as the returned stream.
pub async fn perl_server(host: &dyn Host, name: &str) -> (u16, LineStream) {
    let script = format!("$0 = '{name}'; {PERL_SERVER}");
    let mut s = host
        .stream_lines(&["perl", "-e", &script])
        .await
        .expect("start perl");
    match tokio::time::timeout(Duration::from_secs(30), s.next()).await {
        Ok(Some(StreamEvent::Stdout(l))) => (l.trim().parse().expect("a port"), s),
        other => panic!("perl did not start: {other:?}"),
    }
}
