//! `tcap schedule-change`: provision now (or at a start time), stay in the foreground until the
//! end time, revert, verify, and alert Slack on failure. Interrupted runs resume from the state
//! file: run the same command again, or `tcap changes resume`.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::Args;
use serde::Serialize;

use super::Context;
use crate::alert::Slack;
use crate::capacity::change::{self, parse_trus};
use crate::cli::{OutputFormat, parse_duration};
use crate::cloud::ops::OpsClient;
use crate::error::{Error, Result};
use crate::schedule::state::{self, Capacity, ChangeState, Plan, RevertTo, Step};
use crate::schedule::{Ending, Runner, fmt_time, lock, parse_time};
use crate::settings::Secret;

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

/// What every command that drives a change needs.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Slack incoming-webhook URL for alerts
    #[arg(
        long,
        env = "SLACK_WEBHOOK_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub slack_webhook_url: Option<String>,
    /// How long to wait for each capacity change to apply
    #[arg(long, default_value = "10m", value_parser = parse_duration, value_name = "DURATION")]
    pub wait_timeout: Duration,
}

/// The seed's result fields, and the contract's extras.
#[derive(Debug, Serialize)]
pub struct ChangeResult {
    pub namespace: String,
    pub initial_change_success: bool,
    pub verification_success: bool,
    pub reverted_to_on_demand: bool,
    pub revert_verification_success: bool,
    pub errors: Vec<String>,
    pub previous: Option<Capacity>,
    pub requested: Capacity,
    pub reverted_to: Option<Capacity>,
    pub start_time: DateTime<Utc>,
    pub end_time: Option<DateTime<Utc>>,
    pub step: Step,
    pub state_file: String,
}

impl ChangeResult {
    pub fn of(state: &ChangeState, path: &Path) -> ChangeResult {
        let plan = &state.plan;
        ChangeResult {
            namespace: plan.namespace.clone(),
            initial_change_success: state.outcome.initial_change_success,
            verification_success: state.outcome.verification_success,
            reverted_to_on_demand: state.outcome.reverted_to_on_demand,
            revert_verification_success: state.outcome.revert_verification_success,
            errors: state.errors.iter().map(|e| e.message.clone()).collect(),
            previous: plan.capacity_before.clone(),
            requested: Capacity::of(plan.target()),
            reverted_to: plan.end_time.map(|_| Capacity::of(plan.revert_target())),
            start_time: plan.start_time,
            end_time: plan.end_time,
            step: state.step,
            state_file: path.display().to_string(),
        }
    }
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
    let slack = slack(&args.run, ctx)?;
    let ops = OpsClient::new(&ctx.settings, &ctx.settings.cloud_ops_key()?)?;
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
            let target = crate::cloud::model::CapacitySpec::Provisioned {
                value: f64::from(args.trus),
            };
            let plan = change::plan(&ops, &args.namespace, target).await?;
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

pub fn slack(run: &RunArgs, ctx: &Context) -> Result<Option<Slack>> {
    run.slack_webhook_url
        .as_deref()
        .map(|url| Slack::new(&Secret::new(url), ctx.settings.request_timeout))
        .transpose()
}

/// Runs a change to its end (the lock is held by the caller) and prints the result.
pub async fn drive(
    ops: OpsClient,
    slack: Option<Slack>,
    state: ChangeState,
    dir: &Path,
    run: &RunArgs,
    ctx: &Context,
) -> Result<()> {
    let namespace = state.plan.namespace.clone();
    let path = state::state_path(dir, &namespace);
    let mut runner = Runner {
        ops,
        slack,
        path: path.clone(),
        request_path: state::request_path(dir, &namespace),
        state,
        wait_timeout: run.wait_timeout,
        printer: &ctx.printer,
    };
    let outcome = runner.run().await;
    let result = ChangeResult::of(&runner.state, &path);
    match ctx.printer.format {
        OutputFormat::Json => ctx.printer.json(&result)?,
        _ => ctx.printer.line(&summary(&result, outcome.as_ref().ok()))?,
    }
    match outcome {
        Err(e) => Err(e),
        Ok(_) if result.errors.is_empty() => Ok(()),
        Ok(_) => Err(Error::Mismatch(format!(
            "{namespace}: finished with errors: {}",
            result.errors.join("; ")
        ))),
    }
}

fn summary(r: &ChangeResult, ending: Option<&Ending>) -> String {
    let mut parts = Vec::new();
    let requested = r.requested.spec();
    if r.initial_change_success {
        parts.push(format!(
            "{} {}",
            requested,
            if r.verification_success {
                "in force, verified"
            } else {
                "applied, NOT verified"
            }
        ));
    } else if r.step == Step::Failed {
        parts.push(format!("{requested} failed"));
    }
    if let Some(to) = &r.reverted_to {
        if r.reverted_to_on_demand {
            parts.push(format!(
                "reverted to {}{}",
                to.spec(),
                if r.revert_verification_success {
                    ", verified"
                } else {
                    ", NOT verified"
                }
            ));
        } else if !r.step.is_finished() {
            parts.push(format!("revert to {} pending", to.spec()));
        }
    }
    if ending == Some(&Ending::Cancelled) {
        parts.push("cancelled".into());
    }
    format!("{}: {}", r.namespace, parts.join("; "))
}
