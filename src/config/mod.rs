//! Configuration: TOML file (XDG), embedded defaults, themes and keymap.

pub mod error;
pub mod key_parse;
pub mod keymap;
pub mod load;
pub mod paths;
mod spanned;
pub mod theme;
pub mod theme_file;

pub use error::{ConfigError, Invalid, Location};
pub use keymap::{KeyBinding, Keymap};
pub use load::{load, load_with, no_color, parse, parse_with};
pub use theme::Theme;

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The whole configuration after loading and validation. Every field has a default, so an
/// empty file (or no file) is a valid configuration.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Config {
    pub general: General,
    pub ssh: SshSettings,
    pub tunnels: TunnelSettings,
    pub theme: Theme,
    pub keymap: Keymap,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct General {
    /// Built-in theme name (`dark`, `light`, `mono`) or a path to a theme TOML file.
    pub theme: String,
    /// Capture the mouse at start (toggle at run time with `M`).
    pub mouse: bool,
    /// Start in read-only mode (as `--read-only`).
    pub read_only: bool,
    /// Milliseconds between UI ticks for ages and clocks; data redraws when it arrives.
    pub tick_ms: u64,
}

impl Default for General {
    fn default() -> Self {
        Self {
            theme: "dark".into(),
            mouse: false,
            read_only: false,
            tick_ms: 1000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SshSettings {
    /// known_hosts file to check and learn host keys in (default `~/.ssh/known_hosts`).
    pub known_hosts: Option<PathBuf>,
    /// `~/.ssh/config` to read aliases from (default `~/.ssh/config`).
    pub config_file: Option<PathBuf>,
    pub connect_timeout_s: u64,
    pub keepalive_interval_s: u64,
    pub keepalive_max: u32,
    /// Concurrent exec channels per connection; must stay below sshd's MaxSessions (10).
    pub max_channels: u32,
    /// First reconnect delay; doubles up to `reconnect_max_s`, with jitter.
    pub reconnect_initial_s: u64,
    pub reconnect_max_s: u64,
}

impl Default for SshSettings {
    fn default() -> Self {
        Self {
            known_hosts: None,
            config_file: None,
            connect_timeout_s: 10,
            keepalive_interval_s: 5,
            keepalive_max: 3,
            max_channels: 8,
            reconnect_initial_s: 1,
            reconnect_max_s: 60,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TunnelSettings {
    /// Open `ollama_local_port → localhost:ollama_remote_port` on every connect.
    pub ollama: bool,
    pub ollama_local_port: u16,
    pub ollama_remote_port: u16,
}

impl Default for TunnelSettings {
    fn default() -> Self {
        Self {
            ollama: true,
            ollama_local_port: 11435,
            ollama_remote_port: 11434,
        }
    }
}
