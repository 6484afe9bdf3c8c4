//! Colour themes: semantic roles, so that widgets never pick raw colours.

use ratatui::style::Color;

/// A resolved theme. Built-ins live in `themes/*.toml`; `dark` follows the seed-004 palette.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub name: String,
    /// `Color::Reset` keeps the terminal's own (possibly transparent) background.
    pub bg: Color,
    pub fg: Color,
    pub muted: Color,
    pub accent: Color,
    pub border: Color,
    pub selection_bg: Color,
    pub selection_fg: Color,
    pub ok: Color,
    pub warn: Color,
    pub crit: Color,
    pub info: Color,
    /// Power figures (seed 004: gold).
    pub power: Color,
    /// Card / panel background (seed 004 `--bg-card`).
    pub card_bg: Color,
    /// False for `mono` and under `NO_COLOR`: widgets must rely on text cues alone.
    pub color: bool,
}

impl Theme {
    /// The seed-004 dark palette (NVIDIA green accent on #1a1a2e).
    pub fn dark() -> Self {
        Self {
            name: "dark".into(),
            bg: Color::Reset,
            fg: Color::Rgb(0xe5, 0xe7, 0xeb),
            muted: Color::Rgb(0x9c, 0xa3, 0xaf),
            accent: Color::Rgb(0x22, 0xc5, 0x5e),
            border: Color::Rgb(0x4b, 0x4b, 0x6e),
            selection_bg: Color::Rgb(0x2d, 0x2d, 0x4a),
            selection_fg: Color::Rgb(0xff, 0xff, 0xff),
            ok: Color::Rgb(0x22, 0xc5, 0x5e),
            warn: Color::Rgb(0xea, 0xb3, 0x08),
            crit: Color::Rgb(0xef, 0x44, 0x44),
            info: Color::Rgb(0xf5, 0x9e, 0x0b),
            power: Color::Rgb(0xff, 0xd7, 0x00),
            card_bg: Color::Rgb(0x2d, 0x2d, 0x4a),
            color: true,
        }
    }

    /// No colours at all: reverse video for selection, text cues for state.
    pub fn mono() -> Self {
        Self {
            name: "mono".into(),
            bg: Color::Reset,
            fg: Color::Reset,
            muted: Color::Reset,
            accent: Color::Reset,
            border: Color::Reset,
            selection_bg: Color::Reset,
            selection_fg: Color::Reset,
            ok: Color::Reset,
            warn: Color::Reset,
            crit: Color::Reset,
            info: Color::Reset,
            power: Color::Reset,
            card_bg: Color::Reset,
            color: false,
        }
    }
}

impl Default for Theme {
    fn default() -> Self {
        Theme::dark()
    }
}
