//! What `schedule-change --file` and `changes resume --event` share: starting or resuming an
//! event, its dry run, and its result.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Context;
use super::scheduled::RunArgs;
use crate::apply;
use crate::capacity::change::{self, describe};
use crate::capacity::ramp::{self, HourFloor, RampStep};
use crate::cloud::model::CapacitySpec;
use crate::cloud::ops::OpsClient;
use crate::error::{Error, Result};
use crate::output::OutputFormat;
use crate::schedule::Ending;
use crate::schedule::event::{self, EventRun, EventState};
use crate::schedule::event_file::{self, EventSpec, Resolved};
use crate::schedule::lock::{self, Lock};
use crate::schedule::owners::{Asking, owners};
use crate::schedule::state::{self, Capacity, ChangeState, Plan, RevertTo, Step};
use crate::schedule::time::{check_window, fmt_time};

/// How `schedule-change --file` was asked to run the event.
pub struct EventOptions<'a> {
    pub file: &'a Path,
    pub revert_to: RevertTo,
    pub allow_subhour_steps: bool,
    pub dry_run: bool,
    pub max_concurrent_changes: u32,
    pub price_per_million_actions: f64,
    pub run: &'a RunArgs,
}

/// One namespace of the event as read before anything is changed.
struct Checked {
    namespace: String,
    steps: Vec<RampStep>,
    before: Option<CapacitySpec>,
}

pub async fn start(options: EventOptions<'_>, ctx: &Context) -> Result<()> {
    let spec = event_file::read(options.file)?;
    let dir = state::changes_dir(ctx.settings.demo)?;
    let events_dir = event::events_dir(&dir)?;
    let path = event::event_path(&events_dir, &spec.name);
    let now = Utc::now();

    let recorded = event::load(&path)?.filter(|e| !e.is_finished());
    let resolved = {
        let start = recorded.as_ref().map_or(now, |r| r.start_time);
        spec.resolve(start, options.allow_subhour_steps)
            .map_err(|e| spec.error(e))?
    };
    if let Some(recorded) = &recorded {
        if same_plan(recorded, &resolved, options.revert_to) && !options.dry_run {
            tracing::info!(
                "event '{}': resuming the recorded run from {}",
                spec.name,
                path.display()
            );
            return resume(&spec.name, options.run, options.max_concurrent_changes, ctx).await;
        }
        if !options.dry_run {
            return Err(Error::Usage(format!(
                "the event '{name}' has an unfinished run with another plan ({}); resume it with \
                 `tcap changes resume --event {name}` or stop it with `tcap changes cancel --event {name}`",
                progress(recorded),
                name = spec.name
            )));
        }
    }
    check_window(resolved.start, resolved.end, now)?;
    let owned = owners(&dir, Asking::Event(&spec.name));
    for (namespace, _) in &resolved.namespaces {
        if let Some(owner) = owned.get(namespace) {
            return Err(Error::Usage(format!(
                "{namespace} is owned by {owner}; an event never changes a namespace another \
                 change holds (see `tcap changes list`)"
            )));
        }
    }
    let ops = OpsClient::new(&ctx.settings.cloud_ops_endpoint()?)?;
    let checked = check_namespaces(&ops, &spec, &resolved).await?;
    if options.dry_run {
        return dry_run(&spec, &resolved, &checked, &options, ctx);
    }

    let slack = options.run.slack.client(ctx)?;
    let _locks = take_locks(&dir, &events_dir, &spec.name, &resolved)?;
    let tracks = checked
        .into_iter()
        .map(|c| {
            ChangeState::new(
                Plan {
                    namespace: c.namespace,
                    trus: ramp::peak(&c.steps),
                    start_time: resolved.start,
                    end_time: Some(resolved.end),
                    revert_to: options.revert_to,
                    capacity_before: c.before.map(Capacity::of),
                    ramp: c.steps,
                    event: Some(spec.name.clone()),
                },
                now,
            )
        })
        .collect();
    let mut recorded = EventState::new(
        spec.name.clone(),
        Some(options.file.display().to_string()),
        resolved.start,
        resolved.end,
        options.revert_to,
        tracks,
        now,
    );
    event::save(&path, &mut recorded)?;
    let run = EventRun {
        ops,
        slack,
        events_dir,
        wait_timeout: options.run.wait_timeout,
        printer: &ctx.printer,
        interrupt: ctx.interrupt.clone(),
        max_concurrent_changes: options.max_concurrent_changes as usize,
    };
    let (done, outcomes) = run.run(recorded, &path, None).await;
    report(&done, &path, outcomes, ctx)
}

/// Resumes a recorded event (the command of `tcap changes resume --event`).
pub async fn resume(
    name: &str,
    run_args: &RunArgs,
    max_concurrent_changes: u32,
    ctx: &Context,
) -> Result<()> {
    resume_only(name, None, run_args, max_concurrent_changes, ctx).await
}

/// Resumes the event's unfinished namespaces, or only those named.
async fn resume_only(
    name: &str,
    only: Option<&[String]>,
    run_args: &RunArgs,
    max_concurrent_changes: u32,
    ctx: &Context,
) -> Result<()> {
    let dir = state::changes_dir(ctx.settings.demo)?;
    let events_dir = event::events_dir(&dir)?;
    let path = event::event_path(&events_dir, name);
    let Some(recorded) = event::load(&path)? else {
        return Err(Error::Usage(format!(
            "no event '{name}' is recorded on this machine (see `tcap changes list`)"
        )));
    };
    let ops = OpsClient::new(&ctx.settings.cloud_ops_endpoint()?)?;
    let slack = run_args.slack.client(ctx)?;
    let resolved = Resolved {
        start: recorded.start_time,
        end: recorded.end_time,
        namespaces: recorded
            .tracks
            .iter()
            .map(|t| (t.plan.namespace.clone(), t.plan.ramp.clone()))
            .collect(),
    };
    let _locks = take_locks(&dir, &events_dir, name, &resolved)?;
    // Read again under the lock: the run that held it may have moved the record on.
    let recorded = event::load(&path)?.unwrap_or(recorded);
    if recorded.is_finished() {
        return report(&recorded, &path, Vec::new(), ctx);
    }
    let run = EventRun {
        ops,
        slack,
        events_dir,
        wait_timeout: run_args.wait_timeout,
        printer: &ctx.printer,
        interrupt: ctx.interrupt.clone(),
        max_concurrent_changes: max_concurrent_changes as usize,
    };
    let (mut done, outcomes) = run.run(recorded, &path, only).await;
    if let Some(only) = only {
        done.tracks.retain(|t| only.contains(&t.plan.namespace));
    }
    report(&done, &path, outcomes, ctx)
}

/// One run per event, and each namespace's lock for the whole run: nothing else on this
/// machine changes them meanwhile.
fn take_locks(dir: &Path, events_dir: &Path, name: &str, resolved: &Resolved) -> Result<Vec<Lock>> {
    let mut locks = vec![lock::acquire(
        &event::event_lock_path(events_dir, name),
        &format!("event {name}"),
    )?];
    for (namespace, _) in &resolved.namespaces {
        locks.push(lock::acquire(&lock::lock_path(dir, namespace), namespace)?);
    }
    Ok(locks)
}

/// Reads every namespace before anything is changed: each TRU value must be one it offers
/// (capacity-info), none may have a capacity request in progress, and what it holds now is
/// what the end goes back to.
async fn check_namespaces(
    ops: &OpsClient,
    spec: &EventSpec,
    resolved: &Resolved,
) -> Result<Vec<Checked>> {
    let mut checked = Vec::new();
    for (ns_spec, (namespace, steps)) in spec.namespaces.iter().zip(&resolved.namespaces) {
        // One read of each: the namespace (no request in progress, what it holds now) and its
        // capacity-info, against which every step's value is checked with its line.
        let plan = apply::read_plan(ops, namespace, CapacitySpec::OnDemand).await?;
        for (step, step_spec) in steps.iter().zip(&ns_spec.steps) {
            change::check_tru_value(f64::from(step.trus), &plan.info)
                .map_err(|e| Error::Usage(format!("{}:{}: {e}", spec.source, step_spec.line)))?;
        }
        checked.push(Checked {
            namespace: namespace.clone(),
            steps: steps.clone(),
            before: plan.previous,
        });
    }
    Ok(checked)
}

fn same_plan(recorded: &EventState, resolved: &Resolved, revert_to: RevertTo) -> bool {
    recorded.start_time == resolved.start
        && recorded.end_time == resolved.end
        && recorded.revert_to == revert_to
        && recorded.tracks.len() == resolved.namespaces.len()
        && recorded
            .tracks
            .iter()
            .zip(&resolved.namespaces)
            .all(|(t, (ns, steps))| t.plan.namespace == *ns && t.plan.ramp == *steps)
}

fn progress(recorded: &EventState) -> String {
    recorded
        .tracks
        .iter()
        .map(|t| format!("{} {}", t.plan.namespace, t.step.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn trus_of(spec: Option<CapacitySpec>) -> u32 {
    match spec {
        Some(CapacitySpec::Provisioned { value }) => value.round() as u32,
        _ => 0,
    }
}

#[derive(Serialize)]
struct DryRun<'a> {
    /// None for the single-namespace form.
    event: Option<&'a str>,
    dry_run: bool,
    start_time: DateTime<Utc>,
    /// None: a permanent change.
    end_time: Option<DateTime<Utc>>,
    price_per_million_actions: f64,
    namespaces: Vec<DryRunNamespace>,
    /// The TRU minimum of the whole event: as planned, and with every namespace flat at its
    /// peak from its first step.
    minimum_usd: f64,
    flat_minimum_usd: f64,
}

#[derive(Serialize)]
struct DryRunNamespace {
    namespace: String,
    previous: Option<Capacity>,
    revert_to: Capacity,
    steps: Vec<RampStep>,
    hours: Vec<HourFloor>,
    minimum_usd: f64,
    flat_minimum_usd: f64,
}

/// The plan and, per calendar hour, the TRU minimum of each namespace's steps beside a flat
/// change at its peak. Nothing is sent and no state file is written.
fn dry_run(
    spec: &EventSpec,
    resolved: &Resolved,
    checked: &[Checked],
    options: &EventOptions<'_>,
    ctx: &Context,
) -> Result<()> {
    let price = options.price_per_million_actions;
    let namespaces: Vec<DryRunNamespace> = checked
        .iter()
        .map(|c| {
            let revert_to = match options.revert_to {
                RevertTo::Previous => c.before.unwrap_or(CapacitySpec::OnDemand),
                RevertTo::OnDemand => CapacitySpec::OnDemand,
            };
            let hours = ramp::hourly_floors(
                &c.steps,
                Some(resolved.end),
                trus_of(c.before),
                trus_of(Some(revert_to)),
                price,
            );
            DryRunNamespace {
                namespace: c.namespace.clone(),
                previous: c.before.map(Capacity::of),
                revert_to: Capacity::of(revert_to),
                steps: c.steps.clone(),
                minimum_usd: hours.iter().map(|h| h.ramp_minimum_usd).sum(),
                flat_minimum_usd: hours.iter().map(|h| h.flat_minimum_usd).sum(),
                hours,
            }
        })
        .collect();
    let plan = DryRun {
        event: Some(&spec.name),
        dry_run: true,
        start_time: resolved.start,
        end_time: Some(resolved.end),
        price_per_million_actions: price,
        minimum_usd: namespaces.iter().map(|n| n.minimum_usd).sum(),
        flat_minimum_usd: namespaces.iter().map(|n| n.flat_minimum_usd).sum(),
        namespaces,
    };
    if ctx.printer.format == OutputFormat::Json {
        return ctx.printer.json(&plan);
    }
    print_dry_run(&plan, ctx)
}

fn print_dry_run(plan: &DryRun<'_>, ctx: &Context) -> Result<()> {
    let p = &ctx.printer;
    let what = plan
        .event
        .map_or_else(|| "Change".to_string(), |e| format!("Event '{e}'"));
    p.line(&format!(
        "{what}: {} to {} (dry run: nothing is sent, no state file is written)",
        fmt_time(plan.start_time),
        plan.end_time
            .map_or_else(|| "no end (a permanent change)".to_string(), fmt_time)
    ))?;
    for ns in &plan.namespaces {
        let steps: Vec<String> = ns
            .steps
            .iter()
            .map(|s| format!("{} TRUs at {}", s.trus, fmt_time(s.at)))
            .collect();
        p.line(&format!(
            "\n{}: {} → {}; at the end back to {}",
            ns.namespace,
            ns.previous
                .as_ref()
                .map_or_else(|| "unknown".to_string(), |c| describe(c.spec(), None)),
            steps.join(", "),
            describe(ns.revert_to.spec(), None)
        ))?;
        let mut table = p.new_table(&[
            "HOUR (UTC)",
            "TRUS",
            "MINIMUM ACTIONS",
            "MINIMUM USD",
            "FLAT TRUS",
            "FLAT MINIMUM USD",
        ]);
        for h in &ns.hours {
            table.add_row(vec![
                h.hour.format("%Y-%m-%d %H:00").to_string(),
                h.ramp_trus.to_string(),
                crate::capacity::recommend::fmt_int(h.ramp_minimum_actions),
                crate::capacity::recommend::fmt_usd(h.ramp_minimum_usd),
                h.flat_trus.to_string(),
                crate::capacity::recommend::fmt_usd(h.flat_minimum_usd),
            ]);
        }
        p.table(&table)?;
        p.line(&format!(
            "TRU minimum over {} hours: {} as planned, {} flat at {} TRUs",
            ns.hours.len(),
            crate::capacity::recommend::fmt_usd(ns.minimum_usd),
            crate::capacity::recommend::fmt_usd(ns.flat_minimum_usd),
            ramp::peak(&ns.steps)
        ))?;
    }
    if plan.event.is_none() {
        return Ok(());
    }
    p.line(&format!(
        "\nThe event's TRU minimum: {} as planned, {} flat at each namespace's peak (at ${} per million actions; actions used above the minimum are billed as usual).",
        crate::capacity::recommend::fmt_usd(plan.minimum_usd),
        crate::capacity::recommend::fmt_usd(plan.flat_minimum_usd),
        plan.price_per_million_actions
    ))
}

#[derive(Serialize)]
struct EventResult {
    event: String,
    start_time: DateTime<Utc>,
    end_time: DateTime<Utc>,
    state_file: String,
    /// Every step of every namespace held, and each went back and was verified.
    success: bool,
    namespaces: Vec<NamespaceResult>,
}

#[derive(Serialize)]
struct NamespaceResult {
    namespace: String,
    previous: Option<Capacity>,
    steps: Vec<StepResult>,
    /// Every step applied and verified.
    verified: bool,
    reverted_to: Option<Capacity>,
    revert_verified: bool,
    step: Step,
    errors: Vec<String>,
}

#[derive(Serialize)]
struct StepResult {
    at: DateTime<Utc>,
    trus: u32,
    applied: bool,
    verified: bool,
    skipped: bool,
    async_operation_id: Option<String>,
}

impl NamespaceResult {
    fn of(track: &ChangeState) -> NamespaceResult {
        let steps: Vec<StepResult> = track
            .plan
            .steps()
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let record = track.stages.get(i);
                StepResult {
                    at: s.at,
                    trus: s.trus,
                    applied: record.is_some_and(|r| r.applied),
                    verified: record.is_some_and(|r| r.verified),
                    skipped: record.is_some_and(|r| r.skipped),
                    async_operation_id: record.and_then(|r| r.async_operation_id.clone()),
                }
            })
            .collect();
        let held = track.step == Step::Done
            && steps.iter().all(|s| s.skipped || (s.applied && s.verified));
        NamespaceResult {
            namespace: track.plan.namespace.clone(),
            previous: track.plan.capacity_before.clone(),
            verified: held,
            reverted_to: track
                .outcome
                .reverted_to_on_demand
                .then(|| Capacity::of(track.plan.revert_target())),
            revert_verified: track.outcome.revert_verification_success,
            step: track.step,
            errors: track.errors.iter().map(|e| e.message.clone()).collect(),
            steps,
        }
    }

    fn ok(&self) -> bool {
        self.verified && self.revert_verified && self.errors.is_empty()
    }

    fn summary(&self) -> String {
        let steps: Vec<String> = self
            .steps
            .iter()
            .map(|s| {
                format!(
                    "{} TRUs {}",
                    s.trus,
                    match (s.skipped, s.applied, s.verified) {
                        (true, _, _) => "skipped",
                        (_, true, true) => "verified",
                        (_, true, false) => "applied, NOT verified",
                        _ if self.step.is_finished() => "FAILED",
                        _ => "pending",
                    }
                )
            })
            .collect();
        let end = match (&self.reverted_to, self.revert_verified) {
            (Some(to), true) => format!("reverted to {}, verified", to.spec()),
            (Some(to), false) => format!("reverted to {}, NOT verified", to.spec()),
            (None, _) if self.step == Step::Cancelled => "cancelled".into(),
            (None, _) if self.step.is_finished() => "nothing to revert".into(),
            (None, _) => "revert pending".into(),
        };
        format!("{}: {}; {end}", self.namespace, steps.join(", "))
    }
}

fn report(
    done: &EventState,
    path: &Path,
    outcomes: Vec<Result<Ending>>,
    ctx: &Context,
) -> Result<()> {
    let namespaces: Vec<NamespaceResult> = done.tracks.iter().map(NamespaceResult::of).collect();
    let failed: Vec<String> = namespaces
        .iter()
        .filter(|n| !n.ok())
        .map(|n| n.namespace.clone())
        .collect();
    let result = EventResult {
        event: done.name.clone(),
        start_time: done.start_time,
        end_time: done.end_time,
        state_file: path.display().to_string(),
        success: failed.is_empty(),
        namespaces,
    };
    if ctx.printer.format == OutputFormat::Json {
        ctx.printer.json(&result)?;
    } else {
        for n in &result.namespaces {
            if n.ok() {
                ctx.printer.outcome(&n.summary())?;
            } else {
                ctx.printer.line(&n.summary())?;
            }
        }
    }
    // A namespace's own error is in its result; one that stopped its runner is said here.
    for outcome in &outcomes {
        if let Err(e) = outcome {
            tracing::warn!("event '{}': {e}", done.name);
        }
    }
    let cancelled = outcomes.iter().any(|o| matches!(o, Ok(Ending::Cancelled)));
    if cancelled {
        tracing::info!("event '{}': cancelled", done.name);
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Error::Mismatch(format!(
            "event '{}' finished with errors in {}; see {}",
            done.name,
            failed.join(", "),
            path.display()
        )))
    }
}

/// Used by `--dry-run` of the single-namespace form too.
pub fn single_dry_run(
    namespace: &str,
    step: RampStep,
    end: Option<DateTime<Utc>>,
    before: Option<CapacitySpec>,
    revert_to: RevertTo,
    price: f64,
    ctx: &Context,
) -> Result<()> {
    let revert = match revert_to {
        RevertTo::Previous => before.unwrap_or(CapacitySpec::OnDemand),
        RevertTo::OnDemand => CapacitySpec::OnDemand,
    };
    let hours = ramp::hourly_floors(&[step], end, trus_of(before), trus_of(Some(revert)), price);
    let ns = DryRunNamespace {
        namespace: namespace.to_string(),
        previous: before.map(Capacity::of),
        revert_to: Capacity::of(revert),
        steps: vec![step],
        minimum_usd: hours.iter().map(|h| h.ramp_minimum_usd).sum(),
        flat_minimum_usd: hours.iter().map(|h| h.flat_minimum_usd).sum(),
        hours,
    };
    let plan = DryRun {
        event: None,
        dry_run: true,
        start_time: step.at,
        end_time: end,
        price_per_million_actions: price,
        minimum_usd: ns.minimum_usd,
        flat_minimum_usd: ns.flat_minimum_usd,
        namespaces: vec![ns],
    };
    if ctx.printer.format == OutputFormat::Json {
        return ctx.printer.json(&plan);
    }
    print_dry_run(&plan, ctx)
}

/// An event's namespace as `tcap changes list` shows it.
pub struct EventRow {
    pub event: String,
    pub namespace: String,
    pub trus: u32,
    pub start_time: DateTime<Utc>,
    pub end_time: Option<DateTime<Utc>>,
    pub revert_to: RevertTo,
    pub step: Step,
    /// The ramp's next step still to come, if any.
    pub next_step: Option<RampStep>,
    pub running_pid: Option<u32>,
    pub state_file: String,
}

/// An event file that could not be read, and why.
pub type Unreadable = (std::path::PathBuf, Error);

/// Every namespace of every recorded event, and the events that could not be read.
pub fn list_rows(dir: &Path) -> Result<(Vec<EventRow>, Vec<Unreadable>)> {
    let mut rows = Vec::new();
    let mut unreadable = Vec::new();
    for (path, loaded) in event::list(dir)? {
        let recorded = match loaded {
            Ok(r) => r,
            Err(e) => {
                unreadable.push((path, e));
                continue;
            }
        };
        let running_pid = lock::running_pid(&event::event_lock_path(
            path.parent().unwrap_or(dir),
            &recorded.name,
        ));
        for t in &recorded.tracks {
            let next_step = match t.step {
                Step::WaitingForStart | Step::Provisioning => Some(t.current_step()),
                Step::Verifying => t.next_step(),
                _ => None,
            };
            rows.push(EventRow {
                event: recorded.name.clone(),
                namespace: t.plan.namespace.clone(),
                trus: t.plan.trus,
                start_time: t.plan.start_time,
                end_time: t.plan.end_time,
                revert_to: t.plan.revert_to,
                step: t.step,
                next_step,
                running_pid,
                state_file: path.display().to_string(),
            });
        }
    }
    Ok((rows, unreadable))
}

/// The names of unfinished events no process runs.
pub fn interrupted(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for (path, loaded) in event::list(dir)? {
        if let Ok(r) = loaded
            && !r.is_finished()
            && lock::running_pid(&event::event_lock_path(
                path.parent().unwrap_or(dir),
                &r.name,
            ))
            .is_none()
        {
            names.push(r.name);
        }
    }
    Ok(names)
}

/// What `changes extend|cancel --event` touch: the event, and its namespaces (all, or one).
struct Selected {
    path: std::path::PathBuf,
    events_dir: std::path::PathBuf,
    recorded: EventState,
    namespaces: Vec<String>,
    running_pid: Option<u32>,
}

fn select(dir: &Path, name: &str, namespace: Option<&str>) -> Result<Selected> {
    let events_dir = event::events_dir(dir)?;
    let path = event::event_path(&events_dir, name);
    let recorded = event::load(&path)?.ok_or_else(|| {
        Error::Usage(format!(
            "no event '{name}' is recorded on this machine (see `tcap changes list`)"
        ))
    })?;
    let unfinished: Vec<String> = recorded
        .tracks
        .iter()
        .filter(|t| !t.step.is_finished())
        .map(|t| t.plan.namespace.clone())
        .collect();
    let namespaces = match namespace {
        Some(ns) if recorded.track(ns).is_none() => {
            return Err(Error::Usage(format!(
                "{ns} is not one of the event '{name}''s namespaces"
            )));
        }
        Some(ns) if !unfinished.iter().any(|u| u == ns) => {
            return Err(Error::Usage(format!(
                "{ns} is already {} in the event '{name}'; it is too late to change it",
                recorded.track(ns).map_or("finished", |t| t.step.as_str())
            )));
        }
        Some(ns) => vec![ns.to_string()],
        None if unfinished.is_empty() => {
            return Err(Error::Usage(format!(
                "the event '{name}' is already finished; it is too late to change it"
            )));
        }
        None => unfinished,
    };
    let running_pid = lock::running_pid(&event::event_lock_path(&events_dir, name));
    Ok(Selected {
        path,
        events_dir,
        recorded,
        namespaces,
        running_pid,
    })
}

fn write_request(s: &Selected, namespace: &str, request: &state::ChangeRequest) -> Result<()> {
    let bytes = serde_json::to_vec(request).expect("requests serialize");
    state::write_atomically(
        &event::request_path(&s.events_dir, &s.recorded.name, namespace),
        &bytes,
    )
}

/// `tcap changes extend --event NAME [NAMESPACE]`: a new end for the whole event or one of its
/// namespaces; a running event picks it up within seconds.
pub fn extend(
    dir: &Path,
    name: &str,
    namespace: Option<&str>,
    end: DateTime<Utc>,
    ctx: &Context,
) -> Result<()> {
    let mut s = select(dir, name, namespace)?;
    check_window(s.recorded.start_time, end, Utc::now())?;
    for ns in &s.namespaces {
        let track = s.recorded.track(ns).expect("selected from the event");
        if track.step > Step::WaitingForEnd {
            return Err(Error::Usage(format!(
                "{ns} is already {} in the event '{name}'; it is too late to extend it",
                track.step.as_str()
            )));
        }
    }
    let text = if let Some(pid) = s.running_pid {
        let request = state::ChangeRequest {
            end_time: Some(end),
            ..state::ChangeRequest::default()
        };
        for ns in &s.namespaces {
            write_request(&s, ns, &request)?;
        }
        format!(
            "event '{name}': the running event (PID {pid}) will revert {} at {}",
            s.namespaces.join(", "),
            fmt_time(end)
        )
    } else {
        let _lock = lock::acquire(&event::event_lock_path(&s.events_dir, name), name)?;
        for track in s.recorded.tracks.iter_mut() {
            if s.namespaces.contains(&track.plan.namespace) {
                track.plan.end_time = Some(end);
            }
        }
        if namespace.is_none() {
            s.recorded.end_time = end;
        }
        event::save(&s.path, &mut s.recorded)?;
        format!(
            "event '{name}': end time of {} moved to {}; no process is running the event: run \
             `tcap changes resume --event {name}` so that the revert happens",
            s.namespaces.join(", "),
            fmt_time(end)
        )
    };
    match ctx.printer.format {
        OutputFormat::Json => ctx.printer.json(&serde_json::json!({
            "event": name,
            "namespaces": s.namespaces,
            "end_time": end,
            "running_pid": s.running_pid,
        })),
        _ => ctx.printer.outcome(&text),
    }
}

/// `tcap changes cancel --event NAME [NAMESPACE] [--revert-now]`.
pub async fn cancel(
    dir: &Path,
    name: &str,
    namespace: Option<&str>,
    revert_now: bool,
    run_args: &RunArgs,
    ctx: &Context,
) -> Result<()> {
    let mut s = select(dir, name, namespace)?;
    if let Some(pid) = s.running_pid {
        let request = state::ChangeRequest {
            end_time: None,
            cancel: true,
            revert_now,
        };
        for ns in &s.namespaces {
            write_request(&s, ns, &request)?;
        }
        return ctx.printer.outcome(&format!(
            "event '{name}': asked the running event (PID {pid}) to {} {}",
            if revert_now { "revert now" } else { "stop" },
            s.namespaces.join(", ")
        ));
    }
    let lock = lock::acquire(&event::event_lock_path(&s.events_dir, name), name)?;
    let now = Utc::now();
    let mut reverting = false;
    for track in s.recorded.tracks.iter_mut() {
        if !s.namespaces.contains(&track.plan.namespace) {
            continue;
        }
        if revert_now && track.provisioned() {
            track.step = Step::Reverting;
            track.plan.end_time = Some(now);
            reverting = true;
        } else {
            track.step = Step::Cancelled;
            track.finished_at = Some(now);
        }
    }
    event::save(&s.path, &mut s.recorded)?;
    drop(lock);
    if reverting {
        // Only the namespaces being reverted run; the others stay as recorded.
        return resume_only(name, Some(&s.namespaces), run_args, 10, ctx).await;
    }
    let left: Vec<String> = s
        .recorded
        .tracks
        .iter()
        .filter(|t| s.namespaces.contains(&t.plan.namespace))
        .map(|t| {
            format!(
                "{}: cancelled; its capacity is left as it is now",
                t.plan.namespace
            )
        })
        .collect();
    match ctx.printer.format {
        OutputFormat::Json => ctx.printer.json(&serde_json::json!({
            "event": name,
            "cancelled": s.namespaces,
        })),
        _ => ctx.printer.outcome(&left.join("\n")),
    }
}
