//! The default catalogue (DESIGN §5, research/domain.md §5) and the config merge.

use crate::config::ServicesSettings;
use crate::model::CatalogEntry;

pub fn defaults() -> Vec<CatalogEntry> {
    todo!("engine helper")
}

/// Defaults with `[[services.catalog]]` applied (same name replaces, new names append;
/// `replace_catalog` drops the defaults).
pub fn effective(_settings: &ServicesSettings) -> Vec<CatalogEntry> {
    todo!("engine helper")
}
