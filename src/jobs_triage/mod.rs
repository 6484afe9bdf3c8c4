//! Why is the job queue not moving? Stuck detection over the job list, known error patterns
//! with hints, and checks of the worker on its host (DESIGN §4, seed 003).

pub mod checks;
pub mod hints;
pub mod stuck;
pub mod supabase;

pub use checks::{
    Check, KeyClaims, key_claims, log_freshness, ref_mismatch, supabase_mismatch, worker_alive,
};
pub use hints::HintRules;
pub use stuck::{Stuck, assess};

use crate::config::JobsSettings;
use crate::host::Host;

/// The host side of the stuck banner: is the worker running, and is its log being written.
/// Both run at once; each failure becomes a failed check, never an error.
pub async fn host_checks(host: &dyn Host, cfg: &JobsSettings, now: i64) -> Vec<Check> {
    let (alive, log) = tokio::join!(
        worker_alive(host, &cfg.worker_unit, &cfg.worker_process),
        log_freshness(host, &cfg.worker_log, now),
    );
    vec![alive, log]
}

/// Do the worker (its env file's URL and key) and this dashboard use the same Supabase?
/// Only the key's claims are read; the key itself goes nowhere.
pub fn supabase_check(worker_url: &str, worker_key: Option<&str>, dashboard_url: &str) -> Check {
    let claims = worker_key.and_then(key_claims).unwrap_or_default();
    let problem = supabase_mismatch(worker_url, claims.iss.as_deref(), dashboard_url)
        .or_else(|| ref_mismatch(worker_url, &claims));
    let label = "Supabase instance".to_string();
    match problem {
        Some(detail) => Check {
            ok: false,
            label,
            detail,
        },
        None => Check {
            ok: true,
            label,
            detail: format!(
                "worker and dashboard both use {}",
                dashboard_url.trim_end_matches('/')
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supabase_check_reads_the_key_claims() {
        // Header {"alg":"HS256"}, payload {"iss":"supabase","ref":"otherref"}; not a real key.
        let key = "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6Im90aGVycmVmIn0.sig";
        let url = "https://abcdefghijklmnop.supabase.co";
        let c = supabase_check(url, Some(key), url);
        assert!(!c.ok);
        assert!(c.detail.contains("issued for project otherref"), "{c:?}");
        assert!(!c.detail.contains(key), "the key is never shown");
        let c = supabase_check(url, None, &format!("{url}/"));
        assert!(c.ok, "{c:?}");
        assert_eq!(c.detail, format!("worker and dashboard both use {url}"));
        let c = supabase_check("http://127.0.0.1:54321", Some("garbage"), url);
        assert!(!c.ok && c.detail.contains("local Supabase"), "{c:?}");
    }
}
