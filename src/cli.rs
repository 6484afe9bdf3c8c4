//! Command-line interface: the TUI by default, plus headless commands for scripts.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "sparkdeck",
    version,
    about = "A terminal dashboard for NVIDIA DGX Spark boxes: GPU, jobs, services and models, locally or over SSH",
    after_help = "Without a subcommand sparkdeck starts the TUI on this machine (local mode).\n\
                  Press ? inside for the keys. Config: `sparkdeck config path`."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct GlobalOpts {
    /// Connect at start to a saved connection or an ~/.ssh/config alias.
    #[arg(long, value_name = "NAME", global = true)]
    pub host: Option<String>,
    /// Hide every action that changes something on a Spark.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Config file (default: $SPARKDECK_CONFIG, else $XDG_CONFIG_HOME/sparkdeck/config.toml).
    #[arg(long, value_name = "PATH", global = true)]
    pub config: Option<PathBuf>,
    /// Log level or filter (e.g. debug, sparkdeck=trace); overrides RUST_LOG. Logs go to a file.
    #[arg(long, value_name = "LEVEL", global = true)]
    pub log_level: Option<String>,
    /// Headless only: accept and remember the host key of a host never seen before.
    #[arg(long, global = true)]
    pub accept_new_host_key: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show or check the configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Print the current state once (the `host` section for now) and exit.
    Snapshot {
        /// Print JSON (schema in docs/snapshot.md) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Run every incident check (user, docker, GPU, services, models, jobs, ssh, clock) and
    /// print ok / warn / crit with the fix; exits 0, 1 or 2 (docs/doctor.md).
    Doctor {
        /// Print JSON (schema in docs/doctor.md) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Read the GPU history saved by the dashboard (no connection needed).
    History {
        #[command(subcommand)]
        command: HistoryCommand,
    },
    /// Read and requeue jobs of the worker's queue (Supabase via PostgREST; see docs/jobs.md).
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Print shell completions to stdout.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// Print saved GPU history windows (columns in docs/history.md); --host NAME limits it to
    /// one connection.
    Export {
        /// How far back: a number and a unit s, m, h, d or w (30m, 24h, 7d).
        #[arg(long, value_name = "DURATION", default_value = "24h")]
        since: String,
        #[arg(long, value_enum, default_value = "csv")]
        format: crate::history_export::Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// List jobs, newest first, with the total from the server.
    List {
        /// Only jobs with this status (repeat or separate with commas: failed,error).
        #[arg(long, value_name = "S", value_delimiter = ',')]
        status: Vec<String>,
        /// How many jobs (default: [jobs] page_size).
        #[arg(long, value_name = "N")]
        limit: Option<u32>,
        /// Skip this many jobs first (paging).
        #[arg(long, value_name = "N", default_value_t = 0)]
        offset: u64,
        /// Print JSON ({"total", "offset", "jobs": [...]}) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Requeue jobs (compare-and-set: only from a [jobs] requeueable status); exits 0 only
    /// when every job was requeued. Each attempt is written to the audit log.
    Requeue {
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the path of the config file in use (and whether it exists).
    Path,
    /// Check a config file; exits non-zero with file:line and the allowed values on errors.
    Validate {
        /// File to check (default: the config file in use).
        path: Option<PathBuf>,
    },
    /// Print the effective key bindings (defaults plus your [keys]) as markdown tables,
    /// the same tables as docs/keybindings.md.
    Keys,
}

use crate::config::{self, Config, paths};
use crate::connect::{self, LOCAL};
use crate::host::HostKeyPolicy;
use crate::model::ConnectionSpec;
use crate::store::{self, StoreHandle};
use anyhow::{Context, Result};
use clap::CommandFactory;
use std::process::ExitCode;

/// Runs the parsed command line; the TUI when there is no subcommand.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Some(Command::Completions { shell }) => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "sparkdeck",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Config { command }) => config_command(command, &cli.global),
        Some(Command::History { command }) => history_command(command, &cli.global),
        Some(Command::Jobs { command }) => {
            let (config, _) = load_config(&cli.global)?;
            let _guard = start_logging(&cli.global);
            jobs_command(command, &cli.global, &config)
        }
        Some(Command::Snapshot { json }) => {
            let (config, _) = load_config(&cli.global)?;
            let _guard = start_logging(&cli.global);
            snapshot_command(&cli.global, &config, json)
        }
        Some(Command::Doctor { json }) => {
            let (config, _) = load_config(&cli.global)?;
            let _guard = start_logging(&cli.global);
            doctor_command(&cli.global, &config, json)
        }
        None => {
            let (config, _) = load_config(&cli.global)?;
            let (guard, log_warning) = match start_logging(&cli.global) {
                Ok(g) => (Some(g), None),
                Err(e) => (None, Some(e)),
            };
            let opts = crate::app::run::RunOptions {
                config,
                read_only: cli.global.read_only,
                start_host: cli.global.host.clone(),
                db_path: paths::data_dir()?.join(paths::DB_FILE),
                warnings: log_warning.into_iter().collect(),
            };
            let result = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .context("starting the async runtime")?
                .block_on(crate::app::run::run(opts));
            drop(guard);
            result.map(|()| ExitCode::SUCCESS)
        }
    }
}

fn load_config(global: &GlobalOpts) -> Result<(Config, Option<PathBuf>)> {
    config::load(global.config.as_deref()).map_err(anyhow::Error::new)
}

fn start_logging(
    global: &GlobalOpts,
) -> std::result::Result<tracing_appender::non_blocking::WorkerGuard, String> {
    let dir = paths::state_dir().map_err(|e| format!("logging off: {e}"))?;
    crate::logging::init(global.log_level.as_deref(), &dir).map_err(|e| format!("logging off: {e}"))
}

fn config_command(command: ConfigCommand, global: &GlobalOpts) -> Result<ExitCode> {
    match command {
        ConfigCommand::Path => {
            let path = match &global.config {
                Some(p) => p.clone(),
                None => paths::config_file()?,
            };
            if path.exists() {
                println!("{}", path.display());
            } else {
                println!(
                    "{} (not found: built-in defaults are in use)",
                    path.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        ConfigCommand::Validate { path } => {
            let explicit = path.or_else(|| global.config.clone());
            match config::load(explicit.as_deref()) {
                Ok((_, Some(file))) => {
                    println!("{}: ok", file.display());
                    Ok(ExitCode::SUCCESS)
                }
                Ok((_, None)) => {
                    println!(
                        "{}: no such file; built-in defaults are in use",
                        paths::config_file()?.display()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("{e}");
                    Ok(ExitCode::from(1))
                }
            }
        }
        ConfigCommand::Keys => {
            let (config, _) = load_config(global)?;
            print!("{}", config::keymap_doc::keymap_markdown(&config.keymap));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Finds what `name` means: the local machine, a saved connection, or an ssh alias/host.
async fn spec_for(name: &str, store: Option<&StoreHandle>) -> Result<ConnectionSpec> {
    if name == LOCAL {
        return Ok(ConnectionSpec::new(LOCAL, "localhost"));
    }
    if let Some(store) = store
        && let Some(saved) = store.get_connection_by_name(name).await?
    {
        return Ok(saved.spec);
    }
    Ok(ConnectionSpec::new(name, name))
}

/// The host a headless command (snapshot, doctor) looks at: its name, what it resolves to,
/// and the host-key policy. Saved connections are only looked up when the store opens
/// cleanly: a broken or missing database must not stop a snapshot of an ssh alias.
async fn headless_target(global: &GlobalOpts) -> Result<(String, ConnectionSpec, HostKeyPolicy)> {
    let name = global.host.clone().unwrap_or_else(|| LOCAL.to_string());
    let db = paths::data_dir()?.join(paths::DB_FILE);
    let store = if db.exists() {
        store::Store::open(&db)
            .ok()
            .and_then(|s| StoreHandle::spawn(s).ok())
    } else {
        None
    };
    let spec = spec_for(&name, store.as_ref()).await?;
    let policy = if global.accept_new_host_key {
        HostKeyPolicy::AcceptNew
    } else {
        HostKeyPolicy::Strict
    };
    Ok((name, spec, policy))
}

fn snapshot_command(global: &GlobalOpts, config: &Config, json: bool) -> Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async {
        let (name, spec, policy) = headless_target(global).await?;
        let host = connect::open(&spec, config, policy)
            .await
            .with_context(|| format!("connecting to {name}"))?;
        let mut snap = crate::snapshot::take(host.as_ref())
            .await
            .with_context(|| format!("reading host facts from {name}"))?;
        crate::snapshot::add_jobs(&mut snap, host.as_ref(), &config.jobs).await;
        crate::snapshot::add_services(&mut snap, host.clone(), &config.services).await;
        crate::snapshot::add_models(&mut snap, host.clone(), &config.models).await;
        crate::snapshot::add_findings(&mut snap, host.as_ref(), config).await;
        // Both renderings already end with a newline.
        if json {
            print!("{}", crate::snapshot::to_json(&snap));
        } else {
            print!("{}", crate::snapshot::to_text(&snap));
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn doctor_command(global: &GlobalOpts, config: &Config, json: bool) -> Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async {
        let (name, spec, policy) = headless_target(global).await?;
        // A failed connection is itself a finding (the ssh check), not an error of doctor.
        let report = match tokio::time::timeout(
            crate::doctor::CHECK_TIMEOUT,
            connect::open(&spec, config, policy),
        )
        .await
        {
            Ok(Ok(host)) => crate::doctor::run(host, config, global.accept_new_host_key).await,
            Ok(Err(e)) => crate::doctor::unreachable(&name, &e.to_string()),
            Err(_) => crate::doctor::unreachable(
                &name,
                &format!(
                    "connecting to {name} gave no answer within {} s",
                    crate::doctor::CHECK_TIMEOUT.as_secs()
                ),
            ),
        };
        if json {
            print!("{}", crate::doctor::to_json(&report));
        } else {
            print!("{}", crate::doctor::to_text(&report));
        }
        Ok(ExitCode::from(report.exit_code()))
    })
}

fn history_command(command: HistoryCommand, global: &GlobalOpts) -> Result<ExitCode> {
    use crate::history_export::{Format, parse_duration, to_csv, to_json};
    let HistoryCommand::Export { since, format } = command;
    let back = parse_duration(&since).context("--since")?;
    let db = paths::data_dir()?.join(paths::DB_FILE);
    // Opening would create an empty database; a missing file means nothing was ever saved.
    if !db.exists() {
        anyhow::bail!(
            "no GPU history yet: {} does not exist; run the dashboard (sparkdeck) with a GPU \
             connection first, or set XDG_DATA_HOME to where its data lives",
            db.display()
        );
    }
    let store = store::Store::open(&db)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let rows = store.export(global.host.as_deref(), now.saturating_sub(back))?;
    let text = match format {
        Format::Csv => to_csv(&rows),
        Format::Json => to_json(&rows),
    };
    let mut out = std::io::stdout().lock();
    match std::io::Write::write_all(&mut out, text.as_bytes()) {
        // `| head` closing the pipe early is not a failure of the export.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("writing the export to stdout")
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// The queue `[jobs] backend` names for the `--host` connection: its credentials (or DSN)
/// from sparkdeck's environment, else from the env file read on that host (connecting only
/// when needed).
async fn jobs_backend(
    global: &GlobalOpts,
    config: &Config,
    name: &str,
) -> Result<crate::jobs::JobsBackend> {
    use crate::jobs::{JobsBackend, creds, postgres::PgJobs};
    if config.jobs.backend == "postgres" {
        if let Ok(dsn) = std::env::var(&config.jobs.dsn_env)
            && !dsn.trim().is_empty()
        {
            let pg = PgJobs::new(&creds::Secret::new(dsn.trim()), &config.jobs)?;
            tracing::info!(server = %pg.host(), "jobs: using the database directly");
            return Ok(JobsBackend::Postgres(pg));
        }
    } else if let Some(c) = creds::from_env(|k| std::env::var(k).ok()) {
        tracing::info!(url = %c.url, key = %c.masked_key(), "jobs: using credentials");
        return Ok(JobsBackend::postgrest(&c, &config.jobs)?);
    }
    let db = paths::data_dir()?.join(paths::DB_FILE);
    let store = if db.exists() {
        store::Store::open(&db)
            .ok()
            .and_then(|s| StoreHandle::spawn(s).ok())
    } else {
        None
    };
    let spec = spec_for(name, store.as_ref()).await?;
    let policy = if global.accept_new_host_key {
        HostKeyPolicy::AcceptNew
    } else {
        HostKeyPolicy::Strict
    };
    let host = connect::open(&spec, config, policy)
        .await
        .with_context(|| format!("connecting to {name} to read {}", config.jobs.env_file))?;
    let backend = JobsBackend::for_host(host.as_ref(), &config.jobs).await?;
    tracing::info!(server = %backend.host(), "jobs: backend ready");
    Ok(backend)
}

fn jobs_command(command: JobsCommand, global: &GlobalOpts, config: &Config) -> Result<ExitCode> {
    use crate::jobs::{JobQuery, requeue};
    let name = global.host.clone().unwrap_or_else(|| LOCAL.to_string());
    if matches!(command, JobsCommand::Requeue { .. })
        && (global.read_only || config.general.read_only)
    {
        eprintln!(
            "sparkdeck: read-only mode: requeue refused (drop --read-only / [general] read_only)"
        );
        return Ok(ExitCode::from(2));
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async {
        let client = jobs_backend(global, config, &name).await?;
        match command {
            JobsCommand::List {
                status,
                limit,
                offset,
                json,
            } => {
                let mut q = JobQuery::newest(&config.jobs);
                q.status = (!status.is_empty()).then_some(status);
                q.limit = limit.unwrap_or(config.jobs.page_size);
                q.offset = offset;
                let page = client.list(&q).await?;
                if json {
                    let doc = serde_json::json!({
                        "total": page.total,
                        "offset": page.offset,
                        "jobs": page.jobs,
                    });
                    println!("{}", serde_json::to_string_pretty(&doc)?);
                } else {
                    print!("{}", jobs_table(&page));
                }
                Ok(ExitCode::SUCCESS)
            }
            JobsCommand::Requeue { ids } => {
                // Every attempt must be audited, so no audit log means no requeue.
                let db = paths::data_dir()?.join(paths::DB_FILE);
                let store = store::Store::open(&db).with_context(|| {
                    format!("opening the audit log {}: requeue refused", db.display())
                })?;
                let user = requeue::local_user();
                let mut all = true;
                for id in &ids {
                    let (old, outcome) = requeue::requeue_with(&client, id).await;
                    let at = time::OffsetDateTime::now_utc().unix_timestamp();
                    let entry =
                        requeue::audit_entry(at, &name, &user, id, old.as_deref(), &outcome);
                    if let Err(e) = store.audit(&entry) {
                        eprintln!("sparkdeck: {id}: writing the audit entry failed: {e}");
                        all = false;
                    }
                    all &= outcome.is_requeued();
                    println!("{}", requeue::describe(id, old.as_deref(), &outcome));
                }
                Ok(if all {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                })
            }
        }
    })
}

/// `id  status  type  attempts  created  error` per job, after a total line.
fn jobs_table(page: &crate::model::JobsPage) -> String {
    let total = page
        .total
        .map_or_else(|| "unknown".to_string(), |t| t.to_string());
    let mut out = format!(
        "{} of {total} jobs from #{}\n",
        page.jobs.len(),
        page.offset + 1
    );
    let dash = "-".to_string();
    for j in &page.jobs {
        let error = j
            .error
            .as_deref()
            .and_then(|e| e.lines().next())
            .unwrap_or("");
        out.push_str(&format!(
            "{}  {}  {}  {}  {}  {}\n",
            j.id,
            j.status,
            j.job_type.as_ref().unwrap_or(&dash),
            j.attempts.map_or_else(|| dash.clone(), |a| a.to_string()),
            j.created_at.as_ref().unwrap_or(&dash),
            error
        ));
    }
    out
}
