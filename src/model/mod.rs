//! Plain data shared by every layer. No I/O, no UI.

pub mod connection;
pub mod gpu;
pub mod host_info;
pub mod job;
pub mod models;
pub mod service;

pub use connection::*;
pub use gpu::*;
pub use host_info::HostInfo;
pub use job::{Job, JobsPage, RequeueOutcome};
pub use models::*;
pub use service::*;
