//! The Jobs tab's pure update: the query effects (open, filter, sort, paging, refresh
//! cadence), selection by id, marks, both requeue confirmations, read-only, stale data.

mod jobs_fixtures;
mod ui_fixtures;

use jobs_fixtures::*;
use ratatui::crossterm::event::KeyCode;
use sparkdeck::app::overlay::Overlay;
use sparkdeck::app::{Effect, FlashLevel, Msg, State, update};
use sparkdeck::config::Config;
use sparkdeck::model::RequeueOutcome;
use ui_fixtures::*;

fn loads(fx: &[Effect]) -> Vec<&Effect> {
    fx.iter()
        .filter(|e| matches!(e, Effect::LoadJobs { .. }))
        .collect()
}

fn selected_id(s: &State) -> String {
    s.jobs_selected().map(|j| j.id.clone()).unwrap_or_default()
}

fn select(s: &mut State, id: &str) {
    update(s, key('g'));
    for _ in 0..10 {
        if selected_id(s) == id {
            return;
        }
        update(s, key('j'));
    }
    panic!("{id} not reachable");
}

fn flash_text(s: &State) -> String {
    s.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default()
}

#[test]
fn opening_the_tab_asks_for_the_first_page_of_the_active_connection() {
    let mut s = full_state();
    let fx = update(&mut s, key('3'));
    assert_eq!(
        fx,
        vec![Effect::LoadJobs {
            name: LAB.into(),
            generation: 1,
            status: None,
            sort_column: "created_at".into(),
            desc: true,
            offset: 0,
            limit: 50,
        }]
    );
    // Switching away and back reads it again.
    update(&mut s, key('1'));
    let fx = update(&mut s, key('3'));
    assert_eq!(load_generation(&fx), 2);
}

#[test]
fn no_active_connection_asks_for_nothing() {
    let mut s = bare_state();
    assert!(update(&mut s, key('3')).is_empty());
    assert!(update(&mut s, Msg::Tick { now: NOW + 60 }).is_empty());
}

#[test]
fn selection_follows_the_job_id_across_refresh_and_reorder() {
    let mut s = jobs_state();
    select(&mut s, CIRCULAR);
    assert_eq!(s.jobs_selected_index(&s.jobs_rows()), Some(2));
    let fx = update(&mut s, Msg::Tick { now: NOW + 5 });
    let g = load_generation(&fx);
    let mut reordered = jobs();
    reordered.reverse();
    answer(&mut s, g, page(reordered, 0, Some(5)), NOW + 5);
    assert_eq!(selected_id(&s), CIRCULAR);
    assert_eq!(s.jobs_selected_index(&s.jobs_rows()), Some(2));
    // Reversed again with one row gone before it: the index moves, the job stays.
    let fx = update(&mut s, Msg::Tick { now: NOW + 10 });
    let rows: Vec<_> = jobs().into_iter().filter(|j| j.id != QUEUED).collect();
    answer(
        &mut s,
        load_generation(&fx),
        page(rows, 0, Some(4)),
        NOW + 10,
    );
    assert_eq!(selected_id(&s), CIRCULAR);
    assert_eq!(s.jobs_selected_index(&s.jobs_rows()), Some(1));
}

#[test]
fn status_filter_cycles_through_the_configured_list_and_back_to_all() {
    let mut s = jobs_state();
    let mut seen = Vec::new();
    for _ in 0..6 {
        let fx = update(&mut s, key('f'));
        match loads(&fx).as_slice() {
            [Effect::LoadJobs { status, offset, .. }] => {
                assert_eq!(*offset, 0);
                seen.push(status.clone());
            }
            other => panic!("expected one LoadJobs, got {other:?}"),
        }
    }
    let one = |x: &str| Some(vec![x.to_string()]);
    assert_eq!(
        seen,
        vec![
            one("failed"),
            one("error"),
            one("queued"),
            one("running"),
            one("done"),
            None
        ]
    );
}

#[test]
fn status_filter_list_comes_from_the_config() {
    let mut c = Config::default();
    c.jobs.status_filters = vec!["failed".into()];
    let mut s = State::new(&c, false, "admin-box".into()).with_key_check(key_ok);
    send(&mut s, [Msg::Tick { now: NOW }, loaded(), key('3')]);
    let fx = update(&mut s, key('f'));
    assert!(matches!(loads(&fx)[0], Effect::LoadJobs { status: Some(v), .. } if v == &["failed"]));
    let fx = update(&mut s, key('f'));
    assert!(matches!(
        loads(&fx)[0],
        Effect::LoadJobs { status: None, .. }
    ));
}

#[test]
fn sort_cycles_columns_and_reverse_flips_the_order() {
    let mut s = jobs_state();
    let sort_of = |fx: &[Effect]| match loads(fx).as_slice() {
        [
            Effect::LoadJobs {
                sort_column, desc, ..
            },
        ] => (sort_column.clone(), *desc),
        other => panic!("{other:?}"),
    };
    assert_eq!(sort_of(&update(&mut s, key('s'))), ("status".into(), true));
    assert_eq!(
        sort_of(&update(&mut s, key('s'))),
        ("job_type".into(), true)
    );
    assert_eq!(
        sort_of(&update(&mut s, key('S'))),
        ("job_type".into(), false)
    );
    for _ in 0..3 {
        update(&mut s, key('s'));
    }
    // Back to the first column after the last.
    assert_eq!(
        sort_of(&update(&mut s, key('s'))),
        ("created_at".into(), false)
    );
}

#[test]
fn sort_uses_the_configured_column_names() {
    let mut c = Config::default();
    c.jobs.column_created_at = "inserted_at".into();
    let mut s = State::new(&c, false, "admin-box".into()).with_key_check(key_ok);
    send(&mut s, [Msg::Tick { now: NOW }, loaded()]);
    let fx = update(&mut s, key('3'));
    assert!(
        matches!(loads(&fx)[0], Effect::LoadJobs { sort_column, .. } if sort_column == "inserted_at")
    );
}

#[test]
fn paging_moves_by_page_size_within_the_total() {
    let mut s = jobs_state();
    answer(&mut s, 1, page(jobs(), 0, Some(1234)), NOW);
    let fx = update(&mut s, key('n'));
    assert!(matches!(
        loads(&fx)[0],
        Effect::LoadJobs {
            offset: 50,
            limit: 50,
            ..
        }
    ));
    let g = load_generation(&fx);
    answer(&mut s, g, page(jobs(), 50, Some(1234)), NOW);
    let fx = update(&mut s, key('p'));
    assert!(matches!(loads(&fx)[0], Effect::LoadJobs { offset: 0, .. }));
    answer(
        &mut s,
        load_generation(&fx),
        page(jobs(), 0, Some(1234)),
        NOW,
    );
    // Nothing before the first page.
    assert!(update(&mut s, key('p')).is_empty());
    assert!(flash_text(&s).contains("first page"));
    // PgDn on the last row turns the page; elsewhere it only moves.
    let fx = update(&mut s, code(KeyCode::PageDown));
    assert!(loads(&fx).is_empty());
    let fx = update(&mut s, code(KeyCode::PageDown));
    assert!(matches!(loads(&fx)[0], Effect::LoadJobs { offset: 50, .. }));
}

#[test]
fn no_page_after_the_last_one() {
    let mut s = jobs_state();
    // Five rows, total five: this is the only page.
    assert!(update(&mut s, key('n')).is_empty());
    assert!(flash_text(&s).contains("last page"));
    // Filtering resets the page to the first.
    answer(&mut s, 1, page(jobs(), 0, Some(120)), NOW);
    update(&mut s, key('n'));
    let fx = update(&mut s, key('f'));
    assert!(matches!(loads(&fx)[0], Effect::LoadJobs { offset: 0, .. }));
}

#[test]
fn an_answer_to_a_superseded_query_is_dropped() {
    let mut s = jobs_state();
    let fx = update(&mut s, key('f'));
    let newer = load_generation(&fx);
    let before = s.jobs_rows().len();
    answer(&mut s, newer - 1, page(Vec::new(), 0, Some(0)), NOW);
    assert_eq!(s.jobs_rows().len(), before);
    answer(&mut s, newer, page(jobs()[2..3].to_vec(), 0, Some(1)), NOW);
    assert_eq!(s.jobs_rows().len(), 1);
}

#[test]
fn an_error_keeps_the_last_page_and_marks_it_stale() {
    let mut s = jobs_state();
    let fx = update(&mut s, Msg::Tick { now: NOW + 5 });
    update(
        &mut s,
        Msg::Jobs {
            name: LAB.into(),
            generation: load_generation(&fx),
            result: Err("JWT expired (PGRST303): the service-role key was rotated".into()),
            at: NOW + 6,
        },
    );
    let v = s.jobs_view().unwrap();
    assert!(v.stale());
    assert_eq!(v.page.as_ref().unwrap().jobs.len(), 5);
    assert_eq!(v.fetched_at, Some(NOW - 2));
    assert!(v.error.as_ref().unwrap().0.contains("PGRST303"));
    // The next good page clears it.
    let fx = update(&mut s, Msg::Tick { now: NOW + 11 });
    answer(
        &mut s,
        load_generation(&fx),
        page(jobs(), 0, Some(5)),
        NOW + 11,
    );
    assert!(!s.jobs_view().unwrap().stale());
}

#[test]
fn refresh_tick_follows_refresh_s_and_waits_for_a_read_in_flight() {
    let mut s = jobs_state();
    // Only this tab's reads; the background ones are tests/update_background.rs's.
    s.background_refresh_s = 0;
    // The first page was asked for at NOW.
    assert!(update(&mut s, Msg::Tick { now: NOW + 4 }).is_empty());
    let fx = update(&mut s, Msg::Tick { now: NOW + 5 });
    assert_eq!(loads(&fx).len(), 1);
    let g = load_generation(&fx);
    // Not answered yet: later ticks wait rather than pile up requests.
    for t in 6..=20 {
        assert!(
            update(&mut s, Msg::Tick { now: NOW + t }).is_empty(),
            "t={t}"
        );
    }
    answer(&mut s, g, page(jobs(), 0, Some(5)), NOW + 21);
    // Counted from when it was sent (NOW + 5): due again at NOW + 10, i.e. right away.
    assert_eq!(loads(&update(&mut s, Msg::Tick { now: NOW + 21 })).len(), 1);
    // An answer that never comes is given up on after every retry could have timed out.
    let give_up = 15 * 3 + 5;
    assert!(
        update(
            &mut s,
            Msg::Tick {
                now: NOW + 21 + give_up - 1
            }
        )
        .is_empty()
    );
    assert_eq!(
        loads(&update(
            &mut s,
            Msg::Tick {
                now: NOW + 21 + give_up
            }
        ))
        .len(),
        1
    );
    // Other tabs do not refresh the queue.
    update(&mut s, key('1'));
    assert!(update(&mut s, Msg::Tick { now: NOW + 500 }).is_empty());
}

#[test]
fn refresh_interval_comes_from_the_config() {
    let mut c = Config::default();
    c.jobs.refresh_s = 30;
    let mut s = State::new(&c, false, "admin-box".into()).with_key_check(key_ok);
    send(&mut s, [Msg::Tick { now: NOW }, loaded()]);
    let g = load_generation(&update(&mut s, key('3')));
    answer(&mut s, g, page(jobs(), 0, Some(5)), NOW);
    assert!(update(&mut s, Msg::Tick { now: NOW + 29 }).is_empty());
    assert_eq!(loads(&update(&mut s, Msg::Tick { now: NOW + 30 })).len(), 1);
}

#[test]
fn marks_toggle_move_on_and_refuse_jobs_that_cannot_be_requeued() {
    let mut s = jobs_state();
    select(&mut s, CIRCULAR);
    update(&mut s, key(' '));
    assert!(s.jobs.marks.contains_key(CIRCULAR));
    assert_eq!(selected_id(&s), TIMEOUT);
    update(&mut s, key(' '));
    assert!(s.jobs.marks.contains_key(TIMEOUT));
    // DONE cannot be requeued: not marked, and the reason is shown.
    assert_eq!(selected_id(&s), DONE);
    update(&mut s, key(' '));
    assert!(!s.jobs.marks.contains_key(DONE));
    assert!(flash_text(&s).contains("'done'"));
    assert!(flash_text(&s).contains("failed or error"));
    // Space on a marked job unmarks it.
    select(&mut s, CIRCULAR);
    update(&mut s, key(' '));
    assert!(!s.jobs.marks.contains_key(CIRCULAR));
    // Esc clears the marks.
    update(&mut s, code(KeyCode::Esc));
    assert!(s.jobs.marks.is_empty());
}

#[test]
fn single_requeue_names_job_status_and_host_and_defaults_to_cancel() {
    let mut s = jobs_state();
    select(&mut s, CIRCULAR);
    assert!(update(&mut s, key('r')).is_empty());
    match &s.overlay {
        Some(Overlay::ConfirmRequeue(c)) => {
            assert_eq!(c.name, LAB);
            assert_eq!(c.host, "dgx@10.0.0.5:22");
            assert_eq!(c.jobs, vec![(CIRCULAR.to_string(), "failed".to_string())]);
            assert!(!c.requeue_chosen);
        }
        other => panic!("{other:?}"),
    }
    // Enter on the default (Cancel) sends nothing.
    assert!(update(&mut s, code(KeyCode::Enter)).is_empty());
    assert!(s.overlay.is_none());
    update(&mut s, key('r'));
    update(&mut s, code(KeyCode::Right));
    let fx = update(&mut s, code(KeyCode::Enter));
    assert_eq!(
        fx,
        vec![Effect::RequeueJobs {
            name: LAB.into(),
            ids: vec![CIRCULAR.into()]
        }]
    );
    // Esc also cancels.
    update(&mut s, key('r'));
    update(&mut s, code(KeyCode::Right));
    assert!(update(&mut s, code(KeyCode::Esc)).is_empty());
}

#[test]
fn bulk_requeue_sends_exactly_the_confirmed_ids_once() {
    let mut s = jobs_state();
    select(&mut s, CIRCULAR);
    update(&mut s, key(' '));
    update(&mut s, key(' '));
    update(&mut s, key('R'));
    match &s.overlay {
        Some(Overlay::ConfirmRequeue(c)) => {
            let ids: Vec<&str> = c.jobs.iter().map(|(id, _)| id.as_str()).collect();
            assert_eq!(ids, vec![CIRCULAR, TIMEOUT]);
            assert!(!c.requeue_chosen);
        }
        other => panic!("{other:?}"),
    }
    update(&mut s, code(KeyCode::Left));
    let fx = update(&mut s, code(KeyCode::Enter));
    assert_eq!(
        fx,
        vec![Effect::RequeueJobs {
            name: LAB.into(),
            ids: vec![CIRCULAR.into(), TIMEOUT.into()]
        }]
    );
}

#[test]
fn a_marked_job_that_moved_on_is_dropped_from_the_bulk_requeue() {
    let mut s = jobs_state();
    select(&mut s, CIRCULAR);
    update(&mut s, key(' '));
    update(&mut s, key(' '));
    // The worker picked CIRCULAR up meanwhile.
    let mut now = jobs();
    now[2].status = "running".into();
    let fx = update(&mut s, Msg::Tick { now: NOW + 5 });
    answer(&mut s, load_generation(&fx), page(now, 0, Some(5)), NOW + 5);
    update(&mut s, key('R'));
    match &s.overlay {
        Some(Overlay::ConfirmRequeue(c)) => {
            assert_eq!(c.jobs, vec![(TIMEOUT.to_string(), "error".to_string())]);
        }
        other => panic!("{other:?}"),
    }
    assert!(flash_text(&s).contains("3f9c2a71 (running)"));
}

#[test]
fn read_only_refuses_and_hides_requeue() {
    let mut s = jobs_state();
    select(&mut s, CIRCULAR);
    update(&mut s, key(' '));
    s.read_only = true;
    for k in ['r', 'R'] {
        assert!(update(&mut s, key(k)).is_empty());
        assert!(s.overlay.is_none());
        assert_eq!(s.flash.as_ref().unwrap().level, FlashLevel::Warn);
        assert!(flash_text(&s).starts_with("read-only"));
    }
    use sparkdeck::app::action::Action;
    assert!(!sparkdeck::app::update::available(&s, Action::Requeue));
    assert!(!sparkdeck::app::update::available(
        &s,
        Action::RequeueMarked
    ));
}

#[test]
fn read_only_switched_on_while_the_dialog_is_open_sends_nothing() {
    let mut s = jobs_state();
    select(&mut s, CIRCULAR);
    update(&mut s, key('r'));
    update(&mut s, code(KeyCode::Right));
    s.read_only = true;
    assert!(update(&mut s, code(KeyCode::Enter)).is_empty());
}

#[test]
fn a_job_that_is_not_requeueable_is_explained_instead_of_offered() {
    let mut s = jobs_state();
    select(&mut s, RUNNING);
    assert!(update(&mut s, key('r')).is_empty());
    assert!(s.overlay.is_none());
    let t = flash_text(&s);
    assert!(t.contains("7b21e0c4") && t.contains("'running'"), "{t}");
    use sparkdeck::app::action::Action;
    assert!(sparkdeck::app::update::available(&s, Action::Requeue));
}

#[test]
fn requeue_results_open_a_per_job_list_clear_marks_and_reload() {
    let mut s = jobs_state();
    select(&mut s, CIRCULAR);
    update(&mut s, key(' '));
    update(&mut s, key(' '));
    let mut requeued = jobs()[2].clone();
    requeued.status = "queued".into();
    let fx = update(
        &mut s,
        Msg::JobsRequeued {
            name: LAB.into(),
            results: vec![
                (CIRCULAR.into(), RequeueOutcome::Requeued(requeued)),
                (
                    TIMEOUT.into(),
                    RequeueOutcome::NotChanged {
                        reason: "it is 'running' now".into(),
                    },
                ),
            ],
        },
    );
    assert_eq!(loads(&fx).len(), 1);
    assert!(!s.jobs.marks.contains_key(CIRCULAR));
    assert!(s.jobs.marks.contains_key(TIMEOUT));
    match &s.overlay {
        Some(Overlay::RequeueResults(r)) => assert_eq!(r.rows.len(), 2),
        other => panic!("{other:?}"),
    }
    assert!(flash_text(&s).contains("requeued 1 of 2"));
    update(&mut s, code(KeyCode::Enter));
    assert!(s.overlay.is_none());
}

#[test]
fn copy_and_worker_log_carry_the_full_selected_id() {
    let mut s = jobs_state();
    select(&mut s, CIRCULAR);
    assert_eq!(
        update(&mut s, key('y')),
        vec![Effect::CopyToClipboard(CIRCULAR.into())]
    );
    assert_eq!(
        update(&mut s, key('l')),
        vec![Effect::OpenWorkerLog {
            name: LAB.into(),
            jump_to: Some(CIRCULAR.into())
        }]
    );
}

#[test]
fn enter_opens_the_detail_pane_whose_keys_scroll_it() {
    let mut s = jobs_state();
    select(&mut s, CIRCULAR);
    update(&mut s, code(KeyCode::Enter));
    assert!(s.jobs.detail);
    update(&mut s, key('j'));
    update(&mut s, key('j'));
    assert_eq!(s.jobs.detail_scroll, 2);
    assert_eq!(selected_id(&s), CIRCULAR);
    update(&mut s, code(KeyCode::Esc));
    assert!(!s.jobs.detail);
    update(&mut s, key('j'));
    assert_eq!(selected_id(&s), TIMEOUT);
}

#[test]
fn slash_filters_the_rows_on_screen() {
    let mut s = jobs_state();
    send(&mut s, [key('/')]);
    send(&mut s, typed("circular"));
    send(&mut s, [code(KeyCode::Enter)]);
    let rows: Vec<String> = s.jobs_rows().iter().map(|j| j.id.clone()).collect();
    assert_eq!(rows, vec![CIRCULAR.to_string()]);
    update(&mut s, code(KeyCode::Esc));
    assert_eq!(s.jobs_rows().len(), 5);
}

#[test]
fn no_credentials_is_remembered_until_a_page_arrives() {
    let mut s = jobs_state();
    update(
        &mut s,
        Msg::JobsNoCredentials {
            name: LAB.into(),
            looked_in: "~/srv/hd-worker/.env".into(),
        },
    );
    assert!(s.jobs_view().unwrap().no_credentials.is_some());
    let fx = update(&mut s, Msg::Tick { now: NOW + 5 });
    answer(
        &mut s,
        load_generation(&fx),
        page(jobs(), 0, Some(5)),
        NOW + 5,
    );
    assert!(s.jobs_view().unwrap().no_credentials.is_none());
}

#[test]
fn the_worker_log_opens_over_the_tab_jumps_to_the_job_and_stops_on_esc() {
    let mut s = jobs_state();
    select(&mut s, CIRCULAR);
    update(&mut s, key('l'));
    assert!(matches!(&s.overlay, Some(Overlay::Log(p)) if p.name == LAB));

    // Lines of another connection never land in this viewer.
    update(
        &mut s,
        Msg::LogLines {
            name: "elsewhere".into(),
            lines: vec!["not mine".into()],
        },
    );
    let Some(Overlay::Log(p)) = &s.overlay else {
        panic!("viewer closed")
    };
    assert_eq!(p.view.len(), 0);

    let lines: Vec<String> = (0..50)
        .map(|i| format!("line {i}"))
        .chain([format!("ERROR job {CIRCULAR} Circular reference detected")])
        .chain((0..50).map(|i| format!("later {i}")))
        .collect();
    update(
        &mut s,
        Msg::LogLines {
            name: LAB.into(),
            lines,
        },
    );
    let Some(Overlay::Log(p)) = &s.overlay else {
        panic!("viewer closed")
    };
    assert_eq!(p.view.len(), 101);
    assert_eq!(
        p.jump_to, None,
        "the job's line arrived, so the jump was made"
    );
    assert_eq!(
        p.view.match_counter(),
        Some((1, 1)),
        "its id is highlighted"
    );
    assert!(!p.view.following(), "jumping back pauses follow");

    update(
        &mut s,
        Msg::LogNotice {
            name: LAB.into(),
            text: "log rotated".into(),
        },
    );
    let Some(Overlay::Log(p)) = &s.overlay else {
        panic!("viewer closed")
    };
    assert_eq!(p.view.notice(), Some("log rotated"));

    assert_eq!(
        update(&mut s, code(KeyCode::Esc)),
        vec![Effect::CloseLog { name: LAB.into() }]
    );
    assert!(s.overlay.is_none());
}
