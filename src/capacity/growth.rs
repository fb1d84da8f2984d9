//! How fast a namespace's peak grows, and when it would reach its limit at that pace.
//!
//! Weeks are counted back from the end of the history (a partial oldest week is left out), so
//! the newest week is always whole. Each week's p99 of demand is one point; a least-squares line
//! through ln(p99) against the week's middle gives the weekly growth factor e^slope. The line's
//! value at the end of the history is "now"; the limit is reached where the line meets ln(limit).

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde::Serialize;

use super::plan::{History, Minute, percentile};

const MINUTES_PER_WEEK: usize = 7 * 24 * 60;
/// A week with less than a day recorded says too little about its p99.
const MIN_MINUTES_PER_WEEK: usize = 24 * 60;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Growth {
    /// p99 of demand (APS) in the newest week.
    pub p99: Option<f64>,
    /// Oldest first; `None` for a week with too little recorded.
    pub weekly_p99: Vec<Option<f64>>,
    /// 0.10 is 10% a week; `None` with fewer than two usable weeks.
    pub growth_per_week: Option<f64>,
    /// The date (in the plan's zone) the trend meets the limit, if within the horizon; the
    /// history's last day when the newest trend value is already at or above it.
    pub limit_reached_on: Option<NaiveDate>,
}

/// p99 of demand of each whole week counted back from the end, oldest first.
pub fn weekly_p99(history: &History) -> Vec<Option<f64>> {
    let n = history.minutes.len();
    let weeks = n / MINUTES_PER_WEEK;
    (0..weeks)
        .map(|k| {
            let from = n - (weeks - k) * MINUTES_PER_WEEK;
            let mut demand: Vec<f64> = history.minutes[from..from + MINUTES_PER_WEEK]
                .iter()
                .flatten()
                .map(Minute::demand)
                .collect();
            (demand.len() >= MIN_MINUTES_PER_WEEK).then(|| percentile(&mut demand, 0.99))
        })
        .collect()
}

/// Least squares of ln(p99) on the week's middle, in weeks before the end (newest: −0.5).
/// Returns (value at the end, slope per week).
pub fn fit(weekly: &[Option<f64>]) -> Option<(f64, f64)> {
    let count = weekly.len();
    let points: Vec<(f64, f64)> = weekly
        .iter()
        .enumerate()
        .filter_map(|(k, p)| {
            p.filter(|p| *p > 0.0)
                .map(|p| (k as f64 - count as f64 + 0.5, p.ln()))
        })
        .collect();
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    let slope = sxy / sxx;
    Some((mean_y - slope * mean_x, slope))
}

/// The growth of `history` and when it meets `limit` (APS) within `horizon` of its end.
pub fn growth<Z: TimeZone>(
    history: &History,
    limit: Option<f64>,
    horizon: Duration,
    tz: &Z,
) -> Growth {
    let weekly = weekly_p99(history);
    let fitted = fit(&weekly);
    let end = history.end();
    let reached = match (fitted, limit) {
        (Some((now, slope)), Some(limit)) if limit > 0.0 => {
            reached_at(now, slope, limit, end, horizon)
        }
        _ => None,
    };
    // The last day of the history is the day of its last minute.
    let date = |at: DateTime<Utc>| {
        let at = if at == end {
            at - Duration::minutes(1)
        } else {
            at
        };
        at.with_timezone(tz).date_naive()
    };
    Growth {
        p99: weekly.last().copied().flatten(),
        growth_per_week: fitted.map(|(_, slope)| slope.exp() - 1.0),
        weekly_p99: weekly,
        limit_reached_on: reached.map(date),
    }
}

/// When ln(p99) = `now` + `slope` × weeks reaches ln(`limit`), if by `end` + `horizon`.
pub fn reached_at(
    now: f64,
    slope: f64,
    limit: f64,
    end: DateTime<Utc>,
    horizon: Duration,
) -> Option<DateTime<Utc>> {
    let target = limit.ln();
    if now >= target {
        return Some(end);
    }
    if slope <= 0.0 {
        return None;
    }
    let weeks = (target - now) / slope;
    let seconds = weeks * 7.0 * 86_400.0;
    (seconds <= horizon.num_seconds() as f64)
        .then(|| end + Duration::milliseconds((seconds * 1000.0).round() as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn ten_percent_a_week_is_fitted_exactly() {
        let weekly = [Some(1000.0), Some(1100.0), Some(1210.0), Some(1331.0)];
        let (now, slope) = fit(&weekly).unwrap();
        assert!((slope.exp() - 1.1).abs() < 1e-12);
        // Half a week past the newest week's middle.
        assert!((now - (1331.0f64.ln() + 0.5 * 1.1f64.ln())).abs() < 1e-12);
        assert_eq!(fit(&[Some(5.0)]), None);
        assert_eq!(fit(&[None, Some(5.0), Some(0.0)]), None);
    }

    #[test]
    fn the_limit_date_follows_the_trend_within_the_horizon() {
        let end = at("2026-11-30T00:00:00Z");
        let slope = 1.1f64.ln();
        // 2,000 → 2,662: ln(1.331)/ln(1.1) = 3 weeks.
        let got = reached_at(2000f64.ln(), slope, 2662.0, end, Duration::days(30)).unwrap();
        assert!((got - at("2026-12-21T00:00:00Z")).num_seconds().abs() <= 1);
        // Beyond the horizon, flat, or already there.
        assert_eq!(
            reached_at(2000f64.ln(), slope, 2662.0, end, Duration::days(20)),
            None
        );
        assert_eq!(
            reached_at(2000f64.ln(), 0.0, 2662.0, end, Duration::days(30)),
            None
        );
        assert_eq!(
            reached_at(3000f64.ln(), slope, 2662.0, end, Duration::days(30)),
            Some(end)
        );
    }

    #[test]
    fn weeks_count_back_from_the_end() {
        // 15 days: the oldest day is left out; week 1 (newest) at 2,000, week 0 at 1,000.
        let start = at("2026-11-15T00:00:00Z");
        let minutes: Vec<Option<Minute>> = (0..15 * 1440)
            .map(|i| {
                Some(Minute {
                    limit: 3000.0,
                    foreground: if i < 8 * 1440 { 1000.0 } else { 2000.0 },
                    ..Minute::default()
                })
            })
            .collect();
        let h = History { start, minutes };
        assert_eq!(weekly_p99(&h), vec![Some(1000.0), Some(2000.0)]);
        let g = growth(&h, Some(3000.0), Duration::days(30), &Utc);
        assert!((g.growth_per_week.unwrap() - 1.0).abs() < 1e-12);
        // Now = 2,000 × 2^0.5 = 2,828; 3,000 at ln(1.0607)/ln(2) = 0.085 weeks = 14.3 hours.
        assert_eq!(
            g.limit_reached_on,
            Some(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap())
        );
        assert_eq!(g.p99, Some(2000.0));
        let none = growth(&h, Some(3000.0), Duration::hours(10), &Utc);
        assert_eq!(none.limit_reached_on, None);
    }
}
