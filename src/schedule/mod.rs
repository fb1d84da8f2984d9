//! `schedule-change` without an orchestrator: a step machine whose every step is recorded in a
//! state file, guarded by a lock, so that a run killed at any point resumes without repeating
//! or losing a step.

pub mod event;
pub mod event_file;
pub mod lock;
pub mod owners;
pub mod state;
pub mod time;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::alert::{Level, Slack};
use crate::apply::{self, Earlier};
use crate::capacity::change::{self, describe};
use crate::cloud::model::CapacitySpec;
use crate::cloud::ops::OpsClient;
use crate::error::{Error, Result};
use crate::interrupt::InterruptNote;
use crate::output::Printer;
use crate::timing;
use event::EventFile;
use state::{AlertRecord, ChangeState, Request, StageRecord, Step};
use time::{fmt_span, fmt_time};

/// The longest a sleep goes without looking at the wall clock and at requests from
/// `tcap changes`: a suspended laptop or a changed clock cannot delay a revert by more.
const SLICE: Duration = Duration::from_secs(5);
/// Provisioning and reverting are tried this many times (on top of the HTTP retries).
const STEP_ATTEMPTS: u32 = 3;

/// How a run ended, for the exit code.
#[derive(Debug, PartialEq, Eq)]
pub enum Ending {
    Done,
    Cancelled,
}

pub struct Runner<'a> {
    pub ops: OpsClient,
    pub slack: Option<Slack>,
    pub path: PathBuf,
    pub request_path: PathBuf,
    pub state: ChangeState,
    pub wait_timeout: Duration,
    pub printer: &'a Printer,
    pub interrupt: InterruptNote,
    /// Shared by the changes of one run: Temporal allows an account few capacity changes in
    /// flight at once, so a step waits for a permit before it sends anything.
    pub in_flight: Option<Arc<Semaphore>>,
    pub store: Store,
}

/// Where the runner records its state.
pub enum Store {
    /// A change of its own: the file at the runner's `path`.
    Change,
    /// One namespace of an event, recorded in the event's file.
    Event(Arc<EventFile>),
}

impl Runner<'_> {
    fn ns(&self) -> String {
        self.state.plan.namespace.clone()
    }

    fn save(&mut self) -> Result<()> {
        match &self.store {
            Store::Change => state::save(&self.path, &mut self.state),
            Store::Event(file) => file.save_track(&mut self.state),
        }
    }

    fn enter(&mut self, step: Step) -> Result<()> {
        self.state.step = step;
        if step.is_finished() {
            self.state.finished_at = Some(Utc::now());
        }
        self.save()?;
        tracing::info!("{}: {}", self.ns(), step.as_str());
        Ok(())
    }

    fn resume_hint(&self) -> String {
        match &self.state.plan.event {
            Some(event) => format!(
                "resume with `tcap changes resume --event {event}`, or revert it with \
                 `tcap changes cancel --event {event} {ns} --revert-now`",
                ns = self.ns()
            ),
            None => format!(
                "resume with `tcap changes resume {ns}`, or cancel with `tcap changes cancel {ns} --revert-now`",
                ns = self.ns()
            ),
        }
    }

    /// Drives the change from its recorded step to the end.
    pub async fn run(&mut self) -> Result<Ending> {
        // An event's runners share one note, set by the event.
        let own_note = matches!(self.store, Store::Change);
        if own_note {
            self.interrupt.set(format!(
                "the change of {} is recorded in {}; {}",
                self.ns(),
                self.path.display(),
                self.resume_hint()
            ));
        }
        let ending = self.steps().await;
        if own_note {
            self.interrupt.clear();
        }
        ending
    }

    async fn steps(&mut self) -> Result<Ending> {
        tracing::info!("{}: {}", self.ns(), self.state.step.as_str());
        let resumed_at = self.state.step;
        loop {
            if self.window_missed() {
                self.miss().await?;
                return Ok(Ending::Done);
            }
            match self.state.step {
                Step::WaitingForStart => {
                    self.skip_overdue()?;
                    let step = self.state.current_step();
                    let later = self.state.stage > 0;
                    let until = match self.state.plan.end_time {
                        Some(end) if later => step.at.min(end),
                        _ => step.at,
                    };
                    let what = if later {
                        format!("steps to {} TRUs", step.trus)
                    } else {
                        "starts".to_string()
                    };
                    if self.sleep_until(until, &what).await? {
                        return Ok(Ending::Cancelled);
                    }
                    if self.state.step != Step::WaitingForStart {
                        continue;
                    }
                    let now = Utc::now();
                    // The end came first (`tcap changes extend` moved it before this step).
                    if later && self.state.plan.end_time.is_some_and(|end| end <= now) {
                        self.enter(Step::WaitingForEnd)?;
                        continue;
                    }
                    if now < self.state.current_step().at {
                        continue;
                    }
                    self.enter(Step::Provisioning)?;
                }
                Step::Provisioning => {
                    let target = self.state.current_target();
                    match self.apply(target, Which::Provision).await {
                        Ok(()) => {
                            if self.state.stage == 0 {
                                self.state.outcome.initial_change_success = true;
                            }
                            self.record_stage(true, false);
                            self.enter(Step::Verifying)?;
                        }
                        Err(e) => {
                            let message = format!("provisioning {target} failed: {e}");
                            self.state.error(&message);
                            self.alert(Level::Critical, &message).await;
                            // A ramp goes on to its next step, and reverts at the end what an
                            // earlier step left in place.
                            let sent_before = self.state.stages.iter().any(|s| s.sent);
                            if self.state.next_step().is_some() || sent_before {
                                self.record_stage(false, false);
                                self.advance()?;
                                continue;
                            }
                            self.enter(Step::Failed)?;
                            return Err(Error::Failed(format!("{}: {message}", self.ns())));
                        }
                    }
                }
                Step::Verifying => {
                    let ok = self.verify(self.state.current_target()).await?;
                    let outcome = &mut self.state.outcome;
                    outcome.verification_success = if self.state.stage == 0 {
                        ok
                    } else {
                        outcome.verification_success && ok
                    };
                    let stage = self.state.stage;
                    if let Some(record) = self.state.stages.get_mut(stage) {
                        record.verified = ok;
                    }
                    self.advance()?;
                }
                Step::WaitingForEnd => {
                    let end = self
                        .state
                        .plan
                        .end_time
                        .expect("only entered with an end time");
                    let late = Utc::now() - end;
                    if late >= chrono::Duration::seconds(1) {
                        tracing::warn!(
                            "{}: the end time {} passed {} ago {}; reverting now",
                            self.ns(),
                            fmt_time(end),
                            fmt_span(late),
                            if resumed_at == Step::WaitingForEnd {
                                "while nothing ran"
                            } else {
                                "while the change was being applied"
                            }
                        );
                    }
                    if self.sleep_until_end().await? {
                        return Ok(Ending::Cancelled);
                    }
                    self.enter(Step::Reverting)?;
                }
                Step::Reverting => {
                    let target = self.state.plan.revert_target();
                    match self.apply(target, Which::Revert).await {
                        Ok(()) => {
                            self.state.outcome.reverted_to_on_demand = true;
                            self.enter(Step::VerifyingRevert)?;
                        }
                        Err(e) => {
                            // The boost is still on: keep the step so a resume tries again.
                            let message = format!("reverting to {target} failed: {e}");
                            self.state.error(&message);
                            self.alert(Level::Critical, &message).await;
                            self.save()?;
                            return Err(Error::Mismatch(format!(
                                "{}: {message}; {}",
                                self.ns(),
                                self.resume_hint()
                            )));
                        }
                    }
                }
                Step::VerifyingRevert => {
                    let target = self.state.plan.revert_target();
                    let ok = self.verify(target).await?;
                    self.state.outcome.revert_verification_success = ok;
                    if ok {
                        self.alert(
                            Level::Info,
                            &format!("reverted to {} and verified", describe(target, None)),
                        )
                        .await;
                    }
                    self.enter(Step::Done)?;
                }
                Step::Done | Step::Failed => return Ok(Ending::Done),
                Step::Cancelled => return Ok(Ending::Cancelled),
            }
        }
    }

    /// After a step of the plan: on to the ramp's next step, or to the end.
    fn advance(&mut self) -> Result<()> {
        if self.state.next_step().is_some() {
            self.state.stage += 1;
            self.state.provision = Request::default();
            return self.enter(Step::WaitingForStart);
        }
        if self.state.plan.end_time.is_some() {
            self.enter(Step::WaitingForEnd)
        } else {
            self.enter(Step::Done)
        }
    }

    /// What became of the current step of a ramp (a single change keeps none).
    fn record_stage(&mut self, applied: bool, skipped: bool) {
        if self.state.plan.ramp.is_empty() {
            return;
        }
        let step = self.state.current_step();
        let record = StageRecord {
            trus: step.trus,
            at: step.at,
            async_operation_id: self.state.provision.async_operation_id.clone(),
            sent: self.state.provision.sent_at.is_some(),
            applied,
            verified: false,
            skipped,
        };
        let stage = self.state.stage;
        self.state.stages.truncate(stage);
        self.state.stages.push(record);
    }

    /// A run that resumes after a ramp's later step came due goes straight to the latest due
    /// step: times are absolute, and an earlier step would only be replaced at once.
    fn skip_overdue(&mut self) -> Result<()> {
        let now = Utc::now();
        let mut skipped = false;
        while self.state.provision.sent_at.is_none()
            && let Some(next) = self.state.next_step()
            && next.at <= now
        {
            let step = self.state.current_step();
            tracing::warn!(
                "{}: the step to {} TRUs at {} is skipped: the step to {} TRUs at {} is already due",
                self.ns(),
                step.trus,
                fmt_time(step.at),
                next.trus,
                fmt_time(next.at)
            );
            self.record_stage(false, true);
            self.state.stage += 1;
            self.state.provision = Request::default();
            skipped = true;
        }
        if skipped { self.save() } else { Ok(()) }
    }

    /// The end time passed before the change was sent (the run was interrupted while waiting
    /// for its start): provisioning now would only be reverted at once.
    fn window_missed(&self) -> bool {
        matches!(self.state.step, Step::WaitingForStart | Step::Provisioning)
            && !self.state.provisioned()
            && self
                .state
                .plan
                .end_time
                .is_some_and(|end| end <= Utc::now())
    }

    async fn miss(&mut self) -> Result<()> {
        let plan = &self.state.plan;
        let message = format!(
            "the window {} to {} passed while nothing ran: {} was never applied and nothing was changed",
            fmt_time(plan.start_time),
            fmt_time(plan.end_time.expect("only missed with an end time")),
            describe(plan.target(), None)
        );
        tracing::warn!("{}: {message}", self.ns());
        self.state.outcome.window_missed = true;
        self.state.error(&message);
        self.alert(Level::Error, &message).await;
        self.enter(Step::Failed)
    }

    /// One capacity change, tried up to three times. A request recorded as sent is never sent
    /// again blindly: the namespace and the operation are read first.
    async fn apply(&mut self, target: CapacitySpec, which: Which) -> Result<()> {
        let in_flight = self.in_flight.clone();
        let _permit = match &in_flight {
            Some(limit) => {
                if limit.available_permits() == 0 {
                    tracing::info!(
                        "{}: waiting for another capacity change to finish before the {}",
                        self.ns(),
                        which.name()
                    );
                }
                Some(
                    limit
                        .acquire()
                        .await
                        .expect("the semaphore is never closed"),
                )
            }
            None => None,
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.apply_once(target, which).await {
                Ok(()) => {
                    let now = Utc::now();
                    self.request(which).confirmed_at = Some(now);
                    self.save()?;
                    return Ok(());
                }
                Err(e) if attempt < STEP_ATTEMPTS && e.is_retryable() => {
                    let pause = Duration::from_secs(5 * u64::from(attempt));
                    tracing::warn!(
                        "{}: {} attempt {attempt} failed ({e}); trying again in {}",
                        self.ns(),
                        which.name(),
                        humantime::format_duration(timing::scaled(pause))
                    );
                    timing::sleep(pause).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn apply_once(&mut self, target: CapacitySpec, which: Which) -> Result<()> {
        let ns = self.ns();
        let deadline = Instant::now() + self.wait_timeout;
        let recorded = self.request(which).async_operation_id.clone();
        let op_id = match recorded {
            Some(id) => match apply::earlier(&self.ops, &ns, &id, target).await? {
                Earlier::InForce => {
                    tracing::info!("{ns}: the {} sent earlier has taken effect", which.name());
                    return Ok(());
                }
                Earlier::Ended(state) => {
                    let fresh = uuid::Uuid::new_v4().to_string();
                    tracing::info!(
                        "{ns}: the {} sent earlier ended {}; sending a new one",
                        which.name(),
                        state.wire_name()
                    );
                    *self.request(which) = Request {
                        async_operation_id: Some(fresh.clone()),
                        ..Request::default()
                    };
                    self.save()?;
                    fresh
                }
                Earlier::Pending(submitted) => {
                    tracing::info!(
                        "{ns}: waiting for the {} sent earlier (operation {id})",
                        which.name()
                    );
                    let bar = self.printer.spinner("");
                    let applied =
                        apply::await_applied(&self.ops, &ns, &submitted, target, deadline, &bar)
                            .await;
                    bar.finish_and_clear();
                    return applied
                        .map(|_| ())
                        .map_err(|e| apply::wait_error(e, &ns, target, &id));
                }
                Earlier::NeverSent => id,
            },
            None => {
                let id = uuid::Uuid::new_v4().to_string();
                self.request(which).async_operation_id = Some(id.clone());
                self.save()?;
                id
            }
        };
        let plan = apply::read_plan(&self.ops, &ns, target).await?;
        if plan.already {
            return Ok(());
        }
        self.request(which).sent_at = Some(Utc::now());
        self.save()?;
        let submitted = apply::submit(&self.ops, &plan, &op_id).await?;
        let bar = self.printer.spinner("");
        let applied =
            apply::await_applied(&self.ops, &ns, &submitted, target, deadline, &bar).await;
        bar.finish_and_clear();
        applied
            .map(|_| ())
            .map_err(|e| apply::wait_error(e, &ns, target, &op_id))
    }

    fn request(&mut self, which: Which) -> &mut Request {
        match which {
            Which::Provision => &mut self.state.provision,
            Which::Revert => &mut self.state.revert,
        }
    }

    async fn verify(&mut self, expected: CapacitySpec) -> Result<bool> {
        let ns = self.ns();
        let namespace = self.ops.get_namespace(&ns).await?;
        let check = change::check(namespace, expected);
        if check.matches {
            return Ok(true);
        }
        let message = format!("verification failed: {check}");
        self.state.error(&message);
        self.alert(Level::Error, &message).await;
        self.save()?;
        Ok(false)
    }

    /// Sends an alert if a webhook is configured and records it either way. A failure to send
    /// is logged and recorded; it never stops the change.
    async fn alert(&mut self, level: Level, message: &str) {
        let ns = self.ns();
        let step = self.state.step;
        let text = format!(
            "`{ns}` at step *{}*: {message}.{}",
            step.as_str(),
            if level == Level::Info {
                String::new()
            } else {
                format!(" To continue: {}.", self.resume_hint())
            }
        );
        let (delivered, error) = match &self.slack {
            None => (false, Some("no Slack webhook configured".to_string())),
            Some(slack) => match slack.send(level, &text).await {
                Ok(()) => (true, None),
                Err(e) => {
                    tracing::warn!("{ns}: the Slack alert was not sent: {e}");
                    (false, Some(e.to_string()))
                }
            },
        };
        self.state.alerts.push(AlertRecord {
            at: Utc::now(),
            level,
            step,
            message: message.to_string(),
            delivered,
            error,
        });
        if let Err(e) = self.save() {
            tracing::warn!("{ns}: could not record the alert: {e}");
        }
    }

    /// Sleeps until `until`, in slices checked against the wall clock. True when cancelled.
    async fn sleep_until(&mut self, until: DateTime<Utc>, what: &str) -> Result<bool> {
        let bar = self.printer.spinner("");
        let end = self.state.plan.end_time;
        loop {
            if let Some(cancelled) = self.take_requests().await? {
                bar.finish_and_clear();
                return Ok(cancelled);
            }
            // `tcap changes extend` moved the end: the caller works out what to sleep to now,
            // even when it is earlier than what this sleep was for.
            if self.state.plan.end_time != end {
                bar.finish_and_clear();
                return Ok(false);
            }
            let left = until - Utc::now();
            if left <= chrono::Duration::zero() {
                bar.finish_and_clear();
                return Ok(false);
            }
            bar.set_message(format!(
                "{}: {what} at {} ({} left)",
                self.ns(),
                fmt_time(until),
                fmt_span(left)
            ));
            let slice = left
                .to_std()
                .unwrap_or_default()
                .min(timing::scaled(SLICE).max(Duration::from_millis(50)));
            tokio::time::sleep(slice).await;
        }
    }

    async fn sleep_until_end(&mut self) -> Result<bool> {
        loop {
            let end = self
                .state
                .plan
                .end_time
                .expect("only called with an end time");
            let cancelled = self.sleep_until(end, "reverts").await?;
            // An extension may have moved the end while we slept to the old one.
            if cancelled
                || self.state.plan.end_time == Some(end)
                || self.state.step != Step::WaitingForEnd
            {
                return Ok(cancelled);
            }
        }
    }

    /// Applies what `tcap changes extend` / `cancel` asked. Some(true) when cancelled,
    /// Some(false) when a revert-now moved the change on, None to keep sleeping.
    async fn take_requests(&mut self) -> Result<Option<bool>> {
        let Some(request) = state::take_request(&self.request_path) else {
            return Ok(None);
        };
        let ns = self.ns();
        if let Some(end) = request.end_time {
            tracing::info!("{ns}: end time moved to {}", fmt_time(end));
            self.state.plan.end_time = Some(end);
            self.save()?;
        }
        if request.cancel {
            if request.revert_now && self.state.provisioned() {
                tracing::info!("{ns}: cancelled with --revert-now; reverting now");
                self.enter(Step::Reverting)?;
                return Ok(Some(false));
            }
            tracing::info!("{ns}: cancelled");
            self.enter(Step::Cancelled)?;
            return Ok(Some(true));
        }
        Ok(None)
    }
}

#[derive(Clone, Copy, Debug)]
enum Which {
    Provision,
    Revert,
}

impl Which {
    fn name(self) -> &'static str {
        match self {
            Which::Provision => "provision",
            Which::Revert => "revert",
        }
    }
}
