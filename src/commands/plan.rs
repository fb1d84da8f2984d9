//! `tcap plan`: the capacity each namespace should have had over its Prometheus history, per
//! calendar hour as Temporal bills, and the crontab that carries it out.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use clap::Args;
use futures_util::{StreamExt, stream};
use serde::Serialize;

mod html;

use super::Context;
use crate::capacity::cost::LIST_PRICE_PER_MILLION_ACTIONS;
use crate::capacity::growth::{self, Growth};
use crate::capacity::plan::{
    self, Capacity, History, PlanAction, Prepared, Priced, describe_windows, monthly,
};
use crate::capacity::recommend::{self, APS_PER_TRU, DEFAULT_TRU_VALUES, fmt_int, fmt_usd};
use crate::capacity::select::Filter;
use crate::cloud::model::{CapacityInfo, CapacitySpec};
use crate::cloud::ops::OpsClient;
use crate::error::{ApiErrorKind, Error, Result};
use crate::history::{self, Prometheus};
use crate::output::{Column, Fit, OutputFormat, num, opt_num};
use crate::settings::{PrometheusArgs, parse_duration, process_env};

#[derive(Debug, Args)]
#[command(
    override_usage = "tcap plan [OPTIONS] --prometheus <URL>",
    after_help = "\
Costs are per calendar hour as Temporal bills: the larger of the actions used (background ones \
included) and the minimum of the highest TRU value held in the hour, at the price per million.

Examples:
  # What each namespace should hold, from 28 days of history
  tcap plan --prometheus http://localhost:9090

  # Windows in Berlin time, allowing 10,000 throttled actions a month
  tcap plan --prometheus http://localhost:9090 --tz Europe/Berlin --max-throttled 10000

  # Carry the plan out with cron
  tcap plan --prometheus http://localhost:9090 -o cron | crontab -

  # One page for the capacity review: each namespace's history against its limits
  tcap plan --prometheus http://localhost:9090 -o html > plan.html"
)]
pub struct PlanArgs {
    /// Only namespaces matching this glob (ID or name part); repeatable
    #[arg(long = "namespace", value_name = "GLOB")]
    pub namespaces: Vec<String>,
    /// Leave out namespaces matching this glob (ID or name part); repeatable
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    #[command(flatten)]
    pub prometheus: PrometheusArgs,
    /// How far back to read, ending at the last whole hour
    #[arg(long, default_value = "28d", value_parser = parse_history, value_name = "DURATION")]
    pub history: std::time::Duration,
    /// Time zone of the schedule's windows and of dates, e.g. Europe/Berlin
    #[arg(long, default_value = "UTC", value_parser = parse_tz, value_name = "ZONE")]
    pub tz: Tz,
    /// Throttled actions per 30 days a plan may cause
    #[arg(long, default_value_t = 0.0, value_parser = parse_count, value_name = "N")]
    pub max_throttled: f64,
    /// How far ahead a growth trend is followed to the limit
    #[arg(long, default_value = "30d", value_parser = parse_duration, value_name = "DURATION")]
    pub horizon: std::time::Duration,
    /// Dollars per million actions [default: 50, the list price]
    #[arg(long, env = "TCAP_PRICE_PER_MILLION_ACTIONS", value_parser = recommend::parse_price, value_name = "USD")]
    pub price_per_million_actions: Option<f64>,
}

fn parse_history(s: &str) -> Result<std::time::Duration, String> {
    let d = parse_duration(s)?;
    if d < std::time::Duration::from_secs(3600) || d > std::time::Duration::from_secs(366 * 86_400)
    {
        return Err(format!("'{s}' must be between 1h and 366d"));
    }
    Ok(d)
}

fn parse_tz(s: &str) -> Result<Tz, String> {
    s.trim()
        .parse::<Tz>()
        .map_err(|_| format!("'{s}' is not a time zone like UTC or Europe/Berlin"))
}

fn parse_count(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!("'{s}' is not a number of actions, 0 or more")),
    }
}

/// The whole plan, as `-o json` prints it.
#[derive(Debug, Serialize)]
pub struct PlanReport {
    pub prometheus: String,
    pub tz: String,
    pub history_start: DateTime<Utc>,
    pub history_end: DateTime<Utc>,
    #[serde(serialize_with = "num")]
    pub max_throttled_per_30_days: f64,
    #[serde(serialize_with = "num")]
    pub price_per_million_actions: f64,
    pub namespaces: Vec<NamespacePlan>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct NamespacePlan {
    pub namespace: String,
    pub recorded_minutes: usize,
    pub missing_minutes: usize,
    /// Recorded minutes in which Temporal throttled actions.
    pub throttled_minutes: usize,
    pub gaps: Vec<Gap>,
    pub current: Option<Capacity>,
    pub today: Option<PricedRow>,
    pub chosen: Option<PricedRow>,
    pub action: Option<PlanAction>,
    /// The action limit (APS) of the chosen capacity: its TRUs' (a schedule's in its windows),
    /// or On-Demand's as capacity-info gives it now.
    #[serde(serialize_with = "opt_num")]
    pub chosen_limit_aps: Option<f64>,
    /// False when no alternative keeps throttling within --max-throttled: the chosen one is
    /// the one that throttles least.
    pub within_max_throttled: bool,
    #[serde(serialize_with = "opt_num")]
    pub monthly_saving_usd: Option<f64>,
    pub growth: Option<GrowthRow>,
    /// Mean demand (APS) per hour of the day in --tz, 00:00 first.
    pub profile_aps: Vec<f64>,
    pub sparkline: String,
    pub alternatives: Vec<PricedRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Gap {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub minutes: i64,
}

/// An alternative with its bill over the history.
#[derive(Clone, Debug, Serialize)]
pub struct PricedRow {
    pub capacity: Capacity,
    pub description: String,
    #[serde(serialize_with = "num")]
    pub total_usd: f64,
    /// Mean of the billed hours.
    #[serde(serialize_with = "num")]
    pub hourly_usd: f64,
    #[serde(serialize_with = "num")]
    pub monthly_usd: f64,
    pub billed_hours: usize,
    #[serde(serialize_with = "num")]
    pub actions: f64,
    #[serde(serialize_with = "num")]
    pub minimum_shortfall_actions: f64,
    #[serde(serialize_with = "num")]
    pub throttled_actions: f64,
    #[serde(serialize_with = "num")]
    pub throttled_per_30_days: f64,
    /// Requests and operations above the limits this capacity would have had; not billed, held
    /// to the same --max-throttled.
    #[serde(serialize_with = "num")]
    pub throttled_requests: f64,
    #[serde(serialize_with = "num")]
    pub throttled_operations: f64,
    #[serde(serialize_with = "num")]
    pub throttled_requests_per_30_days: f64,
    #[serde(serialize_with = "num")]
    pub throttled_operations_per_30_days: f64,
}

#[derive(Debug, Serialize)]
pub struct GrowthRow {
    #[serde(serialize_with = "opt_num")]
    pub p99: Option<f64>,
    #[serde(serialize_with = "opt_num")]
    pub growth_per_week: Option<f64>,
    /// The limit of today's capacity the trend is followed to (APS).
    #[serde(serialize_with = "opt_num")]
    pub limit: Option<f64>,
    pub limit_reached_on: Option<NaiveDate>,
    pub weekly_p99: Vec<Option<f64>>,
}

pub async fn run(args: PlanArgs, ctx: &Context) -> Result<()> {
    let filter = Filter::new(&args.namespaces, &args.exclude)?;
    let price = args
        .price_per_million_actions
        .or(ctx.settings.config_price_per_million_actions)
        .unwrap_or(LIST_PRICE_PER_MILLION_ACTIONS);
    let endpoint = ctx
        .settings
        .prometheus_endpoint(&args.prometheus, &process_env)?
        .ok_or_else(|| {
            Error::Usage(
                "tcap plan reads history from Prometheus: pass --prometheus URL (or set \
                 TCAP_PROMETHEUS_URL, or prometheus_url in the config file)"
                    .into(),
            )
        })?;
    let prometheus = Prometheus::new(&endpoint)?;
    let ops = OpsClient::new(&ctx.settings.cloud_ops_endpoint()?)?;
    let horizon = Duration::from_std(args.horizon)
        .map_err(|_| Error::Usage("--horizon is too long".into()))?;

    let (start, end) = history::window(Utc::now(), args.history);
    let spinner = ctx.printer.spinner("reading history from Prometheus");
    let read = prometheus.read(start, end).await;
    spinner.finish_and_clear();
    let read = read?;
    tracing::info!(
        "history: {} namespace(s) from {} in {} queries",
        read.histories.len(),
        prometheus.name(),
        read.queries
    );
    let mut warnings = read.warnings;

    let listed = ops.list_namespace_ids().await?;
    let selected: Vec<(String, History)> = history::by_namespace_id(read.histories, &listed)
        .into_iter()
        .filter(|(id, _)| filter.matches(id))
        .collect();
    let without: Vec<&str> = listed
        .iter()
        .filter(|id| filter.matches(id) && !selected.iter().any(|(s, _)| s == *id))
        .map(String::as_str)
        .collect();
    if !without.is_empty() {
        warnings.push(format!(
            "{} namespace(s) of the account have no action_limit series in the history, so \
             nothing is planned for them: {}",
            without.len(),
            without.join(", ")
        ));
    }
    if selected.is_empty() {
        return Err(Error::Failed(
            "no namespace of the history matches --namespace / --exclude".into(),
        ));
    }

    let infos: Vec<_> = stream::iter(selected.iter())
        .map(|(ns, _)| ops.capacity_info(ns))
        .buffered(8)
        .collect()
        .await;
    let mut rows = Vec::new();
    for ((ns, history), info) in selected.iter().zip(infos) {
        let info = match info {
            Err(e) if e.kind == ApiErrorKind::Unauthenticated => return Err(e.into()),
            other => other,
        };
        let row = plan_namespace(
            ns,
            history,
            info.map_err(|e| e.to_string()),
            &args,
            price,
            horizon,
        );
        if let Some(w) = gap_warning(&row, history) {
            warnings.push(w);
        }
        rows.push(row);
    }
    for w in &warnings {
        tracing::warn!("{w}");
    }
    let report = PlanReport {
        prometheus: prometheus.name(),
        tz: args.tz.name().to_string(),
        history_start: start,
        history_end: end,
        max_throttled_per_30_days: args.max_throttled,
        price_per_million_actions: price,
        namespaces: rows,
        warnings,
    };
    print(&report, &selected, &args.tz, ctx)?;
    let failed = report
        .namespaces
        .iter()
        .filter(|r| r.error.is_some())
        .count();
    if failed > 0 {
        return Err(Error::Failed(format!(
            "{failed} of {} namespaces could not be planned",
            report.namespaces.len()
        )));
    }
    Ok(())
}

fn today_of(info: &CapacityInfo) -> Capacity {
    match info.current.mode {
        Some(CapacitySpec::Provisioned { value }) => Capacity::Provisioned { trus: value },
        _ => Capacity::OnDemand,
    }
}

/// The TRU values this namespace may take: capacity-info's, within its inventory cap.
fn tru_values(info: &CapacityInfo) -> Vec<u32> {
    let cap = info.max_available_tru_value.unwrap_or(f64::INFINITY);
    let mut values: Vec<u32> = info
        .valid_tru_values
        .iter()
        .filter(|v| **v >= 2.0 && **v <= cap && v.fract() == 0.0)
        .map(|v| *v as u32)
        .collect();
    if values.is_empty() && info.valid_tru_values.is_empty() {
        values = DEFAULT_TRU_VALUES
            .iter()
            .copied()
            .filter(|v| f64::from(*v) <= cap)
            .collect();
    }
    values
}

pub fn describe(capacity: &Capacity) -> String {
    match capacity {
        Capacity::OnDemand => "on-demand".into(),
        Capacity::Provisioned { trus } => format!("{} TRUs", fmt_int(*trus)),
        Capacity::Schedule { trus, windows } => {
            format!("{trus} TRUs {}", describe_windows(windows))
        }
    }
}

fn priced_row(p: &Priced, budget_scale: f64) -> PricedRow {
    let b = &p.bill;
    PricedRow {
        capacity: p.capacity.clone(),
        description: describe(&p.capacity),
        total_usd: b.usd,
        hourly_usd: if b.hours > 0 {
            b.usd / b.hours as f64
        } else {
            0.0
        },
        monthly_usd: monthly(b.usd, b.hours),
        billed_hours: b.hours,
        actions: b.actions,
        minimum_shortfall_actions: b.shortfall_actions,
        throttled_actions: b.throttled_actions,
        throttled_per_30_days: b.throttled_actions * budget_scale,
        throttled_requests: b.throttled_requests,
        throttled_operations: b.throttled_operations,
        throttled_requests_per_30_days: b.throttled_requests * budget_scale,
        throttled_operations_per_30_days: b.throttled_operations * budget_scale,
    }
}

fn plan_namespace(
    ns: &str,
    history: &History,
    info: std::result::Result<CapacityInfo, String>,
    args: &PlanArgs,
    price: f64,
    horizon: Duration,
) -> NamespacePlan {
    let recorded = history.covered_minutes();
    let gaps: Vec<Gap> = history
        .gaps()
        .into_iter()
        .map(|(from, to)| Gap {
            from,
            to,
            minutes: (to - from).num_minutes(),
        })
        .collect();
    let prepared = Prepared::new(history, &args.tz, price);
    let profile = plan::daily_profile(&prepared);
    let mut row = NamespacePlan {
        namespace: ns.to_string(),
        recorded_minutes: recorded,
        missing_minutes: history.minutes.len() - recorded,
        throttled_minutes: history
            .minutes
            .iter()
            .flatten()
            .filter(|m| m.throttled > 0.0)
            .count(),
        gaps,
        current: None,
        today: None,
        chosen: None,
        action: None,
        chosen_limit_aps: None,
        within_max_throttled: false,
        monthly_saving_usd: None,
        growth: None,
        profile_aps: profile
            .iter()
            .map(|v| (v * 1000.0).round() / 1000.0)
            .collect(),
        sparkline: plan::sparkline(&profile),
        alternatives: Vec::new(),
        error: None,
    };
    let info = match info {
        Ok(info) => info,
        Err(e) => {
            row.error = Some(e);
            return row;
        }
    };
    if recorded == 0 {
        row.error = Some("no recorded minute in the history".into());
        return row;
    }
    let today = today_of(&info);
    let budget = plan::throttle_budget(args.max_throttled, recorded);
    let budget_scale = plan::MINUTES_PER_30_DAYS / recorded as f64;
    let priced: Vec<Priced> = plan::alternatives(&prepared, &today, &tru_values(&info), budget)
        .into_iter()
        .map(|capacity| Priced {
            bill: prepared.bill(&capacity),
            capacity,
        })
        .collect();
    let (chosen, within) = plan::choose(&priced, budget);
    let rows: Vec<PricedRow> = priced.iter().map(|p| priced_row(p, budget_scale)).collect();
    let limit = match &today {
        Capacity::Provisioned { trus } => Some(trus * APS_PER_TRU),
        _ => info.on_demand_aps_limit.or_else(|| history.last_limit()),
    };
    let g: Growth = growth::growth(history, limit, horizon, &args.tz);
    row.chosen_limit_aps = match &priced[chosen].capacity {
        Capacity::OnDemand => info
            .on_demand_aps_limit
            .or_else(|| prepared.on_demand.last().copied()),
        Capacity::Provisioned { trus } => Some(trus * APS_PER_TRU),
        Capacity::Schedule { trus, .. } => Some(f64::from(*trus) * APS_PER_TRU),
    };
    row.current = Some(today.clone());
    row.action = Some(PlanAction::of(&today, &priced[chosen].capacity));
    row.within_max_throttled = within;
    row.monthly_saving_usd = Some(rows[0].monthly_usd - rows[chosen].monthly_usd);
    row.today = Some(rows[0].clone());
    row.chosen = Some(rows[chosen].clone());
    row.growth = Some(GrowthRow {
        p99: g.p99,
        growth_per_week: g.growth_per_week,
        limit,
        limit_reached_on: g.limit_reached_on,
        weekly_p99: g.weekly_p99,
    });
    row.alternatives = rows;
    row
}

/// One line per namespace whose history has holes: they are left out, never filled.
fn gap_warning(row: &NamespacePlan, history: &History) -> Option<String> {
    if row.gaps.is_empty() {
        return None;
    }
    let longest = row.gaps.iter().max_by_key(|g| g.minutes)?;
    let total = history.minutes.len();
    Some(format!(
        "{}: {} of {} minutes missing from the history in {} gap(s), the longest {} from {}; \
         those hours are left out and the monthly figures scaled from the rest",
        row.namespace,
        row.missing_minutes,
        total,
        row.gaps.len(),
        span(longest.minutes),
        longest.from.format("%Y-%m-%d %H:%M UTC"),
    ))
}

/// "2d", "3h 20m", "45m".
fn span(minutes: i64) -> String {
    let (d, h, m) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    [(d, "d"), (h, "h"), (m, "m")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn print(
    report: &PlanReport,
    histories: &[(String, History)],
    tz: &Tz,
    ctx: &Context,
) -> Result<()> {
    let printer = &ctx.printer;
    match printer.format {
        OutputFormat::Json => printer.json(report),
        OutputFormat::Cron => printer.write(&cron(report)),
        OutputFormat::Html => printer.write(&html::page(report, histories, tz)),
        _ => {
            printer.fitted_table(
                TABLE_COLUMNS,
                report.namespaces.iter().map(table_fields).collect(),
            )?;
            printer.wrapped(&format!(
                "History {} to {} from {}; profile: mean APS per hour of the day ({}), 00:00 \
                 first; costs per 30 days at ${}/M actions, throttling allowed: {} actions per \
                 30 days.",
                report.history_start.format("%Y-%m-%d %H:%M"),
                report.history_end.format("%Y-%m-%d %H:%M UTC"),
                report.prometheus,
                report.tz,
                fmt_num(report.price_per_million_actions),
                fmt_int(report.max_throttled_per_30_days),
            ))
        }
    }
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 {
        fmt_int(v)
    } else {
        format!("{v}")
    }
}

const TABLE_COLUMNS: &[Column] = &[
    Column {
        header: "NAMESPACE",
        fit: Fit::Shrink { min: 12 },
    },
    Column {
        header: "PROFILE 00-24",
        fit: Fit::Optional { rank: 3 },
    },
    Column {
        header: "TODAY",
        fit: Fit::Full,
    },
    Column {
        header: "TODAY/MO",
        fit: Fit::Optional { rank: 2 },
    },
    Column {
        header: "PLAN",
        fit: Fit::Rest { rank: 5, min: 12 },
    },
    Column {
        header: "PLAN/MO",
        fit: Fit::Optional { rank: 1 },
    },
    Column {
        header: "SAVES/MO",
        fit: Fit::Full,
    },
    Column {
        header: "GROWTH/WK",
        fit: Fit::Optional { rank: 4 },
    },
    Column {
        header: "LIMIT ON",
        fit: Fit::Optional { rank: 6 },
    },
];

fn table_fields(row: &NamespacePlan) -> Vec<String> {
    let (Some(today), Some(chosen), Some(action)) = (&row.today, &row.chosen, row.action) else {
        return vec![
            row.namespace.clone(),
            row.sparkline.clone(),
            "?".into(),
            "–".into(),
            format!("error: {}", row.error.as_deref().unwrap_or("not planned")),
            "–".into(),
            "–".into(),
            "–".into(),
            "–".into(),
        ];
    };
    let mut plan = if action == PlanAction::Keep {
        format!("keep {}", today.description)
    } else {
        chosen.description.clone()
    };
    if !row.within_max_throttled {
        let parts: Vec<String> = [
            (chosen.throttled_per_30_days, "actions"),
            (chosen.throttled_requests_per_30_days, "requests"),
            (chosen.throttled_operations_per_30_days, "operations"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0.0)
        .map(|(n, what)| format!("{} {what}", fmt_int(n)))
        .collect();
        plan.push_str(&format!(" (throttles {}/30d)", parts.join(", ")));
    }
    let growth = row.growth.as_ref();
    vec![
        row.namespace.clone(),
        row.sparkline.clone(),
        today.description.clone(),
        fmt_usd(today.monthly_usd),
        plan,
        fmt_usd(chosen.monthly_usd),
        fmt_usd(row.monthly_saving_usd.unwrap_or(0.0)),
        growth
            .and_then(|g| g.growth_per_week)
            .map_or("–".into(), |g| format!("{:+.1}%", g * 100.0)),
        growth
            .and_then(|g| g.limit_reached_on)
            .map_or("–".into(), |d| d.to_string()),
    ]
}

/// What carries a namespace's plan out: `tcap` commands to run once, in order, then crontab
/// lines (in the plan's zone) for a schedule. Both empty when the plan keeps today's capacity.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CarryOut {
    pub once: Vec<String>,
    pub crontab: Vec<String>,
}

/// `None` when the namespace was not planned. `-o cron` and `-o html` both print these, so the
/// page never says anything the crontab would not do.
pub fn carry_out(row: &NamespacePlan) -> Option<CarryOut> {
    let ns = &row.namespace;
    let (today, chosen, action) = (row.today.as_ref()?, row.chosen.as_ref()?, row.action?);
    let mut out = CarryOut::default();
    match (&chosen.capacity, action) {
        (_, PlanAction::Keep) => {}
        (Capacity::OnDemand, _) => out.once.push(format!("tcap revert {ns}")),
        (Capacity::Provisioned { trus }, _) => {
            out.once
                .push(format!("tcap provision {ns} {}", fmt_int(*trus)));
        }
        (Capacity::Schedule { trus, windows }, _) => {
            // Each window's change reverts to On-Demand at its end, so a namespace on TRUs
            // today goes to On-Demand first.
            if matches!(today.capacity, Capacity::Provisioned { .. }) {
                out.once.push(format!("tcap revert {ns}"));
            }
            let mut by_hours: BTreeMap<(u32, u32), Vec<u32>> = BTreeMap::new();
            for w in windows {
                by_hours
                    .entry((w.start_hour, w.hours))
                    .or_default()
                    .push(w.weekday.num_days_from_sunday());
            }
            for ((start, hours), days) in by_hours {
                out.crontab.push(format!(
                    "0 {start} * * {} tcap schedule-change {ns} {trus} --duration {hours}h",
                    cron_days(&days)
                ));
            }
        }
    }
    Some(out)
}

/// The crontab that carries the plan out: a `schedule-change` at the start of each window
/// (it reverts by itself at the end), and permanent changes as commands to run once.
pub fn cron(report: &PlanReport) -> String {
    let mut text = format!(
        "# tcap plan: {} to {} from {}\nCRON_TZ={}\n",
        report.history_start.format("%Y-%m-%d %H:%M"),
        report.history_end.format("%Y-%m-%d %H:%M UTC"),
        report.prometheus,
        report.tz
    );
    for row in &report.namespaces {
        let ns = &row.namespace;
        let (Some(today), Some(chosen), Some(action), Some(carry)) =
            (&row.today, &row.chosen, row.action, carry_out(row))
        else {
            text.push_str(&format!(
                "# {ns}: not planned: {}\n",
                row.error.as_deref().unwrap_or("no history")
            ));
            continue;
        };
        let saving = match row.monthly_saving_usd.unwrap_or(0.0) {
            s if s < -0.005 => format!(
                "costs {} a month more than today, which throttles {} actions per 30 days",
                fmt_usd(-s),
                fmt_int(today.throttled_per_30_days)
            ),
            s => format!("saves {} a month", fmt_usd(s)),
        };
        match (&chosen.capacity, action) {
            (_, PlanAction::Keep) => {
                text.push_str(&format!("# {ns}: keep {}\n", today.description));
            }
            (Capacity::OnDemand | Capacity::Provisioned { .. }, _) => {
                text.push_str(&format!(
                    "# {ns}: {} → {}, {saving}; run once:\n",
                    today.description, chosen.description
                ));
                for command in &carry.once {
                    text.push_str(&format!("# {command}\n"));
                }
            }
            (Capacity::Schedule { .. }, _) => {
                text.push_str(&format!(
                    "# {ns}: {} → {}, on-demand outside; {saving}\n",
                    today.description, chosen.description
                ));
                for command in &carry.once {
                    text.push_str(&format!(
                        "# first, once: {command}  (so that each window reverts to on-demand)\n"
                    ));
                }
                for line in &carry.crontab {
                    text.push_str(&format!("{line}\n"));
                }
            }
        }
    }
    text
}

/// Cron's day-of-week field (0 = Sunday): "1-5", "0", "1,3".
fn cron_days(days: &[u32]) -> String {
    let mut days = days.to_vec();
    days.sort_unstable();
    days.dedup();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < days.len() {
        let mut j = i;
        while j + 1 < days.len() && days[j + 1] == days[j] + 1 {
            j += 1;
        }
        parts.push(if j > i + 1 {
            format!("{}-{}", days[i], days[j])
        } else if j == i + 1 {
            format!("{},{}", days[i], days[j])
        } else {
            days[i].to_string()
        });
        i = j + 1;
    }
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_checked() {
        assert!(parse_tz("Europe/Berlin").is_ok());
        assert!(parse_tz("Mars/Olympus").unwrap_err().contains("time zone"));
        assert!(parse_history("10m").is_err());
        assert!(parse_history("28d").is_ok());
        assert!(parse_count("-1").is_err());
        assert_eq!(parse_count("1e4"), Ok(10_000.0));
        assert_eq!(cron_days(&[1, 2, 3, 4, 5]), "1-5");
        assert_eq!(cron_days(&[0]), "0");
        assert_eq!(cron_days(&[6, 0, 1]), "0,1,6");
        assert_eq!(span(2880), "2d");
        assert_eq!(span(200), "3h 20m");
    }
}
