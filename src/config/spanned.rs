//! Helpers over toml's spanned document tree, shared by the config and theme parsers.

use super::error::{ConfigError, Invalid};
use std::path::Path;
use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

/// Parse a TOML document, turning a syntax error into a located `ConfigError`.
pub(crate) fn parse_document<'t>(
    text: &'t str,
    origin: &Path,
) -> Result<Spanned<DeTable<'t>>, ConfigError> {
    DeTable::parse(text).map_err(|e| {
        ConfigError::at(
            origin,
            text,
            e.span().map_or(0, |s| s.start),
            Invalid::Syntax {
                message: e.message().trim().to_string(),
            },
        )
    })
}

/// Entries of a table in file order (the map itself is sorted by key), so the first
/// problem reported is the first one in the file.
pub(crate) fn entries_in_file_order<'a, 't>(
    table: &'a DeTable<'t>,
) -> Vec<(&'a Spanned<DeString<'t>>, &'a Spanned<DeValue<'t>>)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

/// A short rendering of a value for error messages.
pub(crate) fn show_value(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => format!("{s:?}"),
        DeValue::Integer(i) => i.to_string(),
        DeValue::Float(f) => f.to_string(),
        DeValue::Boolean(b) => b.to_string(),
        DeValue::Datetime(d) => d.to_string(),
        DeValue::Array(_) => "an array".into(),
        DeValue::Table(_) => "a table".into(),
    }
}
