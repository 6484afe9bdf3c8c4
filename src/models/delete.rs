//! The confirmed delete: exactly one model's files (shared Ollama blobs kept while another
//! manifest names them), built from quoted arguments.

use crate::host::Host;
use crate::model::{DeleteOutcome, ModelEntry, StoreScan};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeleteError {
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Failed(String),
}

/// What deleting `model` removes and keeps, from its store's last scan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeletePlan {
    pub remove: Vec<String>,
    pub kept_shared: Vec<String>,
    pub freed_bytes: u64,
}

pub fn plan(_model: &ModelEntry, _store: &StoreScan) -> DeletePlan {
    todo!("models analysis helper")
}

pub async fn run(
    _host: &dyn Host,
    _model: &ModelEntry,
    _plan: &DeletePlan,
) -> Result<DeleteOutcome, DeleteError> {
    todo!("models analysis helper")
}
