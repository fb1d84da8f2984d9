//! tcap: Temporal Cloud namespace capacity from the command line.
//!
//! Data flows one way: arguments ([`cli`]) → [`settings`] → a command ([`commands`]) → the
//! domain ([`capacity`]) → the remote APIs ([`cloud`]) → the printer ([`output`]).

pub mod alert;
pub mod capacity;
pub mod cli;
pub mod cloud;
pub mod commands;
pub mod devserver;
pub mod error;
pub mod output;
pub mod schedule;
pub mod settings;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use crate::cli::Cli;
use crate::error::Error;
use crate::settings::Settings;

/// The apply delay of the `--demo` account: long enough to watch, short enough to wait for.
const DEMO_APPLY_DELAY: Duration = Duration::from_secs(3);

/// Parse, run, and turn the outcome into an exit code: the one place that does so.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and --version exit 0; usage errors exit 2. A closed pipe is not worth a panic.
            let _ = e.print();
            return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
        }
    };
    let settings = match Settings::resolve(&cli.global, &settings::process_env) {
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
    let outcome = runtime.block_on(async move {
        tokio::select! {
            result = run_command(cli.command, settings) => result,
            () = interrupted() => Err(Error::Interrupted(take_interrupt_note())),
        }
    });
    // Do not wait for stray tasks (an in-process emulator, a stuck request) on the way out.
    runtime.shutdown_timeout(Duration::from_millis(100));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(&e, color),
    }
}

async fn run_command(command: cli::Command, mut settings: Settings) -> Result<(), Error> {
    // Kept alive for the whole command: dropping it would stop the emulator.
    let _demo = if settings.demo {
        let config = devserver::Config {
            apply_delay: DEMO_APPLY_DELAY,
            ..devserver::Config::default()
        };
        let key = config.admin_key.clone();
        let server = devserver::DevServer::start(([127, 0, 0, 1], 0).into(), config)
            .await
            .map_err(|e| Error::io("starting the demo account", e))?;
        settings.use_emulator(&server.base_url(), &key)?;
        tracing::debug!("--demo: emulated account at {}", server.base_url());
        Some(server)
    } else {
        None
    };
    let demo = settings.demo;
    let printer = output::Printer::new(&settings);
    let result = commands::dispatch(command, commands::Context { settings, printer }).await;
    if demo {
        // The demo's state files belong to an account that is gone now.
        let _ = std::fs::remove_dir_all(schedule::state::demo_dir());
    }
    result
}

static INTERRUPT_NOTE: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

/// What to tell the user if a signal arrives now (a change in flight and how to check it).
pub fn set_interrupt_note(note: String) {
    *INTERRUPT_NOTE.lock().unwrap() = note;
}

pub fn clear_interrupt_note() {
    INTERRUPT_NOTE.lock().unwrap().clear();
}

fn take_interrupt_note() -> String {
    std::mem::take(&mut *INTERRUPT_NOTE.lock().unwrap())
}

/// Ctrl-C or SIGTERM (cron and systemd stop jobs with it).
pub async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
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
