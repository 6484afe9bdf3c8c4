//! Reading and validating `config.toml`.
//!
//! The document is parsed once into toml's spanned tree, so every problem can be reported
//! with its file, line and column; the typed sections are then deserialised from that tree
//! with serde, and ranges, themes and key bindings are checked on top.

use super::error::{Allowed, ConfigError, Invalid};
use super::key_parse::KEY_FORMS;
use super::keymap::{KeyBinding, Keymap};
use super::paths::{self, CONFIG_ENV, Env, process_env};
use super::spanned::{entries_in_file_order, parse_document, show_value};
use super::theme::Theme;
use super::theme_file::{self, BUILTIN_THEMES, apply_theme_table};
use super::{
    Config, General, GpuSettings, JobsSettings, ModelsSettings, ServicesSettings, SshSettings,
    TunnelSettings,
};
use crate::app::action::Action;
use crate::model::{ProbeKind, ServiceKind};
use serde::de::DeserializeOwned;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

/// Top-level tables of `config.toml`.
pub const SECTIONS: &[&str] = &[
    "general", "ssh", "tunnels", "gpu", "jobs", "services", "models", "keys", "theme",
];
/// Keys of `[general]`, `[ssh]`, `[tunnels]` and `[gpu]` (the fields of their structs).
pub const GENERAL_KEYS: &[&str] = &[
    "theme",
    "mouse",
    "read_only",
    "tick_ms",
    "background_refresh_s",
];
pub const SSH_KEYS: &[&str] = &[
    "known_hosts",
    "config_file",
    "connect_timeout_s",
    "keepalive_interval_s",
    "keepalive_max",
    "max_channels",
    "reconnect_initial_s",
    "reconnect_max_s",
];
pub const TUNNEL_KEYS: &[&str] = &["ollama", "ollama_local_port", "ollama_remote_port"];
pub const GPU_KEYS: &[&str] = &[
    "interval_ms",
    "sparkline_s",
    "processes_interval_s",
    "history_window_s",
    "retention_days",
    "utilization_warn_pct",
    "utilization_crit_pct",
    "memory_warn_pct",
    "memory_crit_pct",
    "temperature_warn_c",
    "temperature_crit_c",
    "pressure_warn_pct",
    "pressure_crit_pct",
    "headroom_warn_pct",
    "headroom_crit_pct",
    "hysteresis",
    "alert_after_samples",
];
/// Keys of `[jobs]` (the fields of `JobsSettings`).
pub const JOBS_KEYS: &[&str] = &[
    "backend",
    "dsn_env",
    "env_file",
    "table",
    "column_id",
    "column_account_id",
    "column_job_type",
    "column_status",
    "column_attempts",
    "column_error",
    "column_debug",
    "column_created_at",
    "column_started_at",
    "column_finished_at",
    "requeueable",
    "requeue_to",
    "status_filters",
    "refresh_s",
    "page_size",
    "timeout_s",
    "retries",
    "stuck_queued_min",
    "stuck_idle_min",
    "worker_log",
    "worker_unit",
    "worker_process",
    "error_hints",
];
/// Keys of `[services]` (the fields of `ServicesSettings`).
pub const SERVICES_KEYS: &[&str] = &[
    "refresh_s",
    "probe_timeout_ms",
    "show_unexpected",
    "ignore_ports",
    "log_lines",
    "docker",
    "sudo",
    "replace_catalog",
    "catalog",
];
/// Keys of `[models]` (the fields of `ModelsSettings`).
pub const MODELS_KEYS: &[&str] = &[
    "root",
    "hf_cache",
    "ollama_stores",
    "extra",
    "docker_volumes",
    "refresh_s",
    "disk_warn_pct",
    "disk_crit_pct",
    "defaults",
];
/// Job backends this build speaks.
pub const JOBS_BACKENDS: &[&str] = &["postgrest", "postgres"];

/// Allowed ranges of the integer settings: (section, key, min, max), inclusive.
pub const RANGES: &[(&str, &str, i64, i64)] = &[
    ("general", "tick_ms", 50, 60_000),
    ("general", "background_refresh_s", 0, 86_400),
    ("ssh", "connect_timeout_s", 1, 300),
    ("ssh", "keepalive_interval_s", 1, 3_600),
    ("ssh", "keepalive_max", 1, 100),
    // sshd's default MaxSessions is 10, and one session is kept for interactive use.
    ("ssh", "max_channels", 1, 9),
    ("ssh", "reconnect_initial_s", 1, 3_600),
    ("ssh", "reconnect_max_s", 1, 86_400),
    ("tunnels", "ollama_local_port", 1, 65_535),
    ("tunnels", "ollama_remote_port", 1, 65_535),
    ("jobs", "refresh_s", 1, 3_600),
    // PostgREST deployments commonly cap rows per request at 1000 (Supabase's max_rows).
    ("jobs", "page_size", 1, 1_000),
    ("jobs", "timeout_s", 1, 300),
    ("jobs", "retries", 0, 10),
    ("jobs", "stuck_queued_min", 1, 10_080),
    ("jobs", "stuck_idle_min", 1, 10_080),
    ("services", "refresh_s", 1, 3_600),
    ("services", "probe_timeout_ms", 100, 60_000),
    ("services", "log_lines", 1, 100_000),
    ("gpu", "interval_ms", 250, 60_000),
    ("gpu", "sparkline_s", 10, 3_600),
    ("gpu", "processes_interval_s", 1, 3_600),
    ("gpu", "history_window_s", 5, 3_600),
    ("gpu", "retention_days", 1, 3_650),
    ("gpu", "alert_after_samples", 1, 1_000),
    // A rescan costs one shallow `find` per store even when nothing changed.
    ("models", "refresh_s", 5, 86_400),
];

/// Allowed ranges of the decimal settings (integers are accepted too): (section, key, min,
/// max), inclusive.
pub const FLOAT_RANGES: &[(&str, &str, f64, f64)] = &[
    ("gpu", "utilization_warn_pct", 0.0, 100.0),
    ("gpu", "utilization_crit_pct", 0.0, 100.0),
    ("gpu", "memory_warn_pct", 0.0, 100.0),
    ("gpu", "memory_crit_pct", 0.0, 100.0),
    ("gpu", "temperature_warn_c", 0.0, 150.0),
    ("gpu", "temperature_crit_c", 0.0, 150.0),
    ("gpu", "pressure_warn_pct", 0.0, 100.0),
    ("gpu", "pressure_crit_pct", 0.0, 100.0),
    ("gpu", "headroom_warn_pct", 0.0, 100.0),
    ("gpu", "headroom_crit_pct", 0.0, 100.0),
    ("gpu", "hysteresis", 0.0, 50.0),
    ("models", "disk_warn_pct", 0.0, 100.0),
    ("models", "disk_crit_pct", 0.0, 100.0),
];

/// Threshold pairs of `[gpu]` whose warning border may not lie above the critical one.
pub const GPU_WARN_CRIT: &[(&str, &str)] = &[
    ("utilization_warn_pct", "utilization_crit_pct"),
    ("memory_warn_pct", "memory_crit_pct"),
    ("temperature_warn_c", "temperature_crit_c"),
    ("pressure_warn_pct", "pressure_crit_pct"),
];

/// Threshold pairs of `[gpu]` where less is worse: the warning border may not lie below
/// the critical one.
pub const GPU_WARN_CRIT_FALLING: &[(&str, &str)] = &[("headroom_warn_pct", "headroom_crit_pct")];

/// Load the configuration. `path` is `--config`; without it `$SPARKDECK_CONFIG`, then the
/// XDG default are used. A missing default file means built-in defaults; a missing file
/// that was named explicitly is an error. Returns the file actually read, if any.
/// `NO_COLOR` (non-empty) forces the mono theme.
pub fn load(path: Option<&Path>) -> Result<(Config, Option<PathBuf>), ConfigError> {
    load_with(path, &process_env)
}

/// `load` against the given environment (for tests and for `config validate`).
pub fn load_with(
    path: Option<&Path>,
    env: Env<'_>,
) -> Result<(Config, Option<PathBuf>), ConfigError> {
    let (file, given_by) = match path {
        Some(p) => (p.to_path_buf(), Some("--config")),
        None => match env(CONFIG_ENV).filter(|v| !v.is_empty()) {
            Some(p) => (PathBuf::from(p), Some(CONFIG_ENV)),
            None => (paths::default_config_file_with(env)?, None),
        },
    };
    let (mut config, used) = match std::fs::read_to_string(&file) {
        Ok(text) => (parse_with(&text, &file, env)?, Some(file)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match given_by {
            Some(given_by) => {
                return Err(ConfigError::Missing {
                    path: file,
                    given_by,
                });
            }
            None => (Config::default(), None),
        },
        Err(source) => return Err(ConfigError::Read { path: file, source }),
    };
    if no_color(env) {
        config.theme = Theme::mono();
    }
    Ok((config, used))
}

/// <https://no-color.org>: set and non-empty means no colour, whatever the theme says.
pub fn no_color(env: Env<'_>) -> bool {
    env("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Parse and validate a config file's text. `origin` is used in error messages and to
/// resolve a relative theme path. NO_COLOR is not applied here but by `load`; the
/// environment is only read for `HOME` when a path starts with `~/`.
pub fn parse(text: &str, origin: &Path) -> Result<Config, ConfigError> {
    parse_with(text, origin, &process_env)
}

/// `parse` with `~/` in paths resolved against `env`'s HOME.
pub fn parse_with(text: &str, origin: &Path, env: Env<'_>) -> Result<Config, ConfigError> {
    let doc = parse_document(text, origin)?;
    let ctx = Ctx { text, origin, env };
    let mut config = Config::default();
    let mut theme_table = None;
    let mut keys_table = None;
    let root = doc.get_ref();
    for (key, value) in entries_in_file_order(root) {
        match key.get_ref().as_ref() {
            "general" => config.general = ctx.section::<General>("general", value, GENERAL_KEYS)?,
            "ssh" => config.ssh = ctx.section::<SshSettings>("ssh", value, SSH_KEYS)?,
            "tunnels" => {
                config.tunnels = ctx.section::<TunnelSettings>("tunnels", value, TUNNEL_KEYS)?
            }
            "gpu" => config.gpu = ctx.section::<GpuSettings>("gpu", value, GPU_KEYS)?,
            "jobs" => config.jobs = ctx.section::<JobsSettings>("jobs", value, JOBS_KEYS)?,
            "services" => {
                config.services =
                    ctx.section::<ServicesSettings>("services", value, SERVICES_KEYS)?
            }
            "models" => {
                config.models = ctx.section::<ModelsSettings>("models", value, MODELS_KEYS)?
            }
            "keys" => keys_table = Some(ctx.table("keys", value)?),
            "theme" => theme_table = Some(ctx.table("theme", value)?),
            other => {
                return Err(ctx.error(
                    key.span(),
                    Invalid::UnknownSection {
                        name: other.to_string(),
                        allowed: Allowed::of(SECTIONS),
                    },
                ));
            }
        }
    }
    ctx.check_reconnect(root, &config.ssh)?;
    ctx.check_gpu_pairs(root, &config.gpu)?;
    ctx.check_jobs(root, &config.jobs)?;
    ctx.check_services(root, &config.services)?;
    ctx.check_models(root, &config.models)?;
    for path in [&mut config.ssh.known_hosts, &mut config.ssh.config_file]
        .into_iter()
        .flatten()
    {
        *path = paths::expand_home_with(path, env);
    }

    let theme_span = lookup(root, "general", "theme").map(|v| v.span());
    config.theme = ctx.resolve_theme(&config.general.theme, theme_span)?;
    if let Some(table) = theme_table {
        apply_theme_table(&mut config.theme, table, text, origin, false)?;
    }
    if let Some(table) = keys_table {
        config.keymap = ctx.keymap(table)?;
    }
    Ok(config)
}

/// `root[section][key]`, if both exist.
fn lookup<'a, 't>(
    root: &'a DeTable<'t>,
    section: &str,
    key: &str,
) -> Option<&'a Spanned<DeValue<'t>>> {
    root.get(section)?.get_ref().as_table()?.get(key)
}

struct Ctx<'a> {
    text: &'a str,
    origin: &'a Path,
    env: Env<'a>,
}

impl Ctx<'_> {
    fn error(&self, span: Range<usize>, invalid: Invalid) -> ConfigError {
        ConfigError::at(self.origin, self.text, span.start, invalid)
    }

    fn table<'v, 't>(
        &self,
        section: &str,
        value: &'v Spanned<DeValue<'t>>,
    ) -> Result<&'v DeTable<'t>, ConfigError> {
        value.get_ref().as_table().ok_or_else(|| {
            self.error(
                value.span(),
                Invalid::NotATable {
                    section: section.to_string(),
                    found: show_value(value.get_ref()),
                },
            )
        })
    }

    /// Check keys and ranges with exact positions, then let serde build the struct.
    fn section<T: DeserializeOwned>(
        &self,
        section: &str,
        value: &Spanned<DeValue<'_>>,
        allowed: &[&str],
    ) -> Result<T, ConfigError> {
        let table = self.table(section, value)?;
        for (key, v) in entries_in_file_order(table) {
            let name = key.get_ref().as_ref();
            if !allowed.contains(&name) {
                return Err(self.error(
                    key.span(),
                    Invalid::UnknownKey {
                        section: section.to_string(),
                        key: name.to_string(),
                        allowed: Allowed::of(allowed),
                    },
                ));
            }
            self.check_range(section, name, v)?;
        }
        T::deserialize(ValueDeserializer::from(value.clone())).map_err(|e| {
            let span = e.span().unwrap_or_else(|| value.span());
            // serde does not say which key it was deserialising; the span does.
            let key = table
                .iter()
                .find(|(_, v)| v.span().start <= span.start && span.end <= v.span().end)
                .map_or_else(|| "a key".to_string(), |(k, _)| k.get_ref().to_string());
            self.error(
                span,
                Invalid::BadValue {
                    section: section.to_string(),
                    key,
                    message: e.message().trim().to_string(),
                },
            )
        })
    }

    fn check_range(
        &self,
        section: &str,
        key: &str,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<(), ConfigError> {
        if let Some(&(_, _, min, max)) = FLOAT_RANGES
            .iter()
            .find(|(s, k, ..)| *s == section && *k == key)
        {
            return self.check_float_range(section, key, value, min, max);
        }
        let Some(&(_, _, min, max)) = RANGES.iter().find(|(s, k, ..)| *s == section && *k == key)
        else {
            return Ok(());
        };
        // Non-integers are left to serde, which names the expected type.
        let Some(int) = value.get_ref().as_integer() else {
            return Ok(());
        };
        let n = i128::from_str_radix(int.as_str(), int.radix()).ok();
        if n.is_some_and(|n| (i128::from(min)..=i128::from(max)).contains(&n)) {
            return Ok(());
        }
        Err(self.error(
            value.span(),
            Invalid::OutOfRange {
                section: section.to_string(),
                key: key.to_string(),
                value: int.to_string(),
                allowed: format!("{min}..={max}"),
            },
        ))
    }

    fn check_float_range(
        &self,
        section: &str,
        key: &str,
        value: &Spanned<DeValue<'_>>,
        min: f64,
        max: f64,
    ) -> Result<(), ConfigError> {
        let (n, shown) = match value.get_ref() {
            DeValue::Float(f) => (f.as_str().parse::<f64>().ok(), f.to_string()),
            DeValue::Integer(i) => (
                i64::from_str_radix(i.as_str(), i.radix())
                    .ok()
                    .map(|n| n as f64),
                i.to_string(),
            ),
            // Other types are left to serde, which names the expected type.
            _ => return Ok(()),
        };
        // NaN fails the range test too, which is what a threshold needs.
        if n.is_some_and(|n| (min..=max).contains(&n)) {
            return Ok(());
        }
        Err(self.error(
            value.span(),
            Invalid::OutOfRange {
                section: section.to_string(),
                key: key.to_string(),
                value: shown,
                allowed: format!("{min}..={max}"),
            },
        ))
    }

    fn check_gpu_pairs(&self, root: &DeTable<'_>, gpu: &GpuSettings) -> Result<(), ConfigError> {
        let pairs = [
            (gpu.utilization_warn_pct, gpu.utilization_crit_pct),
            (gpu.memory_warn_pct, gpu.memory_crit_pct),
            (gpu.temperature_warn_c, gpu.temperature_crit_c),
            (gpu.pressure_warn_pct, gpu.pressure_crit_pct),
        ];
        let falling = [(gpu.headroom_warn_pct, gpu.headroom_crit_pct)];
        let rising = GPU_WARN_CRIT.iter().zip(pairs).map(|(k, v)| (k, v, true));
        let all = rising.chain(
            GPU_WARN_CRIT_FALLING
                .iter()
                .zip(falling)
                .map(|(k, v)| (k, v, false)),
        );
        for (&(warn_key, crit_key), (warn, crit), up) in all {
            if (up && warn <= crit) || (!up && warn >= crit) {
                continue;
            }
            // Point at whichever of the two the file sets; the warning border first.
            let span = lookup(root, "gpu", warn_key)
                .or_else(|| lookup(root, "gpu", crit_key))
                .map_or(0..0, |v| v.span());
            return Err(self.error(
                span,
                Invalid::OutOfRange {
                    section: "gpu".into(),
                    key: warn_key.into(),
                    value: warn.to_string(),
                    allowed: if up {
                        format!(
                            "at most {crit_key} ({crit}), since a value turns yellow before red"
                        )
                    } else {
                        format!(
                            "at least {crit_key} ({crit}): headroom turns yellow before red as it \
                             shrinks"
                        )
                    },
                },
            ));
        }
        Ok(())
    }

    /// What serde cannot see: a backend this build speaks, the names a query needs, and a
    /// requeue that actually moves a job out of the requeueable set.
    fn check_jobs(&self, root: &DeTable<'_>, jobs: &JobsSettings) -> Result<(), ConfigError> {
        let bad = |key: &str, message: String| {
            let span = lookup(root, "jobs", key).map_or(0..0, |v| v.span());
            Err(self.error(
                span,
                Invalid::BadValue {
                    section: "jobs".into(),
                    key: key.into(),
                    message,
                },
            ))
        };
        let pairs: Vec<(&str, &str)> = jobs
            .error_hints
            .iter()
            .map(|h| (h.pattern.as_str(), h.hint.as_str()))
            .collect();
        if let Err(message) = crate::jobs_triage::HintRules::new(&pairs) {
            return bad("error_hints", message);
        }
        if !JOBS_BACKENDS.contains(&jobs.backend.as_str()) {
            return bad(
                "backend",
                format!(
                    "unknown backend \"{}\"; allowed: {}",
                    jobs.backend,
                    JOBS_BACKENDS.join(", ")
                ),
            );
        }
        let var_name =
            |v: &str| !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if jobs.backend == "postgres" && !var_name(jobs.dsn_env.trim()) {
            return bad(
                "dsn_env",
                "must name an environment variable (letters, digits, _), not hold the DSN".into(),
            );
        }
        for (key, value) in [
            ("table", &jobs.table),
            ("column_id", &jobs.column_id),
            ("column_status", &jobs.column_status),
            ("requeue_to", &jobs.requeue_to),
        ] {
            if value.trim().is_empty() {
                return bad(key, "must not be empty".into());
            }
        }
        if jobs.requeueable.is_empty() || jobs.requeueable.iter().any(|v| v.trim().is_empty()) {
            return bad(
                "requeueable",
                "list at least one status, none empty (default [\"failed\", \"error\"])".into(),
            );
        }
        if jobs.requeueable.contains(&jobs.requeue_to) {
            return bad(
                "requeue_to",
                format!(
                    "\"{}\" is also in requeueable, so a requeue could match a job already requeued",
                    jobs.requeue_to
                ),
            );
        }
        Ok(())
    }

    /// What serde cannot see in `[[services.catalog]]`: names a row can be found by, ports,
    /// the identity each kind needs, and probe paths a URL can take. Errors point at the
    /// entry's key, or at the entry when the key is missing.
    fn check_services(
        &self,
        root: &DeTable<'_>,
        services: &ServicesSettings,
    ) -> Result<(), ConfigError> {
        if services.docker.trim().is_empty() {
            let span = lookup(root, "services", "docker").map_or(0..0, |v| v.span());
            return Err(self.error(
                span,
                Invalid::BadValue {
                    section: "services".into(),
                    key: "docker".into(),
                    message: "must name the docker CLI (\"docker\", \"podman\" or a path)".into(),
                },
            ));
        }
        let items = lookup(root, "services", "catalog").and_then(|v| v.get_ref().as_array());
        let bad = |i: usize, key: &str, message: String| {
            let entry = items.and_then(|a| a.get(i));
            let span = entry
                .and_then(|e| e.get_ref().as_table())
                .and_then(|t| t.get(key))
                .or(entry)
                .map_or(0..0, |v| v.span());
            Err(self.error(
                span,
                Invalid::BadValue {
                    section: "services".into(),
                    key: format!("catalog[{i}].{key}"),
                    message,
                },
            ))
        };
        for (i, e) in services.catalog.iter().enumerate() {
            if e.name.trim().is_empty() {
                return bad(i, "name", "must not be empty".into());
            }
            if services.catalog[..i]
                .iter()
                .any(|o| o.name.eq_ignore_ascii_case(&e.name))
            {
                return bad(
                    i,
                    "name",
                    format!(
                        "\"{}\" is already in the catalogue; names must be unique",
                        e.name
                    ),
                );
            }
            if e.ports.is_empty() || e.ports.contains(&0) {
                return bad(i, "ports", "list at least one port, each 1-65535".into());
            }
            if e.kind == ServiceKind::Docker && e.container.trim().is_empty() {
                return bad(
                    i,
                    "container",
                    "kind = \"docker\" needs the container name (container = \"open-webui\")"
                        .into(),
                );
            }
            if e.kind == ServiceKind::Systemd && e.unit.trim().is_empty() {
                return bad(
                    i,
                    "unit",
                    "kind = \"systemd\" needs the unit (unit = \"ollama\")".into(),
                );
            }
            if e.probe == ProbeKind::Http
                && !e.probe_path.is_empty()
                && !e.probe_path.starts_with('/')
            {
                return bad(
                    i,
                    "probe_path",
                    format!("\"{}\" must start with / (e.g. \"/health\")", e.probe_path),
                );
            }
            if e.expect_status.is_some_and(|s| !(100..=599).contains(&s)) {
                return bad(i, "expect_status", "must be an HTTP status, 100-599".into());
            }
        }
        Ok(())
    }

    /// What serde cannot see in `[models]`: empty paths, a warning border above the
    /// critical one, default roles that could never match a model.
    fn check_models(&self, root: &DeTable<'_>, models: &ModelsSettings) -> Result<(), ConfigError> {
        let bad = |key: &str, message: String| {
            let span = lookup(root, "models", key).map_or(0..0, |v| v.span());
            Err(self.error(
                span,
                Invalid::BadValue {
                    section: "models".into(),
                    key: key.into(),
                    message,
                },
            ))
        };
        if models.root.trim().is_empty() {
            return bad(
                "root",
                "must name the folder models should live in (default \"~/ai/models\")".into(),
            );
        }
        for (key, list) in [
            ("ollama_stores", &models.ollama_stores),
            ("extra", &models.extra),
        ] {
            if list.iter().any(|p| p.trim().is_empty()) {
                return bad(key, "an entry is empty; remove it or name a folder".into());
            }
        }
        if models.disk_warn_pct > models.disk_crit_pct {
            let span = lookup(root, "models", "disk_warn_pct")
                .or_else(|| lookup(root, "models", "disk_crit_pct"))
                .map_or(0..0, |v| v.span());
            return Err(self.error(
                span,
                Invalid::OutOfRange {
                    section: "models".into(),
                    key: "disk_warn_pct".into(),
                    value: models.disk_warn_pct.to_string(),
                    allowed: format!(
                        "at most disk_crit_pct ({}), since a gauge turns yellow before red",
                        models.disk_crit_pct
                    ),
                },
            ));
        }
        for (role, wanted) in &models.defaults {
            if role.trim().is_empty() {
                return bad("defaults", "a role name is empty".into());
            }
            // Matching ignores case and separators, so a name must keep a letter or digit.
            if !wanted.chars().any(char::is_alphanumeric) {
                return bad(
                    "defaults",
                    format!(
                        "role {role:?}: {wanted:?} names no model (no letter or digit), so it could never be found"
                    ),
                );
            }
        }
        Ok(())
    }

    fn check_reconnect(&self, root: &DeTable<'_>, ssh: &SshSettings) -> Result<(), ConfigError> {
        if ssh.reconnect_initial_s <= ssh.reconnect_max_s {
            return Ok(());
        }
        let span = lookup(root, "ssh", "reconnect_initial_s")
            .or_else(|| lookup(root, "ssh", "reconnect_max_s"))
            .map_or(0..0, |v| v.span());
        Err(self.error(
            span,
            Invalid::OutOfRange {
                section: "ssh".into(),
                key: "reconnect_initial_s".into(),
                value: ssh.reconnect_initial_s.to_string(),
                allowed: format!(
                    "at most reconnect_max_s ({}), since the delay only grows",
                    ssh.reconnect_max_s
                ),
            },
        ))
    }

    /// A built-in name, or a path (absolute, `~/…`, or relative to the config file's
    /// directory).
    fn resolve_theme(&self, value: &str, span: Option<Range<usize>>) -> Result<Theme, ConfigError> {
        if let Some(theme) = theme_file::builtin(value) {
            return theme;
        }
        let span = span.unwrap_or(0..0);
        if !(value.contains('/') || value.ends_with(".toml")) {
            return Err(self.error(
                span,
                Invalid::UnknownTheme {
                    value: value.to_string(),
                    allowed: Allowed::of(BUILTIN_THEMES.iter().map(|(n, _)| *n)),
                },
            ));
        }
        let path = paths::expand_home_with(Path::new(value), self.env);
        let path = match self.origin.parent() {
            Some(dir) if path.is_relative() => dir.join(path),
            _ => path,
        };
        let text = std::fs::read_to_string(&path).map_err(|e| {
            self.error(
                span.clone(),
                Invalid::ThemeFile {
                    path: path.clone(),
                    reason: e.to_string(),
                },
            )
        })?;
        let stem = path
            .file_stem()
            .map_or_else(|| value.to_string(), |s| s.to_string_lossy().into_owned());
        theme_file::parse_theme(&text, &path, &stem)
    }

    /// Apply `[keys]` to the default keymap and refuse clashes.
    fn keymap(&self, table: &DeTable<'_>) -> Result<Keymap, ConfigError> {
        let mut keymap = Keymap::default();
        let mut spans: Vec<(Action, Range<usize>)> = Vec::new();
        for (key, value) in entries_in_file_order(table) {
            let name = key.get_ref().as_ref();
            let Some(action) = Action::from_name(name) else {
                return Err(self.error(
                    key.span(),
                    Invalid::UnknownAction {
                        name: name.to_string(),
                        allowed: Allowed::of(Action::ALL.iter().map(|a| a.name())),
                    },
                ));
            };
            let items: Vec<&Spanned<DeValue<'_>>> = match value.get_ref() {
                DeValue::Array(items) => items.iter().collect(),
                _ => vec![value],
            };
            let mut keys = Vec::with_capacity(items.len());
            for item in items {
                let DeValue::String(s) = item.get_ref() else {
                    return Err(self.error(
                        item.span(),
                        Invalid::BadValue {
                            section: "keys".into(),
                            key: name.to_string(),
                            message: format!(
                                "expected a key string or an array of them (e.g. [\"k\", \"up\"]), found {}",
                                show_value(item.get_ref())
                            ),
                        },
                    ));
                };
                let binding = s.parse::<KeyBinding>().map_err(|e| {
                    self.error(
                        item.span(),
                        Invalid::BadKey {
                            action: name.to_string(),
                            value: s.to_string(),
                            reason: format!("{}; a key is {KEY_FORMS}", e.reason),
                        },
                    )
                })?;
                keys.push(binding);
            }
            keymap.rebind(action, &keys);
            spans.push((action, value.span()));
        }
        if let Some(clash) = keymap.clashes().first() {
            // Point at whichever of the two the user remapped last: that is the edit to undo.
            let span = spans
                .iter()
                .rev()
                .find(|(a, _)| *a == clash.first || *a == clash.second)
                .map_or(0..0, |(_, s)| s.clone());
            return Err(self.error(
                span,
                Invalid::Clash {
                    key: clash.key.to_string(),
                    first: clash.first,
                    second: clash.second,
                },
            ));
        }
        Ok(keymap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys_of<T: serde::Serialize>(value: &T) -> Vec<String> {
        toml::Table::try_from(value)
            .expect("section serialises to a table")
            .keys()
            .cloned()
            .collect()
    }

    fn sorted(keys: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        v.sort();
        v
    }

    // The key lists drive the "allowed:" messages; they must be exactly the struct fields.
    #[test]
    fn key_lists_match_the_struct_fields() {
        assert_eq!(keys_of(&General::default()), sorted(GENERAL_KEYS));
        let ssh = SshSettings {
            known_hosts: Some("/k".into()),
            config_file: Some("/c".into()),
            ..SshSettings::default()
        };
        assert_eq!(keys_of(&ssh), sorted(SSH_KEYS));
        assert_eq!(keys_of(&TunnelSettings::default()), sorted(TUNNEL_KEYS));
        assert_eq!(keys_of(&GpuSettings::default()), sorted(GPU_KEYS));
        assert_eq!(keys_of(&ServicesSettings::default()), sorted(SERVICES_KEYS));
    }

    #[test]
    fn defaults_are_within_their_ranges() {
        let defaults = [
            (
                "general",
                toml::Table::try_from(General::default()).unwrap(),
            ),
            (
                "ssh",
                toml::Table::try_from(SshSettings::default()).unwrap(),
            ),
            (
                "tunnels",
                toml::Table::try_from(TunnelSettings::default()).unwrap(),
            ),
            (
                "gpu",
                toml::Table::try_from(GpuSettings::default()).unwrap(),
            ),
            (
                "jobs",
                toml::Table::try_from(JobsSettings::default()).unwrap(),
            ),
            (
                "services",
                toml::Table::try_from(ServicesSettings::default()).unwrap(),
            ),
            (
                "models",
                toml::Table::try_from(ModelsSettings::default()).unwrap(),
            ),
        ];
        let table = |section: &str| &defaults.iter().find(|(s, _)| *s == section).unwrap().1;
        for (section, key, min, max) in RANGES {
            let v = table(section)[*key]
                .as_integer()
                .expect("ranged keys are integers");
            assert!((*min..=*max).contains(&v), "[{section}] {key} = {v}");
        }
        let gpu = table("gpu");
        for (section, key, min, max) in FLOAT_RANGES {
            let v = table(section)[*key]
                .as_float()
                .expect("decimal keys are floats");
            assert!((*min..=*max).contains(&v), "[{section}] {key} = {v}");
        }
        let models = ModelsSettings::default();
        assert!(models.disk_warn_pct <= models.disk_crit_pct);
        for (warn, crit) in GPU_WARN_CRIT {
            assert!(
                gpu[*warn].as_float() <= gpu[*crit].as_float(),
                "{warn} > {crit}"
            );
        }
        for (warn, crit) in GPU_WARN_CRIT_FALLING {
            assert!(
                gpu[*warn].as_float() >= gpu[*crit].as_float(),
                "{warn} < {crit}"
            );
        }
    }

    #[test]
    fn headroom_warn_below_crit_is_refused_pressure_too() {
        let err = parse(
            "[gpu]\nheadroom_warn_pct = 4\nheadroom_crit_pct = 5\n",
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("headroom_warn_pct"), "{err}");
        assert!(err.contains("at least headroom_crit_pct (5)"), "{err}");
        let ok = parse(
            "[gpu]\nheadroom_warn_pct = 5\nheadroom_crit_pct = 5\n",
            Path::new("c.toml"),
        );
        assert!(ok.is_ok(), "equal borders are allowed: {ok:?}");
        let err = parse(
            "[gpu]\npressure_warn_pct = 50\npressure_crit_pct = 40\n",
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("at most pressure_crit_pct (40)"), "{err}");
    }
}
