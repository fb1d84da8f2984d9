//! One state file per autopilot, `<changes dir>/autopilot/<name>.json` (0600, written
//! atomically, schema-versioned): every namespace's baseline, what autopilot holds, and the
//! change in flight, recorded before its POST.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::capacity::autopilot::{Level, Memo};
use crate::error::{Error, Result};
use crate::schedule::state::{create_private_dir, write_atomically};

pub const SCHEMA: u32 = 1;

/// Why a change was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    Raise,
    Lower,
    /// `--release`: back to the baseline, whatever the load.
    Release,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Raise => "raise",
            Direction::Lower => "lower",
            Direction::Release => "release",
        }
    }
}

/// A change autopilot decided; its id is written here before the POST, so that a restart waits
/// for it or sends it again under the same id, never a second one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InFlight {
    pub async_operation_id: String,
    pub direction: Direction,
    pub from: Level,
    pub to: Level,
    /// What the namespace goes back to when autopilot lets go of it.
    pub baseline: Level,
    /// The window that decided it.
    pub decided_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    #[serde(flatten)]
    pub memo: Memo,
    #[serde(default)]
    pub in_flight: Option<InFlight>,
}

impl Entry {
    /// Nothing worth keeping: no hold, no change in flight, nothing waited for.
    pub fn is_empty(&self) -> bool {
        self.in_flight.is_none() && self.memo.hold.is_none() && self.memo.blocked_until.is_none()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PilotState {
    pub schema: u32,
    pub name: String,
    pub pid: u32,
    pub started_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The latest metrics window read: autopilot's clock.
    pub last_window: Option<DateTime<Utc>>,
    pub namespaces: BTreeMap<String, Entry>,
}

impl PilotState {
    pub fn new(name: &str) -> PilotState {
        let now = Utc::now();
        PilotState {
            schema: SCHEMA,
            name: name.to_string(),
            pid: std::process::id(),
            started_at: now,
            updated_at: now,
            last_window: None,
            namespaces: BTreeMap::new(),
        }
    }

    /// What autopilot holds above the baselines, by namespace.
    pub fn holds(&self) -> impl Iterator<Item = (&String, &Entry)> {
        self.namespaces
            .iter()
            .filter(|(_, e)| e.memo.hold.is_some() || e.in_flight.is_some())
    }
}

pub fn dir(changes_dir: &Path) -> Result<PathBuf> {
    let dir = changes_dir.join("autopilot");
    create_private_dir(&dir)?;
    Ok(dir)
}

pub fn state_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.json"))
}

pub fn lock_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.lock"))
}

/// `None` when there is no file yet. A file that cannot be read stops autopilot rather than
/// being replaced: it records holds that must not be forgotten.
pub fn load(path: &Path) -> Result<Option<PilotState>> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
    };
    #[derive(Deserialize)]
    struct Version {
        schema: u32,
    }
    if let Ok(v) = serde_json::from_slice::<Version>(&bytes)
        && v.schema > SCHEMA
    {
        return Err(Error::Usage(format!(
            "{} was written by a newer tcap (schema {}, this one reads {SCHEMA}); use that version",
            path.display(),
            v.schema
        )));
    }
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        Error::Usage(format!(
            "the autopilot state file {} could not be read ({e}); it records what autopilot \
             holds, so it was left in place: check the namespaces with `tcap analyze`, then \
             move it away",
            path.display()
        ))
    })
}

pub fn save(path: &Path, state: &mut PilotState) -> Result<()> {
    state.updated_at = Utc::now();
    let bytes = serde_json::to_vec_pretty(state).expect("the state serializes");
    write_atomically(path, &bytes)
}

pub fn remove(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(format!("removing {}", path.display()), e)),
    }
}

/// Every autopilot state file in the directory, readable or not.
pub fn list(changes_dir: &Path) -> Vec<(PathBuf, Result<PilotState>)> {
    let Ok(entries) = fs::read_dir(changes_dir.join("autopilot")) else {
        return Vec::new();
    };
    let mut out: Vec<(PathBuf, Result<PilotState>)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .map(|p| {
            let state = load(&p).and_then(|s| {
                s.ok_or_else(|| Error::Failed(format!("{} disappeared", p.display())))
            });
            (p, state)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capacity::autopilot::Hold;

    #[test]
    fn a_state_round_trips_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = state_path(&super::dir(dir.path()).unwrap(), "default");
        let mut state = PilotState::new("default");
        let at = Utc::now();
        state.namespaces.insert(
            "a.b".into(),
            Entry {
                memo: Memo {
                    hold: Some(Hold {
                        baseline: Level::OnDemand,
                        trus: 4,
                        raised_at: at,
                        settled_at: Some(at),
                    }),
                    ..Memo::default()
                },
                in_flight: Some(InFlight {
                    async_operation_id: "id-1".into(),
                    direction: Direction::Lower,
                    from: Level::Provisioned { trus: 4 },
                    to: Level::OnDemand,
                    baseline: Level::OnDemand,
                    decided_at: at,
                }),
            },
        );
        save(&path, &mut state).unwrap();
        assert_eq!(load(&path).unwrap().unwrap(), state);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"mode\": \"on-demand\""), "{text}");
        assert_eq!(list(dir.path()).len(), 1);
    }

    #[test]
    fn a_newer_or_broken_file_is_refused_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        fs::write(&path, r#"{"schema": 99}"#).unwrap();
        assert!(load(&path).unwrap_err().to_string().contains("newer tcap"));
        fs::write(&path, "{").unwrap();
        assert_eq!(load(&path).unwrap_err().exit_code(), 2);
        assert!(path.exists());
    }
}
