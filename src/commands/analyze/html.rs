//! `analyze -o html`: the rows as the shared capacity report. Without history each dimension
//! has the last 1-minute window (and, for actions, the 7-day mean and p99) to draw against
//! the limit in force and the one the recommendation would give.

use chrono::{DateTime, SecondsFormat, Utc};

#[cfg(test)]
use super::build_row;
use super::{Row, capacity_cell};
use crate::capacity::Mode;
use crate::capacity::dimension::Dimension;
use crate::capacity::recommend::Action;
use crate::cloud::model::CapacitySpec;
use crate::commands::report::{Month, NamespaceReport, Report, fmt_price, render};
use crate::output::svg::{Chart, Gauge, Gauges, Limit, LimitKind, Week};

/// The page for `rows`, read at `now`.
pub fn page(rows: &[Row], price: f64, target: f64, now: DateTime<Utc>) -> String {
    let mut report = Report {
        title: "tcap analyze: capacity report".into(),
        intro: vec![
            format!(
                "{} namespace{} read at {}. Usage is the last 1-minute window; mean and p99 cover the last 7 days.",
                rows.len(),
                if rows.len() == 1 { "" } else { "s" },
                now.to_rfc3339_opts(SecondsFormat::Secs, true)
            ),
            format!(
                "Recommendations size each namespace for {:.0}% of its limit; costs are per hour at ${} per million actions, the larger of the actions used and the TRUs' billing minimum.",
                target * 100.0,
                fmt_price(price)
            ),
        ],
        throttled_when: "in the last minute".into(),
        month: Month::AVERAGE,
        namespaces: rows
            .iter()
            .enumerate()
            .map(|(i, row)| namespace(i, row))
            .collect(),
    };
    if rows.is_empty() {
        report
            .intro
            .push("No namespaces found in the metrics (check --namespace / --exclude).".into());
    }
    render(&report)
}

fn namespace(index: usize, row: &Row) -> NamespaceReport {
    let throttled = row.throttled_action_count > 0.0
        || row
            .dimensions
            .as_ref()
            .is_some_and(|d| d.rps.throttled > 0.0 || d.ops.throttled > 0.0);
    let capacity_now = capacity_cell(row.current_capacity_mode, row.current_trus);
    let Some(action) = row.action else {
        return NamespaceReport {
            namespace: row.namespace.clone(),
            action: "error".into(),
            changes: false,
            capacity_recommended: capacity_now.clone(),
            capacity_now,
            utilization: row.utilization,
            hourly_usd_now: None,
            hourly_usd_recommended: None,
            throttled,
            reason: row.error.as_ref().map_or_else(
                || "not analyzed".to_string(),
                |e| format!("Not analyzed: {e}"),
            ),
            facts: Vec::new(),
            commands: Vec::new(),
            command_note: None,
            charts: Vec::new(),
        };
    };
    let recommended = match (row.recommended_capacity_mode, row.recommended_trus) {
        (Some(Mode::Provisioned), Some(trus)) => Some(CapacitySpec::Provisioned {
            value: f64::from(trus),
        }),
        (Some(Mode::OnDemand), _) => Some(CapacitySpec::OnDemand),
        _ => None,
    };
    let changes = !matches!(action, Action::Keep | Action::Pending);
    let commands: Vec<String> = recommended
        .filter(|_| changes)
        .map(|spec| crate::capacity::change::command_for(&row.namespace, spec))
        .into_iter()
        .collect();
    let command_note = match (action, row.next_change_after) {
        (Action::Pending, _) => {
            Some("A capacity request is in progress; nothing new is proposed until it ends.".into())
        }
        (_, Some(after)) if changes => Some(format!(
            "(after {}: TRUs can be adjusted hourly)",
            after.to_rfc3339_opts(SecondsFormat::Secs, true)
        )),
        _ => None,
    };
    NamespaceReport {
        namespace: row.namespace.clone(),
        action: action.as_str().into(),
        changes,
        capacity_recommended: capacity_cell(
            row.recommended_capacity_mode,
            row.recommended_trus.map(f64::from),
        ),
        capacity_now,
        utilization: row.utilization,
        hourly_usd_now: row.cost.as_ref().map(|c| c.hourly_usd_now),
        hourly_usd_recommended: row.cost.as_ref().map(|c| c.hourly_usd_recommended),
        throttled,
        reason: row.reason.clone().unwrap_or_default(),
        facts: Vec::new(),
        commands,
        command_note,
        charts: charts(index, row),
    }
}

/// One chart: a row per dimension, what was used now (and, for actions, the 7-day mean to
/// p99) against the limit now and the limit as recommended (the capacity is in the section's
/// heading).
pub fn charts(index: usize, row: &Row) -> Vec<Chart> {
    let Some(dims) = &row.dimensions else {
        return Vec::new();
    };
    let rows = [
        (Dimension::Aps, &dims.aps),
        (Dimension::Rps, &dims.rps),
        (Dimension::Ops, &dims.ops),
    ]
    .into_iter()
    .map(|(dimension, figures)| {
        let mut limits = Vec::new();
        if let Some(limit) = figures.limit {
            limits.push(Limit {
                label: "limit".into(),
                value: limit,
                kind: LimitKind::Current,
            });
        }
        if let Some(proposed) = recommended_limit(row, dimension, figures.on_demand_limit)
            && figures.limit.is_none_or(|l| (l - proposed).abs() >= 0.5)
        {
            limits.push(Limit {
                label: "recommended".into(),
                value: proposed,
                kind: LimitKind::Proposed,
            });
        }
        Gauge {
            unit: dimension.unit().into(),
            now: figures.count,
            throttled: figures.throttled,
            week: row
                .aps_7d
                .filter(|_| dimension == Dimension::Aps)
                .map(|s| Week {
                    mean: s.mean,
                    p99: s.p99,
                }),
            limits,
        }
    })
    .collect();
    vec![Chart::Gauges(Gauges {
        id: format!("g{index}"),
        rows,
    })]
}

/// The limit of `dimension` under the recommended capacity: the TRUs' share, or what
/// On-Demand would give.
fn recommended_limit(row: &Row, dimension: Dimension, on_demand: f64) -> Option<f64> {
    match (row.recommended_capacity_mode?, row.recommended_trus) {
        (Mode::Provisioned, Some(trus)) => Some(f64::from(trus) * dimension.per_tru()),
        (Mode::OnDemand, _) => Some(on_demand),
        (Mode::Provisioned, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capacity::dimension::Reading;
    use crate::capacity::recommend::{ApsStats, Policy};
    use crate::capacity::usage::Usage;
    use crate::cloud::model::CapacityInfo;
    use crate::error::{ApiError, ApiErrorKind, Service};

    fn on_demand_info() -> CapacityInfo {
        CapacityInfo {
            namespace: "orders.x".into(),
            valid_tru_values: vec![2.0, 3.0, 4.0, 6.0, 8.0],
            max_available_tru_value: Some(8.0),
            on_demand_aps_limit: Some(500.0),
            aps: Some(ApsStats {
                mean: 300.0,
                p90: 450.0,
                p99: 480.0,
            }),
            ..CapacityInfo::default()
        }
    }

    fn row(usage: Usage, info: Result<CapacityInfo, ApiError>) -> Row {
        let policy = Policy::new(0.75).unwrap();
        build_row("orders.x", &usage, true, info, &policy, Utc::now())
    }

    #[test]
    fn a_throttled_namespace_gets_its_charts_and_its_command() {
        let usage = Usage {
            action_limit: Some(500.0),
            action_count: 500.0,
            throttled: 50.0,
            requests: Reading {
                limit: Some(2000.0),
                count: 300.0,
                throttled: 0.0,
                envelope: None,
            },
            operations: Reading {
                limit: Some(4000.0),
                count: 900.0,
                throttled: 0.0,
                envelope: None,
            },
            ..Usage::default()
        };
        let row = row(usage, Ok(on_demand_info()));
        assert_eq!(row.action, Some(Action::Provision), "{:?}", row.reason);
        let trus = row.recommended_trus.unwrap();
        let ns = namespace(7, &row);
        assert_eq!(ns.action, "provision");
        assert!(ns.changes && ns.throttled);
        assert_eq!(ns.commands, [format!("tcap provision orders.x {trus}")]);
        assert_eq!(ns.capacity_recommended, format!("{trus} TRUs"));

        let [Chart::Gauges(gauges)] = &ns.charts[..] else {
            panic!("{:?}", ns.charts)
        };
        assert_eq!(gauges.id, "g7");
        let [aps, rps, ops] = &gauges.rows[..] else {
            panic!("{gauges:?}")
        };
        assert_eq!((aps.now, aps.throttled), (500.0, 50.0));
        assert_eq!(
            aps.week,
            Some(Week {
                mean: 300.0,
                p99: 480.0
            })
        );
        let limits: Vec<(f64, LimitKind)> = aps.limits.iter().map(|l| (l.value, l.kind)).collect();
        assert_eq!(
            limits,
            [
                (500.0, LimitKind::Current),
                (f64::from(trus) * 500.0, LimitKind::Proposed)
            ]
        );
        // Requests and operations: the window only, against their own limits per TRU.
        assert_eq!((rps.now, rps.week), (300.0, None));
        assert_eq!(rps.limits[1].value, f64::from(trus) * 1500.0);
        assert_eq!(ops.limits[1].value, f64::from(trus) * 4000.0);
        assert_eq!(ops.unit, "OPS");
    }

    #[test]
    fn a_namespace_at_its_recommendation_has_no_command_and_one_limit_line() {
        let usage = Usage {
            action_limit: Some(500.0),
            action_count: 100.0,
            ..Usage::default()
        };
        let mut info = on_demand_info();
        info.aps = Some(ApsStats {
            mean: 50.0,
            p90: 90.0,
            p99: 120.0,
        });
        let row = row(usage, Ok(info));
        assert_eq!(row.action, Some(Action::Keep), "{:?}", row.reason);
        let ns = namespace(0, &row);
        assert!(!ns.changes && !ns.throttled);
        assert!(ns.commands.is_empty());
        // On-Demand now and as recommended: the same limit, drawn once.
        let [Chart::Gauges(gauges)] = &ns.charts[..] else {
            panic!("{:?}", ns.charts)
        };
        assert_eq!(gauges.rows[0].limits.len(), 1, "{gauges:?}");
    }

    #[test]
    fn a_namespace_that_could_not_be_read_says_why_and_draws_nothing() {
        let error = ApiError {
            service: Service::CloudOps,
            kind: ApiErrorKind::PermissionDenied,
            status: Some(403),
            code: None,
            message: "not allowed".into(),
            retry_after: None,
        };
        let row = row(Usage::default(), Err(error));
        let ns = namespace(0, &row);
        assert_eq!(ns.action, "error");
        assert!(ns.charts.is_empty() && ns.commands.is_empty());
        assert!(ns.reason.starts_with("Not analyzed: "), "{}", ns.reason);
        assert!(ns.reason.contains("not allowed"), "{}", ns.reason);
        assert_eq!(ns.hourly_usd_now, None);
    }

    #[test]
    fn an_empty_analysis_says_so() {
        let page = page(&[], 50.0, 0.75, Utc::now());
        assert!(page.contains("No namespaces found in the metrics"));
        assert!(page.contains("No namespaces to show."));
    }
}
