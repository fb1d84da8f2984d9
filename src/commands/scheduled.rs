//! What `schedule-change` and `changes` share: the options of a run that drives a change, the
//! run itself (the lock is the caller's), and its result.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::Args;
use serde::Serialize;
use tokio::sync::Semaphore;

use super::Context;
use super::slack::SlackArgs;
use crate::alert::Slack;
use crate::cloud::ops::OpsClient;
use crate::error::{Error, Result};
use crate::output::OutputFormat;
use crate::schedule::state::{self, Capacity, ChangeState, Step};
use crate::schedule::{Ending, Runner, Store};
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
    /// The seed's name: true once the revert at the end was applied, whatever it reverted to
    /// (`reverted_to` says what).
    pub reverted_to_on_demand: bool,
    pub revert_verification_success: bool,
    pub errors: Vec<String>,
    /// The window ended before the change was sent: nothing was changed.
    pub window_missed: bool,
    pub previous: Option<Capacity>,
    pub requested: Capacity,
    /// What the end of the window reverts to (planned), and what it was reverted to (done).
    pub revert_to: Option<Capacity>,
    pub reverted_to: Option<Capacity>,
    pub start_time: DateTime<Utc>,
    pub end_time: Option<DateTime<Utc>>,
    pub step: Step,
    pub state_file: String,
    /// An earlier change of the namespace whose window had ended while nothing ran, finished
    /// (reverted if it was still held) before this one started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_first: Option<Box<ChangeResult>>,
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
            window_missed: state.outcome.window_missed,
            previous: plan.capacity_before.clone(),
            requested: Capacity::of(plan.target()),
            revert_to: plan.end_time.map(|_| Capacity::of(plan.revert_target())),
            reverted_to: state
                .outcome
                .reverted_to_on_demand
                .then(|| Capacity::of(plan.revert_target())),
            start_time: plan.start_time,
            end_time: plan.end_time,
            step: state.step,
            state_file: path.display().to_string(),
            finished_first: None,
        }
    }
}

/// Runs a change to its end (the lock is held by the caller) and returns its result, printing
/// nothing.
pub async fn finish(
    ops: OpsClient,
    slack: Option<Slack>,
    state: ChangeState,
    dir: &Path,
    run: &RunArgs,
    ctx: &Context,
    in_flight: Option<Arc<Semaphore>>,
) -> (ChangeResult, Result<Ending>) {
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
        in_flight,
        store: Store::Change,
    };
    let outcome = runner.run().await;
    (ChangeResult::of(&runner.state, &path), outcome)
}

/// Runs a change to its end (the lock is held by the caller) and prints the result.
pub async fn drive(
    ops: OpsClient,
    slack: Option<Slack>,
    state: ChangeState,
    dir: &Path,
    run: &RunArgs,
    ctx: &Context,
    finished_first: Option<Box<ChangeResult>>,
) -> Result<()> {
    let (mut result, outcome) = finish(ops, slack, state, dir, run, ctx, None).await;
    result.finished_first = finished_first;
    let exit = result.exit(outcome);
    match ctx.printer.format {
        OutputFormat::Json => ctx.printer.json(&result)?,
        // Under -q a failure still says what happened; a success says nothing.
        _ if exit.is_err() => ctx.printer.line(&result.summary())?,
        _ => ctx.printer.outcome(&result.summary())?,
    }
    exit
}

impl ChangeResult {
    /// The run's error, or a mismatch when it ended with errors recorded (exit 3).
    pub fn exit(&self, outcome: Result<Ending>) -> Result<()> {
        match outcome {
            Err(e) => Err(e),
            Ok(_) if self.errors.is_empty() => Ok(()),
            Ok(_) => Err(Error::Mismatch(format!(
                "{}: finished with errors: {}",
                self.namespace,
                self.errors.join("; ")
            ))),
        }
    }

    /// One line: what held, what was reverted, what is still to come.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        let requested = self.requested.spec();
        if self.initial_change_success {
            parts.push(format!(
                "{} {}",
                requested,
                if self.verification_success {
                    "in force, verified"
                } else {
                    "applied, NOT verified"
                }
            ));
        } else if self.window_missed {
            parts.push(format!(
                "{requested} never applied: the window passed while nothing ran"
            ));
        } else if self.step == Step::Failed {
            parts.push(format!("{requested} failed"));
        }
        if let Some(to) = &self.revert_to {
            if let Some(done) = &self.reverted_to {
                parts.push(format!(
                    "reverted to {}{}",
                    done.spec(),
                    if self.revert_verification_success {
                        ", verified"
                    } else {
                        ", NOT verified"
                    }
                ));
            } else if !self.step.is_finished() {
                parts.push(format!("revert to {} pending", to.spec()));
            }
        }
        if self.step == Step::Cancelled {
            match &self.revert_to {
                Some(to) if self.initial_change_success && self.reverted_to.is_none() => parts
                    .push(format!(
                        "cancelled: the namespace keeps {requested}; `{}` reverts it",
                        crate::capacity::change::command_for(&self.namespace, to.spec())
                    )),
                _ => parts.push("cancelled".into()),
            }
        }
        format!("{}: {}", self.namespace, parts.join("; "))
    }
}
