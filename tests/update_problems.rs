//! `app::findings` over hand-built states (each source, the order, the targets) and the
//! problems list in `update`: opening, moving, clamping, and the jump to a tab and row
//! that clears a filter hiding the row.

mod gpu_fixtures;
mod jobs_fixtures;
mod models_fixtures;
mod services_fixtures;
mod ui_fixtures;

use ratatui::crossterm::event::KeyModifiers;
use ratatui::crossterm::event::{KeyCode, MouseButton, MouseEvent, MouseEventKind};
use sparkdeck::app::findings::{Bar, Finding, Severity, Target, findings};
use sparkdeck::app::overlay::Overlay;
use sparkdeck::app::services::RowFilter;
use sparkdeck::app::update::palette_matches;
use sparkdeck::app::{Effect, Msg, State, Tab, update};
use sparkdeck::model::{ConnState, GpuEvent, GpuSourceState};
use ui_fixtures::*;

const LAB: &str = "spark-lab";

fn of(s: &State, area: &str) -> Vec<Finding> {
    findings(s).into_iter().filter(|f| f.area == area).collect()
}

fn list_at(s: &State) -> Option<usize> {
    match s.overlay {
        Some(Overlay::Problems { selected }) => Some(selected),
        _ => None,
    }
}

/// Opens the list and moves down to the first finding `pick` accepts, then presses Enter.
fn jump_to(s: &mut State, pick: impl Fn(&Finding) -> bool) -> Vec<Effect> {
    let i = findings(s)
        .iter()
        .position(pick)
        .expect("a matching finding");
    update(s, key('!'));
    update(s, key('g'));
    for _ in 0..i {
        update(s, key('j'));
    }
    assert_eq!(list_at(s), Some(i));
    let fx = update(s, code(KeyCode::Enter));
    assert!(s.overlay.is_none(), "enter closes the list");
    fx
}

#[test]
fn connection_states_are_findings_for_every_connection_even_without_an_active_one() {
    let mut s = full_state();
    s.active = None;
    let fs = findings(&s);
    let got: Vec<(Severity, &str, &Target)> = fs
        .iter()
        .map(|f| (f.severity, f.host.as_str(), &f.target))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Severity::Crit,
                "spark-old",
                &Target::Connection("spark-old".into())
            ),
            (
                Severity::Warn,
                "spark-02",
                &Target::Connection("spark-02".into())
            ),
        ]
    );
    assert!(
        fs[0].message.contains("needs a passphrase"),
        "{}",
        fs[0].message
    );
    assert!(fs.iter().all(|f| f.fix.is_some()));
    // Connected, connecting and disconnected connections are not faults.
    let mut s = bare_state();
    update(&mut s, loaded());
    update(
        &mut s,
        Msg::ConnState {
            name: "spark-02".into(),
            generation: 1,
            state: ConnState::Connecting { attempt: 1 },
        },
    );
    assert!(findings(&s).is_empty());
    assert_eq!(Bar::of(&s, &[]), Bar::NoData, "active, nothing read yet");
    s.active = None;
    assert_eq!(Bar::of(&s, &[]), Bar::Empty);
}

#[test]
fn services_findings_are_the_snapshot_problems_with_their_rows() {
    let s = services_fixtures::services_state();
    let fs = of(&s, "services");
    let rows = services_fixtures::rows();
    let expected: Vec<Target> = rows
        .iter()
        .filter(|r| r.is_problem())
        .map(|r| Target::Services(Some(r.id.clone())))
        .collect();
    assert_eq!(
        fs.iter().map(|f| f.target.clone()).collect::<Vec<_>>(),
        expected
    );
    assert!(
        fs.iter()
            .all(|f| f.severity == Severity::Crit && f.host == LAB)
    );
    let snap = sparkdeck::snapshot::problems(s.services_report().unwrap());
    assert_eq!(
        fs.iter().map(|f| f.message.as_str()).collect::<Vec<_>>(),
        snap.iter().map(|p| p.message.as_str()).collect::<Vec<_>>(),
        "the same words as snapshot and doctor"
    );
}

#[test]
fn order_is_crit_then_warn_then_info_and_stable_within_a_level() {
    let mut s = services_fixtures::services_state();
    update(
        &mut s,
        Msg::JobsTriage {
            name: LAB.into(),
            banner: Some("queue stuck: 3 queued, nothing started for 20 min".into()),
            checks: vec![(false, "worker".into(), "no activity".into())],
            hints: vec![(jobs_fixtures::CIRCULAR.into(), "Circular reference".into())],
        },
    );
    let fs = findings(&s);
    let levels: Vec<Severity> = fs.iter().map(|f| f.severity).collect();
    let mut sorted = levels.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(levels, sorted);
    let crit: Vec<&str> = fs
        .iter()
        .filter(|f| f.severity == Severity::Crit)
        .map(|f| f.area.as_str())
        .collect();
    // Connections, then GPU, jobs, services, models: the order the sources are read in.
    assert_eq!(crit[0], "connection");
    assert_eq!(crit[1], "jobs");
    assert!(crit[2..].iter().all(|a| *a == "services"), "{crit:?}");
    assert_eq!(fs.last().unwrap().severity, Severity::Info);
    match Bar::of(&s, &fs) {
        Bar::Problems { counts, worst } => {
            assert_eq!((counts.crit, counts.warn, counts.info), (crit.len(), 2, 1));
            // Another connection's finding names it: the bar has no host column.
            assert!(worst.starts_with("spark-old: "), "{worst}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn gpu_findings_grade_memory_like_snapshot_and_add_raised_temperature_alerts() {
    let mut s = full_state();
    gpu_fixtures::feed(&mut s, LAB, gpu_fixtures::discrete_events(NOW));
    let fs = of(&s, "gpu");
    // 22437 of 24564 MiB on GPU 0 (91 %, over memory_crit_pct: a nearly full framebuffer
    // is a warning, never crit by itself), 17253 on GPU 1 (70 %: only the gauge's colour).
    let got: Vec<(Severity, &Target)> = fs.iter().map(|f| (f.severity, &f.target)).collect();
    assert_eq!(got, vec![(Severity::Warn, &Target::Gpu(Some(0)))]);
    // GPU 1 runs hot for longer than alert_after_samples: a raised alert is a warning;
    // the memory alert of GPU 0 is not repeated (its threshold is graded above).
    for i in 0..6 {
        let mut samples = gpu_fixtures::a5000_samples();
        samples[1].temperature_c = Some(91.0);
        samples[1].utilization_pct = Some(100.0);
        gpu_fixtures::feed(
            &mut s,
            LAB,
            vec![gpu_fixtures::samples_at(NOW + i, samples)],
        );
    }
    let fs = of(&s, "gpu");
    let temp: Vec<&Finding> = fs
        .iter()
        .filter(|f| f.message.contains("temperature") || f.message.contains("°C"))
        .collect();
    assert_eq!(temp.len(), 1, "{fs:#?}");
    assert_eq!(temp[0].severity, Severity::Warn);
    assert_eq!(temp[0].target, Target::Gpu(Some(1)));
    assert!(
        !fs.iter().any(|f| f.message.contains("utilization")),
        "a busy GPU is not a fault: {fs:#?}"
    );
    assert_eq!(
        fs.iter()
            .filter(|f| f.target == Target::Gpu(Some(0)))
            .count(),
        1
    );
}

#[test]
fn gpu_source_errors_follow_the_snapshot_rules() {
    let mut s = full_state();
    // A host without the driver (an admin box) is not a fault.
    gpu_fixtures::feed(
        &mut s,
        LAB,
        vec![GpuEvent::Source(GpuSourceState::NoGpu {
            nvml_error: None,
            smi_error: "cannot run nvidia-smi: No such file or directory".into(),
        })],
    );
    assert!(of(&s, "gpu").is_empty());
    // A driver that lost the GPU is.
    gpu_fixtures::feed(
        &mut s,
        LAB,
        vec![GpuEvent::Source(GpuSourceState::NoGpu {
            nvml_error: Some("Failed to initialize NVML: Driver/library version mismatch".into()),
            smi_error: "nvidia-smi exited with status 18".into(),
        })],
    );
    let fs = of(&s, "gpu");
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0].severity, Severity::Crit);
    assert_eq!(fs[0].target, Target::Gpu(None));
    assert!(
        fs[0].message.contains("version mismatch"),
        "{}",
        fs[0].message
    );
}

#[test]
fn jobs_findings_banner_checks_read_error_and_capped_hints() {
    let mut s = full_state();
    let hints: Vec<(String, String)> = (0..8)
        .map(|i| {
            (
                format!("job-{i:02}-0000-aaaa"),
                "Circular reference detected".into(),
            )
        })
        .collect();
    update(
        &mut s,
        Msg::JobsTriage {
            name: LAB.into(),
            banner: Some("queue stuck".into()),
            checks: vec![
                (true, "credentials".into(), "found".into()),
                (
                    false,
                    "supabase".into(),
                    "app writes 127.0.0.1:54321".into(),
                ),
            ],
            hints,
        },
    );
    let fx = update(&mut s, key('3'));
    let g = jobs_fixtures::load_generation(&fx);
    update(
        &mut s,
        Msg::Jobs {
            name: LAB.into(),
            generation: g,
            result: Err("PGRST301: JWT expired".into()),
            at: NOW,
        },
    );
    let fs = of(&s, "jobs");
    let got: Vec<(Severity, String)> = fs.iter().map(|f| (f.severity, f.message.clone())).collect();
    assert_eq!(got[0], (Severity::Crit, "queue stuck".to_string()));
    assert_eq!(
        got[1],
        (
            Severity::Warn,
            "supabase: app writes 127.0.0.1:54321".to_string()
        )
    );
    assert!(got[2].1.contains("JWT expired") && got[2].0 == Severity::Warn);
    let infos: Vec<&Finding> = fs.iter().filter(|f| f.severity == Severity::Info).collect();
    assert_eq!(infos.len(), 6, "five hints and one line counting the rest");
    assert_eq!(
        infos[0].target,
        Target::Jobs(Some("job-00-0000-aaaa".into()))
    );
    assert!(
        infos[0].message.starts_with("job job-00-0"),
        "{}",
        infos[0].message
    );
    assert_eq!(
        infos[5].message,
        "3 more failed jobs with a known-failure hint"
    );
    assert_eq!(infos[5].target, Target::Jobs(None));
}

#[test]
fn models_findings_are_the_snapshot_problems_with_their_rows() {
    let s = models_fixtures::models_state();
    let fs = of(&s, "models");
    let snap = sparkdeck::snapshot::models_problems(s.models_report().unwrap(), &s.models.settings);
    assert_eq!(fs.len(), snap.len());
    assert!(!fs.is_empty());
    for (f, p) in fs.iter().zip(&snap) {
        assert_eq!(f.target, Target::Models(p.row.clone()));
    }
    // The duplicate names a model row to jump to.
    assert!(fs.iter().any(|f| f.message.contains("bge-m3")
        && f.target == Target::Models(Some(models_fixtures::BGE_ROOT.into()))));
}

#[test]
fn enter_jumps_to_the_service_row_and_clears_a_filter_that_hides_it() {
    let mut s = services_fixtures::services_state();
    // Catalogue only hides the second Ollama (not catalogued).
    s.services.filter = RowFilter::Catalogue;
    update(&mut s, key('1'));
    let fx = jump_to(&mut s, |f| {
        f.target == Target::Services(Some(services_fixtures::OLLAMA2.into()))
    });
    assert_eq!(s.tab, Tab::Services);
    assert_eq!(s.services.filter, RowFilter::All);
    assert_eq!(
        services_fixtures::selected_id(&s),
        services_fixtures::OLLAMA2
    );
    assert_eq!(fx, vec![Effect::LoadServices { name: LAB.into() }]);
    // A filter that shows the row stays.
    s.services.filter = RowFilter::Problems;
    jump_to(&mut s, |f| {
        f.target == Target::Services(Some(services_fixtures::ARANGO.into()))
    });
    assert_eq!(s.services.filter, RowFilter::Problems);
    assert_eq!(
        services_fixtures::selected_id(&s),
        services_fixtures::ARANGO
    );
}

#[test]
fn enter_on_another_connection_goes_to_its_row_on_the_connections_tab() {
    let mut s = services_fixtures::services_state();
    s.filter = tui_input::Input::new("lab".into());
    jump_to(&mut s, |f| {
        f.target == Target::Connection("spark-02".into())
    });
    assert_eq!(s.tab, Tab::Connections);
    assert_eq!(s.filter_text(), "", "the filter hid spark-02");
    assert_eq!(selected(&s), "spark-02");
}

#[test]
fn enter_on_a_gpu_selects_that_card_and_on_a_model_its_row() {
    let mut s = full_state();
    gpu_fixtures::feed(&mut s, LAB, gpu_fixtures::discrete_events(NOW));
    s.gpu.selected_gpu = 1;
    jump_to(&mut s, |f| f.target == Target::Gpu(Some(0)));
    assert_eq!((s.tab, s.gpu.selected_gpu), (Tab::Gpu, 0));

    let mut s = models_fixtures::models_state();
    update(&mut s, key('/'));
    send(&mut s, typed("qwen"));
    update(&mut s, code(KeyCode::Enter));
    let bge = Target::Models(Some(models_fixtures::BGE_ROOT.into()));
    jump_to(&mut s, |f| f.target == bge);
    assert_eq!(s.tab, Tab::Models);
    assert_eq!(s.models.query.value(), "", "the query hid bge-m3");
    assert_eq!(models_fixtures::selected_id(&s), models_fixtures::BGE_ROOT);
}

#[test]
fn enter_on_a_job_hint_selects_the_job_and_reads_every_status_if_it_is_off_the_page() {
    let mut s = jobs_fixtures::jobs_state();
    update(
        &mut s,
        Msg::JobsTriage {
            name: LAB.into(),
            banner: None,
            checks: Vec::new(),
            hints: vec![(jobs_fixtures::TIMEOUT.into(), "upstream timeout".into())],
        },
    );
    let target = Target::Jobs(Some(jobs_fixtures::TIMEOUT.into()));
    let fx = jump_to(&mut s, |f| f.target == target);
    assert!(fx.is_empty(), "on the page already: nothing to read");
    assert_eq!(
        s.jobs_selected().map(|j| j.id.as_str()),
        Some(jobs_fixtures::TIMEOUT)
    );
    // Filtered to 'queued', the job is not on the page: the filter goes and a read follows.
    s.jobs.status_filter = Some(0);
    s.jobs.views.get_mut(LAB).unwrap().page = Some(jobs_fixtures::page(Vec::new(), 0, Some(0)));
    let fx = jump_to(&mut s, |f| f.target == target);
    assert_eq!(s.jobs.status_filter, None);
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::LoadJobs {
                status: None,
                offset: 0,
                ..
            }]
        ),
        "{fx:?}"
    );
    assert_eq!(s.jobs.selected.as_deref(), Some(jobs_fixtures::TIMEOUT));
}

#[test]
fn the_list_moves_clamps_and_closes() {
    let mut s = services_fixtures::services_state();
    let n = findings(&s).len();
    update(&mut s, key('!'));
    assert_eq!(list_at(&s), Some(0));
    update(&mut s, code(KeyCode::Up));
    assert_eq!(list_at(&s), Some(0));
    update(&mut s, code(KeyCode::End));
    assert_eq!(list_at(&s), Some(n - 1));
    update(&mut s, code(KeyCode::Down));
    assert_eq!(list_at(&s), Some(n - 1));
    update(&mut s, code(KeyCode::Home));
    update(&mut s, key('j'));
    assert_eq!(list_at(&s), Some(1));
    // The list is live: it shrinks under the cursor and the position follows.
    update(&mut s, code(KeyCode::End));
    update(
        &mut s,
        Msg::ConnState {
            name: "spark-old".into(),
            generation: 2,
            state: ConnState::Disconnected,
        },
    );
    update(&mut s, key('k'));
    assert_eq!(list_at(&s), Some(n - 3));
    update(&mut s, code(KeyCode::Esc));
    assert!(s.overlay.is_none());
    update(&mut s, key('!'));
    update(&mut s, key('!'));
    assert!(s.overlay.is_none(), "the same key closes it");
}

#[test]
fn the_palette_offers_it_and_a_click_on_the_bar_opens_it() {
    let mut s = services_fixtures::services_state();
    assert!(palette_matches(&s, "problem").contains(&sparkdeck::app::action::Action::Problems));
    s.mouse = true;
    let click = |col: u16| {
        Msg::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: col,
            row: 2,
            modifiers: KeyModifiers::NONE,
        })
    };
    // A tab label still switches tabs.
    update(&mut s, click(3));
    assert_eq!((s.tab, s.overlay.is_none()), (Tab::Connections, true));
    update(&mut s, click(110));
    assert_eq!(list_at(&s), Some(0));
}

#[test]
fn a_host_key_question_interrupts_the_list() {
    let mut s = services_fixtures::services_state();
    update(&mut s, key('!'));
    update(
        &mut s,
        Msg::HostKeyQuestion {
            id: 7,
            name: "spark-02".into(),
            host: "10.0.0.6:22".into(),
            key_type: "ssh-ed25519".into(),
            fingerprint: "SHA256:abc".into(),
            other_known_keys: 0,
        },
    );
    assert!(
        matches!(s.overlay, Some(Overlay::HostKey(_))),
        "{:?}",
        s.overlay
    );
}
