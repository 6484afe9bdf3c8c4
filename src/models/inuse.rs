//! Marks models in use: loaded in Ollama (`/api/ps`), served by an OpenAI-compatible
//! server (`/v1/models`), or held open by a process (`/proc/*/fd`, when visible).

use crate::host::Host;
use crate::model::StoreScan;

pub async fn mark(_host: &dyn Host, _stores: &mut [StoreScan]) {
    todo!("models analysis helper")
}
