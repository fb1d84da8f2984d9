//! `tcap changes list | resume | extend | cancel`: the scheduled changes recorded on this machine.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use serde::Serialize;
use tokio::sync::Semaphore;

use super::Context;
use super::event_run;
use super::scheduled::{ChangeResult, RunArgs, drive, finish};
use crate::alert::{Level, Slack};
use crate::apply;
use crate::autopilot::state as pilot_state;
use crate::capacity::autopilot::Level as CapacityLevel;
use crate::capacity::change;
use crate::capacity::ramp::RampStep;
use crate::cloud::model::CapacitySpec;
use crate::cloud::ops::OpsClient;
use crate::error::{Error, Result};
use crate::output::OutputFormat;
use crate::schedule::event;
use crate::schedule::lock;
use crate::schedule::state::{self, Capacity, ChangeRequest, ChangeState, Step};
use crate::schedule::time::{check_window, fmt_time, parse_time, window_length};
use crate::settings::parse_duration;
use crate::timing;

#[derive(Debug, Args)]
#[command(
    override_usage = "tcap changes [OPTIONS] <COMMAND>",
    after_help = "\
Examples:
  # Every change recorded on this machine: plan, step, running (PID) or interrupted
  tcap changes list

  # Resume interrupted changes after a reboot, from cron
  @reboot  tcap -q changes resume --all

  # Revert a change's namespace now instead of at its end time
  tcap changes cancel payments-prod.a1b2c --revert-now"
)]
pub struct ChangesArgs {
    #[command(subcommand)]
    pub command: ChangesCommand,
}

#[derive(Debug, Subcommand)]
pub enum ChangesCommand {
    /// Every recorded change: namespace, plan, step, running or interrupted
    #[command(
        override_usage = "tcap changes list [OPTIONS]",
        after_help = "\
Examples:
  # Every recorded change: plan, step, running (PID) or interrupted
  tcap changes list

  # The namespaces whose change was interrupted, one a line
  tcap changes list -o json | jq -r '.[] | select(.status == \"interrupted\") | .namespace'"
    )]
    List,
    /// Resume interrupted changes (for example from cron @reboot)
    #[command(
        override_usage = "tcap changes resume [OPTIONS] <NAMESPACE|--all>",
        after_help = "\
Examples:
  # Resume one change: it stays in the foreground until the change is done
  tcap changes resume payments-prod.a1b2c

  # Every interrupted change after a reboot, from cron (-q: silent unless one fails)
  @reboot  tcap -q changes resume --all"
    )]
    Resume {
        /// Namespace ID (<name>.<account>) whose change to resume
        #[arg(required_unless_present_any = ["all", "event"], conflicts_with_all = ["all", "event"])]
        namespace: Option<String>,
        /// Every unfinished change and event no other process is running (those are skipped
        /// and listed)
        #[arg(long, conflicts_with = "event")]
        all: bool,
        /// The event (from `schedule-change --file`) to resume
        #[arg(long, value_name = "NAME")]
        event: Option<String>,
        /// At most this many capacity changes in flight at once (Temporal allows an account
        /// 10 concurrent async operations, shared with everything else on it)
        #[arg(long, default_value_t = 10, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10))]
        max_concurrent_changes: u32,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Move the end time of a change; a running change picks it up within seconds
    #[command(
        override_usage = "tcap changes extend [OPTIONS] <NAMESPACE> <--end-time <TIME>|--duration <DURATION>>",
        after_help = "\
Examples:
  # Make the window 6 hours long, counted from its recorded start
  tcap changes extend payments-prod.a1b2c --duration 6h

  # Revert at 22:00 local time instead
  tcap changes extend payments-prod.a1b2c --end-time '2026-12-24 22:00'"
    )]
    #[command(group(clap::ArgGroup::new("new_end").required(true).args(["end_time", "duration"])))]
    Extend {
        /// Namespace ID (<name>.<account>) whose change to move; with --event, one of the
        /// event's namespaces (without it, the whole event)
        #[arg(required_unless_present = "event")]
        namespace: Option<String>,
        /// The event (from `schedule-change --file`) whose end to move
        #[arg(long, value_name = "NAME")]
        event: Option<String>,
        /// The new end time: RFC 3339 or local 'YYYY-MM-DD HH:MM'
        #[arg(long, value_parser = parse_time, value_name = "TIME")]
        end_time: Option<DateTime<Utc>>,
        /// The window's new length from its recorded start, e.g. 6h (as in schedule-change)
        #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
        duration: Option<Duration>,
    },
    /// Stop a change; with --revert-now, revert it at once
    #[command(
        override_usage = "tcap changes cancel [OPTIONS] <NAMESPACE>",
        after_help = "\
Examples:
  # Stop the change and leave the namespace's capacity as it is now
  tcap changes cancel payments-prod.a1b2c

  # Stop it and revert now: revert, verify and alert as at its end time
  tcap changes cancel payments-prod.a1b2c --revert-now"
    )]
    Cancel {
        /// Namespace ID (<name>.<account>) whose change to stop; with --event, one of the
        /// event's namespaces (without it, the whole event)
        #[arg(required_unless_present = "event")]
        namespace: Option<String>,
        /// The event (from `schedule-change --file`) to stop
        #[arg(long, value_name = "NAME")]
        event: Option<String>,
        /// Revert the namespace now instead of leaving its capacity as it is
        #[arg(long)]
        revert_now: bool,
        #[command(flatten)]
        run: RunArgs,
    },
}

#[derive(Debug, Serialize)]
struct Listed {
    /// `change` (a scheduled change), `event` (a namespace of an event) or `autopilot` (a
    /// namespace an autopilot holds).
    kind: &'static str,
    /// The event's name, for kind `event`.
    event: Option<String>,
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
    /// The autopilot holding it, and what it goes back to.
    #[serde(skip_serializing_if = "Option::is_none")]
    autopilot: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<CapacityLevel>,
    /// An event's next step still to come.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_step: Option<RampStep>,
}

pub async fn run(args: ChangesArgs, ctx: &Context) -> Result<()> {
    let dir = state::changes_dir(ctx.settings.demo)?;
    match args.command {
        ChangesCommand::List => list(&dir, ctx),
        ChangesCommand::Resume {
            event: Some(event),
            run,
            max_concurrent_changes,
            ..
        } => event_run::resume(&event, &run, max_concurrent_changes, ctx).await,
        ChangesCommand::Resume {
            namespace: Some(namespace),
            run,
            ..
        } => resume_one(&dir, &namespace, &run, ctx).await,
        ChangesCommand::Resume {
            namespace: None,
            run,
            max_concurrent_changes,
            ..
        } => resume_all(&dir, &run, max_concurrent_changes, ctx).await,
        ChangesCommand::Extend {
            namespace,
            event: Some(event),
            end_time,
            duration,
        } => {
            let end = match (end_time, duration) {
                (Some(end), _) => end,
                (None, Some(d)) => event_start(&dir, &event)? + window_length(d)?,
                (None, None) => unreachable!("clap requires --end-time or --duration"),
            };
            event_run::extend(&dir, &event, namespace.as_deref(), end, ctx)
        }
        ChangesCommand::Extend {
            namespace,
            end_time,
            duration,
            ..
        } => extend(
            &dir,
            &namespace.expect("clap requires it without --event"),
            end_time,
            duration,
            ctx,
        ),
        ChangesCommand::Cancel {
            namespace,
            event: Some(event),
            revert_now,
            run,
        } => event_run::cancel(&dir, &event, namespace.as_deref(), revert_now, &run, ctx).await,
        ChangesCommand::Cancel {
            namespace,
            revert_now,
            run,
            ..
        } => {
            cancel(
                &dir,
                &namespace.expect("clap requires it without --event"),
                revert_now,
                &run,
                ctx,
            )
            .await
        }
    }
}

/// The recorded start of an event, which `--duration` counts from.
fn event_start(dir: &std::path::Path, name: &str) -> Result<DateTime<Utc>> {
    let path = event::event_path(&event::events_dir(dir)?, name);
    event::load(&path)?.map(|e| e.start_time).ok_or_else(|| {
        Error::Usage(format!(
            "no event '{name}' is recorded on this machine (see `tcap changes list`)"
        ))
    })
}

fn list(dir: &std::path::Path, ctx: &Context) -> Result<()> {
    let mut rows = Vec::new();
    for (path, loaded) in state::list(dir)? {
        let namespace = namespace_of(&path);
        let running_pid = lock::running_pid(&lock::lock_path(dir, &namespace));
        rows.push(match loaded {
            Ok(s) => Listed {
                kind: "change",
                event: None,
                next_step: None,
                autopilot: None,
                baseline: None,
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
                kind: "change",
                event: None,
                next_step: None,
                autopilot: None,
                baseline: None,
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
    let (events, unreadable) = event_run::list_rows(dir)?;
    rows.extend(events.into_iter().map(|r| Listed {
        kind: "event",
        status: match (r.step.is_finished(), r.running_pid) {
            (true, _) => "finished".into(),
            (false, Some(pid)) => format!("running (PID {pid})"),
            (false, None) => "interrupted".into(),
        },
        event: Some(r.event),
        namespace: r.namespace,
        trus: Some(r.trus),
        start_time: Some(r.start_time),
        end_time: r.end_time,
        revert_to: Some(r.revert_to),
        step: Some(r.step),
        running_pid: r.running_pid,
        state_file: r.state_file,
        error: None,
        autopilot: None,
        baseline: None,
        next_step: r.next_step,
    }));
    rows.extend(unreadable.into_iter().map(|(path, e)| Listed {
        kind: "event",
        event: Some(namespace_of(&path)),
        namespace: String::new(),
        trus: None,
        start_time: None,
        end_time: None,
        revert_to: None,
        step: None,
        running_pid: None,
        status: "unreadable".into(),
        state_file: path.display().to_string(),
        error: Some(e.to_string()),
        autopilot: None,
        baseline: None,
        next_step: None,
    }));
    rows.extend(autopilot_holds(dir));
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
            match &r.event {
                Some(e) => format!("{} (event {e})", r.namespace),
                None => r.namespace.clone(),
            },
            r.trus.map(|t| t.to_string()).unwrap_or_default(),
            r.start_time.map(fmt_time).unwrap_or_default(),
            r.end_time.map(fmt_time).unwrap_or_else(|| "–".into()),
            match (r.revert_to, r.baseline) {
                (Some(state::RevertTo::Previous), _) => "previous".to_string(),
                (Some(state::RevertTo::OnDemand), _) => "on-demand".to_string(),
                (None, Some(baseline)) => baseline.to_string(),
                (None, None) => String::new(),
            },
            match (r.step, r.next_step) {
                (Some(s), Some(next)) => format!(
                    "{} (next: {} TRUs at {})",
                    s.as_str(),
                    next.trus,
                    fmt_time(next.at)
                ),
                (Some(s), None) => s.as_str().to_string(),
                (None, _) => r.kind.to_string(),
            },
            r.error.clone().unwrap_or_else(|| r.status.clone()),
        ]);
    }
    ctx.printer.table(&table)
}

/// What every autopilot recorded in the directory holds, a row per namespace; an autopilot
/// whose file cannot be read is a row of its own.
fn autopilot_holds(dir: &std::path::Path) -> Vec<Listed> {
    let mut rows = Vec::new();
    for (path, loaded) in pilot_state::list(dir) {
        let name = path
            .file_stem()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let running_pid = path
            .parent()
            .and_then(|d| lock::running_pid(&pilot_state::lock_path(d, &name)));
        let running = match running_pid {
            Some(pid) => format!("running (PID {pid})"),
            None => "not running".into(),
        };
        let row = |namespace: String| Listed {
            event: None,
            next_step: None,
            kind: "autopilot",
            namespace,
            trus: None,
            start_time: None,
            end_time: None,
            revert_to: None,
            step: None,
            running_pid,
            status: String::new(),
            state_file: path.display().to_string(),
            error: None,
            autopilot: Some(name.clone()),
            baseline: None,
        };
        match loaded {
            Ok(pilot) => {
                for (ns, entry) in pilot.holds() {
                    let mut r = row(ns.clone());
                    r.baseline = entry
                        .memo
                        .hold
                        .map(|h| h.baseline)
                        .or(entry.in_flight.as_ref().map(|c| c.baseline));
                    r.trus = entry.memo.hold.map(|h| h.trus);
                    r.start_time = entry.memo.hold.map(|h| h.raised_at);
                    r.status = match &entry.in_flight {
                        Some(c) => format!(
                            "autopilot '{name}', {} to {} in flight, {running}",
                            c.direction.as_str(),
                            c.to
                        ),
                        None => format!("held by autopilot '{name}', {running}"),
                    };
                    rows.push(r);
                }
            }
            Err(e) => {
                let mut r = row(String::new());
                r.status = "unreadable".into();
                r.error = Some(e.to_string());
                rows.push(r);
            }
        }
    }
    rows
}

fn load_unfinished(dir: &std::path::Path, namespace: &str) -> Result<ChangeState> {
    match load_recorded(dir, namespace)? {
        s if !s.step.is_finished() => Ok(s),
        s => Err(Error::Usage(format!(
            "the change of {namespace} is already {}; it is too late to change it",
            s.step.as_str()
        ))),
    }
}

fn load_recorded(dir: &std::path::Path, namespace: &str) -> Result<ChangeState> {
    change::validate_namespace_id(namespace)?;
    state::load(&state::state_path(dir, namespace))?.ok_or_else(|| {
        Error::Usage(format!(
            "no change of {namespace} is recorded; see `tcap changes list`"
        ))
    })
}

/// A change already finished: there is nothing to do, which is success (exit 0), and its
/// recorded result is what is printed.
fn already_finished(dir: &std::path::Path, state: &ChangeState, ctx: &Context) -> Result<()> {
    let ns = &state.plan.namespace;
    let result = ChangeResult::of(state, &state::state_path(dir, ns));
    match ctx.printer.format {
        OutputFormat::Json => ctx.printer.json(&result),
        _ => ctx.printer.outcome(&format!(
            "{} (already {}; nothing to do)",
            result.summary(),
            state.step.as_str()
        )),
    }
}

async fn resume_one(
    dir: &std::path::Path,
    namespace: &str,
    run: &RunArgs,
    ctx: &Context,
) -> Result<()> {
    let recorded = load_recorded(dir, namespace)?;
    if recorded.step.is_finished() {
        return already_finished(dir, &recorded, ctx);
    }
    let ops = OpsClient::new(&ctx.settings.cloud_ops_endpoint()?)?;
    let slack = run.slack.client(ctx)?;
    let _lock = lock::acquire(&lock::lock_path(dir, namespace), namespace)?;
    // Read again under the lock: the process that held it may have finished the change.
    let state = load_recorded(dir, namespace)?;
    if state.step.is_finished() {
        return already_finished(dir, &state, ctx);
    }
    drive(ops, slack, state, dir, run, ctx, None).await
}

/// What `changes resume --all` did with one recorded change.
#[derive(Debug, Serialize)]
struct Resumed {
    namespace: String,
    /// `resumed`, `skipped` (another process runs it) or `unreadable`.
    status: &'static str,
    running_pid: Option<u32>,
    result: Option<ChangeResult>,
    error: Option<String>,
}

impl Resumed {
    fn text(&self) -> String {
        match (&self.result, self.running_pid, &self.error) {
            (Some(result), _, None) => result.summary(),
            (Some(result), _, Some(e)) => format!("{} ({e})", result.summary()),
            (None, Some(pid), _) => format!(
                "{}: skipped: running in another process (PID {pid})",
                self.namespace
            ),
            (None, None, e) => format!(
                "{}: not resumed: {}",
                self.namespace,
                e.as_deref().unwrap_or("unknown error")
            ),
        }
    }
}

/// Every unfinished change no other process runs, side by side (each sleeps most of the time),
/// with at most `max_concurrent` capacity changes in flight; one line (or JSON element) per
/// recorded change, the skipped and unreadable ones included.
async fn resume_all(
    dir: &std::path::Path,
    run: &RunArgs,
    max_concurrent: u32,
    ctx: &Context,
) -> Result<()> {
    let mut report = Vec::new();
    let mut worst: Option<Error> = None;
    let mut tasks = Vec::new();
    for (path, loaded) in state::list(dir)? {
        let state = match loaded {
            Ok(s) if s.step.is_finished() => continue,
            Ok(s) => s,
            Err(e) => {
                tracing::warn!("{e}");
                report.push(Resumed {
                    namespace: namespace_of(&path),
                    status: "unreadable",
                    running_pid: None,
                    result: None,
                    error: Some(e.to_string()),
                });
                worst = worst.or(Some(Error::Failed(format!(
                    "{} could not be read and was not resumed",
                    path.display()
                ))));
                continue;
            }
        };
        let namespace = state.plan.namespace.clone();
        let lock = match lock::acquire(&lock::lock_path(dir, &namespace), &namespace) {
            Ok(lock) => lock,
            Err(Error::Locked { pid, .. }) => {
                tracing::info!(
                    "{namespace}: another process (PID {pid}) runs this change; skipped"
                );
                report.push(Resumed {
                    namespace,
                    status: "skipped",
                    running_pid: pid.parse().ok(),
                    result: None,
                    error: None,
                });
                continue;
            }
            Err(e) => return Err(e),
        };
        // Read again under the lock: the process that held it may have finished the change.
        match state::load(&path)? {
            Some(s) if !s.step.is_finished() => tasks.push((lock, s)),
            _ => {}
        }
    }
    // Interrupted events run beside the changes, each printing its own result.
    let events = event_run::interrupted(dir)?;
    let event_runs = futures_util::future::join_all(
        events
            .iter()
            .map(|name| event_run::resume(name, run, max_concurrent, ctx)),
    );
    let mut finished_changes = Vec::new();
    if !tasks.is_empty() {
        let ops = OpsClient::new(&ctx.settings.cloud_ops_endpoint()?)?;
        let slack = run.slack.client(ctx)?;
        let in_flight = Arc::new(Semaphore::new(max_concurrent as usize));
        let runs = tasks.into_iter().map(|(lock, state)| {
            let (ops, slack, in_flight) = (ops.clone(), slack.clone(), in_flight.clone());
            async move {
                let finished = finish(ops, slack, state, dir, run, ctx, Some(in_flight)).await;
                drop(lock);
                finished
            }
        });
        let (changes, event_outcomes) =
            futures_util::future::join(futures_util::future::join_all(runs), event_runs).await;
        finished_changes = changes;
        note_events(&mut worst, event_outcomes);
    } else {
        note_events(&mut worst, event_runs.await);
    }
    {
        for (result, outcome) in finished_changes {
            let exit = result.exit(outcome);
            let error = exit.as_ref().err().map(|e| e.to_string());
            if let Err(e) = exit
                && worst.as_ref().is_none_or(|w| e.severity() > w.severity())
            {
                worst = Some(e);
            }
            report.push(Resumed {
                namespace: result.namespace.clone(),
                status: "resumed",
                running_pid: None,
                error,
                result: Some(result),
            });
        }
    }
    report.sort_by(|a, b| a.namespace.cmp(&b.namespace));
    match ctx.printer.format {
        OutputFormat::Json => ctx.printer.json(&report)?,
        _ if report.is_empty() && events.is_empty() => {
            ctx.printer.outcome("no interrupted changes to resume")?
        }
        _ => {
            for r in &report {
                if r.error.is_some() {
                    ctx.printer.line(&r.text())?;
                } else {
                    ctx.printer.outcome(&r.text())?;
                }
            }
        }
    }
    worst.map_or(Ok(()), Err)
}

fn note_events(worst: &mut Option<Error>, outcomes: Vec<Result<()>>) {
    for e in outcomes.into_iter().filter_map(|o| o.err()) {
        if worst.as_ref().is_none_or(|w| e.severity() > w.severity()) {
            *worst = Some(e);
        }
    }
}

fn namespace_of(path: &std::path::Path) -> String {
    path.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .trim_end_matches(".json")
        .to_string()
}

/// What `changes extend` did.
#[derive(Debug, Serialize)]
struct Extended {
    namespace: String,
    end_time: DateTime<Utc>,
    previous_end_time: Option<DateTime<Utc>>,
    /// The process running the change, which picks the new end up; null when none runs it.
    running_pid: Option<u32>,
}

fn extend(
    dir: &std::path::Path,
    namespace: &str,
    end_time: Option<DateTime<Utc>>,
    duration: Option<Duration>,
    ctx: &Context,
) -> Result<()> {
    let state = load_unfinished(dir, namespace)?;
    let end = match (end_time, duration) {
        (Some(end), _) => end,
        (None, Some(d)) => state.plan.start_time + window_length(d)?,
        (None, None) => unreachable!("clap requires --end-time or --duration"),
    };
    check_window(state.plan.start_time, end, Utc::now())?;
    if state.step > Step::WaitingForEnd {
        return Err(Error::Usage(format!(
            "the change of {namespace} is already {}; it is too late to extend it",
            state.step.as_str()
        )));
    }
    let previous = state.plan.end_time;
    let lock_path = lock::lock_path(dir, namespace);
    let running_pid = lock::running_pid(&lock_path);
    let text = if let Some(pid) = running_pid {
        write_request(
            dir,
            namespace,
            ChangeRequest {
                end_time: Some(end),
                ..ChangeRequest::default()
            },
        )?;
        format!(
            "{namespace}: the running change (PID {pid}) will revert at {} instead of {}",
            fmt_time(end),
            previous.map(fmt_time).unwrap_or_else(|| "never".into())
        )
    } else {
        let _lock = lock::acquire(&lock_path, namespace)?;
        let mut state = state;
        state.plan.end_time = Some(end);
        state::save(&state::state_path(dir, namespace), &mut state)?;
        format!(
            "{namespace}: end time moved to {}; no process is running this change: \
             run `tcap changes resume {namespace}` so that the revert happens",
            fmt_time(end)
        )
    };
    match ctx.printer.format {
        OutputFormat::Json => ctx.printer.json(&Extended {
            namespace: namespace.to_string(),
            end_time: end,
            previous_end_time: previous,
            running_pid,
        }),
        _ => ctx.printer.outcome(&text),
    }
}

async fn cancel(
    dir: &std::path::Path,
    namespace: &str,
    revert_now: bool,
    run: &RunArgs,
    ctx: &Context,
) -> Result<()> {
    let state = load_recorded(dir, namespace)?;
    if state.step.is_finished() {
        return already_finished(dir, &state, ctx);
    }
    let path = state::state_path(dir, namespace);
    let lock_path = lock::lock_path(dir, namespace);
    let slack = run.slack.client(ctx)?;
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
        if revert_now {
            // The running change reverts, verifies and alerts as at its end time.
            return ctx.printer.outcome(&format!(
                "{namespace}: asked the running change (PID {pid}) to revert now"
            ));
        }
        let (after, stopped) = match wait_until_finished(&path).await {
            Some(finished) => (finished, true),
            None => (state, false),
        };
        let report = Cancelled::read(ctx, &path, &after, Some(pid), stopped).await;
        return report.tell(ctx, slack.as_ref()).await;
    }
    let lock = lock::acquire(&lock_path, namespace)?;
    let mut state = state;
    if revert_now && state.provisioned() {
        state.step = Step::Reverting;
        if state.plan.end_time.is_none() {
            state.plan.end_time = Some(Utc::now());
        }
        state::save(&path, &mut state)?;
        let ops = OpsClient::new(&ctx.settings.cloud_ops_endpoint()?)?;
        let result = drive(ops, slack, state, dir, run, ctx, None).await;
        drop(lock);
        return result;
    }
    state.step = Step::Cancelled;
    state.finished_at = Some(Utc::now());
    state::save(&path, &mut state)?;
    drop(lock);
    Cancelled::read(ctx, &path, &state, None, true)
        .await
        .tell(ctx, slack.as_ref())
        .await
}

/// A running change takes a request between two looks at the clock (a few seconds apart),
/// or once the capacity change it is applying has finished. The finished record, if it did.
async fn wait_until_finished(path: &std::path::Path) -> Option<ChangeState> {
    let deadline = tokio::time::Instant::now() + timing::scaled(Duration::from_secs(12));
    loop {
        if let Ok(Some(s)) = state::load(path)
            && s.step.is_finished()
        {
            return Some(s);
        }
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn current_capacity(ctx: &Context, namespace: &str) -> Result<Option<CapacitySpec>> {
    let ops = OpsClient::new(&ctx.settings.cloud_ops_endpoint()?)?;
    Ok(apply::read_namespace(&ops, namespace)
        .await?
        .current_capacity())
}

/// What `changes cancel` tells: what the namespace holds now, and how to take it back.
#[derive(Debug, Serialize)]
struct Cancelled {
    namespace: String,
    cancelled: bool,
    /// The process that ran the change, when one did.
    running_pid: Option<u32>,
    /// True once the running change has stopped; false while it finishes its current step.
    stopped: bool,
    /// Whether the change had sent its capacity request.
    changed: bool,
    /// The namespace's capacity now, as read from Cloud Ops (or, if that failed, as recorded).
    holds: Option<Capacity>,
    /// The capacity the change would have reverted to at its end.
    revert_to: Capacity,
    /// The command that puts the namespace back; null when there is nothing to revert.
    revert_command: Option<String>,
    state_file: String,
}

impl Cancelled {
    async fn read(
        ctx: &Context,
        state_file: &std::path::Path,
        state: &ChangeState,
        running_pid: Option<u32>,
        stopped: bool,
    ) -> Cancelled {
        let plan = &state.plan;
        let changed = state.provisioned();
        let holds = match current_capacity(ctx, &plan.namespace).await {
            Ok(spec) => spec.map(Capacity::of),
            Err(e) => {
                tracing::warn!(
                    "{}: could not read the namespace ({e}); saying what the record says",
                    plan.namespace
                );
                Some(if changed {
                    Capacity::of(plan.target())
                } else {
                    plan.capacity_before
                        .clone()
                        .unwrap_or(Capacity::of(plan.revert_target()))
                })
            }
        };
        let revert_target = plan.revert_target();
        let holds_other = holds
            .as_ref()
            .is_none_or(|h| !change::capacity_matches(Some(h.spec()), revert_target));
        Cancelled {
            namespace: plan.namespace.clone(),
            cancelled: true,
            running_pid,
            stopped,
            changed,
            revert_command: (changed && holds_other)
                .then(|| change::command_for(&plan.namespace, revert_target)),
            holds,
            revert_to: Capacity::of(revert_target),
            state_file: state_file.display().to_string(),
        }
    }

    fn text(&self) -> String {
        let ns = &self.namespace;
        let holds = self
            .holds
            .as_ref()
            .map_or("an unknown capacity".to_string(), |h| h.spec().to_string());
        let who = match (self.running_pid, self.stopped) {
            (Some(pid), true) => format!("the running change (PID {pid}) stopped"),
            (Some(pid), false) => format!(
                "asked the running change (PID {pid}) to stop; it stops once its current step is done"
            ),
            (None, _) => "change cancelled".to_string(),
        };
        match &self.revert_command {
            Some(command) => format!(
                "{ns}: {who}; the namespace holds {holds} now and keeps it: `{command}` reverts it to {}",
                self.revert_to.spec()
            ),
            None if self.changed => {
                format!("{ns}: {who}; the namespace holds {holds}: nothing to revert")
            }
            None => format!("{ns}: {who} before anything was changed; the namespace holds {holds}"),
        }
    }

    /// Prints the report and lets Slack know; a failed alert is a warning, never an error.
    async fn tell(&self, ctx: &Context, slack: Option<&Slack>) -> Result<()> {
        if let Some(slack) = slack {
            let level = if self.revert_command.is_some() {
                Level::Error
            } else {
                Level::Info
            };
            let text = format!("`{}`: cancelled. {}", self.namespace, self.text());
            if let Err(e) = slack.send(level, &text).await {
                tracing::warn!("{}: the Slack alert was not sent: {e}", self.namespace);
            }
        }
        match ctx.printer.format {
            OutputFormat::Json => ctx.printer.json(self),
            _ => ctx.printer.outcome(&self.text()),
        }
    }
}

fn write_request(dir: &std::path::Path, namespace: &str, request: ChangeRequest) -> Result<()> {
    let bytes = serde_json::to_vec(&request).expect("requests serialize");
    state::write_atomically(&state::request_path(dir, namespace), &bytes)
}
