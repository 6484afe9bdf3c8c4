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
    /// Print shell completions to stdout.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
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
}
