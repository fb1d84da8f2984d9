//! What `schedule-change` and `changes` share: the options of a run that drives a change, the
//! run itself (the lock is the caller's), and its result.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::Args;
use serde::Serialize;

use super::Context;
use super::slack::SlackArgs;
use crate::alert::Slack;
use crate::cloud::ops::OpsClient;
use crate::error::{Error, Result};
use crate::output::OutputFormat;
use crate::schedule::state::{self, Capacity, ChangeState, Step};
use crate::schedule::{Ending, Runner};
use crate::settings::parse_duration;

/// What every command that drives a change needs.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub slack: SlackArgs,
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
        interrupt: ctx.interrupt.clone(),
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
