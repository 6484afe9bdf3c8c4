//! The off-screen refresh that keeps the problems bar live: with the active connection up,
//! the Services, Models and Jobs data load once at once and then every
//! `[general] background_refresh_s` (Models no more often than its own `refresh_s`); the tab
//! on screen keeps its own cadence; a connection that is down, or 0, asks nothing.

mod jobs_fixtures;
mod models_fixtures;
mod services_fixtures;
mod ui_fixtures;

use jobs_fixtures::LAB;
use sparkdeck::app::{Effect, Msg, State, update};
use sparkdeck::model::ConnState;
use ui_fixtures::*;

fn tick(s: &mut State, now: i64) -> Vec<Effect> {
    update(s, Msg::Tick { now })
}

/// (services, models, jobs) loads among `fx`.
fn counts(fx: &[Effect]) -> (usize, usize, usize) {
    let n = |f: fn(&Effect) -> bool| fx.iter().filter(|e| f(e)).count();
    (
        n(|e| matches!(e, Effect::LoadServices { name } if name == LAB)),
        n(|e| matches!(e, Effect::LoadModels { name, .. } if name == LAB)),
        n(|e| matches!(e, Effect::LoadJobs { name, .. } if name == LAB)),
    )
}

/// Answers every load in `fx` as the workers would, at `at`.
fn answer_all(s: &mut State, fx: &[Effect], at: i64) {
    let (services, models, jobs) = counts(fx);
    if services > 0 {
        update(
            s,
            Msg::Services {
                name: LAB.into(),
                report: services_fixtures::report(services_fixtures::rows(), at),
            },
        );
    }
    if models > 0 {
        models_fixtures::answer(s, models_fixtures::report(at));
    }
    if jobs > 0 {
        let g = jobs_fixtures::load_generation(fx);
        jobs_fixtures::answer(
            s,
            g,
            jobs_fixtures::page(jobs_fixtures::jobs(), 0, Some(5)),
            at,
        );
    }
}

#[test]
fn off_screen_tabs_load_at_once_then_every_background_refresh_s() {
    let mut s = full_state();
    assert_eq!(s.background_refresh_s, 60, "the default");
    assert_ne!(s.tab.title(), "Services");
    let fx = tick(&mut s, NOW);
    assert_eq!(counts(&fx), (1, 1, 1), "{fx:?}");
    // Out and unanswered: nothing piles up.
    assert_eq!(counts(&tick(&mut s, NOW + 1)), (0, 0, 0));
    answer_all(&mut s, &fx, NOW + 1);
    assert!(s.services_report().is_some(), "the bar's services source");
    // Services refresh every few seconds on screen, but once a minute off screen.
    assert_eq!(counts(&tick(&mut s, NOW + 59)), (0, 0, 0));
    let fx = tick(&mut s, NOW + 60);
    assert_eq!(counts(&fx), (1, 0, 1), "{fx:?}");
    answer_all(&mut s, &fx, NOW + 61);
    // Models rescan no more often than their own refresh_s (600 s).
    assert_eq!(counts(&tick(&mut s, NOW + 599)).1, 0);
    assert_eq!(counts(&tick(&mut s, NOW + 600)).1, 1);
}

#[test]
fn the_tab_on_screen_keeps_its_own_cadence() {
    let mut s = full_state();
    let fx = tick(&mut s, NOW);
    answer_all(&mut s, &fx, NOW);
    // Opening the tab reads at once (the background report may be a minute old).
    let fx = update(&mut s, key('4'));
    assert_eq!(counts(&fx), (1, 0, 0), "{fx:?}");
    answer_all(&mut s, &fx, NOW + 1);
    // On the Services tab: every refresh_s; the others wait for the minute.
    let every = s.services.settings.refresh_s as i64;
    assert!(every < 60);
    assert_eq!(counts(&tick(&mut s, NOW + every - 1)), (0, 0, 0));
    assert_eq!(counts(&tick(&mut s, NOW + every)), (1, 0, 0));
}

#[test]
fn zero_or_a_connection_down_asks_nothing_off_screen() {
    let mut s = full_state();
    s.background_refresh_s = 0;
    assert_eq!(counts(&tick(&mut s, NOW)), (0, 0, 0));
    assert_eq!(counts(&tick(&mut s, NOW + 3600)), (0, 0, 0));

    let mut s = full_state();
    update(
        &mut s,
        Msg::ConnState {
            name: LAB.into(),
            generation: 2,
            state: ConnState::Disconnected,
        },
    );
    assert_eq!(counts(&tick(&mut s, NOW)), (0, 0, 0));
    assert_eq!(counts(&tick(&mut s, NOW + 3600)), (0, 0, 0));
}
