//! Property tests of the log viewer: arbitrary text (escapes, controls, wide and combining
//! characters) and arbitrary keys never panic at any size, and search ranges always fall on
//! character boundaries and match the needle case-insensitively.

use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sparkdeck::app::logview::{LogView, find_ranges, handle_key, sanitize};
use sparkdeck::config::Theme;

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("\u{1b}[31m".to_string()),
            Just("\u{1b}]0;t\u{7}".to_string()),
            Just("\t".to_string()),
            Just("\r".to_string()),
            Just("日本".to_string()),
            Just("e\u{301}".to_string()),
            Just("İSTANBUL ß".to_string()),
            "[a-zA-Z0-9 ]{0,12}",
            any::<char>().prop_map(String::from),
        ],
        0..12,
    )
    .prop_map(|v| v.concat())
}

fn keys() -> impl Strategy<Value = Vec<KeyCode>> {
    prop::collection::vec(
        prop_oneof![
            Just(KeyCode::Up),
            Just(KeyCode::Down),
            Just(KeyCode::PageUp),
            Just(KeyCode::PageDown),
            Just(KeyCode::Left),
            Just(KeyCode::Right),
            Just(KeyCode::Enter),
            Just(KeyCode::Esc),
            Just(KeyCode::End),
            Just(KeyCode::Home),
            Just(KeyCode::Backspace),
            "[/nNwgGFjkhl a-zİ日]".prop_map(|s| KeyCode::Char(s.chars().next().unwrap())),
        ],
        0..24,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn anything_renders_at_any_size(
        lines in prop::collection::vec(text(), 0..30),
        ks in keys(),
        cap in 1usize..20,
        w in 0u16..50,
        h in 0u16..14,
    ) {
        let mut v = LogView::new(cap);
        v.set_viewport(h);
        v.push_lines(&lines);
        for k in ks {
            handle_key(&mut v, KeyEvent::new(k, KeyModifiers::NONE));
        }
        v.push_lines(&lines);
        prop_assert!(v.len() <= cap);
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| sparkdeck::ui::logview::render(f, f.area(), &v, &Theme::mono(), "log")).unwrap();
    }

    #[test]
    fn sanitized_text_has_no_controls(s in text()) {
        let out = sanitize(&s);
        prop_assert!(!out.chars().any(|c| c.is_control()), "{out:?}");
    }

    #[test]
    fn ranges_are_boundaries_and_real_matches(hay in text(), needle in "[a-zA-Zİß日]{1,3}") {
        let mut last_end = 0;
        for r in find_ranges(&hay, &needle) {
            prop_assert!(r.start >= last_end);
            prop_assert!(hay.is_char_boundary(r.start) && hay.is_char_boundary(r.end));
            let got: String = hay[r.clone()].chars().flat_map(char::to_lowercase).collect();
            let want: String = needle.chars().flat_map(char::to_lowercase).collect();
            prop_assert_eq!(got, want);
            last_end = r.end;
        }
    }
}
