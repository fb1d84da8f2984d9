//! `schedule-change` without an orchestrator: a step machine whose every step is recorded in a
//! state file, guarded by a lock, so that a run killed at any point resumes without repeating
//! or losing a step.

pub mod lock;
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
use state::{AlertRecord, ChangeState, Request, Step};
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
}

impl Runner<'_> {
    fn ns(&self) -> String {
        self.state.plan.namespace.clone()
    }

    fn save(&mut self) -> Result<()> {
        state::save(&self.path, &mut self.state)
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
        format!(
            "resume with `tcap changes resume {ns}`, or cancel with `tcap changes cancel {ns} --revert-now`",
            ns = self.ns()
        )
    }

    /// Drives the change from its recorded step to the end.
    pub async fn run(&mut self) -> Result<Ending> {
        self.interrupt.set(format!(
            "the change of {} is recorded in {}; {}",
            self.ns(),
            self.path.display(),
            self.resume_hint()
        ));
        let ending = self.steps().await;
        self.interrupt.clear();
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
                    let start = self.state.plan.start_time;
                    if self.sleep_until(start, "starts").await? {
                        return Ok(Ending::Cancelled);
                    }
                    self.enter(Step::Provisioning)?;
                }
                Step::Provisioning => {
                    let target = self.state.plan.target();
                    match self.apply(target, Which::Provision).await {
                        Ok(()) => {
                            self.state.outcome.initial_change_success = true;
                            self.enter(Step::Verifying)?;
                        }
                        Err(e) => {
                            let message = format!("provisioning {target} failed: {e}");
                            self.state.error(&message);
                            self.alert(Level::Critical, &message).await;
                            self.enter(Step::Failed)?;
                            return Err(Error::Failed(format!("{}: {message}", self.ns())));
                        }
                    }
                }
                Step::Verifying => {
                    let ok = self.verify(self.state.plan.target()).await?;
                    self.state.outcome.verification_success = ok;
                    if self.state.plan.end_time.is_some() {
                        self.enter(Step::WaitingForEnd)?;
                    } else {
                        self.enter(Step::Done)?;
                    }
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

    /// The end time passed before the change was sent (the run was interrupted while waiting
    /// for its start): provisioning now would only be reverted at once.
    fn window_missed(&self) -> bool {
        matches!(self.state.step, Step::WaitingForStart | Step::Provisioning)
            && self.state.provision.sent_at.is_none()
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
        loop {
            if let Some(cancelled) = self.take_requests().await? {
                bar.finish_and_clear();
                return Ok(cancelled);
            }
            // `tcap changes extend` moved the end: the caller sleeps to the new one, even when
            // it is earlier than the one this sleep was for.
            if self.state.step == Step::WaitingForEnd && self.state.plan.end_time != Some(until) {
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
