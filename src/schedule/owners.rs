//! Who owns which namespace, as recorded in the state directory: an unfinished scheduled change,
//! an unfinished event, or an autopilot's hold. Whether its process is alive does not matter:
//! an interrupted owner comes back with `tcap changes resume`, and two owners must never fight
//! over one namespace.

use std::collections::BTreeMap;
use std::path::Path;

use super::{event, state};
use crate::autopilot::state as pilot;

/// What is asking, so that it is not counted as its own owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asking<'a> {
    Change,
    Event(&'a str),
    Autopilot(&'a Path),
}

/// Namespace → who owns it, in words for an error message.
pub fn owners(changes_dir: &Path, asking: Asking<'_>) -> BTreeMap<String, String> {
    let mut owners = BTreeMap::new();
    if asking != Asking::Change
        && let Ok(changes) = state::list(changes_dir)
    {
        for (_, change) in changes {
            if let Ok(change) = change
                && !change.step.is_finished()
            {
                owners.insert(
                    change.plan.namespace.clone(),
                    format!("an unfinished scheduled change ({})", change.step.as_str()),
                );
            }
        }
    }
    if let Ok(events) = event::list(changes_dir) {
        for (_, recorded) in events {
            let Ok(recorded) = recorded else { continue };
            if asking == Asking::Event(&recorded.name) {
                continue;
            }
            for track in recorded.tracks.iter().filter(|t| !t.step.is_finished()) {
                owners.insert(
                    track.plan.namespace.clone(),
                    format!(
                        "the unfinished event '{}' ({})",
                        recorded.name,
                        track.step.as_str()
                    ),
                );
            }
        }
    }
    for (path, other) in pilot::list(changes_dir) {
        if asking == Asking::Autopilot(&path) {
            continue;
        }
        if let Ok(other) = other {
            for (ns, _) in other.holds() {
                owners.insert(ns.clone(), format!("autopilot '{}'", other.name));
            }
        }
    }
    owners
}
