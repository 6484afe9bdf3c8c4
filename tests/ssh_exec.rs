//! SshHost against a real sshd: running commands, streaming, reading files.

mod support;

use sparkdeck::host::{Host, HostError, SshHost, StreamEvent};
use std::time::Duration;
use support::sshd::{Sshd, process_alive};
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(20);

async fn connect(sshd: &Sshd) -> SshHost {
    timeout(LIMIT, SshHost::connect(&sshd.target(), sshd.options()))
        .await
        .expect("connect in time")
        .expect("connect")
}

#[tokio::test]
async fn exec_reports_stdout_stderr_and_status() {
    let sshd = Sshd::start();
    let host = connect(&sshd).await;
    assert_eq!(host.name(), "test-spark");
    let out = host
        .exec(&["sh", "-c", "echo out; echo err >&2; exit 3"])
        .await
        .unwrap();
    assert_eq!(out.stdout_str(), "out\n");
    assert_eq!(out.stderr_str(), "err\n");
    assert_eq!(out.status, Some(3));
    assert!(!out.success());

    let who = host.exec(&["id", "-un"]).await.unwrap();
    assert!(who.success());
    assert_eq!(who.stdout_str().trim(), sshd.user);
}

#[tokio::test]
async fn failing_and_missing_commands_are_reported() {
    let sshd = Sshd::start();
    let host = connect(&sshd).await;
    let out = host.exec(&["ls", "/definitely/not/here"]).await.unwrap();
    assert_eq!(out.status, Some(2));
    assert!(out.stderr_str().contains("No such file"), "{out:?}");

    let out = host
        .exec(&["sparkdeck-no-such-command", "x"])
        .await
        .unwrap();
    assert_eq!(out.status, Some(127));
    assert!(out.stderr_str().contains("not found"), "{out:?}");
    // The session is still usable afterwards.
    assert!(host.exec(&["true"]).await.unwrap().success());
}

#[tokio::test]
async fn hostile_arguments_reach_the_remote_argv_intact() {
    let sshd = Sshd::start();
    let host = connect(&sshd).await;
    let marker = sshd.shared_dir().join("pwned");
    let args = [
        "two words".to_string(),
        "it's".to_string(),
        "\"double\"".to_string(),
        format!("$(touch {})", marker.display()),
        format!("; touch {}", marker.display()),
        "`id`".to_string(),
        "*".to_string(),
        "".to_string(),
        "a\nb".to_string(),
    ];
    let mut argv = vec!["printf", "%s\\0"];
    argv.extend(args.iter().map(String::as_str));
    let out = host.exec(&argv).await.unwrap();
    assert!(out.success(), "{out:?}");
    let seen: Vec<String> = out
        .stdout
        .split(|b| *b == 0)
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    assert_eq!(&seen[..seen.len() - 1], &args[..]);
    assert!(
        !marker.exists(),
        "an argument was executed by the remote shell"
    );
}

#[tokio::test]
async fn streamed_lines_arrive_before_exit_and_drop_stops_the_command() {
    let sshd = Sshd::start();
    let host = connect(&sshd).await;
    let pidfile = sshd.shared_dir().join("stream.pid");
    let script = format!(
        "echo $$ > {}; i=0; while :; do printf 'tick %s\\n' $i; i=$((i+1)); sleep 0.2; done",
        pidfile.display()
    );
    let mut stream = host.stream_lines(&["sh", "-c", &script]).await.unwrap();
    for want in ["tick 0", "tick 1", "tick 2"] {
        let ev = timeout(LIMIT, stream.next()).await.expect("line in time");
        assert_eq!(ev, Some(StreamEvent::Stdout(want.into())));
    }
    let pid: u32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(process_alive(pid));
    drop(stream);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while process_alive(pid) {
        assert!(
            std::time::Instant::now() < deadline,
            "remote process {pid} survived the dropped stream"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The channel slot was given back: the session keeps working.
    assert!(host.exec(&["true"]).await.unwrap().success());
}

#[tokio::test]
async fn stream_reports_stderr_partial_last_line_and_exit() {
    let sshd = Sshd::start();
    let host = connect(&sshd).await;
    let mut stream = host
        .stream_lines(&[
            "sh",
            "-c",
            "printf 'a\\nb'; sleep 0.1; printf 'c\\n'; echo oops >&2; printf tail; exit 4",
        ])
        .await
        .unwrap();
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let mut exit = None;
    while let Some(ev) = timeout(LIMIT, stream.next()).await.expect("event in time") {
        match ev {
            StreamEvent::Stdout(l) => stdout.push(l),
            StreamEvent::Stderr(l) => stderr.push(l),
            StreamEvent::Exit(s) => exit = Some(s),
        }
    }
    assert_eq!(stdout, vec!["a", "bc", "tail"]);
    assert_eq!(stderr, vec!["oops"]);
    assert_eq!(exit, Some(Some(4)));
}

#[tokio::test]
async fn more_execs_than_channels_all_succeed() {
    let sshd = Sshd::start();
    let host = connect(&sshd).await;
    // 24 at once is well past sshd's MaxSessions 10; the semaphore must queue them.
    let runs = (0..24).map(|i| {
        let host = &host;
        async move {
            let n = i.to_string();
            host.exec(&["sh", "-c", "sleep 0.2; echo $1", "sh", &n])
                .await
        }
    });
    let results = timeout(LIMIT, futures::future::join_all(runs))
        .await
        .expect("in time");
    for (i, r) in results.into_iter().enumerate() {
        let out = r.unwrap_or_else(|e| panic!("exec {i} failed: {e}"));
        assert_eq!(out.stdout_str().trim(), i.to_string());
    }
}

#[tokio::test]
async fn read_file_returns_bytes_and_names_missing_files() {
    let sshd = Sshd::start();
    let host = connect(&sshd).await;
    let path = sshd.path("odd name 'quoted'.txt");
    std::fs::write(&path, b"MemTotal: 1 kB\n\xff\n").unwrap();
    let bytes = host.read_file(path.to_str().unwrap()).await.unwrap();
    assert_eq!(bytes, b"MemTotal: 1 kB\n\xff\n");

    match host.read_file("/no/such/file").await {
        Err(HostError::Io { context, source }) => {
            assert!(context.contains("/no/such/file"), "{context}");
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("expected Io NotFound, got {other:?}"),
    }
}

#[tokio::test]
async fn fake_tools_come_first_on_the_remote_path() {
    let sshd = Sshd::start();
    sshd.install_remote_tool("nvidia-smi", "#!/bin/sh\necho 'fake nvidia-smi' \"$@\"\n");
    let host = connect(&sshd).await;
    let out = host.exec(&["nvidia-smi", "-L"]).await.unwrap();
    assert_eq!(out.stdout_str(), "fake nvidia-smi -L\n", "{out:?}");
    // Real tools stay reachable behind the fakes.
    assert!(host.exec(&["ls", "/"]).await.unwrap().success());
}

#[tokio::test]
async fn streams_leave_a_channel_for_execs() {
    let sshd = Sshd::start();
    let mut opts = sshd.options();
    opts.max_channels = 2;
    let host = SshHost::connect(&sshd.target(), opts).await.unwrap();
    let forever = ["sh", "-c", "while :; do echo x; sleep 0.2; done"];
    let mut first = host.stream_lines(&forever).await.unwrap();
    assert!(timeout(LIMIT, first.next()).await.unwrap().is_some());
    // A second stream waits for a free slot instead of taking the last one.
    let second = host.stream_lines(&forever);
    tokio::pin!(second);
    assert!(
        timeout(Duration::from_millis(500), &mut second)
            .await
            .is_err()
    );
    let out = timeout(LIMIT, host.exec(&["echo", "still here"]))
        .await
        .expect("exec is not starved");
    assert_eq!(out.unwrap().stdout_str(), "still here\n");
    drop(first);
    let mut second = timeout(LIMIT, second)
        .await
        .expect("second stream starts")
        .unwrap();
    assert!(timeout(LIMIT, second.next()).await.unwrap().is_some());
}
