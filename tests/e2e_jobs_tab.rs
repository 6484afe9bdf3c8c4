//! The Jobs tab of the real binary in tmux, connected to the real test sshd, with the
//! Supabase credentials read from an env file on that host and a PostgREST stand-in serving
//! the queue: listing, requeues (one, bulk, read-only), an expired key, the stuck banner and
//! the worker log viewer.

mod support;

use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use support::env::TestEnv;
use support::postgrest::{PostgrestServer, Reply, Request};
use support::sshd::Sshd;
use support::tmux::Tmux;

const KEY: &str = "sb_secret_E2EJOBSTAB0123456789abcd";
const QUEUED: &str = "c0ffee12-3456-4789-abcd-ef0123456789";
const CIRCULAR: &str = "3f9c2a71-8d4e-4b1a-9c55-0e7d2b6a1f30";
const TIMEOUT: &str = "9e4f1b07-2d3c-4e5f-8a9b-0c1d2e3f4a5b";
const DONE: &str = "5a8d3e90-1c2b-4d3e-9f4a-5b6c7d8e9f01";
const RUNNING: &str = "7b21e0c4-5f6a-4c3d-8e9f-a1b2c3d4e5f6";
const JWT_EXPIRED: &str =
    include_str!("fixtures/postgrest/error.PGRST303-jwt-expired.postgrest-test-v13plus.json");

fn ts(secs_ago: i64) -> String {
    let t = time::OffsetDateTime::now_utc() - time::Duration::seconds(secs_ago);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn job(id: &str, status: &str, created_min: i64, started_min: Option<i64>) -> Value {
    json!({
        "id": id,
        "account_id": "acct-1",
        "job_type": "import_assets_jsonl",
        "status": status,
        "attempts": 2,
        "error": match status {
            "failed" => Value::from("Circular reference detected\n    at JSON.stringify (<anonymous>)"),
            "error" => Value::from("upstream timeout after 30s\n  retry later"),
            _ => Value::Null,
        },
        "debug": {"stage": "write_metadata"},
        "created_at": ts(created_min * 60),
        "started_at": started_min.map(|m| ts(m * 60)),
        "finished_at": Value::Null,
    })
}

/// A queue that is stuck: one job queued for 30 min, nothing started for 39 min.
fn rows() -> Vec<Value> {
    vec![
        job(QUEUED, "queued", 30, None),
        job(CIRCULAR, "failed", 40, Some(39)),
        job(TIMEOUT, "error", 50, Some(49)),
        job(DONE, "done", 120, Some(119)),
    ]
}

/// The same queue with a job started a minute ago at the end: the worker is alive.
fn busy_rows() -> Vec<Value> {
    let mut rows = rows();
    rows.push(job(RUNNING, "running", 2, Some(1)));
    rows
}

#[derive(Default)]
struct Server {
    /// Answer every request with the PGRST303 fixture (the key expired).
    expired: bool,
    /// List `busy_rows` rather than the stuck `rows`.
    busy: bool,
}

fn handle(state: &Mutex<Server>, r: &Request) -> Reply {
    let (expired, busy) = {
        let s = state.lock().unwrap();
        (s.expired, s.busy)
    };
    if expired {
        return Reply::json(401, JWT_EXPIRED);
    }
    let id = r
        .param("id")
        .and_then(|v| v.strip_prefix("eq.").map(str::to_string));
    match (r.method.as_str(), id.as_deref()) {
        // The compare-and-set succeeds for CIRCULAR; TIMEOUT was picked up meanwhile.
        ("PATCH", Some(CIRCULAR)) => {
            let mut row = job(CIRCULAR, "queued", 40, Some(39));
            row["error"] = Value::Null;
            Reply::json(200, &json!([row]).to_string())
        }
        ("PATCH", _) => Reply::json(200, "[]"),
        ("GET", Some(TIMEOUT)) => Reply::json(
            200,
            &json!([job(TIMEOUT, "running", 50, Some(0))]).to_string(),
        ),
        ("GET", Some(other)) => {
            let found: Vec<Value> = rows().into_iter().filter(|j| j["id"] == other).collect();
            Reply::json(200, &Value::from(found).to_string())
        }
        _ if busy => Reply::json(200, &Value::from(busy_rows()).to_string())
            .with_header("Content-Range", "0-4/58"),
        _ => Reply::json(200, &Value::from(rows()).to_string())
            .with_header("Content-Range", "0-3/57"),
    }
}

struct Setup {
    sshd: Sshd,
    env: TestEnv,
    state: Arc<Mutex<Server>>,
    server: PostgrestServer,
}

/// The env file and worker log live in the sshd's shared dir (readable by the login user);
/// sparkdeck's own environment has no Supabase variables, so only that file can provide them.
fn setup() -> Setup {
    let sshd = Sshd::start();
    let state = Arc::new(Mutex::new(Server::default()));
    let s = state.clone();
    let server = PostgrestServer::start(move |r| handle(&s, r));
    let env = TestEnv::new();
    env.ssh_alias("testspark", &sshd);
    env.trust(&sshd);
    let shared = sshd.shared_dir();
    let env_file = shared.join("hd-worker.env");
    std::fs::write(
        &env_file,
        format!(
            "SUPABASE_URL={}\nSUPABASE_SERVICE_ROLE_KEY={KEY}\n",
            server.url
        ),
    )
    .unwrap();
    env.write(
        "config/sparkdeck/config.toml",
        &format!(
            "[ssh]\nconnect_timeout_s = 5\n\n[tunnels]\nollama = false\n\n\
             [jobs]\nenv_file = \"{}\"\nrefresh_s = 1\ntimeout_s = 3\nretries = 0\n\
             stuck_queued_min = 5\nstuck_idle_min = 5\nworker_log = \"{}\"\n",
            env_file.display(),
            shared.join("worker.log").display()
        ),
    );
    Setup {
        sshd,
        env,
        state,
        server,
    }
}

fn patches(server: &PostgrestServer) -> Vec<Request> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .collect()
}

fn short(id: &str) -> &str {
    &id[..8]
}

/// The table row of the job `id` (by its short id).
fn row_of<'a>(screen: &'a str, id: &str) -> Option<&'a str> {
    screen
        .lines()
        .find(|l| l.contains(&format!(" {} ", short(id))))
}

fn listed(screen: &str) -> bool {
    [QUEUED, CIRCULAR, TIMEOUT, DONE]
        .iter()
        .all(|id| row_of(screen, id).is_some())
}

/// Moves the selection to the row of `id`: Top, then Down as many rows as it is from the top.
fn select(tmux: &Tmux, id: &str) {
    let pos = [QUEUED, CIRCULAR, TIMEOUT, DONE]
        .iter()
        .position(|j| *j == id)
        .unwrap();
    tmux.send(&["g"]);
    for _ in 0..pos {
        tmux.send(&["Down"]);
    }
}

fn audit_rows(env: &TestEnv) -> Vec<(String, String, String, String)> {
    let Ok(db) = rusqlite::Connection::open(env.db_path()) else {
        return Vec::new();
    };
    let Ok(mut st) = db.prepare("SELECT host, action, target, outcome FROM audit ORDER BY id")
    else {
        return Vec::new();
    };
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Every file under `dir` (the SQLite file with its WAL, the log) must not hold the key.
fn assert_no_key_under(dir: &std::path::Path) {
    for entry in walk(dir) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        assert!(
            !bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()),
            "the service key is written to {}",
            entry.display()
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn jobs_tab_lists_requeues_goes_stale_and_respects_read_only() {
    let Setup {
        sshd,
        env,
        state,
        server,
    } = setup();
    let tmux = Tmux::start(&env, "jobs", 140, 45);
    tmux.run_app(&["--host", "testspark"]);
    tmux.wait_for("connected");
    tmux.send(&["3"]);

    // 1. The rows of the server, short ids, statuses as text, the error's first line, the
    // total from Content-Range; the key is nowhere on screen.
    let screen = tmux.wait_screen("the server's rows", listed);
    let failed = row_of(&screen, CIRCULAR).unwrap();
    assert!(
        failed.contains("failed") && failed.contains("Circular reference detected"),
        "{screen}"
    );
    assert!(
        !failed.contains("JSON.stringify"),
        "only the first line:\n{screen}"
    );
    assert!(
        row_of(&screen, TIMEOUT).unwrap().contains("error"),
        "{screen}"
    );
    assert!(
        row_of(&screen, QUEUED).unwrap().contains("queued"),
        "{screen}"
    );
    assert!(!screen.contains(CIRCULAR), "ids are shortened:\n{screen}");
    assert!(
        screen.contains("of 57"),
        "the total from Content-Range:\n{screen}"
    );
    assert!(
        !screen.contains(KEY) && !screen.contains("E2EJOBSTAB"),
        "{screen}"
    );
    let list = server
        .requests()
        .into_iter()
        .find(|r| r.method == "GET")
        .unwrap();
    assert_eq!(
        list.header("apikey"),
        Some(KEY),
        "the key came from the remote env file"
    );

    // The detail of a job (error, debug, hints) shows no credential either.
    select(&tmux, CIRCULAR);
    tmux.send(&["Enter"]);
    let detail = tmux.wait_for("JSON.stringify");
    assert!(detail.contains("write_metadata"), "{detail}");
    assert!(
        !detail.contains(KEY) && !detail.contains("E2EJOBSTAB"),
        "{detail}"
    );
    tmux.send(&["Enter"]);
    tmux.wait_until("the detail to close", |t| {
        !t.capture().contains("JSON.stringify")
    });

    // 4. Queued for 30 min with nothing started for 39: the stuck banner.
    let screen = tmux.wait_for("STUCK");
    assert!(screen.contains(short(QUEUED)), "{screen}");

    // 2. Requeue one: the dialog names job, status and host; Cancel is the default.
    select(&tmux, CIRCULAR);
    tmux.send(&["r"]);
    let host = format!("{}@127.0.0.1:{}", sshd.user, sshd.port);
    let dialog = tmux.wait_for("Requeue job");
    assert!(
        dialog.contains(CIRCULAR) && dialog.contains("(failed)") && dialog.contains(&host),
        "{dialog}"
    );
    tmux.send(&["Enter"]);
    tmux.wait_until("the dialog to close", |t| {
        !t.capture().contains("Requeue job")
    });
    assert!(patches(&server).is_empty(), "Cancel sends nothing");

    tmux.send(&["r"]);
    tmux.wait_for("Requeue job");
    tmux.send(&["Right", "Enter"]);
    let screen = tmux.wait_for("requeued");
    let sent = patches(&server);
    assert_eq!(sent.len(), 1, "exactly one PATCH:\n{screen}");
    assert_eq!(
        sent[0].param("id").as_deref(),
        Some(format!("eq.{CIRCULAR}").as_str())
    );
    assert_eq!(
        sent[0].param("status").as_deref(),
        Some("in.(failed,error)")
    );
    let start = std::time::Instant::now();
    while audit_rows(&env).is_empty() {
        assert!(
            start.elapsed() < support::tmux::WAIT,
            "no audit row written"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let audit = audit_rows(&env);
    assert!(
        audit[0].0 == "testspark"
            && audit[0].1 == "requeue"
            && audit[0].2.contains(CIRCULAR)
            && audit[0].3 == "ok",
        "{audit:?}"
    );
    assert!(screen.contains("1 of 1 job(s) requeued"), "{screen}");
    tmux.send(&["Enter"]);
    tmux.wait_until("the results to close", |t| {
        !t.capture().contains("Requeue results")
    });

    // Bulk: two marked jobs, two PATCHes, one result per job with the reason of the refusal.
    select(&tmux, CIRCULAR);
    // Marking moves the selection down, so two presses mark CIRCULAR and TIMEOUT.
    tmux.send(&["Space", "Space", "R"]);
    let dialog = tmux.wait_for("Requeue these 2 jobs");
    assert!(
        dialog.contains(&format!("{CIRCULAR} (failed)"))
            && dialog.contains(&format!("{TIMEOUT} (error)"))
            && dialog.contains(&host),
        "{dialog}"
    );
    tmux.send(&["Right", "Enter"]);
    let screen = tmux.wait_for("1 of 2 job(s) requeued");
    assert!(
        screen.contains("'running'"),
        "the re-read says why:\n{screen}"
    );
    let sent = patches(&server);
    assert_eq!(sent.len(), 3, "two more PATCHes");
    let ids: Vec<String> = sent[1..].iter().filter_map(|r| r.param("id")).collect();
    assert!(
        ids.contains(&format!("eq.{CIRCULAR}")) && ids.contains(&format!("eq.{TIMEOUT}")),
        "{ids:?}"
    );
    server.assert_every_patch_has_id_filter("id");
    let start = std::time::Instant::now();
    while audit_rows(&env).len() < 3 {
        assert!(
            start.elapsed() < support::tmux::WAIT,
            "{:?}",
            audit_rows(&env)
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let audit = audit_rows(&env);
    assert!(
        audit
            .iter()
            .any(|a| a.2.contains(TIMEOUT) && a.3.starts_with("not changed")),
        "the refused requeue is audited too: {audit:?}"
    );
    tmux.send(&["Enter"]);

    // 3. The key expires: the last rows stay, marked STALE with what to do.
    state.lock().unwrap().expired = true;
    let screen = tmux.wait_for("STALE");
    assert!(listed(&screen), "the last rows are kept:\n{screen}");
    assert!(
        screen.contains("PGRST303") || screen.contains("JWT"),
        "{screen}"
    );
    tmux.send(&["q"]);
    tmux.assert_restored();
    state.lock().unwrap().expired = false;

    // --read-only: `r` is refused and nothing is sent.
    tmux.send(&["clear", "Enter"]);
    tmux.run_app(&["--host", "testspark", "--read-only"]);
    tmux.wait_for("connected");
    tmux.send(&["3"]);
    tmux.wait_screen("the rows", listed);
    select(&tmux, CIRCULAR);
    tmux.send(&["r"]);
    let screen = tmux.wait_for("requeueing jobs is turned off");
    assert!(!screen.contains("Requeue job"), "{screen}");
    assert_eq!(patches(&server).len(), 3, "read-only sends no PATCH");
    tmux.send(&["q"]);
    tmux.assert_restored();

    assert_no_key_under(&env.data_home());
    assert_no_key_under(&env.root().join("state"));
    assert!(
        env.root().join("state/sparkdeck/sparkdeck.log").exists(),
        "a log file was written"
    );
}

/// Processes whose command line runs `tail` on `path` (the remote follower of the viewer).
fn tails_of(path: &std::path::Path) -> Vec<u32> {
    let needle = path.to_string_lossy().into_owned();
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmd) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let args: Vec<String> = cmd
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        if args.first().is_some_and(|a| a.ends_with("tail")) && args.iter().any(|a| a == &needle) {
            out.push(pid);
        }
    }
    out
}

#[test]
fn worker_log_viewer_follows_searches_and_stops_the_remote_tail() {
    // The server must outlive the statement: `..` would drop it at once.
    let Setup {
        sshd,
        env,
        server: _server,
        ..
    } = setup();
    let log = sshd.shared_dir().join("worker.log");
    std::fs::write(
        &log,
        "09:00:01 worker boot\n09:00:02 picked job c0ffee12 import_assets_jsonl\n",
    )
    .unwrap();
    let tmux = Tmux::start(&env, "jobslog", 140, 45);
    tmux.run_app(&["--host", "testspark"]);
    tmux.wait_for("connected");
    tmux.send(&["3"]);
    tmux.wait_screen("the server's rows", listed);

    tmux.send(&["l"]);
    tmux.wait_for("worker boot");
    tmux.wait_until("the remote tail to run", |_| !tails_of(&log).is_empty());

    // Lines written after the viewer opened arrive while it follows.
    let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    use std::io::Write;
    writeln!(f, "09:00:09 ingest FINDME-42 done").unwrap();
    drop(f);
    tmux.wait_for("ingest FINDME-42 done");

    // The prompt opens on the current query (the selected job's id): clear it first.
    tmux.send(&["/"]);
    tmux.send(&["C-u"]);
    tmux.type_text("FINDME");
    tmux.send(&["Enter"]);
    let screen = tmux.wait_for("1/1");
    assert!(screen.contains("/FINDME"), "{screen}");
    // The match itself carries its own style: an escape sequence ends right after it.
    let styled =
        String::from_utf8_lossy(&tmux.cmd(&["capture-pane", "-p", "-e", "-t", "t"]).stdout)
            .into_owned();
    assert!(
        styled.contains("FINDME\u{1b}[") && !styled.contains("ingest FINDME"),
        "the match is highlighted:\n{styled:?}"
    );

    tmux.send(&["Escape"]);
    tmux.wait_until("the viewer to close", |t| {
        !t.capture().contains("worker boot")
    });
    tmux.wait_until("the remote tail to end", |_| tails_of(&log).is_empty());
    tmux.wait_screen("the Jobs tab again", listed);
    tmux.send(&["q"]);
    tmux.assert_restored();
}
