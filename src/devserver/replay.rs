//! Replays a load profile minute by minute against the capacity each namespace holds, and
//! keeps the ledger.
//!
//! Like the rest of the emulator it runs lazily: every request first brings the replay up to
//! the current emulated minute, one minute at a time, so no background task runs. For each
//! minute and namespace: the demand is the profile's; the limits are those of the capacity in
//! force (a capacity change takes effect `apply_delay` after it was requested, part-way through
//! a minute if so, and the minute is split there); demand above a limit is throttled; what gets
//! through is served, counted in the ledger and in the trailing 7 days of usage from which
//! On-Demand's limit is recomputed every emulated hour.

use std::collections::{BTreeMap, HashMap, VecDeque};

use chrono::{DateTime, DurationRound, TimeDelta, Timelike, Utc};

use super::account::{Aps, Limits, Mode, Namespace};
use super::ledger::{LedgerEntry, MinuteUse, Tally};
use super::load::{Demand, Load, MINUTES_PER_DAY};
use super::metrics::{Flow, Window, served};
use super::wire::round_to;

/// The trailing window On-Demand's limit is computed over: 7 days of minutes.
const TRAILING_MINUTES: usize = 7 * MINUTES_PER_DAY as usize;
/// Replayed minutes kept for the metrics, which serve one that ended 3 to 4 minutes ago.
const RECENT_MINUTES: usize = 10;

fn minute() -> TimeDelta {
    TimeDelta::minutes(1)
}

/// One namespace's side of the replay.
struct Lane {
    /// Actions served per second in each of the last 7 days' minutes, oldest first.
    trailing: VecDeque<f64>,
    /// The 7-day statistics On-Demand's limit was last computed from.
    aps: Aps,
    /// The capacity in force at the start of the next minute to replay.
    in_force: Mode,
    /// Accepted capacity changes not yet in force, by the time they take effect.
    pending: Vec<(DateTime<Utc>, Mode)>,
    tally: Tally,
}

pub(crate) struct Replay {
    load: Load,
    /// Namespace IDs, in the profile's order of namespaces.
    ids: Vec<String>,
    slots: HashMap<String, usize>,
    /// Emulated start: the profile's first minute.
    start: DateTime<Utc>,
    /// Start of the next minute to replay.
    next: DateTime<Utc>,
    /// Minutes of the profile replayed; it stops growing at the profile's length.
    replayed: u64,
    lanes: Vec<Lane>,
    /// The last minutes' metrics windows, oldest first, by the minute's end.
    recent: VecDeque<(DateTime<Utc>, Vec<Window>)>,
}

impl Replay {
    /// A replay of `load` for the namespaces `ids` (in the profile's order) starting at
    /// `start`, with 7 days of earlier usage seeded from the profile: each minute of those days
    /// used what the profile asks at that minute of the day (see [`Load::daily_pattern`]).
    pub(crate) fn new(load: Load, ids: Vec<String>, start: DateTime<Utc>) -> Replay {
        let first = i64::from(load.first_minute());
        let day = i64::from(MINUTES_PER_DAY);
        let of_day = |back: usize| (first - back as i64).rem_euclid(day) as usize;
        let mut lanes = Vec::with_capacity(ids.len());
        let mut seeded: Vec<Vec<Demand>> = Vec::with_capacity(RECENT_MINUTES);
        for slot in 0..ids.len() {
            let pattern = load.daily_pattern(slot);
            let trailing: VecDeque<f64> = (1..=TRAILING_MINUTES)
                .rev()
                .map(|back| pattern[of_day(back)].aps)
                .collect();
            seeded.push(
                (1..=RECENT_MINUTES)
                    .rev()
                    .map(|back| pattern[of_day(back)])
                    .collect(),
            );
            let aps = trailing_stats(&trailing);
            lanes.push(Lane {
                trailing,
                aps,
                in_force: Mode::OnDemand,
                pending: Vec::new(),
                tally: Tally::default(),
            });
        }
        // The seeded minutes before the start, for the metrics' first minutes: what was asked
        // was served, as the seed says.
        let recent = (0..RECENT_MINUTES)
            .map(|index| {
                let end = start - minute() * (RECENT_MINUTES - 1 - index) as i32;
                let windows = lanes
                    .iter()
                    .zip(&seeded)
                    .map(|(lane, demands)| {
                        let demand = demands[index];
                        let flow = |asked: f64| Flow {
                            served: asked,
                            throttled: 0.0,
                        };
                        Window {
                            limits: Limits::on_demand(&lane.aps),
                            envelope: Limits::on_demand(&lane.aps),
                            trus: 0.0,
                            actions: flow(demand.aps),
                            requests: flow(demand.rps),
                            operations: flow(demand.ops),
                            background: 0.0,
                            standby: 0.0,
                            active: demand.aps > 0.0,
                        }
                    })
                    .collect();
                (end, windows)
            })
            .collect();
        let slots = ids
            .iter()
            .enumerate()
            .map(|(slot, id)| (id.clone(), slot))
            .collect();
        Replay {
            load,
            ids,
            slots,
            start,
            next: start,
            replayed: 0,
            lanes,
            recent,
        }
    }

    /// Copies the current 7-day statistics into the namespaces, where Cloud Ops, capacity-info
    /// and the steady metrics read them.
    pub(crate) fn sync_stats(&self, namespaces: &mut BTreeMap<String, Namespace>) {
        for (id, lane) in self.ids.iter().zip(&self.lanes) {
            if let Some(ns) = namespaces.get_mut(id) {
                ns.aps = lane.aps;
            }
        }
    }

    /// A capacity change of `namespace` takes effect at `at`.
    pub(crate) fn schedule(&mut self, namespace: &str, at: DateTime<Utc>, target: Mode) {
        if let Some(&slot) = self.slots.get(namespace) {
            let pending = &mut self.lanes[slot].pending;
            pending.push((at, target));
            pending.sort_by_key(|(at, _)| *at);
        }
    }

    pub(crate) fn start(&self) -> DateTime<Utc> {
        self.start
    }

    pub(crate) fn minutes_replayed(&self) -> u64 {
        self.replayed
    }

    pub(crate) fn finished(&self) -> bool {
        self.replayed >= u64::from(self.load.len_minutes())
    }

    pub(crate) fn ledger_entries(&self) -> BTreeMap<String, LedgerEntry> {
        self.ids
            .iter()
            .zip(&self.lanes)
            .map(|(id, lane)| (id.clone(), lane.tally.entry()))
            .collect()
    }

    /// The window of `namespace` for the minute that ends at `end` (or the latest one before
    /// it that was replayed).
    pub(crate) fn window(&self, namespace: &str, end: DateTime<Utc>) -> Option<Window> {
        let slot = *self.slots.get(namespace)?;
        let (_, windows) = self
            .recent
            .iter()
            .rev()
            .find(|(at, _)| *at <= end)
            .or_else(|| self.recent.front())?;
        windows.get(slot).copied()
    }

    /// Replays every minute that has ended by `now`.
    pub(crate) fn catch_up(
        &mut self,
        now: DateTime<Utc>,
        namespaces: &mut BTreeMap<String, Namespace>,
    ) {
        self.skip_idle_days(now, namespaces);
        while self.next + minute() <= now {
            self.replay_minute(namespaces);
        }
    }

    /// After the profile, a backlog of more than 7 days (a clock moved far ahead) leaves every
    /// namespace idle for its whole trailing window: that state, which minute-by-minute replay
    /// would reach, is set at once, so that a long jump does not hold the lock for long. The
    /// last two hours or so are still replayed minute by minute for the metrics.
    fn skip_idle_days(&mut self, now: DateTime<Utc>, namespaces: &mut BTreeMap<String, Namespace>) {
        if !self.finished() {
            return;
        }
        // An hour boundary, where the statistics would have been recomputed.
        let Ok(target) = (now - TimeDelta::minutes(RECENT_MINUTES as i64 + 60))
            .duration_trunc(TimeDelta::hours(1))
        else {
            return;
        };
        if (target - self.next).num_minutes() < TRAILING_MINUTES as i64 {
            return;
        }
        for lane in &mut self.lanes {
            lane.trailing.iter_mut().for_each(|used| *used = 0.0);
            while let Some(&(at, mode)) = lane.pending.first()
                && at <= target
            {
                lane.in_force = mode;
                lane.pending.remove(0);
            }
            lane.aps = trailing_stats(&lane.trailing);
        }
        self.recent.clear();
        self.next = target;
        self.sync_stats(namespaces);
    }

    fn replay_minute(&mut self, namespaces: &mut BTreeMap<String, Namespace>) {
        let start = self.next;
        let end = start + minute();
        let in_profile = !self.finished();
        let profile_minute = self.load.first_minute() + self.replayed as u32;
        let mut windows = Vec::with_capacity(self.lanes.len());
        for (slot, lane) in self.lanes.iter_mut().enumerate() {
            let demand = if in_profile {
                self.load.demand_at(profile_minute, slot)
            } else {
                Demand::default()
            };
            let (window, used) = lane.replay(start, end, demand);
            if in_profile {
                lane.tally.record(start, used);
            }
            windows.push(window);
        }
        if in_profile {
            self.replayed += 1;
        }
        self.recent.push_back((end, windows));
        while self.recent.len() > RECENT_MINUTES {
            self.recent.pop_front();
        }
        self.next = end;
        // How often Temporal recomputes the On-Demand limit is not documented; the emulator
        // does it on every emulated hour, from the 7 days before it.
        if end.minute() == 0 && end.second() == 0 {
            for lane in &mut self.lanes {
                lane.aps = trailing_stats(&lane.trailing);
            }
            self.sync_stats(namespaces);
        }
    }
}

impl Lane {
    /// One minute, `start` to `end`, asking `demand`: what the metrics report and what the
    /// ledger counts.
    fn replay(
        &mut self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        demand: Demand,
    ) -> (Window, MinuteUse) {
        // The capacity held over the minute, in pieces split where a change takes effect.
        let mut pieces: Vec<(f64, Mode)> = Vec::with_capacity(2);
        let mut from = start;
        while let Some(&(at, mode)) = self.pending.first()
            && at < end
        {
            if at > from {
                pieces.push(((at - from).as_seconds_f64(), self.in_force));
                from = at;
            }
            self.in_force = mode;
            self.pending.remove(0);
        }
        pieces.push(((end - from).as_seconds_f64(), self.in_force));
        let length = (end - start).as_seconds_f64();

        let mut actions = Flow::default();
        let mut requests = Flow::default();
        let mut operations = Flow::default();
        let mut mean_trus = 0.0;
        let mut max_trus: f64 = 0.0;
        for &(seconds, mode) in &pieces {
            let share = seconds / length;
            let limits = Limits::of(mode, &self.aps);
            for (total, flow) in [
                (&mut actions, served(demand.aps, limits.actions)),
                (&mut requests, served(demand.rps, limits.requests)),
                (&mut operations, served(demand.ops, limits.operations)),
            ] {
                total.served += share * flow.served;
                total.throttled += share * flow.throttled;
            }
            mean_trus += share * mode.trus();
            max_trus = max_trus.max(mode.trus());
        }
        // What the metrics print (two decimals) is what the ledger counts.
        for flow in [&mut actions, &mut requests, &mut operations] {
            flow.served = round_to(flow.served, 2);
            flow.throttled = round_to(flow.throttled, 2);
        }

        self.trailing.push_back(actions.served);
        while self.trailing.len() > TRAILING_MINUTES {
            self.trailing.pop_front();
        }
        let window = Window {
            limits: Limits::of(self.in_force, &self.aps),
            envelope: Limits::on_demand(&self.aps),
            trus: self.in_force.trus(),
            actions,
            requests,
            operations,
            background: 0.0,
            standby: 0.0,
            active: demand.aps > 0.0,
        };
        let used = MinuteUse {
            actions: actions.served,
            throttled_actions: actions.throttled,
            throttled_requests: requests.throttled,
            throttled_operations: operations.throttled,
            mean_trus,
            max_trus,
        };
        (window, used)
    }
}

/// Mean, p90 and p99 of per-minute APS, to two decimals (what capacity-info shows, and what
/// the On-Demand limit is computed from). Percentiles are nearest-rank: the smallest value at
/// or above which the given share of the minutes lies.
pub(crate) fn trailing_stats(values: &VecDeque<f64>) -> Aps {
    if values.is_empty() {
        return Aps {
            mean: 0.0,
            p90: 0.0,
            p99: 0.0,
        };
    }
    let mut sorted: Vec<f64> = values.iter().copied().collect();
    sorted.sort_by(f64::total_cmp);
    let count = sorted.len();
    let rank = |percent: usize| sorted[(count * percent).div_ceil(100).max(1) - 1];
    Aps {
        mean: round_to(sorted.iter().sum::<f64>() / count as f64, 2),
        p90: round_to(rank(90), 2),
        p99: round_to(rank(99), 2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let values: VecDeque<f64> = (1..=100).map(f64::from).collect();
        let aps = trailing_stats(&values);
        assert_eq!((aps.mean, aps.p90, aps.p99), (50.5, 90.0, 99.0));
        let few: VecDeque<f64> = [3.0, 1.0, 2.0].into_iter().collect();
        let aps = trailing_stats(&few);
        assert_eq!((aps.mean, aps.p90, aps.p99), (2.0, 3.0, 3.0));
    }
}
