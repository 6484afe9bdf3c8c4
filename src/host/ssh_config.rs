//! Turning a saved connection or an `~/.ssh/config` alias into an `SshTarget`.
//!
//! `ssh -G` gives exactly OpenSSH's answer (Match, Include, tokens, defaults), so it is used
//! whenever the `ssh` binary exists; ssh2-config is the fallback on machines without it.

use super::HostError;
use super::ssh::SshTarget;
use crate::model::{ConnectionSpec, SshConfigEntry};
use ssh2_config::{ParseRule, SshConfig};
use std::path::{Path, PathBuf};
use std::process::Command;

/// ProxyJump chains deeper than this are treated as a loop in the configuration.
const MAX_JUMP_DEPTH: usize = 8;

/// The values of one host after the config file was applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResolvedHost {
    pub hostname: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub identity_files: Vec<PathBuf>,
    pub proxy_jump: Option<String>,
}

/// Resolves `spec` (whose `host` may be an alias) using `ssh_config`, or the user's
/// `~/.ssh/config` when `None`. Fields set in the spec win over the config file; a port of
/// 22 counts as "not set" because it is the form's default.
pub fn resolve_target(
    spec: &ConnectionSpec,
    ssh_config: Option<&Path>,
) -> Result<SshTarget, HostError> {
    let use_ssh = find_in_path("ssh").is_some();
    resolve_with(spec, ssh_config, use_ssh, 0)
}

/// Like `resolve_target`, choosing the resolver explicitly: `ssh -G` when `use_ssh`, else
/// ssh2-config. Exposed so both paths can be checked against the same file.
pub fn resolve_target_with(
    spec: &ConnectionSpec,
    ssh_config: Option<&Path>,
    use_ssh: bool,
) -> Result<SshTarget, HostError> {
    resolve_with(spec, ssh_config, use_ssh, 0)
}

fn resolve_with(
    spec: &ConnectionSpec,
    ssh_config: Option<&Path>,
    use_ssh: bool,
    depth: usize,
) -> Result<SshTarget, HostError> {
    if depth > MAX_JUMP_DEPTH {
        return Err(HostError::Config(format!(
            "ProxyJump chain for {} is longer than {MAX_JUMP_DEPTH} hops; check the config for a loop",
            spec.host
        )));
    }
    if spec.host.trim().is_empty() {
        return Err(HostError::Config(format!(
            "connection {:?} has no host",
            spec.name
        )));
    }
    let found = if use_ssh {
        lookup_with_ssh(&spec.host, ssh_config)?
    } else {
        lookup_with_ssh2_config(&spec.host, ssh_config)?
    };
    let port = if spec.port != 22 {
        spec.port
    } else {
        found.port.unwrap_or(22)
    };
    let user = spec
        .user
        .clone()
        .or(found.user)
        .or_else(current_user)
        .ok_or_else(|| {
            HostError::Config(format!(
                "no user for {}: set one in the connection",
                spec.host
            ))
        })?;
    let identity_files = match &spec.key_path {
        Some(k) => vec![expand_tilde(&k.to_string_lossy())],
        None => found.identity_files,
    };
    let jump_spec = spec
        .jump
        .clone()
        .or(found.proxy_jump)
        .filter(|j| !j.trim().is_empty() && !j.eq_ignore_ascii_case("none"));
    let jump = match jump_spec {
        Some(chain) => Some(Box::new(resolve_jump_chain(
            &chain, ssh_config, use_ssh, depth,
        )?)),
        None => None,
    };
    Ok(SshTarget {
        name: spec.name.clone(),
        host: found.hostname.unwrap_or_else(|| spec.host.clone()),
        port,
        user,
        identity_files,
        jump,
    })
}

/// `a,b,c` means: reach a, through it b, through b c, and through c the target. The
/// returned target is the last hop, with the earlier ones nested in its `jump`.
fn resolve_jump_chain(
    chain: &str,
    ssh_config: Option<&Path>,
    use_ssh: bool,
    depth: usize,
) -> Result<SshTarget, HostError> {
    let mut previous: Option<Box<SshTarget>> = None;
    for hop in chain.split(',').map(str::trim).filter(|h| !h.is_empty()) {
        let (user, host, port) = parse_jump_hop(hop)?;
        let mut spec = ConnectionSpec::new(hop, host);
        spec.user = user;
        spec.port = port.unwrap_or(22);
        let mut target = resolve_with(&spec, ssh_config, use_ssh, depth + 1)?;
        if previous.is_some() {
            target.jump = previous;
        }
        previous = Some(Box::new(target));
    }
    previous
        .map(|b| *b)
        .ok_or_else(|| HostError::Config(format!("ProxyJump {chain:?} names no host")))
}

/// Splits `[user@]host[:port]` (an IPv6 host in brackets: `[::1]:22`).
pub fn parse_jump_hop(hop: &str) -> Result<(Option<String>, String, Option<u16>), HostError> {
    let hop = hop.strip_prefix("ssh://").unwrap_or(hop);
    let (user, rest) = match hop.rsplit_once('@') {
        Some((u, r)) => (Some(u.to_string()), r),
        None => (None, hop),
    };
    let bad_port = |p: &str| {
        HostError::Config(format!(
            "ProxyJump {hop:?}: port {p:?} is not a number from 1 to 65535"
        ))
    };
    let (host, port) = if let Some(inner) = rest.strip_prefix('[') {
        let (h, after) = inner
            .split_once(']')
            .ok_or_else(|| HostError::Config(format!("ProxyJump {hop:?}: missing ']'")))?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(
                p.parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| bad_port(p))?,
            ),
            None if after.is_empty() => None,
            None => {
                return Err(HostError::Config(format!(
                    "ProxyJump {hop:?}: unexpected {after:?}"
                )));
            }
        };
        (h.to_string(), port)
    } else {
        match rest.rsplit_once(':') {
            Some((h, p)) => (
                h.to_string(),
                Some(
                    p.parse::<u16>()
                        .ok()
                        .filter(|p| *p > 0)
                        .ok_or_else(|| bad_port(p))?,
                ),
            ),
            None => (rest.to_string(), None),
        }
    };
    if host.is_empty() {
        return Err(HostError::Config(format!("ProxyJump {hop:?} has no host")));
    }
    Ok((user.filter(|u| !u.is_empty()), host, port))
}

fn lookup_with_ssh(alias: &str, ssh_config: Option<&Path>) -> Result<ResolvedHost, HostError> {
    let mut cmd = Command::new("ssh");
    cmd.arg("-G");
    if let Some(path) = ssh_config {
        cmd.arg("-F").arg(path);
    }
    // `--` keeps an alias starting with '-' from being read as an option.
    cmd.arg("--").arg(alias);
    let out = cmd.output().map_err(|e| HostError::Spawn {
        program: "ssh -G".into(),
        source: e,
    })?;
    if !out.status.success() {
        return Err(HostError::Config(format!(
            "`ssh -G {alias}` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(parse_ssh_g(&String::from_utf8_lossy(&out.stdout)))
}

/// Parses the `key value` lines `ssh -G` prints.
pub fn parse_ssh_g(output: &str) -> ResolvedHost {
    let mut r = ResolvedHost::default();
    for line in output.lines() {
        let Some((key, value)) = line.trim().split_once(char::is_whitespace) else {
            continue;
        };
        let value = value.trim();
        match key.to_ascii_lowercase().as_str() {
            "hostname" => r.hostname = Some(value.to_string()),
            "port" => r.port = value.parse().ok(),
            "user" => r.user = Some(value.to_string()),
            "identityfile" => r.identity_files.push(expand_tilde(value)),
            "proxyjump" if !value.eq_ignore_ascii_case("none") => {
                r.proxy_jump = Some(value.to_string())
            }
            _ => {}
        }
    }
    r
}

fn read_config(path: Option<&Path>) -> Result<SshConfig, HostError> {
    let default = std::env::home_dir().map(|h| h.join(".ssh").join("config"));
    let Some(path) = path.map(Path::to_path_buf).or(default) else {
        return Ok(SshConfig::default());
    };
    let text = match std::fs::read(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(SshConfig::default()),
        Err(source) => {
            return Err(HostError::Io {
                context: format!("cannot read ssh config {}", path.display()),
                source,
            });
        }
    };
    // Options ssh2-config does not model are kept aside instead of failing the whole file.
    SshConfig::default()
        .parse(
            &mut text.as_slice(),
            ParseRule::ALLOW_UNKNOWN_FIELDS | ParseRule::ALLOW_UNSUPPORTED_FIELDS,
        )
        .map_err(|e| HostError::Config(format!("{}: {e}", path.display())))
}

fn lookup_with_ssh2_config(
    alias: &str,
    ssh_config: Option<&Path>,
) -> Result<ResolvedHost, HostError> {
    let params = read_config(ssh_config)?.query(alias);
    Ok(ResolvedHost {
        hostname: params.host_name,
        port: params.port,
        user: params.user,
        identity_files: params
            .identity_file
            .unwrap_or_default()
            .iter()
            .map(|p| expand_tilde(&p.to_string_lossy()))
            .collect(),
        proxy_jump: params.proxy_jump.map(|j| j.join(",")),
    })
}

/// The concrete `Host` aliases of a config file (patterns with `*`, `?` or `!` are not
/// destinations), each with the values it resolves to. A missing file lists nothing.
pub fn list_hosts(path: &Path) -> Result<Vec<SshConfigEntry>, HostError> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let config = read_config(Some(path))?;
    let mut entries: Vec<SshConfigEntry> = Vec::new();
    for host in config.get_hosts() {
        for clause in &host.pattern {
            let alias = clause.pattern.as_str();
            if clause.negated || alias.contains(['*', '?', '!']) || alias.is_empty() {
                continue;
            }
            if entries.iter().any(|e| e.alias == alias) {
                continue;
            }
            let p = config.query(alias);
            entries.push(SshConfigEntry {
                alias: alias.to_string(),
                hostname: p.host_name,
                port: p.port,
                user: p.user,
                identity_file: p
                    .identity_file
                    .and_then(|f| f.first().map(|p| expand_tilde(&p.to_string_lossy()))),
                proxy_jump: p.proxy_jump.map(|j| j.join(",")),
            });
        }
    }
    Ok(entries)
}

fn expand_tilde(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ if path == "~" => std::env::home_dir().unwrap_or_else(|| PathBuf::from(path)),
        _ => PathBuf::from(path),
    }
}

fn current_user() -> Option<String> {
    ["USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
}

fn find_in_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jump_hops_parse() {
        assert_eq!(
            parse_jump_hop("bastion").unwrap(),
            (None, "bastion".into(), None)
        );
        assert_eq!(
            parse_jump_hop("ops@bastion:2222").unwrap(),
            (Some("ops".into()), "bastion".into(), Some(2222))
        );
        assert_eq!(
            parse_jump_hop("[::1]:22").unwrap(),
            (None, "::1".into(), Some(22))
        );
        assert!(parse_jump_hop("host:notaport").is_err());
        assert!(parse_jump_hop("host:0").is_err());
        assert!(parse_jump_hop("@").is_err());
        assert!(parse_jump_hop("[::1").is_err());
    }

    #[test]
    fn ssh_g_output_parses() {
        let out = "host spark\nhostname 10.0.0.5\nport 2222\nuser ops\nidentityfile /k/a\nidentityfile /k/b\nproxyjump none\nbogus\n";
        let r = parse_ssh_g(out);
        assert_eq!(r.hostname.as_deref(), Some("10.0.0.5"));
        assert_eq!(r.port, Some(2222));
        assert_eq!(r.user.as_deref(), Some("ops"));
        assert_eq!(
            r.identity_files,
            vec![PathBuf::from("/k/a"), PathBuf::from("/k/b")]
        );
        assert_eq!(r.proxy_jump, None);
        assert_eq!(parse_ssh_g("port x\n\u{0}\n"), ResolvedHost::default());
    }
}
