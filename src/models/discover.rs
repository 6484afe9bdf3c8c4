//! Which stores exist on the host: the model root, the HF cache (env on the host), the
//! Ollama stores, extra folders and Ollama containers' volumes.
//!
//! Everything is checked on the host in one `sh -c` run of a fixed script; the configured
//! paths travel as positional arguments, so the shell never reads them as code. `~` and
//! relative paths are taken from the host's `$HOME`, and the HF cache from the
//! environment commands see there (`HF_HUB_CACHE`, then `HF_HOME/hub`). A variable set
//! only in an interactive shell's rc file is not visible: set `[models] hf_cache` then.

use crate::config::ModelsSettings;
use crate::host::Host;
use crate::model::{StoreKind, StoreSpec};

/// The outcome of looking: stores to scan, configured stores that cannot be scanned (with
/// why and the fix), and notes that belong to no store (docker not reachable).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovery {
    pub stores: Vec<StoreSpec>,
    pub problems: Vec<(StoreSpec, String)>,
    pub notes: Vec<String>,
}

/// Stores that exist, plus notes on configured ones that do not (or cannot be read).
pub async fn stores(host: &dyn Host, settings: &ModelsSettings) -> (Vec<StoreSpec>, Vec<String>) {
    let d = probe(host, settings).await;
    let mut notes: Vec<String> = d.problems.into_iter().map(|(_, why)| why).collect();
    notes.extend(d.notes);
    (d.stores, notes)
}

/// Records: kind, origin, status, path as given (~ expanded), physical path; each ended
/// by NUL so that no path can break them. `auto` origins resolve the environment.
const SCRIPT: &str = r#"
expand() {
  case $1 in
    "~") printf '%s' "$HOME" ;;
    "~/"*) printf '%s/%s' "$HOME" "${1#"~/"}" ;;
    /*) printf '%s' "$1" ;;
    *) printf '%s/%s' "$HOME" "$1" ;;
  esac
}
while [ $# -ge 3 ]; do
  kind=$1 origin=$2 p=$3
  shift 3
  if [ "$origin" = auto ]; then
    case $kind in
      hf_cache)
        if [ -n "${HF_HUB_CACHE-}" ]; then origin=HF_HUB_CACHE p=$HF_HUB_CACHE
        elif [ -n "${HF_HOME-}" ]; then origin=HF_HOME p=$HF_HOME/hub
        else origin=default p="~/.cache/huggingface/hub"; fi ;;
      ollama)
        [ -n "${OLLAMA_MODELS-}" ] || continue
        origin=OLLAMA_MODELS p=$OLLAMA_MODELS ;;
    esac
  fi
  p=$(expand "$p")
  phys=$p
  if [ -d "$p" ]; then
    if [ -r "$p" ] && [ -x "$p" ]; then
      st=ok
      phys=$(cd -P -- "$p" 2>/dev/null && pwd -P) || phys=$p
    else
      st=unreadable
    fi
  elif [ -e "$p" ]; then
    st=notdir
  elif [ -L "$p" ]; then
    st=dangling
  elif ls -d -- "$p" 2>&1 | grep -q 'Permission denied'; then
    st=unreadable
  else
    st=missing
  fi
  printf '%s\0%s\0%s\0%s\0%s\0' "$kind" "$origin" "$st" "$p" "$phys"
done
"#;

/// What a store is called in a note.
fn what(kind: StoreKind, origin: &str) -> String {
    match (kind, origin) {
        (StoreKind::Folder, "model root") => "model root".into(),
        (StoreKind::Folder, _) => "extra model folder".into(),
        (StoreKind::HfCache, "config") => "Hugging Face cache ([models] hf_cache)".into(),
        (StoreKind::HfCache, "default") => "Hugging Face cache".into(),
        (StoreKind::HfCache, o) => format!("Hugging Face cache (from ${o})"),
        (StoreKind::Ollama, o) if o.starts_with("container ") => {
            format!("Ollama volume of {}", &o["container ".len()..])
        }
        (StoreKind::Ollama, "OLLAMA_MODELS") => "Ollama store (from $OLLAMA_MODELS)".into(),
        (StoreKind::Ollama, _) => "Ollama store".into(),
    }
}

fn fix(kind: StoreKind, origin: &str, path: &str) -> String {
    match (kind, origin) {
        (StoreKind::Folder, "model root") => {
            format!("create it (mkdir -p '{path}') or set [models] root")
        }
        (StoreKind::Folder, _) => "fix the path in [models] extra or remove it".into(),
        (StoreKind::HfCache, "config") => {
            "fix [models] hf_cache, or leave it empty to follow $HF_HUB_CACHE / $HF_HOME".into()
        }
        (StoreKind::HfCache, o) if o != "default" => {
            format!("fix ${o} on the host or set [models] hf_cache")
        }
        (StoreKind::Ollama, "ollama_stores") => {
            "fix the path in [models] ollama_stores or remove it".into()
        }
        _ => String::new(),
    }
}

/// Defaults that need not exist (not every box has Ollama or an HF cache).
fn optional(kind: StoreKind, origin: &str) -> bool {
    origin == "default" || (kind == StoreKind::Ollama && origin.starts_with("container "))
}

pub async fn probe(host: &dyn Host, settings: &ModelsSettings) -> Discovery {
    let mut d = Discovery::default();
    let defaults = ModelsSettings::default();
    let mut args: Vec<String> = Vec::new();
    let mut add = |kind: StoreKind, origin: &str, path: &str| {
        args.extend([
            kind.as_str().to_string(),
            origin.to_string(),
            path.to_string(),
        ]);
    };
    if !settings.root.trim().is_empty() {
        add(StoreKind::Folder, "model root", &settings.root);
    }
    for p in settings.extra.iter().filter(|p| !p.trim().is_empty()) {
        add(StoreKind::Folder, "extra", p);
    }
    if settings.hf_cache.trim().is_empty() {
        add(StoreKind::HfCache, "auto", "");
    } else {
        add(StoreKind::HfCache, "config", &settings.hf_cache);
    }
    add(StoreKind::Ollama, "auto", "");
    for p in settings
        .ollama_stores
        .iter()
        .filter(|p| !p.trim().is_empty())
    {
        let origin = if defaults.ollama_stores.contains(p) {
            "default"
        } else {
            "ollama_stores"
        };
        add(StoreKind::Ollama, origin, p);
    }
    if settings.docker_volumes {
        match docker::ollama_volumes(host).await {
            Ok(vols) => {
                for (container, path) in vols {
                    add(StoreKind::Ollama, &format!("container {container}"), &path);
                }
            }
            Err(Some(note)) => d.notes.push(note),
            Err(None) => {}
        }
    }
    let mut argv: Vec<&str> = vec!["sh", "-c", SCRIPT, "sparkdeck-discover"];
    argv.extend(args.iter().map(String::as_str));
    let out = match host.exec(&argv).await {
        Ok(o) if o.success() => o,
        Ok(o) => {
            d.notes.push(format!(
                "cannot look for model stores on {}: sh exited with {:?}: {}",
                host.name(),
                o.status,
                o.stderr_str().trim()
            ));
            return d;
        }
        Err(e) => {
            d.notes.push(format!(
                "cannot look for model stores on {}: {e}",
                host.name()
            ));
            return d;
        }
    };
    let mut seen: Vec<String> = Vec::new();
    for rec in parse_records(&out.stdout_str()) {
        let Some(kind) = kind_of(&rec.kind) else {
            continue;
        };
        let spec = StoreSpec {
            path: rec.path.clone(),
            kind,
            origin: rec.origin.clone(),
        };
        let name = what(kind, &rec.origin);
        let fix = fix(kind, &rec.origin, &rec.path);
        let fix = if fix.is_empty() {
            String::new()
        } else {
            format!("; {fix}")
        };
        let on = host.name();
        match rec.status.as_str() {
            "ok" => {
                if !seen.contains(&rec.phys) {
                    seen.push(rec.phys.clone());
                    d.stores.push(spec);
                }
            }
            "missing" | "dangling" if optional(kind, &rec.origin) => {}
            "missing" => d.problems.push((
                spec,
                format!("{name} {} does not exist on {on}{fix}", rec.path),
            )),
            "dangling" => d.problems.push((
                spec,
                format!(
                    "{name} {} on {on} is a symlink to nothing (its target is gone){fix}",
                    rec.path
                ),
            )),
            "notdir" => d.problems.push((
                spec,
                format!("{name} {} on {on} is not a folder{fix}", rec.path),
            )),
            _ => d.problems.push((
                spec,
                format!(
                    "{name} {} on {on} is not readable by this user, so its models cannot be counted; run as a user that can read it (its owner, a member of its group, or root)",
                    rec.path
                ),
            )),
        }
    }
    d
}

fn kind_of(s: &str) -> Option<StoreKind> {
    [StoreKind::Folder, StoreKind::HfCache, StoreKind::Ollama]
        .into_iter()
        .find(|k| k.as_str() == s)
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Record {
    kind: String,
    origin: String,
    status: String,
    path: String,
    phys: String,
}

fn parse_records(out: &str) -> Vec<Record> {
    let fields: Vec<&str> = out.split('\0').collect();
    fields
        .chunks_exact(5)
        .map(|c| Record {
            kind: c[0].to_string(),
            origin: c[1].to_string(),
            status: c[2].to_string(),
            path: c[3].to_string(),
            phys: c[4].to_string(),
        })
        .collect()
}

mod docker {
    //! Ollama containers' model volumes: what is mounted at `/root/.ollama` (or its
    //! `models/`) in a container, as a host path (`/var/lib/docker/volumes/…/_data`).

    use crate::host::{ExecOutput, Host};

    const FORMAT: &str = "{{.Name}}{{range .Mounts}}\t{{.Destination}}\t{{.Source}}{{end}}";

    /// (container, store path); Err(Some) when docker is there but cannot be asked,
    /// Err(None) when there is no docker.
    pub async fn ollama_volumes(host: &dyn Host) -> Result<Vec<(String, String)>, Option<String>> {
        let ps = ask(host, &["docker", "ps", "--quiet", "--no-trunc"]).await?;
        if ps.status == Some(127) {
            return Err(None);
        }
        if !ps.success() {
            return Err(Some(denied_note(host.name(), &ps.stderr_str())));
        }
        let ids: Vec<String> = ps
            .stdout_str()
            .split_whitespace()
            .map(String::from)
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut argv = vec!["docker", "inspect", "--format", FORMAT];
        argv.extend(ids.iter().map(String::as_str));
        let out = ask(host, &argv).await?;
        // A container may vanish between ps and inspect; the others still print.
        Ok(parse_inspect(&out.stdout_str()))
    }

    /// A docker daemon that hangs must not hold the whole Models refresh.
    const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

    async fn ask(host: &dyn Host, argv: &[&str]) -> Result<ExecOutput, Option<String>> {
        match tokio::time::timeout(TIMEOUT, host.exec(argv)).await {
            Ok(Ok(out)) => Ok(out),
            // No docker binary on a LocalHost is a spawn error: nothing to scan.
            Ok(Err(_)) => Err(None),
            Err(_) => Err(Some(format!(
                "Ollama container volumes on {} not scanned: `{}` did not answer within {} s",
                host.name(),
                argv[..2].join(" "),
                TIMEOUT.as_secs()
            ))),
        }
    }

    fn denied_note(host: &str, stderr: &str) -> String {
        if stderr
            .to_ascii_lowercase()
            .contains("permission denied while trying to connect to the")
        {
            format!(
                "Ollama container volumes on {host} not scanned: no access to the docker socket; add the user to group docker (sudo usermod -aG docker $USER, then log in again)"
            )
        } else {
            format!(
                "Ollama container volumes on {host} not scanned: docker ps failed: {}",
                stderr.lines().next().unwrap_or("").trim()
            )
        }
    }

    pub fn parse_inspect(out: &str) -> Vec<(String, String)> {
        let mut vols = Vec::new();
        for line in out.lines() {
            let mut parts = line.split('\t');
            let name = parts
                .next()
                .unwrap_or("")
                .trim_start_matches('/')
                .to_string();
            let rest: Vec<&str> = parts.collect();
            for pair in rest.chunks_exact(2) {
                let (dest, src) = (pair[0].trim_end_matches('/'), pair[1]);
                if src.is_empty() {
                    continue;
                }
                let path = match dest {
                    "/root/.ollama" => format!("{}/models", src.trim_end_matches('/')),
                    "/root/.ollama/models" => src.to_string(),
                    _ => continue,
                };
                vols.push((name.clone(), path));
            }
        }
        vols
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn finds_ollama_mounts() {
            let out = "/txt2kg-ollama-1\t/root/.ollama\t/var/lib/docker/volumes/ollama_data/_data\t/tmp\t/host/tmp\n\
                       /web\t/app/backend/data\t/var/lib/docker/volumes/w/_data\n\
                       /o2\t/root/.ollama/models/\t/srv/ollama\n";
            assert_eq!(
                super::parse_inspect(out),
                vec![
                    (
                        "txt2kg-ollama-1".to_string(),
                        "/var/lib/docker/volumes/ollama_data/_data/models".to_string()
                    ),
                    ("o2".to_string(), "/srv/ollama".to_string()),
                ]
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_odd_paths() {
        let out = "folder\0model root\0ok\0/a b\nc\0/a b\nc\0hf_cache\0default\0missing\0/h\0/h\0trailing";
        let r = parse_records(out);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].path, "/a b\nc");
        assert_eq!(r[1].status, "missing");
    }
}
