//! Key strings (`ctrl-c`, `shift-tab`, `pgdn`, `?`, `G`) → `KeyBinding`. The inverse is
//! `KeyBinding`'s `Display`; the two round-trip.

use super::keymap::KeyBinding;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use std::str::FromStr;

/// Named keys, with the spelling `Display` prints first; later spellings are aliases.
const NAMED_KEYS: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("return", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("escape", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("space", KeyCode::Char(' ')),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("pgup", KeyCode::PageUp),
    ("pageup", KeyCode::PageUp),
    ("pgdn", KeyCode::PageDown),
    ("pagedown", KeyCode::PageDown),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("del", KeyCode::Delete),
    ("delete", KeyCode::Delete),
    ("backspace", KeyCode::Backspace),
    ("ins", KeyCode::Insert),
    ("insert", KeyCode::Insert),
];

/// What a key string may look like, for error messages.
pub const KEY_FORMS: &str = "a single character (a, G, ?, /, :), f1-f12, or one of enter, esc, \
     tab, space, up, down, left, right, pgup, pgdn, home, end, del, backspace, ins; \
     optionally prefixed with ctrl-, alt- or shift- (e.g. ctrl-c, shift-tab)";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{input}\" is not a key: {reason}; a key is {KEY_FORMS}")]
pub struct KeyParseError {
    pub input: String,
    pub reason: &'static str,
}

impl FromStr for KeyBinding {
    type Err = KeyParseError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let fail = |reason| KeyParseError {
            input: input.to_string(),
            reason,
        };
        let mut mods = KeyModifiers::NONE;
        let mut rest = input;
        // A lone "-" (or "ctrl--") is the minus key, so only strip a prefix when something
        // follows it.
        loop {
            let lower = rest.to_ascii_lowercase();
            let (flag, len) = if lower.starts_with("ctrl-") {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("alt-") {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("shift-") {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            if rest.len() == len {
                break;
            }
            if mods.contains(flag) {
                return Err(fail("a modifier is repeated"));
            }
            mods |= flag;
            rest = &rest[len..];
        }
        if rest.is_empty() {
            return Err(fail("it is empty"));
        }
        if ["ctrl-", "alt-", "shift-"].contains(&rest.to_ascii_lowercase().as_str()) {
            return Err(fail("a modifier needs a key after it"));
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_whitespace() || c.is_control() => {
                return Err(fail("write a space as \"space\""));
            }
            (Some(c), None) => KeyCode::Char(c),
            _ => {
                let lower = rest.to_ascii_lowercase();
                if let Some(code) = NAMED_KEYS
                    .iter()
                    .find(|(n, _)| *n == lower)
                    .map(|(_, c)| *c)
                {
                    code
                } else if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    if !(1..=12).contains(&n) || lower.len() > 3 || lower.starts_with("f0") {
                        return Err(fail("function keys are f1 to f12"));
                    }
                    KeyCode::F(n)
                } else {
                    return Err(fail("unknown key name"));
                }
            }
        };
        Ok(normalise(code, mods))
    }
}

/// One spelling per key event: Shift is folded into characters (`shift-g` is `G`) and
/// into Tab (`shift-tab` is BackTab), which is how terminals report them.
fn normalise(code: KeyCode, mut mods: KeyModifiers) -> KeyBinding {
    let code = match code {
        KeyCode::Char(c) if mods.contains(KeyModifiers::SHIFT) => {
            mods.remove(KeyModifiers::SHIFT);
            let mut upper = c.to_uppercase();
            match (upper.next(), upper.next()) {
                (Some(u), None) => KeyCode::Char(u),
                _ => KeyCode::Char(c),
            }
        }
        KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => {
            mods.remove(KeyModifiers::SHIFT);
            KeyCode::BackTab
        }
        KeyCode::BackTab => {
            mods.remove(KeyModifiers::SHIFT);
            KeyCode::BackTab
        }
        other => other,
    };
    KeyBinding::new(code, mods)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn k(s: &str) -> KeyBinding {
        s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn parses_the_documented_forms() {
        assert_eq!(k("ctrl-c"), KeyBinding::ctrl('c'));
        assert_eq!(
            k("alt-x"),
            KeyBinding::new(KeyCode::Char('x'), KeyModifiers::ALT)
        );
        assert_eq!(k("shift-tab"), KeyBinding::code(KeyCode::BackTab));
        assert_eq!(k("backtab"), KeyBinding::code(KeyCode::BackTab));
        assert_eq!(k("enter"), KeyBinding::code(KeyCode::Enter));
        assert_eq!(k("Esc"), KeyBinding::code(KeyCode::Esc));
        assert_eq!(k("space"), KeyBinding::plain(' '));
        assert_eq!(k("up"), KeyBinding::code(KeyCode::Up));
        assert_eq!(k("pgdn"), KeyBinding::code(KeyCode::PageDown));
        assert_eq!(k("PageUp"), KeyBinding::code(KeyCode::PageUp));
        assert_eq!(k("f5"), KeyBinding::code(KeyCode::F(5)));
        assert_eq!(k("F12"), KeyBinding::code(KeyCode::F(12)));
        for c in ['?', '/', ':', 'G', 'g', '1', '-', 'é'] {
            assert_eq!(k(&c.to_string()), KeyBinding::plain(c));
        }
        assert_eq!(k("shift-g"), KeyBinding::plain('G'));
        assert_eq!(k("ctrl--"), KeyBinding::ctrl('-'));
        assert_eq!(
            k("CTRL-ALT-del"),
            KeyBinding::new(KeyCode::Delete, KeyModifiers::CONTROL | KeyModifiers::ALT)
        );
        assert_eq!(
            k("shift-up"),
            KeyBinding::new(KeyCode::Up, KeyModifiers::SHIFT)
        );
    }

    #[test]
    fn refuses_what_is_not_a_key() {
        for bad in [
            "",
            " ",
            "ctrl-",
            "ctrl-ctrl-c",
            "f0",
            "f13",
            "f05",
            "foo",
            "enterr",
            "ctrl-foo",
            "\t",
            "hyper-x",
        ] {
            let e = bad.parse::<KeyBinding>().unwrap_err();
            assert!(e.to_string().contains("shift-tab"), "{bad:?}: {e}");
        }
        // "ctrl-" alone is the key "-" typed after "ctrl", which is a word, not a key.
        assert!("ctrl-".parse::<KeyBinding>().is_err());
    }

    #[test]
    fn display_round_trips_for_every_default_binding() {
        for (binding, _) in crate::config::Keymap::default().bindings() {
            assert_eq!(k(&binding.to_string()), *binding, "{binding}");
        }
    }

    proptest! {
        #[test]
        fn parser_never_panics(s in ".{0,12}") {
            let _ = s.parse::<KeyBinding>();
        }

        #[test]
        fn whatever_parses_prints_back_to_itself(s in "((ctrl|alt|shift)-){0,3}([ -~]|f[0-9]{1,2}|enter|tab|pgdn|up|home)") {
            if let Ok(b) = s.parse::<KeyBinding>() {
                prop_assert_eq!(b.to_string().parse::<KeyBinding>(), Ok(b));
            }
        }
    }
}
