//! tcap: Temporal Cloud namespace capacity from the command line.
//!
//! Imports point one way, down this list (`tests/it/layers.rs` holds the list and fails on an
//! import that points up):
//! [`cli`] → [`commands`] → ([`autopilot`], [`schedule`]) → [`apply`] → ([`alert`], [`history`]) → [`capacity`] → [`cloud`] →
//! ([`settings`], [`output`], [`secret`], [`interrupt`], [`timing`], [`error`]).
//! [`devserver`] imports nothing else of the crate: an emulator that shared the client's types
//! would share its mistakes.

pub mod alert;
pub mod apply;
pub mod autopilot;
pub mod capacity;
pub mod cli;
pub mod cloud;
pub mod commands;
pub mod devserver;
pub mod error;
pub mod history;
pub mod interrupt;
pub mod output;
pub mod schedule;
pub mod secret;
pub mod settings;
pub mod timing;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use crate::cli::Cli;
use crate::commands::Context;
use crate::error::Error;
use crate::interrupt::InterruptNote;
use crate::settings::Settings;

/// Parse, run, and turn the outcome into an exit code: the one place that does so.
pub fn run() -> ExitCode {
    let cli = match Cli::parse_with_sources(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) => {
            // Help and --version exit 0; usage errors exit 2. A closed pipe is not worth a panic.
            let _ = e.print();
            return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
        }
    };
    let settings = match Settings::resolve(&cli.global, &settings::process_env)
        .and_then(|s| output_for(&cli.command, s))
    {
        Ok(s) => s,
        Err(e) => return report(&e, std::io::stderr().is_terminal()),
    };
    init_logging(&settings);
    let color = settings.color_stderr;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return report(&Error::io("starting the async runtime", e), color),
    };
    let note = InterruptNote::default();
    let outcome = runtime.block_on(async {
        tokio::select! {
            result = run_command(cli.command, settings, note.clone()) => result,
            () = interrupt::interrupted() => Err(Error::Interrupted(note.take())),
        }
    });
    // Do not wait for stray tasks (an in-process emulator, a stuck request) on the way out.
    runtime.shutdown_timeout(Duration::from_millis(100));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(&e, color),
    }
}

async fn run_command(
    command: cli::Command,
    mut settings: Settings,
    interrupt: InterruptNote,
) -> Result<(), Error> {
    // Kept alive for the whole command: dropping it stops the emulator.
    let _demo = if settings.demo {
        Some(commands::demo::start(&mut settings).await?)
    } else {
        None
    };
    command.run(Context::new(settings, interrupt)).await
}

/// CSV is `analyze`'s alone, HTML `analyze`'s and `plan`'s, cron lines `plan`'s. Asked for on
/// the command line of another command they are a usage error; set as a default in the config
/// file they fall back to the table for the others.
fn output_for(command: &cli::Command, mut settings: Settings) -> Result<Settings, Error> {
    let analyze = matches!(command, cli::Command::Analyze(_));
    let plan = matches!(command, cli::Command::Plan(_));
    let (owner, name, which) = match settings.output {
        output::OutputFormat::Csv => (analyze, "csv", "`tcap analyze`"),
        output::OutputFormat::Html => (analyze || plan, "html", "`tcap analyze` and `tcap plan`"),
        output::OutputFormat::Cron => (plan, "cron", "`tcap plan`"),
        output::OutputFormat::Table | output::OutputFormat::Json => return Ok(settings),
    };
    if owner {
        return Ok(settings);
    }
    if settings.output_from_command_line {
        return Err(Error::Usage(format!(
            "-o {name} is only for {which}; this command prints a table, or JSON with -o json"
        )));
    }
    settings.output = output::OutputFormat::Table;
    Ok(settings)
}

fn init_logging(settings: &Settings) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RUST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(settings.log_filter()));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(settings.color_stderr)
        .with_target(false)
        .without_time()
        .try_init();
}

fn report(error: &Error, color: bool) -> ExitCode {
    if error.is_broken_pipe() {
        return ExitCode::SUCCESS;
    }
    let text = error.to_string();
    if !text.is_empty() {
        if color {
            eprintln!("\x1b[1;31merror:\x1b[0m {text}");
        } else {
            eprintln!("error: {text}");
        }
    }
    error.to_exit_code()
}
