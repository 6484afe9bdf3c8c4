//! Which stores exist on the host: the model root, the HF cache (env on the host), the
//! Ollama stores, extra folders and Ollama containers' volumes.

use crate::config::ModelsSettings;
use crate::host::Host;
use crate::model::StoreSpec;

/// Stores that exist, plus notes on configured ones that do not (or cannot be read).
pub async fn stores(_host: &dyn Host, _settings: &ModelsSettings) -> (Vec<StoreSpec>, Vec<String>) {
    todo!("models scan helper")
}
