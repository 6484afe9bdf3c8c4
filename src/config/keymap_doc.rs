//! The keymap as markdown tables: `sparkdeck config keys` prints it for the user's own
//! config, and docs/keybindings.md holds it for the defaults (a test keeps the two equal).

use super::keymap::{KeyBinding, Keymap};
use crate::app::action::{Action, Scope};
use std::collections::BTreeSet;

/// The section heading of a scope. The match is exhaustive so that a new scope cannot be
/// added without a heading for it.
fn heading(scope: Scope) -> &'static str {
    match scope {
        Scope::Global => "Global",
        Scope::List => "Lists and tables (every tab with a list)",
        Scope::Connections => "Connections tab",
        Scope::Gpu => "GPU tab",
        Scope::Jobs => "Jobs tab",
        Scope::Services => "Services tab",
        Scope::Models => "Models tab",
    }
}

/// One key as a markdown code span that survives inside a table cell.
fn key_cell(key: &KeyBinding) -> String {
    let text = key.to_string();
    // A backtick cannot sit in a single-backtick span; `|` would end the table cell even
    // inside a code span (GFM), so it is escaped.
    let span = if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    };
    span.replace('|', "\\|")
}

/// Every action of `keymap` with its keys and description, one table per scope, scopes in
/// their declared order and actions in `Action::ALL` order. Scopes come from the actions
/// themselves, so a new action shows up here without touching this file. An action with
/// no key (unbound in `[keys]`) is listed as `unbound`, so the table always names all of them.
pub fn keymap_markdown(keymap: &Keymap) -> String {
    let scopes: BTreeSet<Scope> = Action::ALL.iter().map(|a| a.scope()).collect();
    let mut out = String::new();
    for (i, scope) in scopes.into_iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("## {}\n\n", heading(scope)));
        out.push_str("| action (`[keys]` name) | keys | what it does |\n");
        out.push_str("|---|---|---|\n");
        for action in Action::ALL.iter().filter(|a| a.scope() == scope) {
            let keys: Vec<String> = keymap.keys_for(*action).iter().map(key_cell).collect();
            let keys = if keys.is_empty() {
                "unbound".to_string()
            } else {
                keys.join(", ")
            };
            out.push_str(&format!(
                "| `{}` | {} | {} |\n",
                action.name(),
                keys,
                action.description().replace('|', "\\|")
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyCode;

    #[test]
    fn every_action_appears_once_under_its_scope() {
        let md = keymap_markdown(&Keymap::default());
        for action in Action::ALL {
            let prefix = format!("| `{}` |", action.name());
            let rows: Vec<usize> = md
                .lines()
                .enumerate()
                .filter(|(_, l)| l.starts_with(&prefix))
                .map(|(n, _)| n)
                .collect();
            assert_eq!(rows.len(), 1, "{} rows for {}", rows.len(), action.name());
            let section = md
                .lines()
                .take(rows[0])
                .filter(|l| l.starts_with("## "))
                .last()
                .unwrap();
            assert_eq!(section, format!("## {}", heading(action.scope())));
        }
    }

    #[test]
    fn default_rows_show_keys_in_binding_order() {
        let md = keymap_markdown(&Keymap::default());
        assert!(md.starts_with("## Global\n\n| action (`[keys]` name) | keys | what it does |\n"));
        assert!(md.contains("| `quit` | `q`, `ctrl-c` | quit sparkdeck |\n"));
        assert!(md.contains("| `refresh` | `ctrl-r`, `f5` | refresh now |\n"));
        assert!(md.contains("| `mark` | `space` | mark / unmark the selected job |\n"));
        assert!(md.contains("\n## Lists and tables (every tab with a list)\n\n"));
    }

    #[test]
    fn a_remapped_keymap_shows_its_own_keys_and_unbound_actions() {
        let mut km = Keymap::default();
        km.rebind(Action::Up, &[KeyBinding::plain('w')]);
        km.rebind(Action::AddTunnel, &[]);
        let md = keymap_markdown(&km);
        assert!(md.contains("| `up` | `w` | move up |\n"));
        assert!(md.contains("| `add_tunnel` | unbound | "));
    }

    #[test]
    fn pipe_and_backtick_keys_keep_the_table_intact() {
        assert_eq!(key_cell(&KeyBinding::plain('|')), "`\\|`");
        assert_eq!(key_cell(&KeyBinding::plain('`')), "`` ` ``");
        assert_eq!(key_cell(&KeyBinding::code(KeyCode::F(5))), "`f5`");
        let mut km = Keymap::default();
        km.rebind(Action::Help, &[KeyBinding::plain('|')]);
        let md = keymap_markdown(&km);
        let row = md.lines().find(|l| l.starts_with("| `help` |")).unwrap();
        // Four unescaped pipes: the row still has three cells.
        let bare = row.replace("\\|", "");
        assert_eq!(bare.matches('|').count(), 4, "{row}");
    }
}
