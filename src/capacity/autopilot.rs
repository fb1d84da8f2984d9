//! Autopilot's decisions, pure: one metrics window and what autopilot remembers of a namespace
//! in, a decision out. Time is the window's own timestamp, never the local clock, so a replay
//! at an accelerated clock decides exactly as it would in real time.

use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::{Deserialize, Serialize};

use super::Mode;
use super::cost::{self, MIN_ACTIONS_PER_EXTRA_TRU_HOUR};
use super::dimension::Dimension;
use super::recommend::{self, DEFAULT_TRU_VALUES, Inputs, Policy, fmt_pct};
use super::usage::Usage;

/// How long before the calendar hour turns (by the window's time) lowering starts: a window is
/// about 3 minutes old when it is served (Temporal's documented offset) and a change takes a
/// couple of minutes to take effect, so anything later would land in the next hour, which would
/// then be billed at the raised value too.
pub const LOWER_LEAD: Duration = Duration::minutes(7);

/// How long before the hour turns (by the window's time) a lowering must be decided to take
/// effect within the hour: the window's age (3 minutes after it ends, and up to a tick more
/// before it is read), the change itself (about 2), and a minute to spare. A
/// lowering decided later lands after the hour has turned, when the new hour has already seen
/// the raised value: it would save nothing and give up headroom, so it waits for the last
/// minutes of that next hour instead. Any interval leaves at least one tick between this and
/// `interval + LOWER_LEAD`.
pub const LOWER_TOO_LATE: Duration = Duration::minutes(7);

/// How autopilot is told to behave (the command line, checked).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Knobs {
    /// Utilization of the binding dimension at which a namespace is raised.
    pub scale_up_at: f64,
    /// Below this utilization (and no throttling) a namespace is calm.
    pub scale_down_below: f64,
    pub calm_for: Duration,
    pub min_hold: Duration,
    /// How far apart the windows autopilot reads are.
    pub interval: Duration,
    pub max_trus: u32,
    /// Dollars an hour that autopilot's extra TRUs may add, summed over what it holds.
    pub max_hourly_cost: Option<f64>,
    pub policy: Policy,
}

/// What a namespace has: On-Demand or a number of TRUs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "kebab-case")]
pub enum Level {
    OnDemand,
    Provisioned { trus: u32 },
}

impl Level {
    pub fn of_trus(trus: u32) -> Level {
        if trus == 0 {
            Level::OnDemand
        } else {
            Level::Provisioned { trus }
        }
    }

    /// 0 for On-Demand.
    pub fn trus(self) -> u32 {
        match self {
            Level::OnDemand => 0,
            Level::Provisioned { trus } => trus,
        }
    }

    pub fn mode(self) -> Mode {
        match self {
            Level::OnDemand => Mode::OnDemand,
            Level::Provisioned { .. } => Mode::Provisioned,
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Level::OnDemand => f.write_str("on-demand"),
            Level::Provisioned { trus: 1 } => f.write_str("1 TRU"),
            Level::Provisioned { trus } => write!(f, "{trus} TRUs"),
        }
    }
}

/// What autopilot raised and must give back.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hold {
    /// What the namespace had when autopilot first raised it (or what someone else set since):
    /// never lowered below.
    pub baseline: Level,
    pub trus: u32,
    /// The window of the latest raise: `--min-hold` counts from it.
    pub raised_at: DateTime<Utc>,
    /// When the server finished applying autopilot's latest change: a window that began before
    /// it mixes the old limit with the new one, and its throttling happened under the old.
    #[serde(default)]
    pub settled_at: Option<DateTime<Utc>>,
}

/// What autopilot remembers of a namespace between windows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Memo {
    #[serde(default)]
    pub hold: Option<Hold>,
    /// Start of the calm stretch the latest window belongs to.
    #[serde(default)]
    pub calm_since: Option<DateTime<Utc>>,
    /// The server refused a change: none is tried before this (window time).
    #[serde(default)]
    pub blocked_until: Option<DateTime<Utc>>,
    /// A ceiling held this namespace back and that was said once; cleared when it no longer does.
    #[serde(default)]
    pub held_back_said: bool,
}

/// One dimension's share of its limit in a window, and whether any of it was throttled.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Pressure {
    pub binding: Dimension,
    /// Demand (served + throttled) over the limit of the binding dimension.
    pub utilization: f64,
    pub throttled: bool,
    /// TRUs the policy asks for at this demand (before the namespace's valid values).
    pub needed_trus: u32,
    /// On-Demand's limits cover the demand at the target in every dimension.
    pub on_demand_enough: bool,
}

/// Reads the window the way `analyze` does, on the current minute alone: autopilot answers
/// what is happening now, the 7-day statistics are for planning.
pub fn pressure(usage: &Usage, current: Level, policy: &Policy) -> Pressure {
    let inputs = Inputs {
        action_limit: usage.action_limit,
        action_count: usage.action_count,
        throttled: usage.throttled,
        action_envelope: usage.action_envelope,
        requests: usage.requests,
        operations: usage.operations,
        current_mode: current.mode(),
        current_trus: (current.trus() > 0).then(|| f64::from(current.trus())),
        ..Inputs::default()
    };
    let rec = recommend::recommend(&inputs, policy);
    let readings = [usage.actions(), usage.requests, usage.operations];
    let mut binding = Dimension::Aps;
    let mut utilization = 0.0_f64;
    for (dimension, reading) in Dimension::ALL.into_iter().zip(readings) {
        let Some(limit) = reading.limit.filter(|l| *l > 0.0) else {
            continue;
        };
        let share = (reading.count + reading.throttled) / limit;
        if share > utilization {
            utilization = share;
            binding = dimension;
        }
    }
    Pressure {
        binding,
        utilization,
        throttled: readings.iter().any(|r| r.throttled > 0.0),
        needed_trus: rec
            .dimensions
            .iter()
            .map(|f| f.trus_needed)
            .max()
            .unwrap_or(0),
        on_demand_enough: rec.mode == Mode::OnDemand,
    }
}

/// From the window a raise is decided on to the window after it takes effect: the window's
/// age (3 minutes), the change (about 2) and a tick.
pub const REACTION: Duration = Duration::minutes(6);

/// The most a projection raises a window's demand. A step change looks like a steep rise too,
/// and half a minute of a batch that started mid-minute is half its rate: 1.5 sizes that batch
/// with room to spare under the target while costing a sudden step one TRU value at most
/// (the replay benchmark weighs both: `benches/autopilot_replay.rs`).
pub const MAX_RISE: f64 = 1.5;

/// A namespace's demand (served + throttled) in each dimension, in [`Dimension::ALL`] order,
/// as one window saw it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Demands {
    pub at: DateTime<Utc>,
    pub demands: [f64; 3],
}

impl Demands {
    pub fn of(usage: &Usage, at: DateTime<Utc>) -> Demands {
        let d = |r: super::dimension::Reading| r.count + r.throttled;
        Demands {
            at,
            demands: [d(usage.actions()), d(usage.requests), d(usage.operations)],
        }
    }
}

/// The window's usage as it will be when a raise decided now takes effect: demand rising since
/// the window before goes on rising at the same pace for [`REACTION`], by [`MAX_RISE`] at most. A
/// raise sized on a half-ramped minute (a batch that started mid-minute, a climb) would need a
/// second one, and throttle until then. Falling or flat demand, or no window a few minutes
/// before, leaves the usage as it is.
pub fn at_landing(usage: &Usage, before: Option<Demands>, at: DateTime<Utc>) -> Usage {
    let Some(before) = before else {
        return usage.clone();
    };
    let minutes = (at - before.at).num_seconds() as f64 / 60.0;
    if !(0.5..=5.0).contains(&minutes) {
        return usage.clone();
    }
    let now = Demands::of(usage, at).demands;
    let factor = |i: usize| {
        let (was, is) = (before.demands[i], now[i]);
        if is <= 0.0 || is <= was {
            return 1.0;
        }
        let pace = (is - was) / minutes;
        ((is + pace * REACTION.num_minutes() as f64) / is).min(MAX_RISE)
    };
    let mut landing = usage.clone();
    let f = factor(0);
    landing.action_count *= f;
    landing.throttled *= f;
    for (reading, i) in [(&mut landing.requests, 1), (&mut landing.operations, 2)] {
        let f = factor(i);
        reading.count *= f;
        reading.throttled *= f;
    }
    landing
}

/// What autopilot wants to do with a namespace after this window, before it knows the
/// namespace's offered TRU values (read only for a namespace about to change).
#[derive(Clone, Debug, PartialEq)]
pub enum Want {
    Keep(String),
    Raise { needed: u32, reason: String },
    Lower { needed: u32, reason: String },
}

/// Updates the calm stretch and says what the window asks for.
pub fn assess(
    memo: &mut Memo,
    current: Level,
    p: &Pressure,
    at: DateTime<Utc>,
    knobs: &Knobs,
) -> Want {
    let calm = !p.throttled && p.utilization < knobs.scale_down_below;
    memo.calm_since = if calm {
        // The window covers the minute before its timestamp.
        Some(memo.calm_since.unwrap_or(at - Duration::minutes(1)))
    } else {
        None
    };
    let load = format!(
        "{} at {} of its limit",
        p.binding.unit(),
        fmt_pct(p.utilization)
    );
    if let Some(until) = memo.blocked_until {
        if at < until {
            return Want::Keep(format!(
                "the server refused the last change; none is tried before {}",
                fmt_time(until)
            ));
        }
        memo.blocked_until = None;
    }
    let straddles = memo
        .hold
        .and_then(|h| h.settled_at)
        .is_some_and(|s| at - Duration::minutes(1) < s);
    if (p.throttled || p.utilization >= knobs.scale_up_at) && straddles {
        return Want::Keep(format!(
            "{load}, in a window that began before the last change took effect"
        ));
    }
    if p.throttled || p.utilization >= knobs.scale_up_at {
        let why = if p.throttled {
            format!("throttled; {load}")
        } else {
            format!(
                "{load}, at or above --scale-up-at {}",
                fmt_pct(knobs.scale_up_at)
            )
        };
        if p.needed_trus <= current.trus() {
            return Want::Keep(format!(
                "{why}, but {current} already gives what {} target utilization needs",
                fmt_pct(knobs.policy.target_utilization)
            ));
        }
        return Want::Raise {
            needed: p.needed_trus,
            reason: format!(
                "{why}; needs {} TRUs at {} target",
                p.needed_trus,
                fmt_pct(knobs.policy.target_utilization)
            ),
        };
    }
    let Some(hold) = memo.hold else {
        return Want::Keep(load);
    };
    let Some(since) = memo.calm_since else {
        return Want::Keep(format!("{load}; holds {current}"));
    };
    let calm_for = at - since;
    if calm_for < knobs.calm_for {
        return Want::Keep(format!(
            "{load}, calm for {} of --calm-for {}",
            fmt_span(calm_for),
            fmt_span(knobs.calm_for)
        ));
    }
    let held = at - hold.raised_at;
    if held < knobs.min_hold {
        return Want::Keep(format!(
            "calm, but raised {} ago (--min-hold {})",
            fmt_span(held),
            fmt_span(knobs.min_hold)
        ));
    }
    let left = until_hour_turns(at);
    if left > knobs.interval + LOWER_LEAD {
        return Want::Keep(format!(
            "calm; lowers in the last minutes before {} (the hour is billed at its highest value)",
            fmt_time(at + left)
        ));
    }
    if left < LOWER_TOO_LATE {
        return Want::Keep(format!(
            "calm, but a change now would land after {} and save nothing; lowers in the last \
             minutes before {}",
            fmt_time(at + left),
            fmt_time(at + left + Duration::hours(1))
        ));
    }
    Want::Lower {
        needed: if p.on_demand_enough && hold.baseline == Level::OnDemand {
            0
        } else {
            p.needed_trus.max(1)
        },
        reason: format!(
            "calm for {} ({load}), held {}",
            fmt_span(calm_for),
            fmt_span(held)
        ),
    }
}

/// Time from `at` to the next calendar hour.
pub fn until_hour_turns(at: DateTime<Utc>) -> Duration {
    let hour = at
        .duration_trunc(Duration::hours(1))
        .expect("an hour divides any timestamp");
    hour + Duration::hours(1) - at
}

/// The TRU values a namespace offers now (capacity-info), within its maximum available.
#[derive(Clone, Debug, PartialEq)]
pub struct Offered {
    pub values: Vec<u32>,
    pub max_available: Option<u32>,
}

impl Offered {
    /// The documented self-service list when the server lists none.
    pub fn new(values: &[f64], max_available: Option<f64>) -> Offered {
        let mut values: Vec<u32> = values
            .iter()
            .filter(|v| v.is_finite() && **v >= 1.0 && v.fract() == 0.0)
            .map(|v| *v as u32)
            .collect();
        if values.is_empty() {
            values = DEFAULT_TRU_VALUES.to_vec();
        }
        values.sort_unstable();
        values.dedup();
        Offered {
            values,
            max_available: max_available
                .filter(|m| m.is_finite() && *m >= 0.0)
                .map(|m| m as u32),
        }
    }
}

/// What stopped a raise short of what the policy wanted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cap {
    MaxTrus,
    MaxAvailable,
    MaxHourlyCost,
}

impl Cap {
    pub fn describe(self) -> &'static str {
        match self {
            Cap::MaxTrus => "--max-trus",
            Cap::MaxAvailable => "the namespace's maximum available TRUs",
            Cap::MaxHourlyCost => "--max-hourly-cost",
        }
    }
}

/// The hourly minimum that `trus` adds over the namespace's baseline, in dollars: what
/// `--max-hourly-cost` limits.
pub fn extra_hourly_usd(trus: u32, baseline: Level, price: f64) -> f64 {
    let floor = baseline.trus().max(1);
    let extra = f64::from(trus.saturating_sub(floor)) * MIN_ACTIONS_PER_EXTRA_TRU_HOUR;
    cost::usd(extra, price)
}

/// Where a raise goes: the smallest offered value covering `needed`, within the ceilings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Raise {
    To { trus: u32, capped: Option<Cap> },
    HeldBack { wanted: u32, cap: Cap },
}

/// `others_usd`: what the namespaces autopilot already holds add per hour, this one left out.
pub fn raise_to(
    needed: u32,
    current: Level,
    baseline: Level,
    offered: &Offered,
    knobs: &Knobs,
    others_usd: f64,
) -> Raise {
    let wanted = offered
        .values
        .iter()
        .copied()
        .find(|v| *v >= needed)
        .or(offered.values.last().copied())
        .unwrap_or(needed);
    let mut cap = None;
    let allowed = |v: u32, cap: &mut Option<Cap>| {
        let by = if v > knobs.max_trus {
            Some(Cap::MaxTrus)
        } else if offered.max_available.is_some_and(|m| v > m) {
            Some(Cap::MaxAvailable)
        } else if knobs.max_hourly_cost.is_some_and(|limit| {
            others_usd + extra_hourly_usd(v, baseline, knobs.policy.price_per_million_actions)
                > limit + 1e-9
        }) {
            Some(Cap::MaxHourlyCost)
        } else {
            None
        };
        if by.is_some() && cap.is_none() {
            *cap = by;
        }
        by.is_none()
    };
    let best = offered
        .values
        .iter()
        .copied()
        .filter(|v| *v <= wanted)
        .rev()
        .find(|v| allowed(*v, &mut cap));
    match best {
        Some(trus) if trus > current.trus() => Raise::To {
            trus,
            capped: (trus < wanted).then_some(cap).flatten(),
        },
        _ => Raise::HeldBack {
            wanted,
            cap: cap.unwrap_or(Cap::MaxTrus),
        },
    }
}

/// Where a calm namespace goes: the smallest level at or above its baseline that still covers
/// `needed` TRUs (0: On-Demand covers it), or `None` when nothing lower would.
pub fn lower_to(needed: u32, hold: &Hold, offered: &Offered) -> Option<Level> {
    let floor = hold.baseline.trus();
    let target = if needed == 0 && hold.baseline == Level::OnDemand {
        Level::OnDemand
    } else {
        let trus = offered
            .values
            .iter()
            .copied()
            .find(|v| *v >= needed.max(floor))
            .unwrap_or(hold.trus);
        if trus <= floor {
            hold.baseline
        } else {
            Level::Provisioned { trus }
        }
    };
    (target.trus() < hold.trus).then_some(target)
}

pub fn fmt_time(t: DateTime<Utc>) -> String {
    t.format("%H:%M UTC").to_string()
}

/// "45m", "1h 30m": whole minutes, as the windows are.
pub fn fmt_span(d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h {m}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capacity::dimension::Reading;

    fn knobs() -> Knobs {
        Knobs {
            scale_up_at: 0.9,
            scale_down_below: 0.5,
            calm_for: Duration::minutes(30),
            min_hold: Duration::hours(1),
            interval: Duration::minutes(1),
            max_trus: 8,
            max_hourly_cost: None,
            policy: Policy::new(0.75).unwrap(),
        }
    }

    fn at(hh: u32, mm: u32) -> DateTime<Utc> {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(hh, mm, 0)
            .unwrap()
            .and_utc()
    }

    /// APS only, requests and operations quiet under their on-demand floors.
    fn usage(limit: f64, count: f64, throttled: f64) -> Usage {
        Usage {
            action_limit: Some(limit),
            action_count: count,
            throttled,
            action_envelope: Some(500.0),
            requests: Reading {
                limit: Some(limit * 3.0),
                count: 10.0,
                throttled: 0.0,
                envelope: Some(2_000.0),
            },
            operations: Reading {
                limit: Some(limit * 8.0),
                count: 10.0,
                throttled: 0.0,
                envelope: Some(4_000.0),
            },
            ..Usage::default()
        }
    }

    fn offered() -> Offered {
        Offered::new(&[], None)
    }

    #[test]
    fn throttling_raises_to_what_the_demand_needs_at_the_target() {
        // 490 served + 1,010 throttled = 1,500 APS; at 75% that is 2,000 APS = 4 TRUs.
        let p = pressure(
            &usage(500.0, 490.0, 1_010.0),
            Level::OnDemand,
            &knobs().policy,
        );
        assert!(p.throttled);
        assert_eq!(p.needed_trus, 4);
        let mut memo = Memo::default();
        let want = assess(&mut memo, Level::OnDemand, &p, at(9, 0), &knobs());
        assert!(matches!(want, Want::Raise { needed: 4, .. }), "{want:?}");
        let raise = raise_to(
            4,
            Level::OnDemand,
            Level::OnDemand,
            &offered(),
            &knobs(),
            0.0,
        );
        assert_eq!(
            raise,
            Raise::To {
                trus: 4,
                capped: None
            }
        );
    }

    #[test]
    fn utilization_at_the_line_raises_without_throttling() {
        // 1,850 of 2,000 APS (4 TRUs) is 92.5%: 1,850 / 0.75 = 2,467 APS = 5 TRUs → 6 offered.
        let p = pressure(
            &usage(2_000.0, 1_850.0, 0.0),
            Level::Provisioned { trus: 4 },
            &knobs().policy,
        );
        assert!(!p.throttled);
        assert_eq!(p.needed_trus, 5);
        let want = assess(
            &mut Memo::default(),
            Level::Provisioned { trus: 4 },
            &p,
            at(9, 0),
            &knobs(),
        );
        assert!(matches!(want, Want::Raise { needed: 5, .. }), "{want:?}");
        assert_eq!(
            raise_to(
                5,
                Level::Provisioned { trus: 4 },
                Level::Provisioned { trus: 4 },
                &offered(),
                &knobs(),
                0.0
            ),
            Raise::To {
                trus: 6,
                capped: None
            }
        );
    }

    #[test]
    fn below_the_line_nothing_happens() {
        let p = pressure(
            &usage(2_000.0, 1_700.0, 0.0),
            Level::Provisioned { trus: 4 },
            &knobs().policy,
        );
        let want = assess(
            &mut Memo::default(),
            Level::Provisioned { trus: 4 },
            &p,
            at(9, 0),
            &knobs(),
        );
        assert!(matches!(want, Want::Keep(_)), "{want:?}");
    }

    #[test]
    fn ceilings_cap_a_raise_and_say_which() {
        let k = knobs();
        // Wants 12; --max-trus 8.
        assert_eq!(
            raise_to(11, Level::OnDemand, Level::OnDemand, &offered(), &k, 0.0),
            Raise::To {
                trus: 8,
                capped: Some(Cap::MaxTrus)
            }
        );
        // The namespace offers at most 6.
        let small = Offered::new(&[2.0, 4.0, 6.0, 8.0], Some(6.0));
        assert_eq!(
            raise_to(8, Level::OnDemand, Level::OnDemand, &small, &k, 0.0),
            Raise::To {
                trus: 6,
                capped: Some(Cap::MaxAvailable)
            }
        );
        // Already at the ceiling: held back.
        assert_eq!(
            raise_to(
                10,
                Level::Provisioned { trus: 8 },
                Level::OnDemand,
                &offered(),
                &k,
                0.0
            ),
            Raise::HeldBack {
                wanted: 10,
                cap: Cap::MaxTrus
            }
        );
    }

    #[test]
    fn the_cost_cap_counts_every_hold() {
        // (t - max(baseline, 1)) × 360,000 × $50/M = $18 per extra TRU-hour.
        assert_eq!(extra_hourly_usd(4, Level::OnDemand, 50.0), 54.0);
        assert_eq!(
            extra_hourly_usd(6, Level::Provisioned { trus: 4 }, 50.0),
            36.0
        );
        let k = Knobs {
            max_hourly_cost: Some(60.0),
            ..knobs()
        };
        // Alone: 4 TRUs ($54) fits under $60, 6 ($90) does not.
        assert_eq!(
            raise_to(6, Level::OnDemand, Level::OnDemand, &offered(), &k, 0.0),
            Raise::To {
                trus: 4,
                capped: Some(Cap::MaxHourlyCost)
            }
        );
        // With $18 held elsewhere only 3 TRUs ($36) fit; with $50 nothing does.
        assert_eq!(
            raise_to(6, Level::OnDemand, Level::OnDemand, &offered(), &k, 18.0),
            Raise::To {
                trus: 3,
                capped: Some(Cap::MaxHourlyCost)
            }
        );
        assert_eq!(
            raise_to(6, Level::OnDemand, Level::OnDemand, &offered(), &k, 50.0),
            Raise::HeldBack {
                wanted: 6,
                cap: Cap::MaxHourlyCost
            }
        );
    }

    fn calm_memo(raised_at: DateTime<Utc>, calm_since: DateTime<Utc>) -> Memo {
        Memo {
            hold: Some(Hold {
                baseline: Level::OnDemand,
                trus: 6,
                raised_at,
                settled_at: None,
            }),
            calm_since: Some(calm_since),
            ..Memo::default()
        }
    }

    #[test]
    fn lowering_waits_for_calm_min_hold_and_the_end_of_the_hour() {
        let k = knobs();
        let held = Level::Provisioned { trus: 6 };
        // 300 of 3,000 APS: calm; on-demand's 500 covers 300 / 0.75 = 400.
        let p = pressure(&usage(3_000.0, 300.0, 0.0), held, &k.policy);
        assert!(p.on_demand_enough);
        // Calm for 20 minutes only.
        let mut m = calm_memo(at(8, 0), at(10, 36));
        assert!(
            matches!(assess(&mut m, held, &p, at(10, 56), &k), Want::Keep(r) if r.contains("calm for 20m"))
        );
        // Calm long enough, but raised 40 minutes ago.
        let mut m = calm_memo(at(10, 16), at(10, 16));
        assert!(
            matches!(assess(&mut m, held, &p, at(10, 56), &k), Want::Keep(r) if r.contains("--min-hold"))
        );
        // Everything but the hour: at :30 it waits for the last minutes of the hour.
        let mut m = calm_memo(at(8, 0), at(9, 0));
        assert!(
            matches!(assess(&mut m, held, &p, at(10, 30), &k), Want::Keep(r) if r.contains("11:00 UTC"))
        );
        // At :53 (within the interval of 1m + the lead of 7m, and the last window whose change
        // still lands before 11:00) it lowers to on-demand.
        let mut m = calm_memo(at(8, 0), at(9, 0));
        assert_eq!(
            assess(&mut m, held, &p, at(10, 53), &k),
            Want::Lower {
                needed: 0,
                reason: "calm for 1h 53m (APS at 10% of its limit), held 2h 53m".into()
            }
        );
        assert_eq!(
            lower_to(0, &m.hold.unwrap(), &offered()),
            Some(Level::OnDemand)
        );
        // A window of :55 is read at about :58, and its change is in force at about 11:01: in
        // an hour already billed at the raised value, so it waits for that hour's last minutes.
        for late in [54, 55, 57] {
            let mut m = calm_memo(at(8, 0), at(9, 0));
            assert!(
                matches!(assess(&mut m, held, &p, at(10, late), &k), Want::Keep(r) if r.contains("save nothing") && r.contains("12:00 UTC")),
                ":{late}"
            );
        }
        // :52 is the first window of the last minutes (1m interval + 7m lead).
        let mut m = calm_memo(at(8, 0), at(9, 0));
        assert!(matches!(
            assess(&mut m, held, &p, at(10, 52), &k),
            Want::Lower { needed: 0, .. }
        ));
    }

    /// notifications-prod in `profiles/business-day.csv`: a batch starts mid-minute, so the
    /// first window sees 1,170 APS of a 2,400 APS batch, after 120 the minute before.
    #[test]
    fn a_raise_is_sized_for_the_demand_when_it_lands() {
        let policy = knobs().policy;
        let before = Demands {
            at: at(19, 0),
            demands: [120.0, 10.0, 10.0],
        };
        let window = usage(1_000.0, 1_000.0, 170.0);
        let now = pressure(&window, Level::OnDemand, &policy);
        // 1,170 / 0.75 = 1,560 APS: 4 TRUs on the minute alone.
        assert_eq!(now.needed_trus, 4);
        let landing = at_landing(&window, Some(before), at(19, 1));
        // Rising 1,050 APS a minute for 6 minutes, by 1.5 at most: 1,755 APS, / 0.75 = 2,340
        // APS: 5 TRUs (6 once rounded to an offered value, 3,000 APS, which the whole batch
        // fits under 0.9), one raise instead of two.
        assert_eq!(landing.action_count + landing.throttled, 1_755.0);
        assert_eq!(pressure(&landing, Level::OnDemand, &policy).needed_trus, 5);
        // orders-prod climbing 26 APS a minute: 1,076 + 6 × 26 = 1,232 APS.
        let climbing = at_landing(
            &usage(1_000.0, 1_000.0, 76.0),
            Some(Demands {
                at: at(9, 19),
                demands: [1_050.0, 10.0, 10.0],
            }),
            at(9, 20),
        );
        assert!((climbing.action_count + climbing.throttled - 1_232.0).abs() < 1e-9);
        // Falling demand, a window too long ago, or none: as it is.
        let falling = Demands {
            at: at(19, 0),
            demands: [2_000.0, 10.0, 10.0],
        };
        assert_eq!(at_landing(&window, Some(falling), at(19, 1)), window);
        assert_eq!(at_landing(&window, Some(before), at(19, 10)), window);
        assert_eq!(at_landing(&window, None, at(19, 1)), window);
    }

    #[test]
    fn a_busy_window_ends_the_calm_stretch() {
        let k = knobs();
        let held = Level::Provisioned { trus: 6 };
        let busy = pressure(&usage(3_000.0, 2_000.0, 0.0), held, &k.policy);
        let mut m = calm_memo(at(8, 0), at(9, 0));
        assert!(matches!(
            assess(&mut m, held, &busy, at(10, 56), &k),
            Want::Keep(_)
        ));
        assert_eq!(m.calm_since, None);
        let calm = pressure(&usage(3_000.0, 300.0, 0.0), held, &k.policy);
        assess(&mut m, held, &calm, at(10, 57), &k);
        assert_eq!(m.calm_since, Some(at(10, 56)));
    }

    #[test]
    fn never_below_the_baseline() {
        let hold = Hold {
            baseline: Level::Provisioned { trus: 4 },
            trus: 8,
            raised_at: at(8, 0),
            settled_at: None,
        };
        // The demand needs 1 TRU; the person who set 4 keeps 4.
        assert_eq!(
            lower_to(1, &hold, &offered()),
            Some(Level::Provisioned { trus: 4 })
        );
        // It needs 5: 6 is the smallest offered at or above.
        assert_eq!(
            lower_to(5, &hold, &offered()),
            Some(Level::Provisioned { trus: 6 })
        );
        // It still needs 8: nothing lower.
        assert_eq!(lower_to(7, &hold, &offered()), None);
        // On-demand baseline, demand needs 2 TRUs: 2, not on-demand.
        let od = Hold {
            baseline: Level::OnDemand,
            ..hold
        };
        assert_eq!(
            lower_to(2, &od, &offered()),
            Some(Level::Provisioned { trus: 2 })
        );
        assert_eq!(lower_to(0, &od, &offered()), Some(Level::OnDemand));
    }

    #[test]
    fn a_refused_change_is_not_tried_again_before_its_time() {
        let k = knobs();
        let p = pressure(&usage(500.0, 490.0, 1_010.0), Level::OnDemand, &k.policy);
        let mut m = Memo {
            blocked_until: Some(at(10, 0)),
            ..Memo::default()
        };
        assert!(
            matches!(assess(&mut m, Level::OnDemand, &p, at(9, 30), &k), Want::Keep(r) if r.contains("10:00 UTC"))
        );
        assert!(matches!(
            assess(&mut m, Level::OnDemand, &p, at(10, 0), &k),
            Want::Raise { .. }
        ));
        assert_eq!(m.blocked_until, None);
    }

    #[test]
    fn throttling_in_the_window_a_change_took_effect_in_raises_nothing() {
        let k = knobs();
        let held = Level::Provisioned { trus: 4 };
        // Half the minute at the old limit: throttled, though the new limit shows 2,000.
        let p = pressure(&usage(2_000.0, 1_400.0, 300.0), held, &k.policy);
        assert!(p.throttled);
        let mut m = Memo {
            hold: Some(Hold {
                baseline: Level::OnDemand,
                trus: 4,
                raised_at: at(9, 9),
                settled_at: Some(at(9, 13) + Duration::seconds(30)),
            }),
            ..Memo::default()
        };
        assert!(
            matches!(assess(&mut m, held, &p, at(9, 14), &k), Want::Keep(r) if r.contains("before the last change"))
        );
        assert!(matches!(
            assess(&mut m, held, &p, at(9, 15), &k),
            Want::Raise { .. }
        ));
    }

    #[test]
    fn the_hour_turns() {
        assert_eq!(until_hour_turns(at(10, 56)), Duration::minutes(4));
        assert_eq!(until_hour_turns(at(11, 0)), Duration::hours(1));
    }
}
