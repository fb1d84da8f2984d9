//! The command line, with the names fixed by `shared/design/cli-contract.md`.

use std::ffi::OsString;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::commands::{self, Context};
use crate::error::Result;
use crate::settings::{FromEnv, GlobalArgs};

// Every command writes out its usage line (`override_usage`): in an error, clap's own line lists
// every option an environment variable set (TCAP_CONFIG, SLACK_WEBHOOK_URL...) as if it were
// required.
#[derive(Debug, Parser)]
#[command(
    name = "tcap",
    version,
    override_usage = "tcap [OPTIONS] <COMMAND>",
    about = "Temporal Cloud namespace capacity: analyze, provision, revert, verify",
    long_about = "tcap analyzes every namespace of a Temporal Cloud account and recommends \
On-Demand or Provisioned capacity (TRUs), changes capacity safely, verifies it, and runs \
time-boxed capacity changes that survive interruption. It talks to the Cloud Ops API and the \
Metrics API directly.",
    after_help = "\
Exit status: 0 ok, 1 failed, 2 bad input, 3 not in the expected state, 4 authentication \
refused, 75 temporary failure (retry later), 130 interrupted.

Examples:
  # Try any command on a built-in emulated account: no key, no network
  tcap --demo analyze

  # What each namespace should have, then provision one
  tcap analyze
  tcap provision payments-prod.a1b2c 6

  # 8 TRUs for 16 hours from 08:00 on Christmas Eve, then back to what it had
  tcap schedule-change payments-prod.a1b2c 8 \\
      --start-time '2026-12-24 08:00' --duration 16h"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parses `args`, and notes which global values clap took from their environment variable.
    pub fn parse_with_sources<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let matches = Cli::command().try_get_matches_from(args)?;
        let mut cli = Cli::from_arg_matches(&matches)?;
        let from_env = |id: &str| matches.value_source(id) == Some(ValueSource::EnvVariable);
        cli.global.from_env = FromEnv {
            cloud_ops_url: from_env("cloud_ops_url"),
            metrics_url: from_env("metrics_url"),
            api_version: from_env("api_version"),
        };
        Ok(cli)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Recommend a capacity mode and TRUs for every namespace
    Analyze(commands::analyze::AnalyzeArgs),
    /// Set Provisioned Capacity of TRUS, and wait until it is in force
    Provision(commands::provision::ProvisionArgs),
    /// Return to On-Demand capacity, and wait until it is in force
    Revert(commands::provision::RevertArgs),
    /// Check that a namespace has the expected capacity (exit 3 when not)
    Verify(commands::verify::VerifyArgs),
    /// Provision TRUS for a window, then revert and verify; survives interruption
    ScheduleChange(commands::schedule_change::ScheduleChangeArgs),
    /// Scheduled changes recorded on this machine: list, resume, extend, cancel
    Changes(commands::changes::ChangesArgs),
    /// Raise capacity when a namespace throttles, give it back when calm
    Autopilot(commands::autopilot::AutopilotArgs),
    /// Price each namespace's Prometheus history under every capacity it could have had
    Plan(commands::plan::PlanArgs),
    /// Serve a local emulator of the Cloud Ops and Metrics APIs
    DevServer(commands::dev_server::DevServerArgs),
    /// Print a shell completion script
    Completions(commands::completions::CompletionsArgs),
    /// Write the manual pages into a directory
    Man(commands::man::ManArgs),
}

impl Command {
    /// Runs the command; the one place that knows every command.
    pub async fn run(self, ctx: Context) -> Result<()> {
        let ctx = &ctx;
        match self {
            Command::Analyze(args) => commands::analyze::run(args, ctx).await,
            Command::Provision(args) => commands::provision::run_provision(args, ctx).await,
            Command::Revert(args) => commands::provision::run_revert(args, ctx).await,
            Command::Verify(args) => commands::verify::run(args, ctx).await,
            Command::ScheduleChange(args) => commands::schedule_change::run(args, ctx).await,
            Command::Changes(args) => commands::changes::run(args, ctx).await,
            Command::Autopilot(args) => commands::autopilot::run(args, ctx).await,
            Command::Plan(args) => commands::plan::run(args, ctx).await,
            Command::DevServer(args) => commands::dev_server::run(args, ctx).await,
            Command::Completions(args) => commands::completions::run(args, Cli::command(), ctx),
            Command::Man(args) => commands::man::run(args, Cli::command()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{ColorWhen, OutputFormat};
    use crate::settings::parse_duration;
    use std::time::Duration;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_command_writes_out_its_usage() {
        // Without it, an error's usage line would list the options the environment set.
        fn check(cmd: &clap::Command, path: &str) {
            let usage = cmd
                .get_overridden_usage()
                .map(ToString::to_string)
                .unwrap_or_default();
            assert!(usage.starts_with(&format!("{path} ")), "{path}: {usage:?}");
            for positional in cmd.get_positionals() {
                let name = positional.get_id().as_str().to_uppercase();
                assert!(usage.contains(&name), "{path}: {usage:?} lacks {name}");
            }
            for sub in cmd.get_subcommands() {
                check(sub, &format!("{path} {}", sub.get_name()));
            }
        }
        check(&Cli::command(), "tcap");
    }

    #[test]
    fn global_options_parse_before_and_after_the_subcommand() {
        let args = [
            "--api-key-file",
            "/k",
            "--metrics-api-key-file",
            "/m",
            "--cloud-ops-url",
            "http://127.0.0.1:1",
            "--metrics-url",
            "http://127.0.0.1:2",
            "--api-version",
            "v0.19.1",
            "--config",
            "/c.toml",
            "-o",
            "json",
            "--demo",
            "-vv",
            "--color",
            "never",
            "--no-progress",
            "--request-timeout",
            "90s",
        ];
        let before: Vec<&str> = std::iter::once("tcap")
            .chain(args)
            .chain(["completions", "bash"])
            .collect();
        let after: Vec<&str> = ["tcap", "completions", "bash"]
            .into_iter()
            .chain(args)
            .collect();
        for argv in [before, after] {
            let cli = Cli::try_parse_from(&argv).unwrap();
            let g = &cli.global;
            assert_eq!(g.api_key_file.as_deref(), Some("/k".as_ref()));
            assert_eq!(g.metrics_api_key_file.as_deref(), Some("/m".as_ref()));
            assert_eq!(g.cloud_ops_url.as_deref(), Some("http://127.0.0.1:1"));
            assert_eq!(g.metrics_url.as_deref(), Some("http://127.0.0.1:2"));
            assert_eq!(g.api_version.as_deref(), Some("v0.19.1"));
            assert_eq!(g.config.as_deref(), Some("/c.toml".as_ref()));
            assert_eq!(g.output, Some(OutputFormat::Json));
            assert!(g.demo && g.no_progress && !g.quiet);
            assert_eq!(g.verbose, 2);
            assert_eq!(g.color, Some(ColorWhen::Never));
            assert_eq!(g.request_timeout, Some(Duration::from_secs(90)));
        }
    }

    #[test]
    fn a_flag_is_told_apart_from_its_environment_variable() {
        // After the subcommand too: global values reach the top-level matches.
        let cli = Cli::parse_with_sources([
            "tcap",
            "completions",
            "bash",
            "--metrics-url",
            "https://m.example",
        ])
        .unwrap();
        assert_eq!(cli.global.from_env, FromEnv::default());
        assert_eq!(cli.global.metrics_url.as_deref(), Some("https://m.example"));
    }

    #[test]
    fn quiet_and_verbose_exclude_each_other() {
        let err = Cli::try_parse_from(["tcap", "-q", "-v", "completions", "bash"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn durations_are_humantime() {
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert!(
            parse_duration("ten minutes")
                .unwrap_err()
                .contains("not a duration")
        );
    }

    #[test]
    fn an_api_key_is_never_a_flag_value() {
        // It would show in `ps`; only files and the environment carry keys.
        assert!(Cli::try_parse_from(["tcap", "--api-key", "x", "completions", "bash"]).is_err());
    }
}
