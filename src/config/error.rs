//! Configuration errors: each one says which file, where in it, what is wrong and what is
//! allowed instead, so that a user can fix the file without reading the source.

use crate::app::action::Action;
use std::fmt;
use std::path::PathBuf;

/// A place in a TOML file, printed as `file:line:column` (both 1-based) like compilers do,
/// so editors and terminals can jump to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// The location of byte `offset` in `text`; the column counts characters, not bytes.
    pub fn at(file: &std::path::Path, text: &str, offset: usize) -> Self {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Self {
            file: file.to_path_buf(),
            line,
            column,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// A list of allowed values, printed comma-separated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowed(pub Vec<String>);

impl Allowed {
    pub fn of<S: ToString>(items: impl IntoIterator<Item = S>) -> Self {
        Self(items.into_iter().map(|s| s.to_string()).collect())
    }
}

impl fmt::Display for Allowed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(", "))
    }
}

/// What is wrong at a location in a config or theme file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("{message}")]
    Syntax { message: String },
    #[error("unknown section [{name}]; allowed: {allowed}")]
    UnknownSection { name: String, allowed: Allowed },
    #[error(
        "[{section}] must be a table (a [{section}] header or {section} = {{ ... }}), found {found}"
    )]
    NotATable { section: String, found: String },
    #[error("unknown key \"{key}\" in [{section}]; allowed: {allowed}")]
    UnknownKey {
        section: String,
        key: String,
        allowed: Allowed,
    },
    #[error("bad value for {key} in [{section}]: {message}")]
    BadValue {
        section: String,
        key: String,
        message: String,
    },
    #[error("{key} = {value} in [{section}] is out of range; allowed: {allowed}")]
    OutOfRange {
        section: String,
        key: String,
        value: String,
        allowed: String,
    },
    #[error("unknown action \"{name}\" in [keys]; allowed: {allowed}")]
    UnknownAction { name: String, allowed: Allowed },
    #[error("bad key \"{value}\" for {action} in [keys]: {reason}")]
    BadKey {
        action: String,
        value: String,
        reason: String,
    },
    #[error(
        "key \"{key}\" is bound to both {first} and {second}, which are active at the same time; \
         bind one of them to another key in [keys]",
        first = first.name(),
        second = second.name()
    )]
    Clash {
        key: String,
        first: Action,
        second: Action,
    },
    #[error(
        "unknown colour {value} for {field}; use \"#rrggbb\", an ANSI index 0-255, \
         \"reset\" (the terminal's own colour) or one of: {named}",
        named = Allowed::of(super::theme_file::NAMED_COLOURS.iter().map(|(n, _)| *n))
    )]
    BadColour { field: String, value: String },
    #[error(
        "unknown theme \"{value}\"; allowed: {allowed}, or a path to a theme file \
         (containing '/' or ending in .toml)"
    )]
    UnknownTheme { value: String, allowed: Allowed },
    #[error("cannot read theme file {}: {reason}", path.display())]
    ThemeFile { path: PathBuf, reason: String },
    #[error("theme file lacks {missing}; a theme file must set every colour")]
    ThemeIncomplete { missing: Allowed },
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "config file {} (given by {given_by}) does not exist; create it (see config.example.toml) \
         or point {given_by} at an existing file",
        path.display()
    )]
    Missing {
        path: PathBuf,
        given_by: &'static str,
    },
    #[error("cannot read config file {}: {source}; check that it is a readable file", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{location}: {invalid}")]
    Invalid {
        location: Location,
        invalid: Box<Invalid>,
    },
    #[error("cannot find a home directory for the {what}; set HOME or {var}")]
    NoHome {
        what: &'static str,
        var: &'static str,
    },
}

impl ConfigError {
    /// `invalid` at byte `offset` of `text`, read from `file`.
    pub fn at(file: &std::path::Path, text: &str, offset: usize, invalid: Invalid) -> Self {
        ConfigError::Invalid {
            location: Location::at(file, text, offset),
            invalid: Box::new(invalid),
        }
    }

    /// The parse problem, for callers (and tests) that care about the kind, not the text.
    pub fn invalid(&self) -> Option<&Invalid> {
        match self {
            ConfigError::Invalid { invalid, .. } => Some(invalid.as_ref()),
            _ => None,
        }
    }

    pub fn location(&self) -> Option<&Location> {
        match self {
            ConfigError::Invalid { location, .. } => Some(location),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn location_counts_lines_and_characters_from_one() {
        let text = "a = 1\n[général]\nmouze = 2\n";
        let at = |o| Location::at(Path::new("c.toml"), text, o);
        assert_eq!(at(0).to_string(), "c.toml:1:1");
        let mouze = text.find("mouze").unwrap();
        assert_eq!(at(mouze).to_string(), "c.toml:3:1");
        let ral = text.find("ral").unwrap();
        // 'é' is two bytes but one column.
        assert_eq!(at(ral).to_string(), "c.toml:2:6");
        // Offsets past the end or inside a character do not panic.
        assert_eq!(at(10_000).line, 4);
        assert_eq!(at(text.find('é').unwrap() + 1).column, 3);
    }
}
