//! The Models tab's pure update: scan cadence with its in-flight guard and give-up, forced
//! rescans (key, after a delete), selection by model id, sort and filters, read-only and
//! in-use refusals, the typed delete confirmation's exact effect and its result.

mod models_fixtures;
mod ui_fixtures;

use models_fixtures::*;
use ratatui::crossterm::event::KeyCode;
use sparkdeck::app::action::Action;
use sparkdeck::app::overlay::Overlay;
use sparkdeck::app::update::available;
use sparkdeck::app::{Effect, FlashLevel, Msg, State, update};
use sparkdeck::model::{ConnState, DeleteOutcome, ScanProgress};
use ui_fixtures::*;

fn tick(s: &mut State, now: i64) -> Vec<Effect> {
    update(s, Msg::Tick { now })
}

fn load(force: bool) -> Effect {
    Effect::LoadModels {
        name: LAB.into(),
        force,
    }
}

fn row_ids(s: &State) -> Vec<String> {
    s.models_rows().iter().map(|m| m.id.clone()).collect()
}

fn progress(s: &mut State, files: u64) {
    update(
        s,
        Msg::ModelsProgress {
            name: LAB.into(),
            progress: ScanProgress {
                store: HF.into(),
                files,
                bytes: files * 1_000_000,
            },
        },
    );
}

fn delete_dialog_open(s: &State) -> bool {
    matches!(s.overlay, Some(Overlay::ConfirmModelDelete(_)))
}

#[test]
fn opening_the_tab_scans_the_active_connection_only_when_it_is_up() {
    let mut s = full_state();
    assert_eq!(update(&mut s, key('5')), vec![load(false)]);
    // Leaving and coming back while the scan is out asks nothing more.
    update(&mut s, key('1'));
    assert_eq!(loads(&update(&mut s, key('5'))), 0);
    // Nothing active: nothing to ask.
    let mut s = bare_state();
    assert!(update(&mut s, key('5')).is_empty());
    assert!(tick(&mut s, NOW + 6000).is_empty());
    // Active but not connected: no scan, on the tab or on the ticks.
    let mut s = full_state();
    update(
        &mut s,
        Msg::ConnState {
            name: LAB.into(),
            generation: 2,
            state: ConnState::Disconnected,
        },
    );
    assert!(update(&mut s, key('5')).is_empty());
    assert!(tick(&mut s, NOW + 6000).is_empty());
    assert_eq!(update(&mut s, code(KeyCode::F(5))), vec![Effect::Refresh]);
}

#[test]
fn ticks_rescan_every_refresh_s_and_only_on_the_models_tab() {
    let mut s = models_state();
    assert_eq!(s.models.settings.refresh_s, 600);
    assert_eq!(loads(&tick(&mut s, NOW + 599)), 0);
    assert_eq!(tick(&mut s, NOW + 600), vec![load(false)]);
    answer(&mut s, report(NOW + 610));
    assert_eq!(loads(&tick(&mut s, NOW + 1199)), 0);
    assert_eq!(loads(&tick(&mut s, NOW + 1200)), 1);
    answer(&mut s, report(NOW + 1210));
    // Another tab on screen with background refresh off: no rescans.
    s.background_refresh_s = 0;
    update(&mut s, key('4'));
    assert_eq!(
        tick(&mut s, NOW + 5000)
            .iter()
            .filter(|e| matches!(e, Effect::LoadModels { .. }))
            .count(),
        0
    );
    // Back on the tab: at once, from the cache.
    update(&mut s, key('5'));
    assert_eq!(s.models_view().unwrap().in_flight, Some(NOW + 5000));
}

#[test]
fn a_scan_out_is_waited_for_while_it_shows_progress_and_given_up_when_silent() {
    let mut s = models_state();
    assert_eq!(s.models.give_up_s(), 3600);
    assert_eq!(loads(&tick(&mut s, NOW + 600)), 1);
    assert_eq!(loads(&tick(&mut s, NOW + 2000)), 0);
    // A huge store: progress keeps the scan alive past its give-up time.
    progress(&mut s, 10_000);
    assert_eq!(
        s.models_view().unwrap().progress.as_ref().map(|p| p.files),
        Some(10_000)
    );
    assert_eq!(loads(&tick(&mut s, NOW + 600 + 3600)), 0);
    assert_eq!(loads(&tick(&mut s, NOW + 2000 + 3599)), 0);
    // Silent for the whole give-up time: asked again, without the old progress.
    assert_eq!(tick(&mut s, NOW + 2000 + 3600), vec![load(false)]);
    assert_eq!(s.models_view().unwrap().progress, None);
    // The answer clears the progress and the in-flight mark.
    progress(&mut s, 5);
    answer(&mut s, report(NOW + 5700));
    let v = s.models_view().unwrap();
    assert!(v.in_flight.is_none() && v.progress.is_none());
}

#[test]
fn the_refresh_key_forces_a_full_rescan_and_queues_one_behind_a_running_scan() {
    let mut s = models_state();
    assert_eq!(
        update(&mut s, code(KeyCode::F(5))),
        vec![Effect::Refresh, load(true)]
    );
    // A scan is out: no second one, but a forced one follows its answer.
    assert_eq!(update(&mut s, ctrl('r')), vec![Effect::Refresh]);
    assert!(
        flash_text(&s).contains("already running"),
        "{}",
        flash_text(&s)
    );
    assert_eq!(answer(&mut s, report(NOW + 5)), vec![load(true)]);
    assert_eq!(answer(&mut s, report(NOW + 9)), vec![]);
    assert_eq!(loads(&update(&mut s, ctrl('r'))), 1);
}

#[test]
fn selection_follows_the_model_id_across_reports() {
    let mut s = models_state();
    select(&mut s, QWEN_HF);
    assert_eq!(s.models_selected_index(&s.models_rows()), Some(2));
    // The two big DeepSeeks gone: the index moves, the model stays.
    let mut r = report(NOW + 10);
    for st in &mut r.stores {
        st.models
            .retain(|m| m.id != DEEPSEEK_HF && m.id != DEEPSEEK_GGUF);
        st.models.reverse();
    }
    answer(&mut s, r);
    assert_eq!(selected_id(&s), QWEN_HF);
    assert_eq!(s.models_selected_index(&s.models_rows()), Some(0));
    // The model itself gone: the first row, without a panic.
    let mut r = report(NOW + 20);
    for st in &mut r.stores {
        st.models.retain(|m| m.id != QWEN_HF);
    }
    answer(&mut s, r);
    assert_eq!(selected_id(&s), DEEPSEEK_HF);
}

#[test]
fn sort_cycles_size_name_modified_store() {
    let mut s = models_state();
    let ids = row_ids(&s);
    assert_eq!(
        &ids[..3],
        [DEEPSEEK_HF, DEEPSEEK_GGUF, QWEN_HF],
        "largest first"
    );
    update(&mut s, key('s'));
    assert_eq!(flash_text(&s), "sorted by name");
    let ids = row_ids(&s);
    assert_eq!(
        &ids[..3],
        [BGE_HF, BGE_ROOT, DEEPSEEK_HF],
        "case-insensitive"
    );
    update(&mut s, key('s'));
    let ids = row_ids(&s);
    assert_eq!(&ids[..2], [DEEPSEEK_HF, QWEN_NVFP4], "newest first");
    update(&mut s, key('s'));
    let ids = row_ids(&s);
    assert_eq!(ids[0], DEEPSEEK_HF, "the HF store first, largest first");
    assert_eq!(&ids[3..5], [DEEPSEEK_GGUF, QWEN_NVFP4]);
    assert_eq!(ids[6], LLAMA70);
    update(&mut s, key('s'));
    assert_eq!(row_ids(&s)[0], DEEPSEEK_HF);
}

#[test]
fn filters_narrow_the_table_and_keep_the_selection_by_id() {
    let mut s = models_state();
    select(&mut s, BGE_ROOT);
    update(&mut s, key('f'));
    assert_eq!(flash_text(&s), "showing duplicates");
    assert_eq!(row_ids(&s), [BGE_HF, BGE_ROOT]);
    assert_eq!(selected_id(&s), BGE_ROOT);
    update(&mut s, key('f'));
    assert_eq!(row_ids(&s), [LLAMA70, QWEN_NVFP4]);
    update(&mut s, key('f'));
    assert_eq!(row_ids(&s), [DEEPSEEK_HF]);
    update(&mut s, key('f'));
    assert_eq!(row_ids(&s).len(), 9);
    // The name filter: typed after `/`, esc while typing clears it.
    update(&mut s, key('/'));
    send(&mut s, typed("BGE"));
    assert_eq!(row_ids(&s), [BGE_HF, BGE_ROOT]);
    update(&mut s, code(KeyCode::Enter));
    assert!(!s.filter_editing);
    assert_eq!(row_ids(&s).len(), 2);
    // Esc outside the prompt clears it as well.
    update(&mut s, code(KeyCode::Esc));
    assert_eq!(row_ids(&s).len(), 9);
}

#[test]
fn delete_is_refused_and_hidden_in_read_only_mode() {
    let mut s = models_state();
    s.read_only = true;
    select(&mut s, QWENVL);
    assert!(!available(&s, Action::ModelDelete));
    assert!(update(&mut s, key('d')).is_empty());
    assert!(s.overlay.is_none());
    assert!(flash_text(&s).contains("read-only"), "{}", flash_text(&s));
    // A saved connection marked read-only refuses as well.
    let mut s = models_state();
    let mut saved = saved_list();
    for c in &mut saved {
        if c.spec.name == LAB {
            c.spec.read_only = true;
        }
    }
    update(
        &mut s,
        Msg::ConnectionsLoaded {
            saved,
            ssh_config: ssh_config(),
            tunnels: tunnels(),
            active: Some(LAB.into()),
        },
    );
    select(&mut s, QWENVL);
    assert!(!available(&s, Action::ModelDelete));
    update(&mut s, key('d'));
    assert!(s.overlay.is_none());
    assert!(flash_text(&s).contains("read-only"), "{}", flash_text(&s));
}

#[test]
fn delete_of_a_model_in_use_is_refused_with_the_reason() {
    let mut s = models_state();
    select(&mut s, LLAMA70);
    assert!(!available(&s, Action::ModelDelete));
    assert!(update(&mut s, key('d')).is_empty());
    assert!(s.overlay.is_none());
    let f = s.flash.clone().unwrap();
    assert_eq!(f.level, FlashLevel::Warn);
    assert!(
        f.text
            .contains("llama3.1:70b is in use (loaded in Ollama (33.5 GiB VRAM))"),
        "{}",
        f.text
    );
}

#[test]
fn delete_needs_the_exact_name_typed_then_sends_exactly_that_model() {
    let mut s = models_state();
    select(&mut s, QWENVL);
    assert!(available(&s, Action::ModelDelete));
    assert!(update(&mut s, key('d')).is_empty());
    assert!(delete_dialog_open(&s));
    // Enter on nothing, on a prefix and on the wrong case does nothing but say so.
    assert!(update(&mut s, code(KeyCode::Enter)).is_empty());
    assert!(send(&mut s, typed("qwen2.5vl:7")).is_empty());
    assert!(update(&mut s, code(KeyCode::Enter)).is_empty());
    match &s.overlay {
        Some(Overlay::ConfirmModelDelete(c)) => assert!(c.mismatch),
        other => panic!("dialog closed: {other:?}"),
    }
    // Letters that are keys elsewhere ('d', 'q', 'f') type into the field.
    send(&mut s, typed("bq"));
    assert!(delete_dialog_open(&s));
    update(&mut s, code(KeyCode::Backspace));
    // Typing again clears the verdict.
    match &s.overlay {
        Some(Overlay::ConfirmModelDelete(c)) => {
            assert!(!c.mismatch);
            assert_eq!(c.input.value(), "qwen2.5vl:7b");
        }
        other => panic!("dialog closed: {other:?}"),
    }
    let fx = update(&mut s, code(KeyCode::Enter));
    assert_eq!(
        fx,
        vec![Effect::DeleteModel {
            name: LAB.into(),
            id: QWENVL.into(),
            path:
                "/usr/share/ollama/.ollama/models/manifests/registry.ollama.ai/library/qwen2.5vl/7b"
                    .into(),
        }]
    );
    assert!(s.overlay.is_none());
    assert!(
        flash_text(&s).contains("frees 4.7 GiB"),
        "{}",
        flash_text(&s)
    );
    // While it is out the model is marked and a second delete is refused.
    assert!(s.model_deleting(QWENVL));
    assert!(!available(&s, Action::ModelDelete));
    update(&mut s, key('d'));
    assert!(s.overlay.is_none());
}

#[test]
fn wrong_case_and_esc_send_nothing() {
    let mut s = models_state();
    select(&mut s, QWENVL);
    update(&mut s, key('d'));
    send(&mut s, typed("QWEN2.5VL:7B"));
    assert!(update(&mut s, code(KeyCode::Enter)).is_empty());
    assert!(delete_dialog_open(&s));
    assert!(update(&mut s, code(KeyCode::Esc)).is_empty());
    assert!(s.overlay.is_none());
    // A pasted name counts as typed.
    update(&mut s, key('d'));
    update(&mut s, Msg::Paste("qwen2.5vl:7b\n".into()));
    assert_eq!(
        update(&mut s, code(KeyCode::Enter))
            .iter()
            .filter(|e| matches!(e, Effect::DeleteModel { .. }))
            .count(),
        1
    );
}

#[test]
fn a_rescan_that_shows_the_model_in_use_stops_a_pending_delete() {
    let mut s = models_state();
    select(&mut s, QWENVL);
    update(&mut s, key('d'));
    send(&mut s, typed("qwen2.5vl:7b"));
    let mut r = report(NOW + 5);
    for st in &mut r.stores {
        for m in &mut st.models {
            if m.id == QWENVL {
                m.in_use = Some("loaded in Ollama (6.0 GiB VRAM)".into());
            }
        }
    }
    update(
        &mut s,
        Msg::Models {
            name: LAB.into(),
            report: r,
        },
    );
    assert!(update(&mut s, code(KeyCode::Enter)).is_empty());
    assert!(s.overlay.is_none());
    assert!(flash_text(&s).contains("in use now"), "{}", flash_text(&s));
}

#[test]
fn a_delete_result_is_flashed_and_forces_a_rescan() {
    let mut s = models_state();
    select(&mut s, QWENVL);
    update(&mut s, key('d'));
    send(&mut s, typed("qwen2.5vl:7b"));
    update(&mut s, code(KeyCode::Enter));
    let fx = update(
        &mut s,
        Msg::ModelDeleted {
            name: LAB.into(),
            id: QWENVL.into(),
            result: Ok(DeleteOutcome {
                model: "qwen2.5vl:7b".into(),
                removed: vec![
                    "/usr/share/ollama/.ollama/models/manifests/registry.ollama.ai/library/qwen2.5vl/7b".into(),
                    "/usr/share/ollama/.ollama/models/blobs/sha256-aa".into(),
                ],
                kept_shared: vec!["/usr/share/ollama/.ollama/models/blobs/sha256-bb".into()],
                freed_bytes: 5_100_000_000,
            }),
        },
    );
    assert_eq!(fx, vec![load(true)]);
    assert!(!s.model_deleting(QWENVL));
    let f = s.flash.clone().unwrap();
    assert_eq!(f.level, FlashLevel::Info);
    assert_eq!(
        f.text,
        "deleted qwen2.5vl:7b on 'spark-lab': freed 4.7 GiB, 2 path(s) removed, 1 shared blob(s) \
         kept for other models"
    );
    // An error says what failed; the rescan follows the scan already out.
    let fx = update(
        &mut s,
        Msg::ModelDeleted {
            name: LAB.into(),
            id: NOMIC.into(),
            result: Err(
                "permission denied: /usr/share/ollama/.ollama/models/blobs (run as the \
                         ollama user or with sudo)"
                    .into(),
            ),
        },
    );
    assert!(fx.is_empty(), "a scan is still out: {fx:?}");
    let f = s.flash.clone().unwrap();
    assert_eq!(f.level, FlashLevel::Error);
    assert!(
        f.text.starts_with(
            "could not delete nomic-embed-text:latest on 'spark-lab': permission denied"
        ),
        "{}",
        f.text
    );
    assert_eq!(answer(&mut s, report(NOW + 30)), vec![load(true)]);
}

#[test]
fn enter_toggles_the_detail_and_esc_closes_it() {
    let mut s = models_state_sized(80, 24);
    select(&mut s, BGE_ROOT);
    update(&mut s, code(KeyCode::Enter));
    assert!(s.models.detail);
    // Over the whole body the list keys scroll the detail.
    update(&mut s, key('j'));
    assert_eq!(s.models.detail_scroll, 1);
    assert_eq!(selected_id(&s), BGE_ROOT);
    update(&mut s, code(KeyCode::Esc));
    assert!(!s.models.detail);
}

#[test]
fn a_dropped_connection_forgets_what_it_had_out_and_rescans_once_back() {
    let mut s = models_state();
    select(&mut s, QWENVL);
    update(&mut s, key('d'));
    send(&mut s, typed("qwen2.5vl:7b"));
    update(&mut s, code(KeyCode::Enter));
    assert!(s.model_deleting(QWENVL));
    assert_eq!(loads(&tick(&mut s, NOW + 600)), 1);
    progress(&mut s, 40);
    let conn = |s: &mut State, generation, state| {
        update(
            s,
            Msg::ConnState {
                name: LAB.into(),
                generation,
                state,
            },
        )
    };
    conn(
        &mut s,
        2,
        ConnState::Reconnecting {
            attempt: 1,
            retry_at: NOW + 610,
            reason: "connection reset by peer".into(),
        },
    );
    let v = s.models_view().unwrap();
    assert!(v.in_flight.is_none() && v.progress.is_none());
    assert!(v.report.is_some(), "the last report stays, marked stale");
    assert!(
        !s.model_deleting(QWENVL),
        "no answer comes over a dropped connection"
    );
    assert!(s.models_stale());
    assert_eq!(loads(&tick(&mut s, NOW + 620)), 0);
    conn(&mut s, 3, ConnState::Connected { since: NOW + 625 });
    assert!(!s.models_stale());
    assert_eq!(tick(&mut s, NOW + 626), vec![load(false)]);
}

#[test]
fn progress_without_a_scan_out_is_dropped() {
    let mut s = models_state();
    progress(&mut s, 7);
    let v = s.models_view().unwrap();
    assert!(v.in_flight.is_none() && v.progress.is_none());
    assert_eq!(loads(&tick(&mut s, NOW + 600)), 1);
}

#[test]
fn a_click_selects_a_row_and_the_wheel_moves() {
    use ratatui::crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let mut s = models_state();
    s.mouse = true;
    let table = s.models_layout().table;
    let click = |row| {
        Msg::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: table.x + 3,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    // Border, header, then the rows in size order.
    update(&mut s, click(table.y + 2 + 2));
    assert_eq!(selected_id(&s), QWEN_HF);
    update(
        &mut s,
        Msg::Mouse(MouseEvent {
            kind: MouseEventKind::ScrollDown,
            column: table.x + 3,
            row: table.y + 3,
            modifiers: KeyModifiers::NONE,
        }),
    );
    assert_eq!(selected_id(&s), LLAMA70);
}

#[test]
fn reports_are_kept_per_connection() {
    let mut s = models_state();
    let mut other = report(NOW + 3);
    other.stores.truncate(1);
    update(
        &mut s,
        Msg::Models {
            name: "spark-02".into(),
            report: other,
        },
    );
    // The active connection's models are still the ones on screen.
    assert_eq!(s.models_rows().len(), 9);
    assert_eq!(
        s.models
            .views
            .get("spark-02")
            .and_then(|v| v.report.as_ref())
            .map(|r| r.stores.len()),
        Some(1)
    );
}
