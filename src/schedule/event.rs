//! An event: several namespaces changed over one window, each on its own steps, recorded in one
//! state file. Each namespace is driven by the same [`Runner`] as a single change; they share
//! the file (every save rewrites it whole, under a mutex) and a limit on changes in flight.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use super::state::{self, ChangeState, RevertTo, SCHEMA};
use super::{Ending, Runner, Store};
use crate::alert::Slack;
use crate::cloud::ops::OpsClient;
use crate::error::Result;
use crate::interrupt::InterruptNote;
use crate::output::Printer;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventState {
    pub schema: u32,
    pub name: String,
    /// The event file it was started from.
    pub file: Option<String>,
    pub start_time: DateTime<Utc>,
    pub end_time: DateTime<Utc>,
    pub revert_to: RevertTo,
    /// One per namespace, in the file's order.
    pub tracks: Vec<ChangeState>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl EventState {
    pub fn new(
        name: String,
        file: Option<String>,
        start_time: DateTime<Utc>,
        end_time: DateTime<Utc>,
        revert_to: RevertTo,
        tracks: Vec<ChangeState>,
        now: DateTime<Utc>,
    ) -> EventState {
        EventState {
            schema: SCHEMA,
            name,
            file,
            start_time,
            end_time,
            revert_to,
            tracks,
            created_at: now,
            updated_at: now,
        }
    }

    pub fn is_finished(&self) -> bool {
        self.tracks.iter().all(|t| t.step.is_finished())
    }

    pub fn track(&self, namespace: &str) -> Option<&ChangeState> {
        self.tracks.iter().find(|t| t.plan.namespace == namespace)
    }
}

/// `<changes>/events`, created 0700 on first use.
pub fn events_dir(changes_dir: &Path) -> Result<PathBuf> {
    let dir = changes_dir.join("events");
    state::create_private_dir(&dir)?;
    Ok(dir)
}

pub fn event_path(events_dir: &Path, name: &str) -> PathBuf {
    events_dir.join(format!("{name}.json"))
}

/// One run per event.
pub fn event_lock_path(events_dir: &Path, name: &str) -> PathBuf {
    events_dir.join(format!("{name}.lock"))
}

/// Where `tcap changes extend|cancel` leave a request for one namespace of the event.
pub fn request_path(events_dir: &Path, name: &str, namespace: &str) -> PathBuf {
    events_dir.join(format!("{name}.{namespace}.request.json"))
}

pub fn load(path: &Path) -> Result<Option<EventState>> {
    state::load_as(path)
}

/// Every recorded event, by name.
pub fn list(changes_dir: &Path) -> Result<Vec<(PathBuf, Result<EventState>)>> {
    let dir = changes_dir.join("events");
    if !dir.exists() {
        return Ok(Vec::new());
    }
    state::list_as(&dir)
}

pub fn save(path: &Path, event: &mut EventState) -> Result<()> {
    event.updated_at = Utc::now();
    let bytes = serde_json::to_vec_pretty(event).expect("the state serializes");
    state::write_atomically(path, &bytes)
}

/// The event's file, shared by the runners of its namespaces.
#[derive(Debug)]
pub struct EventFile {
    pub path: PathBuf,
    event: Mutex<EventState>,
}

impl EventFile {
    /// Records one namespace's state and writes the whole event atomically.
    pub fn save_track(&self, track: &mut ChangeState) -> Result<()> {
        track.updated_at = Utc::now();
        let mut event = self
            .event
            .lock()
            .expect("a save never panics holding the lock");
        if let Some(slot) = event
            .tracks
            .iter_mut()
            .find(|t| t.plan.namespace == track.plan.namespace)
        {
            *slot = track.clone();
        }
        save(&self.path, &mut event)
    }

    pub fn snapshot(&self) -> EventState {
        self.event
            .lock()
            .expect("a save never panics holding the lock")
            .clone()
    }
}

/// What the namespaces of an event need from the command that runs it.
pub struct EventRun<'a> {
    pub ops: OpsClient,
    pub slack: Option<Slack>,
    pub events_dir: PathBuf,
    pub wait_timeout: std::time::Duration,
    pub printer: &'a Printer,
    pub interrupt: InterruptNote,
    pub max_concurrent_changes: usize,
}

impl EventRun<'_> {
    /// Drives every unfinished namespace of the event to its end, side by side; one
    /// namespace's failure never stops the others. Returns the event as recorded at the end
    /// and each namespace's outcome.
    /// `only`: drive just these namespaces (a `cancel --revert-now` of one); the others are
    /// left as recorded.
    pub async fn run(
        &self,
        event: EventState,
        path: &Path,
        only: Option<&[String]>,
    ) -> (EventState, Vec<Result<Ending>>) {
        let name = event.name.clone();
        let file = Arc::new(EventFile {
            path: path.to_path_buf(),
            event: Mutex::new(event),
        });
        self.interrupt.set(format!(
            "the event '{name}' is recorded in {}; resume with `tcap changes resume --event {name}`, \
             or stop it with `tcap changes cancel --event {name} --revert-now`",
            path.display()
        ));
        let permits = Arc::new(Semaphore::new(self.max_concurrent_changes.max(1)));
        let runs = file
            .snapshot()
            .tracks
            .into_iter()
            .filter(|t| !t.step.is_finished())
            .filter(|t| only.is_none_or(|o| o.contains(&t.plan.namespace)))
            .map(|track| {
                let namespace = track.plan.namespace.clone();
                let mut runner = Runner {
                    ops: self.ops.clone(),
                    slack: self.slack.clone(),
                    path: path.to_path_buf(),
                    request_path: request_path(&self.events_dir, &name, &namespace),
                    state: track,
                    wait_timeout: self.wait_timeout,
                    printer: self.printer,
                    interrupt: self.interrupt.clone(),
                    in_flight: Some(permits.clone()),
                    store: Store::Event(file.clone()),
                };
                async move { runner.run().await }
            });
        let outcomes = join_all(runs).await;
        self.interrupt.clear();
        (file.snapshot(), outcomes)
    }
}
