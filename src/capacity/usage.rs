//! Per-namespace usage from one metrics window: limit, count and throttling of actions,
//! requests and operations, and what each limit would be on On-Demand.

use std::collections::{BTreeMap, BTreeSet};

use super::dimension::{Dimension, Reading, max_of};
use crate::cloud::metrics::{
    ACTION_COUNT, ACTION_ENVELOPE, ACTION_LIMIT, ACTION_THROTTLED, OPERATIONS_COUNT,
    OPERATIONS_ENVELOPE, OPERATIONS_LIMIT, OPERATIONS_THROTTLED, REQUEST_COUNT, REQUEST_ENVELOPE,
    REQUEST_LIMIT, REQUEST_THROTTLED,
};
use crate::cloud::openmetrics::Sample;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Usage {
    /// The largest `action_limit` row: an HA namespace reports one per region.
    pub action_limit: Option<f64>,
    /// Foreground (`is_background="false"`) actions per second, active and standby summed; only
    /// these count toward the limit.
    pub action_count: f64,
    pub background_count: f64,
    pub throttled: f64,
    /// `action_on_demand_envelope_limit`.
    pub action_envelope: Option<f64>,
    /// Service requests per second, every `operation` summed.
    pub requests: Reading,
    /// Operations per second, every `operation` and `namespace_mode` summed; rows marked
    /// `is_background="true"` are left out, as for actions (the docs do not say whether they
    /// count toward the limit; a row without the label counts).
    pub operations: Reading,
}

impl Usage {
    /// Adds another set of series of the same namespace (its full-ID and bare-name labels).
    fn absorb(&mut self, other: &Usage) {
        self.action_limit = max_of(self.action_limit, other.action_limit);
        self.action_envelope = max_of(self.action_envelope, other.action_envelope);
        self.action_count += other.action_count;
        self.background_count += other.background_count;
        self.throttled += other.throttled;
        self.requests.absorb(&other.requests);
        self.operations.absorb(&other.operations);
    }

    /// Foreground actions as a share of the limit.
    pub fn utilization(&self) -> Option<f64> {
        self.actions().utilization()
    }

    /// The action figures as a [`Reading`] like the other two.
    pub fn actions(&self) -> Reading {
        Reading {
            limit: self.action_limit,
            count: self.action_count,
            throttled: self.throttled,
            envelope: self.action_envelope,
        }
    }
}

/// What a family adds to a namespace's usage.
#[derive(Clone, Copy)]
enum Role {
    Limit,
    Count,
    Throttled,
    Envelope,
}

fn role_of(family: &str) -> Option<(Dimension, Role)> {
    Some(match family {
        ACTION_LIMIT => (Dimension::Aps, Role::Limit),
        ACTION_COUNT => (Dimension::Aps, Role::Count),
        ACTION_THROTTLED => (Dimension::Aps, Role::Throttled),
        ACTION_ENVELOPE => (Dimension::Aps, Role::Envelope),
        REQUEST_LIMIT => (Dimension::Rps, Role::Limit),
        REQUEST_COUNT => (Dimension::Rps, Role::Count),
        REQUEST_THROTTLED => (Dimension::Rps, Role::Throttled),
        REQUEST_ENVELOPE => (Dimension::Rps, Role::Envelope),
        OPERATIONS_LIMIT => (Dimension::Ops, Role::Limit),
        OPERATIONS_COUNT => (Dimension::Ops, Role::Count),
        OPERATIONS_THROTTLED => (Dimension::Ops, Role::Throttled),
        OPERATIONS_ENVELOPE => (Dimension::Ops, Role::Envelope),
        _ => return None,
    })
}

/// Namespaces by ID (`temporal_namespace`). A series that is missing counts as zero. Rows that
/// cannot be attributed (no namespace label, a value that is not a finite, non-negative number)
/// are skipped and returned as warnings, never counted.
pub fn aggregate<'a>(
    samples: impl IntoIterator<Item = &'a Sample>,
) -> (BTreeMap<String, Usage>, Vec<String>) {
    let mut usage: BTreeMap<String, Usage> = BTreeMap::new();
    let mut warnings = Vec::new();
    for sample in samples {
        let family = sample.name.as_str();
        let Some((dimension, role)) = role_of(family) else {
            continue;
        };
        let Some(namespace) = sample.label("temporal_namespace").filter(|n| !n.is_empty()) else {
            warnings.push(format!(
                "a {family} row has no temporal_namespace label; skipped"
            ));
            continue;
        };
        if !sample.value.is_finite() || sample.value < 0.0 {
            warnings.push(format!(
                "{family} for {namespace} is {}; skipped",
                sample.value
            ));
            continue;
        }
        let value = sample.value;
        let entry = usage.entry(namespace.to_string()).or_default();
        match (dimension, role) {
            (Dimension::Aps, Role::Limit) => {
                entry.action_limit = max_of(entry.action_limit, Some(value))
            }
            (Dimension::Aps, Role::Envelope) => {
                entry.action_envelope = max_of(entry.action_envelope, Some(value));
            }
            (Dimension::Aps, Role::Count) => match sample.label("is_background") {
                Some("true") => entry.background_count += value,
                Some("false") => entry.action_count += value,
                other => warnings.push(format!(
                    "{family} for {namespace} has is_background={other:?}; skipped"
                )),
            },
            (Dimension::Aps, Role::Throttled) => entry.throttled += value,
            (other, role) => {
                let reading = if other == Dimension::Rps {
                    &mut entry.requests
                } else {
                    &mut entry.operations
                };
                match role {
                    Role::Limit => reading.limit = max_of(reading.limit, Some(value)),
                    Role::Envelope => reading.envelope = max_of(reading.envelope, Some(value)),
                    Role::Count if sample.label("is_background") == Some("true") => {}
                    Role::Count => reading.count += value,
                    Role::Throttled => reading.throttled += value,
                }
            }
        }
    }
    (usage, warnings)
}

/// The account's namespaces with their usage: every listed one, with or without series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Attributed {
    /// By namespace ID, one entry per listed namespace (zero usage when it had no series), and
    /// one per unmatched label: such series are kept, not dropped.
    pub usage: BTreeMap<String, Usage>,
    /// The keys of `usage` that had at least one series in the window.
    pub with_series: BTreeSet<String>,
    /// `temporal_namespace` values that name no listed namespace (also keys of `usage`).
    pub unmatched: Vec<String>,
}

/// Puts the series of [`aggregate`] (keyed by their `temporal_namespace` label) on the listed
/// namespace IDs. Whether the label holds the full ID (`name.account`) or the bare name is
/// UNVERIFIED, so both are matched; a namespace with no series at all is still listed, idle.
pub fn attribute(by_label: BTreeMap<String, Usage>, listed: &[String]) -> Attributed {
    let is_listed: BTreeSet<&str> = listed.iter().map(String::as_str).collect();
    let mut by_name: BTreeMap<&str, Option<&str>> = BTreeMap::new();
    for id in listed {
        let name = id.rsplit_once('.').map_or(id.as_str(), |(n, _)| n);
        // Two listed IDs with one name part (two accounts) make the bare name ambiguous.
        by_name
            .entry(name)
            .and_modify(|owner| *owner = None)
            .or_insert(Some(id.as_str()));
    }
    let mut out = Attributed {
        usage: listed
            .iter()
            .map(|id| (id.clone(), Usage::default()))
            .collect(),
        ..Attributed::default()
    };
    for (label, usage) in by_label {
        let id = if is_listed.contains(label.as_str()) {
            label
        } else if let Some(id) = by_name.get(label.as_str()).copied().flatten() {
            id.to_string()
        } else {
            out.unmatched.push(label.clone());
            label
        };
        out.usage.entry(id.clone()).or_default().absorb(&usage);
        out.with_series.insert(id);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::openmetrics::parse;

    const BODY: &str = r#"# TYPE temporal_cloud_v1_action_limit gauge
temporal_cloud_v1_action_limit{temporal_namespace="payments-prod.a1b2c",temporal_account="a1b2c",region="aws-us-east-1"} 2000.0 1788763560000
temporal_cloud_v1_action_limit{temporal_namespace="ha.a1b2c",region="aws-us-east-1"} 4000 1788763560000
temporal_cloud_v1_action_limit{temporal_namespace="ha.a1b2c",region="aws-us-west-2"} 3500 1788763560000
temporal_cloud_v1_action_limit{temporal_namespace="staging.a1b2c",region="aws-us-west-2"} 500.0 1788763560000
# TYPE temporal_cloud_v1_total_action_count gauge
temporal_cloud_v1_total_action_count{temporal_namespace="payments-prod.a1b2c", is_background="false",namespace_mode="active"} 1720.35 1788763560000
temporal_cloud_v1_total_action_count{temporal_namespace="payments-prod.a1b2c",is_background="true",namespace_mode="active"} 12.5 1788763560000
temporal_cloud_v1_total_action_count{temporal_namespace="ha.a1b2c",is_background="false",namespace_mode="active"} 900 1788763560000
temporal_cloud_v1_total_action_count{temporal_namespace="ha.a1b2c",is_background="false",namespace_mode="standby"} 25 1788763560000
temporal_cloud_v1_total_action_count{temporal_namespace="orphan.a1b2c",is_background="false"} 3 1788763560000
temporal_cloud_v1_total_action_count_v2{temporal_namespace="payments-prod.a1b2c",is_background="false"} 99999 1788763560000
# TYPE temporal_cloud_v1_total_action_throttled_count gauge
temporal_cloud_v1_total_action_throttled_count{temporal_namespace="payments-prod.a1b2c"} 40 1788763560000
temporal_cloud_v1_total_action_throttled_count{temporal_namespace="payments-prod.a1b2c",region="x"} 2 1788763560000
temporal_cloud_v1_total_action_throttled_count{region="x"} 7 1788763560000
temporal_cloud_v1_action_limit{temporal_namespace="nan.a1b2c"} NaN 1788763560000
# EOF
"#;

    #[test]
    fn rows_aggregate_per_namespace() {
        let exposition = parse(BODY);
        let (usage, warnings) = aggregate(&exposition.samples);
        let u = |ns: &str| usage.get(ns).cloned().unwrap_or_default();

        // Background rows are reported but do not count; the _v2 family is ignored.
        assert_eq!(
            u("payments-prod.a1b2c"),
            Usage {
                action_limit: Some(2000.0),
                action_count: 1720.35,
                background_count: 12.5,
                throttled: 42.0,
                ..Usage::default()
            }
        );
        // HA: the larger of the two regions' limits, active and standby summed.
        assert_eq!(u("ha.a1b2c").action_limit, Some(4000.0));
        assert_eq!(u("ha.a1b2c").action_count, 925.0);
        // Idle: no count series at all means zero, not an error.
        assert_eq!(
            u("staging.a1b2c"),
            Usage {
                action_limit: Some(500.0),
                ..Usage::default()
            }
        );
        // Counted but no limit series: the limit stays unknown rather than zero.
        assert_eq!(u("orphan.a1b2c").action_limit, None);
        assert_eq!(u("orphan.a1b2c").action_count, 3.0);
        assert!(!usage.contains_key("nan.a1b2c"));
        assert_eq!(warnings.len(), 2, "{warnings:?}");
    }

    #[test]
    fn utilization_needs_a_positive_limit() {
        let usage = Usage {
            action_limit: Some(2000.0),
            action_count: 1500.0,
            ..Usage::default()
        };
        assert_eq!(usage.utilization(), Some(0.75));
        assert_eq!(
            Usage {
                action_limit: Some(0.0),
                ..Usage::default()
            }
            .utilization(),
            None
        );
        assert_eq!(Usage::default().utilization(), None);
    }

    /// Requests by `operation`, operations by `operation`, `is_background` and
    /// `namespace_mode` (the documented shape), and operations without `is_background` (the
    /// shape the docs leave open): background operations are left out, the rest summed.
    #[test]
    fn requests_and_operations_sum_their_series() {
        const RPS_OPS: &str = r#"# TYPE temporal_cloud_v1_service_request_limit gauge
temporal_cloud_v1_service_request_limit{temporal_namespace="a.x",region="aws-us-east-1"} 2000
temporal_cloud_v1_service_request_limit{temporal_namespace="a.x",region="aws-us-west-2"} 2400
# TYPE temporal_cloud_v1_service_request_count gauge
temporal_cloud_v1_service_request_count{temporal_namespace="a.x",operation="StartWorkflowExecution"} 900
temporal_cloud_v1_service_request_count{temporal_namespace="a.x",operation="PollWorkflowTaskQueue"} 1100.5
# TYPE temporal_cloud_v1_service_request_throttled_count gauge
temporal_cloud_v1_service_request_throttled_count{temporal_namespace="a.x",operation="StartWorkflowExecution"} 30
temporal_cloud_v1_service_request_throttled_count{temporal_namespace="a.x",operation="SignalWorkflowExecution"} 12
# TYPE temporal_cloud_v1_service_request_on_demand_envelope_limit gauge
temporal_cloud_v1_service_request_on_demand_envelope_limit{temporal_namespace="a.x"} 2400
# TYPE temporal_cloud_v1_operations_limit gauge
temporal_cloud_v1_operations_limit{temporal_namespace="a.x"} 4000
temporal_cloud_v1_operations_limit{temporal_namespace="b.x"} 8000
# TYPE temporal_cloud_v1_operations_count gauge
temporal_cloud_v1_operations_count{temporal_namespace="a.x",operation="UpdateWorkflowExecution",is_background="false",namespace_mode="active"} 1000
temporal_cloud_v1_operations_count{temporal_namespace="a.x",operation="UpdateWorkflowExecution",is_background="false",namespace_mode="standby"} 20
temporal_cloud_v1_operations_count{temporal_namespace="a.x",operation="DeleteHistory",is_background="true",namespace_mode="active"} 300
temporal_cloud_v1_operations_count{temporal_namespace="b.x",operation="UpdateWorkflowExecution"} 700
temporal_cloud_v1_operations_count{temporal_namespace="b.x",operation="CreateWorkflowExecution"} 50
# TYPE temporal_cloud_v1_operations_throttled_count gauge
temporal_cloud_v1_operations_throttled_count{temporal_namespace="b.x",operation="UpdateWorkflowExecution"} 5
# TYPE temporal_cloud_v1_operations_on_demand_envelope_limit gauge
temporal_cloud_v1_operations_on_demand_envelope_limit{temporal_namespace="b.x"} 4000
# TYPE temporal_cloud_v1_action_on_demand_envelope_limit gauge
temporal_cloud_v1_action_on_demand_envelope_limit{temporal_namespace="b.x"} 1250
# EOF
"#;
        let exposition = parse(RPS_OPS);
        let (usage, warnings) = aggregate(&exposition.samples);
        assert!(warnings.is_empty(), "{warnings:?}");
        let a = &usage["a.x"];
        assert_eq!(
            a.requests,
            Reading {
                limit: Some(2_400.0),
                count: 2_000.5,
                throttled: 42.0,
                envelope: Some(2_400.0)
            }
        );
        assert_eq!(a.operations.count, 1_020.0);
        assert_eq!(a.operations.limit, Some(4_000.0));
        let b = &usage["b.x"];
        assert_eq!(
            b.operations,
            Reading {
                limit: Some(8_000.0),
                count: 750.0,
                throttled: 5.0,
                envelope: Some(4_000.0)
            }
        );
        assert_eq!(b.action_envelope, Some(1_250.0));
        assert_eq!(b.operations.utilization(), Some(750.0 / 8_000.0));
    }

    #[test]
    fn series_are_put_on_listed_ids_by_full_id_or_bare_name() {
        let listed = vec![
            "payments-prod.a1b2c".to_string(),
            "orders-prod.a1b2c".to_string(),
            "idle-prod.a1b2c".to_string(),
        ];
        let busy = |count: f64| Usage {
            action_limit: Some(2000.0),
            action_count: count,
            ..Usage::default()
        };
        let full = BTreeMap::from([
            ("payments-prod.a1b2c".to_string(), busy(100.0)),
            ("orders-prod.a1b2c".to_string(), busy(50.0)),
            ("gone-prod.a1b2c".to_string(), busy(1.0)),
        ]);
        let bare = BTreeMap::from([
            ("payments-prod".to_string(), busy(100.0)),
            ("orders-prod".to_string(), busy(50.0)),
            ("gone-prod".to_string(), busy(1.0)),
        ]);
        let a = attribute(full, &listed);
        let b = attribute(bare, &listed);
        let listed_only = |r: &Attributed| {
            r.usage
                .iter()
                .filter(|(id, _)| listed.contains(id))
                .map(|(id, u)| (id.clone(), u.clone()))
                .collect::<BTreeMap<_, _>>()
        };
        assert_eq!(
            listed_only(&a),
            listed_only(&b),
            "both label spellings give one answer"
        );
        assert_eq!(a.usage.len(), 4, "three listed, one unmatched kept");
        assert_eq!(a.usage["idle-prod.a1b2c"], Usage::default());
        assert!(!a.with_series.contains("idle-prod.a1b2c"));
        assert_eq!(a.usage["payments-prod.a1b2c"].action_count, 100.0);
        assert_eq!(a.unmatched, ["gone-prod.a1b2c"]);
        assert_eq!(a.usage["gone-prod.a1b2c"], busy(1.0), "kept with its usage");
        assert!(a.with_series.contains("gone-prod.a1b2c"));
        assert_eq!(b.unmatched, ["gone-prod"]);

        // Both spellings at once are one namespace's series.
        let both = BTreeMap::from([
            ("orders-prod.a1b2c".to_string(), busy(50.0)),
            ("orders-prod".to_string(), busy(5.0)),
        ]);
        assert_eq!(
            attribute(both, &listed).usage["orders-prod.a1b2c"].action_count,
            55.0
        );
        // A bare name two listed IDs share is not guessed.
        let twins = vec!["x-prod.aaaaa".to_string(), "x-prod.bbbbb".to_string()];
        let r = attribute(BTreeMap::from([("x-prod".to_string(), busy(1.0))]), &twins);
        assert_eq!(r.unmatched, ["x-prod"]);
    }
}
