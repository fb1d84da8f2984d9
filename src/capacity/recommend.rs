//! The capacity recommendation policy of `design/recommendation.md`.
//!
//! Numbers in, one recommendation out, no I/O: `tcap analyze` gathers the metrics window and
//! capacity-info, and every branch of the judgement lives here where a table test pins it down.
//!
//! The policy, with `t` the target utilization (default 0.75), for each dimension `d` of
//! actions, requests and operations per second:
//! - demand `D_d = count + throttled` in the current minute, and for actions also at least the
//!   7-day p99 (the only dimension with 7-day statistics);
//! - required `R_d = D_d / t`, and `n_d = ceil(R_d / per-TRU rate of d)` TRUs, raised above the
//!   limit that throttled when `d` is throttled;
//! - the On-Demand limit `L_d`: for actions capacity-info's `apsLimit`, else the envelope metric,
//!   else `max(500, min(4 × mean, 2 × p90))` from the 7-day statistics; for every dimension then
//!   the metric limit of an on-demand namespace, else the documented default;
//! - On-Demand is enough when in every dimension `L_d ≥ R_d` and `d` is not throttled at a
//!   limit On-Demand would not raise;
//! - otherwise the binding dimension is the one On-Demand falls short in that needs the most
//!   TRUs, and the smallest valid value covering every `n_d` within the max available is
//!   recommended; when none fits, whichever mode gives the higher limit in the binding
//!   dimension is, together with a support request.

use std::fmt;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Serialize;

pub use super::cost::BillingNote;
pub use super::dimension::{Dimension, Reading};
pub use crate::cloud::model::ApsStats;

use super::Mode;
use super::cost::{self, Basis, Cost};

/// One TRU buys 500 actions per second.
pub const APS_PER_TRU: f64 = 500.0;
/// The On-Demand limit never falls below this floor.
pub const ON_DEMAND_FLOOR_APS: f64 = 500.0;
/// Self-service TRU values, used when capacity-info lists none.
pub const DEFAULT_TRU_VALUES: [u32; 7] = [2, 3, 4, 6, 8, 10, 12];
pub const DEFAULT_TARGET_UTILIZATION: f64 = 0.75;

// Dividing by a target such as 0.6 leaves binary noise (2000.0000000000002 APS); without this
// slack the noise would turn an exact need of 4 TRUs into 5.
const EPSILON: f64 = 1e-9;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Keep,
    Provision,
    ScaleUp,
    ScaleDown,
    RevertToOnDemand,
    /// A capacity request is in progress: nothing new is proposed until it ends.
    Pending,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Keep => "keep",
            Action::Provision => "provision",
            Action::ScaleUp => "scale-up",
            Action::ScaleDown => "scale-down",
            Action::RevertToOnDemand => "revert-to-on-demand",
            Action::Pending => "pending",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// A NaN or negative statistic means the service had nothing sound to report; mixing it with
// real numbers would poison every comparison, so the whole set counts as missing.
fn is_usable(stats: &ApsStats) -> bool {
    [stats.mean, stats.p90, stats.p99]
        .iter()
        .all(|v| v.is_finite() && *v >= 0.0)
}

/// The namespace's latest capacity request, as capacity-info reports it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LatestRequest {
    pub in_progress: bool,
    pub started: Option<DateTime<Utc>>,
    pub ended: Option<DateTime<Utc>>,
}

/// Everything the policy looks at for one namespace, as read from the two APIs.
#[derive(Clone, Debug, PartialEq)]
pub struct Inputs {
    /// Current APS limit from the metrics window; `None` when there was no series.
    pub action_limit: Option<f64>,
    /// Foreground APS in the metrics window (0 when there was no series).
    pub action_count: f64,
    /// Throttled APS in the metrics window (0 when there was no series).
    pub throttled: f64,
    /// `action_on_demand_envelope_limit`, where the window had it.
    pub action_envelope: Option<f64>,
    /// Requests per second in the window.
    pub requests: Reading,
    /// Operations per second in the window.
    pub operations: Reading,
    pub current_mode: Mode,
    pub current_trus: Option<f64>,
    /// capacity-info `validTruValues`; empty means the documented self-service list.
    pub valid_tru_values: Vec<f64>,
    /// capacity-info `maxAvailableTruValue`; `None` means no inventory cap.
    pub max_available_trus: Option<f64>,
    /// capacity-info `modeOptions.onDemand.apsLimit`.
    pub on_demand_aps_limit: Option<f64>,
    /// capacity-info 7-day statistics; `None` when missing.
    pub stats: Option<ApsStats>,
    /// capacity-info `hasLegacyLimits`: a Support-set floor that persists across mode switches.
    pub has_legacy_limits: bool,
    pub latest_request: Option<LatestRequest>,
    /// When the inputs were read, to compare with the latest request's times.
    pub now: Option<DateTime<Utc>>,
}

impl Default for Inputs {
    /// An idle on-demand namespace with nothing known about it.
    fn default() -> Self {
        Inputs {
            action_limit: None,
            action_count: 0.0,
            throttled: 0.0,
            action_envelope: None,
            requests: Reading::default(),
            operations: Reading::default(),
            current_mode: Mode::OnDemand,
            current_trus: None,
            valid_tru_values: Vec::new(),
            max_available_trus: None,
            on_demand_aps_limit: None,
            stats: None,
            has_legacy_limits: false,
            latest_request: None,
            now: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Policy {
    /// Share of the limit the demand may use, in (0, 1]. A value outside that range (which
    /// only a caller bypassing [`Policy::new`] can produce) is replaced by the default rather
    /// than turned into a NaN or infinite requirement.
    pub target_utilization: f64,
    /// Dollars per million actions, for the cost figures.
    pub price_per_million_actions: f64,
}

impl Policy {
    pub fn new(target_utilization: f64) -> Result<Self, String> {
        if is_valid_target(target_utilization) {
            Ok(Self {
                target_utilization,
                ..Self::default()
            })
        } else {
            Err(format!(
                "target utilization must be greater than 0 and at most 1 (for example 0.75), got {target_utilization}"
            ))
        }
    }

    pub fn with_price(self, price_per_million_actions: f64) -> Result<Self, String> {
        if price_per_million_actions.is_finite() && price_per_million_actions >= 0.0 {
            Ok(Self {
                price_per_million_actions,
                ..self
            })
        } else {
            Err(format!(
                "the price per million actions must be a number of dollars, 0 or more (for example 50), got {price_per_million_actions}"
            ))
        }
    }

    fn effective_target(&self) -> f64 {
        if is_valid_target(self.target_utilization) {
            self.target_utilization
        } else {
            DEFAULT_TARGET_UTILIZATION
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            target_utilization: DEFAULT_TARGET_UTILIZATION,
            price_per_million_actions: cost::LIST_PRICE_PER_MILLION_ACTIONS,
        }
    }
}

/// `--price-per-million-actions`, for clap.
pub fn parse_price(s: &str) -> Result<f64, String> {
    let value: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number of dollars"))?;
    Policy::default()
        .with_price(value)
        .map(|p| p.price_per_million_actions)
}

/// `--target-utilization`, for clap.
pub fn parse_target(s: &str) -> Result<f64, String> {
    let value: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number between 0 and 1"))?;
    Policy::new(value).map(|p| p.target_utilization)
}

fn is_valid_target(t: f64) -> bool {
    t > 0.0 && t <= 1.0
}

/// One dimension's part of the decision.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Figures {
    /// The limit in force (metrics), `None` without a series.
    pub limit: Option<f64>,
    pub count: f64,
    pub throttled: f64,
    /// What the namespace must be able to serve (`D`).
    pub demand: f64,
    /// Demand divided by the target utilization (`R`).
    pub required: f64,
    /// The On-Demand limit compared against (`L`).
    pub on_demand_limit: f64,
    /// TRUs this dimension alone needs (`n`).
    pub trus_needed: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Recommendation {
    pub mode: Mode,
    /// `None` when On-Demand is recommended.
    pub trus: Option<u32>,
    pub action: Action,
    /// One sentence with the numbers that decided it.
    pub reason: String,
    /// APS the namespace must be able to serve (`D`).
    pub demand_aps: f64,
    /// Demand divided by the target utilization (`R`).
    pub required_aps: f64,
    /// The On-Demand limit the decision compared against (`L`).
    pub on_demand_limit_aps: f64,
    /// The dimension the recommendation is sized by.
    pub binding_dimension: Dimension,
    /// Actions, requests and operations, in [`Dimension::ALL`] order.
    pub dimensions: [Figures; 3],
    /// The need exceeds what can be set without Temporal support.
    pub support_request: bool,
    /// Set when the 7-day mean is below the hourly billing minimum of the recommended TRUs.
    pub billing: Option<BillingNote>,
    pub cost: Cost,
    /// The latest capacity request ended less than an hour ago: TRUs "can be adjusted hourly".
    pub next_change_after: Option<DateTime<Utc>>,
}

/// Where the On-Demand limit came from; the fallbacks are named in `reason` because they are
/// estimates a person may want to check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LimitSource {
    CapacityInfo,
    Envelope,
    Stats,
    Metric,
    Floor,
}

impl LimitSource {
    fn note(self) -> &'static str {
        match self {
            LimitSource::CapacityInfo | LimitSource::Envelope => "",
            LimitSource::Stats => " (from 7-day stats)",
            LimitSource::Metric => " (current metric)",
            LimitSource::Floor => " (the default floor)",
        }
    }
}

/// The policy's view of one dimension.
#[derive(Clone, Copy, Debug)]
struct Need {
    dimension: Dimension,
    limit: Option<f64>,
    count: f64,
    throttled: f64,
    demand: f64,
    required: f64,
    od_limit: f64,
    od_source: LimitSource,
    /// The limit in force when this dimension throttled.
    throttled_limit: Option<f64>,
    /// On-Demand covers the need and would clear the throttling.
    od_enough: bool,
    by_demand: u32,
    above_throttled: u32,
    needed: u32,
}

impl Need {
    fn figures(&self) -> Figures {
        Figures {
            limit: self.limit,
            count: self.count,
            throttled: self.throttled,
            demand: self.demand,
            required: self.required,
            on_demand_limit: self.od_limit,
            trus_needed: self.needed,
        }
    }

    /// "2,000" for actions (the sentence says APS once), "2,000 RPS" for the others.
    fn od_text(&self) -> String {
        match self.dimension {
            Dimension::Aps => fmt_int(self.od_limit),
            d => format!("{} {}", fmt_int(self.od_limit), d.unit()),
        }
    }
}

fn need(
    dimension: Dimension,
    inputs: &Inputs,
    stats: Option<ApsStats>,
    current_trus: Option<f64>,
    target: f64,
) -> Need {
    let reading = match dimension {
        Dimension::Aps => Reading {
            limit: inputs.action_limit,
            count: inputs.action_count,
            throttled: inputs.throttled,
            envelope: inputs.action_envelope,
        },
        Dimension::Rps => inputs.requests,
        Dimension::Ops => inputs.operations,
    };
    let count = rate(reading.count);
    let throttled = rate(reading.throttled);
    let now = count + throttled;
    let demand = match (dimension, stats) {
        (Dimension::Aps, Some(s)) => s.p99.max(now),
        _ => now,
    };
    let required = demand / target;
    let limit = reading.limit.and_then(positive);
    let (od_limit, od_source) = on_demand_limit(dimension, inputs, reading, stats, limit);
    // Throttling proves the limit in force was too low even when the minute's average sits
    // under it (sub-minute bursts), so new capacity must exceed that limit; without this a
    // throttled on-demand namespace at 2,000 APS could be told to provision 1,500.
    let throttled_limit = (throttled > 0.0)
        .then(|| {
            limit
                .or(current_trus.map(|c| c * dimension.per_tru()))
                .or((inputs.current_mode == Mode::OnDemand).then_some(od_limit))
        })
        .flatten();
    // Throttling rules On-Demand out only when On-Demand would not raise the limit that
    // throttled: a Support-set or usage-grown On-Demand limit above it is the cheaper fix.
    let od_clears = throttled_limit.is_none_or(|l| od_limit > l + EPSILON);
    let by_demand = trus_covering(required, dimension);
    let above_throttled =
        throttled_limit.map_or(0, |l| trus_within(l, dimension).saturating_add(1));
    Need {
        dimension,
        limit,
        count,
        throttled,
        demand,
        required,
        od_limit,
        od_source,
        throttled_limit,
        od_enough: od_limit + EPSILON >= required && od_clears,
        by_demand,
        above_throttled,
        needed: by_demand.max(above_throttled),
    }
}

/// Applies the policy to one namespace. Total: garbage readings degrade to the documented
/// fallbacks instead of panicking or leaking NaN into the output.
pub fn recommend(inputs: &Inputs, policy: &Policy) -> Recommendation {
    let target = policy.effective_target();
    let stats = inputs.stats.filter(is_usable);
    let action_limit = inputs.action_limit.and_then(positive);
    let current_trus = current_trus(inputs, action_limit);
    let needs = Dimension::ALL.map(|d| need(d, inputs, stats, current_trus, target));
    let aps = needs[0];
    let on_demand_enough = needs.iter().all(|n| n.od_enough);
    // The binding dimension is where On-Demand falls short (the one needing most TRUs when it
    // falls short in several); when it is enough everywhere, the one closest to needing TRUs.
    let b = *needs
        .iter()
        .filter(|n| on_demand_enough || !n.od_enough)
        .fold(None::<&Need>, |best, n| match best {
            Some(best) if best.needed >= n.needed => Some(best),
            _ => Some(n),
        })
        .expect("at least one dimension");
    let widest = *needs
        .iter()
        .fold(&b, |best, n| if n.needed > best.needed { n } else { best });

    let mut rec = Recommendation {
        mode: Mode::OnDemand,
        trus: None,
        action: Action::Keep,
        reason: String::new(),
        demand_aps: aps.demand,
        required_aps: aps.required,
        on_demand_limit_aps: aps.od_limit,
        binding_dimension: b.dimension,
        dimensions: needs.map(|n| n.figures()),
        support_request: false,
        billing: None,
        cost: Cost {
            hourly_usd_now: 0.0,
            hourly_usd_recommended: 0.0,
            basis: Basis::CurrentMinute,
        },
        next_change_after: None,
    };
    let mut reason = format!(
        "{} needs {} {unit} at {} target; on-demand limit is {}{}",
        demand_phrase(&b, stats),
        fmt_int(b.required),
        fmt_pct(target),
        b.od_text(),
        b.od_source.note(),
        unit = b.dimension.unit(),
    );
    decide(inputs, &b, &widest, current_trus, &mut rec, &mut reason);

    if let (Some(t), Some(s)) = (rec.trus, stats)
        && rec.mode == Mode::Provisioned
    {
        rec.billing = cost::billing_note(t, s.mean, policy.price_per_million_actions);
        if let Some(b) = rec.billing {
            reason.push_str(&format!(
                "; the 7-day mean of {} APS leaves at least {} of the {} minimum actions/hour unused (at least {}/hour {}), so prefer a time-boxed `tcap schedule-change` for the peak over a permanent change",
                fmt_int(s.mean),
                fmt_int(b.unused_actions_per_hour),
                fmt_int(b.minimum_actions_per_hour),
                fmt_usd(b.unused_cost_per_hour_usd),
                price_text(policy.price_per_million_actions)
            ));
        }
    }
    in_flight(inputs, current_trus, &mut rec, &mut reason);
    if inputs.has_legacy_limits {
        reason.push_str(
            "; a Support-set limit applies (hasLegacyLimits) and persists across mode switches",
        );
    }
    rec.cost = hourly_cost(inputs, stats, current_trus, &rec, policy);
    rec.reason = reason;
    rec
}

/// Mode, TRUs, action and support flag, and the rest of the sentence.
fn decide(
    inputs: &Inputs,
    b: &Need,
    widest: &Need,
    current_trus: Option<f64>,
    rec: &mut Recommendation,
    reason: &mut String,
) {
    let unit = b.dimension.unit();
    if b.od_enough {
        match b.throttled_limit {
            Some(l) => reason.push_str(&format!(
                ", above the {} {unit} limit that throttled {} {unit} now, so on-demand is enough",
                fmt_int(l),
                fmt_int(b.throttled)
            )),
            None => reason.push_str(", so on-demand is enough"),
        }
        if let Some(c) = current_trus {
            reason.push_str(&format!(" instead of {}", fmt_tru_count_f64(c)));
        }
        rec.action = action_for(inputs.current_mode, current_trus, Mode::OnDemand, None);
        return;
    }

    if b.throttled > 0.0 {
        reason.push_str(&format!("; throttled {} {unit} now", fmt_int(b.throttled)));
    }
    let needed = widest.needed;
    let valid = valid_values(&inputs.valid_tru_values);
    let cap = inputs.max_available_trus.filter(|c| !c.is_nan());
    let allowed: Vec<u32> = valid
        .iter()
        .copied()
        .filter(|&v| cap.is_none_or(|c| f64::from(v) <= c + EPSILON))
        .collect();
    // The value a namespace already holds needs no request, so it stays a candidate even when
    // inventory has since fallen below it; otherwise a cap could force a harmful scale-down.
    let current_value = current_trus.and_then(whole);
    let mut candidates = allowed.clone();
    candidates.extend(current_value);
    candidates.sort_unstable();
    candidates.dedup();
    let limit_text = |t: u32| {
        format!(
            "{} ({} {unit})",
            fmt_tru_count(t),
            fmt_int(tru_limit(t, b.dimension))
        )
    };

    let chosen = if let Some(&t) = candidates.iter().find(|&&v| v >= needed) {
        if allowed.contains(&t) {
            reason.push_str(&format!("; {} is the smallest valid value", limit_text(t)));
            if let Some(l) = b
                .throttled_limit
                .filter(|_| b.above_throttled > b.by_demand && b.needed == needed)
            {
                reason.push_str(&format!(" above the current {} {unit} limit", fmt_int(l)));
            }
        } else {
            reason.push_str(&format!(
                "; keeping the current {} covers it, as no smaller valid value is available",
                limit_text(t)
            ));
        }
        if widest.dimension != b.dimension && widest.needed > b.needed {
            reason.push_str(&format!(
                " that also covers the {} {} needed",
                fmt_int(widest.required),
                widest.dimension.unit()
            ));
        }
        Some(t)
    } else if let Some(&t) = candidates
        .last()
        .filter(|&&t| tru_limit(t, b.dimension) > b.od_limit + EPSILON || Some(t) == current_value)
    {
        rec.support_request = true;
        let largest_valid = valid.last().copied().unwrap_or(0);
        let limit = match cap {
            Some(c) if c < f64::from(largest_valid) => {
                format!("max available {}", fmt_int(c.floor()))
            }
            _ => format!("max {largest_valid}"),
        };
        let what = if Some(t) == current_value {
            format!("keep the current {}", limit_text(t))
        } else {
            format!("set {}", limit_text(t))
        };
        reason.push_str(&format!(
            "; {} needed exceeds self-service ({limit}), so {what} and file a support request",
            fmt_tru_count(needed)
        ));
        Some(t)
    } else if let Some(&t) = candidates.last() {
        // Nothing available covers the need, and On-Demand already gives more than the largest
        // value would: provisioning would cost more for less.
        rec.support_request = true;
        reason.push_str(&format!(
            "; {} needed exceeds what is available, and on-demand's {} {unit} is more than the largest available {}, so {} on-demand and file a support request",
            fmt_tru_count(needed),
            fmt_int(b.od_limit),
            limit_text(t),
            if inputs.current_mode == Mode::OnDemand { "stay on" } else { "return to" }
        ));
        rec.action = action_for(inputs.current_mode, current_trus, Mode::OnDemand, None);
        return;
    } else {
        rec.support_request = true;
        let cap_text = cap.map_or_else(|| "none".to_owned(), |c| fmt_int(c.floor()));
        let stay = match inputs.current_mode {
            Mode::OnDemand => "stay on on-demand",
            Mode::Provisioned => "keep the current capacity",
        };
        reason.push_str(&format!(
            "; {} needed but no valid TRU value is available (max available {cap_text}), so {stay} and file a support request",
            fmt_tru_count(needed)
        ));
        None
    };

    rec.mode = match chosen {
        Some(_) => Mode::Provisioned,
        None => inputs.current_mode,
    };
    rec.trus = chosen;
    rec.action = action_for(inputs.current_mode, current_trus, rec.mode, chosen);
    if inputs.current_mode == Mode::Provisioned && current_trus.is_none() && chosen.is_some() {
        reason.push_str("; current TRU count unknown");
    }
}

/// A request in progress turns the advice into `pending`; one that ended within the hour sets
/// when the next change can be made ("TRUs can be adjusted hourly").
fn in_flight(
    inputs: &Inputs,
    current_trus: Option<f64>,
    rec: &mut Recommendation,
    reason: &mut String,
) {
    let Some(request) = inputs.latest_request else {
        return;
    };
    if request.in_progress {
        let since = request
            .started
            .map(|t| format!(" since {}", fmt_time(t)))
            .unwrap_or_default();
        *reason = format!(
            "a capacity request has been in progress{since}, so no new change is proposed until it ends; for the current load: {reason}"
        );
        rec.mode = inputs.current_mode;
        rec.trus = current_trus.and_then(whole);
        rec.action = Action::Pending;
        rec.billing = None;
        return;
    }
    if let (Some(ended), Some(now)) = (request.ended, inputs.now) {
        let next = ended + Duration::hours(1);
        if now < next {
            rec.next_change_after = Some(next);
            if rec.action != Action::Keep {
                reason.push_str(&format!(
                    "; TRUs can be adjusted hourly and the last change ended at {}, so make this change after {}",
                    fmt_time(ended),
                    fmt_time(next)
                ));
            }
        }
    }
}

/// An hour now and as recommended: the actions used (7-day mean, else the current minute) or
/// the TRU minimum, whichever is larger.
fn hourly_cost(
    inputs: &Inputs,
    stats: Option<ApsStats>,
    current_trus: Option<f64>,
    rec: &Recommendation,
    policy: &Policy,
) -> Cost {
    let (used_aps, basis) = match stats {
        Some(s) => (s.mean, Basis::SevenDayMean),
        None => (rate(inputs.action_count), Basis::CurrentMinute),
    };
    let used = used_aps * cost::SECONDS_PER_HOUR;
    let price = policy.price_per_million_actions;
    let held = match inputs.current_mode {
        Mode::Provisioned => current_trus,
        Mode::OnDemand => None,
    };
    let recommended = match rec.mode {
        Mode::Provisioned => rec.trus.map(f64::from).or(held),
        Mode::OnDemand => None,
    };
    Cost {
        hourly_usd_now: cost::hourly_usd(used, held, price),
        hourly_usd_recommended: cost::hourly_usd(used, recommended, price),
        basis,
    }
}

fn price_text(price: f64) -> String {
    if (price - cost::LIST_PRICE_PER_MILLION_ACTIONS).abs() < EPSILON {
        "at list price".into()
    } else {
        format!("at {} per million actions", fmt_usd(price))
    }
}

fn fmt_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn on_demand_limit(
    dimension: Dimension,
    inputs: &Inputs,
    reading: Reading,
    stats: Option<ApsStats>,
    limit: Option<f64>,
) -> (f64, LimitSource) {
    if dimension == Dimension::Aps
        && let Some(l) = inputs.on_demand_aps_limit.and_then(positive)
    {
        return (l, LimitSource::CapacityInfo);
    }
    if let Some(l) = reading.envelope.and_then(positive) {
        return (l.max(dimension.on_demand_floor()), LimitSource::Envelope);
    }
    if dimension == Dimension::Aps
        && let Some(s) = stats
    {
        let formula = (4.0 * s.mean).min(2.0 * s.p90);
        return (ON_DEMAND_FLOOR_APS.max(formula), LimitSource::Stats);
    }
    // A provisioned namespace's metric is its TRU limit, which says nothing about On-Demand.
    if inputs.current_mode == Mode::OnDemand
        && let Some(l) = limit
    {
        return (l, LimitSource::Metric);
    }
    (dimension.on_demand_floor(), LimitSource::Floor)
}

fn current_trus(inputs: &Inputs, action_limit: Option<f64>) -> Option<f64> {
    if inputs.current_mode != Mode::Provisioned {
        return None;
    }
    // A provisioned limit is exactly TRUs × 500, so the metric can stand in for a missing
    // capacity-info value; anything else would be a guess.
    inputs.current_trus.and_then(positive).or_else(|| {
        action_limit
            .map(|l| l / APS_PER_TRU)
            .filter(|&t| whole(t).is_some())
    })
}

fn action_for(current: Mode, current_trus: Option<f64>, mode: Mode, trus: Option<u32>) -> Action {
    match (current, mode) {
        (Mode::OnDemand, Mode::OnDemand) => Action::Keep,
        (Mode::OnDemand, Mode::Provisioned) => match trus {
            Some(_) => Action::Provision,
            None => Action::Keep,
        },
        (Mode::Provisioned, Mode::OnDemand) => Action::RevertToOnDemand,
        (Mode::Provisioned, Mode::Provisioned) => match (current_trus, trus) {
            (Some(c), Some(t)) if f64::from(t) > c => Action::ScaleUp,
            (Some(c), Some(t)) if f64::from(t) < c => Action::ScaleDown,
            (Some(_), Some(_)) | (_, None) => Action::Keep,
            // Without the current value there is nothing to compare; setting the value is what
            // `tcap provision` does either way.
            (None, Some(_)) => Action::Provision,
        },
    }
}

fn demand_phrase(need: &Need, stats: Option<ApsStats>) -> String {
    let now = need.count + need.throttled;
    if need.dimension != Dimension::Aps {
        return format!("current {} {}", fmt_int(now), need.dimension.unit());
    }
    match stats {
        None => format!(
            "7-day statistics were missing, so the current minute was used: {} APS",
            fmt_int(now)
        ),
        Some(s) if now > s.p99 => format!(
            "current {} APS (above 7-day p99 {})",
            fmt_int(now),
            fmt_int(s.p99)
        ),
        Some(s) => format!("7-day p99 {} APS", fmt_int(s.p99)),
    }
}

/// Sorted, deduplicated whole TRU values; capacity-info sends doubles, and a value that is not
/// a positive whole number cannot be requested.
fn valid_values(raw: &[f64]) -> Vec<u32> {
    let mut values: Vec<u32> = raw.iter().filter_map(|&v| whole(v)).collect();
    if values.is_empty() {
        return DEFAULT_TRU_VALUES.to_vec();
    }
    values.sort_unstable();
    values.dedup();
    values
}

fn whole(v: f64) -> Option<u32> {
    let r = v.round();
    ((v - r).abs() < EPSILON && (1.0..=f64::from(u32::MAX)).contains(&r)).then_some(r as u32)
}

/// Rates from the metrics window: a NaN, infinite or negative reading carries no information,
/// and a missing series means 0 already.
fn rate(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 { v } else { 0.0 }
}

fn positive(v: f64) -> Option<f64> {
    (v.is_finite() && v > 0.0).then_some(v)
}

/// Fewest TRUs whose limit in `dimension` reaches `value` (saturating for absurd inputs).
fn trus_covering(value: f64, dimension: Dimension) -> u32 {
    (value / dimension.per_tru() - EPSILON).ceil().max(0.0) as u32
}

/// Most TRUs whose limit in `dimension` stays within `value`.
fn trus_within(value: f64, dimension: Dimension) -> u32 {
    (value / dimension.per_tru() + EPSILON).floor().max(0.0) as u32
}

fn tru_limit(trus: u32, dimension: Dimension) -> f64 {
    f64::from(trus) * dimension.per_tru()
}

fn fmt_tru_count(t: u32) -> String {
    if t == 1 {
        "1 TRU".to_owned()
    } else {
        format!("{t} TRUs")
    }
}

fn fmt_tru_count_f64(t: f64) -> String {
    match whole(t) {
        Some(w) => fmt_tru_count(w),
        None => format!("{t} TRUs"),
    }
}

pub fn fmt_pct(fraction: f64) -> String {
    let p = fraction * 100.0;
    if (p - p.round()).abs() < 1e-6 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// Rounds to a whole number and groups thousands with commas: `2453.2` → `"2,453"`.
/// Non-finite values print as Rust does (`NaN`, `inf`) rather than as a plausible number.
///
/// ```
/// use tcap::capacity::recommend::fmt_int;
/// assert_eq!(fmt_int(2453.2), "2,453");
/// assert_eq!(fmt_int(1_080_000.0), "1,080,000");
/// ```
pub fn fmt_int(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let r = x.round();
    if r == 0.0 {
        return "0".to_owned();
    }
    let grouped = group_thousands(&format!("{:.0}", r.abs()));
    if r < 0.0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// US dollars with cents and thousands separators: `1234.567` → `"$1,234.57"`.
pub fn fmt_usd(x: f64) -> String {
    if !x.is_finite() {
        return format!("${x}");
    }
    let cents = (x.abs() * 100.0).round();
    let dollars = (cents / 100.0).trunc();
    let rest = cents - dollars * 100.0;
    let sign = if x < 0.0 && cents > 0.0 { "-" } else { "" };
    format!(
        "{sign}${}.{:02.0}",
        group_thousands(&format!("{dollars:.0}")),
        rest
    )
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCUMENTED: [f64; 7] = [2.0, 3.0, 4.0, 6.0, 8.0, 10.0, 12.0];

    fn stats(mean: f64, p90: f64, p99: f64) -> Option<ApsStats> {
        Some(ApsStats { mean, p90, p99 })
    }

    /// An on-demand namespace with the documented TRU values, a max available of 12 and no
    /// capacity-info limit or statistics; rows override what they exercise.
    fn on_demand(action_limit: f64, count: f64, throttled: f64) -> Inputs {
        Inputs {
            action_limit: Some(action_limit),
            action_count: count,
            throttled,
            valid_tru_values: DOCUMENTED.to_vec(),
            max_available_trus: Some(12.0),
            ..Inputs::default()
        }
    }

    /// A provisioned namespace whose metric limit is `trus × 500`.
    fn provisioned(trus: f64, count: f64, throttled: f64) -> Inputs {
        Inputs {
            current_mode: Mode::Provisioned,
            current_trus: Some(trus),
            ..on_demand(trus * 500.0, count, throttled)
        }
    }

    fn billing(minimum: f64, unused: f64, usd: f64) -> Option<BillingNote> {
        Some(BillingNote {
            minimum_actions_per_hour: minimum,
            unused_actions_per_hour: unused,
            unused_cost_per_hour_usd: usd,
            basis: crate::capacity::cost::Basis::SevenDayMean,
        })
    }

    struct Case {
        name: &'static str,
        inputs: Inputs,
        target: f64,
        required_aps: f64,
        mode: Mode,
        trus: Option<u32>,
        action: Action,
        support: bool,
        billing: Option<BillingNote>,
        reason_has: &'static [&'static str],
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 0.01
    }

    fn check(case: &Case) {
        let policy = Policy::new(case.target).expect("valid target in table");
        let rec = recommend(&case.inputs, &policy);
        let n = case.name;
        assert_eq!(rec.mode, case.mode, "{n}: mode; reason: {}", rec.reason);
        assert_eq!(rec.trus, case.trus, "{n}: trus; reason: {}", rec.reason);
        assert_eq!(
            rec.action, case.action,
            "{n}: action; reason: {}",
            rec.reason
        );
        assert_eq!(
            rec.support_request, case.support,
            "{n}: support; reason: {}",
            rec.reason
        );
        assert!(
            close(rec.required_aps, case.required_aps),
            "{n}: required {} != {}",
            rec.required_aps,
            case.required_aps
        );
        match (rec.billing, case.billing) {
            (None, None) => {}
            (Some(got), Some(want)) => assert!(
                close(got.minimum_actions_per_hour, want.minimum_actions_per_hour)
                    && close(got.unused_actions_per_hour, want.unused_actions_per_hour)
                    && close(got.unused_cost_per_hour_usd, want.unused_cost_per_hour_usd),
                "{n}: billing {got:?} != {want:?}"
            ),
            (got, want) => panic!("{n}: billing {got:?} != {want:?}"),
        }
        for part in case.reason_has {
            assert!(
                rec.reason.contains(part),
                "{n}: reason lacks {part:?}: {}",
                rec.reason
            );
        }
        assert!(!rec.reason.contains('\n'), "{n}: reason is one line");
        assert!(
            rec.reason.len() < 400,
            "{n}: reason is overlong: {}",
            rec.reason
        );
    }

    #[test]
    fn policy_table() {
        let cases = [
            Case {
                name: "on-demand limit covers the need: keep",
                inputs: Inputs {
                    stats: stats(200.0, 400.0, 450.0),
                    on_demand_aps_limit: Some(800.0),
                    ..on_demand(800.0, 300.0, 0.0)
                },
                target: 0.75,
                required_aps: 600.0,
                mode: Mode::OnDemand,
                trus: None,
                action: Action::Keep,
                support: false,
                billing: None,
                reason_has: &[
                    "7-day p99 450 APS",
                    "needs 600 APS at 75% target",
                    "on-demand limit is 800, so on-demand is enough",
                ],
            },
            Case {
                name: "current minute above p99 decides the demand",
                inputs: Inputs {
                    stats: stats(500.0, 900.0, 1_000.0),
                    on_demand_aps_limit: Some(2_000.0),
                    ..on_demand(2_000.0, 1_400.0, 0.0)
                },
                target: 0.75,
                required_aps: 1_866.67,
                mode: Mode::OnDemand,
                trus: None,
                action: Action::Keep,
                support: false,
                billing: None,
                reason_has: &[
                    "current 1,400 APS (above 7-day p99 1,000)",
                    "needs 1,867 APS",
                ],
            },
            Case {
                // D = 900, R = 1,200 ≤ L = 2,000, but 120 APS throttled at the 2,000 limit:
                // ceil(1,200 / 500) = 3 would lower the limit, so n = 2,000 / 500 + 1 = 5 → 6.
                name: "throttled on-demand provisions even though L >= R",
                inputs: Inputs {
                    stats: stats(400.0, 800.0, 900.0),
                    on_demand_aps_limit: Some(2_000.0),
                    ..on_demand(2_000.0, 600.0, 120.0)
                },
                target: 0.75,
                required_aps: 1_200.0,
                mode: Mode::Provisioned,
                trus: Some(6),
                action: Action::Provision,
                support: false,
                // 5 × 360,000 = 1,800,000; 400 × 3,600 = 1,440,000 used.
                billing: billing(1_800_000.0, 360_000.0, 18.0),
                reason_has: &[
                    "on-demand limit is 2,000; throttled 120 APS now",
                    "6 TRUs (3,000 APS) is the smallest valid value above the current 2,000 APS limit",
                    "mean of 400 APS leaves at least 360,000 of the 1,800,000 minimum actions/hour unused",
                    "$18.00/hour",
                ],
            },
            Case {
                // Throttled at the 500 APS metric limit while capacity-info already says 2,000
                // (a Support-set apsLimit): On-Demand's 2,000 is above the 500 that throttled
                // and covers R = 533, so there is nothing to buy (analyze v2, case 4).
                name: "throttled below an on-demand limit that would clear it: keep on-demand",
                inputs: Inputs {
                    stats: stats(250.0, 380.0, 400.0),
                    on_demand_aps_limit: Some(2_000.0),
                    ..on_demand(500.0, 300.0, 50.0)
                },
                target: 0.75,
                required_aps: 533.33,
                mode: Mode::OnDemand,
                trus: None,
                action: Action::Keep,
                support: false,
                billing: None,
                reason_has: &[
                    "on-demand limit is 2,000",
                    "above the 500 APS limit that throttled 50 APS now",
                ],
            },
            Case {
                // Case 1 of analyze v2: a Support-set on-demand limit of 10,000 throttled 300
                // APS; R = 10,000 / 0.75 = 13,333 needs 27 TRUs, beyond the 12 available, and 12
                // TRUs (6,000 APS) would halve the limit: stay on-demand, ask Support.
                name: "legacy on-demand limit above every available value: stay, support",
                inputs: Inputs {
                    stats: stats(2_000.0, 2_500.0, 3_000.0),
                    on_demand_aps_limit: Some(10_000.0),
                    has_legacy_limits: true,
                    ..on_demand(10_000.0, 9_700.0, 300.0)
                },
                target: 0.75,
                required_aps: 13_333.33,
                mode: Mode::OnDemand,
                trus: None,
                action: Action::Keep,
                support: true,
                billing: None,
                reason_has: &[
                    "on-demand's 10,000 APS is more than the largest available 12 TRUs (6,000 APS)",
                    "stay on on-demand and file a support request",
                    "(hasLegacyLimits)",
                ],
            },
            Case {
                // Case 2: limit 5,000, p99 5,250: R = 7,000 needs 14 TRUs; max available 8 gives
                // 4,000, below On-Demand's 5,000.
                name: "on-demand above the inventory cap: stay, support",
                inputs: Inputs {
                    stats: stats(3_000.0, 4_000.0, 5_250.0),
                    on_demand_aps_limit: Some(5_000.0),
                    max_available_trus: Some(8.0),
                    ..on_demand(5_000.0, 4_200.0, 0.0)
                },
                target: 0.75,
                required_aps: 7_000.0,
                mode: Mode::OnDemand,
                trus: None,
                action: Action::Keep,
                support: true,
                billing: None,
                reason_has: &["more than the largest available 8 TRUs (4,000 APS)"],
            },
            Case {
                // Case 3: 4 TRUs (2,000) throttled 40 with p99 1,400; now = 1,960 + 40 = 2,000,
                // R = 2,667; On-Demand gives 5,000, above the 2,000 that throttled, with no
                // hourly minimum.
                name: "provisioned and throttled below the on-demand limit: revert",
                inputs: Inputs {
                    stats: stats(1_200.0, 1_300.0, 1_400.0),
                    on_demand_aps_limit: Some(5_000.0),
                    ..provisioned(4.0, 1_960.0, 40.0)
                },
                target: 0.75,
                required_aps: 2_666.67,
                mode: Mode::OnDemand,
                trus: None,
                action: Action::RevertToOnDemand,
                support: false,
                billing: None,
                reason_has: &[
                    "on-demand limit is 5,000, above the 2,000 APS limit that throttled 40 APS now",
                    "instead of 4 TRUs",
                ],
            },
            Case {
                // R = 1,840 / 0.75 = 2,453.3 → n = 5 → 6.
                name: "five TRUs needed: smallest valid value is 6",
                inputs: Inputs {
                    stats: stats(520.0, 1_200.0, 1_840.0),
                    on_demand_aps_limit: Some(800.0),
                    ..on_demand(800.0, 1_500.0, 0.0)
                },
                target: 0.75,
                required_aps: 2_453.33,
                mode: Mode::Provisioned,
                trus: Some(6),
                action: Action::Provision,
                support: false,
                billing: None,
                reason_has: &[
                    "7-day p99 1,840 APS needs 2,453 APS at 75% target; on-demand limit is 800; 6 TRUs (3,000 APS) is the smallest valid value",
                ],
            },
            Case {
                // R = 3,600 / 0.75 = 4,800 → n = 10, but only 8 are available.
                name: "capped by max available: 8 and a support request",
                inputs: Inputs {
                    stats: stats(2_000.0, 3_000.0, 3_600.0),
                    on_demand_aps_limit: Some(800.0),
                    max_available_trus: Some(8.0),
                    ..on_demand(800.0, 3_000.0, 0.0)
                },
                target: 0.75,
                required_aps: 4_800.0,
                mode: Mode::Provisioned,
                trus: Some(8),
                action: Action::Provision,
                support: true,
                billing: None,
                reason_has: &[
                    "needs 4,800 APS",
                    "10 TRUs needed exceeds self-service (max available 8), so set 8 TRUs (4,000 APS) and file a support request",
                ],
            },
            Case {
                // R = 7,000 / 0.75 = 9,333.3 → n = 19, beyond the self-service 12.
                name: "need beyond 12: 12 and a support request",
                inputs: Inputs {
                    stats: stats(5_000.0, 6_500.0, 7_000.0),
                    on_demand_aps_limit: Some(5_000.0),
                    max_available_trus: None,
                    ..provisioned(8.0, 6_000.0, 0.0)
                },
                target: 0.75,
                required_aps: 9_333.33,
                mode: Mode::Provisioned,
                trus: Some(12),
                action: Action::ScaleUp,
                support: true,
                billing: None,
                reason_has: &[
                    "19 TRUs needed exceeds self-service (max 12), so set 12 TRUs (6,000 APS) and file a support request",
                ],
            },
            Case {
                // The same need with On-Demand at 8,000: the largest value (6,000 APS) would be
                // less than On-Demand gives, so the higher limit is On-Demand's.
                name: "need beyond 12 with a higher on-demand limit: return to on-demand",
                inputs: Inputs {
                    stats: stats(5_000.0, 6_500.0, 7_000.0),
                    on_demand_aps_limit: Some(8_000.0),
                    max_available_trus: None,
                    ..provisioned(8.0, 6_000.0, 0.0)
                },
                target: 0.75,
                required_aps: 9_333.33,
                mode: Mode::OnDemand,
                trus: None,
                action: Action::RevertToOnDemand,
                support: true,
                billing: None,
                reason_has: &["so return to on-demand and file a support request"],
            },
            Case {
                // Inventory fell to 6 while the namespace holds 8 and needs 10: dropping to 6
                // would cut capacity, so it keeps 8.
                name: "capped below the current value: keep it and ask support",
                inputs: Inputs {
                    stats: stats(2_000.0, 3_000.0, 3_600.0),
                    on_demand_aps_limit: Some(800.0),
                    max_available_trus: Some(6.0),
                    ..provisioned(8.0, 3_000.0, 0.0)
                },
                target: 0.75,
                required_aps: 4_800.0,
                mode: Mode::Provisioned,
                trus: Some(8),
                action: Action::Keep,
                support: true,
                billing: None,
                reason_has: &[
                    "10 TRUs needed exceeds self-service (max available 6), so keep the current 8 TRUs (4,000 APS) and file a support request",
                ],
            },
            Case {
                // R = 3,000 / 0.75 = 4,000 → n = 8; 8 and 10 exceed the 6 available, and the
                // 12 already held cover the need without any request.
                name: "current value above the cap covers the need: keep",
                inputs: Inputs {
                    stats: stats(2_000.0, 2_800.0, 3_000.0),
                    on_demand_aps_limit: Some(800.0),
                    max_available_trus: Some(6.0),
                    ..provisioned(12.0, 2_500.0, 0.0)
                },
                target: 0.75,
                required_aps: 4_000.0,
                mode: Mode::Provisioned,
                trus: Some(12),
                action: Action::Keep,
                support: false,
                billing: None,
                reason_has: &[
                    "keeping the current 12 TRUs (6,000 APS) covers it, as no smaller valid value is available",
                ],
            },
            Case {
                name: "no valid value within max available: stay on-demand, ask support",
                inputs: Inputs {
                    stats: stats(600.0, 1_000.0, 1_200.0),
                    on_demand_aps_limit: Some(1_000.0),
                    max_available_trus: Some(1.0),
                    ..on_demand(1_000.0, 800.0, 0.0)
                },
                target: 0.75,
                required_aps: 1_600.0,
                mode: Mode::OnDemand,
                trus: None,
                action: Action::Keep,
                support: true,
                billing: None,
                reason_has: &[
                    "4 TRUs needed but no valid TRU value is available (max available 1), so stay on on-demand and file a support request",
                ],
            },
            Case {
                // R = 2,400 / 0.75 = 3,200 → n = 7 → 8.
                name: "scale up",
                inputs: Inputs {
                    stats: stats(1_500.0, 2_200.0, 2_400.0),
                    on_demand_aps_limit: Some(3_000.0),
                    ..provisioned(4.0, 1_900.0, 0.0)
                },
                target: 0.75,
                required_aps: 3_200.0,
                mode: Mode::Provisioned,
                trus: Some(8),
                action: Action::ScaleUp,
                support: false,
                billing: None,
                reason_has: &[
                    "needs 3,200 APS",
                    "on-demand limit is 3,000",
                    "8 TRUs (4,000 APS) is the smallest valid value",
                ],
            },
            Case {
                // D = 1,400, R = 1,866.7 → n = 4 = current, but 40 APS throttled at 2,000, and
                // On-Demand (1,800) would not clear it. (At 2,600 it would: see case 3.)
                name: "throttled provisioned namespace scales up past its limit",
                inputs: Inputs {
                    stats: stats(1_000.0, 1_300.0, 1_400.0),
                    on_demand_aps_limit: Some(1_800.0),
                    ..provisioned(4.0, 1_300.0, 40.0)
                },
                target: 0.75,
                required_aps: 1_866.67,
                mode: Mode::Provisioned,
                trus: Some(6),
                action: Action::ScaleUp,
                support: false,
                billing: None,
                reason_has: &[
                    "throttled 40 APS now",
                    "6 TRUs (3,000 APS) is the smallest valid value above the current 2,000 APS limit",
                ],
            },
            Case {
                // R = 1,600 / 0.75 = 2,133.3 → n = 5 → 6, down from 10.
                name: "scale down",
                inputs: Inputs {
                    stats: stats(900.0, 1_400.0, 1_600.0),
                    on_demand_aps_limit: Some(2_000.0),
                    ..provisioned(10.0, 1_000.0, 0.0)
                },
                target: 0.75,
                required_aps: 2_133.33,
                mode: Mode::Provisioned,
                trus: Some(6),
                action: Action::ScaleDown,
                support: false,
                billing: None,
                reason_has: &["needs 2,133 APS", "6 TRUs (3,000 APS)"],
            },
            Case {
                name: "revert to on-demand",
                inputs: Inputs {
                    stats: stats(300.0, 500.0, 600.0),
                    on_demand_aps_limit: Some(1_000.0),
                    ..provisioned(4.0, 400.0, 0.0)
                },
                target: 0.75,
                required_aps: 800.0,
                mode: Mode::OnDemand,
                trus: None,
                action: Action::RevertToOnDemand,
                support: false,
                billing: None,
                reason_has: &[
                    "needs 800 APS",
                    "on-demand limit is 1,000, so on-demand is enough instead of 4 TRUs",
                ],
            },
            Case {
                // R = 2,000 / 0.75 = 2,666.7 → n = 6 = current.
                name: "keep provisioned at the same value",
                inputs: Inputs {
                    stats: stats(1_000.0, 1_800.0, 2_000.0),
                    on_demand_aps_limit: Some(2_000.0),
                    ..provisioned(6.0, 1_500.0, 0.0)
                },
                target: 0.75,
                required_aps: 2_666.67,
                mode: Mode::Provisioned,
                trus: Some(6),
                action: Action::Keep,
                support: false,
                billing: None,
                reason_has: &[
                    "needs 2,667 APS",
                    "6 TRUs (3,000 APS) is the smallest valid value",
                ],
            },
            Case {
                name: "current TRUs missing: derived from the 3,000 APS metric limit",
                inputs: Inputs {
                    stats: stats(1_000.0, 1_800.0, 2_000.0),
                    on_demand_aps_limit: Some(2_000.0),
                    current_trus: None,
                    ..provisioned(6.0, 1_500.0, 0.0)
                },
                target: 0.75,
                required_aps: 2_666.67,
                mode: Mode::Provisioned,
                trus: Some(6),
                action: Action::Keep,
                support: false,
                billing: None,
                reason_has: &["6 TRUs (3,000 APS)"],
            },
            Case {
                name: "current TRUs unknown: provision sets the value",
                inputs: Inputs {
                    stats: stats(1_000.0, 1_800.0, 2_000.0),
                    on_demand_aps_limit: Some(2_000.0),
                    current_trus: None,
                    action_limit: None,
                    ..provisioned(6.0, 1_500.0, 0.0)
                },
                target: 0.75,
                required_aps: 2_666.67,
                mode: Mode::Provisioned,
                trus: Some(6),
                action: Action::Provision,
                support: false,
                billing: None,
                reason_has: &["current TRU count unknown"],
            },
            Case {
                // D = 450 + 30 = 480, R = 640 > L = 500 (the on-demand metric limit).
                name: "7-day statistics missing: current minute provisions",
                inputs: on_demand(500.0, 450.0, 30.0),
                target: 0.75,
                required_aps: 640.0,
                mode: Mode::Provisioned,
                trus: Some(2),
                action: Action::Provision,
                support: false,
                billing: None,
                reason_has: &[
                    "7-day statistics were missing, so the current minute was used: 480 APS needs 640 APS",
                    "on-demand limit is 500 (current metric)",
                    "throttled 30 APS now",
                    "2 TRUs (1,000 APS)",
                ],
            },
            Case {
                name: "7-day statistics missing: current minute fits on-demand",
                inputs: Inputs {
                    on_demand_aps_limit: Some(800.0),
                    ..on_demand(800.0, 200.0, 0.0)
                },
                target: 0.75,
                required_aps: 266.67,
                mode: Mode::OnDemand,
                trus: None,
                action: Action::Keep,
                support: false,
                billing: None,
                reason_has: &[
                    "7-day statistics were missing, so the current minute was used: 200 APS needs 267 APS",
                ],
            },
            Case {
                // R = 3,000 / 0.75 = 4,000 → 8 TRUs; minimum 7 × 360,000 = 2,520,000/hour,
                // used 150 × 3,600 = 540,000, unused 1,980,000 × $50 / 1M = $99.
                name: "peaky load below the billing minimum",
                inputs: Inputs {
                    stats: stats(150.0, 300.0, 3_000.0),
                    on_demand_aps_limit: Some(600.0),
                    ..on_demand(600.0, 200.0, 0.0)
                },
                target: 0.75,
                required_aps: 4_000.0,
                mode: Mode::Provisioned,
                trus: Some(8),
                action: Action::Provision,
                support: false,
                billing: billing(2_520_000.0, 1_980_000.0, 99.0),
                reason_has: &[
                    "8 TRUs (4,000 APS) is the smallest valid value",
                    "the 7-day mean of 150 APS leaves at least 1,980,000 of the 2,520,000 minimum actions/hour unused (at least $99.00/hour at list price)",
                    "prefer a time-boxed `tcap schedule-change` for the peak over a permanent change",
                ],
            },
            Case {
                name: "target 1.0: the same load fits on-demand",
                inputs: Inputs {
                    stats: stats(600.0, 900.0, 1_000.0),
                    on_demand_aps_limit: Some(1_200.0),
                    ..on_demand(1_200.0, 800.0, 0.0)
                },
                target: 1.0,
                required_aps: 1_000.0,
                mode: Mode::OnDemand,
                trus: None,
                action: Action::Keep,
                support: false,
                billing: None,
                reason_has: &["needs 1,000 APS at 100% target"],
            },
            Case {
                name: "target 0.75: the same load needs 3 TRUs",
                inputs: Inputs {
                    stats: stats(600.0, 900.0, 1_000.0),
                    on_demand_aps_limit: Some(1_200.0),
                    ..on_demand(1_200.0, 800.0, 0.0)
                },
                target: 0.75,
                required_aps: 1_333.33,
                mode: Mode::Provisioned,
                trus: Some(3),
                action: Action::Provision,
                support: false,
                billing: None,
                reason_has: &["needs 1,333 APS at 75% target", "3 TRUs (1,500 APS)"],
            },
            Case {
                name: "target 0.5: the same load needs 4 TRUs",
                inputs: Inputs {
                    stats: stats(600.0, 900.0, 1_000.0),
                    on_demand_aps_limit: Some(1_200.0),
                    ..on_demand(1_200.0, 800.0, 0.0)
                },
                target: 0.5,
                required_aps: 2_000.0,
                mode: Mode::Provisioned,
                trus: Some(4),
                action: Action::Provision,
                support: false,
                billing: None,
                reason_has: &["needs 2,000 APS at 50% target", "4 TRUs (2,000 APS)"],
            },
            Case {
                // R = 1,400 / 0.7 is 2,000.0000000000002 in binary: still exactly 4 TRUs.
                name: "target 0.7: rounding noise does not add a TRU",
                inputs: Inputs {
                    stats: stats(600.0, 900.0, 1_400.0),
                    on_demand_aps_limit: Some(1_200.0),
                    ..on_demand(1_200.0, 800.0, 0.0)
                },
                target: 0.7,
                required_aps: 2_000.0,
                mode: Mode::Provisioned,
                trus: Some(4),
                action: Action::Provision,
                support: false,
                billing: None,
                reason_has: &["needs 2,000 APS at 70% target"],
            },
            Case {
                name: "empty valid values: documented list, n = 5 → 6",
                inputs: Inputs {
                    stats: stats(520.0, 1_200.0, 1_840.0),
                    on_demand_aps_limit: Some(800.0),
                    valid_tru_values: vec![],
                    max_available_trus: None,
                    ..on_demand(800.0, 1_500.0, 0.0)
                },
                target: 0.75,
                required_aps: 2_453.33,
                mode: Mode::Provisioned,
                trus: Some(6),
                action: Action::Provision,
                support: false,
                billing: None,
                reason_has: &["6 TRUs (3,000 APS) is the smallest valid value"],
            },
            Case {
                name: "empty valid values: documented list tops out at 12",
                inputs: Inputs {
                    stats: stats(5_000.0, 6_500.0, 7_000.0),
                    on_demand_aps_limit: Some(800.0),
                    valid_tru_values: vec![],
                    max_available_trus: None,
                    ..on_demand(800.0, 6_000.0, 0.0)
                },
                target: 0.75,
                required_aps: 9_333.33,
                mode: Mode::Provisioned,
                trus: Some(12),
                action: Action::Provision,
                support: true,
                billing: None,
                reason_has: &["19 TRUs needed exceeds self-service (max 12)"],
            },
            Case {
                name: "capacity-info valid values are honoured: n = 5 → 8",
                inputs: Inputs {
                    stats: stats(520.0, 1_200.0, 1_840.0),
                    on_demand_aps_limit: Some(800.0),
                    valid_tru_values: vec![8.0, 2.0, 4.0, 4.0, 2.5, f64::NAN],
                    ..on_demand(800.0, 1_500.0, 0.0)
                },
                target: 0.75,
                required_aps: 2_453.33,
                mode: Mode::Provisioned,
                trus: Some(8),
                action: Action::Provision,
                support: false,
                // 7 × 360,000 = 2,520,000; 520 × 3,600 = 1,872,000 used.
                billing: billing(2_520_000.0, 648_000.0, 32.4),
                reason_has: &[
                    "8 TRUs (4,000 APS) is the smallest valid value",
                    "$32.40/hour",
                ],
            },
        ];
        for case in &cases {
            check(case);
        }
    }

    fn rps(limit: f64, count: f64, throttled: f64) -> Reading {
        Reading {
            limit: Some(limit),
            count,
            throttled,
            envelope: None,
        }
    }

    #[test]
    fn requests_throttled_on_demand_provision_with_rps_binding() {
        // Actions are fine (p99 300 → 400 needed, on-demand 800). Requests: 1,960 + 300
        // throttled at the 2,000 RPS limit → D = 2,260, R = 3,013.3 → ceil(3,013.3 / 1,500) =
        // 3 TRUs (4,500 RPS), above the 2,000 that throttled.
        let inputs = Inputs {
            stats: stats(200.0, 280.0, 300.0),
            on_demand_aps_limit: Some(800.0),
            requests: rps(2_000.0, 1_960.0, 300.0),
            ..on_demand(800.0, 250.0, 0.0)
        };
        let rec = recommend(&inputs, &Policy::default());
        assert_eq!(rec.binding_dimension, Dimension::Rps, "{}", rec.reason);
        assert_eq!(
            (rec.mode, rec.trus, rec.action),
            (Mode::Provisioned, Some(3), Action::Provision)
        );
        assert_eq!(
            rec.reason,
            "current 2,260 RPS needs 3,013 RPS at 75% target; on-demand limit is 2,000 RPS \
             (current metric); throttled 300 RPS now; 3 TRUs (4,500 RPS) is the smallest valid \
             value"
        );
        let r = rec.dimensions[1];
        assert!((r.required - 3_013.33).abs() < 0.01, "{r:?}");
        assert_eq!((r.trus_needed, r.on_demand_limit), (3, 2_000.0));
        // The APS fields keep their meaning for scripts.
        assert_eq!((rec.demand_aps, rec.on_demand_limit_aps), (300.0, 800.0));
    }

    #[test]
    fn an_envelope_above_the_throttled_limit_makes_on_demand_enough() {
        // 2 TRUs give 3,000 RPS, which throttled 100; On-Demand would give 6,000 RPS and 1,000
        // APS, covering 4,000 RPS and 400 APS needed: revert, no hourly minimum.
        let inputs = Inputs {
            stats: stats(200.0, 280.0, 300.0),
            on_demand_aps_limit: Some(1_000.0),
            requests: Reading {
                envelope: Some(6_000.0),
                ..rps(3_000.0, 2_900.0, 100.0)
            },
            ..provisioned(2.0, 250.0, 0.0)
        };
        let rec = recommend(&inputs, &Policy::default());
        assert_eq!(rec.action, Action::RevertToOnDemand, "{}", rec.reason);
        assert_eq!(rec.binding_dimension, Dimension::Rps);
        assert!(
            rec.reason.contains(
                "on-demand limit is 6,000 RPS, above the 3,000 RPS limit that throttled 100 RPS now"
            ),
            "{}",
            rec.reason
        );
        // Without the envelope On-Demand is known only at its 2,000 RPS default: scale up.
        let without = Inputs {
            requests: rps(3_000.0, 2_900.0, 100.0),
            ..inputs
        };
        let rec = recommend(&without, &Policy::default());
        assert_eq!(
            (rec.action, rec.trus),
            (Action::ScaleUp, Some(3)),
            "{}",
            rec.reason
        );
    }

    #[test]
    fn the_largest_need_sizes_the_value_the_binding_dimension_names() {
        // Operations throttle at 4,000 OPS (on-demand default): 2 TRUs would clear them, but
        // actions need 1,867 APS (4 TRUs) while On-Demand's 2,000 APS covers them: the binding
        // dimension is OPS (where On-Demand falls short) and the value 4 TRUs.
        let inputs = Inputs {
            stats: stats(900.0, 1_000.0, 1_400.0),
            on_demand_aps_limit: Some(2_000.0),
            operations: rps(4_000.0, 3_950.0, 50.0),
            ..on_demand(2_000.0, 1_200.0, 0.0)
        };
        let rec = recommend(&inputs, &Policy::default());
        assert_eq!(rec.binding_dimension, Dimension::Ops, "{}", rec.reason);
        assert_eq!(rec.trus, Some(4), "{}", rec.reason);
        assert!(
            rec.reason.contains(
                "4 TRUs (16,000 OPS) is the smallest valid value that also covers the 1,867 APS needed"
            ),
            "{}",
            rec.reason
        );
    }

    #[test]
    fn in_flight_requests_and_the_hourly_rule() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let busy = Inputs {
            stats: stats(2_000.0, 2_800.0, 3_000.0),
            on_demand_aps_limit: Some(800.0),
            now: Some(t("2026-11-30T12:00:00Z")),
            ..provisioned(4.0, 2_500.0, 0.0)
        };
        // In progress: nothing new is proposed, and the reason says since when.
        let pending = Inputs {
            latest_request: Some(LatestRequest {
                in_progress: true,
                started: Some(t("2026-11-30T11:58:00Z")),
                ended: None,
            }),
            ..busy.clone()
        };
        let rec = recommend(&pending, &Policy::default());
        assert_eq!(
            (rec.action, rec.mode, rec.trus),
            (Action::Pending, Mode::Provisioned, Some(4))
        );
        assert!(
            rec.reason
                .starts_with("a capacity request has been in progress since 2026-11-30T11:58:00Z"),
            "{}",
            rec.reason
        );
        assert_eq!(rec.cost.hourly_usd_now, rec.cost.hourly_usd_recommended);
        // Ended 20 minutes ago: the scale-up stands, after the hour.
        let recent = Inputs {
            latest_request: Some(LatestRequest {
                in_progress: false,
                started: Some(t("2026-11-30T11:39:00Z")),
                ended: Some(t("2026-11-30T11:40:00Z")),
            }),
            ..busy.clone()
        };
        let rec = recommend(&recent, &Policy::default());
        assert_eq!(rec.action, Action::ScaleUp);
        assert_eq!(rec.next_change_after, Some(t("2026-11-30T12:40:00Z")));
        assert!(
            rec.reason.contains("the last change ended at 2026-11-30T11:40:00Z, so make this change after 2026-11-30T12:40:00Z"),
            "{}",
            rec.reason
        );
        // An hour and more ago: nothing to wait for.
        let old = Inputs {
            now: Some(t("2026-11-30T12:40:00Z")),
            ..recent
        };
        assert_eq!(recommend(&old, &Policy::default()).next_change_after, None);
    }

    #[test]
    fn legacy_limits_are_named() {
        let inputs = Inputs {
            stats: stats(2_000.0, 2_500.0, 3_000.0),
            on_demand_aps_limit: Some(10_000.0),
            has_legacy_limits: true,
            ..on_demand(10_000.0, 9_700.0, 300.0)
        };
        let rec = recommend(&inputs, &Policy::default());
        assert!(
            rec.support_request && rec.mode == Mode::OnDemand,
            "{}",
            rec.reason
        );
        assert!(
            rec.reason.ends_with(
                "a Support-set limit applies (hasLegacyLimits) and persists across mode switches"
            ),
            "{}",
            rec.reason
        );
    }

    #[test]
    fn cost_is_the_larger_of_use_and_the_minimum_at_the_price() {
        // 6 TRUs held, mean 100 APS (360,000 actions/hour): now the 1,800,000 minimum ($90),
        // recommended On-Demand the 360,000 used ($18).
        let inputs = Inputs {
            stats: stats(100.0, 150.0, 200.0),
            on_demand_aps_limit: Some(600.0),
            ..provisioned(6.0, 120.0, 0.0)
        };
        let rec = recommend(&inputs, &Policy::default());
        assert_eq!(rec.action, Action::RevertToOnDemand);
        assert_eq!(
            rec.cost,
            Cost {
                hourly_usd_now: 90.0,
                hourly_usd_recommended: 18.0,
                basis: Basis::SevenDayMean
            }
        );
        let volume = Policy::default().with_price(25.0).unwrap();
        let rec = recommend(&inputs, &volume);
        assert_eq!(
            (rec.cost.hourly_usd_now, rec.cost.hourly_usd_recommended),
            (45.0, 9.0)
        );
        // Without statistics the current minute stands in, and says so.
        let rec = recommend(&on_demand(500.0, 100.0, 0.0), &Policy::default());
        assert_eq!(rec.cost.basis, Basis::CurrentMinute);
        assert_eq!(rec.cost.hourly_usd_now, 18.0);
        assert!(Policy::default().with_price(-1.0).is_err());
        assert!(Policy::default().with_price(f64::NAN).is_err());
    }

    #[test]
    fn a_billing_note_at_a_volume_price_says_so() {
        let inputs = Inputs {
            stats: stats(150.0, 300.0, 3_000.0),
            on_demand_aps_limit: Some(600.0),
            ..on_demand(600.0, 200.0, 0.0)
        };
        let rec = recommend(&inputs, &Policy::default().with_price(20.0).unwrap());
        let note = rec.billing.unwrap();
        assert_eq!(note.unused_cost_per_hour_usd, 39.6);
        assert!(
            rec.reason
                .contains("(at least $39.60/hour at $20.00 per million actions)"),
            "{}",
            rec.reason
        );
    }

    #[test]
    fn doc_example_reason_is_exact() {
        let inputs = Inputs {
            stats: stats(520.0, 1_200.0, 1_840.0),
            on_demand_aps_limit: Some(800.0),
            ..on_demand(800.0, 1_500.0, 0.0)
        };
        let rec = recommend(&inputs, &Policy::default());
        assert_eq!(
            rec.reason,
            "7-day p99 1,840 APS needs 2,453 APS at 75% target; on-demand limit is 800; \
             6 TRUs (3,000 APS) is the smallest valid value"
        );
        assert_eq!(rec.demand_aps, 1_840.0);
    }

    #[test]
    fn on_demand_limit_fallback_order() {
        // (name, inputs, expected limit, text in reason)
        let cases: [(&str, Inputs, f64, &str); 6] = [
            (
                "capacity-info wins over stats and metric",
                Inputs {
                    on_demand_aps_limit: Some(900.0),
                    stats: stats(200.0, 500.0, 600.0),
                    ..on_demand(1_300.0, 100.0, 0.0)
                },
                900.0,
                "on-demand limit is 900,",
            ),
            (
                "stats: min(4 × 200, 2 × 500) = 800",
                Inputs {
                    stats: stats(200.0, 500.0, 600.0),
                    ..on_demand(1_300.0, 100.0, 0.0)
                },
                800.0,
                "on-demand limit is 800 (from 7-day stats)",
            ),
            (
                "stats below the floor: max(500, min(400, 300)) = 500",
                Inputs {
                    stats: stats(100.0, 150.0, 200.0),
                    ..on_demand(1_300.0, 100.0, 0.0)
                },
                500.0,
                "on-demand limit is 500 (from 7-day stats)",
            ),
            (
                "non-finite capacity-info value falls through to stats",
                Inputs {
                    on_demand_aps_limit: Some(f64::NAN),
                    stats: stats(200.0, 500.0, 600.0),
                    ..on_demand(1_300.0, 100.0, 0.0)
                },
                800.0,
                "(from 7-day stats)",
            ),
            (
                "no capacity-info or stats, on-demand: the metric limit",
                on_demand(1_300.0, 100.0, 0.0),
                1_300.0,
                "on-demand limit is 1,300 (current metric)",
            ),
            (
                "no capacity-info or stats, provisioned: the 500 floor, not the TRU limit",
                provisioned(4.0, 100.0, 0.0),
                500.0,
                "on-demand limit is 500 (the default floor)",
            ),
        ];
        for (name, inputs, limit, text) in &cases {
            let rec = recommend(inputs, &Policy::default());
            assert_eq!(rec.on_demand_limit_aps, *limit, "{name}");
            assert!(rec.reason.contains(text), "{name}: {}", rec.reason);
        }
    }

    #[test]
    fn garbage_inputs_never_produce_nan() {
        let cases = [
            Inputs {
                action_limit: Some(f64::NAN),
                action_count: f64::NAN,
                throttled: -5.0,
                stats: stats(f64::NAN, 100.0, 200.0),
                on_demand_aps_limit: Some(-1.0),
                max_available_trus: Some(f64::NAN),
                current_trus: Some(f64::NAN),
                valid_tru_values: vec![f64::NAN, -2.0, 0.0],
                ..provisioned(4.0, 0.0, 0.0)
            },
            Inputs {
                action_count: f64::INFINITY,
                throttled: f64::NEG_INFINITY,
                stats: stats(-1.0, -1.0, -1.0),
                ..on_demand(500.0, 0.0, 0.0)
            },
            Inputs {
                stats: stats(f64::MAX, f64::MAX, f64::MAX),
                ..on_demand(500.0, 1e300, 1e300)
            },
        ];
        for inputs in &cases {
            let rec = recommend(inputs, &Policy::default());
            for v in [rec.demand_aps, rec.required_aps, rec.on_demand_limit_aps] {
                assert!(!v.is_nan(), "{rec:?}");
            }
            if let Some(b) = rec.billing {
                assert!(!b.unused_cost_per_hour_usd.is_nan(), "{rec:?}");
            }
            assert!(!rec.reason.contains("NaN"), "{}", rec.reason);
        }
        // NaN and negative readings count as 0, so an idle namespace stays on-demand.
        let rec = recommend(&cases[1], &Policy::default());
        assert_eq!(
            (rec.mode, rec.action, rec.demand_aps),
            (Mode::OnDemand, Action::Keep, 0.0)
        );
        assert!(
            rec.reason.contains("7-day statistics were missing"),
            "{}",
            rec.reason
        );
    }

    #[test]
    fn policy_validation() {
        for ok in [0.75, 1.0, 0.01] {
            assert_eq!(Policy::new(ok).map(|p| p.target_utilization), Ok(ok));
        }
        for bad in [0.0, -0.5, 1.01, f64::NAN, f64::INFINITY] {
            let err = Policy::new(bad).expect_err("out of range");
            assert!(err.contains("greater than 0 and at most 1"), "{err}");
        }
        // A policy built around `new` falls back to the default instead of dividing by zero.
        let inputs = Inputs {
            stats: stats(520.0, 1_200.0, 1_840.0),
            on_demand_aps_limit: Some(800.0),
            ..on_demand(800.0, 1_500.0, 0.0)
        };
        let broken = recommend(
            &inputs,
            &Policy {
                target_utilization: 0.0,
                ..Policy::default()
            },
        );
        assert_eq!(broken, recommend(&inputs, &Policy::default()));
    }

    #[test]
    fn wire_names_match_the_cli_contract() {
        let modes = [
            (Mode::OnDemand, "on-demand"),
            (Mode::Provisioned, "provisioned"),
        ];
        for (mode, name) in modes {
            assert_eq!(mode.to_string(), name);
            assert_eq!(serde_json::to_value(mode).unwrap(), name);
        }
        let actions = [
            (Action::Keep, "keep"),
            (Action::Provision, "provision"),
            (Action::ScaleUp, "scale-up"),
            (Action::ScaleDown, "scale-down"),
            (Action::RevertToOnDemand, "revert-to-on-demand"),
        ];
        for (action, name) in actions {
            assert_eq!(action.to_string(), name);
            assert_eq!(serde_json::to_value(action).unwrap(), name);
        }
    }

    #[test]
    fn number_formatting() {
        let ints = [
            (0.0, "0"),
            (-0.4, "0"),
            (7.0, "7"),
            (999.4, "999"),
            (999.5, "1,000"),
            (2_453.2, "2,453"),
            (1_234_567.0, "1,234,567"),
            (-1_234.4, "-1,234"),
            (f64::NAN, "NaN"),
        ];
        for (x, want) in ints {
            assert_eq!(fmt_int(x), want, "fmt_int({x})");
        }
        let usd = [
            (99.0, "$99.00"),
            (18.0, "$18.00"),
            (32.4, "$32.40"),
            (1_234.567, "$1,234.57"),
            (0.004, "$0.00"),
            (-2.5, "-$2.50"),
        ];
        for (x, want) in usd {
            assert_eq!(fmt_usd(x), want, "fmt_usd({x})");
        }
        let pct = [(0.75, "75%"), (1.0, "100%"), (0.6, "60%"), (0.755, "75.5%")];
        for (x, want) in pct {
            assert_eq!(fmt_pct(x), want, "fmt_pct({x})");
        }
    }
}
