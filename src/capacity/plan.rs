//! `tcap plan`'s arithmetic: a namespace's minutes of history priced under each capacity it
//! could have had, per calendar hour as Temporal bills, and the cheapest that throttles no more
//! than allowed.
//!
//! Pure: the minutes come in (from `history/`), bills and a choice go out. No clock.
//!
//! The model, stated once (the README repeats it):
//! - demand in a minute = non-background actions + throttled actions (what was asked for);
//! - an alternative with limit L runs min(demand, L) of it and throttles the rest;
//! - billed actions = the run part + background actions (billed, not limited), and an hour is
//!   billed the larger of its actions and the TRU minimum of the highest TRU value held in it;
//! - Provisioned T TRUs: L = 500 × T; On-Demand: L = max(500, min(4 × mean, 2 × p90)) of the
//!   demand over the 7 days before the hour (the first 7 days of history stand in for hours
//!   that have fewer behind them), recomputed each hour;
//! - requests and operations likewise, with their own per-TRU rates and On-Demand floors
//!   ([`Dimension`]); Temporal says their On-Demand limits follow 7 days of use without giving
//!   the formula, so the actions' one is used. They are not billed, but an alternative that
//!   throttles them is held to the same budget as actions.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc, Weekday};
use serde::Serialize;

use super::cost::{minimum_actions_per_hour, usd};
use super::dimension::Dimension;
use super::recommend::ON_DEMAND_FLOOR_APS;

const MINUTES_PER_WEEK: usize = 7 * 24 * 60;
/// Slots of a recurring schedule: weekday × hour.
pub const SLOTS: usize = 7 * 24;
pub const MINUTES_PER_30_DAYS: f64 = 30.0 * 24.0 * 60.0;

/// One minute of one namespace, per second, as the metrics rules sum it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Minute {
    /// The largest `action_limit` row.
    pub limit: f64,
    /// `total_action_count{is_background="false"}`, summed.
    pub foreground: f64,
    /// `total_action_count{is_background="true"}`, summed: billed, never limited.
    pub background: f64,
    /// `total_action_throttled_count`, summed.
    pub throttled: f64,
    /// Requests asked for: `service_request_count` + `service_request_throttled_count`.
    pub requests: f64,
    /// Operations asked for, background ones left out: `operations_count` +
    /// `operations_throttled_count`.
    pub operations: f64,
}

impl Minute {
    /// What was asked for: what ran plus what was turned away.
    pub fn demand(&self) -> f64 {
        self.foreground + self.throttled
    }

    /// Demand in each dimension, in [`Dimension::ALL`] order.
    pub fn demands(&self) -> [f64; 3] {
        [self.demand(), self.requests, self.operations]
    }
}

/// A namespace's minutes from `start` (a whole minute), `None` where nothing was recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    pub start: DateTime<Utc>,
    pub minutes: Vec<Option<Minute>>,
}

impl History {
    pub fn end(&self) -> DateTime<Utc> {
        self.start + Duration::minutes(self.minutes.len() as i64)
    }

    pub fn at(&self, index: usize) -> DateTime<Utc> {
        self.start + Duration::minutes(index as i64)
    }

    pub fn covered_minutes(&self) -> usize {
        self.minutes.iter().filter(|m| m.is_some()).count()
    }

    /// Runs of missing minutes: (first missing, first present again).
    pub fn gaps(&self) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let mut gaps = Vec::new();
        let mut from = None;
        for (i, m) in self.minutes.iter().enumerate() {
            match (m, from) {
                (None, None) => from = Some(i),
                (Some(_), Some(f)) => {
                    gaps.push((self.at(f), self.at(i)));
                    from = None;
                }
                _ => {}
            }
        }
        if let Some(f) = from {
            gaps.push((self.at(f), self.end()));
        }
        gaps
    }

    /// The newest recorded limit: what the namespace has now, as far as the history knows.
    pub fn last_limit(&self) -> Option<f64> {
        self.minutes.iter().rev().flatten().map(|m| m.limit).next()
    }
}

/// Calls `f` with the minute indexes of each calendar (UTC) hour `history` touches, in order.
fn each_hour(history: &History, mut f: impl FnMut(std::ops::Range<usize>)) {
    let n = history.minutes.len();
    let mut from = 0;
    while from < n {
        let into_hour = history.at(from).minute() as usize;
        let to = (from + 60 - into_hour).min(n);
        f(from..to);
        from = to;
    }
}

/// The busiest minute of one calendar hour, per second: what a limit line is compared with,
/// since a limit holds per minute and an hour's mean would hide its peak.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct HourPeak {
    /// The largest demand (actions run + throttled) of any minute in the hour.
    pub demand: f64,
    /// The most actions throttled in any minute of the hour: 0 when none was.
    pub throttled: f64,
}

/// Every calendar hour the history touches, oldest first, with its start and its busiest
/// minute; `None` for an hour with nothing recorded (a gap, never drawn as idle).
pub fn hourly_peaks(history: &History) -> Vec<(DateTime<Utc>, Option<HourPeak>)> {
    let mut hours = Vec::new();
    each_hour(history, |range| {
        let first = history.at(range.start);
        let start = first - Duration::minutes(i64::from(first.minute()));
        let peak =
            history.minutes[range]
                .iter()
                .flatten()
                .fold(None, |peak: Option<HourPeak>, m| {
                    let p = peak.unwrap_or_default();
                    Some(HourPeak {
                        demand: p.demand.max(m.demand()),
                        throttled: p.throttled.max(m.throttled),
                    })
                });
        hours.push((start, peak));
    });
    hours
}

/// Weekday × hour in the plan's time zone, Monday 00:00 = 0.
pub fn slot_of<Z: TimeZone>(at: DateTime<Utc>, tz: &Z) -> usize {
    let local = at.with_timezone(tz);
    local.weekday().num_days_from_monday() as usize * 24 + local.hour() as usize
}

/// On-Demand's action limit in each minute, by the rule in the module comment.
pub fn on_demand_limits(history: &History) -> Vec<f64> {
    on_demand_limits_of(history, Dimension::Aps)
}

/// On-Demand's limit of `dimension` in each minute.
pub fn on_demand_limits_of(history: &History, dimension: Dimension) -> Vec<f64> {
    let n = history.minutes.len();
    let floor = dimension.on_demand_floor();
    let index = Dimension::ALL
        .iter()
        .position(|d| *d == dimension)
        .expect("one of ALL");
    let mut limits = vec![floor; n];
    let mut current = floor;
    let mut window: Vec<f64> = Vec::with_capacity(MINUTES_PER_WEEK);
    for (i, limit) in limits.iter_mut().enumerate() {
        if i == 0 || history.at(i).minute() == 0 {
            let (from, to) = if i >= MINUTES_PER_WEEK {
                (i - MINUTES_PER_WEEK, i)
            } else {
                (0, n.min(MINUTES_PER_WEEK))
            };
            window.clear();
            window.extend(
                history.minutes[from..to]
                    .iter()
                    .flatten()
                    .map(|m| m.demands()[index]),
            );
            current = on_demand_limit_above(&mut window, floor);
        }
        *limit = current;
    }
    limits
}

/// max(500, min(4 × mean, 2 × p90)) of `demand` (reordered); the floor when it is empty.
pub fn on_demand_limit(demand: &mut [f64]) -> f64 {
    on_demand_limit_above(demand, ON_DEMAND_FLOOR_APS)
}

/// max(`floor`, min(4 × mean, 2 × p90)) of `demand`; the floor when it is empty.
fn on_demand_limit_above(demand: &mut [f64], floor: f64) -> f64 {
    if demand.is_empty() {
        return floor;
    }
    let mean = demand.iter().sum::<f64>() / demand.len() as f64;
    let p90 = percentile(demand, 0.90);
    floor.max((4.0 * mean).min(2.0 * p90))
}

/// Nearest rank: the smallest value with at least `q` of the values at or below it.
pub fn percentile(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
    let (_, v, _) = values.select_nth_unstable_by(rank - 1, f64::total_cmp);
    *v
}

/// A capacity a namespace could hold over the history.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "mode", rename_all = "kebab-case")]
pub enum Capacity {
    OnDemand,
    Provisioned {
        trus: f64,
    },
    /// `trus` in the windows (weekday × hour in the plan's zone), On-Demand outside.
    Schedule {
        trus: u32,
        windows: Vec<Window>,
    },
}

/// Consecutive hours at the schedule's TRUs from `start_hour` of `weekday`; a window may run
/// past midnight into the next day (one change, not a revert and a new change at 00:00).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Window {
    #[serde(serialize_with = "weekday_name")]
    pub weekday: Weekday,
    pub start_hour: u32,
    pub hours: u32,
}

fn weekday_name<S: serde::Serializer>(d: &Weekday, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

/// The windows of a slot mask: its runs of consecutive hours, the week read as a circle,
/// in week order of their start.
pub fn windows_of(mask: &[bool; SLOTS]) -> Vec<Window> {
    let window = |slot: usize, hours: usize| Window {
        weekday: Weekday::try_from((slot / 24) as u8).expect("0..7"),
        start_hour: (slot % 24) as u32,
        hours: hours as u32,
    };
    let Some(off) = mask.iter().position(|on| !on) else {
        return vec![window(0, SLOTS)];
    };
    let mut windows = Vec::new();
    let mut run: Option<(usize, usize)> = None;
    for k in 1..=SLOTS {
        let slot = (off + k) % SLOTS;
        match (mask[slot], run) {
            (true, None) => run = Some((slot, 1)),
            (true, Some((start, n))) => run = Some((start, n + 1)),
            (false, Some((start, n))) => {
                windows.push(window(start, n));
                run = None;
            }
            (false, None) => {}
        }
    }
    windows.sort_by_key(|w| w.weekday.num_days_from_monday() * 24 + w.start_hour);
    windows
}

/// The slot mask of windows.
pub fn mask_of(windows: &[Window]) -> [bool; SLOTS] {
    let mut mask = [false; SLOTS];
    for w in windows {
        let first = w.weekday.num_days_from_monday() as usize * 24 + w.start_hour as usize;
        for k in 0..(w.hours as usize).min(SLOTS) {
            mask[(first + k) % SLOTS] = true;
        }
    }
    mask
}

/// What a capacity would have cost and turned away over the history.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Bill {
    pub usd: f64,
    /// Calendar hours with at least one recorded minute: the ones billed.
    pub hours: usize,
    pub actions: f64,
    /// Actions billed for the TRU minimum beyond those used.
    pub shortfall_actions: f64,
    pub throttled_actions: f64,
    pub throttled_requests: f64,
    pub throttled_operations: f64,
}

impl Bill {
    /// Throttled actions, requests and operations, in [`Dimension::ALL`] order.
    pub fn throttled(&self) -> [f64; 3] {
        [
            self.throttled_actions,
            self.throttled_requests,
            self.throttled_operations,
        ]
    }

    /// Whether each dimension throttles within `budget`.
    pub fn fits(&self, budget: f64) -> bool {
        fits(self.throttled(), budget)
    }
}

fn fits(throttled: [f64; 3], budget: f64) -> bool {
    throttled.iter().all(|t| within(*t, budget))
}

/// The history with what every alternative needs computed once.
pub struct Prepared<'a> {
    pub history: &'a History,
    /// On-Demand's action limit each minute.
    pub on_demand: Vec<f64>,
    /// On-Demand's request and operation limits each minute.
    on_demand_rps: Vec<f64>,
    on_demand_ops: Vec<f64>,
    /// Each minute's slot in the plan's zone.
    pub slots: Vec<usize>,
    pub price_per_million: f64,
}

impl<'a> Prepared<'a> {
    pub fn new<Z: TimeZone>(history: &'a History, tz: &Z, price_per_million: f64) -> Self {
        let slots = (0..history.minutes.len())
            .map(|i| slot_of(history.at(i), tz))
            .collect();
        Prepared {
            history,
            on_demand: on_demand_limits(history),
            on_demand_rps: on_demand_limits_of(history, Dimension::Rps),
            on_demand_ops: on_demand_limits_of(history, Dimension::Ops),
            slots,
            price_per_million,
        }
    }

    /// TRUs held in minute `i` under `capacity` (`None`: On-Demand).
    fn trus_at(&self, capacity: &Capacity, mask: Option<&[bool; SLOTS]>, i: usize) -> Option<f64> {
        match capacity {
            Capacity::OnDemand => None,
            Capacity::Provisioned { trus } => Some(*trus),
            Capacity::Schedule { trus, .. } => mask
                .is_some_and(|m| m[self.slots[i]])
                .then_some(f64::from(*trus)),
        }
    }

    /// The bill of `capacity`, per calendar (UTC) hour.
    pub fn bill(&self, capacity: &Capacity) -> Bill {
        let mask = match capacity {
            Capacity::Schedule { windows, .. } => Some(mask_of(windows)),
            _ => None,
        };
        let mut total = Bill::default();
        self.each_hour(|range| {
            let mut hour = HourTally::default();
            for i in range {
                let trus = self.trus_at(capacity, mask.as_ref(), i);
                hour.add(self.history.minutes[i], self.limit(trus, i), trus);
            }
            hour.close(&mut total, self.price_per_million);
        });
        total
    }

    /// The limits in minute `i` holding `trus` (`None`: On-Demand), in [`Dimension::ALL`] order.
    fn limit(&self, trus: Option<f64>, i: usize) -> [f64; 3] {
        match trus {
            Some(t) => Dimension::ALL.map(|d| t * d.per_tru()),
            None => [
                self.on_demand[i],
                self.on_demand_rps[i],
                self.on_demand_ops[i],
            ],
        }
    }

    /// Calls `f` with the minute indexes of each calendar hour, in order.
    fn each_hour(&self, f: impl FnMut(std::ops::Range<usize>)) {
        each_hour(self.history, f);
    }

    /// Per slot, what each hour starting in it costs and throttles under On-Demand and under
    /// `trus` TRUs: the pieces a schedule is assembled from.
    fn slot_costs(&self, trus: f64) -> [[SlotCost; 2]; SLOTS] {
        let mut costs = [[SlotCost::default(); 2]; SLOTS];
        self.each_hour(|range| {
            let slot = self.slots[range.start];
            for (k, held) in [None, Some(trus)].into_iter().enumerate() {
                let mut hour = HourTally::default();
                for i in range.clone() {
                    hour.add(self.history.minutes[i], self.limit(held, i), held);
                }
                let mut bill = Bill::default();
                hour.close(&mut bill, self.price_per_million);
                costs[slot][k].usd += bill.usd;
                for (sum, t) in costs[slot][k].throttled.iter_mut().zip(bill.throttled()) {
                    *sum += t;
                }
            }
        });
        costs
    }

    /// The cheapest schedule at `trus` whose throttled actions stay within `budget`: each slot
    /// On-Demand or `trus`, whichever is cheaper, then the slots that throttle least per extra
    /// dollar are switched until the budget holds. `None` when no window is worth it, every
    /// slot is (that is the permanent value), or no choice meets the budget.
    pub fn best_schedule(&self, trus: u32, budget: f64) -> Option<Capacity> {
        let costs = self.slot_costs(f64::from(trus));
        let mut mask = [false; SLOTS];
        for (slot, [od, pv]) in costs.iter().enumerate() {
            mask[slot] = pv.usd < od.usd;
        }
        // Summed afresh, not kept by subtraction: sums of rates leave binary noise.
        let throttled_of = |mask: &[bool; SLOTS]| {
            let mut sum = [0.0; 3];
            for (slot, pair) in costs.iter().enumerate() {
                let held = pair[usize::from(mask[slot])];
                for (s, t) in sum.iter_mut().zip(held.throttled) {
                    *s += t;
                }
            }
            sum
        };
        if !fits(throttled_of(&mask), budget) {
            let mut switches: Vec<(f64, usize)> = costs
                .iter()
                .enumerate()
                .filter_map(|(slot, pair)| {
                    let (now, other) = if mask[slot] {
                        (pair[1], pair[0])
                    } else {
                        (pair[0], pair[1])
                    };
                    // Every dimension's throttling counts alike: each has the same budget.
                    let gain: f64 =
                        now.throttled.iter().sum::<f64>() - other.throttled.iter().sum::<f64>();
                    let worse = now
                        .throttled
                        .iter()
                        .zip(other.throttled)
                        .any(|(a, b)| b > *a);
                    (gain > 0.0 && !worse).then(|| ((other.usd - now.usd) / gain, slot))
                })
                .collect();
            switches.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for (_, slot) in switches {
                mask[slot] = !mask[slot];
                if fits(throttled_of(&mask), budget) {
                    break;
                }
            }
            if !fits(throttled_of(&mask), budget) {
                return None;
            }
        }
        let on = mask.iter().filter(|m| **m).count();
        (on > 0 && on < SLOTS).then(|| Capacity::Schedule {
            trus,
            windows: windows_of(&mask),
        })
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct SlotCost {
    usd: f64,
    throttled: [f64; 3],
}

/// One calendar hour being summed.
#[derive(Default)]
struct HourTally {
    recorded: bool,
    actions: f64,
    throttled: [f64; 3],
    trus: Option<f64>,
}

impl HourTally {
    fn add(&mut self, minute: Option<Minute>, limits: [f64; 3], trus: Option<f64>) {
        // The highest TRU value held in the hour counts, recorded minute or not.
        self.trus = match (self.trus, trus) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let Some(m) = minute else { return };
        self.recorded = true;
        let demands = m.demands();
        // Background actions are billed though not limited: drop `+ m.background` here if
        // Temporal's pricing ever says they are not billed.
        self.actions += (demands[0].min(limits[0]) + m.background) * 60.0;
        for ((t, demand), limit) in self.throttled.iter_mut().zip(demands).zip(limits) {
            *t += (demand - limit).max(0.0) * 60.0;
        }
    }

    fn close(self, bill: &mut Bill, price: f64) {
        // An hour with nothing recorded is unknown, not free: it is left out, and the monthly
        // figures scale by the hours that are known.
        if !self.recorded {
            return;
        }
        let minimum = self.trus.map_or(0.0, minimum_actions_per_hour);
        let billed = self.actions.max(minimum);
        bill.usd += usd(billed, price);
        bill.hours += 1;
        bill.actions += self.actions;
        bill.shortfall_actions += billed - self.actions;
        bill.throttled_actions += self.throttled[0];
        bill.throttled_requests += self.throttled[1];
        bill.throttled_operations += self.throttled[2];
    }
}

/// What a plan compares: today's capacity, On-Demand, each TRU value, and a schedule per value.
pub fn alternatives(
    prepared: &Prepared<'_>,
    today: &Capacity,
    tru_values: &[u32],
    budget: f64,
) -> Vec<Capacity> {
    let mut all = vec![today.clone()];
    let mut push = |c: Capacity| {
        if !all.contains(&c) {
            all.push(c);
        }
    };
    push(Capacity::OnDemand);
    for &t in tru_values {
        push(Capacity::Provisioned { trus: f64::from(t) });
    }
    for &t in tru_values {
        if let Some(s) = prepared.best_schedule(t, budget) {
            push(s);
        }
    }
    all
}

/// An alternative with its bill.
#[derive(Clone, Debug, PartialEq)]
pub struct Priced {
    pub capacity: Capacity,
    pub bill: Bill,
}

/// The cheapest alternative within the throttling budget (to the cent; on a tie the earlier
/// one, so today's capacity, then the simpler and smaller ones, win). When none is within it,
/// the one that throttles least. The bool says whether the budget holds.
pub fn choose(priced: &[Priced], budget: f64) -> (usize, bool) {
    let cents = |p: &Priced| (p.bill.usd * 100.0).round() as i64;
    let within = priced
        .iter()
        .enumerate()
        .filter(|(_, p)| p.bill.fits(budget))
        .min_by_key(|(i, p)| (cents(p), *i))
        .map(|(i, _)| i);
    match within {
        Some(i) => (i, true),
        None => {
            let least = priced
                .iter()
                .enumerate()
                .min_by(|(i, a), (j, b)| {
                    let total = |p: &Priced| p.bill.throttled().iter().sum::<f64>();
                    total(a)
                        .total_cmp(&total(b))
                        .then(cents(a).cmp(&cents(b)))
                        .then(i.cmp(j))
                })
                .map_or(0, |(i, _)| i);
            (least, false)
        }
    }
}

/// Sums of rates leave binary noise: a millionth of an action is no throttling.
fn within(throttled: f64, budget: f64) -> bool {
    throttled <= budget + 1e-6 * (1.0 + budget)
}

/// Throttled actions the history may have under `per_30_days`, scaled by the minutes it covers.
pub fn throttle_budget(per_30_days: f64, covered_minutes: usize) -> f64 {
    per_30_days * covered_minutes as f64 / MINUTES_PER_30_DAYS
}

/// A bill over `hours` as 30 days of them.
pub fn monthly(usd: f64, hours: usize) -> f64 {
    if hours == 0 {
        0.0
    } else {
        usd * 720.0 / hours as f64
    }
}

/// What going from `today` to `chosen` asks of the namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlanAction {
    Keep,
    Provision,
    ScaleUp,
    ScaleDown,
    RevertToOnDemand,
    Schedule,
}

impl PlanAction {
    pub fn of(today: &Capacity, chosen: &Capacity) -> PlanAction {
        match (today, chosen) {
            _ if today == chosen => PlanAction::Keep,
            (_, Capacity::Schedule { .. }) => PlanAction::Schedule,
            (Capacity::Provisioned { .. }, Capacity::OnDemand) => PlanAction::RevertToOnDemand,
            (Capacity::Provisioned { trus: a }, Capacity::Provisioned { trus: b }) if b > a => {
                PlanAction::ScaleUp
            }
            (Capacity::Provisioned { .. }, Capacity::Provisioned { .. }) => PlanAction::ScaleDown,
            (_, Capacity::Provisioned { .. }) => PlanAction::Provision,
            _ => PlanAction::Keep,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PlanAction::Keep => "keep",
            PlanAction::Provision => "provision",
            PlanAction::ScaleUp => "scale-up",
            PlanAction::ScaleDown => "scale-down",
            PlanAction::RevertToOnDemand => "revert-to-on-demand",
            PlanAction::Schedule => "schedule",
        }
    }
}

/// Mean demand per hour of the day in the plan's zone, over the recorded minutes.
pub fn daily_profile(prepared: &Prepared<'_>) -> [f64; 24] {
    let mut sum = [0.0; 24];
    let mut count = [0usize; 24];
    for (i, m) in prepared.history.minutes.iter().enumerate() {
        if let Some(m) = m {
            let hour = prepared.slots[i] % 24;
            sum[hour] += m.demand();
            count[hour] += 1;
        }
    }
    let mut mean = [0.0; 24];
    for h in 0..24 {
        if count[h] > 0 {
            mean[h] = sum[h] / count[h] as f64;
        }
    }
    mean
}

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// One bar per value, the largest full; all low when every value is 0.
pub fn sparkline(values: &[f64]) -> String {
    let max = values.iter().copied().fold(0.0_f64, f64::max);
    values
        .iter()
        .map(|v| {
            if max <= 0.0 || !v.is_finite() {
                BARS[0]
            } else {
                BARS[((v / max) * 7.0).round().clamp(0.0, 7.0) as usize]
            }
        })
        .collect()
}

/// "Mon-Fri 09:00-17:00, Sun 01:00-04:00": windows with the same hours on several days share
/// one phrase.
pub fn describe_windows(windows: &[Window]) -> String {
    let mut by_hours: BTreeMap<(u32, u32), Vec<Weekday>> = BTreeMap::new();
    for w in windows {
        by_hours
            .entry((w.start_hour, w.hours))
            .or_default()
            .push(w.weekday);
    }
    let mut phrases: Vec<(u32, String)> = by_hours
        .into_iter()
        .map(|((start, hours), days)| {
            let first = days[0].num_days_from_monday();
            (
                first * 24 + start,
                if hours < 24 {
                    format!(
                        "{} {:02}:00-{:02}:00",
                        day_ranges(&days),
                        start,
                        start + hours - if start + hours > 24 { 24 } else { 0 }
                    )
                } else {
                    format!("{} {start:02}:00 for {hours}h", day_ranges(&days))
                },
            )
        })
        .collect();
    phrases.sort();
    phrases
        .into_iter()
        .map(|(_, p)| p)
        .collect::<Vec<_>>()
        .join(", ")
}

/// "Mon-Fri", "Mon,Wed", "Sun": runs of consecutive days joined with a dash.
pub fn day_ranges(days: &[Weekday]) -> String {
    let mut numbers: Vec<u32> = days.iter().map(|d| d.num_days_from_monday()).collect();
    numbers.sort_unstable();
    numbers.dedup();
    let name = |n: u32| Weekday::try_from(n as u8).expect("0..7").to_string();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < numbers.len() {
        let mut j = i;
        while j + 1 < numbers.len() && numbers[j + 1] == numbers[j] + 1 {
            j += 1;
        }
        parts.push(if j > i + 1 {
            format!("{}-{}", name(numbers[i]), name(numbers[j]))
        } else if j == i + 1 {
            format!("{},{}", name(numbers[i]), name(numbers[j]))
        } else {
            name(numbers[i])
        });
        i = j + 1;
    }
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_hour_has_its_busiest_minute_and_a_gap_is_none() {
        // From 10:30: half an hour, a whole hour with a throttled minute, an hour unrecorded.
        let mut minutes = vec![minute(500.0, 10.0); 150];
        minutes[40] = Some(Minute {
            limit: 500.0,
            foreground: 500.0,
            throttled: 20.0,
            ..Minute::default()
        });
        minutes[41] = minute(500.0, 505.0);
        for m in &mut minutes[90..] {
            *m = None;
        }
        let history = History {
            start: at("2026-11-02T10:30:00Z"),
            minutes,
        };
        let hours = hourly_peaks(&history);
        let starts: Vec<DateTime<Utc>> = hours.iter().map(|(t, _)| *t).collect();
        assert_eq!(
            starts,
            [
                at("2026-11-02T10:00:00Z"),
                at("2026-11-02T11:00:00Z"),
                at("2026-11-02T12:00:00Z")
            ]
        );
        let peak = |demand, throttled| Some(HourPeak { demand, throttled });
        let peaks: Vec<Option<HourPeak>> = hours.iter().map(|(_, p)| *p).collect();
        // Minute 40 asked for 520 (500 run, 20 throttled), more than minute 41's 505: the
        // hour's peak is demand, not what ran, and its throttling marks the hour.
        assert_eq!(peaks, [peak(10.0, 0.0), peak(520.0, 20.0), None]);
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn minute(limit: f64, foreground: f64) -> Option<Minute> {
        Some(Minute {
            limit,
            foreground,
            ..Minute::default()
        })
    }

    #[test]
    fn the_on_demand_limit_is_the_lesser_of_4_means_and_2_p90s_above_500() {
        // Capacity-modes' worked example: mean 200, p90 500 → 800.
        let mut v: Vec<f64> = [vec![500.0; 20], vec![125.0; 80]].concat();
        assert_eq!(on_demand_limit(&mut v), 800.0);
        // Spiky: p90 0 → 2 × 0 = 0 → the floor.
        let mut v: Vec<f64> = [vec![5000.0; 5], vec![0.0; 95]].concat();
        assert_eq!(on_demand_limit(&mut v), 500.0);
        assert_eq!(on_demand_limit(&mut []), 500.0);
        let mut v = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(percentile(&mut v, 0.9), 9.0);
        assert_eq!(percentile(&mut v, 0.99), 10.0);
    }

    #[test]
    fn on_demand_follows_the_7_days_before_each_hour() {
        // 8 days: the first 7 at 1,000 APS, the 8th at 3,000. Hours in the first week use the
        // first week (limit 2,000); from day 8, the trailing week moves in an hour at a time.
        let day = 1440;
        let minutes: Vec<Option<Minute>> = (0..8 * day)
            .map(|i| minute(0.0, if i < 7 * day { 1000.0 } else { 3000.0 }))
            .collect();
        let h = History {
            start: at("2026-11-02T00:00:00Z"),
            minutes,
        };
        let limits = on_demand_limits(&h);
        assert_eq!(limits[0], 2000.0);
        assert_eq!(limits[7 * day - 1], 2000.0);
        assert_eq!(limits[7 * day], 2000.0);
        // After 6 hours of the 8th day: the window holds 360 of 10,080 minutes at 3,000;
        // mean 1,071.43, p90 1,000: min(4,285.7, 2,000) = 2,000.
        assert_eq!(limits[7 * day + 360], 2000.0);
        // After 23 hours: 1,380 at 3,000 of 10,080 (13.7%): p90 = 3,000, mean 1,273.8
        // → min(5,095.2, 6,000) = 5,095.24.
        assert!(
            (limits[8 * day - 1] - 5095.238).abs() < 0.01,
            "{}",
            limits[8 * day - 1]
        );
    }

    #[test]
    fn an_hour_bills_the_larger_of_its_actions_and_the_highest_trus_minimum() {
        // Two hours at 100 APS (360,000 actions), the second with 2 minutes missing.
        let mut minutes = vec![minute(500.0, 100.0); 120];
        minutes[70] = None;
        minutes[71] = None;
        let h = History {
            start: at("2026-11-02T10:00:00Z"),
            minutes,
        };
        let p = Prepared::new(&h, &Utc, 50.0);
        // On-Demand: 360,000 + 348,000 actions = $35.40.
        let od = p.bill(&Capacity::OnDemand);
        assert_eq!(od.hours, 2);
        assert_eq!(od.actions, 708_000.0);
        assert!((od.usd - 35.40).abs() < 1e-9);
        // 4 TRUs: a 1,080,000 minimum each hour: $108.
        let four = p.bill(&Capacity::Provisioned { trus: 4.0 });
        assert!((four.usd - 108.0).abs() < 1e-9);
        assert_eq!(four.shortfall_actions, 2_160_000.0 - 708_000.0);
        // A schedule holding 4 TRUs only in Monday 10:00 (2026-11-02 is a Monday).
        let s = Capacity::Schedule {
            trus: 4,
            windows: vec![Window {
                weekday: Weekday::Mon,
                start_hour: 10,
                hours: 1,
            }],
        };
        assert!((p.bill(&s).usd - (54.0 + 17.40)).abs() < 1e-9);
    }

    #[test]
    fn background_actions_are_billed_and_throttling_is_what_exceeds_the_limit() {
        let h = History {
            start: at("2026-11-02T10:00:00Z"),
            minutes: vec![
                Some(Minute {
                    limit: 1000.0,
                    foreground: 1000.0,
                    background: 10.0,
                    throttled: 200.0,
                    ..Minute::default()
                });
                60
            ],
        };
        let p = Prepared::new(&h, &Utc, 50.0);
        // 2 TRUs (1,000 APS): 1,000 run + 10 background = 3,636,000 actions, 200 × 3,600
        // throttled.
        let two = p.bill(&Capacity::Provisioned { trus: 2.0 });
        assert_eq!(two.actions, 3_636_000.0);
        assert_eq!(two.throttled_actions, 720_000.0);
        // 3 TRUs run all 1,200.
        let three = p.bill(&Capacity::Provisioned { trus: 3.0 });
        assert_eq!(three.actions, 4_356_000.0);
        assert_eq!(three.throttled_actions, 0.0);
        assert!((three.usd - 217.80).abs() < 1e-9);
    }

    /// Two weeks of a namespace busy Mon-Fri 09-17 at 2,800 APS and idle otherwise.
    fn office_hours() -> History {
        let start = at("2026-11-02T00:00:00Z");
        let minutes = (0..14 * 1440)
            .map(|i| {
                let t = start + Duration::minutes(i);
                let busy = t.weekday().num_days_from_monday() < 5 && (9..17).contains(&t.hour());
                minute(500.0, if busy { 2800.0 } else { 0.0 })
            })
            .collect();
        History { start, minutes }
    }

    #[test]
    fn a_schedule_covers_exactly_the_busy_hours() {
        let h = office_hours();
        let p = Prepared::new(&h, &Utc, 50.0);
        // On-Demand: 4 × mean = 4 × 2,800 × 40/168 = 2,666.67 < 2,800: the peak throttles.
        assert!((p.on_demand[0] - 2666.667).abs() < 0.01);
        assert!(p.bill(&Capacity::OnDemand).throttled_actions > 0.0);
        let s = p.best_schedule(6, 0.0).unwrap();
        let Capacity::Schedule { trus, windows } = &s else {
            panic!("{s:?}")
        };
        assert_eq!(*trus, 6);
        assert_eq!(describe_windows(windows), "Mon-Fri 09:00-17:00");
        // 4 TRUs (2,000 APS) cannot carry 2,800 without throttling.
        assert_eq!(p.best_schedule(4, 0.0), None);
        // Chosen among all: the schedule at 6 (8 ties with it and comes later).
        let today = Capacity::OnDemand;
        let all = alternatives(&p, &today, &[2, 3, 4, 6, 8, 10, 12], 0.0);
        let priced: Vec<Priced> = all
            .into_iter()
            .map(|c| Priced {
                bill: p.bill(&c),
                capacity: c,
            })
            .collect();
        let (i, within) = choose(&priced, 0.0);
        assert!(within);
        assert_eq!(priced[i].capacity, s);
        // 80 busy hours × 2,800 × 3,600 × $50/M.
        assert!((priced[i].bill.usd - 80.0 * 504.0).abs() < 1e-6);
        assert_eq!(PlanAction::of(&today, &s), PlanAction::Schedule);
    }

    #[test]
    fn requests_can_be_what_needs_the_trus() {
        // 200 APS all week (On-Demand's 500 carries it), but 5,000 RPS 12:00-13:00 each day
        // and 100 otherwise: On-Demand's request limit stays at its 2,000 floor (p90 100).
        // 3 TRUs give 4,500 RPS, 4 give 6,000: 4 TRUs in that hour only.
        let start = at("2026-11-02T00:00:00Z");
        let minutes = (0..7 * 1440)
            .map(|i| {
                let t = start + Duration::minutes(i);
                Some(Minute {
                    limit: 500.0,
                    foreground: 200.0,
                    requests: if t.hour() == 12 { 5000.0 } else { 100.0 },
                    ..Minute::default()
                })
            })
            .collect();
        let h = History { start, minutes };
        let p = Prepared::new(&h, &Utc, 50.0);
        let od = p.bill(&Capacity::OnDemand);
        assert_eq!(od.throttled_actions, 0.0);
        assert_eq!(od.throttled_requests, 7.0 * 3000.0 * 3600.0);
        assert!(!od.fits(0.0));
        assert_eq!(p.best_schedule(3, 0.0), None);
        let all = alternatives(&p, &Capacity::OnDemand, &[2, 3, 4, 6], 0.0);
        let priced: Vec<Priced> = all
            .into_iter()
            .map(|c| Priced {
                bill: p.bill(&c),
                capacity: c,
            })
            .collect();
        let (i, within) = choose(&priced, 0.0);
        assert!(within);
        let Capacity::Schedule { trus: 4, windows } = &priced[i].capacity else {
            panic!("{:?}", priced[i].capacity)
        };
        assert_eq!(describe_windows(windows), "Mon-Sun 12:00-13:00");
        // On-Demand's bill and, 7 times, the 1,080,000 minimum less the 720,000 used: $18.
        assert!((priced[i].bill.usd - (od.usd + 7.0 * 18.0)).abs() < 1e-6);
    }

    #[test]
    fn a_throttling_budget_buys_a_cheaper_capacity() {
        let h = office_hours();
        let p = Prepared::new(&h, &Utc, 50.0);
        let od = p.bill(&Capacity::OnDemand);
        let priced = vec![
            Priced {
                capacity: Capacity::Provisioned { trus: 6.0 },
                bill: p.bill(&Capacity::Provisioned { trus: 6.0 }),
            },
            Priced {
                capacity: Capacity::OnDemand,
                bill: od,
            },
        ];
        assert_eq!(choose(&priced, 0.0), (0, true));
        assert_eq!(choose(&priced, od.throttled_actions), (1, true));
        // Nothing within: the least throttling one, flagged.
        let only_od = &priced[1..];
        assert_eq!(choose(only_od, 0.0), (0, false));
        assert_eq!(throttle_budget(1000.0, 21_600), 500.0);
        assert_eq!(monthly(10.0, 24), 300.0);
    }

    #[test]
    fn slots_windows_and_their_names() {
        let berlin = chrono_tz::Europe::Berlin;
        // 08:30 UTC on Monday 2 November is 09:30 in Berlin (CET, +1).
        assert_eq!(slot_of(at("2026-11-02T08:30:00Z"), &berlin), 9);
        assert_eq!(slot_of(at("2026-11-08T01:00:00Z"), &Utc), 6 * 24 + 1);
        let mut mask = [false; SLOTS];
        for d in 0..5 {
            for h in 9..17 {
                mask[d * 24 + h] = true;
            }
        }
        for h in 1..4 {
            mask[6 * 24 + h] = true;
        }
        let windows = windows_of(&mask);
        assert_eq!(windows.len(), 6);
        assert_eq!(mask_of(&windows), mask);
        assert_eq!(
            describe_windows(&windows),
            "Mon-Fri 09:00-17:00, Sun 01:00-04:00"
        );
        assert_eq!(
            day_ranges(&[Weekday::Mon, Weekday::Wed, Weekday::Thu]),
            "Mon,Wed,Thu"
        );
        // Past midnight, and round the end of the week: one window each, not two.
        let mut mask = [false; SLOTS];
        for d in 0..5 {
            for h in 18..26 {
                mask[(d * 24 + h) % SLOTS] = true;
            }
        }
        for h in 0..4 {
            mask[(6 * 24 + 22 + h) % SLOTS] = true;
        }
        let windows = windows_of(&mask);
        assert_eq!(mask_of(&windows), mask);
        assert_eq!(
            describe_windows(&windows),
            "Mon-Fri 18:00-02:00, Sun 22:00-02:00"
        );
    }

    #[test]
    fn gaps_and_sparklines() {
        let mut minutes = vec![minute(500.0, 1.0); 10];
        minutes[0] = None;
        minutes[4] = None;
        minutes[5] = None;
        let h = History {
            start: at("2026-11-02T00:00:00Z"),
            minutes,
        };
        assert_eq!(
            h.gaps(),
            vec![
                (at("2026-11-02T00:00:00Z"), at("2026-11-02T00:01:00Z")),
                (at("2026-11-02T00:04:00Z"), at("2026-11-02T00:06:00Z")),
            ]
        );
        assert_eq!(h.covered_minutes(), 7);
        assert_eq!(sparkline(&[0.0, 1.0, 3.5, 7.0]), "▁▂▅█");
        assert_eq!(sparkline(&[0.0, 0.0]), "▁▁");
    }
}
