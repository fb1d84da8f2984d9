//! Capacity that changes in steps over a window, and what each calendar hour of it bills at the
//! least. The highest TRU value held at any moment of an hour sets that hour's minimum, so a
//! ramp that holds the peak only for the busy hours costs less than the peak from the start.

use chrono::{DateTime, Duration, DurationRound, Utc};
use serde::{Deserialize, Serialize};

use super::cost;

/// From `at` on, the namespace holds `trus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RampStep {
    pub at: DateTime<Utc>,
    pub trus: u32,
}

/// Why a ramp cannot be run, naming the step (its index in the ramp).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepError {
    pub step: usize,
    pub message: String,
}

/// Steps in order, inside the window `[start, end)`, and (unless `allow_subhour`) at least an
/// hour apart: TRUs are adjusted and billed by the hour, so a shorter step costs a whole hour.
pub fn check_steps(
    steps: &[RampStep],
    start: DateTime<Utc>,
    end: Option<DateTime<Utc>>,
    allow_subhour: bool,
) -> Result<(), StepError> {
    let err = |step: usize, message: String| Err(StepError { step, message });
    if steps.is_empty() {
        return err(0, "a ramp needs at least one step".into());
    }
    for (i, step) in steps.iter().enumerate() {
        if step.at < start {
            return err(
                i,
                format!(
                    "step {} at {} is before the event starts ({})",
                    i + 1,
                    fmt(step.at),
                    fmt(start)
                ),
            );
        }
        if let Some(end) = end
            && step.at >= end
        {
            return err(
                i,
                format!(
                    "step {} at {} is not before the event ends ({})",
                    i + 1,
                    fmt(step.at),
                    fmt(end)
                ),
            );
        }
        if i > 0 {
            let before = steps[i - 1];
            if step.at <= before.at {
                return err(
                    i,
                    format!(
                        "step {} at {} is not after step {} at {}: steps must be in order",
                        i + 1,
                        fmt(step.at),
                        i,
                        fmt(before.at)
                    ),
                );
            }
            if !allow_subhour && step.at - before.at < Duration::hours(1) {
                return err(
                    i,
                    format!(
                        "step {} comes {} min after step {}: TRUs are adjusted and billed by the \
                         hour, so steps are at least an hour apart (--allow-subhour-steps allows it)",
                        i + 1,
                        (step.at - before.at).num_minutes(),
                        i
                    ),
                );
            }
        }
    }
    Ok(())
}

/// The step in force at `at`, if any has started.
pub fn in_force(steps: &[RampStep], at: DateTime<Utc>) -> Option<RampStep> {
    steps.iter().rev().find(|s| s.at <= at).copied()
}

/// The highest TRU value of the ramp.
pub fn peak(steps: &[RampStep]) -> u32 {
    steps.iter().map(|s| s.trus).max().unwrap_or(0)
}

/// One calendar hour's billing floor under the ramp and under a flat change at its peak.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HourFloor {
    pub hour: DateTime<Utc>,
    /// The highest TRUs held in the hour (0: On-Demand all through it).
    pub ramp_trus: u32,
    pub ramp_minimum_actions: f64,
    pub ramp_minimum_usd: f64,
    pub flat_trus: u32,
    pub flat_minimum_actions: f64,
    pub flat_minimum_usd: f64,
}

/// Per calendar hour from the first step to the end, the TRU minimum of the ramp beside the
/// same window held flat at the peak. `before` is what the namespace holds until the first
/// step and `after` what it goes back to at the end (0 for On-Demand). Without an end, the
/// hours up to the last step's are shown: after it the hour repeats.
pub fn hourly_floors(
    steps: &[RampStep],
    end: Option<DateTime<Utc>>,
    before: u32,
    after: u32,
    price_per_million: f64,
) -> Vec<HourFloor> {
    let Some(first) = steps.first() else {
        return Vec::new();
    };
    let last_step = steps.last().expect("not empty").at;
    let flat = [RampStep {
        at: first.at,
        trus: peak(steps),
    }];
    let mut hours = Vec::new();
    let mut hour = floor_hour(first.at);
    let stop = end.unwrap_or(floor_hour(last_step) + Duration::hours(1));
    while hour < stop {
        let next = hour + Duration::hours(1);
        let ramp_trus = highest(steps, before, after, end, hour, next);
        let flat_trus = highest(&flat, before, after, end, hour, next);
        let floor = |trus: u32| cost::minimum_actions_per_hour(f64::from(trus));
        hours.push(HourFloor {
            hour,
            ramp_trus,
            ramp_minimum_actions: floor(ramp_trus),
            ramp_minimum_usd: cost::usd(floor(ramp_trus), price_per_million),
            flat_trus,
            flat_minimum_actions: floor(flat_trus),
            flat_minimum_usd: cost::usd(floor(flat_trus), price_per_million),
        });
        hour = next;
    }
    hours
}

/// The highest TRUs held at any moment of `[from, to)`.
fn highest(
    steps: &[RampStep],
    before: u32,
    after: u32,
    end: Option<DateTime<Utc>>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> u32 {
    let held_at_start = match (end, in_force(steps, from)) {
        (Some(end), _) if end <= from => after,
        (_, Some(step)) => step.trus,
        (_, None) => before,
    };
    let mut high = held_at_start;
    for step in steps.iter().filter(|s| s.at > from && s.at < to) {
        if end.is_none_or(|e| step.at < e) {
            high = high.max(step.trus);
        }
    }
    if let Some(end) = end
        && end > from
        && end < to
    {
        high = high.max(after);
    }
    high
}

fn floor_hour(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(Duration::hours(1)).unwrap_or(t)
}

fn fmt(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 24, h, m, 0).unwrap()
    }

    fn step(h: u32, m: u32, trus: u32) -> RampStep {
        RampStep { at: at(h, m), trus }
    }

    #[test]
    fn steps_must_be_ordered_inside_the_window_and_an_hour_apart() {
        let start = at(8, 0);
        let end = Some(at(12, 0));
        let ok = [step(8, 0, 4), step(9, 0, 8), step(11, 0, 4)];
        assert_eq!(check_steps(&ok, start, end, false), Ok(()));

        let cases: &[(&[RampStep], usize, &str)] = &[
            (&[step(7, 59, 4)], 0, "before the event starts"),
            (
                &[step(8, 0, 4), step(12, 0, 8)],
                1,
                "not before the event ends",
            ),
            (&[step(9, 0, 4), step(8, 0, 8)], 1, "must be in order"),
            (&[step(9, 0, 4), step(9, 0, 8)], 1, "must be in order"),
            (&[step(8, 0, 4), step(8, 30, 8)], 1, "30 min after step 1"),
            (&[], 0, "at least one step"),
        ];
        for (steps, index, says) in cases {
            let e = check_steps(steps, start, end, false).unwrap_err();
            assert_eq!(e.step, *index, "{steps:?}");
            assert!(e.message.contains(says), "{}", e.message);
        }
        assert_eq!(
            check_steps(&[step(8, 0, 4), step(8, 30, 8)], start, end, true),
            Ok(())
        );
        // No end: a permanent ramp has no upper bound.
        assert_eq!(check_steps(&[step(20, 0, 4)], start, None, false), Ok(()));
    }

    /// The example, shortened: 4 TRUs from 08:00, 8 from 10:30, 4 from 12:00, back to
    /// On-Demand at 13:00. The 10:00 hour holds 4 then 8: billed at 8. The flat change holds
    /// 8 all through.
    #[test]
    fn each_hour_is_billed_at_its_highest_value() {
        let steps = [step(8, 0, 4), step(10, 30, 8), step(12, 0, 4)];
        let hours = hourly_floors(&steps, Some(at(13, 0)), 0, 0, 50.0);
        let ramp: Vec<u32> = hours.iter().map(|h| h.ramp_trus).collect();
        let flat: Vec<u32> = hours.iter().map(|h| h.flat_trus).collect();
        assert_eq!(ramp, [4, 4, 8, 8, 4]);
        assert_eq!(flat, [8, 8, 8, 8, 8]);
        assert_eq!(hours[0].hour, at(8, 0));
        // (4 - 1) × 360,000 = 1,080,000 actions = $54 at $50/M; 8 TRUs: 2,520,000 = $126.
        assert_eq!(hours[0].ramp_minimum_actions, 1_080_000.0);
        assert_eq!(hours[0].ramp_minimum_usd, 54.0);
        assert_eq!(hours[0].flat_minimum_usd, 126.0);
        let ramp_total: f64 = hours.iter().map(|h| h.ramp_minimum_usd).sum();
        let flat_total: f64 = hours.iter().map(|h| h.flat_minimum_usd).sum();
        assert_eq!(ramp_total, 54.0 * 3.0 + 126.0 * 2.0);
        assert_eq!(flat_total, 126.0 * 5.0);
    }

    /// Starting and ending inside an hour: the hour before the start still holds what the
    /// namespace had (here 2 TRUs), and the hour of the end holds the last step until then.
    #[test]
    fn partial_hours_count_what_was_held_before_and_after() {
        let steps = [step(8, 30, 6)];
        let hours = hourly_floors(&steps, Some(at(10, 15)), 2, 3, 50.0);
        let ramp: Vec<(DateTime<Utc>, u32)> = hours.iter().map(|h| (h.hour, h.ramp_trus)).collect();
        assert_eq!(ramp, [(at(8, 0), 6), (at(9, 0), 6), (at(10, 0), 6)]);
        // An end on the hour leaves the next hour to the value reverted to.
        let hours = hourly_floors(&steps, Some(at(10, 0)), 2, 3, 50.0);
        assert_eq!(hours.len(), 2);
        // A step down inside the hour: the hour keeps the higher value.
        let hours = hourly_floors(
            &[step(8, 0, 8), step(9, 45, 2)],
            Some(at(11, 0)),
            0,
            0,
            50.0,
        );
        let ramp: Vec<u32> = hours.iter().map(|h| h.ramp_trus).collect();
        assert_eq!(ramp, [8, 8, 2]);
    }

    #[test]
    fn a_permanent_change_shows_its_hours_up_to_the_last_step() {
        let hours = hourly_floors(&[step(8, 0, 4), step(9, 0, 6)], None, 0, 0, 50.0);
        assert_eq!(hours.len(), 2);
        assert_eq!(hours[1].ramp_trus, 6);
        assert_eq!(in_force(&[step(8, 0, 4)], at(7, 0)), None);
        assert_eq!(peak(&[step(8, 0, 4), step(9, 0, 6)]), 6);
    }
}
