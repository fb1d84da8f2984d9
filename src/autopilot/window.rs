//! One metrics window, as autopilot reads it: every selected namespace's usage, the TRUs it
//! has, and the window's own time, which is autopilot's clock.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::capacity::autopilot::Level;
use crate::capacity::select::name_part;
use crate::capacity::usage::{Usage, aggregate, attribute};
use crate::cloud::metrics::{CAPACITY_FAMILIES, MetricsClient, TRU_COUNT};
use crate::error::ApiError;

#[derive(Clone, Debug, PartialEq)]
pub struct Seen {
    pub usage: Usage,
    /// What `provisioned_capacity_tru_count` says; `None` when the window has no such series.
    pub level: Option<Level>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    /// The latest sample's timestamp; `None` when the answer carried no timestamp at all.
    pub at: Option<DateTime<Utc>>,
    /// Listed namespaces the answer can speak for (a cut answer speaks only for those it has).
    pub namespaces: BTreeMap<String, Seen>,
    pub complete: bool,
}

/// One Metrics API call for the capacity families and the TRU count.
pub async fn read(metrics: &MetricsClient, listed: &[String]) -> Result<Window, ApiError> {
    let families: Vec<&str> = CAPACITY_FAMILIES
        .iter()
        .copied()
        .chain([TRU_COUNT])
        .collect();
    let snapshot = metrics.fetch(&families).await?;
    let samples = &snapshot.exposition.samples;
    let at = samples
        .iter()
        .filter_map(|s| s.timestamp_ms)
        .max()
        .and_then(DateTime::<Utc>::from_timestamp_millis);
    let (by_label, warnings) = aggregate(samples);
    for w in warnings {
        tracing::warn!("metrics: {w}");
    }
    let mut trus: BTreeMap<&str, f64> = BTreeMap::new();
    for sample in samples.iter().filter(|s| s.name == TRU_COUNT) {
        if let Some(label) = sample.label("temporal_namespace")
            && sample.value.is_finite()
            && sample.value >= 0.0
        {
            let entry = trus.entry(label).or_insert(0.0);
            *entry = entry.max(sample.value);
        }
    }
    let complete = snapshot.completeness.is_complete();
    let attributed = attribute(by_label, listed);
    let is_listed: BTreeSet<&str> = listed.iter().map(String::as_str).collect();
    let namespaces = attributed
        .usage
        .into_iter()
        .filter(|(id, _)| is_listed.contains(id.as_str()))
        // A namespace missing from a cut answer says nothing about being idle.
        .filter(|(id, _)| complete || attributed.with_series.contains(id))
        .map(|(id, usage)| {
            let level = trus
                .get(id.as_str())
                .or_else(|| trus.get(name_part(&id)))
                .map(|t| Level::of_trus(t.round() as u32));
            (id, Seen { usage, level })
        })
        .collect();
    Ok(Window {
        at,
        namespaces,
        complete,
    })
}
