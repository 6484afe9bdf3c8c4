//! `docker ps --all --format '{{json .}}'` and the docker CLI's errors.

use crate::model::{Container, PublishedPort, SourceProblem};

/// One container per JSON line; the second list holds the lines that did not parse.
pub fn parse_ps(_text: &str) -> (Vec<Container>, Vec<String>) {
    todo!("parsers helper")
}

/// The `Ports` column: `0.0.0.0:8080->8080/tcp, [::]:8080->8080/tcp, 9000/tcp`.
pub fn parse_ports(_text: &str) -> Vec<PublishedPort> {
    todo!("parsers helper")
}

/// A failed docker command's stderr → what went wrong and the fix (permission denied on
/// the socket, daemon down, not installed); None when nothing known matches.
pub fn classify_error(_stderr: &str) -> Option<SourceProblem> {
    todo!("parsers helper")
}
