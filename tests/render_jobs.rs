//! insta snapshots of the Jobs tab at 120×40, 80×24 and 40×15: the table with mixed
//! statuses, the detail pane with pretty JSON, both requeue confirmations, the per-job
//! result, the stuck banner, the stale error state and the no-credentials state; plus tiny
//! sizes that must not panic.

mod jobs_fixtures;
mod ui_fixtures;

use jobs_fixtures::*;
use ratatui::crossterm::event::KeyCode;
use sparkdeck::app::{Msg, State, update};
use sparkdeck::model::RequeueOutcome;
use ui_fixtures::*;

fn snap_all(name: &str, build: impl Fn(&mut State)) {
    for (w, h) in SIZES {
        let mut s = jobs_state_sized(w, h);
        build(&mut s);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(&s, w, h));
    }
}

fn select(s: &mut State, id: &str) {
    update(s, key('g'));
    for _ in 0..10 {
        if s.jobs_selected().is_some_and(|j| j.id == id) {
            return;
        }
        update(s, key('j'));
    }
    panic!("{id} not reachable");
}

#[test]
fn table_with_mixed_statuses() {
    snap_all("jobs_table", |s| {
        select(s, CIRCULAR);
        update(s, key(' '));
        select(s, CIRCULAR);
    });
}

#[test]
fn detail_pane_with_pretty_json() {
    snap_all("jobs_detail", |s| {
        select(s, CIRCULAR);
        update(
            s,
            Msg::JobsTriage {
                name: LAB.into(),
                banner: None,
                checks: Vec::new(),
                hints: vec![(
                    CIRCULAR.into(),
                    "metadata.source_line holds a whole object: store a small flat subset \
                     (seed 003, case B)"
                        .into(),
                )],
            },
        );
        update(s, code(KeyCode::Enter));
    });
}

#[test]
fn detail_pane_scrolled() {
    for (w, h) in [(80, 24), (40, 15)] {
        let mut s = jobs_state_sized(w, h);
        select(&mut s, CIRCULAR);
        update(&mut s, code(KeyCode::Enter));
        for _ in 0..12 {
            update(&mut s, key('j'));
        }
        insta::assert_snapshot!(format!("jobs_detail_scrolled_{w}x{h}"), draw(&s, w, h));
    }
}

#[test]
fn single_requeue_confirmation() {
    snap_all("jobs_confirm_one", |s| {
        select(s, CIRCULAR);
        update(s, key('r'));
    });
}

#[test]
fn bulk_requeue_confirmation() {
    snap_all("jobs_confirm_bulk", |s| {
        select(s, CIRCULAR);
        update(s, key(' '));
        update(s, key(' '));
        update(s, key('R'));
    });
}

#[test]
fn per_job_requeue_result() {
    snap_all("jobs_requeue_result", |s| {
        let mut requeued = jobs()[2].clone();
        requeued.status = "queued".into();
        update(
            s,
            Msg::JobsRequeued {
                name: LAB.into(),
                results: vec![
                    (CIRCULAR.into(), RequeueOutcome::Requeued(requeued)),
                    (
                        TIMEOUT.into(),
                        RequeueOutcome::NotChanged {
                            reason: "it is 'running' now (picked up by the worker)".into(),
                        },
                    ),
                    (
                        "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6".into(),
                        RequeueOutcome::Failed {
                            error: "permission denied for table hd_ingestion_jobs (42501)".into(),
                        },
                    ),
                ],
            },
        );
    });
}

#[test]
fn stuck_banner_with_checks() {
    snap_all("jobs_stuck", |s| {
        update(
            s,
            Msg::JobsTriage {
                name: LAB.into(),
                banner: Some("1 job queued for 18m while no job started for 22m".into()),
                checks: vec![
                    (
                        true,
                        "worker process".into(),
                        "hd-worker running (pid 4121)".into(),
                    ),
                    (false, "worker log".into(), "last written 22m ago".into()),
                    (
                        false,
                        "Supabase URL".into(),
                        "worker reads http://127.0.0.1:54321 (local), dashboard the cloud".into(),
                    ),
                ],
                hints: Vec::new(),
            },
        );
    });
}

#[test]
fn error_keeps_stale_data() {
    snap_all("jobs_stale", |s| {
        let fx = update(s, Msg::Tick { now: NOW });
        let _ = fx;
        update(
            s,
            Msg::Jobs {
                name: LAB.into(),
                generation: s.jobs_view().unwrap().generation,
                result: Err(
                    "JWT expired (PGRST303): renew SUPABASE_SERVICE_ROLE_KEY in the env file"
                        .into(),
                ),
                at: NOW - 1,
            },
        );
        // The data on screen is from two minutes before the failure.
        s.jobs.views.get_mut(LAB).unwrap().fetched_at = Some(NOW - 125);
    });
}

#[test]
fn no_credentials() {
    snap_all("jobs_no_credentials", |s| {
        update(
            s,
            Msg::JobsNoCredentials {
                name: LAB.into(),
                looked_in: "~/srv/hd-worker/.env".into(),
            },
        );
    });
}

#[test]
fn read_only_hides_requeue_hints() {
    let mut s = jobs_state_sized(120, 40);
    s.read_only = true;
    select(&mut s, CIRCULAR);
    update(&mut s, code(KeyCode::Enter));
    insta::assert_snapshot!("jobs_read_only_120x40", draw(&s, 120, 40));
}

#[test]
fn tiny_sizes_do_not_panic() {
    for (w, h) in [(0, 0), (1, 1), (5, 3), (20, 6), (40, 8), (200, 10)] {
        let mut s = jobs_state_sized(w, h);
        select(&mut s, CIRCULAR);
        draw(&s, w, h);
        update(&mut s, code(KeyCode::Enter));
        draw(&s, w, h);
        update(&mut s, code(KeyCode::Esc));
        update(&mut s, key(' '));
        update(&mut s, key('R'));
        draw(&s, w, h);
    }
}

#[test]
fn waiting_for_the_first_page() {
    for (w, h) in SIZES {
        let mut s = full_state();
        update(
            &mut s,
            Msg::Resize {
                width: w,
                height: h,
            },
        );
        update(&mut s, key('3'));
        insta::assert_snapshot!(format!("jobs_loading_{w}x{h}"), draw(&s, w, h));
    }
}

#[test]
fn no_active_connection() {
    let mut s = bare_state();
    update(&mut s, key('3'));
    insta::assert_snapshot!("jobs_no_active_80x24", draw(&s, 80, 24));
}
