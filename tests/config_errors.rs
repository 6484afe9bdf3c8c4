//! Every kind of config error: what it says and where it points.

use sparkdeck::app::action::Action;
use sparkdeck::config::{Config, ConfigError, Invalid, KeyBinding, Theme, parse};
use std::path::Path;

fn err(text: &str) -> ConfigError {
    match parse(text, Path::new("config.toml")) {
        Ok(c) => panic!("expected an error for {text:?}, got {c:?}"),
        Err(e) => e,
    }
}

fn at(e: &ConfigError) -> (usize, usize) {
    let l = e.location().expect("located error");
    (l.line, l.column)
}

#[test]
fn empty_file_is_the_default_config() {
    assert_eq!(parse("", Path::new("c.toml")).unwrap(), Config::default());
    assert_eq!(
        parse("# only a comment\n[general]\n", Path::new("c.toml")).unwrap(),
        Config::default()
    );
}

#[test]
fn unknown_key_names_file_line_and_allowed_keys() {
    let text = "# sparkdeck\n\n[general]\ntheme = \"dark\"\n\n\nmouze = true\n";
    let e = err(text);
    assert_eq!(
        e.to_string(),
        "config.toml:7:1: unknown key \"mouze\" in [general]; allowed: theme, mouse, read_only, tick_ms, background_refresh_s"
    );
    assert!(
        matches!(e.invalid(), Some(Invalid::UnknownKey { key, section, .. })
        if key == "mouze" && section == "general")
    );
}

#[test]
fn unknown_keys_in_every_section_are_refused() {
    for (section, allowed_first) in [
        ("ssh", "known_hosts"),
        ("tunnels", "ollama"),
        ("services", "refresh_s"),
    ] {
        let e = err(&format!("[{section}]\nbogus = 1\n"));
        assert_eq!(at(&e), (2, 1));
        assert!(
            e.to_string().contains(&format!("allowed: {allowed_first}")),
            "{e}"
        );
    }
    let e = err("[general]\ntheme = \"dark\"\n[gnral]\n");
    assert!(matches!(e.invalid(), Some(Invalid::UnknownSection { name, .. }) if name == "gnral"));
    assert_eq!(at(&e), (3, 2));
    assert!(
        e.to_string()
            .contains("allowed: general, ssh, tunnels, gpu, jobs, services, models, keys, theme")
    );
    // Dotted keys and inline tables are still checked.
    let e = err("general.mouze = true\n");
    assert!(matches!(e.invalid(), Some(Invalid::UnknownKey { key, .. }) if key == "mouze"));
    let e = err("ssh = { max_chanels = 2 }\n");
    assert_eq!(at(&e), (1, 9));
}

#[test]
fn wrong_type_names_the_key_and_what_was_expected() {
    let e = err("[general]\nmouse = \"yes\"\n");
    assert_eq!(at(&e), (2, 9));
    match e.invalid() {
        Some(Invalid::BadValue {
            section,
            key,
            message,
        }) => {
            assert_eq!((section.as_str(), key.as_str()), ("general", "mouse"));
            assert!(message.contains("bool"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let e = err("[ssh]\nknown_hosts = 3\n");
    assert!(matches!(e.invalid(), Some(Invalid::BadValue { key, .. }) if key == "known_hosts"));
    let e = err("general = 3\n");
    assert!(
        matches!(e.invalid(), Some(Invalid::NotATable { section, .. }) if section == "general")
    );
}

#[test]
fn out_of_range_values_show_the_allowed_range() {
    let cases = [
        ("[general]\ntick_ms = 10\n", "tick_ms", "50..=60000"),
        ("[ssh]\nmax_channels = 10\n", "max_channels", "1..=9"),
        ("[ssh]\nmax_channels = 0\n", "max_channels", "1..=9"),
        (
            "[tunnels]\nollama_local_port = 70000\n",
            "ollama_local_port",
            "1..=65535",
        ),
        (
            "[tunnels]\nollama_remote_port = 0\n",
            "ollama_remote_port",
            "1..=65535",
        ),
        (
            "[tunnels]\nollama_local_port = -1\n",
            "ollama_local_port",
            "1..=65535",
        ),
        (
            "[ssh]\nconnect_timeout_s = 0\n",
            "connect_timeout_s",
            "1..=300",
        ),
        (
            "[ssh]\nkeepalive_max = 99999999999999999999999\n",
            "keepalive_max",
            "1..=100",
        ),
    ];
    for (text, key, range) in cases {
        let e = err(text);
        assert_eq!(at(&e).0, 2, "{text}");
        match e.invalid() {
            Some(Invalid::OutOfRange {
                key: k, allowed, ..
            }) => {
                assert_eq!((k.as_str(), allowed.as_str()), (key, range), "{text}");
            }
            other => panic!("{text}: {other:?}"),
        }
    }
    let e = err("[tunnels]\nollama_local_port = 0x10000\n");
    assert!(e.to_string().contains("ollama_local_port = 0x10000"), "{e}");
}

#[test]
fn reconnect_initial_may_not_exceed_max() {
    let e = err("[ssh]\nreconnect_max_s = 5\nreconnect_initial_s = 30\n");
    assert_eq!(at(&e), (3, 23));
    assert!(e.to_string().contains("at most reconnect_max_s (5)"), "{e}");
    // Only the max given: the default initial (1) is fine with 5, but not with a max of 0.
    assert!(parse("[ssh]\nreconnect_max_s = 5\n", Path::new("c")).is_ok());
}

#[test]
fn unknown_theme_name_lists_built_ins() {
    let e = err("[general]\ntheme = \"drak\"\n");
    assert_eq!(at(&e), (2, 9));
    assert!(matches!(e.invalid(), Some(Invalid::UnknownTheme { value, .. }) if value == "drak"));
    assert!(e.to_string().contains("allowed: dark, light, mono"), "{e}");
}

#[test]
fn missing_theme_file_is_reported_at_the_theme_key() {
    let e = err("[general]\ntheme = \"/nonexistent/sparkdeck/nope.toml\"\n");
    assert_eq!(at(&e), (2, 9));
    assert!(
        matches!(e.invalid(), Some(Invalid::ThemeFile { .. })),
        "{e}"
    );
}

#[test]
fn built_in_themes_are_selected_by_name() {
    let c = parse("[general]\ntheme = \"mono\"\n", Path::new("c")).unwrap();
    assert_eq!(c.theme, Theme::mono());
    let c = parse("[general]\ntheme = \"light\"\n", Path::new("c")).unwrap();
    assert_eq!(c.theme.name, "light");
    assert_eq!(parse("", Path::new("c")).unwrap().theme, Theme::dark());
}

#[test]
fn theme_table_overrides_single_fields() {
    let c = parse(
        "[theme]\nbg = \"#1a1a2e\"\naccent = \"red\"\nborder = 240\n",
        Path::new("c"),
    )
    .unwrap();
    let mut want = Theme::dark();
    want.bg = ratatui::style::Color::Rgb(0x1a, 0x1a, 0x2e);
    want.accent = ratatui::style::Color::Red;
    want.border = ratatui::style::Color::Indexed(240);
    assert_eq!(c.theme, want);
}

#[test]
fn bad_colour_lists_the_allowed_forms() {
    let e = err("[theme]\nok = \"grean\"\n");
    assert_eq!(at(&e), (2, 6));
    let msg = e.to_string();
    assert!(matches!(e.invalid(), Some(Invalid::BadColour { field, .. }) if field == "ok"));
    for form in ["#rrggbb", "0-255", "reset", "darkgray", "lightcyan"] {
        assert!(msg.contains(form), "{msg}");
    }
    let e = err("[theme]\nname = \"x\"\n");
    assert!(matches!(e.invalid(), Some(Invalid::UnknownKey { key, .. }) if key == "name"));
}

#[test]
fn keys_remap_and_show_in_keys_for() {
    let c = parse(
        "[keys]\nup = [\"w\", \"up\"]\nquit = \"ctrl-q\"\nhelp = \"f1\"\n",
        Path::new("c"),
    )
    .unwrap();
    let shown = |a| {
        c.keymap
            .keys_for(a)
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(shown(Action::Up), ["w", "up"]);
    assert_eq!(shown(Action::Quit), ["ctrl-q"]);
    assert_eq!(shown(Action::Help), ["f1"]);
    // Untouched actions keep their defaults.
    assert_eq!(shown(Action::Down), ["j", "down"]);
    // 'k' is free now; binding it elsewhere is fine.
    let c = parse("[keys]\nup = \"w\"\nrefresh = \"k\"\n", Path::new("c")).unwrap();
    assert_eq!(
        c.keymap.keys_for(Action::Refresh),
        vec![KeyBinding::plain('k')]
    );
}

#[test]
fn unknown_action_lists_all_actions() {
    let e = err("[keys]\nqiut = \"q\"\n");
    assert_eq!(at(&e), (2, 1));
    let msg = e.to_string();
    for a in Action::ALL {
        assert!(msg.contains(a.name()), "{} missing from {msg}", a.name());
    }
}

#[test]
fn bad_key_string_is_located_in_the_array() {
    let e = err("[keys]\nup = [\"k\", \"ctrl-\"]\n");
    assert_eq!(at(&e), (2, 12));
    assert!(
        matches!(e.invalid(), Some(Invalid::BadKey { action, value, .. })
        if action == "up" && value == "ctrl-")
    );
    let e = err("[keys]\nup = 5\n");
    assert!(matches!(e.invalid(), Some(Invalid::BadValue { key, .. }) if key == "up"));
}

#[test]
fn clash_names_both_actions_and_the_key() {
    // 'q' is still Quit (global), so Top can never fire on it.
    let e = err("[keys]\n\ntop = \"q\"\n");
    assert_eq!(at(&e), (3, 7));
    assert_eq!(
        e.invalid(),
        Some(&Invalid::Clash {
            key: "q".into(),
            first: Action::Quit,
            second: Action::Top
        })
    );
    let msg = e.to_string();
    assert!(
        msg.contains("quit") && msg.contains("top") && msg.contains("\"q\""),
        "{msg}"
    );
    // List and Connections are live together on the Connections tab.
    let e = err("[keys]\nconnect = \"j\"\n");
    assert!(matches!(e.invalid(), Some(Invalid::Clash { .. })));
    // Moving Quit away first makes 'q' free.
    assert!(parse("[keys]\nquit = \"ctrl-q\"\ntop = \"q\"\n", Path::new("c")).is_ok());
}

#[test]
fn syntax_errors_are_located() {
    let e = err("[general]\nmouse = \n");
    assert!(matches!(e.invalid(), Some(Invalid::Syntax { .. })));
    assert_eq!(at(&e).0, 2);
    assert!(e.to_string().starts_with("config.toml:2:"), "{e}");
}

#[test]
fn garbage_never_panics() {
    for text in [
        "\u{0}",
        "[[general]]\n",
        "[keys]\n[keys]\n",
        "= =",
        "[theme]\nbg = {}\n",
        "[keys]\nup = [[\"k\"]]\n",
        "[general]\ntheme = 3\n",
        "\u{feff}[general]",
        "[general]\ntick_ms = 1e3\n",
        "[ssh]\nreconnect_max_s = 0\n",
    ] {
        let _ = parse(text, Path::new("c"));
    }
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            let _ = parse(&text, Path::new("c.toml"));
        }

        // Near-valid documents reach the section, range, theme and key checks.
        #[test]
        fn near_valid_documents_fail_with_a_location_inside_the_file(
            section in "(general|ssh|tunnels|keys|theme|x)",
            key in "(theme|mouse|tick_ms|max_channels|ollama_local_port|reconnect_max_s|up|quit|top|bg|accent|[a-z_]{1,10})",
            value in "(\"[ -~]{0,10}\"|-?[0-9]{1,12}|true|\\[\"[a-z?:/-]{0,8}\", \"[a-zA-Z]{1,3}\"\\]|\\{\\})",
        ) {
            let text = format!("# fuzz\n[{section}]\n{key} = {value}\n");
            if let Err(e) = parse(&text, Path::new("c.toml"))
                && let Some(loc) = e.location()
            {
                prop_assert!((1..=4).contains(&loc.line), "{}: {}", text, e);
                prop_assert!(loc.column >= 1);
            }
        }
    }
}

#[test]
fn gpu_section_values_are_read() {
    let text = "[gpu]\ninterval_ms = 1000\nhistory_window_s = 30\nretention_days = 7\n\
                utilization_warn_pct = 40\nutilization_crit_pct = 90.5\nhysteresis = 0\n\
                alert_after_samples = 3\n";
    let gpu = parse(text, Path::new("config.toml")).unwrap().gpu;
    assert_eq!(gpu.interval_ms, 1000);
    assert_eq!(gpu.history_window_s, 30);
    assert_eq!(gpu.retention_days, 7);
    // An integer is accepted where a decimal is expected.
    assert_eq!(gpu.utilization_warn_pct, 40.0);
    assert_eq!(gpu.utilization_crit_pct, 90.5);
    assert_eq!(gpu.hysteresis, 0.0);
    assert_eq!(gpu.alert_after_samples, 3);
    assert_eq!(
        gpu.temperature_crit_c, 80.0,
        "unset keys keep their default"
    );
}

#[test]
fn gpu_out_of_range_values_are_located_with_their_range() {
    let cases = [
        ("interval_ms = 100", "interval_ms", "250..=60000"),
        ("sparkline_s = 5", "sparkline_s", "10..=3600"),
        (
            "processes_interval_s = 0",
            "processes_interval_s",
            "1..=3600",
        ),
        ("history_window_s = 4000", "history_window_s", "5..=3600"),
        ("retention_days = 0", "retention_days", "1..=3650"),
        (
            "alert_after_samples = 1001",
            "alert_after_samples",
            "1..=1000",
        ),
        (
            "utilization_warn_pct = 101",
            "utilization_warn_pct",
            "0..=100",
        ),
        ("memory_crit_pct = -0.5", "memory_crit_pct", "0..=100"),
        (
            "temperature_crit_c = 150.5",
            "temperature_crit_c",
            "0..=150",
        ),
        ("hysteresis = 51", "hysteresis", "0..=50"),
        ("hysteresis = nan", "hysteresis", "0..=50"),
    ];
    for (line, key, range) in cases {
        let text = format!("# gpu\n[gpu]\n\n{line}\n");
        let e = err(&text);
        assert_eq!(at(&e), (4, key.len() + 4), "{text}");
        match e.invalid() {
            Some(Invalid::OutOfRange {
                section,
                key: k,
                allowed,
                ..
            }) => assert_eq!(
                (section.as_str(), k.as_str(), allowed.as_str()),
                ("gpu", key, range),
                "{text}"
            ),
            other => panic!("{text}: {other:?}"),
        }
        assert!(
            e.to_string().starts_with("config.toml:4:"),
            "{e} does not name file and line"
        );
    }
}

#[test]
fn gpu_warn_above_crit_is_refused_at_the_warn_key() {
    let e = err("[gpu]\ntemperature_crit_c = 70\ntemperature_warn_c = 75\n");
    assert_eq!(at(&e), (3, 22));
    assert!(
        matches!(e.invalid(), Some(Invalid::OutOfRange { key, allowed, .. })
            if key == "temperature_warn_c" && allowed.contains("temperature_crit_c (70)")),
        "{e}"
    );
    // Only the crit set, below the default warn (50): the crit key is what the file shows.
    let e = err("[gpu]\n\nmemory_crit_pct = 40\n");
    assert_eq!(at(&e).0, 3);
    assert!(e.to_string().contains("memory_warn_pct"), "{e}");
    // Equal borders are allowed (a value goes straight to red).
    parse(
        "[gpu]\nutilization_warn_pct = 70\nutilization_crit_pct = 70\n",
        Path::new("c"),
    )
    .unwrap();
}

#[test]
fn gpu_wrong_types_and_unknown_keys_are_refused() {
    let e = err("[gpu]\ninterval_ms = \"2s\"\n");
    assert_eq!(at(&e).0, 2);
    assert!(e.to_string().contains("interval_ms"), "{e}");
    let e = err("[gpu]\nhysteresis = true\n");
    assert!(e.to_string().contains("hysteresis"), "{e}");
    let e = err("[gpu]\nretention = 3\n");
    assert!(
        e.to_string().contains("allowed: interval_ms, sparkline_s"),
        "{e}"
    );
}
