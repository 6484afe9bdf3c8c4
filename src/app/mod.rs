//! Application state, the pure `update`, and the effects it asks the runtime to perform.

pub mod action;
pub mod ago;
pub mod alerts;
pub mod effect;
pub mod entries;
pub mod filter;
pub mod form;
pub mod gpu;
pub mod gpu_effects;
mod gpu_events;
mod gpu_keys;
pub mod jobs;
mod jobs_events;
mod jobs_keys;
pub mod jobs_worker;
pub mod layout;
pub mod logview;
pub mod models;
mod models_events;
mod models_keys;
pub mod models_worker;
pub mod msg;
pub mod osc52;
pub mod overlay;
pub mod run;
pub mod services;
mod services_events;
mod services_keys;
pub mod services_worker;
pub mod state;
pub mod update;
pub mod workers;

pub use effect::Effect;
pub use msg::{FlashLevel, Msg};
pub use state::{State, Tab};
pub use update::update;
