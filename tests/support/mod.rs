//! Shared parts of the integration tests.
#![allow(dead_code)]

pub mod env;
pub mod fake_smi;
pub mod postgres;
pub mod postgrest;
pub mod sshd;
pub mod tmux;
