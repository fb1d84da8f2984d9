//! `tcap autopilot`: raise capacity when a namespace throttles, give it back when calm. A
//! foreground loop (systemd, Kubernetes), or one tick at a time with `--once` (cron).

use std::time::Duration;

use clap::Args;

use super::Context;
use super::scheduled::RunArgs;
use crate::autopilot::state::{self, PilotState};
use crate::autopilot::{Options, Pilot, Source, Tick};
use crate::capacity::autopilot::Knobs;
use crate::capacity::cost::LIST_PRICE_PER_MILLION_ACTIONS;
use crate::capacity::recommend::{self, Policy};
use crate::capacity::select::Filter;
use crate::cloud::metrics::MetricsClient;
use crate::cloud::ops::OpsClient;
use crate::error::{Error, Result};
use crate::history::Prometheus;
use crate::schedule::lock;
use crate::schedule::state::changes_dir;
use crate::settings::{PrometheusArgs, parse_duration, process_env};

#[derive(Debug, Args)]
#[command(
    override_usage = "tcap autopilot --namespace <GLOB>... --max-trus <N> [OPTIONS]\n       tcap autopilot --release [OPTIONS]",
    after_help = "\
Examples:
  # Every production namespace, never above 8 TRUs nor $200 an hour of extra TRUs
  tcap autopilot --namespace '*-prod' --max-trus 8 --max-hourly-cost 200

  # What it would do now, changing nothing
  tcap autopilot --namespace '*' --max-trus 8 --dry-run --once

  # From cron every 5 minutes instead of a long-running process
  */5 * * * *  tcap -q autopilot --namespace '*-prod' --max-trus 8 --interval 5m --once

  # Windows from the team's Prometheus: no Metrics API call at all
  tcap autopilot --namespace '*-prod' --max-trus 8 --prometheus http://localhost:9090

  # Give back everything autopilot raised
  tcap autopilot --release"
)]
pub struct AutopilotArgs {
    /// Namespaces to look after, by glob on the ID or its name part; repeatable; '*' is all
    #[arg(
        long = "namespace",
        value_name = "GLOB",
        required_unless_present = "release"
    )]
    pub namespaces: Vec<String>,
    /// Leave out namespaces matching this glob; repeatable
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Never raise a namespace above this many TRUs
    #[arg(long, value_name = "N", required_unless_present = "release", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub max_trus: Option<u32>,
    /// How often a metrics window is read (each read is one Metrics API call, none with
    /// --prometheus)
    #[arg(long, default_value = "1m", value_parser = parse_duration, value_name = "DURATION")]
    pub interval: Duration,
    /// Raise when the binding dimension's utilization reaches this (any throttling also raises)
    #[arg(long, default_value_t = 0.9, value_parser = parse_share, value_name = "0.0-1.0")]
    pub scale_up_at: f64,
    /// A namespace below this utilization, not throttled, is calm
    #[arg(long, default_value_t = 0.5, value_parser = parse_share, value_name = "0.0-1.0")]
    pub scale_down_below: f64,
    /// How long a namespace must stay calm before what autopilot raised is lowered
    #[arg(long, default_value = "30m", value_parser = parse_duration, value_name = "DURATION")]
    pub calm_for: Duration,
    /// Never lower within this long of a raise (an hour is billed at its highest TRU value)
    #[arg(long, default_value = "1h", value_parser = parse_duration, value_name = "DURATION")]
    pub min_hold: Duration,
    /// Share of the limit the demand should use after a raise, in (0, 1]
    #[arg(long, default_value_t = recommend::DEFAULT_TARGET_UTILIZATION, value_parser = recommend::parse_target, value_name = "0.0-1.0")]
    pub target_utilization: f64,
    /// Dollars an hour autopilot's extra TRUs may add at most, summed over what it holds
    #[arg(long, value_parser = parse_cost, value_name = "USD")]
    pub max_hourly_cost: Option<f64>,
    /// Dollars per million actions for the cost cap [default: 50, the list price]
    #[arg(long, env = "TCAP_PRICE_PER_MILLION_ACTIONS", value_parser = recommend::parse_price, value_name = "USD")]
    pub price_per_million_actions: Option<f64>,
    /// Metrics API calls an hour autopilot may spend (the account has 180, shared with its
    /// scrapers); an --interval that needs more is refused
    #[arg(long, default_value_t = 60, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=180))]
    pub max_metrics_calls_per_hour: u32,
    /// At most this many capacity changes in flight at once (Temporal allows an account 10
    /// concurrent async operations)
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10))]
    pub max_concurrent_changes: u32,
    /// Decide and report, change nothing (no state file is written)
    #[arg(long)]
    pub dry_run: bool,
    /// One tick, then exit (0 done, 1 a change failed, 75 the tick could not run)
    #[arg(long)]
    pub once: bool,
    /// Lower everything this autopilot holds back to its baselines, verified, and forget it
    #[arg(long, conflicts_with_all = ["once", "namespaces", "exclude"])]
    pub release: bool,
    /// Which autopilot: each name has its own state file and lock
    #[arg(long, default_value = "default", value_parser = parse_name, value_name = "NAME")]
    pub name: String,
    /// Read each window from the user's Prometheus, which scrapes the Metrics API, instead of
    /// calling the Metrics API
    #[command(flatten)]
    pub prometheus: PrometheusArgs,
    #[command(flatten)]
    pub run: RunArgs,
}

fn parse_share(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 1.0 => Ok(v),
        _ => Err(format!("'{s}' is not a number above 0 and at most 1")),
    }
}

fn parse_cost(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!("'{s}' is not a number of dollars")),
    }
}

fn parse_name(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!(
            "'{s}' is not a name: letters, digits, '-' and '_', at most 64"
        ))
    }
}

/// Metrics API calls an hour at one call per `interval`, and the calls one tick may spend.
fn metrics_calls(interval: Duration, per_hour: u32) -> Result<u32> {
    let secs = interval.as_secs_f64();
    if secs < 1.0 {
        return Err(Error::Usage("--interval must be at least 1s".into()));
    }
    let needed = (3600.0 / secs).ceil() as u32;
    if needed > per_hour {
        return Err(Error::Usage(format!(
            "--interval {} reads {needed} metrics windows an hour, more than \
             --max-metrics-calls-per-hour {per_hour} (the account has 180 an hour, shared with \
             its scrapers): lengthen --interval or raise the limit",
            humantime::format_duration(interval)
        )));
    }
    Ok(((f64::from(per_hour) * secs / 3600.0).floor() as u32).max(1))
}

fn chrono(d: Duration, flag: &str) -> Result<chrono::Duration> {
    chrono::Duration::from_std(d).map_err(|_| Error::Usage(format!("{flag} is too long")))
}

pub async fn run(args: AutopilotArgs, ctx: &Context) -> Result<()> {
    let filter = Filter::new(&args.namespaces, &args.exclude)?;
    let prometheus = ctx
        .settings
        .prometheus_endpoint(&args.prometheus, &process_env)?;
    let calls_per_tick = if prometheus.is_some() {
        if args.interval < Duration::from_secs(1) {
            return Err(Error::Usage("--interval must be at least 1s".into()));
        }
        0
    } else {
        metrics_calls(args.interval, args.max_metrics_calls_per_hour)?
    };
    if args.scale_down_below >= args.scale_up_at {
        return Err(Error::Usage(format!(
            "--scale-down-below {} must be below --scale-up-at {}",
            args.scale_down_below, args.scale_up_at
        )));
    }
    let price = args
        .price_per_million_actions
        .or(ctx.settings.config_price_per_million_actions)
        .unwrap_or(LIST_PRICE_PER_MILLION_ACTIONS);
    let policy = Policy::new(args.target_utilization)
        .and_then(|p| p.with_price(price))
        .map_err(Error::Usage)?;
    let knobs = Knobs {
        scale_up_at: args.scale_up_at,
        scale_down_below: args.scale_down_below,
        calm_for: chrono(args.calm_for, "--calm-for")?,
        min_hold: chrono(args.min_hold, "--min-hold")?,
        interval: chrono(args.interval, "--interval")?,
        max_trus: args.max_trus.unwrap_or(u32::MAX),
        max_hourly_cost: args.max_hourly_cost,
        policy,
    };
    let slack = args.run.slack.client(ctx)?;
    let ops = OpsClient::new(&ctx.settings.cloud_ops_endpoint()?)?;
    // With the user's Prometheus, no Metrics API call is spent (and no Metrics key needed).
    let source = match &prometheus {
        Some(endpoint) => Source::Prometheus(Prometheus::new(endpoint)?),
        None => Source::Metrics(MetricsClient::new(&ctx.settings.metrics_endpoint()?)?),
    };

    let dir = changes_dir(ctx.settings.demo)?;
    let own = state::dir(&dir)?;
    let path = state::state_path(&own, &args.name);
    // A dry run changes nothing, so it may look over the shoulder of a running autopilot.
    let _lock = if args.dry_run {
        None
    } else {
        let lock_path = state::lock_path(&own, &args.name);
        Some(lock::acquire(&lock_path, &args.name).map_err(|e| match e {
            Error::Locked { pid, .. } => Error::Temporary(format!(
                "another tcap autopilot (PID {pid}) runs '{}' with {}; one autopilot per state file",
                args.name,
                path.display()
            )),
            e => e,
        })?)
    };
    let mut recorded = state::load(&path)?.unwrap_or_else(|| PilotState::new(&args.name));
    recorded.pid = std::process::id();
    let options = Options {
        name: args.name.clone(),
        knobs,
        dry_run: args.dry_run,
        wait_timeout: args.run.wait_timeout,
        max_concurrent_changes: args.max_concurrent_changes as usize,
        metrics_calls_per_tick: calls_per_tick,
    };
    let mut pilot = Pilot::new(
        ops,
        source,
        slack,
        filter,
        dir,
        path.clone(),
        recorded,
        options,
        &ctx.printer,
        ctx.interrupt.clone(),
    );
    if args.release {
        return pilot.release().await;
    }
    if args.once {
        let tick = pilot.once().await?;
        return match tick {
            Tick::Skipped(why) => Err(Error::Temporary(why)),
            Tick::Decided if pilot.failures > 0 => Err(Error::Failed(format!(
                "{} change(s) failed; autopilot holds {}",
                pilot.failures,
                pilot.holds_text()
            ))),
            Tick::Decided => Ok(()),
        };
    }
    ctx.printer.status(&format!(
        "autopilot '{}'{}: a window every {}, state in {}; Ctrl-C stops it and keeps what it holds \
         (`tcap autopilot --release` gives it back)",
        args.name,
        if args.dry_run { " (dry run)" } else { "" },
        humantime::format_duration(args.interval),
        path.display()
    ));
    pilot.run().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_metrics_budget_is_checked_before_anything_runs() {
        assert_eq!(metrics_calls(Duration::from_secs(60), 60).unwrap(), 1);
        assert_eq!(metrics_calls(Duration::from_secs(300), 60).unwrap(), 5);
        let err = metrics_calls(Duration::from_secs(30), 60).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(
            err.to_string().contains("120 metrics windows an hour"),
            "{err}"
        );
        assert_eq!(metrics_calls(Duration::from_secs(30), 120).unwrap(), 1);
        assert!(metrics_calls(Duration::from_millis(500), 180).is_err());
    }

    #[test]
    fn names_are_plain() {
        assert!(parse_name("team-a_1").is_ok());
        assert!(parse_name("../x").is_err());
        assert!(parse_name("").is_err());
    }
}
