//! sparkdeck: a terminal dashboard for NVIDIA DGX Spark boxes.
//!
//! Layers (DESIGN §2): `model` (plain data) ← `sources` (parsers) ← `host` (where commands
//! run) / `store` (SQLite) ← `app` (state, pure update, effects) ← `ui` (rendering only).

pub mod app;
pub mod cli;
pub mod config;
pub mod connect;
pub mod doctor;
pub mod gpu;
pub mod history_export;
pub mod host;
pub mod jobs;
pub mod jobs_triage;
pub mod logging;
pub mod metrics;
pub mod model;
pub mod models;
pub mod services;
pub mod snapshot;
pub mod sources;
pub mod store;
pub mod ui;
