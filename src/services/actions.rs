//! Start / stop / restart a unit (`sudo -n systemctl …`) or a container (`docker …`).
//! The caller has confirmed, re-checked read-only and audits the outcome.

use crate::config::ServicesSettings;
use crate::host::Host;
use crate::model::{ServiceTarget, ServiceVerb};

/// Why an action failed, and what the user can do (e.g. the command to run by hand when
/// sudo wants a password).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ActionError {
    pub message: String,
    pub fix: Option<String>,
}

/// The argv that performs `verb` on `target`.
pub fn argv(
    _settings: &ServicesSettings,
    _target: &ServiceTarget,
    _verb: ServiceVerb,
) -> Vec<String> {
    todo!("engine helper")
}

/// Runs it; Ok carries a one-line summary for the flash.
pub async fn run(
    _host: &dyn Host,
    _settings: &ServicesSettings,
    _target: &ServiceTarget,
    _verb: ServiceVerb,
) -> Result<String, ActionError> {
    todo!("engine helper")
}
