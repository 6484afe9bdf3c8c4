//! The worker-log pipeline end to end over the real test sshd: `logtail::tail` feeds a
//! `LogView`, new lines arrive while it follows, `jump_to` finds a job id, and a missing
//! log file shows up as the viewer's notice.

mod support;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sparkdeck::app::logview::LogView;
use sparkdeck::config::Theme;
use sparkdeck::host::{Host, LineStream, SshHost, StreamEvent};
use sparkdeck::sources::logtail;
use std::io::Write;
use std::time::{Duration, Instant};
use support::sshd::Sshd;

const LIMIT: Duration = Duration::from_secs(20);

/// Feeds stream events into the viewer until `done` holds, as the app's worker task does.
async fn pump(
    s: &mut LineStream,
    v: &mut LogView,
    host: &str,
    path: &str,
    done: impl Fn(&LogView) -> bool,
) {
    let deadline = Instant::now() + LIMIT;
    while !done(v) {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, s.next()).await {
            Ok(Some(StreamEvent::Stdout(l))) => v.push_lines(&[l]),
            Ok(Some(StreamEvent::Stderr(l))) => {
                v.set_notice(Some(logtail::explain_stderr(host, path, &l)))
            }
            Ok(other) => panic!("stream ended: {other:?}"),
            Err(_) => panic!(
                "viewer not done within {LIMIT:?}: {} lines, notice {:?}",
                v.len(),
                v.notice()
            ),
        }
    }
}

fn screen(v: &LogView) -> String {
    let mut t = Terminal::new(TestBackend::new(100, 12)).unwrap();
    t.draw(|f| sparkdeck::ui::logview::render(f, f.area(), v, &Theme::dark(), "worker.log"))
        .unwrap();
    format!("{}", t.backend())
}

#[tokio::test]
async fn worker_log_over_ssh_into_the_viewer() {
    let sshd = Sshd::start();
    let host = tokio::time::timeout(LIMIT, SshHost::connect(&sshd.target(), sshd.options()))
        .await
        .expect("connect in time")
        .expect("connect");
    let path = sshd.shared_dir().join("worker.log");
    let p = path.to_str().unwrap().to_string();

    let mut s = logtail::tail(&host, &p, 200).await.unwrap();
    let mut v = LogView::new(1_000);
    pump(&mut s, &mut v, host.name(), &p, |v| v.notice().is_some()).await;
    assert!(
        v.notice().unwrap().contains("does not exist on test-spark"),
        "{:?}",
        v.notice()
    );
    assert!(screen(&v).contains("does not exist on test-spark"));

    let mut f = std::fs::File::create(&path).unwrap();
    for i in 0..30 {
        writeln!(f, "\u{1b}[32mINFO\u{1b}[0m poll {i}: 0 jobs queued").unwrap();
    }
    writeln!(f, "ERROR job 7f3a9c2e failed: Circular reference detected").unwrap();
    writeln!(f, "INFO poll 31: 0 jobs queued").unwrap();
    f.flush().unwrap();
    pump(&mut s, &mut v, host.name(), &p, |v| v.len() >= 32).await;
    v.set_notice(None);
    assert!(v.following());
    assert_eq!(
        v.line(0),
        Some("INFO poll 0: 0 jobs queued"),
        "ANSI stripped"
    );
    let shown = screen(&v);
    assert!(
        shown.contains("INFO poll 31"),
        "follow shows the newest line:\n{shown}"
    );
    assert!(!shown.contains("poll 0:"), "{shown}");

    v.set_viewport(10);
    assert!(v.jump_to("7F3A9C2E"));
    assert_eq!(v.match_counter(), Some((1, 1)));
    let shown = screen(&v);
    assert!(shown.contains("ERROR job 7f3a9c2e"), "{shown}");
    assert!(shown.contains("1/1"), "{shown}");

    writeln!(f, "INFO poll 32: job 7f3a9c2e requeued").unwrap();
    f.flush().unwrap();
    pump(&mut s, &mut v, host.name(), &p, |v| v.len() >= 33).await;
    assert_eq!(
        v.match_counter(),
        Some((1, 2)),
        "new lines are searched as they arrive"
    );
    assert_eq!(v.unseen(), 1);
}
