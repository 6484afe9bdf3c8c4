//! Why is the job queue not moving? Stuck detection over the job list, known error patterns
//! with hints, and checks of the worker on its host (DESIGN §4, seed 003).

pub mod checks;
pub mod hints;
pub mod stuck;

pub use checks::{
    Check, KeyClaims, key_claims, log_freshness, ref_mismatch, supabase_mismatch, worker_alive,
};
pub use hints::HintRules;
pub use stuck::{Stuck, assess};
