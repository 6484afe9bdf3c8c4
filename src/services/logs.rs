//! The log viewer's commands: `journalctl -u UNIT -o json -f` and
//! `docker logs --follow`, with the time window presets.

use crate::config::ServicesSettings;
use crate::model::{LogWindow, ServiceTarget};

/// The argv that follows `target`'s log from `window` (`now` = Unix seconds, for
/// presets that need an absolute time).
pub fn argv(
    _settings: &ServicesSettings,
    _target: &ServiceTarget,
    _window: LogWindow,
    _now: i64,
) -> Vec<String> {
    todo!("engine helper")
}

/// One raw output line → the text the viewer shows (journal JSON is formatted).
pub fn render(_target: &ServiceTarget, _raw: &str) -> String {
    todo!("engine helper")
}
