//! Key bindings: `"ctrl-c"`-style strings ↔ key events, per scope, with clash detection.

use crate::app::action::{Action, Scope};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::fmt;

/// One key chord, e.g. `ctrl-c`, `shift-tab`, `?`, `j`, `down`, `f5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyBinding {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl KeyBinding {
    pub const fn new(code: KeyCode, modifiers: KeyModifiers) -> Self {
        Self { code, modifiers }
    }
    pub const fn plain(c: char) -> Self {
        Self::new(KeyCode::Char(c), KeyModifiers::NONE)
    }
    pub const fn ctrl(c: char) -> Self {
        Self::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }
    pub const fn code(code: KeyCode) -> Self {
        Self::new(code, KeyModifiers::NONE)
    }

    /// Does this binding match a key event from the terminal? Shift on a printable
    /// character is already in the character ('G'), so it is ignored there.
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        let mut mods = ev.modifiers;
        // Terminals report Shift on 'G' and on BackTab; the code already carries it.
        if matches!(ev.code, KeyCode::Char(_) | KeyCode::BackTab) {
            mods.remove(KeyModifiers::SHIFT);
        }
        ev.code == self.code && mods == self.modifiers
    }
}

impl fmt::Display for KeyBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::Up => f.write_str("up"),
            KeyCode::Down => f.write_str("down"),
            KeyCode::Left => f.write_str("left"),
            KeyCode::Right => f.write_str("right"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::Delete => f.write_str("del"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Insert => f.write_str("ins"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// The live keymap: every (scope, key) → action. The help overlay is generated from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<(KeyBinding, Action)>,
}

impl Keymap {
    pub fn from_bindings(bindings: Vec<(KeyBinding, Action)>) -> Self {
        Self { bindings }
    }

    /// The action bound to `ev` among the given scopes, first scope first.
    pub fn lookup(&self, ev: &KeyEvent, scopes: &[Scope]) -> Option<Action> {
        scopes.iter().find_map(|scope| {
            self.bindings
                .iter()
                .find(|(k, a)| a.scope() == *scope && k.matches(ev))
                .map(|(_, a)| *a)
        })
    }

    /// Every key bound to `action`, in the order they were defined.
    pub fn keys_for(&self, action: Action) -> Vec<KeyBinding> {
        self.bindings
            .iter()
            .filter(|(_, a)| *a == action)
            .map(|(k, _)| *k)
            .collect()
    }

    pub fn bindings(&self) -> &[(KeyBinding, Action)] {
        &self.bindings
    }
}

impl Default for Keymap {
    fn default() -> Self {
        use Action::*;
        use KeyCode as K;
        let b = KeyBinding::plain;
        let c = KeyBinding::code;
        Self::from_bindings(vec![
            (b('q'), Quit),
            (KeyBinding::ctrl('c'), Quit),
            (b('?'), Help),
            (b(':'), Palette),
            (b('/'), Filter),
            (c(K::Tab), NextTab),
            (c(K::BackTab), PrevTab),
            (b('1'), Tab1),
            (b('2'), Tab2),
            (b('3'), Tab3),
            (b('4'), Tab4),
            (b('5'), Tab5),
            (b('M'), ToggleMouse),
            (KeyBinding::ctrl('r'), Refresh),
            (b('k'), Up),
            (c(K::Up), Up),
            (b('j'), Down),
            (c(K::Down), Down),
            (c(K::PageUp), PageUp),
            (KeyBinding::ctrl('u'), PageUp),
            (c(K::PageDown), PageDown),
            (KeyBinding::ctrl('d'), PageDown),
            (b('g'), Top),
            (c(K::Home), Top),
            (b('G'), Bottom),
            (c(K::End), Bottom),
            (c(K::Enter), Select),
            (c(K::Esc), Back),
            (b('c'), Connect),
            (b('x'), Disconnect),
            (b('a'), Add),
            (b('e'), Edit),
            (b('D'), Delete),
            (b('t'), AddTunnel),
            (b('T'), RemoveTunnel),
        ])
    }
}
