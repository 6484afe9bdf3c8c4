use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = sparkdeck::cli::Cli::parse();
    match sparkdeck::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("sparkdeck: {e:#}");
            ExitCode::from(2)
        }
    }
}
