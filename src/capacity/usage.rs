//! Per-namespace usage from one metrics window: the limit, foreground actions and throttling.

use std::collections::BTreeMap;

use crate::cloud::metrics::{ACTION_COUNT, ACTION_LIMIT, ACTION_THROTTLED};
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
}

impl Usage {
    /// Foreground actions as a share of the limit.
    pub fn utilization(&self) -> Option<f64> {
        self.action_limit
            .filter(|l| *l > 0.0)
            .map(|l| self.action_count / l)
    }
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
        if ![ACTION_LIMIT, ACTION_COUNT, ACTION_THROTTLED].contains(&family) {
            continue;
        }
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
        let entry = usage.entry(namespace.to_string()).or_default();
        match family {
            ACTION_LIMIT => {
                entry.action_limit = Some(
                    entry
                        .action_limit
                        .map_or(sample.value, |l| l.max(sample.value)),
                );
            }
            ACTION_COUNT => match sample.label("is_background") {
                Some("true") => entry.background_count += sample.value,
                Some("false") => entry.action_count += sample.value,
                other => warnings.push(format!(
                    "{family} for {namespace} has is_background={other:?}; skipped"
                )),
            },
            _ => entry.throttled += sample.value,
        }
    }
    (usage, warnings)
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
                throttled: 42.0
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
}
