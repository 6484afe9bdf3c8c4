//! Loading from real files in temp dirs, with a fake environment (never the real home).

use sparkdeck::config::{Config, ConfigError, Invalid, Theme, load_with};
use std::collections::HashMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

struct Home {
    dir: tempfile::TempDir,
    vars: HashMap<String, OsString>,
}

impl Home {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut vars = HashMap::new();
        vars.insert("HOME".to_string(), dir.path().as_os_str().to_owned());
        vars.insert(
            "XDG_CONFIG_HOME".to_string(),
            dir.path().join("xdg-config").into_os_string(),
        );
        Self { dir, vars }
    }
    fn set(mut self, k: &str, v: impl Into<OsString>) -> Self {
        self.vars.insert(k.to_string(), v.into());
        self
    }
    fn env(&self) -> impl Fn(&str) -> Option<OsString> + '_ {
        |k| self.vars.get(k).cloned()
    }
    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, text).unwrap();
        p
    }
    fn load(&self, explicit: Option<&Path>) -> Result<(Config, Option<PathBuf>), ConfigError> {
        load_with(explicit, &self.env())
    }
}

#[test]
fn no_file_at_the_default_path_means_defaults() {
    let home = Home::new();
    let (config, used) = home.load(None).unwrap();
    assert_eq!(config, Config::default());
    assert_eq!(used, None);
}

#[test]
fn xdg_default_file_is_read() {
    let home = Home::new();
    let file = home.write(
        "xdg-config/sparkdeck/config.toml",
        "[general]\nread_only = true\n",
    );
    let (config, used) = home.load(None).unwrap();
    assert!(config.general.read_only);
    assert_eq!(used, Some(file));
}

#[test]
fn explicit_missing_file_is_an_error() {
    let home = Home::new();
    let missing = home.path("nope/config.toml");
    let e = home.load(Some(&missing)).unwrap_err();
    assert!(
        matches!(
            &e,
            ConfigError::Missing {
                given_by: "--config",
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains(&missing.display().to_string()));

    let home = Home::new().set("SPARKDECK_CONFIG", "/nonexistent/sparkdeck.toml");
    let e = home.load(None).unwrap_err();
    assert!(
        matches!(
            &e,
            ConfigError::Missing {
                given_by: "SPARKDECK_CONFIG",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn precedence_is_flag_then_env_then_xdg() {
    let home = Home::new();
    home.write(
        "xdg-config/sparkdeck/config.toml",
        "[general]\ntick_ms = 300\n",
    );
    let env_file = home.write("env.toml", "[general]\ntick_ms = 200\n");
    let flag_file = home.write("flag.toml", "[general]\ntick_ms = 100\n");
    let home = home.set("SPARKDECK_CONFIG", env_file.clone());

    let (c, used) = home.load(Some(&flag_file)).unwrap();
    assert_eq!((c.general.tick_ms, used), (100, Some(flag_file)));
    let (c, used) = home.load(None).unwrap();
    assert_eq!((c.general.tick_ms, used), (200, Some(env_file)));
}

#[test]
fn errors_name_the_file_that_was_read() {
    let home = Home::new();
    let file = home.write("bad.toml", "[general]\nmouze = true\n");
    let e = home.load(Some(&file)).unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&format!("{}:2:1: unknown key", file.display())),
        "{e}"
    );
}

#[test]
fn a_directory_is_not_a_config_file() {
    let home = Home::new();
    let dir = home.path("adir");
    fs::create_dir_all(&dir).unwrap();
    let e = home.load(Some(&dir)).unwrap_err();
    assert!(matches!(e, ConfigError::Read { .. }), "{e}");
}

#[test]
fn no_color_forces_mono_whatever_the_theme() {
    let home = Home::new().set("NO_COLOR", "1");
    let file = home.write(
        "c.toml",
        "[general]\ntheme = \"light\"\n[theme]\naccent = \"red\"\n",
    );
    let (c, _) = home.load(Some(&file)).unwrap();
    assert_eq!(c.theme, Theme::mono());
    // Also without any config file.
    let (c, _) = home.load(None).unwrap();
    assert_eq!(c.theme, Theme::mono());
    // Empty NO_COLOR is "unset" per no-color.org.
    let home = Home::new().set("NO_COLOR", "");
    assert_eq!(home.load(None).unwrap().0.theme, Theme::dark());
}

const FULL_THEME: &str = "name = \"ocean\"\nbg = \"reset\"\nfg = \"white\"\nmuted = \"gray\"\n\
    accent = \"#0ea5e9\"\nborder = 8\nselection_bg = \"blue\"\nselection_fg = \"white\"\n\
    ok = \"green\"\nwarn = \"yellow\"\ncrit = \"red\"\ninfo = \"cyan\"\npower = \"#ffd700\"\n\
    card_bg = \"reset\"\n";

#[test]
fn theme_file_path_is_relative_to_the_config_file() {
    let home = Home::new();
    home.write("conf/themes/ocean.toml", FULL_THEME);
    let file = home.write(
        "conf/config.toml",
        "[general]\ntheme = \"themes/ocean.toml\"\n[theme]\nwarn = \"#eab308\"\n",
    );
    let (c, _) = home.load(Some(&file)).unwrap();
    assert_eq!(c.theme.name, "ocean");
    assert_eq!(c.theme.accent, ratatui::style::Color::Rgb(0x0e, 0xa5, 0xe9));
    assert_eq!(c.theme.border, ratatui::style::Color::Indexed(8));
    // The [theme] table applies on top of the file.
    assert_eq!(c.theme.warn, ratatui::style::Color::Rgb(0xea, 0xb3, 0x08));
}

#[test]
fn errors_inside_a_theme_file_point_into_that_file() {
    let home = Home::new();
    let theme = home.write("t/bad.toml", &FULL_THEME.replace("\"cyan\"", "\"cyann\""));
    let file = home.write("config.toml", "[general]\ntheme = \"t/bad.toml\"\n");
    let e = home.load(Some(&file)).unwrap_err();
    assert!(matches!(e.invalid(), Some(Invalid::BadColour { field, .. }) if field == "info"));
    let loc = e.location().unwrap();
    assert_eq!((loc.file.as_path(), loc.line), (theme.as_path(), 12));
}

#[test]
fn tilde_paths_resolve_against_home() {
    let home = Home::new();
    home.write("themes/ocean.toml", FULL_THEME);
    let file = home.write(
        "elsewhere/config.toml",
        "[general]\ntheme = \"~/themes/ocean.toml\"\n[ssh]\nknown_hosts = \"~/.ssh/kh\"\nconfig_file = \"/etc/ssh/ssh_config\"\n",
    );
    let (c, _) = home.load(Some(&file)).unwrap();
    assert_eq!(c.theme.name, "ocean");
    assert_eq!(c.ssh.known_hosts, Some(home.path(".ssh/kh")));
    assert_eq!(
        c.ssh.config_file,
        Some(PathBuf::from("/etc/ssh/ssh_config"))
    );
}
