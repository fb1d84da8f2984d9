//! The command line, with the names fixed by `shared/design/cli-contract.md`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands;

#[derive(Debug, Parser)]
#[command(
    name = "tcap",
    version,
    about = "Temporal Cloud namespace capacity: analyze, provision, revert, verify",
    long_about = "tcap analyzes every namespace of a Temporal Cloud account and recommends \
On-Demand or Provisioned capacity (TRUs), changes capacity safely, verifies it, and runs \
time-boxed capacity changes that survive interruption. It talks to the Cloud Ops API and the \
Metrics API directly.",
    after_help = "Exit status: 0 ok, 1 failed, 2 bad input, 3 not in the expected state, \
4 authentication refused, 75 temporary failure (retry later), 130 interrupted."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts, before or after the subcommand.
#[derive(Debug, Default, Args)]
pub struct GlobalArgs {
    /// File holding the Cloud Ops API key ('-' reads stdin) [env: TEMPORAL_CLOUD_API_KEY holds the key itself, then TEMPORAL_API_KEY]
    #[arg(long, global = true, value_name = "PATH")]
    pub api_key_file: Option<PathBuf>,

    /// File holding the Metrics API key ('-' reads stdin); defaults to the Cloud Ops key [env: TEMPORAL_CLOUD_METRICS_API_KEY holds the key itself]
    #[arg(long, global = true, value_name = "PATH")]
    pub metrics_api_key_file: Option<PathBuf>,

    /// Base URL of the Cloud Ops API [default: https://saas-api.tmprl.cloud]
    #[arg(long, global = true, env = "TCAP_CLOUD_OPS_URL", value_name = "URL")]
    pub cloud_ops_url: Option<String>,

    /// Base URL of the Metrics API; /v1/metrics is appended [default: https://metrics.temporal.io]
    #[arg(long, global = true, env = "TCAP_METRICS_URL", value_name = "URL")]
    pub metrics_url: Option<String>,

    /// Value of the temporal-cloud-api-version header [default: v0.19.1]
    #[arg(long, global = true, env = "TCAP_API_VERSION", value_name = "V")]
    pub api_version: Option<String>,

    /// TOML file with defaults for these options [default: $XDG_CONFIG_HOME/tcap/config.toml]
    #[arg(long, global = true, env = "TCAP_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Output format: json works for every command, csv for analyze [default: table]
    #[arg(short, long, global = true, value_enum, value_name = "FORMAT")]
    pub output: Option<OutputFormat>,

    /// Run against a built-in emulated account: no key, no network
    #[arg(long, global = true)]
    pub demo: bool,

    /// Only errors on stderr
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// More log lines on stderr (repeat for more); RUST_LOG overrides
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// When to use colors; NO_COLOR is honoured [default: auto]
    #[arg(long, global = true, value_enum, value_name = "WHEN")]
    pub color: Option<ColorWhen>,

    /// Never draw progress bars (they are drawn only when stderr is a terminal)
    #[arg(long, global = true)]
    pub no_progress: bool,

    /// Time limit of one HTTP request, e.g. 30s, 2m [default: 30s]
    #[arg(long, global = true, value_parser = parse_duration, value_name = "DURATION")]
    pub request_timeout: Option<Duration>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    Table,
    Json,
    Csv,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
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
    /// Serve a local emulator of the Cloud Ops and Metrics APIs
    DevServer(commands::dev_server::DevServerArgs),
    /// Print a shell completion script
    Completions(commands::completions::CompletionsArgs),
    /// Write the manual pages into a directory
    Man(commands::man::ManArgs),
}

/// humantime durations (`90s`, `10m`, `4h`), the spelling every duration flag uses.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim())
        .map_err(|e| format!("'{s}' is not a duration like 30s, 10m or 4h: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
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
