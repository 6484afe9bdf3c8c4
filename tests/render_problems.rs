//! insta snapshots of the problems bar and the problems list at 120×40, 80×24 and 40×15:
//! the bar with findings on the Services tab (the services fixtures' report with conflict,
//! duplicate and down rows, plus a failing and a reconnecting connection), the list open
//! with a row selected, and the bar of a healthy host.

mod services_fixtures;
mod ui_fixtures;

use ratatui::crossterm::event::KeyCode;
use services_fixtures::*;
use sparkdeck::app::{Msg, State, update};
use sparkdeck::model::ConnState;
use ui_fixtures::*;

fn line(state: &State, w: u16, h: u16, y: u16) -> String {
    let b = draw(state, w, h);
    (0..w).map(|x| b.buffer()[(x, y)].symbol()).collect()
}

/// `spark-lab` connected with a report whose rows are all fine, and no other connection
/// in trouble.
fn healthy(w: u16, h: u16) -> State {
    let mut s = bare_state();
    update(
        &mut s,
        Msg::Resize {
            width: w,
            height: h,
        },
    );
    update(&mut s, loaded());
    update(
        &mut s,
        Msg::ConnState {
            name: LAB.into(),
            generation: 1,
            state: ConnState::Connected { since: NOW - 7200 },
        },
    );
    update(&mut s, key('4'));
    let fine = rows().into_iter().filter(|r| !r.is_problem()).collect();
    answer(&mut s, fine, NOW - 12);
    s
}

#[test]
fn bar_with_findings_on_the_services_tab() {
    for (w, h) in SIZES {
        let s = services_state_sized(w, h);
        insta::assert_snapshot!(format!("problems_bar_{w}x{h}"), draw(&s, w, h));
    }
}

#[test]
fn list_open_with_a_selection() {
    for (w, h) in SIZES {
        let mut s = services_state_sized(w, h);
        send(&mut s, [key('!'), key('j'), code(KeyCode::Down)]);
        insta::assert_snapshot!(format!("problems_list_{w}x{h}"), draw(&s, w, h));
    }
}

#[test]
fn bar_without_problems() {
    for (w, h) in SIZES {
        let s = healthy(w, h);
        insta::assert_snapshot!(format!("problems_none_{w}x{h}"), draw(&s, w, h));
    }
}

#[test]
fn bar_says_no_problems_only_once_data_arrived() {
    let mut s = bare_state();
    update(&mut s, loaded());
    // Active, but nothing read yet: no verdict.
    let tabs = line(&s, 120, 40, 2);
    assert!(tabs.contains("no data yet"), "{tabs}");
    assert!(!tabs.contains("no problems"), "{tabs}");
    // The list does not claim a clean host either.
    update(&mut s, key('!'));
    let screen: String = (0..40).map(|y| line(&s, 120, 40, y) + "\n").collect();
    assert!(
        screen.contains("no data yet") && !screen.contains("no problems"),
        "{screen}"
    );
    let mut s = healthy(120, 40);
    let tabs = line(&s, 120, 40, 2);
    assert!(tabs.contains("✓ no problems"), "{tabs}");
    assert!(tabs.contains("1 Connections"), "{tabs}");
    update(&mut s, key('!'));
    let screen: String = (0..40).map(|y| line(&s, 120, 40, y) + "\n").collect();
    assert!(screen.contains("✓ no problems"), "{screen}");
}

#[test]
fn tiny_screens_do_not_panic() {
    for (w, h) in [(1, 1), (5, 3), (12, 4), (20, 6), (30, 8)] {
        let mut s = services_state_sized(w, h);
        draw(&s, w, h);
        send(&mut s, [key('!')]);
        draw(&s, w, h);
    }
}
