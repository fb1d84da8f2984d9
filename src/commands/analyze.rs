//! `tcap analyze`: one metrics call for the whole account, one capacity-info call per
//! namespace, and a recommendation for each.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use clap::Args;
use futures_util::{StreamExt, stream};
use serde::{Serialize, Serializer};

use super::Context;
use super::slack::SlackArgs;
use crate::alert::Level;
use crate::capacity::Mode;
use crate::capacity::cost::{self, Basis, LIST_PRICE_PER_MILLION_ACTIONS};
use crate::capacity::growth;
use crate::capacity::plan::{self, Capacity, History, Prepared};
use crate::capacity::recommend::{
    self, Action, ApsStats, Dimension, Figures, LatestRequest, Policy, Recommendation, fmt_int,
    fmt_usd,
};
use crate::capacity::select::{Filter, name_part};
use crate::capacity::usage::{Usage, aggregate, attribute};
use crate::cloud::coverage;
use crate::cloud::metrics::{CAPACITY_FAMILIES, MetricsClient};
use crate::cloud::model::{CapacityInfo, CapacitySpec, RequestState};
use crate::cloud::ops::OpsClient;
use crate::cloud::pace::CLOUD_OPS_RATE_LIMIT;
use crate::error::{ApiError, ApiErrorKind, Error, Result, Service};
use crate::history::{self, Prometheus};
use crate::output::{Column, Fit, OutputFormat, num, nums, opt_num, tidy, utilization_bar};
use crate::settings::{PrometheusArgs, process_env};

mod html;

#[derive(Debug, Args)]
#[command(
    override_usage = "tcap analyze [OPTIONS]",
    after_help = "\
Examples:
  # Try it on a built-in emulated account: no key, no network
  tcap --demo analyze

  # The namespaces whose capacity should change, one a line
  tcap analyze -o json | jq -r '.[] | select(.action != \"keep\") | .namespace'

  # Only the payments namespaces, spending at most 4 Metrics API calls
  tcap analyze --namespace 'payments-*' --max-metrics-calls 4"
)]
pub struct AnalyzeArgs {
    /// Only namespaces matching this glob (ID or name part); repeatable
    #[arg(long = "namespace", value_name = "GLOB")]
    pub namespaces: Vec<String>,
    /// Leave out namespaces matching this glob (ID or name part); repeatable
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Cloud Ops requests in flight at once
    #[arg(long, default_value_t = DEFAULT_CONCURRENCY, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub concurrency: u32,
    /// Cloud Ops requests per second at most; a 429 slows the run below it for a while
    /// (Temporal allows 80 per service account, 40 per user)
    #[arg(long, default_value_t = CLOUD_OPS_RATE_LIMIT, value_parser = parse_rate, value_name = "RPS")]
    pub rate_limit: f64,
    /// Share of the limit a namespace should use at its 7-day p99, in (0, 1]
    #[arg(long, default_value_t = recommend::DEFAULT_TARGET_UTILIZATION, value_parser = recommend::parse_target, value_name = "0.0-1.0")]
    pub target_utilization: f64,
    /// Metrics API requests this run may spend, retries included (the account has 180 an
    /// hour, shared with its other scrapers); a cut answer is read again in parts within it
    #[arg(long, default_value_t = 8, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=180))]
    pub max_metrics_calls: u32,
    /// Dollars per million actions for the cost figures [default: 50, the list price]
    #[arg(long, env = "TCAP_PRICE_PER_MILLION_ACTIONS", value_parser = recommend::parse_price, value_name = "USD")]
    pub price_per_million_actions: Option<f64>,
    /// Post a summary of the namespaces whose action is not `keep` to Slack
    #[arg(long)]
    pub notify: bool,
    #[command(flatten)]
    pub slack: SlackArgs,
    /// With a Prometheus history: each row gets `history` (p99, growth, exact hourly costs)
    #[command(flatten)]
    pub prometheus: PrometheusArgs,
}

/// Enough requests in flight to reach the rate limit at up to 400 ms per answer; the rate, not
/// this, is what keeps the run within the account's limit.
const DEFAULT_CONCURRENCY: u32 = 32;

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if (0.1..=10_000.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "'{s}' is not a number of requests per second between 0.1 and 10000"
        )),
    }
}

/// One line of the result; the JSON field names are the contract's.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub namespace: String,
    #[serde(serialize_with = "opt_num")]
    pub action_limit: Option<f64>,
    #[serde(serialize_with = "num")]
    pub action_count: f64,
    #[serde(serialize_with = "num")]
    pub throttled_action_count: f64,
    #[serde(serialize_with = "num")]
    pub background_action_count: f64,
    /// False when the metrics window held no series at all for the namespace (idle the whole
    /// minute): its usage is zero, and it is listed all the same.
    pub in_metrics: bool,
    #[serde(serialize_with = "opt_num")]
    pub utilization: Option<f64>,
    pub current_capacity_mode: Option<Mode>,
    #[serde(serialize_with = "opt_num")]
    pub current_trus: Option<f64>,
    pub latest_request_state: Option<String>,
    pub recommended_capacity_mode: Option<Mode>,
    pub recommended_trus: Option<u32>,
    pub action: Option<Action>,
    pub reason: Option<String>,
    pub aps_7d: Option<ApsStats>,
    #[serde(serialize_with = "opt_num")]
    pub on_demand_aps_limit: Option<f64>,
    #[serde(serialize_with = "nums")]
    pub valid_tru_values: Vec<f64>,
    #[serde(serialize_with = "opt_num")]
    pub max_available_trus: Option<f64>,
    #[serde(serialize_with = "opt_num")]
    pub demand_aps: Option<f64>,
    #[serde(serialize_with = "opt_num")]
    pub required_aps: Option<f64>,
    pub support_request: bool,
    pub billing: Option<recommend::BillingNote>,
    /// The dimension the recommendation is sized by.
    pub binding_dimension: Option<Dimension>,
    /// Limit, count, throttling and need of actions, requests and operations.
    pub dimensions: Option<Dimensions>,
    pub cost: Option<CostRow>,
    /// The latest capacity change ended less than an hour ago; TRUs can be adjusted hourly.
    pub next_change_after: Option<DateTime<Utc>>,
    /// From the Prometheus history (`--prometheus`); absent without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<HistoryRow>,
    /// Why the namespace could not be read, said in full in the output.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "error_text")]
    pub error: Option<ApiError>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Dimensions {
    pub aps: DimensionRow,
    pub rps: DimensionRow,
    pub ops: DimensionRow,
}

/// One dimension's figures, per second.
#[derive(Clone, Debug, Serialize)]
pub struct DimensionRow {
    #[serde(serialize_with = "opt_num")]
    pub limit: Option<f64>,
    #[serde(serialize_with = "num")]
    pub count: f64,
    #[serde(serialize_with = "num")]
    pub throttled: f64,
    #[serde(serialize_with = "opt_num")]
    pub utilization: Option<f64>,
    #[serde(serialize_with = "num")]
    pub on_demand_limit: f64,
    #[serde(serialize_with = "num")]
    pub required: f64,
    pub trus_needed: u32,
}

impl From<Figures> for DimensionRow {
    fn from(f: Figures) -> Self {
        DimensionRow {
            limit: f.limit,
            count: f.count,
            throttled: f.throttled,
            utilization: f.limit.filter(|l| *l > 0.0).map(|l| f.count / l),
            on_demand_limit: f.on_demand_limit,
            required: f.required,
            trus_needed: f.trus_needed,
        }
    }
}

/// An hour now and as recommended, in dollars: actions used or the TRU minimum, whichever is
/// larger, at the price.
#[derive(Clone, Debug, Serialize)]
pub struct CostRow {
    #[serde(serialize_with = "num")]
    pub hourly_usd_now: f64,
    #[serde(serialize_with = "num")]
    pub hourly_usd_recommended: f64,
    pub basis: Basis,
}

fn error_text<S: Serializer>(error: &Option<ApiError>, s: S) -> Result<S::Ok, S::Error> {
    match error {
        Some(e) => s.collect_str(e),
        None => s.serialize_none(),
    }
}

pub async fn run(args: AnalyzeArgs, ctx: &Context) -> Result<()> {
    // Everything that can be wrong with the input is found before the first request.
    let filter = Filter::new(&args.namespaces, &args.exclude)?;
    let price = args
        .price_per_million_actions
        .or(ctx.settings.config_price_per_million_actions)
        .unwrap_or(LIST_PRICE_PER_MILLION_ACTIONS);
    let policy = Policy::new(args.target_utilization)
        .and_then(|p| p.with_price(price))
        .map_err(Error::Usage)?;
    let slack = if args.notify {
        Some(args.slack.client(ctx)?.ok_or_else(|| {
            Error::Usage("--notify needs SLACK_WEBHOOK_URL or --slack-webhook-url".into())
        })?)
    } else {
        None
    };
    let prometheus = ctx
        .settings
        .prometheus_endpoint(&args.prometheus, &process_env)?
        .map(|e| Prometheus::new(&e))
        .transpose()?;
    let metrics = MetricsClient::new(&ctx.settings.metrics_endpoint()?)?
        .with_call_limit(args.max_metrics_calls);
    let ops = OpsClient::new(&ctx.settings.cloud_ops_endpoint()?)?.with_rate_limit(args.rate_limit);

    let first = metrics.fetch(&CAPACITY_FAMILIES).await?;
    // The account's namespaces come from the Cloud Ops list (a few pages for thousands), read
    // once the metrics answered: a namespace idle for the whole window has no series, and the
    // metrics alone would miss it. The list also sizes the parts of a cut answer.
    let listed: Vec<String> = ops.list_namespace_ids().await?;
    let id_of_name: BTreeMap<&str, &str> = listed
        .iter()
        .map(|id| (name_part(id), id.as_str()))
        .collect();
    let names: Vec<String> = id_of_name.keys().map(|n| n.to_string()).collect();
    let wanted = |name: &str| filter.matches(id_of_name.get(name).copied().unwrap_or(name));
    // Each part's samples are summed as they arrive: the parts are disjoint, so a namespace's
    // series all come in one of them.
    let mut by_label: BTreeMap<String, Usage> = BTreeMap::new();
    let mut warnings = Vec::new();
    let coverage = coverage::complete(
        &metrics,
        &CAPACITY_FAMILIES,
        first,
        &names,
        wanted,
        |samples| {
            let (usage, mut notes) = aggregate(&samples);
            by_label.extend(usage);
            warnings.append(&mut notes);
        },
    )
    .await?;
    let parts = if coverage.parts > 1 {
        format!(
            ", the account read in {} parts by namespace prefix",
            coverage.parts
        )
    } else {
        String::new()
    };
    tracing::info!(
        "metrics: {} call(s) spent of at most {} (--max-metrics-calls){parts}",
        coverage.calls,
        args.max_metrics_calls
    );

    for w in &warnings {
        tracing::warn!("metrics: {w}");
    }
    // A series naming no listed namespace is kept as a row: its capacity-info call says what
    // the server knows of it.
    let attributed = attribute(by_label, &listed);
    if !attributed.unmatched.is_empty() {
        tracing::warn!(
            "metrics series for {} namespace(s) the Cloud Ops API does not list (just deleted?): {}",
            attributed.unmatched.len(),
            attributed.unmatched.join(", ")
        );
    }
    let unreadable = coverage.warnings.len();
    let incomplete = !coverage.completeness.is_complete();
    if !coverage.uncovered.is_empty() {
        tracing::warn!(
            "the metrics budget (--max-metrics-calls {}) ran out before {} namespace(s) could be read completely; left out: {}",
            args.max_metrics_calls,
            coverage.uncovered_namespaces,
            coverage.uncovered.join(" ")
        );
    } else if incomplete {
        tracing::warn!(
            "the Metrics API marked its answer {}: namespaces may be missing from this analysis",
            coverage.completeness
        );
    }
    let with_series = attributed.with_series;
    // Missing from a cut or unreadable answer says nothing about being idle: such a namespace
    // is left out (and the run exits 1) rather than advised on zero usage.
    let trust_absence = |ns: &str| unreadable == 0 && coverage.complete_for.contains(name_part(ns));
    let unseen = attributed
        .usage
        .keys()
        .filter(|ns| !with_series.contains(*ns) && !trust_absence(ns) && filter.matches(ns))
        .count();
    if unseen > 0 && coverage.uncovered.is_empty() {
        tracing::warn!(
            "{unseen} listed namespace(s) had no series in a partial metrics answer; left out"
        );
    }
    let selected: Vec<(String, Usage)> = attributed
        .usage
        .into_iter()
        .filter(|(ns, _)| filter.matches(ns) && (with_series.contains(ns) || trust_absence(ns)))
        .collect();
    tracing::debug!(namespaces = selected.len(), "metrics read");

    let infos = fetch_capacity_infos(&ops, &selected, args.concurrency as usize, ctx).await?;
    let pace = ops.pace_stats();
    if pace.rate_limited > 0 {
        tracing::info!(
            "the Cloud Ops API asked to slow down {} time(s); tcap paused for its Retry-After \
             and slowed to {:.0} requests/s at the lowest (--rate-limit {})",
            pace.rate_limited,
            pace.lowest_rate.unwrap_or(args.rate_limit),
            args.rate_limit
        );
    }
    let now = Utc::now();
    let mut rows: Vec<Row> = selected
        .iter()
        .zip(infos)
        .map(|((ns, usage), info)| {
            build_row(ns, usage, with_series.contains(ns), info, &policy, now)
        })
        .collect();

    if let Some(prometheus) = &prometheus {
        let (start, end) = history::window(now, HISTORY);
        let read = prometheus.read(start, end).await?;
        for w in &read.warnings {
            tracing::warn!("history: {w}");
        }
        let histories = history::by_namespace_id(read.histories, &listed);
        for row in rows.iter_mut() {
            match histories.get(&row.namespace) {
                Some(h) => add_history(row, h, policy.price_per_million_actions),
                None => tracing::warn!(
                    "{}: no history in {} from {start} to {end}",
                    row.namespace,
                    prometheus.name()
                ),
            }
        }
    }

    print(&rows, &policy, now, ctx)?;

    let failed: Vec<&Row> = rows.iter().filter(|r| r.error.is_some()).collect();
    let mut notify_error = None;
    if let Some(slack) = slack {
        if let Some(text) = summary(&rows) {
            if let Err(e) = slack.send(Level::Info, &text).await {
                notify_error = Some(format!("the Slack summary was not sent: {e}"));
            }
        } else {
            tracing::info!(
                "every namespace is at its recommended capacity; nothing posted to Slack"
            );
        }
    }

    if !rows.is_empty()
        && failed.len() == rows.len()
        && failed.iter().all(|r| {
            r.error
                .as_ref()
                .is_some_and(|e| e.kind == ApiErrorKind::PermissionDenied)
        })
    {
        return Err(Error::Api(ApiError {
            service: Service::CloudOps,
            kind: ApiErrorKind::PermissionDenied,
            status: Some(403),
            code: None,
            message: format!("refused for all {} namespaces", rows.len()),
            retry_after: None,
        }));
    }
    let mut problems = Vec::new();
    if !coverage.uncovered.is_empty() {
        problems.push(format!(
            "{} namespace(s) under {} were not read within --max-metrics-calls {}",
            coverage.uncovered_namespaces,
            coverage.uncovered.join(" "),
            args.max_metrics_calls
        ));
    } else if incomplete {
        problems.push(format!(
            "the metrics answer was {}, so the list of namespaces may be partial",
            coverage.completeness
        ));
    }
    if unreadable > 0 {
        problems.push(format!(
            "{unreadable} line(s) of the metrics body could not be read and were left out"
        ));
    }
    if !failed.is_empty() {
        problems.push(format!(
            "{} of {} namespaces could not be analyzed",
            failed.len(),
            rows.len()
        ));
    }
    problems.extend(notify_error);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Failed(problems.join("; ")))
    }
}

/// capacity-info for every namespace, at most `concurrency` in flight, in the order given;
/// the client's pace decides when each request is sent.
/// A 401 means the key itself is wrong: nothing else will work, so the run stops there.
async fn fetch_capacity_infos(
    ops: &OpsClient,
    namespaces: &[(String, Usage)],
    concurrency: usize,
    ctx: &Context,
) -> Result<Vec<Result<CapacityInfo, ApiError>>> {
    let bar = ctx
        .printer
        .progress(namespaces.len() as u64, "reading capacity-info");
    let mut answers = stream::iter(namespaces.iter().enumerate())
        .map(|(index, (namespace, _))| async move { (index, ops.capacity_info(namespace).await) })
        .buffer_unordered(concurrency.max(1));
    let mut results: Vec<Option<Result<CapacityInfo, ApiError>>> = vec![None; namespaces.len()];
    while let Some((index, result)) = answers.next().await {
        if let Err(e) = &result
            && e.kind == ApiErrorKind::Unauthenticated
        {
            bar.finish_and_clear();
            return Err(Error::Api(e.clone()));
        }
        results[index] = Some(result);
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(results
        .into_iter()
        .map(|r| r.expect("every namespace answered"))
        .collect())
}

fn build_row(
    namespace: &str,
    usage: &Usage,
    in_metrics: bool,
    info: Result<CapacityInfo, ApiError>,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Row {
    let mut row = Row {
        namespace: namespace.to_string(),
        action_limit: usage.action_limit,
        action_count: usage.action_count,
        throttled_action_count: usage.throttled,
        background_action_count: usage.background_count,
        in_metrics,
        utilization: usage.utilization(),
        current_capacity_mode: None,
        current_trus: None,
        latest_request_state: None,
        recommended_capacity_mode: None,
        recommended_trus: None,
        action: None,
        reason: None,
        aps_7d: None,
        on_demand_aps_limit: None,
        valid_tru_values: Vec::new(),
        max_available_trus: None,
        demand_aps: None,
        required_aps: None,
        support_request: false,
        billing: None,
        binding_dimension: None,
        dimensions: None,
        cost: None,
        next_change_after: None,
        history: None,
        error: None,
    };
    let info = match info {
        Ok(info) => info,
        Err(e) => {
            row.error = Some(e);
            return row;
        }
    };
    // A provisioned namespace always reports its oneof; no report at all means On-Demand.
    let (mode, trus) = match info.current.mode {
        Some(CapacitySpec::Provisioned { value }) => (Mode::Provisioned, Some(value)),
        _ => (Mode::OnDemand, None),
    };
    let latest = info.current.latest_request.as_ref();
    let inputs = recommend::Inputs {
        action_limit: usage.action_limit,
        action_count: usage.action_count,
        throttled: usage.throttled,
        action_envelope: usage.action_envelope,
        requests: usage.requests,
        operations: usage.operations,
        current_mode: mode,
        current_trus: trus,
        valid_tru_values: info.valid_tru_values.clone(),
        max_available_trus: info.max_available_tru_value,
        on_demand_aps_limit: info.on_demand_aps_limit,
        stats: info.aps,
        has_legacy_limits: info.has_legacy_limits,
        // Only a change that took effect starts the hour; a failed one changed nothing.
        latest_request: latest.map(|r| LatestRequest {
            in_progress: r.state == RequestState::InProgress,
            started: r.start_time,
            ended: r.end_time.filter(|_| r.state == RequestState::Completed),
        }),
        now: Some(now),
    };
    let rec: Recommendation = recommend::recommend(&inputs, policy);
    row.current_capacity_mode = Some(mode);
    row.current_trus = trus;
    row.latest_request_state = info
        .current
        .latest_request
        .as_ref()
        .map(|r| r.state.short());
    row.recommended_capacity_mode = Some(rec.mode);
    row.recommended_trus = rec.trus;
    row.action = Some(rec.action);
    row.reason = Some(match (in_metrics, trus) {
        (true, _) => rec.reason,
        (false, Some(t)) if t > 1.0 => format!(
            "{}; no metric series in this window: idle, while its {} TRUs bill at least {} an hour",
            rec.reason,
            fmt_int(t),
            fmt_usd(cost::hourly_minimum_usd(
                t,
                policy.price_per_million_actions
            ))
        ),
        (false, _) => format!("{}; no metric series in this window (idle)", rec.reason),
    });
    row.aps_7d = info.aps;
    row.on_demand_aps_limit = info.on_demand_aps_limit;
    row.valid_tru_values = info.valid_tru_values;
    row.max_available_trus = info.max_available_tru_value;
    row.demand_aps = Some(rec.demand_aps);
    row.required_aps = Some(rec.required_aps);
    row.support_request = rec.support_request;
    row.billing = rec.billing;
    row.binding_dimension = Some(rec.binding_dimension);
    let [aps, rps, ops] = rec.dimensions;
    row.dimensions = Some(Dimensions {
        aps: aps.into(),
        rps: rps.into(),
        ops: ops.into(),
    });
    row.cost = Some(CostRow {
        hourly_usd_now: rec.cost.hourly_usd_now,
        hourly_usd_recommended: rec.cost.hourly_usd_recommended,
        basis: rec.cost.basis,
    });
    row.next_change_after = rec.next_change_after;
    row
}

fn print(rows: &[Row], policy: &Policy, now: DateTime<Utc>, ctx: &Context) -> Result<()> {
    let printer = &ctx.printer;
    let price = policy.price_per_million_actions;
    match printer.format {
        OutputFormat::Json => printer.json(rows),
        OutputFormat::Csv => printer.csv(CSV_HEADER, rows.iter().map(csv_fields)),
        OutputFormat::Html => {
            printer.write(&html::page(rows, price, policy.target_utilization, now))
        }
        // Cron is `plan`'s alone: `lib::output_for` never lets it reach here.
        OutputFormat::Table | OutputFormat::Cron => {
            if rows.is_empty() {
                return printer
                    .line("no namespaces found in the metrics (check --namespace / --exclude)");
            }
            if printer.is_terminal() {
                printer.fitted_table(
                    TERMINAL_COLUMNS,
                    rows.iter().map(|r| terminal_fields(r, price)).collect(),
                )?;
            } else {
                printer.fitted_table(
                    TABLE_COLUMNS,
                    rows.iter().map(|r| table_fields(r, price)).collect(),
                )?;
            }
            printer.wrapped(&tally(rows))
        }
    }
}

/// What a reader needs first stays longest: which namespace, what to do, to what capacity;
/// then how loaded it is and why; then the figures behind it. A namespace ID is cut only when
/// nothing else is left to give way (its tail, the account ID, is the same on every row).
const TABLE_COLUMNS: &[Column] = &[
    Column {
        header: "NAMESPACE",
        fit: Fit::Shrink { min: 12 },
    },
    Column {
        header: "CAPACITY",
        fit: Fit::Full,
    },
    Column {
        header: "APS/LIMIT",
        fit: Fit::Optional { rank: 4 },
    },
    Column {
        header: "UTIL",
        fit: Fit::Optional { rank: 1 },
    },
    Column {
        header: "P99 7D",
        fit: Fit::Optional { rank: 3 },
    },
    Column {
        header: "ACTION",
        fit: Fit::Full,
    },
    // Below 20 columns a reason says too little to be worth the room.
    Column {
        header: "WHY",
        fit: Fit::Rest { rank: 2, min: 20 },
    },
];

/// On a terminal, a bar after UTIL shows the same figure at a glance. It is placed after the
/// reasons, so it is drawn only where the table has room for it; a pipe never gets it.
const TERMINAL_COLUMNS: &[Column] = &[
    TABLE_COLUMNS[0],
    TABLE_COLUMNS[1],
    Column {
        header: "APS/LIMIT",
        fit: Fit::Optional { rank: 5 },
    },
    TABLE_COLUMNS[3],
    Column {
        header: "",
        fit: Fit::Optional { rank: 3 },
    },
    Column {
        header: "P99 7D",
        fit: Fit::Optional { rank: 4 },
    },
    TABLE_COLUMNS[5],
    TABLE_COLUMNS[6],
];

/// Columns of the bar itself, between its two edges.
const BAR_CELLS: usize = 8;

fn terminal_fields(row: &Row, price: f64) -> Vec<String> {
    let mut fields = table_fields(row, price);
    let bar = if row.utilization.is_some() {
        utilization_bar(row.utilization, BAR_CELLS)
    } else {
        String::new()
    };
    fields.insert(4, bar);
    fields
}

const CSV_HEADER: &[&str] = &[
    "namespace",
    "action_limit",
    "action_count",
    "throttled_action_count",
    "background_action_count",
    "utilization",
    "current_capacity_mode",
    "current_trus",
    "latest_request_state",
    "recommended_capacity_mode",
    "recommended_trus",
    "action",
    "reason",
    "aps_7d_mean",
    "aps_7d_p90",
    "aps_7d_p99",
    "on_demand_aps_limit",
    "valid_tru_values",
    "max_available_trus",
    "demand_aps",
    "required_aps",
    "support_request",
    "unused_actions_per_hour",
    "unused_cost_per_hour_usd",
    "error",
    "in_metrics",
    "binding_dimension",
    "request_limit",
    "request_count",
    "throttled_request_count",
    "required_rps",
    "operations_limit",
    "operations_count",
    "throttled_operations_count",
    "required_ops",
    "hourly_usd_now",
    "hourly_usd_recommended",
    "cost_basis",
    "next_change_after",
];

fn csv_fields(row: &Row) -> Vec<String> {
    let n = |v: Option<f64>| v.map(|v| tidy(v).to_string()).unwrap_or_default();
    let s = |v: Option<&str>| v.unwrap_or_default().to_string();
    let mut fields = vec![
        row.namespace.clone(),
        n(row.action_limit),
        n(Some(row.action_count)),
        n(Some(row.throttled_action_count)),
        n(Some(row.background_action_count)),
        n(row.utilization),
        s(row.current_capacity_mode.map(Mode::as_str)),
        n(row.current_trus),
        s(row.latest_request_state.as_deref()),
        s(row.recommended_capacity_mode.map(Mode::as_str)),
        row.recommended_trus
            .map(|t| t.to_string())
            .unwrap_or_default(),
        s(row.action.map(Action::as_str)),
        s(row.reason.as_deref()),
        n(row.aps_7d.map(|a| a.mean)),
        n(row.aps_7d.map(|a| a.p90)),
        n(row.aps_7d.map(|a| a.p99)),
        n(row.on_demand_aps_limit),
        row.valid_tru_values
            .iter()
            .map(|v| tidy(*v).to_string())
            .collect::<Vec<_>>()
            .join(" "),
        n(row.max_available_trus),
        n(row.demand_aps),
        n(row.required_aps),
        if row.error.is_some() {
            String::new()
        } else {
            row.support_request.to_string()
        },
        n(row.billing.as_ref().map(|b| b.unused_actions_per_hour)),
        n(row.billing.as_ref().map(|b| b.unused_cost_per_hour_usd)),
        row.error
            .as_ref()
            .map(|e| e.to_string())
            .unwrap_or_default(),
        row.in_metrics.to_string(),
        s(row.binding_dimension.map(Dimension::as_str)),
    ];
    for d in [
        row.dimensions.as_ref().map(|d| &d.rps),
        row.dimensions.as_ref().map(|d| &d.ops),
    ] {
        fields.extend([
            n(d.and_then(|d| d.limit)),
            n(d.map(|d| d.count)),
            n(d.map(|d| d.throttled)),
            n(d.map(|d| d.required)),
        ]);
    }
    fields.extend([
        n(row.cost.as_ref().map(|c| c.hourly_usd_now)),
        n(row.cost.as_ref().map(|c| c.hourly_usd_recommended)),
        s(row.cost.as_ref().map(|c| c.basis.as_str())),
        row.next_change_after
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default(),
    ]);
    fields
}

/// How far back `analyze --prometheus` reads, and how far ahead it follows growth.
const HISTORY: std::time::Duration = std::time::Duration::from_secs(28 * 86_400);
const HORIZON_DAYS: i64 = 30;

/// What the history says of a namespace: its peak, its trend, and exact hourly costs.
#[derive(Clone, Debug, Serialize)]
pub struct HistoryRow {
    /// p99 of demand (APS) over the newest week.
    #[serde(serialize_with = "opt_num")]
    pub p99: Option<f64>,
    #[serde(serialize_with = "opt_num")]
    pub growth_per_week: Option<f64>,
    pub limit_reached_on: Option<chrono::NaiveDate>,
    /// Mean of the history's calendar hours billed under today's capacity.
    #[serde(serialize_with = "num")]
    pub exact_hourly_cost_now: f64,
    /// The same under the recommended capacity.
    #[serde(serialize_with = "num")]
    pub exact_hourly_cost_recommended: f64,
}

/// Fills `history` and replaces the cost and billing estimates by exact figures.
fn add_history(row: &mut Row, history: &History, price: f64) {
    if row.error.is_some() || history.covered_minutes() == 0 {
        return;
    }
    let capacity = |mode: Option<Mode>, trus: Option<f64>| match (mode, trus) {
        (Some(Mode::Provisioned), Some(trus)) => Capacity::Provisioned { trus },
        _ => Capacity::OnDemand,
    };
    let now = capacity(row.current_capacity_mode, row.current_trus);
    let recommended = capacity(
        row.recommended_capacity_mode,
        row.recommended_trus.map(f64::from),
    );
    let prepared = Prepared::new(history, &Utc, price);
    let hourly = |bill: plan::Bill| {
        if bill.hours > 0 {
            bill.usd / bill.hours as f64
        } else {
            0.0
        }
    };
    let bill_now = prepared.bill(&now);
    let bill_recommended = prepared.bill(&recommended);
    let limit = match now {
        Capacity::Provisioned { trus } => Some(trus * recommend::APS_PER_TRU),
        _ => row.on_demand_aps_limit.or_else(|| history.last_limit()),
    };
    let g = growth::growth(history, limit, chrono::Duration::days(HORIZON_DAYS), &Utc);
    let row_history = HistoryRow {
        p99: g.p99,
        growth_per_week: g.growth_per_week,
        limit_reached_on: g.limit_reached_on,
        exact_hourly_cost_now: hourly(bill_now),
        exact_hourly_cost_recommended: hourly(bill_recommended),
    };
    row.cost = Some(CostRow {
        hourly_usd_now: row_history.exact_hourly_cost_now,
        hourly_usd_recommended: row_history.exact_hourly_cost_recommended,
        basis: Basis::History,
    });
    let trus = row.recommended_trus.map_or(0.0, f64::from);
    let shortfall = if bill_recommended.hours > 0 {
        bill_recommended.shortfall_actions / bill_recommended.hours as f64
    } else {
        0.0
    };
    row.billing = (shortfall > 0.0).then(|| recommend::BillingNote {
        minimum_actions_per_hour: cost::minimum_actions_per_hour(trus),
        unused_actions_per_hour: shortfall,
        unused_cost_per_hour_usd: cost::usd(shortfall, price),
        basis: Basis::History,
    });
    row.history = Some(row_history);
}

/// "on-demand" or "6 TRUs": mode and TRUs in one cell, since one implies the other.
fn capacity_cell(mode: Option<Mode>, trus: Option<f64>) -> String {
    match (mode, trus) {
        (Some(Mode::Provisioned), Some(t)) => format!("{} TRUs", fmt_int(t)),
        (Some(Mode::Provisioned), None) => "provisioned".into(),
        (Some(Mode::OnDemand), _) => "on-demand".into(),
        (None, _) => "?".into(),
    }
}

fn table_fields(row: &Row, price: f64) -> Vec<String> {
    let limit = row.action_limit.map(fmt_int).unwrap_or_else(|| "?".into());
    let aps = format!("{}/{limit}", fmt_int(row.action_count));
    let util = row
        .utilization
        .map(|u| format!("{:.0}%", u * 100.0))
        .unwrap_or_else(|| "–".into());
    let p99 = row
        .aps_7d
        .map(|a| fmt_int(a.p99))
        .unwrap_or_else(|| "–".into());
    let now = capacity_cell(row.current_capacity_mode, row.current_trus);
    let Some(action) = row.action else {
        let error = row
            .error
            .as_ref()
            .map_or_else(|| "not analyzed".to_string(), |e| e.to_string());
        return vec![
            row.namespace.clone(),
            now,
            aps,
            util,
            p99,
            "error".into(),
            error,
        ];
    };
    let recommended = capacity_cell(
        row.recommended_capacity_mode,
        row.recommended_trus.map(f64::from),
    );
    let capacity = if action == Action::Keep {
        now
    } else {
        format!("{now} → {recommended}")
    };
    vec![
        row.namespace.clone(),
        capacity,
        aps,
        util,
        p99,
        action.as_str().to_string(),
        why(row, action, price),
    ]
}

/// The table's few words; the full sentence is in JSON and CSV (`reason`).
fn why(row: &Row, action: Action, price: f64) -> String {
    let required = row.required_aps.map(fmt_int).unwrap_or_default();
    let mut notes = Vec::new();
    if row.throttled_action_count > 0.0 {
        notes.push(format!(
            "throttled {} APS",
            fmt_int(row.throttled_action_count)
        ));
    }
    if let Some(binding) = row.binding_dimension.filter(|d| *d != Dimension::Aps)
        && let Some(figures) = row.dimensions.as_ref().map(|d| match binding {
            Dimension::Rps => &d.rps,
            _ => &d.ops,
        })
    {
        let unit = binding.unit();
        let mut note = format!("{unit} binds: needs {} {unit}", fmt_int(figures.required));
        if figures.throttled > 0.0 {
            note.push_str(&format!(
                ", throttled {} {unit}",
                fmt_int(figures.throttled)
            ));
        }
        notes.push(note);
    }
    if action == Action::Pending {
        notes.push("request in progress".to_string());
    }
    if row.support_request {
        notes.push("support request".to_string());
    } else if !matches!(action, Action::Keep | Action::Pending) && notes.is_empty() {
        notes.push(format!("needs {required} APS"));
    }
    if row.next_change_after.is_some() && !matches!(action, Action::Keep | Action::Pending) {
        notes.push("changed <1h ago".to_string());
    }
    if !row.in_metrics {
        match row.current_trus.filter(|t| *t > 1.0) {
            Some(t) => notes.push(format!(
                "no series: idle at {}/h",
                fmt_usd(cost::hourly_minimum_usd(t, price))
            )),
            None => notes.push("no series".into()),
        }
    }
    if row.aps_7d.is_none() {
        notes.push("no 7-day stats".into());
    }
    if let Some(b) = &row.billing {
        notes.push(format!(
            "idle TRUs {}/h",
            fmt_usd(b.unused_cost_per_hour_usd)
        ));
    }
    notes.join("; ")
}

/// "12 namespaces: 7 keep, 2 provision, 1 scale-up"
fn tally(rows: &[Row]) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for row in rows {
        *counts
            .entry(row.action.map_or("error", Action::as_str))
            .or_default() += 1;
    }
    let order = [
        "keep",
        "provision",
        "scale-up",
        "scale-down",
        "revert-to-on-demand",
        "pending",
        "error",
    ];
    let parts: Vec<String> = order
        .iter()
        .filter_map(|k| counts.get(k).map(|n| format!("{n} {k}")))
        .collect();
    format!(
        "{} namespace{}: {}.\nAPS is the last 1-minute window; p99 covers the last 7 days.",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        parts.join(", ")
    )
}

/// The Slack text for `--notify`, or `None` when every namespace is at its recommendation.
fn summary(rows: &[Row]) -> Option<String> {
    const MAX_LINES: usize = 30;
    let changes: Vec<&Row> = rows
        .iter()
        .filter(|r| {
            r.action
                .is_some_and(|a| !matches!(a, Action::Keep | Action::Pending))
        })
        .collect();
    if changes.is_empty() {
        return None;
    }
    let mut text = format!(
        "tcap analyze: {} of {} namespaces should change capacity",
        changes.len(),
        rows.len()
    );
    for row in changes.iter().take(MAX_LINES) {
        let to = match (row.recommended_capacity_mode, row.recommended_trus) {
            (Some(Mode::Provisioned), Some(t)) => format!("{t} TRUs"),
            _ => "on-demand".into(),
        };
        let action = row.action.map_or("", Action::as_str);
        text.push_str(&format!(
            "\n• `{}` {action} → {to}: {}",
            row.namespace,
            row.reason.as_deref().unwrap_or_default()
        ));
    }
    if changes.len() > MAX_LINES {
        text.push_str(&format!("\n…and {} more", changes.len() - MAX_LINES));
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_is_validated() {
        assert_eq!(parse_rate("80"), Ok(80.0));
        assert_eq!(parse_rate("0.5"), Ok(0.5));
        for bad in ["0", "-1", "0.01", "NaN", "inf", "x", "100000"] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_terminal_table_has_a_bar_after_util() {
        let headers: Vec<&str> = TERMINAL_COLUMNS.iter().map(|c| c.header).collect();
        assert_eq!(
            headers,
            [
                "NAMESPACE",
                "CAPACITY",
                "APS/LIMIT",
                "UTIL",
                "",
                "P99 7D",
                "ACTION",
                "WHY"
            ]
        );
        let usage = Usage {
            action_limit: Some(1000.0),
            action_count: 840.0,
            ..Usage::default()
        };
        let policy = Policy::new(0.75).unwrap();
        let row = build_row(
            "a.x",
            &usage,
            true,
            Ok(CapacityInfo::default()),
            &policy,
            Utc::now(),
        );
        let fields = terminal_fields(&row, 50.0);
        assert_eq!(fields.len(), TERMINAL_COLUMNS.len());
        assert_eq!(fields[3], "84%");
        assert_eq!(fields[4], "▕██████▊ ▏");
        // The other cells are the piped table's.
        let mut plain = fields.clone();
        plain.remove(4);
        assert_eq!(plain, table_fields(&row, 50.0));
    }

    #[test]
    fn target_utilization_is_validated() {
        assert_eq!(recommend::parse_target("0.5"), Ok(0.5));
        assert_eq!(recommend::parse_target("1"), Ok(1.0));
        for bad in ["0", "-0.1", "1.5", "NaN", "x"] {
            assert!(recommend::parse_target(bad).is_err(), "{bad}");
        }
    }
}
