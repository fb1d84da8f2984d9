//! The replay's bill: what each namespace used, what was throttled, and what Temporal would
//! charge for it. The billing rule is written out here again rather than imported, so that the
//! emulator cannot share a mistake with the client it checks:
//!
//! - every action served is billed;
//! - Provisioned capacity carries a minimum per calendar hour of 360,000 actions for each TRU
//!   above the first ("500 APS Per TRU * 3600 Seconds * 20%"), at the highest TRU value held at
//!   any moment of that hour; an hour that uses fewer actions is billed the minimum;
//! - at the Pay-As-You-Go list price of $50 per million actions.

use std::collections::BTreeMap;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// Billing minimum per calendar hour for each TRU above the first.
const MIN_ACTIONS_PER_EXTRA_TRU_HOUR: f64 = 360_000.0;
/// Pay-As-You-Go list price.
const USD_PER_MILLION_ACTIONS: f64 = 50.0;

/// One namespace's account of the replay so far (or, as `total`, all of them summed).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// Actions served (billed whatever the mode).
    pub actions: f64,
    /// Actions asked for above the limit.
    pub throttled_actions: f64,
    /// Actions billed: per calendar hour, the larger of the actions served and the TRU minimum.
    pub billed_actions: f64,
    /// `billed_actions` at $50 per million.
    pub cost_usd: f64,
    /// Minutes in which anything (actions, requests or operations) was throttled.
    pub throttled_minutes: u64,
    /// TRUs held × hours held (On-Demand holds none).
    pub tru_hours: f64,
    /// The most TRUs held at any moment; in `total`, the namespaces' peaks summed.
    pub peak_trus: f64,
    /// Service requests asked for above the limit.
    pub throttled_requests: f64,
    /// Operations asked for above the limit.
    pub throttled_operations: f64,
}

impl LedgerEntry {
    fn add(&mut self, other: &LedgerEntry) {
        self.actions += other.actions;
        self.throttled_actions += other.throttled_actions;
        self.billed_actions += other.billed_actions;
        self.cost_usd += other.cost_usd;
        self.throttled_minutes += other.throttled_minutes;
        self.tru_hours += other.tru_hours;
        self.peak_trus += other.peak_trus;
        self.throttled_requests += other.throttled_requests;
        self.throttled_operations += other.throttled_operations;
    }
}

/// What `GET /_dev/ledger` answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ledger {
    /// Emulated now.
    pub now: DateTime<Utc>,
    pub clock_speed: f64,
    /// Minutes of the load profile replayed so far (0 without a profile).
    pub minutes_replayed: u64,
    /// The whole profile has been replayed; the ledger no longer changes.
    pub finished: bool,
    /// By namespace ID.
    pub namespaces: BTreeMap<String, LedgerEntry>,
    pub total: LedgerEntry,
}

impl Ledger {
    pub(crate) fn new(
        now: DateTime<Utc>,
        clock_speed: f64,
        minutes_replayed: u64,
        finished: bool,
        namespaces: BTreeMap<String, LedgerEntry>,
    ) -> Ledger {
        let mut total = LedgerEntry::default();
        for entry in namespaces.values() {
            total.add(entry);
        }
        Ledger {
            now,
            clock_speed,
            minutes_replayed,
            finished,
            namespaces,
            total,
        }
    }
}

/// One namespace's replayed minute, per second unless said otherwise.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct MinuteUse {
    pub actions: f64,
    pub throttled_actions: f64,
    pub throttled_requests: f64,
    pub throttled_operations: f64,
    /// TRUs held, averaged over the minute.
    pub mean_trus: f64,
    /// The most TRUs held at any moment of the minute.
    pub max_trus: f64,
}

/// The calendar hour being counted.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Hour {
    start: DateTime<Utc>,
    actions: f64,
    max_trus: f64,
}

impl Hour {
    /// The larger of the actions used and the TRU minimum. An hour still open (or cut short by
    /// the end of the profile) is billed its whole minimum as soon as TRUs were held in it:
    /// Temporal bills calendar hours at the highest value held, so holding them for one minute
    /// commits the hour; only actions used later in the hour can lower the shortfall.
    fn billed(&self) -> f64 {
        self.actions.max(minimum_actions_per_hour(self.max_trus))
    }
}

/// The hourly minimum of `trus` TRUs: nothing for On-Demand (0) or for one TRU.
fn minimum_actions_per_hour(trus: f64) -> f64 {
    (trus - 1.0).max(0.0) * MIN_ACTIONS_PER_EXTRA_TRU_HOUR
}

/// One namespace's running account.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Tally {
    entry: LedgerEntry,
    /// Billed actions of the hours already closed.
    billed_closed: f64,
    /// TRUs × minutes held: summed in minutes, so that whole hours come out exact.
    tru_minutes: f64,
    hour: Option<Hour>,
}

impl Tally {
    /// Counts the minute that starts at `start`.
    pub(crate) fn record(&mut self, start: DateTime<Utc>, minute: MinuteUse) {
        let hour_start = start.duration_trunc(TimeDelta::hours(1)).unwrap_or(start);
        match self.hour.as_mut() {
            Some(hour) if hour.start == hour_start => {}
            _ => {
                if let Some(closed) = self.hour.take() {
                    self.billed_closed += closed.billed();
                }
                self.hour = Some(Hour {
                    start: hour_start,
                    actions: 0.0,
                    max_trus: 0.0,
                });
            }
        }
        let hour = self.hour.as_mut().expect("set above");
        hour.actions += minute.actions * 60.0;
        hour.max_trus = hour.max_trus.max(minute.max_trus);

        let entry = &mut self.entry;
        entry.actions += minute.actions * 60.0;
        entry.throttled_actions += minute.throttled_actions * 60.0;
        entry.throttled_requests += minute.throttled_requests * 60.0;
        entry.throttled_operations += minute.throttled_operations * 60.0;
        if minute.throttled_actions > 0.0
            || minute.throttled_requests > 0.0
            || minute.throttled_operations > 0.0
        {
            entry.throttled_minutes += 1;
        }
        self.tru_minutes += minute.mean_trus;
        entry.peak_trus = entry.peak_trus.max(minute.max_trus);
    }

    /// The account so far, the open hour billed as described at [`Hour::billed`].
    pub(crate) fn entry(&self) -> LedgerEntry {
        let billed = self.billed_closed + self.hour.as_ref().map_or(0.0, Hour::billed);
        LedgerEntry {
            billed_actions: billed,
            cost_usd: billed * USD_PER_MILLION_ACTIONS / 1_000_000.0,
            tru_hours: self.tru_minutes / 60.0,
            ..self.entry.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn held(trus: f64, actions: f64) -> MinuteUse {
        MinuteUse {
            actions,
            mean_trus: trus,
            max_trus: trus,
            ..MinuteUse::default()
        }
    }

    #[test]
    fn four_trus_for_an_hour_with_low_use_bill_the_minimum() {
        let mut tally = Tally::default();
        let start = at("2026-03-02T10:00:00Z");
        for minute in 0..60 {
            tally.record(start + TimeDelta::minutes(minute), held(4.0, 100.0));
        }
        let entry = tally.entry();
        // 100 APS × 3,600 s = 360,000 used; the minimum is 3 × 360,000 = 1,080,000.
        assert_eq!(entry.actions, 360_000.0);
        assert_eq!(entry.billed_actions, 1_080_000.0);
        assert_eq!(entry.cost_usd, 54.0);
        assert_eq!(entry.tru_hours, 4.0);
        assert_eq!(entry.peak_trus, 4.0);
        assert_eq!(entry.throttled_minutes, 0);
    }

    #[test]
    fn the_highest_value_held_in_an_hour_bills_the_hour() {
        let mut tally = Tally::default();
        let start = at("2026-03-02T10:00:00Z");
        for minute in 0..120 {
            // 2 TRUs, except 8 TRUs for the five minutes from 10:55.
            let trus = if (55..60).contains(&minute) { 8.0 } else { 2.0 };
            tally.record(start + TimeDelta::minutes(minute), held(trus, 50.0));
        }
        let entry = tally.entry();
        // 10:00 hour: 7 × 360,000 = 2,520,000; 11:00 hour: 1 × 360,000. Used 180,000 each.
        assert_eq!(entry.billed_actions, 2_520_000.0 + 360_000.0);
        assert_eq!(entry.actions, 360_000.0);
        assert_eq!(entry.peak_trus, 8.0);
        assert!((entry.tru_hours - (115.0 * 2.0 + 5.0 * 8.0) / 60.0).abs() < 1e-9);
    }

    #[test]
    fn use_above_the_minimum_is_billed_as_used_and_on_demand_has_no_minimum() {
        let mut tally = Tally::default();
        let start = at("2026-03-02T10:00:00Z");
        for minute in 0..60 {
            tally.record(start + TimeDelta::minutes(minute), held(2.0, 150.0));
        }
        for minute in 60..90 {
            tally.record(start + TimeDelta::minutes(minute), held(0.0, 10.0));
        }
        // 10:00: 540,000 used > 360,000; 11:00 (half an hour, On-Demand): 18,000.
        let entry = tally.entry();
        assert_eq!(entry.billed_actions, 540_000.0 + 18_000.0);
        assert_eq!(entry.actions, entry.billed_actions);
    }

    #[test]
    fn a_partial_hour_with_trus_bills_its_whole_minimum() {
        let mut tally = Tally::default();
        let start = at("2026-03-02T21:50:00Z");
        for minute in 0..10 {
            tally.record(start + TimeDelta::minutes(minute), held(3.0, 0.0));
        }
        assert_eq!(tally.entry().billed_actions, 720_000.0);
    }

    #[test]
    fn throttling_counts_minutes_and_amounts() {
        let mut tally = Tally::default();
        let start = at("2026-03-02T10:00:00Z");
        tally.record(
            start,
            MinuteUse {
                actions: 490.0,
                throttled_actions: 100.0,
                throttled_requests: 20.0,
                ..MinuteUse::default()
            },
        );
        tally.record(
            start + TimeDelta::minutes(1),
            MinuteUse {
                actions: 30.0,
                throttled_operations: 1.5,
                ..MinuteUse::default()
            },
        );
        tally.record(start + TimeDelta::minutes(2), held(0.0, 30.0));
        let entry = tally.entry();
        assert_eq!(entry.throttled_minutes, 2);
        assert_eq!(entry.throttled_actions, 6_000.0);
        assert_eq!(entry.throttled_requests, 1_200.0);
        assert_eq!(entry.throttled_operations, 90.0);
        let ledger = Ledger::new(
            start,
            1.0,
            3,
            false,
            BTreeMap::from([("a".to_string(), entry.clone()), ("b".to_string(), entry)]),
        );
        assert_eq!(ledger.total.throttled_minutes, 4);
        assert_eq!(ledger.total.actions, 2.0 * (490.0 + 60.0) * 60.0);
    }
}
