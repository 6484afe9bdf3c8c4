//! Application state, the pure `update`, and the effects it asks the runtime to perform.

pub mod action;
