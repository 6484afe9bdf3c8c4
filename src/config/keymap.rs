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
        // Shift is part of a character ('G') and of BackTab already; elsewhere it is shown.
        if self.modifiers.contains(KeyModifiers::SHIFT)
            && !matches!(self.code, KeyCode::Char(_) | KeyCode::BackTab)
        {
            f.write_str("shift-")?;
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

    /// Replace every key of `action` with `keys` (none leaves it unbound). The new keys
    /// take the place of the first old one, so the help overlay keeps its order.
    pub fn rebind(&mut self, action: Action, keys: &[KeyBinding]) {
        let at = self
            .bindings
            .iter()
            .position(|(_, a)| *a == action)
            .unwrap_or(self.bindings.len());
        let before = self.bindings[..at]
            .iter()
            .filter(|(_, a)| *a != action)
            .count();
        self.bindings.retain(|(_, a)| *a != action);
        let mut unique: Vec<KeyBinding> = Vec::with_capacity(keys.len());
        for k in keys {
            if !unique.contains(k) {
                unique.push(*k);
            }
        }
        self.bindings
            .splice(before..before, unique.into_iter().map(|k| (k, action)));
    }

    /// Every pair of different actions that share a key and can fire at the same time
    /// (see [`scopes_overlap`]), in binding order.
    pub fn clashes(&self) -> Vec<KeyClash> {
        let mut out = Vec::new();
        for (i, (k1, a1)) in self.bindings.iter().enumerate() {
            for (k2, a2) in &self.bindings[i + 1..] {
                if k1 == k2 && a1 != a2 && scopes_overlap(a1.scope(), a2.scope()) {
                    out.push(KeyClash {
                        key: *k1,
                        first: *a1,
                        second: *a2,
                    });
                }
            }
        }
        out
    }
}

/// Two actions bound to one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyClash {
    pub key: KeyBinding,
    pub first: Action,
    pub second: Action,
}

/// Can bindings in these two scopes be live at once? Global keys work everywhere; List is
/// live with Connections, Gpu, Jobs, Services and Models (all are lists); the tab scopes
/// never meet.
pub fn scopes_overlap(a: Scope, b: Scope) -> bool {
    a == b
        || a == Scope::Global
        || b == Scope::Global
        || matches!(
            (a, b),
            (Scope::List, Scope::Connections)
                | (Scope::Connections, Scope::List)
                | (Scope::List, Scope::Gpu)
                | (Scope::Gpu, Scope::List)
                | (Scope::List, Scope::Jobs)
                | (Scope::Jobs, Scope::List)
                | (Scope::List, Scope::Services)
                | (Scope::Services, Scope::List)
                | (Scope::List, Scope::Models)
                | (Scope::Models, Scope::List)
        )
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
            (b('!'), Problems),
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
            (c(K::F(5)), Refresh),
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
            (b('K'), Terminate),
            (b('h'), History),
            (b('a'), Alerts),
            (b('['), PrevGpu),
            (c(K::Left), PrevGpu),
            (b(']'), NextGpu),
            (c(K::Right), NextGpu),
            (b('m'), HistoryMetric),
            (b('r'), HistoryRange),
            (b('f'), StatusFilter),
            (b('s'), Sort),
            (b('S'), SortReverse),
            (b('n'), NextPage),
            (b('p'), PrevPage),
            (b(' '), Mark),
            (b('r'), Requeue),
            (b('R'), RequeueMarked),
            (b('y'), CopyId),
            (b('l'), WorkerLog),
            (b('f'), ServiceFilter),
            (b('R'), ServiceRestart),
            (b('S'), ServiceStop),
            (b('s'), ServiceStart),
            (b('l'), ServiceLog),
            (b('t'), ServiceTunnel),
            (b('y'), CopyUrl),
            (b('s'), ModelSort),
            (b('f'), ModelFilter),
            (b('d'), ModelDelete),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_keymap_has_no_clash() {
        assert_eq!(Keymap::default().clashes(), vec![]);
    }

    #[test]
    fn every_action_has_a_default_key() {
        let km = Keymap::default();
        for a in Action::ALL {
            assert!(!km.keys_for(*a).is_empty(), "{} has no key", a.name());
        }
    }

    #[test]
    fn scope_overlap_rules() {
        use Scope::*;
        for s in [Global, List, Connections, Gpu, Jobs, Services, Models] {
            assert!(scopes_overlap(Global, s) && scopes_overlap(s, Global));
            assert!(scopes_overlap(s, s));
        }
        assert!(scopes_overlap(List, Connections));
        assert!(scopes_overlap(Connections, List));
        assert!(scopes_overlap(Gpu, List) && scopes_overlap(List, Gpu));
        // 'a' adds a connection on one tab and toggles GPU alerts on the other.
        assert!(!scopes_overlap(Gpu, Connections));
        assert!(scopes_overlap(Jobs, List) && scopes_overlap(List, Jobs));
        // 'r' cycles the GPU history range there and requeues a job here.
        assert!(!scopes_overlap(Gpu, Jobs) && !scopes_overlap(Jobs, Connections));
        // 'l' opens the worker log on Jobs and a service's log on Services; 't' adds a
        // tunnel on Connections and opens one to a service's port on Services.
        assert!(scopes_overlap(Services, List) && scopes_overlap(List, Services));
        assert!(!scopes_overlap(Services, Jobs) && !scopes_overlap(Services, Connections));
        // 's' and 'f' sort and filter models here and start / filter services there.
        assert!(scopes_overlap(Models, List) && scopes_overlap(List, Models));
        assert!(!scopes_overlap(Models, Services) && !scopes_overlap(Models, Jobs));
    }

    #[test]
    fn rebinding_replaces_keys_in_place() {
        let mut km = Keymap::default();
        let pos = |km: &Keymap| km.bindings().iter().position(|(_, a)| *a == Action::Up);
        let old = pos(&km);
        let w = KeyBinding::plain('w');
        km.rebind(Action::Up, &[w, KeyBinding::code(KeyCode::Up), w]);
        assert_eq!(
            km.keys_for(Action::Up),
            vec![w, KeyBinding::code(KeyCode::Up)]
        );
        assert_eq!(pos(&km), old);
        km.rebind(Action::Up, &[]);
        assert!(km.keys_for(Action::Up).is_empty());
        assert_eq!(km.keys_for(Action::Down).len(), 2);
    }

    #[test]
    fn clash_is_found_between_a_global_and_a_tab_key() {
        let mut km = Keymap::default();
        // 'q' is Quit (Global): a List action on 'q' can never fire.
        km.rebind(Action::Top, &[KeyBinding::plain('q')]);
        let clashes = km.clashes();
        assert_eq!(clashes.len(), 1);
        assert_eq!(
            (clashes[0].first, clashes[0].second),
            (Action::Quit, Action::Top)
        );
        assert_eq!(clashes[0].key.to_string(), "q");

        let mut km = Keymap::default();
        // 'c' is Connect (Connections); a List action on the same key clashes on that tab.
        km.rebind(Action::Select, &[KeyBinding::plain('c')]);
        assert_eq!(km.clashes().len(), 1);
    }

    #[test]
    fn shift_on_a_named_key_is_displayed() {
        let b = KeyBinding::new(KeyCode::Up, KeyModifiers::SHIFT | KeyModifiers::CONTROL);
        assert_eq!(b.to_string(), "ctrl-shift-up");
        assert_eq!(KeyBinding::code(KeyCode::BackTab).to_string(), "shift-tab");
    }
}
