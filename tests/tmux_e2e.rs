//! Drives the real binary in tmux, as a user would: start, look at the tabs, open help,
//! switch tabs, quit, and check the terminal is restored.

mod support;

use support::env::TestEnv;
use support::tmux::Tmux;

#[test]
fn real_binary_shows_tabs_help_and_restores_terminal() {
    let env = TestEnv::new();
    let tmux = Tmux::start(&env, "tabs", 120, 40);
    tmux.run_app(&[]);

    let screen = tmux.wait_for("Connections");
    for tab in ["Connections", "GPU", "Jobs", "Services", "Models"] {
        assert!(screen.contains(tab), "tab {tab} missing:\n{screen}");
    }
    assert!(
        screen.contains("local"),
        "the local machine is listed:\n{screen}"
    );
    assert_eq!(
        tmux.format("#{alternate_on}"),
        "1",
        "TUI uses the alternate screen"
    );

    tmux.send(&["?"]);
    let help = tmux.wait_for("Help: keys");
    assert!(help.contains("quit"), "help lists the quit key:\n{help}");
    tmux.send(&["Escape"]);
    tmux.wait_until("help to close", |t| !t.capture().contains("Help: keys"));

    tmux.send(&["2"]);
    // The GPU tab on this GPU-less machine says so, with both reasons (NVML, nvidia-smi).
    let gpu = tmux.wait_for("no NVIDIA GPU found");
    assert!(gpu.contains("NVML") && gpu.contains("nvidia-smi"), "{gpu}");
    tmux.send(&["Tab"]);
    // The Jobs tab, with no Supabase credentials anywhere, says which ones it needs.
    let jobs = tmux.wait_for("No Supabase credentials");
    assert!(jobs.contains("SUPABASE_SERVICE_ROLE_KEY"), "{jobs}");

    tmux.send(&["q"]);
    tmux.assert_restored();

    // The history database was created under the XDG data dir.
    assert!(env.db_path().exists(), "SQLite store under XDG_DATA_HOME");
}

#[test]
fn real_binary_is_usable_at_40x15() {
    let env = TestEnv::new();
    let tmux = Tmux::start(&env, "small", 40, 15);
    tmux.run_app(&[]);
    let screen = tmux.wait_for("local");
    assert!(!screen.contains("panicked"), "{screen}");
    tmux.send(&["5"]);
    tmux.wait_for("Models");
    tmux.send(&["C-c"]);
    tmux.assert_restored();
}
