//! `tcap schedule-change`: provision now (or at a start time), stay in the foreground until the
//! end time, revert, verify, and alert Slack on failure. Interrupted runs resume from the state
//! file: run the same command again, or `tcap changes resume`.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::Args;

use super::Context;
use super::event_run::{self, EventOptions, single_dry_run};
use super::scheduled::{ChangeResult, RunArgs, drive, finish};
use crate::apply;
use crate::capacity::change::{self, parse_trus};
use crate::capacity::cost::LIST_PRICE_PER_MILLION_ACTIONS;
use crate::capacity::ramp::RampStep;
use crate::capacity::recommend;
use crate::cloud::model::CapacitySpec;
use crate::cloud::ops::OpsClient;
use crate::error::{Error, Result};
use crate::schedule::lock;
use crate::schedule::owners::{Asking, owners};
use crate::schedule::state::{self, Capacity, ChangeState, Plan, RevertTo};
use crate::schedule::time::{check_window, fmt_span, fmt_time, parse_time, window_length};
use crate::settings::parse_duration;

#[derive(Debug, Args)]
#[command(
    override_usage = "tcap schedule-change [OPTIONS] <NAMESPACE> <TRUS>\n       tcap schedule-change [OPTIONS] --file <EVENT.toml>",
    after_help = "\
Examples:
  # 8 TRUs from 08:00 local time for 16 hours, then back to what it had before
  tcap schedule-change payments-prod.a1b2c 8 \\
      --start-time '2026-12-24 08:00' --duration 16h

  # A nightly batch window, from cron (-q: silent unless something fails)
  0 23 * * *  tcap -q schedule-change batch-prod.a1b2c 8 --duration 3h

  # A short test of Provisioned Capacity, ending On-Demand whatever it had
  tcap schedule-change sandbox-dev.a1b2c 2 --duration 30m --revert-to on-demand

  # An event: several namespaces over one window, some on a ramp (see the README)
  tcap schedule-change --file black-friday.toml --dry-run   # the plan and its hourly bill
  tcap schedule-change --file black-friday.toml"
)]
pub struct ScheduleChangeArgs {
    /// Namespace ID (<name>.<account>), e.g. payments-prod.a1b2c
    #[arg(required_unless_present = "file")]
    pub namespace: Option<String>,
    /// TRUs to provision for the window: one of the namespace's valid values (e.g. 2, 3, 4, 6,
    /// 8, 10, 12)
    #[arg(value_parser = parse_trus, allow_negative_numbers = true, required_unless_present = "file")]
    pub trus: Option<u32>,
    /// An event file: several namespaces over one window, each flat or on a ramp
    #[arg(long, value_name = "EVENT.toml", conflicts_with_all = ["namespace", "trus", "start_time", "end_time", "duration"])]
    pub file: Option<PathBuf>,
    /// Show the plan and each calendar hour's TRU minimum; send nothing, write no state file
    #[arg(long)]
    pub dry_run: bool,
    /// Allow an event's steps less than an hour apart (TRUs are adjusted and billed hourly)
    #[arg(long)]
    pub allow_subhour_steps: bool,
    /// With --file: at most this many of the event's capacity changes in flight at once
    /// (Temporal allows an account 10 concurrent async operations)
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10))]
    pub max_concurrent_changes: u32,
    /// Dollars per million actions for the dry run's figures [default: 50, the list price]
    #[arg(long, env = "TCAP_PRICE_PER_MILLION_ACTIONS", value_parser = recommend::parse_price, value_name = "USD")]
    pub price_per_million_actions: Option<f64>,
    /// When to provision: RFC 3339 or local 'YYYY-MM-DD HH:MM' [default: now]
    #[arg(long, value_parser = parse_time, value_name = "TIME")]
    pub start_time: Option<DateTime<Utc>>,
    /// When to revert: RFC 3339 or local 'YYYY-MM-DD HH:MM' (no end: a permanent change)
    #[arg(long, value_parser = parse_time, value_name = "TIME", conflicts_with = "duration")]
    pub end_time: Option<DateTime<Utc>>,
    /// How long the window lasts from its start, e.g. 4h
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub duration: Option<Duration>,
    /// What to revert to at the end
    #[arg(long, value_enum, default_value = "previous")]
    pub revert_to: RevertTo,
    #[command(flatten)]
    pub run: RunArgs,
}

pub async fn run(args: ScheduleChangeArgs, ctx: &Context) -> Result<()> {
    let price = args
        .price_per_million_actions
        .or(ctx.settings.config_price_per_million_actions)
        .unwrap_or(LIST_PRICE_PER_MILLION_ACTIONS);
    if let Some(file) = &args.file {
        return event_run::start(
            EventOptions {
                file,
                revert_to: args.revert_to,
                allow_subhour_steps: args.allow_subhour_steps,
                dry_run: args.dry_run,
                max_concurrent_changes: args.max_concurrent_changes,
                price_per_million_actions: price,
                run: &args.run,
            },
            ctx,
        )
        .await;
    }
    let args = Single::of(args);
    change::validate_namespace_id(&args.namespace)?;
    let now = Utc::now();
    let start = args.start_time.unwrap_or(now);
    let end = match (args.end_time, args.duration) {
        (Some(end), _) => Some(end),
        (None, Some(d)) => Some(start + window_length(d)?),
        (None, None) => None,
    };
    let dir = state::changes_dir(ctx.settings.demo)?;
    let path = state::state_path(&dir, &args.namespace);
    let resuming =
        unfinished(&path)?.is_some_and(|s| recorded(&s.plan, &args, now) == Recorded::Resume);
    if let Some(end) = end
        && !resuming
    {
        check_window(start, end, now)?;
    }
    if let Some(owner) = owners(&dir, Asking::Change).get(&args.namespace) {
        return Err(Error::Usage(format!(
            "{} is owned by {owner}; see `tcap changes list`",
            args.namespace
        )));
    }
    let ops = OpsClient::new(&ctx.settings.cloud_ops_endpoint()?)?;
    if args.dry_run {
        let target = CapacitySpec::Provisioned {
            value: f64::from(args.trus),
        };
        let plan = apply::read_plan(&ops, &args.namespace, target).await?;
        let step = RampStep {
            at: start,
            trus: args.trus,
        };
        return single_dry_run(
            &args.namespace,
            step,
            end,
            plan.previous,
            args.revert_to,
            price,
            ctx,
        );
    }
    let slack = args.run.slack.client(ctx)?;
    let _lock = lock::acquire(&lock::lock_path(&dir, &args.namespace), &args.namespace)?;

    // Read again under the lock: another run may have moved the record on meanwhile.
    let mut finished_first = None;
    let existing = unfinished(&path)?;
    let state = match existing.map(|s| (recorded(&s.plan, &args, now), s)) {
        Some((Recorded::Resume, existing)) => {
            tracing::info!(
                "{}: resuming the recorded change at step {}",
                args.namespace,
                existing.step.as_str()
            );
            existing
        }
        Some((Recorded::Other, existing)) => {
            let p = &existing.plan;
            return Err(Error::Usage(format!(
                "{} has an unfinished change ({} TRUs{}, step {}); see `tcap changes list`, \
                 resume it with `tcap changes resume {ns}` or cancel it with `tcap changes cancel {ns}`",
                args.namespace,
                p.trus,
                p.end_time
                    .map(|e| format!(" until {}", fmt_time(e)))
                    .unwrap_or_default(),
                existing.step.as_str(),
                ns = args.namespace
            )));
        }
        Some((Recorded::Ended, stale)) => {
            let result =
                finish_stale(ops.clone(), slack.clone(), stale, &dir, &args.run, ctx).await?;
            finished_first = Some(Box::new(result));
            new_state(&ops, &args, start, end, &path).await?
        }
        None => new_state(&ops, &args, start, end, &path).await?,
    };
    drive(ops, slack, state, &dir, &args.run, ctx, finished_first).await
}

/// The single-namespace form, its two arguments present (clap requires them without --file).
struct Single {
    namespace: String,
    trus: u32,
    start_time: Option<DateTime<Utc>>,
    end_time: Option<DateTime<Utc>>,
    duration: Option<Duration>,
    revert_to: RevertTo,
    dry_run: bool,
    run: RunArgs,
}

impl Single {
    fn of(a: ScheduleChangeArgs) -> Single {
        Single {
            namespace: a.namespace.expect("clap requires it without --file"),
            trus: a.trus.expect("clap requires it without --file"),
            start_time: a.start_time,
            end_time: a.end_time,
            duration: a.duration,
            revert_to: a.revert_to,
            dry_run: a.dry_run,
            run: a.run,
        }
    }
}

fn unfinished(path: &std::path::Path) -> Result<Option<ChangeState>> {
    Ok(state::load(path)?.filter(|s| !s.step.is_finished()))
}

/// What an unfinished record of the namespace means for this command.
#[derive(Debug, PartialEq, Eq)]
enum Recorded {
    /// The same change, its window still open (or named by its exact end time): carry it on.
    Resume,
    /// Its window has ended while nothing ran: finish it, then run this command's own window.
    Ended,
    /// Another change whose window is still open.
    Other,
}

fn recorded(p: &Plan, args: &Single, now: DateTime<Utc>) -> Recorded {
    let same = same_plan(p, args);
    if same && args.end_time.is_some() {
        return Recorded::Resume;
    }
    match p.end_time {
        Some(end) if end <= now => Recorded::Ended,
        _ if same => Recorded::Resume,
        _ => Recorded::Other,
    }
}

/// Finishes a change whose window ended while nothing ran: reverts it if the namespace still
/// holds it. A new window must start from the capacity the namespace had before that change,
/// not from its leftover boost.
async fn finish_stale(
    ops: OpsClient,
    slack: Option<crate::alert::Slack>,
    stale: ChangeState,
    dir: &std::path::Path,
    run: &RunArgs,
    ctx: &Context,
) -> Result<ChangeResult> {
    let p = &stale.plan;
    let ended = p.end_time.expect("an ended window has an end");
    tracing::warn!(
        "{}: an earlier change ({} TRUs, {} to {}) was interrupted at step {} and its window \
         ended {} ago; finishing it before this one",
        p.namespace,
        p.trus,
        fmt_time(p.start_time),
        fmt_time(ended),
        stale.step.as_str(),
        fmt_span(Utc::now() - ended)
    );
    let (result, outcome) = finish(ops, slack, stale, dir, run, ctx, None).await;
    outcome.map_err(|e| {
        Error::Mismatch(format!(
            "the earlier change of {} could not be finished, so this one was not started: {e}",
            result.namespace
        ))
    })?;
    tracing::warn!("{}: earlier change: {}", result.namespace, result.summary());
    Ok(result)
}

async fn new_state(
    ops: &OpsClient,
    args: &Single,
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    path: &std::path::Path,
) -> Result<ChangeState> {
    let target = CapacitySpec::Provisioned {
        value: f64::from(args.trus),
    };
    let plan = apply::read_plan(ops, &args.namespace, target).await?;
    if let Some(end) = end
        && end - start < chrono::Duration::hours(1)
    {
        tracing::warn!(
            "the window is under an hour: TRUs are billed per calendar hour at the highest \
             value, and Temporal says capacity \"can be adjusted hourly\""
        );
    }
    let mut state = ChangeState::new(
        Plan {
            namespace: args.namespace.clone(),
            trus: args.trus,
            start_time: start,
            end_time: end,
            revert_to: args.revert_to,
            capacity_before: plan.previous.map(Capacity::of),
            ramp: Vec::new(),
            event: None,
        },
        Utc::now(),
    );
    state::save(path, &mut state)?;
    Ok(state)
}

/// Whether the command line asks for the recorded plan (a relative `--duration` matches any
/// recorded end time: the recorded one is kept).
fn same_plan(p: &Plan, args: &Single) -> bool {
    p.trus == args.trus
        && p.revert_to == args.revert_to
        && args.start_time.is_none_or(|s| s == p.start_time)
        && args.end_time.is_none_or(|e| Some(e) == p.end_time)
        && (args.end_time.is_some() || args.duration.is_some()) == p.end_time.is_some()
}
