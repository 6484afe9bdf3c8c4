//! Where sparkdeck keeps its files, per the XDG base directory spec:
//! config in `$XDG_CONFIG_HOME/sparkdeck/`, the SQLite history in `$XDG_DATA_HOME/sparkdeck/`,
//! logs in `$XDG_STATE_HOME/sparkdeck/`.
//!
//! Every function has a `_with` twin that takes the environment as a closure, so tests
//! resolve paths against a fake environment and never touch the real home.

use super::error::ConfigError;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Reads one environment variable; `&process_env` is the real environment.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<OsString>;

/// The real process environment.
pub fn process_env(key: &str) -> Option<OsString> {
    std::env::var_os(key)
}

const APP: &str = "sparkdeck";
/// Names the config file explicitly; `--config` still wins over it.
pub const CONFIG_ENV: &str = "SPARKDECK_CONFIG";
pub const CONFIG_FILE: &str = "config.toml";
pub const DB_FILE: &str = "sparkdeck.db";
pub const LOG_FILE: &str = "sparkdeck.log";

/// The config file to read: `$SPARKDECK_CONFIG` if set, else the XDG default.
pub fn config_file() -> Result<PathBuf, ConfigError> {
    config_file_with(&process_env)
}

pub fn config_file_with(env: Env<'_>) -> Result<PathBuf, ConfigError> {
    match non_empty(env, CONFIG_ENV) {
        Some(p) => Ok(PathBuf::from(p)),
        None => default_config_file_with(env),
    }
}

/// `$XDG_CONFIG_HOME/sparkdeck/config.toml` (default `~/.config/sparkdeck/config.toml`).
pub fn default_config_file_with(env: Env<'_>) -> Result<PathBuf, ConfigError> {
    Ok(config_dir_with(env)?.join(CONFIG_FILE))
}

pub fn config_dir_with(env: Env<'_>) -> Result<PathBuf, ConfigError> {
    xdg_dir(env, "XDG_CONFIG_HOME", ".config", "config directory", |b| {
        Some(b.config_dir().to_path_buf())
    })
}

/// `$XDG_DATA_HOME/sparkdeck` (default `~/.local/share/sparkdeck`), for `sparkdeck.db`.
pub fn data_dir() -> Result<PathBuf, ConfigError> {
    data_dir_with(&process_env)
}

pub fn data_dir_with(env: Env<'_>) -> Result<PathBuf, ConfigError> {
    xdg_dir(
        env,
        "XDG_DATA_HOME",
        ".local/share",
        "data directory",
        |b| Some(b.data_dir().to_path_buf()),
    )
}

/// `$XDG_STATE_HOME/sparkdeck` (default `~/.local/state/sparkdeck`), for `sparkdeck.log`.
pub fn state_dir() -> Result<PathBuf, ConfigError> {
    state_dir_with(&process_env)
}

pub fn state_dir_with(env: Env<'_>) -> Result<PathBuf, ConfigError> {
    xdg_dir(
        env,
        "XDG_STATE_HOME",
        ".local/state",
        "state directory",
        |b| {
            // Only Linux has a state dir in `directories`; elsewhere logs sit with local data.
            Some(
                b.state_dir()
                    .unwrap_or_else(|| b.data_local_dir())
                    .to_path_buf(),
            )
        },
    )
}

/// `~/x` → `$HOME/x`, so paths in the config can be written as in a shell. Other paths,
/// and `~` when no home is known, are returned unchanged.
pub fn expand_home_with(path: &Path, env: Env<'_>) -> PathBuf {
    let Ok(rest) = path.strip_prefix("~") else {
        return path.to_path_buf();
    };
    let home = non_empty(env, "HOME")
        .map(PathBuf::from)
        .or_else(|| directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf()));
    match home {
        Some(home) => home.join(rest),
        None => path.to_path_buf(),
    }
}

/// The value of `var` when it is set and not empty (the spec treats empty as unset).
fn non_empty(env: Env<'_>, var: &str) -> Option<OsString> {
    env(var).filter(|v| !v.is_empty())
}

/// The spec's order: `$VAR` (only if absolute), then `$HOME/<home_rel>`, then the
/// platform's own location from `directories` (e.g. when HOME is unset, via the user
/// database; on macOS, `~/Library/...`).
fn xdg_dir(
    env: Env<'_>,
    var: &'static str,
    home_rel: &str,
    what: &'static str,
    platform: impl Fn(&directories::BaseDirs) -> Option<PathBuf>,
) -> Result<PathBuf, ConfigError> {
    let base = non_empty(env, var)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            non_empty(env, "HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .map(|home| home.join(home_rel))
        })
        .or_else(|| directories::BaseDirs::new().and_then(|b| platform(&b)));
    base.map(|b| b.join(APP))
        .ok_or(ConfigError::NoHome { what, var })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let map: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn xdg_variables_win_over_home() {
        let env = env_of(&[
            ("HOME", "/home/op"),
            ("XDG_CONFIG_HOME", "/xdg/config"),
            ("XDG_DATA_HOME", "/xdg/data"),
            ("XDG_STATE_HOME", "/xdg/state"),
        ]);
        assert_eq!(
            config_file_with(&env).unwrap(),
            Path::new("/xdg/config/sparkdeck/config.toml")
        );
        assert_eq!(
            data_dir_with(&env).unwrap(),
            Path::new("/xdg/data/sparkdeck")
        );
        assert_eq!(
            state_dir_with(&env).unwrap(),
            Path::new("/xdg/state/sparkdeck")
        );
    }

    #[test]
    fn home_defaults_when_xdg_is_unset_empty_or_relative() {
        let env = env_of(&[
            ("HOME", "/home/op"),
            ("XDG_CONFIG_HOME", ""),
            ("XDG_DATA_HOME", "relative/data"),
        ]);
        assert_eq!(
            config_file_with(&env).unwrap(),
            Path::new("/home/op/.config/sparkdeck/config.toml")
        );
        assert_eq!(
            data_dir_with(&env).unwrap(),
            Path::new("/home/op/.local/share/sparkdeck")
        );
        assert_eq!(
            state_dir_with(&env).unwrap(),
            Path::new("/home/op/.local/state/sparkdeck")
        );
    }

    #[test]
    fn tilde_expands_to_home_only_at_the_start() {
        let env = env_of(&[("HOME", "/home/op")]);
        let x = |p: &str| expand_home_with(Path::new(p), &env);
        assert_eq!(
            x("~/.ssh/known_hosts"),
            Path::new("/home/op/.ssh/known_hosts")
        );
        assert_eq!(x("~"), Path::new("/home/op"));
        assert_eq!(x("/etc/~/x"), Path::new("/etc/~/x"));
        assert_eq!(x("~other/x"), Path::new("~other/x"));
        assert_eq!(x("rel/x"), Path::new("rel/x"));
    }

    #[test]
    fn sparkdeck_config_overrides_the_config_file_only() {
        let env = env_of(&[
            ("HOME", "/home/op"),
            ("SPARKDECK_CONFIG", "/etc/sparkdeck.toml"),
        ]);
        assert_eq!(
            config_file_with(&env).unwrap(),
            Path::new("/etc/sparkdeck.toml")
        );
        assert_eq!(
            default_config_file_with(&env).unwrap(),
            Path::new("/home/op/.config/sparkdeck/config.toml")
        );
        assert_eq!(
            data_dir_with(&env).unwrap(),
            Path::new("/home/op/.local/share/sparkdeck")
        );
    }
}
