//! `tcap dev-server`: the emulated account, in the foreground, for rehearsals and tests.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::Context;
use crate::devserver::{Config, DevServer, Load, MAX_CLOCK_SPEED};
use crate::error::{Error, Result};
use crate::settings::{Verbosity, parse_duration};

#[derive(Debug, Args)]
#[command(
    override_usage = "tcap dev-server [OPTIONS]",
    after_help = "\
Examples:
  # Serve an account whose changes apply in 5 s; paste the export lines it prints
  # into another shell, and tcap there talks to it
  tcap dev-server --apply-delay 5s

  # A bigger, slower account that sometimes fails, to rehearse a cron job
  tcap dev-server --namespaces 50 --latency 100ms --rate-limit 80 --fault-rate 0.1

  # Replay a business day at 60x (16 hours in 16 minutes), one capacity change an hour,
  # then read what it cost
  tcap dev-server --load profiles/business-day.csv --clock-speed 60 --one-change-per-hour
  curl -s http://127.0.0.1:7280/_dev/ledger"
)]
pub struct DevServerArgs {
    /// Address to listen on (port 0 picks a free port)
    #[arg(long, default_value = "127.0.0.1:7280", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// Namespaces in the generated account
    #[arg(long, default_value_t = 12, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub namespaces: u32,
    /// Seed of the generated account and of injected faults
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub seed: u64,
    /// Delay added to every response, e.g. 100ms
    #[arg(long, default_value = "0s", value_parser = parse_duration, value_name = "DURATION")]
    pub latency: Duration,
    /// How long a capacity change takes to apply, in emulated time [default: 20s, or 2m with
    /// --load]
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub apply_delay: Option<Duration>,
    /// Cloud Ops requests per second above which the server answers 429
    #[arg(long, value_parser = parse_rate, value_name = "RPS")]
    pub rate_limit: Option<f64>,
    /// Share of requests that get an injected fault (429, 503, dropped connection, a cut-off or
    /// malformed body, an answer slower than the client's 30 s timeout)
    #[arg(long, default_value_t = 0.0, value_parser = parse_fault_rate, value_name = "0.0-1.0")]
    pub fault_rate: f64,
    /// Label metrics with the bare namespace name (`payments-prod`) instead of the full ID
    #[arg(long)]
    pub bare_namespace_labels: bool,
    /// Provisioned-idle namespaces that send no metric series at all (idle the whole window)
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub silent_namespaces: usize,
    /// Capacity changes in flight at once across the account; one more answers 429 (Temporal
    /// documents 10)
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_concurrent_operations: u32,
    /// Refuse a stale resourceVersion with 400 FailedPrecondition instead of 409 Aborted (the
    /// real service's answer is not documented)
    #[arg(long)]
    pub stale_version_400: bool,
    /// Check resourceVersion before asyncOperationId, so a retried update is refused as stale
    #[arg(long)]
    pub check_version_first: bool,
    /// Replay a per-minute load profile (CSV: minute,namespace,aps[,rps[,ops]]; minutes count
    /// from 00:00 UTC): the account is its namespaces, all On-Demand, with 7 days of history
    /// seeded from it; GET /_dev/ledger tells what was served, throttled and billed
    #[arg(long, value_name = "FILE")]
    pub load: Option<PathBuf>,
    /// Emulated seconds per real second (0 < K <= 1000). Above about 60, tcap's 1-second
    /// polling floor distorts a replay: it polls less than once an emulated minute, so it misses
    /// minutes of metrics and reacts late
    #[arg(long, default_value_t = 1.0, value_parser = parse_clock_speed, value_name = "K")]
    pub clock_speed: f64,
    /// Refuse a capacity change within an emulated hour of the namespace's previous one (400
    /// FailedPrecondition); whether Temporal enforces this is not documented
    #[arg(long)]
    pub one_change_per_hour: bool,
}

fn parse_clock_speed(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v <= MAX_CLOCK_SPEED => Ok(v),
        _ => Err(format!(
            "'{s}' is not a clock speed above 0 and at most {MAX_CLOCK_SPEED}"
        )),
    }
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!(
            "'{s}' is not a positive number of requests per second"
        )),
    }
}

fn parse_fault_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("'{s}' is not a fraction between 0.0 and 1.0")),
    }
}

pub async fn run(args: DevServerArgs, ctx: &Context) -> Result<()> {
    let load = match &args.load {
        Some(path) => Some(read_load(path)?),
        None => None,
    };
    let mut config = Config {
        seed: args.seed,
        namespaces: args.namespaces as usize,
        latency: args.latency,
        rate_limit: args.rate_limit,
        fault_rate: args.fault_rate,
        slow_response: Some(crate::devserver::DEFAULT_SLOW_RESPONSE),
        bare_namespace_labels: args.bare_namespace_labels,
        silent_namespaces: args.silent_namespaces,
        max_concurrent_operations: args.max_concurrent_operations as usize,
        stale_version_as_failed_precondition: args.stale_version_400,
        version_checked_first: args.check_version_first,
        clock_speed: args.clock_speed,
        one_change_per_hour: args.one_change_per_hour,
        ..Config::default()
    };
    if let Some(load) = load.clone() {
        config = config.with_load(load);
    }
    if let Some(delay) = args.apply_delay {
        config.apply_delay = delay;
    }
    let admin_key = config.admin_key.clone();
    let metrics_key = config.metrics_key.clone();
    let server = DevServer::start(args.listen, config)
        .await
        .map_err(|e| Error::Usage(format!("cannot listen on {}: {e}", args.listen)))?;
    // Listening on every address (0.0.0.0 or ::) is not an address to connect to, and tcap
    // sends keys over plain HTTP only to loopback: the export lines name the loopback one.
    let mut reachable = server.addr();
    if reachable.ip().is_unspecified() {
        reachable.set_ip(match reachable {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    let url = format!("http://{reachable}");
    let lines = [
        format!(
            "# tcap dev-server: account {} with {} namespaces; Ctrl-C stops it",
            server.account_id(),
            server.namespace_ids().len()
        ),
        format!("export TCAP_CLOUD_OPS_URL={url}"),
        format!("export TCAP_METRICS_URL={url}"),
        format!("export TEMPORAL_CLOUD_API_KEY={admin_key}"),
        format!("# a key that may read metrics only: {metrics_key}"),
        format!("export SLACK_WEBHOOK_URL={url}/slack/webhook"),
    ];
    ctx.printer.line(&lines.join("\n"))?;
    if let (Some(load), Some(path)) = (&load, &args.load)
        && ctx.settings.verbosity != Verbosity::Quiet
    {
        let start = server.replay_start().unwrap_or_else(|| server.now());
        let summary = replay_summary(load, path, start, args.clock_speed, &url);
        eprintln!("{}", summary.join("\n"));
    }
    tracing::info!("serving the Cloud Ops API, the Metrics API and a Slack sink at {url}");
    // Runs until a signal; `main` turns that into exit 130 like every interrupted command.
    std::future::pending::<()>().await;
    Ok(())
}

fn read_load(path: &std::path::Path) -> Result<Load> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Usage(format!("cannot read --load {}: {e}", path.display())))?;
    Load::parse(&text).map_err(|e| Error::Usage(format!("--load {}: {e}", path.display())))
}

/// What is replayed, from when, how fast, and where the ledger is: on stderr, since the export
/// lines on stdout are meant to be pasted or evaluated.
fn replay_summary(
    load: &Load,
    path: &std::path::Path,
    start: chrono::DateTime<chrono::Utc>,
    speed: f64,
    url: &str,
) -> Vec<String> {
    let clock = |minute: u32| {
        let of_day = minute % 1440;
        let day = minute / 1440;
        let time = format!("{:02}:{:02}", of_day / 60, of_day % 60);
        if day == 0 {
            time
        } else {
            format!("day {} {time}", day + 1)
        }
    };
    let minutes = load.len_minutes();
    let real = Duration::from_secs_f64(f64::from(minutes) * 60.0 / speed);
    vec![
        format!(
            "tcap dev-server: replaying {}: {} namespaces ({})",
            path.display(),
            load.namespaces().len(),
            load.namespaces().join(", ")
        ),
        format!(
            "tcap dev-server: minutes {}-{} ({minutes} minutes, {}-{} UTC), from {} at {speed}x real time (about {} real)",
            load.first_minute(),
            load.last_minute(),
            clock(load.first_minute()),
            clock(load.last_minute() + 1),
            start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            humantime::format_duration(Duration::from_secs(real.as_secs().max(1)))
        ),
        format!("tcap dev-server: ledger at {url}/_dev/ledger"),
    ]
}
