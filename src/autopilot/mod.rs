//! `tcap autopilot`: a foreground loop that reads one metrics window per tick, raises a
//! namespace that throttles, and gives back what it raised when the namespace is calm. The
//! decisions are `capacity::autopilot`'s; this module does the I/O around them: the window,
//! capacity-info (only for a namespace about to change), the changes (through `apply`, each
//! recorded in the state file before its POST), the lock, the reports and the alerts.

pub mod state;
pub mod window;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use indicatif::ProgressBar;
use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::alert::{Level as AlertLevel, Slack};
use crate::apply::{self, Earlier};
use crate::capacity::autopilot::{
    self as policy, Cap, Hold, Knobs, Level, Offered, Pressure, Raise, Want,
};
use crate::capacity::change;
use crate::capacity::dimension::Dimension;
use crate::capacity::select::Filter;
use crate::cloud::model::{CapacityInfo, CapacitySpec};
use crate::cloud::ops::OpsClient;
use crate::error::{ApiErrorKind, Error, Result};
use crate::interrupt::InterruptNote;
use crate::output::{OutputFormat, Printer};
use crate::schedule::lock;
use crate::schedule::owners::{self, Asking};
use crate::timing;
use state::{Direction, Entry, InFlight, PilotState};
pub use window::Source;

/// capacity-info is read only for a namespace about to change, and kept this long.
const INFO_TTL: Duration = Duration::from_secs(3600);
/// The account's namespaces are listed again after this long.
const LIST_TTL: Duration = Duration::from_secs(3600);
/// How long a refused change waits when the server does not say when the last one was.
const REFUSED_WAIT: chrono::Duration = chrono::Duration::hours(1);

/// What the command line asked for, checked.
pub struct Options {
    pub name: String,
    pub knobs: Knobs,
    pub dry_run: bool,
    pub wait_timeout: Duration,
    pub max_concurrent_changes: usize,
    /// Metrics API calls one tick may spend (retries included).
    pub metrics_calls_per_tick: u32,
}

/// One decision, as `-o json` writes it (a JSON line) and stderr says it (a line).
#[derive(Clone, Debug, Serialize)]
pub struct Decision {
    /// The window that decided it (or, for a change that finished, when it finished).
    pub time: DateTime<Utc>,
    pub namespace: String,
    /// `raise`, `lower`, `release`, `held-back`, `adopted`, `refused`, `applied`, `failed`,
    /// `skipped`.
    pub action: &'static str,
    pub from: Level,
    pub to: Level,
    pub binding_dimension: Option<Dimension>,
    pub utilization: Option<f64>,
    pub throttled: bool,
    pub reason: String,
    pub dry_run: bool,
}

/// How one change autopilot sent ended.
struct Finished {
    namespace: String,
    change: InFlight,
    /// When the server finished applying it, when it says.
    outcome: std::result::Result<Option<DateTime<Utc>>, ChangeFailure>,
}

enum ChangeFailure {
    /// Another process runs a change of the namespace, or someone else's capacity request is
    /// in progress: nothing was sent.
    Busy(String),
    /// The server refused it; no change is tried before `until`.
    Refused {
        message: String,
        until: DateTime<Utc>,
    },
    /// It may still complete: waited for again at the next tick.
    Unsettled(String),
    Failed(Error),
}

/// What a window that disagrees with autopilot's hold means.
enum Check {
    Adopted,
    Lagging,
    /// Someone else's request is in progress, or the namespace could not be read: not now.
    Busy,
}

/// How a tick went, for `--once`'s exit code.
#[derive(Debug, PartialEq, Eq)]
pub enum Tick {
    Decided,
    /// The window could not be read (metrics 429, a failed call): nothing was decided.
    Skipped(String),
}

pub struct Pilot<'a> {
    pub ops: OpsClient,
    pub source: Source,
    pub slack: Option<Slack>,
    pub filter: Filter,
    pub changes_dir: PathBuf,
    pub path: PathBuf,
    pub state: PilotState,
    pub options: Options,
    pub printer: &'a Printer,
    pub interrupt: InterruptNote,
    listed: Option<(Instant, Vec<String>)>,
    infos: HashMap<String, (Instant, CapacityInfo)>,
    tasks: JoinSet<Finished>,
    /// Namespaces whose change runs in `tasks`.
    running: BTreeSet<String>,
    permits: Arc<Semaphore>,
    skip_until: Option<Instant>,
    /// Each namespace's demand in the window before, to size a raise for a rising demand (kept
    /// in memory only: after a restart the first window has nothing to compare with).
    before: HashMap<String, policy::Demands>,
    /// Changes that failed since the start (for `--once` and `--release`).
    pub failures: u32,
}

impl<'a> Pilot<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        ops: OpsClient,
        source: Source,
        slack: Option<Slack>,
        filter: Filter,
        changes_dir: PathBuf,
        path: PathBuf,
        state: PilotState,
        options: Options,
        printer: &'a Printer,
        interrupt: InterruptNote,
    ) -> Pilot<'a> {
        let permits = Arc::new(Semaphore::new(options.max_concurrent_changes.max(1)));
        Pilot {
            ops,
            source,
            slack,
            filter,
            changes_dir,
            path,
            state,
            options,
            printer,
            interrupt,
            listed: None,
            infos: HashMap::new(),
            tasks: JoinSet::new(),
            running: BTreeSet::new(),
            permits,
            skip_until: None,
            before: HashMap::new(),
            failures: 0,
        }
    }

    /// Runs until interrupted (the caller's select ends it; the state file keeps what is held
    /// and in flight).
    pub async fn run(&mut self) -> Result<()> {
        loop {
            self.resume_in_flight();
            let next = Instant::now() + timing::scaled(self.interval());
            if let Err(e) = self.tick().await {
                if is_fatal(&e) {
                    return Err(e);
                }
                tracing::warn!("this tick failed: {e}; trying again at the next one");
            }
            // Changes finish while the loop waits: each is settled as soon as it ends.
            loop {
                tokio::select! {
                    Some(done) = self.tasks.join_next(), if !self.tasks.is_empty() => {
                        if let Ok(done) = done {
                            self.settle(done).await?;
                        }
                    }
                    () = tokio::time::sleep_until(next) => break,
                }
            }
        }
    }

    /// One tick, then every change it started settled: `--once`.
    pub async fn once(&mut self) -> Result<Tick> {
        self.resume_in_flight();
        let tick = self.tick().await?;
        self.drain().await?;
        Ok(tick)
    }

    /// `--release`: everything autopilot holds back to its baseline, verified; the state file
    /// is removed once nothing is held.
    pub async fn release(&mut self) -> Result<()> {
        self.resume_in_flight();
        self.drain().await?;
        let now = self.state.last_window.unwrap_or_else(Utc::now);
        let held: Vec<(String, Hold)> = self
            .state
            .namespaces
            .iter()
            .filter_map(|(ns, e)| e.memo.hold.map(|h| (ns.clone(), h)))
            .collect();
        if held.is_empty() {
            self.printer
                .status(&format!("autopilot '{}' holds nothing", self.state.name));
        }
        for (ns, hold) in held {
            let change = InFlight {
                async_operation_id: uuid::Uuid::new_v4().to_string(),
                direction: Direction::Release,
                from: Level::Provisioned { trus: hold.trus },
                to: hold.baseline,
                baseline: hold.baseline,
                decided_at: now,
            };
            self.report(Decision {
                time: now,
                namespace: ns.clone(),
                action: "release",
                from: change.from,
                to: change.to,
                binding_dimension: None,
                utilization: None,
                throttled: false,
                reason: "--release: back to the baseline".into(),
                dry_run: self.options.dry_run,
            })?;
            if !self.options.dry_run {
                self.send(&ns, change, None)?;
            }
        }
        self.drain().await?;
        if self.options.dry_run {
            return Ok(());
        }
        if self.state.holds().next().is_none() {
            state::remove(&self.path)?;
            self.interrupt.clear();
            Ok(())
        } else {
            Err(Error::Failed(format!(
                "autopilot still holds {}; its state is kept in {}: run `tcap autopilot --release` again",
                self.holds_text(),
                self.path.display()
            )))
        }
    }

    fn interval(&self) -> Duration {
        self.options
            .knobs
            .interval
            .to_std()
            .unwrap_or(Duration::from_secs(60))
    }

    /// Waits for every change in flight and settles it.
    async fn drain(&mut self) -> Result<()> {
        while let Some(done) = self.tasks.join_next().await {
            if let Ok(done) = done {
                self.settle(done).await?;
            }
        }
        Ok(())
    }

    /// A change recorded in the state file but not running here (a restart, or one that was
    /// not settled when its wait ran out) is waited for again or sent again under its id.
    fn resume_in_flight(&mut self) {
        let pending: Vec<(String, InFlight)> = self
            .state
            .namespaces
            .iter()
            .filter(|(ns, _)| !self.running.contains(*ns))
            .filter_map(|(ns, e)| e.in_flight.clone().map(|c| (ns.clone(), c)))
            .collect();
        for (ns, change) in pending {
            if self.options.dry_run {
                continue;
            }
            tracing::info!(
                "{ns}: waiting again for the {} to {} recorded earlier (operation {})",
                change.direction.as_str(),
                change.to,
                change.async_operation_id
            );
            self.spawn(ns, change, None, true);
        }
    }

    async fn listed(&mut self) -> Result<Vec<String>> {
        if let Some((at, listed)) = &self.listed
            && at.elapsed() < LIST_TTL
        {
            return Ok(listed.clone());
        }
        let listed = self.ops.list_namespace_ids().await?;
        self.listed = Some((Instant::now(), listed.clone()));
        Ok(listed)
    }

    pub async fn tick(&mut self) -> Result<Tick> {
        if let Some(until) = self.skip_until {
            if Instant::now() < until {
                let left = until - Instant::now();
                return self.skipped(format!(
                    "the Metrics API asked to wait; the next window is read in {}",
                    humantime::format_duration(Duration::from_secs(left.as_secs().max(1)))
                ));
            }
            self.skip_until = None;
        }
        let listed = self.listed().await?;
        let read = match &self.source {
            Source::Metrics(metrics) => {
                let metrics = metrics
                    .clone()
                    .with_call_limit(self.options.metrics_calls_per_tick);
                window::read(&metrics, &listed).await.map_err(Error::Api)
            }
            Source::Prometheus(prometheus) => {
                window::read_prometheus(prometheus, &listed, Utc::now()).await
            }
        };
        let window = match read {
            Ok(w) => w,
            Err(Error::Api(e)) if e.kind == ApiErrorKind::RateLimited => {
                let wait = e.retry_after.unwrap_or(self.interval());
                self.skip_until = Some(Instant::now() + timing::scaled(wait));
                return self.skipped(format!(
                    "the {} refused the call ({}); no window is read for {}",
                    e.service,
                    e.message,
                    humantime::format_duration(wait)
                ));
            }
            Err(Error::Api(e)) if e.is_auth() => return Err(Error::Api(e)),
            Err(e) => return self.skipped(format!("the metrics window could not be read: {e}")),
        };
        if !window.complete {
            tracing::warn!(
                "the Metrics API cut its answer: only namespaces with series in it are decided on"
            );
        }
        let Some(at) = window.at else {
            return self.skipped("the metrics answer had no timestamp to decide by".into());
        };
        if self.state.last_window.is_some_and(|last| at <= last) {
            tracing::debug!("the window of {at} was decided already; waiting for the next");
            return Ok(Tick::Decided);
        }
        let owners = self.owners();
        for (ns, seen) in window.namespaces {
            if !self.filter.matches(&ns) {
                continue;
            }
            let before = self
                .before
                .insert(ns.clone(), policy::Demands::of(&seen.usage, at));
            let entry = self.state.namespaces.entry(ns.clone()).or_default();
            if entry.in_flight.is_some() {
                continue;
            }
            if let Some(owner) = owners.get(&ns) {
                tracing::debug!("{ns}: {owner} owns it; autopilot leaves it alone");
                continue;
            }
            let held = entry.memo.hold;
            let mut level = seen
                .level
                .or(held.map(|h| Level::Provisioned { trus: h.trus }))
                .unwrap_or(Level::OnDemand);
            if let Some(hold) = held
                && level.trus() != hold.trus
            {
                match self.adopt(&ns, hold, at).await? {
                    Check::Adopted | Check::Busy => continue,
                    // The window predates autopilot's own change: the namespace has the hold.
                    Check::Lagging => level = Level::Provisioned { trus: hold.trus },
                }
            }
            let knobs = self.options.knobs;
            let p = policy::pressure(&seen.usage, level, &knobs.policy);
            let entry = self.state.namespaces.entry(ns.clone()).or_default();
            let want = policy::assess(&mut entry.memo, level, &p, at, &knobs);
            if !matches!(want, Want::Raise { .. }) {
                entry.memo.held_back_said = false;
            }
            match want {
                Want::Keep(reason) => tracing::debug!("{ns}: keeps {level}: {reason}"),
                Want::Raise { needed, reason } => {
                    let landing = policy::at_landing(&seen.usage, before, at);
                    let later = policy::pressure(&landing, level, &knobs.policy).needed_trus;
                    let (needed, reason) = if later > needed {
                        (
                            later,
                            format!(
                                "{reason}; rising: sized for the demand when the change lands \
                                 ({later} TRUs)"
                            ),
                        )
                    } else {
                        (needed, reason)
                    };
                    self.raise(&ns, level, needed, reason, &p, at).await?
                }
                Want::Lower { needed, reason } => {
                    self.lower(&ns, level, needed, reason, &p, at).await?
                }
            }
        }
        self.state
            .namespaces
            .retain(|_, e| !e.is_empty() || e.memo.calm_since.is_some() || e.memo.held_back_said);
        self.state.last_window = Some(at);
        self.save()?;
        Ok(Tick::Decided)
    }

    fn skipped(&mut self, why: String) -> Result<Tick> {
        self.printer.status(&format!("autopilot: {why}"));
        Ok(Tick::Skipped(why))
    }

    /// Namespaces someone else owns: an unfinished `schedule-change` or event recorded in the
    /// state directory (alive or interrupted), or another autopilot's hold.
    fn owners(&self) -> BTreeMap<String, String> {
        owners::owners(&self.changes_dir, Asking::Autopilot(&self.path))
    }

    /// The window shows another capacity than autopilot holds: either the metrics lag behind
    /// autopilot's own change, or someone else changed the namespace, whose value then becomes
    /// its baseline.
    async fn adopt(&mut self, ns: &str, hold: Hold, at: DateTime<Utc>) -> Result<Check> {
        let namespace = match apply::read_namespace(&self.ops, ns).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!("{ns}: could not read it to check who changed it: {e}");
                return Ok(Check::Busy);
            }
        };
        let in_progress = namespace
            .latest_request()
            .is_some_and(|r| r.state == crate::cloud::model::RequestState::InProgress);
        let now = namespace.current_capacity().map(level_of);
        if in_progress {
            tracing::info!("{ns}: someone else's capacity request is in progress; left alone");
            return Ok(Check::Busy);
        }
        match now {
            Some(now) if now.trus() != hold.trus => {
                let entry = self.state.namespaces.entry(ns.to_string()).or_default();
                entry.memo.hold = None;
                entry.memo.calm_since = None;
                self.report(Decision {
                    time: at,
                    namespace: ns.to_string(),
                    action: "adopted",
                    from: Level::Provisioned { trus: hold.trus },
                    to: now,
                    binding_dimension: None,
                    utilization: None,
                    throttled: false,
                    reason: format!(
                        "changed by someone else since autopilot set {} TRUs; {now} is its baseline now",
                        hold.trus
                    ),
                    dry_run: self.options.dry_run,
                })?;
                self.save()?;
                Ok(Check::Adopted)
            }
            _ => Ok(Check::Lagging),
        }
    }

    async fn raise(
        &mut self,
        ns: &str,
        level: Level,
        needed: u32,
        reason: String,
        p: &Pressure,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let info = match self.info(ns).await {
            Ok(info) => info,
            Err(e) if is_fatal(&e) => return Err(e),
            Err(e) => {
                tracing::warn!("{ns}: capacity-info could not be read, not raised now: {e}");
                return Ok(());
            }
        };
        let offered = Offered::new(&info.valid_tru_values, info.max_available_tru_value);
        let entry = &self.state.namespaces[ns];
        let baseline = entry.memo.hold.map_or(level, |h| h.baseline);
        let said = entry.memo.held_back_said;
        let others = self.held_usd(ns);
        let knobs = self.options.knobs;
        let decision = |action, to, reason| Decision {
            time: at,
            namespace: ns.to_string(),
            action,
            from: level,
            to,
            binding_dimension: Some(p.binding),
            utilization: Some(p.utilization),
            throttled: p.throttled,
            reason,
            dry_run: self.options.dry_run,
        };
        match policy::raise_to(needed, level, baseline, &offered, &knobs, others) {
            Raise::HeldBack { wanted, cap } => {
                if !said {
                    let text = format!(
                        "{reason}; wants {wanted} TRUs, but {} holds it at {level}",
                        cap_text(cap, &knobs)
                    );
                    self.report(decision("held-back", level, text.clone()))?;
                    self.alert(AlertLevel::Error, &format!("`{ns}`: {text}"))
                        .await;
                    self.entry(ns).memo.held_back_said = true;
                }
                Ok(())
            }
            Raise::To { trus, capped } => {
                let to = Level::Provisioned { trus };
                let mut text = reason;
                if let Some(cap) = capped {
                    text.push_str(&format!("; capped at {trus} by {}", cap_text(cap, &knobs)));
                }
                self.report(decision("raise", to, text.clone()))?;
                if capped.is_none() {
                    self.entry(ns).memo.held_back_said = false;
                } else if !said && p.throttled {
                    self.alert(
                        AlertLevel::Error,
                        &format!("`{ns}` still throttles: {text}"),
                    )
                    .await;
                    self.entry(ns).memo.held_back_said = true;
                }
                if !self.options.dry_run {
                    let change = InFlight {
                        async_operation_id: uuid::Uuid::new_v4().to_string(),
                        direction: Direction::Raise,
                        from: level,
                        to,
                        baseline,
                        decided_at: at,
                    };
                    self.send(ns, change, Some(info))?;
                }
                Ok(())
            }
        }
    }

    async fn lower(
        &mut self,
        ns: &str,
        level: Level,
        needed: u32,
        reason: String,
        p: &Pressure,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let Some(hold) = self.state.namespaces[ns].memo.hold else {
            return Ok(());
        };
        let info = match self.info(ns).await {
            Ok(info) => info,
            Err(e) if is_fatal(&e) => return Err(e),
            Err(e) => {
                tracing::warn!("{ns}: capacity-info could not be read, not lowered now: {e}");
                return Ok(());
            }
        };
        let offered = Offered::new(&info.valid_tru_values, info.max_available_tru_value);
        let Some(to) = policy::lower_to(needed, &hold, &offered) else {
            tracing::debug!("{ns}: calm, but the demand still needs {}", level);
            return Ok(());
        };
        self.report(Decision {
            time: at,
            namespace: ns.to_string(),
            action: "lower",
            from: level,
            to,
            binding_dimension: Some(p.binding),
            utilization: Some(p.utilization),
            throttled: p.throttled,
            reason: format!("{reason}; baseline {}", hold.baseline),
            dry_run: self.options.dry_run,
        })?;
        if !self.options.dry_run {
            let change = InFlight {
                async_operation_id: uuid::Uuid::new_v4().to_string(),
                direction: Direction::Lower,
                from: level,
                to,
                baseline: hold.baseline,
                decided_at: at,
            };
            self.send(ns, change, Some(info))?;
        }
        Ok(())
    }

    /// Records the change in the state file, then starts it: the POST happens only after the
    /// record is on disk.
    fn send(&mut self, ns: &str, change: InFlight, info: Option<CapacityInfo>) -> Result<()> {
        self.entry(ns).in_flight = Some(change.clone());
        self.save()?;
        self.spawn(ns.to_string(), change, info, false);
        Ok(())
    }

    fn spawn(&mut self, ns: String, change: InFlight, info: Option<CapacityInfo>, resume: bool) {
        let job = Job {
            ops: self.ops.clone(),
            lock_path: lock::lock_path(&self.changes_dir, &ns),
            permits: self.permits.clone(),
            wait_timeout: self.options.wait_timeout,
        };
        self.running.insert(ns.clone());
        self.tasks.spawn(async move {
            let outcome = job.carry_out(&ns, &change, info, resume).await;
            Finished {
                namespace: ns,
                change,
                outcome,
            }
        });
        self.note_holds();
    }

    /// Records how a change ended, says so, and alerts.
    async fn settle(&mut self, done: Finished) -> Result<()> {
        let Finished {
            namespace: ns,
            change,
            outcome,
        } = done;
        self.running.remove(&ns);
        // Autopilot's clock is the metrics windows', also for what happened between two.
        let time = self.state.last_window.unwrap_or_else(Utc::now);
        let decision = |action, reason: String| Decision {
            time,
            namespace: ns.clone(),
            action,
            from: change.from,
            to: change.to,
            binding_dimension: None,
            utilization: None,
            throttled: false,
            reason,
            dry_run: false,
        };
        match outcome {
            Ok(settled_at) => {
                let entry = self.entry(&ns);
                entry.in_flight = None;
                entry.memo.hold = match change.direction {
                    Direction::Raise => Some(Hold {
                        baseline: change.baseline,
                        trus: change.to.trus(),
                        raised_at: change.decided_at,
                        settled_at,
                    }),
                    Direction::Lower if change.to != change.baseline => {
                        entry.memo.hold.map(|h| Hold {
                            trus: change.to.trus(),
                            settled_at,
                            ..h
                        })
                    }
                    Direction::Lower | Direction::Release => None,
                };
                entry.memo.calm_since = None;
                self.save()?;
                let text = format!(
                    "{} {} → {}, in force and verified",
                    change.direction.as_str(),
                    change.from,
                    change.to
                );
                self.report(decision("applied", text.clone()))?;
                self.alert(AlertLevel::Info, &format!("`{ns}`: {text}"))
                    .await;
            }
            Err(ChangeFailure::Busy(owner)) => {
                self.entry(&ns).in_flight = None;
                self.save()?;
                self.report(decision("skipped", format!("{owner}; nothing was sent")))?;
            }
            Err(ChangeFailure::Refused { message, until }) => {
                let entry = self.entry(&ns);
                entry.in_flight = None;
                entry.memo.blocked_until = Some(until);
                self.save()?;
                let text = format!(
                    "the server refused the {} to {}: {message}; autopilot tries again after {}",
                    change.direction.as_str(),
                    change.to,
                    policy::fmt_time(until)
                );
                self.report(decision("refused", text.clone()))?;
                self.alert(AlertLevel::Error, &format!("`{ns}`: {text}"))
                    .await;
            }
            Err(ChangeFailure::Unsettled(message)) => {
                tracing::warn!(
                    "{ns}: {message}; the {} to {} is waited for again at the next tick",
                    change.direction.as_str(),
                    change.to
                );
            }
            Err(ChangeFailure::Failed(e)) => {
                self.entry(&ns).in_flight = None;
                self.save()?;
                self.failures += 1;
                let text = format!(
                    "the {} to {} failed: {e}",
                    change.direction.as_str(),
                    change.to
                );
                self.report(decision("failed", text.clone()))?;
                self.alert(AlertLevel::Error, &format!("`{ns}`: {text}"))
                    .await;
                if e.exit_code() == 4 {
                    return Err(e);
                }
            }
        }
        self.note_holds();
        Ok(())
    }

    fn entry(&mut self, ns: &str) -> &mut Entry {
        self.state.namespaces.entry(ns.to_string()).or_default()
    }

    /// What the namespaces autopilot holds (or is raising) add per hour, `except` left out.
    fn held_usd(&self, except: &str) -> f64 {
        let price = self.options.knobs.policy.price_per_million_actions;
        self.state
            .namespaces
            .iter()
            .filter(|(ns, _)| ns.as_str() != except)
            .map(|(_, e)| {
                let held = e
                    .memo
                    .hold
                    .map_or(0.0, |h| policy::extra_hourly_usd(h.trus, h.baseline, price));
                let raising = e.in_flight.as_ref().map_or(0.0, |c| {
                    policy::extra_hourly_usd(c.to.trus(), c.baseline, price)
                });
                held.max(raising)
            })
            .sum()
    }

    async fn info(&mut self, ns: &str) -> Result<CapacityInfo> {
        if let Some((at, info)) = self.infos.get(ns)
            && at.elapsed() < INFO_TTL
        {
            return Ok(info.clone());
        }
        let info = self.ops.capacity_info(ns).await.map_err(Error::Api)?;
        self.infos
            .insert(ns.to_string(), (Instant::now(), info.clone()));
        Ok(info)
    }

    fn report(&self, d: Decision) -> Result<()> {
        if self.printer.format == OutputFormat::Json {
            self.printer.json_line(&d)?;
        }
        let line = format!(
            "{} {}{} {} {} → {}: {}",
            d.time.format("%H:%M"),
            d.namespace,
            if d.dry_run { " (dry run)" } else { "" },
            d.action,
            d.from,
            d.to,
            d.reason
        );
        if matches!(d.action, "failed" | "refused" | "held-back") {
            // Under -q a failure still says what happened.
            let _ = std::io::Write::write_all(
                &mut std::io::stderr().lock(),
                format!("{line}\n").as_bytes(),
            );
        } else {
            self.printer.status(&line);
        }
        Ok(())
    }

    /// Sends an alert when a webhook is configured; a failure is logged and never stops
    /// autopilot.
    async fn alert(&self, level: AlertLevel, text: &str) {
        if self.options.dry_run {
            return;
        }
        if let Some(slack) = &self.slack
            && let Err(e) = slack
                .send(level, &format!("autopilot '{}': {text}", self.state.name))
                .await
        {
            tracing::warn!("the Slack alert was not sent: {e}");
        }
    }

    fn save(&mut self) -> Result<()> {
        if self.options.dry_run {
            return Ok(());
        }
        state::save(&self.path, &mut self.state)
    }

    pub fn holds_text(&self) -> String {
        let parts: Vec<String> = self
            .state
            .holds()
            .map(|(ns, e)| match (&e.in_flight, e.memo.hold) {
                (Some(c), _) => format!("{ns} ({} to {} in flight)", c.direction.as_str(), c.to),
                (None, Some(h)) => format!("{ns} at {} TRUs (baseline {})", h.trus, h.baseline),
                (None, None) => ns.clone(),
            })
            .collect();
        if parts.is_empty() {
            "nothing".into()
        } else {
            parts.join(", ")
        }
    }

    /// What an interruption should say: what is held, and how to give it back.
    fn note_holds(&self) {
        if self.state.holds().next().is_none() {
            self.interrupt
                .set(format!("autopilot '{}' holds nothing", self.state.name));
        } else {
            self.interrupt.set(format!(
                "autopilot '{}' holds {}; restart it to carry on, or `tcap autopilot --release{}` gives them back",
                self.state.name,
                self.holds_text(),
                if self.state.name == "default" {
                    String::new()
                } else {
                    format!(" --name {}", self.state.name)
                }
            ));
        }
    }
}

/// How a change task ended well: applied (with when the server finished it, if it says), or
/// not sent because someone else's request is in progress.
enum Applied {
    Settled(Option<DateTime<Utc>>),
    Busy,
}

/// What a change task needs, apart from the pilot.
struct Job {
    ops: OpsClient,
    lock_path: PathBuf,
    permits: Arc<Semaphore>,
    wait_timeout: Duration,
}

impl Job {
    async fn carry_out(
        self,
        ns: &str,
        change: &InFlight,
        info: Option<CapacityInfo>,
        resume: bool,
    ) -> std::result::Result<Option<DateTime<Utc>>, ChangeFailure> {
        let _permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        // Held only while this change is in flight.
        let _lock = match lock::acquire(&self.lock_path, ns) {
            Ok(l) => l,
            Err(Error::Locked { pid, .. }) => {
                return Err(ChangeFailure::Busy(format!(
                    "another tcap (PID {pid}) is changing it"
                )));
            }
            Err(e) => return Err(ChangeFailure::Failed(e)),
        };
        let result = self.apply(ns, change, info, resume).await;
        match result {
            Ok(Applied::Settled(settled_at)) => Ok(settled_at),
            Ok(Applied::Busy) => Err(ChangeFailure::Busy(
                "a capacity request of someone else is in progress".into(),
            )),
            Err(Error::Api(e)) if e.kind == ApiErrorKind::Rejected => {
                let until = self.next_allowed(ns, change).await;
                Err(ChangeFailure::Refused {
                    message: e.message,
                    until,
                })
            }
            Err(e @ Error::Temporary(_)) => Err(ChangeFailure::Unsettled(e.to_string())),
            Err(e) => Err(ChangeFailure::Failed(e)),
        }
    }

    async fn apply(
        &self,
        ns: &str,
        change: &InFlight,
        info: Option<CapacityInfo>,
        resume: bool,
    ) -> Result<Applied> {
        let id = &change.async_operation_id;
        let target = spec_of(change.to);
        let deadline = Instant::now() + self.wait_timeout;
        let bar = ProgressBar::hidden();
        if resume {
            match apply::earlier(&self.ops, ns, id, target).await? {
                Earlier::InForce => return Ok(Applied::Settled(None)),
                Earlier::Pending(submitted) => {
                    return apply::await_applied(&self.ops, ns, &submitted, target, deadline, &bar)
                        .await
                        .map(|n| Applied::Settled(settled_at(&n)))
                        .map_err(|e| apply::wait_error(e, ns, target, id));
                }
                Earlier::Ended(state) => {
                    return Err(Error::Failed(format!(
                        "operation {id} ended {}",
                        state.wire_name()
                    )));
                }
                Earlier::NeverSent => {}
            }
        }
        let info = match info {
            Some(info) => info,
            None => self.ops.capacity_info(ns).await?,
        };
        let namespace = apply::read_namespace(&self.ops, ns).await?;
        // Not ours (ours would have been found above): never act on top of it.
        if namespace
            .latest_request()
            .is_some_and(|r| r.state == crate::cloud::model::RequestState::InProgress)
        {
            return Ok(Applied::Busy);
        }
        let plan = change::plan(namespace, info, target)?;
        if plan.already {
            return Ok(Applied::Settled(None));
        }
        let submitted = apply::submit(&self.ops, &plan, id).await?;
        apply::await_applied(&self.ops, ns, &submitted, target, deadline, &bar)
            .await
            .map(|n| Applied::Settled(settled_at(&n)))
            .map_err(|e| apply::wait_error(e, ns, target, id))
    }

    /// An hour after the namespace's latest capacity request started (the rule a refusal most
    /// likely stands for), or an hour after the decision when the server does not say.
    async fn next_allowed(&self, ns: &str, change: &InFlight) -> DateTime<Utc> {
        let started = match self.ops.get_namespace(ns).await {
            Ok(n) => n.latest_request().and_then(|r| r.start_time),
            Err(_) => None,
        };
        started.map_or(change.decided_at + REFUSED_WAIT, |s| {
            (s + REFUSED_WAIT).max(change.decided_at)
        })
    }
}

/// When the namespace's latest capacity request ended, in the server's time (the metrics'
/// clock too).
fn settled_at(namespace: &crate::cloud::model::Namespace) -> Option<DateTime<Utc>> {
    namespace.latest_request().and_then(|r| r.end_time)
}

fn spec_of(level: Level) -> CapacitySpec {
    match level {
        Level::OnDemand => CapacitySpec::OnDemand,
        Level::Provisioned { trus } => CapacitySpec::Provisioned {
            value: f64::from(trus),
        },
    }
}

fn level_of(spec: CapacitySpec) -> Level {
    match spec {
        CapacitySpec::OnDemand => Level::OnDemand,
        CapacitySpec::Provisioned { value } => Level::of_trus(value.round().max(0.0) as u32),
    }
}

/// Errors that end autopilot rather than a tick: a refused key, an interruption.
fn is_fatal(e: &Error) -> bool {
    matches!(e.exit_code(), 4 | 130 | 2)
}

fn cap_text(cap: Cap, knobs: &Knobs) -> String {
    match cap {
        Cap::MaxTrus => format!("--max-trus {}", knobs.max_trus),
        Cap::MaxHourlyCost => format!(
            "--max-hourly-cost {}",
            knobs
                .max_hourly_cost
                .map_or(String::new(), |c| format!("{c}"))
        ),
        Cap::MaxAvailable => cap.describe().to_string(),
    }
}
