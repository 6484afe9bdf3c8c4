//! The worker's job queue: credentials, the PostgREST client with its compare-and-set
//! requeue, the audited requeue used by the CLI and the tab, and the snapshot section.

pub mod creds;
pub mod errors;
pub mod postgrest;
pub mod requeue;

pub use creds::{Credentials, KeyKind, Secret};
pub use errors::JobsError;
pub use postgrest::{JobId, JobQuery, JobsClient, Sort};
