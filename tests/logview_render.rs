//! insta snapshots of the log viewer at 120×40, 80×24 and 40×15 (following, wrapped, a
//! search with highlighted matches, the open prompt), the highlight styles, and sizes down
//! to nothing that must not panic.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use sparkdeck::app::logview::{LogView, handle_key};
use sparkdeck::config::Theme;
use sparkdeck::ui::logview::render;

const SIZES: [(u16, u16); 3] = [(120, 40), (80, 24), (40, 15)];
const JOB: &str = "7f3a9c2e-41d0-4b8e-9a55-0c6f1e2d3b4a";

/// A worker log as the HD worker writes it: colour codes, tabs in tracebacks, one very long
/// line, and the same job id several times.
fn worker_log() -> Vec<String> {
    let mut v = Vec::new();
    for i in 0..60 {
        v.push(format!(
            "2026-01-20 11:{:02}:{:02} INFO  poll: 0 jobs queued",
            i / 6,
            (i % 6) * 10
        ));
        if i == 20 {
            v.push(format!(
                "2026-01-20 11:03:21 INFO  claimed job {JOB} (import_assets_jsonl, attempt 1)"
            ));
        }
        if i == 40 {
            v.push(format!(
                "2026-01-20 11:06:41 \u{1b}[31mERROR\u{1b}[0m job {JOB} failed: TypeError: \
                 Circular reference detected while writing metadata.source_line = {{\"asset\": \
                 {{\"id\": 991, \"parent\": \"<circular>\", \"payload\": \"{}\"}}}}",
                "x".repeat(180)
            ));
            v.push("Traceback (most recent call last):".into());
            v.push("\tFile \"worker/import.py\", line 88, in write_metadata".into());
            v.push("\t\tjson.dumps(meta)".into());
        }
    }
    v.push(format!(
        "2026-01-20 11:09:58 \u{1b}[1;33mWARN\u{1b}[0m  job {JOB} requeued by operator"
    ));
    v.push("2026-01-20 11:10:00 INFO  poll: 1 jobs queued".into());
    v
}

fn viewer(area: Rect) -> LogView {
    let mut v = LogView::new(10_000);
    v.push_lines(&worker_log());
    v.set_viewport(v.body_rows(area));
    v
}

fn draw(v: &LogView, w: u16, h: u16) -> TestBackend {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| render(f, f.area(), v, &Theme::dark(), "worker.log · spark-lab"))
        .unwrap();
    t.backend().clone()
}

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn snap_all(name: &str, build: impl Fn(&mut LogView)) {
    for (w, h) in SIZES {
        let mut v = viewer(Rect::new(0, 0, w, h));
        build(&mut v);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(&v, w, h));
    }
}

#[test]
fn following() {
    snap_all("logview_following", |_| {});
}

#[test]
fn wrapped() {
    snap_all("logview_wrapped", |v| {
        handle_key(v, key(KeyCode::Char('w')));
    });
}

#[test]
fn search_with_highlighted_matches() {
    snap_all("logview_search", |v| {
        assert!(v.jump_to(JOB));
        // Back to the previous occurrence: the error line.
        handle_key(v, key(KeyCode::Char('N')));
    });
}

#[test]
fn prompt_and_notice() {
    snap_all("logview_prompt", |v| {
        v.set_notice(Some(
            "~/srv/hd-worker/logs/worker.log was rotated; following the new file".into(),
        ));
        handle_key(v, key(KeyCode::Up));
        for c in ['/', 'e', 'r', 'r'] {
            handle_key(v, key(KeyCode::Char(c)));
        }
    });
}

/// Cells inside the borders (the bottom border repeats the query) with background `bg`.
fn cells_with_bg(buf: &ratatui::buffer::Buffer, bg: ratatui::style::Color) -> usize {
    let a = buf.area;
    (1..a.height - 1)
        .flat_map(|y| (1..a.width - 1).map(move |x| (x, y)))
        .filter(|&p| buf[p].bg == bg)
        .count()
}

#[test]
fn matches_carry_the_highlight_style() {
    let th = Theme::dark();
    let (w, h) = (120, 40);
    let mut v = viewer(Rect::new(0, 0, w, h));
    handle_key(&mut v, key(KeyCode::Char('w')));
    v.search("CIRCULAR");
    assert_eq!(v.match_counter(), Some((1, 1)));
    let buf = draw(&v, w, h).buffer().clone();
    // One line holds both occurrences ("Circular reference", "<circular>"): the current one.
    assert_eq!(cells_with_bg(&buf, th.accent), 2 * 8);
    assert_eq!(cells_with_bg(&buf, th.warn), 0);

    let mut v = viewer(Rect::new(0, 0, w, h));
    v.search("poll");
    assert_eq!(v.match_counter(), Some((61, 61)));
    let buf = draw(&v, w, h).buffer().clone();
    assert_eq!(cells_with_bg(&buf, th.accent), 4, "the current match");
    let others = cells_with_bg(&buf, th.warn);
    assert!(
        others >= 4 * 30 && others.is_multiple_of(4),
        "visible non-current matches are highlighted ({others} cells)"
    );
}

#[test]
fn no_panic_at_any_size() {
    let mut states = Vec::new();
    let mut v = viewer(Rect::new(0, 0, 10, 10));
    states.push(v.clone());
    v.set_notice(Some("n".repeat(300)));
    handle_key(&mut v, key(KeyCode::Char('w')));
    handle_key(&mut v, key(KeyCode::Char('/')));
    for _ in 0..200 {
        handle_key(&mut v, key(KeyCode::Char('日')));
    }
    states.push(v.clone());
    let mut e = LogView::new(1);
    states.push(e.clone());
    e.push_lines(&["\u{1b}[31m".into(), "日本語".repeat(5000)]);
    handle_key(&mut e, key(KeyCode::Right));
    states.push(e);
    for s in &states {
        for w in 0..=24 {
            for h in 0..=8 {
                draw(s, w, h);
            }
        }
    }
}

#[test]
fn body_rows_agrees_with_the_drawn_body() {
    let (w, h) = (80, 24);
    let mut v = viewer(Rect::new(0, 0, w, h));
    v.set_notice(Some("notice".into()));
    handle_key(&mut v, key(KeyCode::Char('/')));
    let rows = v.body_rows(Rect::new(0, 0, w, h));
    assert_eq!(rows, 24 - 2 - 1 - 1);
    let buf = draw(&v, w, h).buffer().clone();
    let row = |y: u16| -> String {
        (1..w - 1)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect()
    };
    assert!(row(1).starts_with("notice"));
    // Following: the newest line sits on the last body row, right above the prompt.
    assert!(
        row(1 + rows).starts_with("2026-01-20 11:10:00 INFO  poll: 1 jobs queued"),
        "{}",
        row(1 + rows)
    );
    assert!(row(2 + rows).starts_with('/'));
}
