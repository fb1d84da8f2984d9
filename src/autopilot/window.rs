//! One metrics window, as autopilot reads it: every selected namespace's usage, the TRUs it
//! has, and the window's own time, which is autopilot's clock.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::capacity::autopilot::Level;
use crate::capacity::select::name_part;
use crate::capacity::usage::{Usage, aggregate, attribute};
use crate::cloud::metrics::{ACTION_LIMIT, CAPACITY_FAMILIES, MetricsClient, TRU_COUNT};
use crate::cloud::openmetrics::Sample;
use crate::error::{ApiError, Result};
use crate::history::{Prometheus, Series};

/// Where autopilot reads its windows: the Metrics API (one call a tick), or the user's own
/// Prometheus scraping it (no Metrics API call at all).
pub enum Source {
    Metrics(MetricsClient),
    Prometheus(Prometheus),
}

/// How far back a Prometheus read looks for the latest minute: Temporal's windows are 3
/// minutes old when served, and a scrape interval or two comes on top.
const RECENT: &str = "10m";

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

fn families() -> Vec<&'static str> {
    CAPACITY_FAMILIES
        .iter()
        .copied()
        .chain([TRU_COUNT])
        .collect()
}

/// One Metrics API call for the capacity families and the TRU count.
pub async fn read(
    metrics: &MetricsClient,
    listed: &[String],
) -> std::result::Result<Window, ApiError> {
    let snapshot = metrics.fetch(&families()).await?;
    Ok(window_of(
        &snapshot.exposition.samples,
        listed,
        snapshot.completeness.is_complete(),
    ))
}

/// The latest minute the user's Prometheus holds, in one query of raw samples: Temporal stamps
/// each sample with its minute and Prometheus keeps those stamps, so each series has one sample
/// a minute, read here exactly once (no lookback carries an idle minute's value forward, and no
/// range counts a minute twice).
pub async fn read_prometheus(
    prometheus: &Prometheus,
    listed: &[String],
    now: DateTime<Utc>,
) -> Result<Window> {
    let selector = format!("{{__name__=~\"{}\"}}[{RECENT}]", families().join("|"));
    let series = prometheus.raw_samples(&selector, now).await?;
    Ok(window_of(&latest_minute(series), listed, true))
}

/// Every series' sample of the latest minute any namespace's `action_limit` row has. A
/// namespace whose latest limit row is older is left out of the window (its scrape stopped,
/// or it is gone) rather than decided on stale figures.
fn latest_minute(series: Vec<Series>) -> Vec<Sample> {
    let namespace = |s: &Series| s.labels.get("temporal_namespace").cloned();
    let name = |s: &Series| s.labels.get("__name__").cloned().unwrap_or_default();
    let mut latest: BTreeMap<String, i64> = BTreeMap::new();
    for s in series.iter().filter(|s| name(s) == ACTION_LIMIT) {
        if let (Some(ns), Some(t)) = (namespace(s), s.points.iter().map(|p| p.0).max()) {
            let entry = latest.entry(ns).or_insert(t);
            *entry = (*entry).max(t);
        }
    }
    let Some(&minute) = latest.values().max() else {
        return Vec::new();
    };
    series
        .into_iter()
        .filter(|s| namespace(s).is_some_and(|ns| latest.get(&ns) == Some(&minute)))
        .filter_map(|s| {
            let value = s.points.iter().find(|p| p.0 == minute)?.1;
            Some(Sample {
                name: name(&s),
                labels: s
                    .labels
                    .into_iter()
                    .filter(|(k, _)| k != "__name__")
                    .collect(),
                value,
                timestamp_ms: Some(minute * 1000),
            })
        })
        .collect()
}

/// The window the samples describe, for the listed namespaces.
fn window_of(samples: &[Sample], listed: &[String], complete: bool) -> Window {
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
    Window {
        at,
        namespaces,
        complete,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(name: &str, ns: &str, points: &[(i64, f64)]) -> Series {
        Series {
            labels: [
                ("__name__".to_string(), name.to_string()),
                ("temporal_namespace".to_string(), ns.to_string()),
            ]
            .into(),
            points: points.to_vec(),
        }
    }

    /// The latest minute's samples, once each; a namespace whose scrape stopped earlier is
    /// not decided on its old figures.
    #[test]
    fn only_the_latest_minute_is_read_and_stale_namespaces_are_left_out() {
        let samples = latest_minute(vec![
            series(ACTION_LIMIT, "a.x1", &[(60, 500.0), (120, 500.0)]),
            series(
                "temporal_cloud_v1_total_action_count",
                "a.x1",
                &[(60, 900.0), (120, 40.0)],
            ),
            series(ACTION_LIMIT, "b.x1", &[(60, 500.0)]),
            series(
                "temporal_cloud_v1_total_action_count",
                "b.x1",
                &[(60, 900.0)],
            ),
        ]);
        let seen: Vec<(&str, f64, Option<i64>)> = samples
            .iter()
            .map(|s| (s.name.as_str(), s.value, s.timestamp_ms))
            .collect();
        assert_eq!(
            seen,
            [
                (ACTION_LIMIT, 500.0, Some(120_000)),
                ("temporal_cloud_v1_total_action_count", 40.0, Some(120_000)),
            ]
        );
        assert!(
            samples
                .iter()
                .all(|s| s.labels.iter().all(|(k, _)| k != "__name__"))
        );
        assert!(latest_minute(Vec::new()).is_empty());
    }
}
