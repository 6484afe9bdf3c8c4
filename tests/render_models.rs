//! insta snapshots of the Models tab at 120×40, 80×24 and 40×15: the rich report (HF,
//! Ollama and folder models, a duplicate, models in use, a partial download, a missing
//! default, a filesystem over crit), a scan in progress, the detail view, the typed delete
//! dialog, the stale and empty states; plus tiny sizes that must not panic.

mod models_fixtures;
mod ui_fixtures;

use models_fixtures::*;
use ratatui::crossterm::event::KeyCode;
use sparkdeck::app::{Msg, State, update};
use sparkdeck::model::{ConnState, ModelsReport, ScanProgress, StoreKind, StoreScan, StoreSpec};
use ui_fixtures::*;

fn snap_all(name: &str, build: impl Fn(&mut State)) {
    for (w, h) in SIZES {
        let mut s = models_state_sized(w, h);
        build(&mut s);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(&s, w, h));
    }
}

fn progress(s: &mut State) {
    update(
        s,
        Msg::ModelsProgress {
            name: LAB.into(),
            progress: ScanProgress {
                store: HF.into(),
                files: 12_840,
                bytes: 212 * GB,
            },
        },
    );
}

#[test]
fn rich_report() {
    snap_all("models_table", |s| select(s, DEEPSEEK_HF));
}

#[test]
fn rich_report_shows_every_cue_in_words() {
    let mut s = models_state();
    select(&mut s, QWEN_HF);
    let text = screen_text(&s, 120, 40);
    for want in [
        "CRIT",
        "IN USE",
        "PARTIAL",
        "DUP",
        "DEFAULT:extraction",
        "DEFAULT:embeddings",
        "planning ✗ MISSING llama4-scout-17b",
        "hf ~/.cache/huggingface/hub",
        "not there (No such file or directory)",
        "2.1 GiB reclaimable",
    ] {
        assert!(text.contains(want), "{want} missing:\n{text}");
    }
}

#[test]
fn rescan_in_progress_over_a_report() {
    snap_all("models_rescanning", |s| {
        update(s, Msg::Tick { now: NOW - 45 });
        update(s, code(KeyCode::F(5)));
        progress(s);
    });
}

#[test]
fn first_scan_with_progress() {
    for (w, h) in SIZES {
        let mut s = full_state();
        update(
            &mut s,
            Msg::Resize {
                width: w,
                height: h,
            },
        );
        update(&mut s, Msg::Tick { now: NOW - 45 });
        update(&mut s, key('5'));
        progress(&mut s);
        insta::assert_snapshot!(format!("models_first_scan_{w}x{h}"), draw(&s, w, h));
    }
}

#[test]
fn detail_view() {
    snap_all("models_detail", |s| {
        select(s, BGE_ROOT);
        update(s, code(KeyCode::Enter));
    });
}

#[test]
fn delete_dialog_empty() {
    snap_all("models_delete_empty", |s| {
        select(s, QWENVL);
        update(s, key('d'));
    });
}

#[test]
fn delete_dialog_with_the_name_typed() {
    snap_all("models_delete_typed", |s| {
        select(s, QWENVL);
        update(s, key('d'));
        send(s, typed("qwen2.5vl:7b"));
    });
}

#[test]
fn stale_when_the_connection_dropped() {
    snap_all("models_stale", |s| {
        update(
            s,
            Msg::ConnState {
                name: LAB.into(),
                generation: 2,
                state: ConnState::Reconnecting {
                    attempt: 2,
                    retry_at: NOW + 5,
                    reason: "connection reset by peer".into(),
                },
            },
        );
    });
}

#[test]
fn no_stores_found() {
    snap_all("models_nothing_found", |s| {
        let mut stores = Vec::new();
        for (path, kind, err) in [
            (
                ROOT,
                StoreKind::Folder,
                "not there (No such file or directory)",
            ),
            (HF, StoreKind::HfCache, ""),
            (
                OLLAMA_USER,
                StoreKind::Ollama,
                "not there (No such file or directory)",
            ),
            (
                OLLAMA_SYS,
                StoreKind::Ollama,
                "permission denied: add yourself to the ollama group",
            ),
        ] {
            stores.push(StoreScan {
                spec: StoreSpec {
                    path: path.into(),
                    kind,
                    origin: "default".into(),
                },
                total_bytes: 0,
                files: 0,
                models: Vec::new(),
                error: (!err.is_empty()).then(|| err.to_string()),
                mount: None,
                scanned_at: NOW - 5,
            });
        }
        answer(
            s,
            ModelsReport {
                notes: Vec::new(),
                stores,
                filesystems: filesystems(),
                duplicates: Vec::new(),
                defaults: report(NOW)
                    .defaults
                    .into_iter()
                    .map(|mut d| {
                        d.found.clear();
                        d
                    })
                    .collect(),
                at: NOW - 5,
            },
        );
    });
}

#[test]
fn not_connected_and_no_active_connection() {
    for (w, h) in SIZES {
        let mut s = full_state();
        update(
            &mut s,
            Msg::Resize {
                width: w,
                height: h,
            },
        );
        update(
            &mut s,
            Msg::ConnState {
                name: LAB.into(),
                generation: 2,
                state: ConnState::Disconnected,
            },
        );
        update(&mut s, key('5'));
        insta::assert_snapshot!(format!("models_not_connected_{w}x{h}"), draw(&s, w, h));
    }
    let mut s = bare_state();
    update(&mut s, key('5'));
    let text = screen_text(&s, 120, 40);
    assert!(text.contains("No active connection"), "{text}");
}

#[test]
fn filtered_by_name_and_by_kind() {
    let mut s = models_state();
    update(&mut s, key('/'));
    send(&mut s, typed("qwen"));
    let text = screen_text(&s, 120, 40);
    assert!(text.contains("Models (3/9) /qwen▏"), "{text}");
    assert!(!text.contains("nomic-embed-text"), "{text}");
    update(&mut s, code(KeyCode::Enter));
    update(&mut s, key('f'));
    update(&mut s, key('f'));
    let text = screen_text(&s, 120, 40);
    // In use and named qwen: only the NVFP4 build vLLM serves.
    assert!(text.contains("Models (1/9) /qwen"), "{text}");
    assert!(text.contains("filter: in use"), "{text}");
}

#[test]
fn tiny_sizes_do_not_panic() {
    for (w, h) in [(1, 1), (10, 5), (20, 8), (30, 10), (60, 12)] {
        for build in [
            |_: &mut State| {},
            |s: &mut State| {
                update(s, code(KeyCode::Enter));
            },
            |s: &mut State| {
                select(s, QWENVL);
                update(s, key('d'));
                send(s, typed("qwen"));
            },
        ] {
            let mut s = models_state_sized(w, h);
            build(&mut s);
            draw(&s, w, h);
        }
    }
}

#[test]
fn delete_is_offered_only_where_it_can_run() {
    let mut s = models_state();
    select(&mut s, QWENVL);
    assert!(screen_text(&s, 120, 40).contains("d delete"));
    // In use: the key is not offered.
    select(&mut s, LLAMA70);
    assert!(!screen_text(&s, 120, 40).contains("d delete"));
    // Read-only: not offered for any model.
    select(&mut s, QWENVL);
    s.read_only = true;
    assert!(!screen_text(&s, 120, 40).contains("d delete"));
}

#[test]
fn help_lists_the_models_keys_from_the_keymap() {
    let mut s = models_state();
    update(&mut s, key('?'));
    // Scrolled to its end, the help shows the Models group with the live keys.
    for _ in 0..60 {
        update(&mut s, key('j'));
    }
    let text = screen_text(&s, 120, 40);
    assert!(text.contains("Models tab"), "{text}");
    assert!(text.contains("delete the model (type its name)"), "{text}");
    assert!(
        text.contains("sort models: size/name/modified/store"),
        "{text}"
    );
}
