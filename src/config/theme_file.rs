//! Theme files (`themes/*.toml` and user files) and colour strings.
//!
//! A theme file is a flat TOML table: one key per `Theme` colour field, plus optional
//! `name` and `color`. The built-ins are embedded so the binary needs no data files.

use super::error::{Allowed, ConfigError, Invalid};
use super::spanned::{entries_in_file_order, parse_document, show_value};
use super::theme::Theme;
use ratatui::style::Color;
use std::path::Path;
use toml::de::{DeTable, DeValue};

/// Built-in themes: name and the embedded file.
pub const BUILTIN_THEMES: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    ("mono", include_str!("../../themes/mono.toml")),
];

/// Every colour field of `Theme`, in declaration order; the keys of a theme file and of
/// the config's `[theme]` table.
pub const COLOUR_FIELDS: &[&str] = &[
    "bg",
    "fg",
    "muted",
    "accent",
    "border",
    "selection_bg",
    "selection_fg",
    "ok",
    "warn",
    "crit",
    "info",
    "power",
    "card_bg",
];

/// The 16 terminal colours by name; they follow the user's terminal palette.
pub const NAMED_COLOURS: &[(&str, Color)] = &[
    ("black", Color::Black),
    ("red", Color::Red),
    ("green", Color::Green),
    ("yellow", Color::Yellow),
    ("blue", Color::Blue),
    ("magenta", Color::Magenta),
    ("cyan", Color::Cyan),
    ("gray", Color::Gray),
    ("darkgray", Color::DarkGray),
    ("lightred", Color::LightRed),
    ("lightgreen", Color::LightGreen),
    ("lightyellow", Color::LightYellow),
    ("lightblue", Color::LightBlue),
    ("lightmagenta", Color::LightMagenta),
    ("lightcyan", Color::LightCyan),
    ("white", Color::White),
];

/// Parse `#rrggbb`, a colour name (case, `-`, `_` and `grey` tolerated), an ANSI index
/// `0`-`255`, or `reset`. `None` for anything else.
pub fn parse_colour(s: &str) -> Option<Color> {
    let s = s.trim();
    if let Some(hex) = s.strip_prefix('#') {
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        return Some(Color::Rgb(byte(0)?, byte(2)?, byte(4)?));
    }
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<u8>().ok().map(Color::Indexed);
    }
    let norm: String = s
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .collect::<String>()
        .to_ascii_lowercase()
        .replace("grey", "gray");
    if norm == "reset" {
        return Some(Color::Reset);
    }
    NAMED_COLOURS
        .iter()
        .find(|(n, _)| *n == norm)
        .map(|(_, c)| *c)
}

/// The theme-file spelling of a colour; `parse_colour` reads it back to the same colour.
pub fn colour_to_string(c: Color) -> String {
    match c {
        Color::Reset => "reset".into(),
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Indexed(i) => i.to_string(),
        named => NAMED_COLOURS
            .iter()
            .find(|(_, c)| *c == named)
            .map_or_else(|| format!("{named:?}"), |(n, _)| (*n).to_string()),
    }
}

/// The colour field `name` of `theme`, for reading and overriding by name.
pub fn colour_field_mut<'t>(theme: &'t mut Theme, name: &str) -> Option<&'t mut Color> {
    Some(match name {
        "bg" => &mut theme.bg,
        "fg" => &mut theme.fg,
        "muted" => &mut theme.muted,
        "accent" => &mut theme.accent,
        "border" => &mut theme.border,
        "selection_bg" => &mut theme.selection_bg,
        "selection_fg" => &mut theme.selection_fg,
        "ok" => &mut theme.ok,
        "warn" => &mut theme.warn,
        "crit" => &mut theme.crit,
        "info" => &mut theme.info,
        "power" => &mut theme.power,
        "card_bg" => &mut theme.card_bg,
        _ => return None,
    })
}

/// A built-in theme by name, or `None` when there is no such built-in.
pub fn builtin(name: &str) -> Option<Result<Theme, ConfigError>> {
    BUILTIN_THEMES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, text)| parse_theme(text, Path::new(&format!("themes/{n}.toml")), n))
}

/// Parse a theme file. `default_name` names the theme when the file has no `name` key.
pub fn parse_theme(text: &str, origin: &Path, default_name: &str) -> Result<Theme, ConfigError> {
    let doc = parse_document(text, origin)?;
    let mut theme = Theme::mono();
    theme.name = default_name.to_string();
    theme.color = true;
    let set = apply_theme_table(&mut theme, doc.get_ref(), text, origin, true)?;
    let missing: Vec<&str> = COLOUR_FIELDS
        .iter()
        .copied()
        .filter(|f| !set.contains(f))
        .collect();
    if !missing.is_empty() {
        return Err(ConfigError::at(
            origin,
            text,
            0,
            Invalid::ThemeIncomplete {
                missing: Allowed::of(missing),
            },
        ));
    }
    Ok(theme)
}

/// Apply a table of `field = "colour"` entries (plus `color`, and `name` in theme files) to
/// `theme`. Returns the colour fields it set.
pub(crate) fn apply_theme_table(
    theme: &mut Theme,
    table: &DeTable<'_>,
    text: &str,
    origin: &Path,
    is_theme_file: bool,
) -> Result<Vec<&'static str>, ConfigError> {
    let err = |offset: usize, invalid: Invalid| ConfigError::at(origin, text, offset, invalid);
    let mut set = Vec::new();
    for (key, value) in entries_in_file_order(table) {
        let name = key.get_ref().as_ref();
        let at = value.span().start;
        match name {
            "name" if is_theme_file => match value.get_ref() {
                DeValue::String(s) => theme.name = s.to_string(),
                other => {
                    return Err(err(
                        at,
                        Invalid::BadValue {
                            section: "theme".into(),
                            key: "name".into(),
                            message: format!("expected a string, found {}", show_value(other)),
                        },
                    ));
                }
            },
            "color" => match value.get_ref() {
                DeValue::Boolean(b) => theme.color = *b,
                other => {
                    return Err(err(
                        at,
                        Invalid::BadValue {
                            section: "theme".into(),
                            key: "color".into(),
                            message: format!("expected true or false, found {}", show_value(other)),
                        },
                    ));
                }
            },
            _ => {
                let Some(field) = COLOUR_FIELDS.iter().copied().find(|f| *f == name) else {
                    let mut allowed: Vec<&str> = Vec::new();
                    if is_theme_file {
                        allowed.push("name");
                    }
                    allowed.push("color");
                    allowed.extend_from_slice(COLOUR_FIELDS);
                    return Err(err(
                        key.span().start,
                        Invalid::UnknownKey {
                            section: "theme".into(),
                            key: name.to_string(),
                            allowed: Allowed::of(allowed),
                        },
                    ));
                };
                let colour = match value.get_ref() {
                    DeValue::String(s) => parse_colour(s),
                    DeValue::Integer(i) => u8::from_str_radix(i.as_str(), i.radix())
                        .ok()
                        .map(Color::Indexed),
                    _ => None,
                };
                let Some(colour) = colour else {
                    return Err(err(
                        at,
                        Invalid::BadColour {
                            field: field.to_string(),
                            value: show_value(value.get_ref()),
                        },
                    ));
                };
                if let Some(slot) = colour_field_mut(theme, field) {
                    *slot = colour;
                }
                set.push(field);
            }
        }
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse_in_every_documented_form() {
        assert_eq!(parse_colour("#22c55e"), Some(Color::Rgb(0x22, 0xc5, 0x5e)));
        assert_eq!(parse_colour("#FFD700"), Some(Color::Rgb(0xff, 0xd7, 0x00)));
        assert_eq!(parse_colour("red"), Some(Color::Red));
        assert_eq!(parse_colour("DarkGray"), Some(Color::DarkGray));
        assert_eq!(parse_colour("dark_grey"), Some(Color::DarkGray));
        assert_eq!(parse_colour("light-blue"), Some(Color::LightBlue));
        assert_eq!(parse_colour("245"), Some(Color::Indexed(245)));
        assert_eq!(parse_colour("0"), Some(Color::Indexed(0)));
        assert_eq!(parse_colour("reset"), Some(Color::Reset));
    }

    #[test]
    fn bad_colours_are_refused() {
        for bad in [
            "",
            "#",
            "#12345",
            "#1234567",
            "#gggggg",
            "256",
            "-1",
            "grean",
            "rgb(1,2,3)",
            "#ééé",
        ] {
            assert_eq!(parse_colour(bad), None, "{bad:?} should not parse");
        }
    }

    #[test]
    fn colour_strings_round_trip() {
        let mut all: Vec<Color> = NAMED_COLOURS.iter().map(|(_, c)| *c).collect();
        all.extend([Color::Reset, Color::Indexed(17), Color::Rgb(1, 0xab, 0xff)]);
        for c in all {
            assert_eq!(parse_colour(&colour_to_string(c)), Some(c), "{c:?}");
        }
    }

    #[test]
    fn every_builtin_theme_parses_and_is_named_after_itself() {
        for (name, _) in BUILTIN_THEMES {
            let theme = builtin(name)
                .expect("listed")
                .expect("valid built-in theme");
            assert_eq!(theme.name, *name);
        }
        assert!(builtin("solarized").is_none());
    }

    #[test]
    fn dark_file_matches_the_dark_constructor() {
        assert_eq!(builtin("dark").unwrap().unwrap(), Theme::dark());
    }

    #[test]
    fn mono_file_matches_the_mono_constructor() {
        assert_eq!(builtin("mono").unwrap().unwrap(), Theme::mono());
    }

    #[test]
    fn light_theme_is_coloured_and_differs_from_dark() {
        let light = builtin("light").unwrap().unwrap();
        assert!(light.color);
        assert_ne!(light.fg, Theme::dark().fg);
    }

    #[test]
    fn theme_file_errors_name_the_field_and_the_allowed_forms() {
        let full: String = COLOUR_FIELDS
            .iter()
            .map(|f| format!("{f} = \"reset\"\n"))
            .collect();
        let origin = Path::new("my.toml");
        assert!(parse_theme(&full, origin, "my").is_ok());

        let bad = full.replace("accent = \"reset\"", "accent = \"grean\"");
        let e = parse_theme(&bad, origin, "my").unwrap_err();
        assert!(matches!(e.invalid(), Some(Invalid::BadColour { field, .. }) if field == "accent"));
        assert_eq!(e.location().unwrap().line, 4);
        let msg = e.to_string();
        assert!(
            msg.contains("\"grean\"") && msg.contains("#rrggbb") && msg.contains("darkgray"),
            "{msg}"
        );

        let unknown = format!("{full}acent = \"red\"\n");
        let e = parse_theme(&unknown, origin, "my").unwrap_err();
        assert!(matches!(e.invalid(), Some(Invalid::UnknownKey { key, .. }) if key == "acent"));
        assert!(
            e.to_string().contains("allowed: name, color, bg, fg"),
            "{e}"
        );

        let incomplete = full.replace("power = \"reset\"\n", "");
        let e = parse_theme(&incomplete, origin, "my").unwrap_err();
        assert!(
            matches!(e.invalid(), Some(Invalid::ThemeIncomplete { missing }) if missing.0 == ["power"])
        );

        let e = parse_theme("bg = [", origin, "my").unwrap_err();
        assert!(matches!(e.invalid(), Some(Invalid::Syntax { .. })));

        let e = parse_theme(&format!("{full}color = \"no\"\n"), origin, "my").unwrap_err();
        assert!(matches!(e.invalid(), Some(Invalid::BadValue { key, .. }) if key == "color"));
    }

    #[test]
    fn ansi_index_may_be_a_toml_integer() {
        let text: String = COLOUR_FIELDS.iter().map(|f| format!("{f} = 8\n")).collect();
        let t = parse_theme(&text, Path::new("i.toml"), "i").unwrap();
        assert_eq!(t.fg, Color::Indexed(8));
        let e = parse_theme(
            &text.replace("fg = 8", "fg = 300"),
            Path::new("i.toml"),
            "i",
        )
        .unwrap_err();
        assert!(matches!(e.invalid(), Some(Invalid::BadColour { value, .. }) if value == "300"));
    }
}
