//! Do the worker and this dashboard use the same Supabase? Read from URLs and the claims of
//! the worker's key (never the key itself), per seed 003 case A and domain notes §1.

/// Host part of a URL, lower-cased, without port, brackets or credentials.
fn url_host(url: &str) -> (String, Option<u16>) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let (host, port) = if let Some(r) = authority.strip_prefix('[') {
        let (h, after) = r.split_once(']').unwrap_or((r, ""));
        (h, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    (host.to_ascii_lowercase(), port.and_then(|p| p.parse().ok()))
}

/// A Supabase started by `supabase start` on some machine: loopback, its API port 54321,
/// or signed with the demo issuer.
fn is_local(url: &str, iss: Option<&str>) -> bool {
    let (host, port) = url_host(url);
    let loopback = host == "localhost"
        || host == "::1"
        || host.starts_with("127.")
        || host == "host.docker.internal";
    loopback || port == Some(54321) || iss == Some("supabase-demo")
}

/// Explains why jobs stay queued when the worker and the dashboard use different Supabase
/// instances (seed 003, case A); `None` when they agree.
pub fn supabase_mismatch(
    worker_url: &str,
    worker_key_iss: Option<&str>,
    dashboard_url: &str,
) -> Option<String> {
    let worker_local = is_local(worker_url, worker_key_iss);
    let dash_local = is_local(dashboard_url, None);
    let w = worker_url.trim_end_matches('/');
    let d = dashboard_url.trim_end_matches('/');
    match (worker_local, dash_local) {
        (true, false) => Some(format!(
            "the worker polls a local Supabase ({w}{}) while this dashboard reads {d}: jobs \
             created in the cloud never reach it. Fix: set the worker's SUPABASE_URL and \
             SUPABASE_SERVICE_ROLE_KEY to the cloud project and restart the worker.",
            if worker_key_iss == Some("supabase-demo") {
                ", demo key"
            } else {
                ""
            }
        )),
        (false, true) => Some(format!(
            "this dashboard reads a local Supabase ({d}) while the worker polls {w}: jobs \
             the app writes locally are never seen by the worker on the Spark. Fix: point the \
             app (and this dashboard) at the cloud project (URL + key) and restart the dev server."
        )),
        (false, false) if url_host(worker_url).0 != url_host(dashboard_url).0 => Some(format!(
            "the worker polls {w} but this dashboard reads {d}: two different Supabase \
             projects. Point both at the same project."
        )),
        _ => None,
    }
}

/// The fixed public keys `supabase start` prints (new-style), which only a local stack uses.
const DEMO_KEYS: &[&str] = &[
    "sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH",
    "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz",
];

/// What a Supabase key says about where it belongs, read without verifying it. Holds no
/// part of the key itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyClaims {
    /// `supabase-demo` for a local CLI stack, `supabase` for the cloud.
    pub iss: Option<String>,
    /// The cloud project ref the key was issued for.
    pub project_ref: Option<String>,
}

/// Claims of a legacy JWT key (payload segment, base64url) or a known local demo key;
/// `None` for opaque keys (`sb_secret_…` of a cloud project) and garbage.
pub fn key_claims(key: &str) -> Option<KeyClaims> {
    let key = key.trim();
    if DEMO_KEYS.contains(&key) {
        return Some(KeyClaims {
            iss: Some("supabase-demo".into()),
            project_ref: None,
        });
    }
    let json = crate::jobs::creds::jwt_claims(key)?;
    let field = |k: &str| json.get(k).and_then(|v| v.as_str()).map(String::from);
    Some(KeyClaims {
        iss: field("iss"),
        project_ref: field("ref"),
    })
}

/// A cloud key whose project ref differs from the URL's `<ref>.supabase.co`.
pub fn ref_mismatch(url: &str, claims: &KeyClaims) -> Option<String> {
    let key_ref = claims.project_ref.as_deref()?;
    let (host, _) = url_host(url);
    let url_ref = host.strip_suffix(".supabase.co")?;
    (url_ref != key_ref.to_ascii_lowercase()).then(|| {
        format!(
            "SUPABASE_URL is project {url_ref} but the key was issued for project {key_ref}; \
             use the service role key of {url_ref} (Project Settings → API)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLOUD: &str = "https://abcdefghijklmnop.supabase.co";

    #[test]
    fn local_worker_against_cloud_dashboard() {
        let m = supabase_mismatch("http://127.0.0.1:54321", None, CLOUD).expect("mismatch");
        assert!(m.contains("local Supabase (http://127.0.0.1:54321)"), "{m}");
        assert!(m.contains("restart the worker"), "{m}");
        // A demo-signed key gives it away even behind another name.
        let m = supabase_mismatch("http://supabase.lan:8000", Some("supabase-demo"), CLOUD)
            .expect("mismatch");
        assert!(m.contains("demo key"), "{m}");
    }

    #[test]
    fn local_dashboard_against_cloud_worker() {
        let m = supabase_mismatch(CLOUD, Some("supabase"), "http://localhost:54321/").unwrap();
        assert!(m.contains("this dashboard reads a local Supabase"), "{m}");
        assert!(supabase_mismatch(CLOUD, None, "http://[::1]:54321").is_some());
    }

    #[test]
    fn same_instance_is_fine() {
        assert_eq!(
            supabase_mismatch(CLOUD, Some("supabase"), &format!("{CLOUD}/")),
            None
        );
        assert_eq!(
            supabase_mismatch(
                "http://127.0.0.1:54321",
                Some("supabase-demo"),
                "http://localhost:54321"
            ),
            None
        );
    }

    #[test]
    fn two_cloud_projects_differ() {
        let m = supabase_mismatch("https://one.supabase.co", None, "https://TWO.supabase.co");
        assert!(m.unwrap().contains("two different Supabase projects"));
        assert_eq!(
            supabase_mismatch(
                "https://user:pw@One.supabase.co/rest/v1",
                None,
                "https://one.supabase.co"
            ),
            None
        );
    }

    #[test]
    fn garbage_urls_do_not_panic() {
        for u in ["", "://", "[", "http://[::1", "a:b:c", "http://h:99999"] {
            let _ = supabase_mismatch(u, None, CLOUD);
            let _ = supabase_mismatch(CLOUD, None, u);
        }
    }

    // The public demo service-role JWT every `supabase start` prints.
    const DEMO_JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU";

    #[test]
    fn key_claims_from_jwt_and_demo_keys() {
        let c = key_claims(DEMO_JWT).expect("a JWT");
        assert_eq!(c.iss.as_deref(), Some("supabase-demo"));
        assert_eq!(c.project_ref, None);
        let c = key_claims("sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz").unwrap();
        assert_eq!(c.iss.as_deref(), Some("supabase-demo"));
        assert_eq!(key_claims("sb_secret_abcdefghijklmnop"), None);
        for bad in ["", "a.b", "a.!!!.c", "a.b.c.d", "x.eyJpc3MiOjF9.y"] {
            assert_eq!(key_claims(bad).and_then(|c| c.iss), None, "{bad}");
        }
    }

    #[test]
    fn claims_are_read_from_url_safe_or_standard_padded_payloads() {
        // {"iss":"a"} in base64url, padded, and in the standard alphabet.
        let claims = |p: &str| crate::jobs::creds::jwt_claims(&format!("h.{p}.s"));
        assert_eq!(claims("eyJpc3MiOiJhIn0").unwrap()["iss"], "a");
        assert_eq!(claims("eyJpc3MiOiJhIn0=").unwrap()["iss"], "a");
        assert_eq!(claims("a b"), None);
        assert_eq!(crate::jobs::creds::jwt_claims("only.two"), None);
    }

    #[test]
    fn key_for_another_project_is_named() {
        let claims = KeyClaims {
            iss: Some("supabase".into()),
            project_ref: Some("otherref".into()),
        };
        let m = ref_mismatch(CLOUD, &claims).expect("mismatch");
        assert!(m.contains("project abcdefghijklmnop"), "{m}");
        assert!(m.contains("issued for project otherref"), "{m}");
        let same = KeyClaims {
            project_ref: Some("abcdefghijklmnop".into()),
            ..claims
        };
        assert_eq!(ref_mismatch(CLOUD, &same), None);
        assert_eq!(ref_mismatch("http://127.0.0.1:54321", &same), None);
    }
}
