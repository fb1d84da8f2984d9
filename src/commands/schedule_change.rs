//! `tcap schedule-change`: provision now (or at a start time), stay in the foreground until the
//! end time, revert, verify, and alert Slack on failure. Interrupted runs resume from the state
//! file: run the same command again, or `tcap changes resume`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::Args;

use super::Context;
use super::scheduled::{RunArgs, drive};
use crate::apply;
use crate::capacity::change::{self, parse_trus};
use crate::cloud::model::CapacitySpec;
use crate::cloud::ops::OpsClient;
use crate::error::{Error, Result};
use crate::schedule::lock;
use crate::schedule::state::{self, Capacity, ChangeState, Plan, RevertTo};
use crate::schedule::time::{fmt_time, parse_time};
use crate::settings::parse_duration;

#[derive(Debug, Args)]
pub struct ScheduleChangeArgs {
    /// Namespace ID (<name>.<account>)
    pub namespace: String,
    /// TRUs to provision for the window
    #[arg(value_parser = parse_trus, allow_negative_numbers = true)]
    pub trus: u32,
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
    change::validate_namespace_id(&args.namespace)?;
    let now = Utc::now();
    let start = args.start_time.unwrap_or(now);
    let end = match (args.end_time, args.duration) {
        (Some(end), _) => Some(end),
        (None, Some(d)) => Some(
            start
                + chrono::Duration::from_std(d)
                    .map_err(|_| Error::Usage("--duration is too long".into()))?,
        ),
        (None, None) => None,
    };
    let dir = state::changes_dir(ctx.settings.demo)?;
    let path = state::state_path(&dir, &args.namespace);
    // The same plan as a recorded, unfinished change resumes it whatever the clock says now:
    // its end time may have passed while nothing ran, and then the revert is due at once.
    let resuming =
        state::load(&path)?.is_some_and(|s| !s.step.is_finished() && same_plan(&s.plan, &args));
    if let Some(end) = end
        && !resuming
    {
        if end <= now {
            return Err(Error::Usage(format!(
                "the end time {} is in the past",
                fmt_time(end)
            )));
        }
        if end <= start {
            return Err(Error::Usage(format!(
                "the end time {} is not after the start time {}",
                fmt_time(end),
                fmt_time(start)
            )));
        }
    }
    let slack = args.run.slack.client(ctx)?;
    let ops = OpsClient::new(&ctx.settings.cloud_ops_endpoint()?)?;
    let _lock = lock::acquire(&lock::lock_path(&dir, &args.namespace), &args.namespace)?;

    let state = match state::load(&path)? {
        Some(existing) if !existing.step.is_finished() => {
            let p = &existing.plan;
            if !same_plan(p, &args) {
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
            tracing::info!(
                "{}: resuming the recorded change at step {}",
                args.namespace,
                existing.step.as_str()
            );
            existing
        }
        _ => {
            let target = CapacitySpec::Provisioned {
                value: f64::from(args.trus),
            };
            let plan = apply::read_plan(&ops, &args.namespace, target).await?;
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
                },
                now,
            );
            state::save(&path, &mut state)?;
            state
        }
    };
    drive(ops, slack, state, &dir, &args.run, ctx).await
}

/// Whether the command line asks for the recorded plan (a relative `--duration` matches any
/// recorded end time: the recorded one is kept).
fn same_plan(p: &Plan, args: &ScheduleChangeArgs) -> bool {
    p.trus == args.trus
        && p.revert_to == args.revert_to
        && args.start_time.is_none_or(|s| s == p.start_time)
        && args.end_time.is_none_or(|e| Some(e) == p.end_time)
        && (args.end_time.is_some() || args.duration.is_some()) == p.end_time.is_some()
}
