//! Catalogue + observation → one row per service and per unexpected listener. Pure.

use crate::config::ServicesSettings;
use crate::model::{CatalogEntry, Observation, ServiceRow};

pub fn merge(
    _catalog: &[CatalogEntry],
    _obs: &Observation,
    _settings: &ServicesSettings,
) -> Vec<ServiceRow> {
    todo!("engine helper")
}
