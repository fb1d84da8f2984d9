//! `tcap changes list | resume | extend | cancel`: the scheduled changes recorded on this machine.

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use serde::Serialize;

use super::Context;
use super::scheduled::{RunArgs, drive};
use crate::capacity::change;
use crate::cloud::ops::OpsClient;
use crate::error::{Error, Result};
use crate::output::OutputFormat;
use crate::schedule::lock;
use crate::schedule::state::{self, ChangeRequest, ChangeState, Step};
use crate::schedule::time::{fmt_time, parse_time};

#[derive(Debug, Args)]
pub struct ChangesArgs {
    #[command(subcommand)]
    pub command: ChangesCommand,
}

#[derive(Debug, Subcommand)]
pub enum ChangesCommand {
    /// Every recorded change: namespace, plan, step, running or interrupted
    List,
    /// Resume interrupted changes (for example from cron @reboot)
    Resume {
        /// The namespace whose change to resume
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        namespace: Option<String>,
        /// Every unfinished change no other process is running
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Move the end time of a change; a running change picks it up within a minute
    Extend {
        namespace: String,
        /// The new end time: RFC 3339 or local 'YYYY-MM-DD HH:MM'
        #[arg(long, value_parser = parse_time, value_name = "TIME")]
        end_time: DateTime<Utc>,
    },
    /// Stop a change; with --revert-now, revert it at once
    Cancel {
        namespace: String,
        /// Revert the namespace now instead of leaving its capacity as it is
        #[arg(long)]
        revert_now: bool,
        #[command(flatten)]
        run: RunArgs,
    },
}

#[derive(Debug, Serialize)]
struct Listed {
    namespace: String,
    trus: Option<u32>,
    start_time: Option<DateTime<Utc>>,
    end_time: Option<DateTime<Utc>>,
    revert_to: Option<state::RevertTo>,
    step: Option<Step>,
    running_pid: Option<u32>,
    status: String,
    state_file: String,
    error: Option<String>,
}

pub async fn run(args: ChangesArgs, ctx: &Context) -> Result<()> {
    let dir = state::changes_dir(ctx.settings.demo)?;
    match args.command {
        ChangesCommand::List => list(&dir, ctx),
        ChangesCommand::Resume {
            namespace,
            all: _,
            run,
        } => {
            let (names, unreadable) = match namespace {
                Some(ns) => (vec![ns], Vec::new()),
                None => unfinished(&dir)?,
            };
            let resumed = resume(&dir, names, &run, ctx).await;
            if unreadable.is_empty() {
                return resumed;
            }
            resumed?;
            Err(Error::Failed(format!(
                "{} state file(s) could not be read and were not resumed: {}",
                unreadable.len(),
                unreadable.join(", ")
            )))
        }
        ChangesCommand::Extend {
            namespace,
            end_time,
        } => extend(&dir, &namespace, end_time, ctx),
        ChangesCommand::Cancel {
            namespace,
            revert_now,
            run,
        } => cancel(&dir, &namespace, revert_now, &run, ctx).await,
    }
}

fn list(dir: &std::path::Path, ctx: &Context) -> Result<()> {
    let mut rows = Vec::new();
    for (path, loaded) in state::list(dir)? {
        let namespace = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .trim_end_matches(".json")
            .to_string();
        let running_pid = lock::running_pid(&lock::lock_path(dir, &namespace));
        rows.push(match loaded {
            Ok(s) => Listed {
                status: match (s.step.is_finished(), running_pid) {
                    (true, _) => "finished".into(),
                    (false, Some(pid)) => format!("running (PID {pid})"),
                    (false, None) => "interrupted".into(),
                },
                namespace,
                trus: Some(s.plan.trus),
                start_time: Some(s.plan.start_time),
                end_time: s.plan.end_time,
                revert_to: Some(s.plan.revert_to),
                step: Some(s.step),
                running_pid,
                state_file: path.display().to_string(),
                error: None,
            },
            Err(e) => Listed {
                namespace,
                trus: None,
                start_time: None,
                end_time: None,
                revert_to: None,
                step: None,
                running_pid,
                status: "unreadable".into(),
                state_file: path.display().to_string(),
                error: Some(e.to_string()),
            },
        });
    }
    if ctx.printer.format == OutputFormat::Json {
        return ctx.printer.json(&rows);
    }
    if rows.is_empty() {
        return ctx
            .printer
            .line("no scheduled changes recorded on this machine");
    }
    let mut table = ctx.printer.new_table(&[
        "NAMESPACE",
        "TRUS",
        "START",
        "END",
        "REVERT TO",
        "STEP",
        "STATUS",
    ]);
    for r in &rows {
        table.add_row(vec![
            r.namespace.clone(),
            r.trus.map(|t| t.to_string()).unwrap_or_default(),
            r.start_time.map(fmt_time).unwrap_or_default(),
            r.end_time.map(fmt_time).unwrap_or_else(|| "–".into()),
            r.revert_to
                .map(|t| match t {
                    state::RevertTo::Previous => "previous",
                    state::RevertTo::OnDemand => "on-demand",
                })
                .unwrap_or_default()
                .to_string(),
            r.step.map(|s| s.as_str().to_string()).unwrap_or_default(),
            r.error.clone().unwrap_or_else(|| r.status.clone()),
        ]);
    }
    ctx.printer.table(&table)
}

/// The namespaces of unfinished changes, and the state files that could not be read: one of
/// those may be an interrupted change still holding extra TRUs, so it must not pass unseen.
fn unfinished(dir: &std::path::Path) -> Result<(Vec<String>, Vec<String>)> {
    let mut names = Vec::new();
    let mut unreadable = Vec::new();
    for (path, state) in state::list(dir)? {
        match state {
            Ok(s) if !s.step.is_finished() => names.push(s.plan.namespace),
            Ok(_) => {}
            Err(e) => {
                tracing::warn!("{e}");
                unreadable.push(path.display().to_string());
            }
        }
    }
    Ok((names, unreadable))
}

fn load_unfinished(dir: &std::path::Path, namespace: &str) -> Result<ChangeState> {
    change::validate_namespace_id(namespace)?;
    match state::load(&state::state_path(dir, namespace))? {
        Some(s) if !s.step.is_finished() => Ok(s),
        Some(s) => Err(Error::Usage(format!(
            "the change of {namespace} is already {}; nothing to do",
            s.step.as_str()
        ))),
        None => Err(Error::Usage(format!(
            "no change of {namespace} is recorded; see `tcap changes list`"
        ))),
    }
}

async fn resume(
    dir: &std::path::Path,
    names: Vec<String>,
    run: &RunArgs,
    ctx: &Context,
) -> Result<()> {
    if names.is_empty() {
        return ctx.printer.line("no interrupted changes to resume");
    }
    let ops = OpsClient::new(&ctx.settings.cloud_ops_endpoint()?)?;
    let slack = run.slack.client(ctx)?;
    let single = names.len() == 1;
    let mut worst: Option<Error> = None;
    let mut tasks = Vec::new();
    for namespace in names {
        let lock = match lock::acquire(&lock::lock_path(dir, &namespace), &namespace) {
            Ok(lock) => lock,
            Err(e @ Error::Locked { .. }) if !single => {
                tracing::info!("{e}; leaving it to that process");
                continue;
            }
            Err(e) => return Err(e),
        };
        let state = load_unfinished(dir, &namespace)?;
        tasks.push((lock, state));
    }
    // Each change sleeps most of the time: run them side by side, not one after another.
    let runs = tasks.into_iter().map(|(lock, state)| {
        let ops = ops.clone();
        let slack = slack.clone();
        async move {
            let result = drive(ops, slack, state, dir, run, ctx).await;
            drop(lock);
            result
        }
    });
    for result in futures_util::future::join_all(runs).await {
        if let Err(e) = result
            && worst.as_ref().is_none_or(|w| e.severity() > w.severity())
        {
            worst = Some(e);
        }
    }
    worst.map_or(Ok(()), Err)
}

fn extend(dir: &std::path::Path, namespace: &str, end: DateTime<Utc>, ctx: &Context) -> Result<()> {
    let state = load_unfinished(dir, namespace)?;
    if end <= Utc::now() {
        return Err(Error::Usage(format!(
            "the end time {} is in the past",
            fmt_time(end)
        )));
    }
    if end <= state.plan.start_time {
        return Err(Error::Usage(format!(
            "the end time {} is not after the start time {}",
            fmt_time(end),
            fmt_time(state.plan.start_time)
        )));
    }
    if state.step > Step::WaitingForEnd {
        return Err(Error::Usage(format!(
            "the change of {namespace} is already {}; it is too late to extend it",
            state.step.as_str()
        )));
    }
    let lock_path = lock::lock_path(dir, namespace);
    if let Some(pid) = lock::running_pid(&lock_path) {
        write_request(
            dir,
            namespace,
            ChangeRequest {
                end_time: Some(end),
                ..ChangeRequest::default()
            },
        )?;
        return ctx.printer.line(&format!(
            "{namespace}: the running change (PID {pid}) will revert at {} instead of {}",
            fmt_time(end),
            state
                .plan
                .end_time
                .map(fmt_time)
                .unwrap_or_else(|| "never".into())
        ));
    }
    let _lock = lock::acquire(&lock_path, namespace)?;
    let mut state = state;
    state.plan.end_time = Some(end);
    state::save(&state::state_path(dir, namespace), &mut state)?;
    ctx.printer.line(&format!(
        "{namespace}: end time moved to {}; no process is running this change: \
         run `tcap changes resume {namespace}` so that the revert happens",
        fmt_time(end)
    ))
}

async fn cancel(
    dir: &std::path::Path,
    namespace: &str,
    revert_now: bool,
    run: &RunArgs,
    ctx: &Context,
) -> Result<()> {
    let state = load_unfinished(dir, namespace)?;
    let lock_path = lock::lock_path(dir, namespace);
    if let Some(pid) = lock::running_pid(&lock_path) {
        write_request(
            dir,
            namespace,
            ChangeRequest {
                end_time: None,
                cancel: true,
                revert_now,
            },
        )?;
        return ctx.printer.line(&format!(
            "{namespace}: asked the running change (PID {pid}) to {}",
            if revert_now { "revert now" } else { "stop" }
        ));
    }
    let lock = lock::acquire(&lock_path, namespace)?;
    let mut state = state;
    let provisioned = state.provision.sent_at.is_some() || state.step > Step::Provisioning;
    if revert_now && provisioned {
        state.step = Step::Reverting;
        if state.plan.end_time.is_none() {
            state.plan.end_time = Some(Utc::now());
        }
        state::save(&state::state_path(dir, namespace), &mut state)?;
        let ops = OpsClient::new(&ctx.settings.cloud_ops_endpoint()?)?;
        let result = drive(ops, run.slack.client(ctx)?, state, dir, run, ctx).await;
        drop(lock);
        return result;
    }
    state.step = Step::Cancelled;
    state.finished_at = Some(Utc::now());
    state::save(&state::state_path(dir, namespace), &mut state)?;
    let note = if provisioned {
        format!(
            "; the namespace keeps {} TRUs: `tcap revert {namespace}` takes them back",
            state.plan.trus
        )
    } else {
        String::new()
    };
    ctx.printer
        .line(&format!("{namespace}: change cancelled{note}"))
}

fn write_request(dir: &std::path::Path, namespace: &str, request: ChangeRequest) -> Result<()> {
    let bytes = serde_json::to_vec(&request).expect("requests serialize");
    state::write_atomically(&state::request_path(dir, namespace), &bytes)
}
