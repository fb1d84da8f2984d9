//! What capacity costs by the hour.
//!
//! Temporal bills actions; Provisioned capacity adds a floor: each TRU above the first carries
//! 360,000 actions per calendar hour (100 APS on average), used or not, and the highest TRU
//! value held within an hour counts for the hour. An hour therefore costs the larger of the
//! actions used and that floor, at the price per million actions.

use serde::Serialize;

/// Billing minimum per calendar hour for each TRU above the first.
pub const MIN_ACTIONS_PER_EXTRA_TRU_HOUR: f64 = 360_000.0;
/// Pay-as-you-go list price; Business plans and above have lower volume tiers, hence a setting.
pub const LIST_PRICE_PER_MILLION_ACTIONS: f64 = 50.0;
pub const SECONDS_PER_HOUR: f64 = 3_600.0;

/// Which usage an hourly figure rests on. A 7-day mean hides the hours that miss the minimum,
/// so a shortfall computed from it is a lower bound; the history issue adds exact hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Basis {
    #[serde(rename = "7-day mean")]
    SevenDayMean,
    /// No 7-day statistics: the current one-minute window stands in for the hour.
    #[serde(rename = "current minute")]
    CurrentMinute,
    /// Every calendar hour of the Prometheus history, billed as Temporal bills it: exact.
    #[serde(rename = "history")]
    History,
}

impl Basis {
    /// The JSON spelling, also used in CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::SevenDayMean => "7-day mean",
            Basis::CurrentMinute => "current minute",
            Basis::History => "history",
        }
    }
}

/// The per-hour floor of `trus` TRUs, in actions (0 for On-Demand and for one TRU).
pub fn minimum_actions_per_hour(trus: f64) -> f64 {
    if trus.is_finite() {
        (trus - 1.0).max(0.0) * MIN_ACTIONS_PER_EXTRA_TRU_HOUR
    } else {
        0.0
    }
}

/// Dollars for `actions` at `price_per_million` (a nonsensical price counts as the list one).
pub fn usd(actions: f64, price_per_million: f64) -> f64 {
    let price = if price_per_million.is_finite() && price_per_million >= 0.0 {
        price_per_million
    } else {
        LIST_PRICE_PER_MILLION_ACTIONS
    };
    actions * price / 1_000_000.0
}

/// What `trus` TRUs bill in a calendar hour at the least.
///
/// ```
/// use tcap::capacity::cost::hourly_minimum_usd;
/// assert_eq!(hourly_minimum_usd(6.0, 50.0), 90.0);
/// assert_eq!(hourly_minimum_usd(1.0, 50.0), 0.0);
/// ```
pub fn hourly_minimum_usd(trus: f64, price_per_million: f64) -> f64 {
    usd(minimum_actions_per_hour(trus), price_per_million)
}

/// An hour of a namespace using `used_actions_per_hour` while holding `trus` (`None`:
/// On-Demand, no floor).
pub fn hourly_usd(used_actions_per_hour: f64, trus: Option<f64>, price_per_million: f64) -> f64 {
    let floor = trus.map_or(0.0, minimum_actions_per_hour);
    usd(used_actions_per_hour.max(floor), price_per_million)
}

/// What the recommended TRUs would cost beyond the actions the namespace actually uses.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BillingNote {
    pub minimum_actions_per_hour: f64,
    /// At least this many: see [`Basis`].
    pub unused_actions_per_hour: f64,
    pub unused_cost_per_hour_usd: f64,
    pub basis: Basis,
}

/// `Some` when a mean of `mean_aps` leaves part of the floor of `trus` TRUs unused.
pub fn billing_note(trus: u32, mean_aps: f64, price_per_million: f64) -> Option<BillingNote> {
    let minimum = minimum_actions_per_hour(f64::from(trus));
    let used = mean_aps * SECONDS_PER_HOUR;
    (used < minimum).then(|| {
        let unused = minimum - used;
        BillingNote {
            minimum_actions_per_hour: minimum,
            unused_actions_per_hour: unused,
            unused_cost_per_hour_usd: usd(unused, price_per_million),
            basis: Basis::SevenDayMean,
        }
    })
}

/// An hour today and an hour as recommended, so that a report or a script can total savings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Cost {
    pub hourly_usd_now: f64,
    pub hourly_usd_recommended: f64,
    pub basis: Basis,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_hour_costs_the_larger_of_use_and_floor() {
        // 6 TRUs: 5 × 360,000 = 1,800,000 actions; $90 at list price.
        assert_eq!(hourly_usd(500_000.0, Some(6.0), 50.0), 90.0);
        assert_eq!(hourly_usd(2_000_000.0, Some(6.0), 50.0), 100.0);
        // On-Demand has no floor; one TRU neither.
        assert_eq!(hourly_usd(500_000.0, None, 50.0), 25.0);
        assert_eq!(hourly_usd(0.0, Some(1.0), 50.0), 0.0);
        // A volume price.
        assert_eq!(hourly_usd(2_000_000.0, Some(6.0), 25.0), 50.0);
        assert_eq!(usd(1_000_000.0, f64::NAN), 50.0);
    }

    #[test]
    fn billing_note_only_below_the_floor() {
        // 8 TRUs: 2,520,000 floor; 150 APS × 3,600 = 540,000 used.
        let note = billing_note(8, 150.0, 50.0).unwrap();
        assert_eq!(note.unused_actions_per_hour, 1_980_000.0);
        assert_eq!(note.unused_cost_per_hour_usd, 99.0);
        assert_eq!(serde_json::to_value(note.basis).unwrap(), "7-day mean");
        assert_eq!(
            Basis::CurrentMinute.as_str(),
            serde_json::to_value(Basis::CurrentMinute).unwrap()
        );
        assert_eq!(billing_note(8, 700.0, 50.0), None);
        assert_eq!(billing_note(1, 0.0, 50.0), None);
    }
}
