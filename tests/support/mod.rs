//! Shared parts of the integration tests.
#![allow(dead_code)]

pub mod env;
pub mod sshd;
pub mod tmux;
