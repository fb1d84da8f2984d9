//! The Metrics API: `GET /v1/metrics`, OpenMetrics text for the latest one-minute window.

use std::fmt::Write as _;
use std::time::Duration;

use axum::http::{HeaderName, Method, StatusCode, header};
use chrono::{DateTime, Utc};

use super::account::{Limits, Namespace};
use super::faults;
use super::wire::{OPENMETRICS, Reply, parse_query, round_to};
use super::{Incoming, Shared, State};

const X_COMPLETENESS: HeaderName = HeaderName::from_static("x-completeness");
const BUDGET_WINDOW: Duration = Duration::from_secs(3600);
/// "this endpoint returns metrics from the current timestamp minus a fixed offset. The current
/// offset is 3 minutes rounded down to the start of the minute".
const METRICS_OFFSET_SECONDS: i64 = 180;
/// "30k total datapoints per scrape"; beyond it the answer is cut and marked `limited`.
const MAX_DATAPOINTS: usize = 30_000;

pub(crate) const ACTION_LIMIT: &str = "temporal_cloud_v1_action_limit";
pub(crate) const TOTAL_ACTION_COUNT: &str = "temporal_cloud_v1_total_action_count";
pub(crate) const THROTTLED_COUNT: &str = "temporal_cloud_v1_total_action_throttled_count";
pub(crate) const ENVELOPE_LIMIT: &str = "temporal_cloud_v1_action_on_demand_envelope_limit";
pub(crate) const TRU_COUNT: &str = "temporal_cloud_v1_provisioned_capacity_tru_count";
const REQUEST_LIMIT: &str = "temporal_cloud_v1_service_request_limit";
const REQUEST_COUNT: &str = "temporal_cloud_v1_service_request_count";
const REQUEST_THROTTLED: &str = "temporal_cloud_v1_service_request_throttled_count";
const REQUEST_ENVELOPE: &str = "temporal_cloud_v1_service_request_on_demand_envelope_limit";
const OPERATIONS_LIMIT: &str = "temporal_cloud_v1_operations_limit";
const OPERATIONS_COUNT: &str = "temporal_cloud_v1_operations_count";
const OPERATIONS_THROTTLED: &str = "temporal_cloud_v1_operations_throttled_count";
const OPERATIONS_ENVELOPE: &str = "temporal_cloud_v1_operations_on_demand_envelope_limit";

/// Frontend operations and their share of a namespace's requests (the real list is longer;
/// these are enough to make per-operation series weigh on the 30k cap).
const REQUEST_OPERATIONS: [(&str, f64); 8] = [
    ("PollWorkflowTaskQueue", 0.25),
    ("PollActivityTaskQueue", 0.25),
    ("RespondWorkflowTaskCompleted", 0.15),
    ("RespondActivityTaskCompleted", 0.15),
    ("StartWorkflowExecution", 0.08),
    ("SignalWorkflowExecution", 0.05),
    ("QueryWorkflow", 0.04),
    ("DescribeWorkflowExecution", 0.03),
];

/// Operations and their share; `DeleteWorkflowExecution` runs in the background.
const OPERATIONS: [(&str, f64); 5] = [
    ("CreateWorkflowExecution", 0.3),
    ("UpdateWorkflowExecution", 0.4),
    ("RecordActivityTaskStarted", 0.2),
    ("RecordWorkflowTaskStarted", 0.1),
    ("DeleteWorkflowExecution", 0.0),
];

/// The families the emulator models, in the order it prints them, with their HELP text.
const FAMILIES: [(&str, &str); 13] = [
    (
        ACTION_LIMIT,
        "The current configured actions per second limit for a namespace",
    ),
    (
        TOTAL_ACTION_COUNT,
        "The total number of actions performed per second",
    ),
    (
        THROTTLED_COUNT,
        "The total number of actions throttled per second",
    ),
    (
        ENVELOPE_LIMIT,
        "The action limit the namespace would have in on-demand capacity mode",
    ),
    (
        TRU_COUNT,
        "The number of Temporal Resource Units provisioned for the namespace, 0 when not in provisioned capacity mode",
    ),
    (
        REQUEST_LIMIT,
        "The current configured service requests per second limit for a namespace",
    ),
    (
        REQUEST_COUNT,
        "The number of service requests per second, by operation",
    ),
    (
        REQUEST_THROTTLED,
        "The number of service requests throttled per second, by operation",
    ),
    (
        REQUEST_ENVELOPE,
        "The service request limit the namespace would have in on-demand capacity mode",
    ),
    (
        OPERATIONS_LIMIT,
        "The current configured operations per second limit for a namespace",
    ),
    (
        OPERATIONS_COUNT,
        "The number of operations per second, by operation",
    ),
    (
        OPERATIONS_THROTTLED,
        "The number of operations throttled per second, by operation",
    ),
    (
        OPERATIONS_ENVELOPE,
        "The operations limit the namespace would have in on-demand capacity mode",
    ),
];

/// Real families the emulator has no data for: asked for, they come back quiet (TYPE and
/// HELP, no samples), as a family with nothing to report does.
const QUIET_FAMILIES: &[&str] = &[
    "temporal_cloud_v1_service_error_count",
    "temporal_cloud_v1_service_pending_requests",
    "temporal_cloud_v1_resource_exhausted_error_count",
    "temporal_cloud_v1_service_latency_p50",
    "temporal_cloud_v1_service_latency_p95",
    "temporal_cloud_v1_service_latency_p99",
    "temporal_cloud_v1_workflow_success_count",
    "temporal_cloud_v1_workflow_failed_count",
    "temporal_cloud_v1_workflow_timeout_count",
    "temporal_cloud_v1_workflow_cancel_count",
    "temporal_cloud_v1_workflow_terminate_count",
    "temporal_cloud_v1_workflow_continued_as_new_count",
    "temporal_cloud_v1_approximate_backlog_count",
    "temporal_cloud_v1_namespace_open_workflows",
    "temporal_cloud_v1_billable_action_count",
    "temporal_cloud_v1_poller_limit",
];

/// What `POST /_dev/metrics/next` asks of the next metrics request.
#[derive(Clone, Debug, Default)]
pub(crate) struct MetricsOverride {
    pub status: Option<u16>,
    pub retry_after: Option<u64>,
    pub completeness: Option<String>,
}

fn plain(status: StatusCode, text: &str) -> Reply {
    Reply::text(status, format!("{text}\n"))
}

pub(crate) fn handle(
    shared: &Shared,
    state: &mut State,
    incoming: &Incoming,
) -> (Reply, Option<&'static str>) {
    if incoming.path != "/v1/metrics" {
        return (plain(StatusCode::NOT_FOUND, "404 page not found"), None);
    }
    if incoming.method != Method::GET {
        return (
            plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
            None,
        );
    }
    // The real error body is UNVERIFIED beyond "short text"; plain text keeps clients from
    // depending on a JSON shape.
    match incoming.bearer() {
        Some(key) if key == shared.config.admin_key || key == shared.config.metrics_key => {}
        Some(_) => return (plain(StatusCode::UNAUTHORIZED, "invalid API key"), None),
        None => return (plain(StatusCode::UNAUTHORIZED, "missing API key"), None),
    }

    // The budget's hour is an emulated one: a replay at 60× gets 180 requests a real minute,
    // as a client polling at the same emulated pace would.
    let now = shared.clock.now();
    let elapsed = |start: DateTime<Utc>| (now - start).to_std().unwrap_or(Duration::ZERO);
    let window = match state.metrics_window {
        Some((start, count)) if elapsed(start) < BUDGET_WINDOW => (start, count),
        _ => (now, 0),
    };
    if window.1 >= shared.config.metrics_requests_per_hour {
        state.metrics_window = Some(window);
        state.stats.metrics_budget_exceeded += 1;
        // `Retry-After` is waited out on the client's clock: the emulated wait, in real time.
        let left = shared
            .clock
            .real(BUDGET_WINDOW.saturating_sub(elapsed(window.0)));
        let retry_after = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        let reply = plain(
            StatusCode::TOO_MANY_REQUESTS,
            "rate limit exceeded: too many requests for this account in the last hour",
        )
        .with_header(header::RETRY_AFTER, retry_after.max(1).to_string());
        return (reply, None);
    }
    state.metrics_window = Some((window.0, window.1 + 1));

    let forced = state.metrics_next.take().unwrap_or_default();
    if let Some(status) = forced
        .status
        .and_then(|code| StatusCode::from_u16(code).ok())
        && status != StatusCode::OK
    {
        let text = status.canonical_reason().unwrap_or("error").to_lowercase();
        let mut reply = plain(status, &text);
        if let Some(retry_after) = forced.retry_after {
            reply = reply.with_header(header::RETRY_AFTER, retry_after.to_string());
        }
        return (reply, None);
    }

    let fault = faults::roll(&mut state.fault_rng, shared.config.fault_rate);
    if let Some(fault) = fault.filter(|fault| fault.replaces_answer()) {
        return (faults::error_reply(fault, false), Some(fault.name()));
    }

    let params = parse_query(&incoming.query);
    let families: Vec<&str> = params
        .iter()
        .filter(|(key, _)| key == "metrics")
        .map(|(_, value)| value.as_str())
        .collect();
    let patterns: Vec<String> = params
        .iter()
        .filter(|(key, _)| key == "namespaces")
        .map(|(_, value)| value.clone())
        .collect();
    let limited_on_request = forced.completeness.as_deref() == Some("limited");
    let (body, complete) = render(
        state,
        &shared.account_id,
        shared.config.bare_namespace_labels,
        &families,
        &patterns,
        limited_on_request,
        now,
    );
    let completeness = match forced.completeness.as_deref() {
        Some("unknown") => "unknown",
        _ if !complete => "limited",
        _ => "complete",
    };
    let reply = Reply {
        status: StatusCode::OK,
        content_type: OPENMETRICS,
        headers: vec![(X_COMPLETENESS, completeness.to_string())],
        body: body.into_bytes(),
        drop_after: None,
    };
    match fault {
        Some(fault) => (faults::mangle(fault, reply), Some(fault.name())),
        None => (reply, None),
    }
}

/// One sample line, before formatting.
struct Sample {
    family: &'static str,
    labels: Vec<(&'static str, String)>,
    value: f64,
}

fn matches(ns: &Namespace, patterns: &[glob::Pattern], raw: &[String]) -> bool {
    if raw.is_empty() {
        return true;
    }
    patterns
        .iter()
        .any(|pattern| pattern.matches(&ns.name) || pattern.matches(&ns.id))
        || raw.iter().any(|text| *text == ns.name || *text == ns.id)
}

/// Served and throttled per second in one dimension, over one window.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Flow {
    pub served: f64,
    pub throttled: f64,
}

/// What one namespace reports for one one-minute window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Window {
    /// In force at the end of the window (a gauge reports its latest value).
    pub limits: Limits,
    /// What On-Demand would give.
    pub envelope: Limits,
    pub trus: f64,
    pub actions: Flow,
    pub requests: Flow,
    pub operations: Flow,
    pub background: f64,
    pub standby: f64,
    /// Whether any action was asked for or ran in the background; an idle window has no count
    /// rows at all.
    pub active: bool,
}

impl Window {
    /// The generated account's steady load under the namespace's capacity now.
    pub(crate) fn steady(ns: &Namespace) -> Window {
        let limits = ns.limits();
        Window {
            limits,
            envelope: Limits::on_demand(&ns.aps),
            trus: ns.mode.trus(),
            actions: served(ns.demand, limits.actions),
            requests: served(ns.requests, limits.requests),
            operations: served(ns.operations, limits.operations),
            background: ns.background,
            standby: ns.standby,
            active: ns.demand > 0.0 || ns.background > 0.0,
        }
    }
}

/// What gets through of `demand` under `limit`, and what is throttled: demand above the limit
/// is throttled, and what gets through sits just under the limit (a throttled workload does
/// not quite fill it).
/// The replay's ledger counts these same figures.
pub(crate) fn served(demand: f64, limit: f64) -> Flow {
    if demand > limit {
        Flow {
            served: round_to(limit * 0.98, 2),
            throttled: round_to(demand - limit, 2),
        }
    } else {
        Flow {
            served: demand,
            throttled: 0.0,
        }
    }
}

fn samples_for(
    ns: &Namespace,
    window: &Window,
    account: &str,
    bare_labels: bool,
    family: &'static str,
    out: &mut Vec<Sample>,
) {
    if ns.silent {
        return;
    }
    let label = if bare_labels { &ns.name } else { &ns.id };
    let base = || {
        vec![
            ("temporal_namespace", label.clone()),
            ("temporal_account", account.to_string()),
        ]
    };
    let (count, throttled) = (window.actions.served, window.actions.throttled);
    match family {
        ACTION_LIMIT => {
            for region in &ns.regions {
                let mut labels = base();
                labels.push(("region", region.clone()));
                out.push(Sample {
                    family,
                    labels,
                    value: window.limits.actions,
                });
            }
        }
        TOTAL_ACTION_COUNT => {
            // An idle namespace reports nothing at all in the window.
            if !window.active {
                return;
            }
            let mut rows = vec![
                ("false", "active", count),
                ("true", "active", window.background),
            ];
            if ns.regions.len() > 1 {
                rows.push(("false", "standby", window.standby));
            }
            for (background, mode, value) in rows {
                let mut labels = base();
                labels.push(("is_background", background.to_string()));
                labels.push(("namespace_mode", mode.to_string()));
                out.push(Sample {
                    family,
                    labels,
                    value,
                });
            }
        }
        // Only throttling that happened shows up.
        THROTTLED_COUNT if throttled > 0.0 => out.push(Sample {
            family,
            labels: base(),
            value: throttled,
        }),
        ENVELOPE_LIMIT => out.push(Sample {
            family,
            labels: base(),
            value: window.envelope.actions,
        }),
        TRU_COUNT => out.push(Sample {
            family,
            labels: base(),
            value: window.trus,
        }),
        REQUEST_LIMIT | OPERATIONS_LIMIT => {
            let value = if family == REQUEST_LIMIT {
                window.limits.requests
            } else {
                window.limits.operations
            };
            for region in &ns.regions {
                let mut labels = base();
                labels.push(("region", region.clone()));
                out.push(Sample {
                    family,
                    labels,
                    value,
                });
            }
        }
        REQUEST_ENVELOPE => out.push(Sample {
            family,
            labels: base(),
            value: window.envelope.requests,
        }),
        OPERATIONS_ENVELOPE => out.push(Sample {
            family,
            labels: base(),
            value: window.envelope.operations,
        }),
        REQUEST_COUNT | REQUEST_THROTTLED => {
            let total = if family == REQUEST_COUNT {
                window.requests.served
            } else {
                window.requests.throttled
            };
            for (operation, share) in REQUEST_OPERATIONS {
                let value = round_to(total * share, 2);
                // A quiet operation sends no series, as a family with nothing to report does.
                if value > 0.0 {
                    let mut labels = base();
                    labels.push(("operation", operation.to_string()));
                    out.push(Sample {
                        family,
                        labels,
                        value,
                    });
                }
            }
        }
        OPERATIONS_COUNT | OPERATIONS_THROTTLED => {
            let total = if family == OPERATIONS_COUNT {
                window.operations.served
            } else {
                window.operations.throttled
            };
            for (operation, share) in OPERATIONS {
                let mut rows = vec![("false", "active", round_to(total * share, 2))];
                if family == OPERATIONS_COUNT && share == 0.0 {
                    // Background deletions: reported, and not counted toward the limit.
                    rows = vec![("true", "active", round_to(window.background * 0.5, 2))];
                } else if family == OPERATIONS_COUNT && ns.regions.len() > 1 {
                    rows.push(("false", "standby", round_to(total * share * 0.02, 2)));
                }
                for (background, mode, value) in rows {
                    if value > 0.0 {
                        let mut labels = base();
                        labels.push(("operation", operation.to_string()));
                        labels.push(("is_background", background.to_string()));
                        labels.push(("namespace_mode", mode.to_string()));
                        out.push(Sample {
                            family,
                            labels,
                            value,
                        });
                    }
                }
            }
        }
        _ => {}
    }
}

/// The docs print `42.0`; other values keep at most two decimals.
fn format_value(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.1}")
    } else {
        format!("{}", round_to(value, 2))
    }
}

/// The body and whether it is complete.
fn render(
    state: &State,
    account: &str,
    bare_labels: bool,
    requested: &[&str],
    raw_patterns: &[String],
    force_limited: bool,
    now: DateTime<Utc>,
) -> (String, bool) {
    // Exact family names only: a comma-separated value is one unknown name (stricter; the
    // docs only promise repeated keys). Unknown names select nothing.
    let mut families: Vec<(&'static str, &'static str)> = Vec::new();
    let mut quiet: Vec<&str> = Vec::new();
    if requested.is_empty() {
        families.extend(FAMILIES);
    } else {
        for (name, help) in FAMILIES {
            if requested.contains(&name) {
                families.push((name, help));
            }
        }
        for name in QUIET_FAMILIES {
            if requested.contains(name) {
                quiet.push(name);
            }
        }
    }
    let patterns: Vec<glob::Pattern> = raw_patterns
        .iter()
        .filter_map(|text| glob::Pattern::new(text).ok())
        .collect();
    // "current timestamp minus a fixed offset ... 3 minutes rounded down to the start of the
    // minute", in milliseconds as in the docs' example. A replay serves the minute that ends
    // then, so its figures are as late as the real endpoint's.
    let window_end = (now.timestamp() - METRICS_OFFSET_SECONDS).div_euclid(60) * 60;
    let window = window_end * 1000;
    let replayed = |ns: &Namespace| {
        let end = DateTime::from_timestamp(window_end, 0)?;
        state.replay.as_ref()?.window(&ns.id, end)
    };
    let mut selected: Vec<(&Namespace, Window)> = state
        .namespaces
        .values()
        .filter(|ns| matches(ns, &patterns, raw_patterns))
        .map(|ns| (ns, replayed(ns).unwrap_or_else(|| Window::steady(ns))))
        .collect();
    if force_limited {
        // A cut answer misses whole namespaces, which is what a client must not hide.
        selected.truncate(selected.len() / 2);
    }

    let mut samples: Vec<Sample> = Vec::new();
    for (family, _) in &families {
        for (ns, window) in &selected {
            samples_for(ns, window, account, bare_labels, family, &mut samples);
        }
    }
    let complete = samples.len() <= MAX_DATAPOINTS && !force_limited;
    samples.truncate(MAX_DATAPOINTS);
    let mut body = String::new();
    let mut row = 0usize;
    for (index, (family, help)) in families.iter().enumerate() {
        if index > 0 {
            // The docs' example separates families with a blank line.
            body.push('\n');
        }
        // ... and has trailing spaces after `gauge` on some TYPE lines.
        let trailing = if index == 1 { "  " } else { "" };
        let _ = writeln!(body, "# TYPE {family} gauge{trailing}");
        let _ = writeln!(body, "# HELP {family} {help}");
        for sample in samples.iter().filter(|sample| sample.family == *family) {
            // The docs' example puts a space after some commas inside a label set.
            let separator = if row % 2 == 1 { ", " } else { "," };
            row += 1;
            let labels = sample
                .labels
                .iter()
                .map(|(key, value)| format!("{key}=\"{value}\""))
                .collect::<Vec<_>>()
                .join(separator);
            let _ = writeln!(
                body,
                "{family}{{{labels}}} {} {window}",
                format_value(sample.value)
            );
        }
    }
    for family in quiet {
        let _ = writeln!(body, "\n# TYPE {family} gauge");
        let _ = writeln!(
            body,
            "# HELP {family} Not modelled by the emulator; reported as quiet."
        );
    }
    body.push_str("# EOF\n");
    (body, complete)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_print_like_the_docs() {
        assert_eq!(format_value(2000.0), "2000.0");
        assert_eq!(format_value(1720.349), "1720.35");
        assert_eq!(format_value(0.0), "0.0");
    }

    #[test]
    fn throttling_follows_the_limit() {
        let account = super::super::account::generate(1, 6);
        let throttled = account
            .namespaces
            .iter()
            .find(|ns| ns.profile == super::super::account::Profile::OnDemandThrottled)
            .unwrap();
        let Flow {
            served: count,
            throttled: over,
        } = Window::steady(throttled).actions;
        let limit = throttled.action_limit();
        assert!((count - limit * 0.98).abs() < 0.01);
        assert!((20.0..=200.0).contains(&over), "{over}");
    }
}
