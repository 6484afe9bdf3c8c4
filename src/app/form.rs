//! The connection and tunnel forms: text inputs (tui-input), focus, and validation.
//! Validation is pure: the one filesystem question (is the key file readable?) is asked
//! through a closure the caller passes in, so tests can answer it.

use super::entries::{Entry, LOCAL_NAME};
use crate::model::{ConnId, ConnectionSpec, TunnelSpec};
use ratatui::style::Color;
use std::path::{Path, PathBuf};
use tui_input::Input;

/// Answers "can sparkdeck read this key file?" with a reason when it cannot.
pub type KeyCheck = dyn Fn(&Path) -> Result<(), String> + Send + Sync;

/// The real check: the file exists, is a file, and opens for reading.
pub fn key_file_readable(path: &Path) -> Result<(), String> {
    let path = expand_tilde(path);
    let meta =
        std::fs::metadata(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{} is not a file", path.display()));
    }
    std::fs::File::open(&path)
        .map(|_| ())
        .map_err(|e| format!("cannot open {}: {e}", path.display()))
}

/// `~/x` → `$HOME/x`; ssh config files and users write key paths that way.
pub fn expand_tilde(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => path.to_path_buf(),
    }
}

/// Colour tag names a connection may carry, besides `#rrggbb`.
pub const TAG_COLOURS: &[&str] = &[
    "red", "green", "yellow", "blue", "magenta", "cyan", "white", "gray", "orange", "purple",
];

/// The terminal colour of a tag, or `None` when the tag is not a colour we know.
pub fn tag_colour(tag: &str) -> Option<Color> {
    let t = tag.trim().to_lowercase();
    if let Some(hex) = t.strip_prefix('#') {
        if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let v = u32::from_str_radix(hex, 16).ok()?;
        return Some(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
    }
    Some(match t.as_str() {
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "white" => Color::White,
        "gray" | "grey" => Color::Gray,
        "orange" => Color::Rgb(0xf5, 0x9e, 0x0b),
        "purple" => Color::Rgb(0xa8, 0x55, 0xf7),
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Host,
    Port,
    User,
    KeyPath,
    Jump,
    ReadOnly,
    Color,
}

impl Field {
    pub const ALL: [Field; 8] = [
        Field::Name,
        Field::Host,
        Field::Port,
        Field::User,
        Field::KeyPath,
        Field::Jump,
        Field::ReadOnly,
        Field::Color,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Host => "host",
            Field::Port => "port",
            Field::User => "user",
            Field::KeyPath => "key path",
            Field::Jump => "jump host",
            Field::ReadOnly => "read-only",
            Field::Color => "colour",
        }
    }

    /// What an empty field means, shown greyed inside it.
    pub fn placeholder(self) -> &'static str {
        match self {
            Field::Name => "spark-lab",
            Field::Host => "10.0.0.5 or an ssh alias",
            Field::Port => "22",
            Field::User => "from ssh config / $USER",
            Field::KeyPath => "default keys / ssh-agent",
            Field::Jump => "none ([user@]host[:port])",
            Field::ReadOnly => "",
            Field::Color => "none (red, green, #22c55e…)",
        }
    }
}

/// The add / edit connection form.
#[derive(Debug, Clone, Default)]
pub struct ConnForm {
    /// `Some` when editing a saved connection; `None` adds a new one.
    pub id: Option<ConnId>,
    /// The name the edited connection had, so keeping it is not a duplicate.
    pub original_name: Option<String>,
    /// The ssh-config alias this form was pre-filled from, if any.
    pub from_ssh_config: Option<String>,
    pub name: Input,
    pub host: Input,
    pub port: Input,
    pub user: Input,
    pub key_path: Input,
    pub jump: Input,
    pub read_only: bool,
    pub color: Input,
    pub focus: usize,
    pub errors: Vec<(Field, String)>,
    /// The store refused the save; the form stays open with everything typed.
    pub store_error: Option<String>,
    /// A save is on its way to the store.
    pub saving: bool,
}

fn input(s: impl Into<String>) -> Input {
    Input::new(s.into())
}

impl ConnForm {
    pub fn new() -> Self {
        ConnForm {
            port: input("22"),
            ..Default::default()
        }
    }

    /// Pre-filled from a row: editing a saved connection, or copying an ssh-config host
    /// into a new saved connection.
    pub fn from_entry(e: &Entry) -> Self {
        let opt = |s: &Option<String>| input(s.clone().unwrap_or_default());
        ConnForm {
            id: e.id,
            original_name: e.id.map(|_| e.name.clone()),
            from_ssh_config: e.id.is_none().then(|| e.name.clone()),
            name: input(e.name.clone()),
            host: input(e.host.clone()),
            port: input(e.port.unwrap_or(22).to_string()),
            user: opt(&e.user),
            key_path: input(
                e.key_path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
            ),
            jump: opt(&e.jump),
            read_only: e.read_only,
            color: opt(&e.color),
            ..Default::default()
        }
    }

    pub fn focused(&self) -> Field {
        Field::ALL[self.focus.min(Field::ALL.len() - 1)]
    }

    pub fn next(&mut self) {
        self.focus = (self.focus + 1) % Field::ALL.len();
    }

    pub fn prev(&mut self) {
        self.focus = (self.focus + Field::ALL.len() - 1) % Field::ALL.len();
    }

    /// The text input of a field (`None` for the read-only toggle).
    pub fn input(&self, f: Field) -> Option<&Input> {
        Some(match f {
            Field::Name => &self.name,
            Field::Host => &self.host,
            Field::Port => &self.port,
            Field::User => &self.user,
            Field::KeyPath => &self.key_path,
            Field::Jump => &self.jump,
            Field::Color => &self.color,
            Field::ReadOnly => return None,
        })
    }

    pub fn input_mut(&mut self, f: Field) -> Option<&mut Input> {
        Some(match f {
            Field::Name => &mut self.name,
            Field::Host => &mut self.host,
            Field::Port => &mut self.port,
            Field::User => &mut self.user,
            Field::KeyPath => &mut self.key_path,
            Field::Jump => &mut self.jump,
            Field::Color => &mut self.color,
            Field::ReadOnly => return None,
        })
    }

    pub fn error(&self, f: Field) -> Option<&str> {
        self.errors
            .iter()
            .find(|(g, _)| *g == f)
            .map(|(_, e)| e.as_str())
    }

    /// Checks every field; on success the spec to save. `taken` are the names already in
    /// use (saved connections); the edited connection's own name is allowed.
    pub fn validate(
        &self,
        taken: &[&str],
        key_check: &KeyCheck,
    ) -> Result<ConnectionSpec, Vec<(Field, String)>> {
        let mut errors = Vec::new();
        let name = self.name.value().trim();
        let host = self.host.value().trim();
        if name.is_empty() {
            errors.push((Field::Name, "a name is required".into()));
        } else if name == LOCAL_NAME {
            errors.push((
                Field::Name,
                "\"local\" is this machine; pick another name".into(),
            ));
        } else if name.chars().any(char::is_whitespace) {
            errors.push((Field::Name, "no spaces in names (used with --host)".into()));
        } else if self.original_name.as_deref() != Some(name) && taken.contains(&name) {
            errors.push((
                Field::Name,
                format!("\"{name}\" is already saved; pick another name"),
            ));
        }
        if host.is_empty() {
            errors.push((Field::Host, "a host is required".into()));
        } else if host.chars().any(char::is_whitespace) {
            errors.push((Field::Host, "a host has no spaces".into()));
        }
        let port = match self.port.value().trim().parse::<u32>() {
            Ok(p @ 1..=65535) => p as u16,
            _ => {
                errors.push((Field::Port, "port must be a number from 1 to 65535".into()));
                0
            }
        };
        let key = self.key_path.value().trim();
        if !key.is_empty()
            && let Err(e) = key_check(Path::new(key))
        {
            errors.push((Field::KeyPath, e));
        }
        let color = self.color.value().trim();
        if !color.is_empty() && tag_colour(color).is_none() {
            errors.push((
                Field::Color,
                format!("unknown colour; use {} or #rrggbb", TAG_COLOURS.join(", ")),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        Ok(ConnectionSpec {
            name: name.into(),
            host: host.into(),
            port,
            user: opt(self.user.value()),
            key_path: opt(key).map(PathBuf::from),
            jump: opt(self.jump.value()),
            read_only: self.read_only,
            color: opt(color),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TunnelField {
    LocalPort,
    RemoteHost,
    RemotePort,
}

impl TunnelField {
    pub const ALL: [TunnelField; 3] = [
        TunnelField::LocalPort,
        TunnelField::RemoteHost,
        TunnelField::RemotePort,
    ];

    pub fn label(self) -> &'static str {
        match self {
            TunnelField::LocalPort => "local port",
            TunnelField::RemoteHost => "remote host",
            TunnelField::RemotePort => "remote port",
        }
    }
}

/// The add-tunnel form for one saved connection.
#[derive(Debug, Clone)]
pub struct TunnelForm {
    pub connection: ConnId,
    pub name: String,
    pub local_port: Input,
    pub remote_host: Input,
    pub remote_port: Input,
    pub focus: usize,
    pub errors: Vec<(TunnelField, String)>,
    pub store_error: Option<String>,
    pub saving: bool,
}

impl TunnelForm {
    pub fn new(connection: ConnId, name: impl Into<String>) -> Self {
        TunnelForm {
            connection,
            name: name.into(),
            local_port: Input::default(),
            remote_host: input("localhost"),
            remote_port: Input::default(),
            focus: 0,
            errors: Vec::new(),
            store_error: None,
            saving: false,
        }
    }

    pub fn focused(&self) -> TunnelField {
        TunnelField::ALL[self.focus.min(2)]
    }

    pub fn next(&mut self) {
        self.focus = (self.focus + 1) % 3;
    }

    pub fn prev(&mut self) {
        self.focus = (self.focus + 2) % 3;
    }

    pub fn input(&self, f: TunnelField) -> &Input {
        match f {
            TunnelField::LocalPort => &self.local_port,
            TunnelField::RemoteHost => &self.remote_host,
            TunnelField::RemotePort => &self.remote_port,
        }
    }

    pub fn input_mut(&mut self, f: TunnelField) -> &mut Input {
        match f {
            TunnelField::LocalPort => &mut self.local_port,
            TunnelField::RemoteHost => &mut self.remote_host,
            TunnelField::RemotePort => &mut self.remote_port,
        }
    }

    pub fn error(&self, f: TunnelField) -> Option<&str> {
        self.errors
            .iter()
            .find(|(g, _)| *g == f)
            .map(|(_, e)| e.as_str())
    }

    /// `used_local` are the local ports this connection's tunnels already listen on.
    pub fn validate(&self, used_local: &[u16]) -> Result<TunnelSpec, Vec<(TunnelField, String)>> {
        let mut errors = Vec::new();
        let port = |f: TunnelField, v: &str, errors: &mut Vec<(TunnelField, String)>| match v
            .trim()
            .parse::<u32>()
        {
            Ok(p @ 1..=65535) => p as u16,
            _ => {
                errors.push((f, "port must be a number from 1 to 65535".into()));
                0
            }
        };
        let local = port(TunnelField::LocalPort, self.local_port.value(), &mut errors);
        let remote = port(
            TunnelField::RemotePort,
            self.remote_port.value(),
            &mut errors,
        );
        if local != 0 && used_local.contains(&local) {
            errors.push((
                TunnelField::LocalPort,
                format!("local port {local} is already a tunnel of this connection"),
            ));
        }
        let host = self.remote_host.value().trim();
        if host.is_empty() {
            errors.push((TunnelField::RemoteHost, "a remote host is required".into()));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(TunnelSpec {
            local_port: local,
            remote_host: host.into(),
            remote_port: remote,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(name: &str, host: &str, port: &str, key: &str) -> ConnForm {
        let mut f = ConnForm::new();
        f.name = input(name);
        f.host = input(host);
        f.port = input(port);
        f.key_path = input(key);
        f
    }

    #[test]
    fn real_key_check_reads_the_filesystem() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("id_test");
        std::fs::write(&key, "not really a key").unwrap();
        assert_eq!(key_file_readable(&key), Ok(()));
        let missing = dir.path().join("nope");
        let err = key_file_readable(&missing).unwrap_err();
        assert!(err.contains(&missing.display().to_string()), "{err}");
        let err = key_file_readable(dir.path()).unwrap_err();
        assert!(err.ends_with("is not a file"), "{err}");
    }

    #[test]
    fn validate_uses_the_injected_check_only_when_a_key_is_given() {
        let refuse = |p: &Path| Err(format!("refused {}", p.display()));
        let f = filled("a", "h", "22", "");
        assert!(f.validate(&[], &refuse).is_ok(), "no key path, no check");
        let f = filled("a", "h", "22", " /k ");
        let errs = f.validate(&[], &refuse).unwrap_err();
        assert_eq!(errs, [(Field::KeyPath, "refused /k".to_string())]);
    }

    #[test]
    fn ports_outside_1_to_65535_are_refused() {
        let ok = |_: &Path| Ok(());
        for bad in ["0", "65536", "-1", "", "ssh"] {
            let errs = filled("a", "h", bad, "").validate(&[], &ok).unwrap_err();
            assert_eq!(errs[0].0, Field::Port, "port {bad:?}");
        }
        let spec = filled("a", "h", "65535", "").validate(&[], &ok).unwrap();
        assert_eq!(spec.port, 65535);
    }

    #[test]
    fn local_and_taken_names_are_refused_except_the_edited_one() {
        let ok = |_: &Path| Ok(());
        let errs = filled("local", "h", "22", "")
            .validate(&[], &ok)
            .unwrap_err();
        assert_eq!(errs[0].0, Field::Name);
        let errs = filled("x", "h", "22", "")
            .validate(&["x"], &ok)
            .unwrap_err();
        assert_eq!(errs[0].0, Field::Name);
        let mut f = filled("x", "h", "22", "");
        f.original_name = Some("x".into());
        assert!(f.validate(&["x"], &ok).is_ok());
    }

    #[test]
    fn tag_colours_accept_names_and_hex_only() {
        assert_eq!(tag_colour("Green"), Some(Color::Green));
        assert_eq!(tag_colour("#22c55e"), Some(Color::Rgb(0x22, 0xc5, 0x5e)));
        assert_eq!(tag_colour("#22c55"), None);
        assert_eq!(tag_colour("#zzzzzz"), None);
        assert_eq!(tag_colour("chartreuse"), None);
    }

    #[test]
    fn tunnel_form_defaults_to_localhost_and_checks_ports() {
        let mut f = TunnelForm::new(1, "x");
        f.local_port = input("11436");
        f.remote_port = input("11434");
        let spec = f.validate(&[11435]).unwrap();
        assert_eq!(spec.remote_host, "localhost");
        f.local_port = input("11435");
        let errs = f.validate(&[11435]).unwrap_err();
        assert_eq!(errs[0].0, TunnelField::LocalPort);
        f.remote_port = input("0");
        assert_eq!(f.validate(&[]).unwrap_err()[0].0, TunnelField::RemotePort);
    }
}
