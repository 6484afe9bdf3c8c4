//! sources::logtail against LocalHost and the real test sshd: lines appended after the
//! start arrive, `~/` paths expand on the host, a missing file is reported on stderr while
//! tail keeps waiting, and `last_modified` reads the file's mtime.

mod support;

use sparkdeck::host::{Host, LineStream, LocalHost, SshHost, StreamEvent};
use sparkdeck::sources::logtail;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};
use support::sshd::Sshd;

const LIMIT: Duration = Duration::from_secs(20);

async fn connect(sshd: &Sshd) -> SshHost {
    tokio::time::timeout(LIMIT, SshHost::connect(&sshd.target(), sshd.options()))
        .await
        .expect("connect in time")
        .expect("connect")
}

/// Events until `want` matches one, failing after LIMIT with what arrived.
async fn until(
    s: &mut LineStream,
    what: &str,
    want: impl Fn(&StreamEvent) -> bool,
) -> Vec<StreamEvent> {
    let deadline = Instant::now() + LIMIT;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, s.next()).await {
            Ok(Some(ev)) => {
                let hit = want(&ev);
                seen.push(ev);
                if hit {
                    return seen;
                }
            }
            Ok(None) => panic!("stream ended while waiting for {what}: {seen:?}"),
            Err(_) => panic!("no {what} within {LIMIT:?}: {seen:?}"),
        }
    }
}

fn append(path: &Path, text: &str) {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

fn stdout(evs: &[StreamEvent]) -> Vec<String> {
    evs.iter()
        .filter_map(|e| match e {
            StreamEvent::Stdout(l) => Some(l.clone()),
            _ => None,
        })
        .collect()
}

/// Starts from the last two lines, then sees a line appended afterwards.
async fn follows_appended_lines(host: &dyn Host, path: &Path) {
    std::fs::write(path, "one\ntwo\nthree\n").unwrap();
    let mut s = logtail::tail(host, path.to_str().unwrap(), 2)
        .await
        .unwrap();
    let first = until(&mut s, "the last two lines", |e| {
        *e == StreamEvent::Stdout("three".into())
    })
    .await;
    assert_eq!(stdout(&first), ["two", "three"]);
    append(path, "job 7f3a started\n");
    let more = until(
        &mut s,
        "the appended line",
        |e| matches!(e, StreamEvent::Stdout(l) if l.contains("7f3a")),
    )
    .await;
    assert_eq!(stdout(&more), ["job 7f3a started"]);
}

/// A missing file is named on stderr and tail keeps running until the file appears.
async fn reports_missing_then_follows(host: &dyn Host, path: &Path) {
    let p = path.to_str().unwrap();
    let mut s = logtail::tail(host, p, 10).await.unwrap();
    let evs = until(&mut s, "a stderr line", |e| {
        matches!(e, StreamEvent::Stderr(_))
    })
    .await;
    let StreamEvent::Stderr(line) = evs.last().unwrap() else {
        unreachable!()
    };
    let msg = logtail::explain_stderr(host.name(), p, line);
    assert!(
        msg.contains(&format!("{p} does not exist on {}", host.name())),
        "{msg} (from {line:?})"
    );
    append(path, "late line\n");
    until(&mut s, "the late line", |e| {
        *e == StreamEvent::Stdout("late line".into())
    })
    .await;
}

#[tokio::test]
async fn local_tail_follows_and_reports_missing() {
    let dir = tempfile::tempdir().unwrap();
    let host = LocalHost::new();
    follows_appended_lines(&host, &dir.path().join("worker.log")).await;
    reports_missing_then_follows(&host, &dir.path().join("later.log")).await;
}

#[tokio::test]
async fn local_last_modified() {
    let dir = tempfile::tempdir().unwrap();
    let host = LocalHost::new();
    let p = dir.path().join("w.log");
    assert_eq!(
        logtail::last_modified(&host, p.to_str().unwrap())
            .await
            .unwrap(),
        None
    );
    std::fs::write(&p, "x\n").unwrap();
    let want = std::fs::metadata(&p)
        .unwrap()
        .modified()
        .unwrap()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert_eq!(
        logtail::last_modified(&host, p.to_str().unwrap())
            .await
            .unwrap(),
        Some(want)
    );
    // A path component that is a file is an error, not "missing".
    let bad = p.join("inside");
    let e = logtail::last_modified(&host, bad.to_str().unwrap())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("stat of"), "{e}");
}

#[tokio::test]
async fn ssh_tail_follows_and_reports_missing() {
    let sshd = Sshd::start();
    let host = connect(&sshd).await;
    let dir = sshd.shared_dir();
    follows_appended_lines(&host, &dir.join("worker log $(x).log")).await;
    reports_missing_then_follows(&host, &dir.join("later.log")).await;
}

#[tokio::test]
async fn ssh_home_relative_path_expands_on_the_host() {
    let sshd = Sshd::start();
    let host = connect(&sshd).await;
    let home = host
        .exec(&["sh", "-c", "printf %s \"$HOME\""])
        .await
        .unwrap()
        .stdout_str();
    assert!(home.starts_with('/'), "remote HOME {home:?}");
    let sub = format!("sparkdeck-logtail-{}", std::process::id());
    let dir = Path::new(&home).join(&sub);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    let rel = format!("~/{sub}/worker.log");
    std::fs::write(dir.join("worker.log"), "a\nb\n").unwrap();
    let mut s = logtail::tail(&host, &rel, 1).await.unwrap();
    let evs = until(&mut s, "the last line", |e| {
        *e == StreamEvent::Stdout("b".into())
    })
    .await;
    assert_eq!(stdout(&evs), ["b"]);
    let t = logtail::last_modified(&host, &rel).await.unwrap();
    assert!(t.is_some_and(|t| t > 1_700_000_000), "{t:?}");
    assert_eq!(
        logtail::last_modified(&host, &format!("~/{sub}/none.log"))
            .await
            .unwrap(),
        None
    );
    drop(s);
    std::fs::remove_dir_all(&dir).unwrap();
}
