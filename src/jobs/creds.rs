//! Supabase credentials: where they come from, and keeping the key out of every output.
//!
//! The key is wrapped in [`Secret`], whose `Debug` prints only the mask, so a stray `{:?}` in a
//! log line or a panic message cannot leak it. The only way to the raw text is
//! [`Credentials::expose_key`], used when building request headers.

use std::fmt;

use super::errors::JobsError;
use crate::config::JobsSettings;
use crate::host::Host;

pub const URL_VAR: &str = "SUPABASE_URL";
pub const KEY_VAR: &str = "SUPABASE_SERVICE_ROLE_KEY";

/// A key that never prints itself.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", mask(&self.0))
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mask(&self.0))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// `sb_secret_…`: new-style secret key, sent in `apikey` only.
    SbSecret,
    /// `sb_publishable_…`: the public key; reads only what RLS allows.
    SbPublishable,
    /// Legacy `service_role`/`anon` JWT, sent in `apikey` and `Authorization: Bearer`.
    Jwt,
    Other,
}

impl KeyKind {
    pub fn of(key: &str) -> KeyKind {
        if key.starts_with("sb_secret_") {
            KeyKind::SbSecret
        } else if key.starts_with("sb_publishable_") {
            KeyKind::SbPublishable
        } else if key.starts_with("eyJ") && key.split('.').count() == 3 {
            KeyKind::Jwt
        } else {
            KeyKind::Other
        }
    }
}

/// `sb_…abcd`, `eyJ…abcd`, or `…abcd`: enough to tell keys apart, never enough to use one.
/// Keys too short to hide anything print as `…` alone.
pub fn mask(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 12 {
        return "…".into();
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    let prefix = match KeyKind::of(key) {
        KeyKind::SbSecret | KeyKind::SbPublishable => "sb_",
        KeyKind::Jwt => "eyJ",
        KeyKind::Other => "",
    };
    format!("{prefix}…{tail}")
}

#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub url: String,
    key: Secret,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("url", &self.url)
            .field("key", &self.key)
            .finish()
    }
}

impl Credentials {
    pub fn new(url: impl Into<String>, key: impl Into<String>) -> Self {
        Credentials {
            url: url.into(),
            key: Secret::new(key),
        }
    }
    /// The raw key, for request headers only.
    pub fn expose_key(&self) -> &str {
        self.key.expose()
    }
    pub fn masked_key(&self) -> String {
        mask(self.key.expose())
    }
    pub fn key_kind(&self) -> KeyKind {
        KeyKind::of(self.key.expose())
    }
}

/// Both variables from `env`, or `None` when either is missing or blank.
pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Option<Credentials> {
    let url = env(URL_VAR).filter(|v| !v.trim().is_empty())?;
    let key = env(KEY_VAR).filter(|v| !v.trim().is_empty())?;
    Some(Credentials::new(url.trim(), key.trim()))
}

/// Reads dotenv text (`KEY=value`, `export KEY=value`, single/double quotes, `#` comments).
/// Warnings name line numbers and keys, never values.
pub fn parse_env_file(text: &str) -> (Option<Credentials>, Vec<String>) {
    let mut warnings = Vec::new();
    let mut url = None;
    let mut key = None;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line
            .strip_prefix("export")
            .filter(|rest| rest.starts_with(char::is_whitespace))
            .map(str::trim_start)
            .unwrap_or(line);
        let Some((name, value)) = line.split_once('=') else {
            warnings.push(format!("line {}: no `=`, ignored", n + 1));
            continue;
        };
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            warnings.push(format!("line {}: not a variable name, ignored", n + 1));
            continue;
        }
        let value = match parse_value(value.trim_start()) {
            Ok(v) => v,
            Err(why) => {
                warnings.push(format!("line {}: {name}: {why}, ignored", n + 1));
                continue;
            }
        };
        match name {
            URL_VAR => url = Some(value),
            KEY_VAR => key = Some(value),
            _ => {}
        }
    }
    let url = url.filter(|v| !v.trim().is_empty());
    let key = key.filter(|v| !v.trim().is_empty());
    match (url, key) {
        (Some(u), Some(k)) => (Some(Credentials::new(u.trim(), k.trim())), warnings),
        (u, k) => {
            for (missing, var) in [(u.is_none(), URL_VAR), (k.is_none(), KEY_VAR)] {
                if missing {
                    warnings.push(format!("{var} is not set"));
                }
            }
            (None, warnings)
        }
    }
}

fn parse_value(v: &str) -> Result<String, &'static str> {
    if let Some(rest) = v.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = rest.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => return Ok(out),
                '\\' => match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(other) => out.push(other),
                    None => break,
                },
                c => out.push(c),
            }
        }
        Err("unterminated double quote")
    } else if let Some(rest) = v.strip_prefix('\'') {
        rest.split_once('\'')
            .map(|(inner, _)| inner.to_string())
            .ok_or("unterminated single quote")
    } else {
        // An unquoted value ends at ` #` (a trailing comment), as in shells and python-dotenv.
        let end = v
            .char_indices()
            .find(|&(i, c)| c == '#' && v[..i].ends_with(char::is_whitespace))
            .map_or(v.len(), |(i, _)| i);
        Ok(v[..end].trim().to_string())
    }
}

/// Credentials for `host`: sparkdeck's own environment first, else `settings.env_file` read on
/// the host (a leading `~/` is the host user's home).
pub async fn load(host: &dyn Host, settings: &JobsSettings) -> Result<Credentials, JobsError> {
    if let Some(c) = from_env(|k| std::env::var(k).ok()) {
        return Ok(c);
    }
    load_env_file(host, settings).await
}

/// The worker's own credentials: `settings.env_file` on the host, ignoring sparkdeck's
/// environment (triage compares the two).
pub async fn load_env_file(
    host: &dyn Host,
    settings: &JobsSettings,
) -> Result<Credentials, JobsError> {
    let file = settings.env_file.clone();
    let fail = |detail: String| JobsError::NoCredentials {
        file: file.clone(),
        host: host.name().to_string(),
        detail,
    };
    let path = expand_home(host, &file).await.map_err(&fail)?;
    let bytes = host
        .read_file(&path)
        .await
        .map_err(|e| fail(e.to_string()))?;
    let text = String::from_utf8_lossy(&bytes);
    let (creds, warnings) = parse_env_file(&text);
    for w in &warnings {
        tracing::warn!(file = %file, host = host.name(), "env file: {w}");
    }
    creds.ok_or_else(|| {
        let missing: Vec<&str> = warnings
            .iter()
            .filter_map(|w| w.strip_suffix(" is not set"))
            .collect();
        JobsError::IncompleteEnvFile {
            file: file.clone(),
            host: host.name().to_string(),
            missing: missing.join(" and "),
        }
    })
}

/// The value of `var` in dotenv text (the last assignment wins, as when a shell sources it);
/// `None` when unset, empty or malformed.
pub fn env_file_var(text: &str, var: &str) -> Option<String> {
    let mut found = None;
    for raw in text.lines() {
        let line = raw.trim();
        let line = line
            .strip_prefix("export")
            .filter(|rest| rest.starts_with(char::is_whitespace))
            .map(str::trim_start)
            .unwrap_or(line);
        if let Some((name, value)) = line.split_once('=')
            && name.trim() == var
            && let Ok(v) = parse_value(value.trim_start())
        {
            found = Some(v);
        }
    }
    found.filter(|v| !v.trim().is_empty())
}

/// `var` from sparkdeck's environment, else from `file` on `host` (a leading `~/` is the
/// host user's home). `Err` says why the file could not be read.
pub async fn env_or_file_var(host: &dyn Host, file: &str, var: &str) -> Result<Secret, String> {
    if let Ok(v) = std::env::var(var)
        && !v.trim().is_empty()
    {
        return Ok(Secret::new(v.trim()));
    }
    let path = expand_home(host, file).await?;
    let bytes = host.read_file(&path).await.map_err(|e| e.to_string())?;
    env_file_var(&String::from_utf8_lossy(&bytes), var)
        .map(|v| Secret::new(v.trim()))
        .ok_or_else(|| format!("{var} is not set there"))
}

/// `~/x` → `$HOME/x` as the host sees it. `$HOME` comes from a fixed script, so the path is
/// never part of shell text.
async fn expand_home(host: &dyn Host, path: &str) -> Result<String, String> {
    let Some(rest) = path.strip_prefix("~/") else {
        return Ok(path.to_string());
    };
    let out = host
        .exec(&["sh", "-c", "printf %s \"$HOME\""])
        .await
        .map_err(|e| format!("reading $HOME: {e}"))?;
    let home = out.stdout_str();
    if !out.success() || home.trim().is_empty() {
        return Err("$HOME is not set on the host; give env_file as an absolute path".into());
    }
    Ok(format!("{}/{rest}", home.trim_end_matches('/')))
}

/// The `iss` claim of a JWT key, read without verifying (`supabase-demo` marks the keys of the
/// local Supabase CLI stack).
pub fn jwt_issuer(key: &str) -> Option<String> {
    jwt_claims(key)?.get("iss")?.as_str().map(str::to_string)
}

/// The claims (payload) of a JWT, read without verifying; `None` for anything that is not
/// three dot-separated segments with a base64url JSON payload.
pub fn jwt_claims(key: &str) -> Option<serde_json::Value> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let mut parts = key.trim().split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let payload = payload.trim_end_matches('=');
    // JWTs use base64url; some tools emit the standard alphabet, so accept both.
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .or_else(|_| STANDARD_NO_PAD.decode(payload))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Does `url` point at the local Supabase CLI stack (`127.0.0.1:54321` / `localhost:54321`)?
pub fn is_local_supabase(url: &str) -> bool {
    let Ok(parsed) = reqwest::Url::parse(url.trim()) else {
        return false;
    };
    let local = matches!(
        parsed.host_str(),
        Some("127.0.0.1" | "localhost" | "[::1]" | "::1")
    );
    local && parsed.port_or_known_default() == Some(54321)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const JWT_DEMO: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU";

    #[test]
    fn masks_keep_prefix_and_last_four() {
        assert_eq!(mask("sb_secret_0123456789abcd"), "sb_…abcd");
        assert_eq!(mask(JWT_DEMO), "eyJ…81IU");
        assert_eq!(mask("plainkey-0123456789wxyz"), "…wxyz");
        assert_eq!(mask("short"), "…");
    }

    #[test]
    fn debug_never_shows_the_key() {
        let c = Credentials::new("https://x.supabase.co", "sb_secret_TOPSECRETVALUE1234");
        let dbg = format!("{c:?} {:?}", c.key);
        assert!(!dbg.contains("TOPSECRET"), "{dbg}");
        assert!(dbg.contains("sb_…1234"), "{dbg}");
    }

    #[test]
    fn key_kinds() {
        assert_eq!(KeyKind::of("sb_secret_abc"), KeyKind::SbSecret);
        assert_eq!(KeyKind::of("sb_publishable_abc"), KeyKind::SbPublishable);
        assert_eq!(KeyKind::of(JWT_DEMO), KeyKind::Jwt);
        assert_eq!(KeyKind::of("eyJnotajwt"), KeyKind::Other);
    }

    #[test]
    fn env_file_syntax() {
        let text = "# worker\nexport SUPABASE_URL=\"https://abc.supabase.co\"\n\
                    SUPABASE_SERVICE_ROLE_KEY='sb_secret_xyz0123456789' \n\
                    OTHER=1 # comment\nbroken line\n";
        let (c, w) = parse_env_file(text);
        let c = c.expect("both set");
        assert_eq!(c.url, "https://abc.supabase.co");
        assert_eq!(c.expose_key(), "sb_secret_xyz0123456789");
        assert_eq!(w, vec!["line 5: no `=`, ignored".to_string()]);

        let (c, _) = parse_env_file(
            "SUPABASE_URL=http://127.0.0.1:54321 # local\nSUPABASE_SERVICE_ROLE_KEY=k#1\n",
        );
        let c = c.unwrap();
        assert_eq!(c.url, "http://127.0.0.1:54321");
        assert_eq!(c.expose_key(), "k#1");
    }

    #[test]
    fn missing_variables_are_named_without_values() {
        let (c, w) =
            parse_env_file("SUPABASE_URL=https://a.b\nSUPABASE_SERVICE_ROLE_KEY=\"unterminated\n");
        assert!(c.is_none());
        assert!(w.iter().any(|w| w.contains("unterminated double quote")));
        assert!(w.contains(&"SUPABASE_SERVICE_ROLE_KEY is not set".to_string()));
        assert!(w.iter().all(|w| !w.contains("unterminated\"")));
    }

    #[test]
    fn from_env_needs_both() {
        let env = |k: &str| (k == URL_VAR).then(|| "https://a".to_string());
        assert!(from_env(env).is_none());
        let env = |k: &str| Some(format!("{k}-value"));
        assert_eq!(from_env(env).unwrap().url, "SUPABASE_URL-value");
    }

    #[test]
    fn issuer_and_local_stack() {
        assert_eq!(jwt_issuer(JWT_DEMO).as_deref(), Some("supabase-demo"));
        assert_eq!(jwt_issuer("sb_secret_x"), None);
        assert_eq!(jwt_issuer("a.!!!.c"), None);
        assert!(is_local_supabase("http://127.0.0.1:54321"));
        assert!(is_local_supabase("http://localhost:54321/"));
        assert!(!is_local_supabase("https://abc.supabase.co"));
        assert!(!is_local_supabase("not a url"));
    }

    proptest! {
        #[test]
        fn env_parser_never_panics(text in "\\PC*") {
            let _ = parse_env_file(&text);
        }

        #[test]
        fn env_parser_never_panics_on_dotenv_like_lines(
            lines in proptest::collection::vec("(export )?[A-Z_]{0,4}=?[\"'#\\\\ a-z]{0,8}", 0..8)
        ) {
            let _ = parse_env_file(&lines.join("\n"));
        }

        #[test]
        fn mask_never_contains_more_than_four_key_chars(key in "[a-zA-Z0-9_]{12,64}") {
            let m = mask(&key);
            prop_assert!(m.chars().count() <= 8);
        }

        #[test]
        fn issuer_never_panics(key in "\\PC*") {
            let _ = jwt_issuer(&key);
        }
    }
}
